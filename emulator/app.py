"""The emulator's HTTP application: Syncro's public API, the UI stand-ins, control.

`Emulator` owns one running emulator's state and settings; `build_app` mounts the routes
generated from the kinds (`emulator.routes`) and the control hooks behind the `Gate`.
"""

from __future__ import annotations

import os
import random
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from emulator import inbound
from emulator.gate import FaultRule, Faults, Gate, RateLimiter, RequestLog, Scope
from emulator.kinds import id_bases
from emulator.kinds.base import as_int
from emulator.model import Syncro
from emulator.page import render_page
from emulator.routes import body_of, ok, surface_routes
from emulator.shapes import ApiError
from emulator.store import Store


class Emulator:
    """Everything one running emulator owns: state, settings, hooks."""

    def __init__(
        self,
        db_path: Path,
        token: str,
        limited_token: str | None = None,
        rate_limit_per_minute: int = 180,
        today: date | None = None,
        person_token: str = "local-person-token",
        strict: bool = False,
    ) -> None:
        self.db_path = Path(db_path).resolve()
        self.store = Store(Path(db_path), id_bases())
        self.syncro = Syncro(self.store, today)
        self.token = token
        self.limited_token = limited_token
        self.person_token = person_token
        # Strict: the program's token reaches only Syncro's published API (no /_admin/v1).
        self.strict = strict
        self.limiter = RateLimiter(rate_limit_per_minute)
        self.faults = Faults()
        self.log = RequestLog(Path(db_path).parent / "requests.log")

    def authenticate(self, scope: Scope, surface: str = "public") -> tuple[int, bool] | None:
        """(user id, may write) for a valid token in the header or `?api_key=`: the
        person's token on the person's surface, the API tokens everywhere else."""
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        token = header[7:].strip() if header.lower().startswith("bearer ") else header.strip()
        if not token:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            token = query.get("api_key", "")
        if surface == "person":
            return (1001, True) if token and token == self.person_token else None
        if token and token == self.token:
            return 1001, True
        if token and self.limited_token and token == self.limited_token:
            return 1003, False
        return None


async def api_error(_request: Request, exc: Exception) -> Response:
    """Render an ApiError as Syncro would."""
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def not_found_handler(request: Request, _exc: Exception) -> Response:
    """Unknown routes answer JSON under the API prefixes, plain text elsewhere."""
    if request.url.path.startswith(("/api/", "/_admin/", "/_person/", "/_emulator/")):
        return JSONResponse({"error": "Not found"}, status_code=404)
    return Response("Not found", status_code=404, media_type="text/plain")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """A known path with an unsupported verb: 405, or in strict mode what Syncro answers
    for any operation it does not publish, 404."""
    if request.app.state.strict:
        return await not_found_handler(request, exc)
    return JSONResponse({"error": "Method not allowed"}, status_code=405)


def build_app(emu: Emulator) -> Gate:
    """The ASGI application for one emulator instance."""
    s = emu.syncro
    surfaces = [
        Mount("/api/v1", routes=surface_routes(s, "public")),
        Mount("/_person/v1", routes=surface_routes(s, "person")),
    ]
    if not emu.strict:
        surfaces.append(Mount("/_admin/v1", routes=surface_routes(s, "admin")))

    # -- control --------------------------------------------------------------------

    async def inbound_email(request: Request) -> Response:
        return ok(inbound.receive(s, await body_of(request)))

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            body = await body_of(request)
            try:
                target = date.fromisoformat(str(body.get("now", ""))[:10])
            except ValueError as exc:
                raise ApiError(422, {"error": "now must be a YYYY-MM-DD date"}) from exc
            created = s.advance_clock(target)
            return ok({"now": s.today.isoformat(), "tickets_created": created})
        return ok({"now": s.today.isoformat()})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emu.faults = Faults()
            return ok({"rules": []})
        if request.method == "GET":
            return ok({"rules": emu.faults.raw, "seed": emu.faults.seed})
        body = await body_of(request)
        rules = []
        try:
            for raw in body.get("rules") or []:
                rules.append(
                    FaultRule(
                        path=re.compile(str(raw.get("path", ".*"))),
                        method=str(raw.get("method", "*")).upper(),
                        rate_429=float(raw.get("rate_429", 0)),
                        rate_5xx=float(raw.get("rate_5xx", 0)),
                        latency_ms=int(raw.get("latency_ms", 0)),
                        lost_response=float(raw.get("lost_response", 0)),
                        status_5xx=int(raw.get("status_5xx", 503)),
                    )
                )
        except (TypeError, ValueError, AttributeError, re.error) as exc:
            raise ApiError(422, {"error": f"Bad fault rule: {exc}"}) from exc
        seed = body.get("seed")
        emu.faults = Faults(rules=rules, rng=random.Random(seed), raw=body.get("rules"), seed=seed)
        return ok({"rules": emu.faults.raw, "seed": seed})

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            emu.log.clear()
            return ok({"requests": []})
        since = as_int(request.query_params.get("since")) or 0
        return ok({"requests": emu.log.since(since)})

    async def reset(_request: Request) -> Response:
        s.reset()
        emu.limiter.reset()
        return ok({"reset": True, "now": s.today.isoformat()})

    async def control_settings(request: Request) -> Response:
        if request.method == "POST":
            body = await body_of(request)
            if "rate_limit_per_minute" in body:
                value = as_int(body["rate_limit_per_minute"])
                if value is None or value < 0:
                    raise ApiError(422, {"error": "rate_limit_per_minute must be >= 0"})
                emu.limiter.per_minute = value
                emu.limiter.reset()
        return ok({"rate_limit_per_minute": emu.limiter.per_minute})

    async def outbox(request: Request) -> Response:
        if request.method == "DELETE":
            s.store.clear("outbox")
            return ok({"outbox": []})
        return ok({"outbox": s.store.all("outbox")})

    async def instance(_request: Request) -> Response:
        # Which emulator answers on this port: scripts/emulator-up compares the database
        # with its own, so a second checkout never drives another checkout's emulator.
        return ok({"db": str(emu.db_path), "pid": os.getpid()})

    control_routes = [
        Route("/instance", instance, methods=["GET"]),
        Route("/inbound-email", inbound_email, methods=["POST"]),
        Route("/clock", clock, methods=["GET", "POST"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/requests", requests_log, methods=["GET", "DELETE"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/settings", control_settings, methods=["GET", "POST"]),
        Route("/outbox", outbox, methods=["GET", "DELETE"]),
    ]

    async def page(_request: Request) -> Response:
        return HTMLResponse(render_page(s))

    app = Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            *surfaces,
            Mount("/_emulator", routes=control_routes),
        ],
        exception_handlers={ApiError: api_error, 404: not_found_handler, 405: method_not_allowed},
    )
    app.state.strict = emu.strict
    return Gate(app, emu)
