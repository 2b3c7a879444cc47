"""The emulator's HTTP surface: Syncro's public API, the UI-only admin surface, control.

One outer ASGI layer does what real Syncro does in front of every API request (rate
limit, auth, permissions) plus the emulator's own test hooks (request log, injected
faults). It is the outermost callable on purpose: a `lost_response` fault must reach the
server's raw transport to drop the connection after the write has committed, which is
the failure mode that makes naive create-retry loops create duplicates.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from emulator import inbound
from emulator.model import NOT_AUTHORIZED, ApiError, Syncro, as_int
from emulator.page import render_page
from emulator.store import Store

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

GUARDED_PREFIXES = ("/api/v1", "/_admin/v1")
BAD_TOKEN = "Not authorized"


@dataclass
class FaultRule:
    """One rule of `POST /_emulator/faults`."""

    path: re.Pattern[str]
    method: str
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    latency_ms: int = 0
    lost_response: float = 0.0
    status_5xx: int = 503


@dataclass
class Faults:
    """Seeded random fault injection so a failing test can be replayed exactly."""

    rules: list[FaultRule] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    raw: list[dict[str, Any]] = field(default_factory=list)
    seed: int | None = None

    def pick(self, method: str, path: str) -> tuple[FaultRule | None, str | None]:
        """The first matching rule and the fault it rolls (None: let it through)."""
        for rule in self.rules:
            if rule.method not in ("*", method) or not rule.path.search(path):
                continue
            roll = self.rng.random()
            if roll < rule.rate_429:
                return rule, "rate_429"
            if roll < rule.rate_429 + rule.rate_5xx:
                return rule, "rate_5xx"
            if roll < rule.rate_429 + rule.rate_5xx + rule.lost_response:
                return rule, "lost_response"
            return rule, None
        return None, None


class RateLimiter:
    """Rolling 60-second window per client address, counting admitted requests."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> int | None:
        """None when admitted (and counted), else the seconds until a slot frees up."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(60.0 - (now - hits[0]) + 0.999))
            hits.append(now)
            return None

    def reset(self) -> None:
        """Forget every window (a new limit starts fresh)."""
        with self._lock:
            self._hits.clear()


class RequestLog:
    """Every guarded request, secrets masked, in memory and appended to requests.log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[dict[str, Any]] = []
        self._seq = 0
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Number and keep an entry; the file gets one JSON line per request."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            line = json.dumps(entry, sort_keys=True)
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError:
            pass

    def since(self, seq: int) -> list[dict[str, Any]]:
        """Entries after `seq`."""
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        """Forget the entries (sequence numbers keep counting up)."""
        with self._lock:
            self._entries.clear()


def mask_query(raw: str) -> str:
    """The query string with `api_key` values replaced by `***`."""
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    return urlencode([(k, "***" if k == "api_key" else v) for k, v in pairs], safe="[]*,@")


def mask_authorization(value: str | None) -> str | None:
    """`Bearer ***` (or `***` for a raw token): the log never holds a credential."""
    if not value:
        return None
    return "Bearer ***" if value.lower().startswith("bearer ") else "***"


class Emulator:
    """Everything one running emulator owns: state, settings, hooks."""

    def __init__(
        self,
        db_path: Path,
        token: str,
        limited_token: str | None = None,
        rate_limit_per_minute: int = 180,
        today: date | None = None,
    ) -> None:
        self.store = Store(Path(db_path))
        self.syncro = Syncro(self.store, today)
        self.token = token
        self.limited_token = limited_token
        self.limiter = RateLimiter(rate_limit_per_minute)
        self.faults = Faults()
        self.log = RequestLog(Path(db_path).parent / "requests.log")

    def authenticate(self, scope: Scope) -> tuple[int, bool] | None:
        """(user id, may write) for a valid token in the header or `?api_key=`."""
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        token = header[7:].strip() if header.lower().startswith("bearer ") else header.strip()
        if not token:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            token = query.get("api_key", "")
        if token and token == self.token:
            return 1001, True
        if token and self.limited_token and token == self.limited_token:
            return 1003, False
        return None


async def _answer(
    send: Send, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class Gate:
    """Outermost ASGI layer: log, rate limit, faults, auth, then the routes."""

    def __init__(self, app: Starlette, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        emu = self.emu
        method = scope["method"]
        headers = dict(scope.get("headers") or [])
        client = (scope.get("client") or ("unknown", 0))[0]
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": mask_query(scope.get("query_string", b"").decode("latin-1")),
            "status": None,
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "client": client,
            "authorization": mask_authorization(
                headers.get(b"authorization", b"").decode("latin-1") or None
            ),
            "fault": None,
        }

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        try:
            retry = emu.limiter.check(client)
            if retry is not None:
                limit = emu.limiter.per_minute
                body = {"error": f"Rate limit exceeded. {limit} requests per minute."}
                await _answer(recording, 429, body, {"Retry-After": str(retry)})
                return
            rule, fault = emu.faults.pick(method, path)
            if rule and rule.latency_ms:
                # The server has the whole request before it is slow, so a client that
                # gives up meanwhile does not stop the write (as on a real server).
                receive = await _buffered(receive)
                await asyncio.sleep(rule.latency_ms / 1000)
            if fault == "rate_429":
                entry["fault"] = fault
                limit = emu.limiter.per_minute or 180
                body = {"error": f"Rate limit exceeded. {limit} requests per minute."}
                await _answer(recording, 429, body, {"Retry-After": "1"})
                return
            if fault == "rate_5xx" and rule:
                entry["fault"] = fault
                await _answer(recording, rule.status_5xx, {"error": "Service Unavailable"})
                return
            who = emu.authenticate(scope)
            if who is None:
                await _answer(recording, 401, {"error": BAD_TOKEN})
                return
            if not who[1] and method not in ("GET", "HEAD"):
                await _answer(recording, 401, {"error": NOT_AUTHORIZED})
                return
            scope.setdefault("state", {})["user"] = who
            if fault == "lost_response":
                entry["fault"] = fault
                await self._lose_response(scope, receive, send, entry)
                return
            await self.app(scope, receive, recording)
        finally:
            emu.log.add(entry)

    async def _lose_response(
        self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]
    ) -> None:
        """Run the request to completion (the write commits), then drop the connection."""

        async def swallow(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]

        await self.app(scope, receive, swallow)
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is not None:
            cycle.disconnected = True  # type: ignore[union-attr]
            transport.abort()
            return
        # Not uvicorn: promise a body, send none, fail; the server closes the connection.
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
        )
        raise ConnectionAbortedError("lost_response fault")


# -- helpers --------------------------------------------------------------------------


async def _buffered(receive: Receive) -> Receive:
    """Read the request body now; replay it to the app, then pass on what follows."""
    messages: list[dict[str, Any]] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break

    async def replay() -> dict[str, Any]:
        return messages.pop(0) if messages else await receive()

    return replay


async def body_of(request: Request) -> dict[str, Any]:
    """The request's parameters: a JSON object or a form; Syncro accepts both."""
    raw = await request.body()
    if not raw.strip():
        return {}
    ctype = request.headers.get("content-type", "")
    # `curl -d '{...}'` labels a JSON body as a form: a body that opens like a JSON object
    # is read as JSON whatever the label says, so hand-typed control calls just work.
    looks_like_json = raw.lstrip()[:1] == b"{"
    if "application/x-www-form-urlencoded" in ctype and not looks_like_json:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, {"error": "Request body is not valid JSON"}) from exc
    if not isinstance(parsed, dict):
        raise ApiError(400, {"error": "Request body must be a JSON object"})
    return parsed


def path_id(request: Request, key: str = "id") -> int:
    """A numeric path id; anything else is simply not found."""
    value = as_int(request.path_params.get(key))
    if value is None:
        raise ApiError(404, {"error": "Not found"})
    return value


def ok(body: Any, status: int = 200) -> JSONResponse:
    """A JSON answer."""
    return JSONResponse(body, status_code=status)


async def api_error(_request: Request, exc: Exception) -> Response:
    """Render an ApiError as Syncro would."""
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def not_found_handler(request: Request, _exc: Exception) -> Response:
    """Unknown routes answer JSON under the API prefixes, plain text elsewhere."""
    if request.url.path.startswith(("/api/", "/_admin/", "/_emulator/")):
        return JSONResponse({"error": "Not found"}, status_code=404)
    return Response("Not found", status_code=404, media_type="text/plain")


async def method_not_allowed(_request: Request, _exc: Exception) -> Response:
    """A known path with an unsupported verb."""
    return JSONResponse({"error": "Method not allowed"}, status_code=405)


def build_app(emu: Emulator) -> Gate:
    """The ASGI application for one emulator instance."""
    s = emu.syncro

    # -- public API -----------------------------------------------------------------

    async def customers(request: Request) -> Response:
        if request.method == "POST":
            return ok(s.create_customer(await body_of(request)))
        return ok(s.list_customers(request.query_params, request.query_params.getlist))

    async def customer(request: Request) -> Response:
        cid = path_id(request)
        if request.method == "PUT":
            return ok(s.update_customer(cid, await body_of(request)))
        if request.method == "DELETE":
            return ok(s.delete_customer(cid))
        return ok({"customer": s.customer_out(s.customer(cid))})

    async def contacts(request: Request) -> Response:
        if request.method == "POST":
            return ok(s.create_contact(await body_of(request)))
        return ok(s.list_contacts(request.query_params))

    async def contact(request: Request) -> Response:
        cid = path_id(request)
        if request.method == "PUT":
            return ok(s.update_contact(cid, await body_of(request)))
        if request.method == "DELETE":
            return ok(s.delete_contact(cid))
        return ok(s.contact_out(s.contact(cid)))

    async def tickets(request: Request) -> Response:
        if request.method == "POST":
            return ok(s.create_ticket(await body_of(request)))
        return ok(s.list_tickets(request.query_params))

    async def ticket(request: Request) -> Response:
        tid = path_id(request)
        if request.method == "PUT":
            return ok(s.update_ticket(tid, await body_of(request)))
        if request.method == "DELETE":
            return ok(s.delete_ticket(tid))
        return ok({"ticket": s.ticket_out(s.ticket(tid))})

    async def ticket_comments(request: Request) -> Response:
        return ok(s.list_comments(path_id(request), request.query_params))

    async def ticket_comment(request: Request) -> Response:
        return ok(s.add_comment(path_id(request), await body_of(request)))

    async def leads(request: Request) -> Response:
        if request.method == "POST":
            return ok(s.create_lead(await body_of(request)))
        return ok(s.list_leads(request.query_params, request.query_params.getlist))

    async def lead(request: Request) -> Response:
        lid = path_id(request)
        if request.method == "PUT":
            return ok(s.update_lead(lid, await body_of(request)))
        return ok({"lead": s.lead_out(s.lead(lid))})

    async def users(_request: Request) -> Response:
        return ok({"users": s.users_pairs()})

    async def user(request: Request) -> Response:
        return ok({"user": s.user_out(s.user(path_id(request)))})

    async def me(request: Request) -> Response:
        user_id, can_write = request.scope.get("state", {}).get("user", (1001, True))
        return ok(s.me(user_id, can_write))

    async def settings(_request: Request) -> Response:
        return ok(s.settings())

    async def ticket_settings(_request: Request) -> Response:
        return ok(s.ticket_settings())

    async def policy_folders(request: Request) -> Response:
        if request.method == "POST":
            return ok(s.save_policy_folder(await body_of(request), None))
        return ok(s.list_policy_folders(request.query_params))

    async def policy_folder(request: Request) -> Response:
        fid = path_id(request)
        if request.method == "PUT":
            return ok(s.save_policy_folder(await body_of(request), fid))
        if request.method == "DELETE":
            return ok(s.delete_policy_folder(fid))
        return ok({"policy_folder": s.policy_folder_out(s.policy_folder(fid))})

    api_routes = [
        Route("/customers", customers, methods=["GET", "POST"]),
        Route("/customers/{id}", customer, methods=["GET", "PUT", "DELETE"]),
        Route("/contacts", contacts, methods=["GET", "POST"]),
        Route("/contacts/{id}", contact, methods=["GET", "PUT", "DELETE"]),
        Route("/tickets", tickets, methods=["GET", "POST"]),
        Route("/tickets/settings", ticket_settings, methods=["GET"]),
        Route("/tickets/{id}", ticket, methods=["GET", "PUT", "DELETE"]),
        Route("/tickets/{id}/comments", ticket_comments, methods=["GET"]),
        Route("/tickets/{id}/comment", ticket_comment, methods=["POST"]),
        Route("/leads", leads, methods=["GET", "POST"]),
        Route("/leads/{id}", lead, methods=["GET", "PUT"]),
        Route("/users", users, methods=["GET"]),
        Route("/users/{id}", user, methods=["GET"]),
        Route("/me", me, methods=["GET"]),
        Route("/settings", settings, methods=["GET"]),
        Route("/policy_folders", policy_folders, methods=["GET", "POST"]),
        Route("/policy_folders/{id}", policy_folder, methods=["GET", "PUT", "DELETE"]),
    ]

    # -- admin surface (UI-only objects) ----------------------------------------------

    savers: dict[str, tuple[str, Callable[[dict[str, Any], int | None], dict[str, Any]]]] = {
        "customer_fields": ("customer_field", s.save_customer_field),
        "mailboxes": ("mailbox", s.save_mailbox),
        "email_rules": ("email_rule", s.save_email_rule),
        "recurring_tickets": ("recurring_ticket", s.save_recurring),
        "ticket_automations": ("ticket_automation", s.save_automation),
    }
    shapers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "customer_fields": s.customer_field_out,
        "recurring_tickets": s.recurring_out,
    }

    def shape(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return shapers.get(kind, dict)(obj)

    def listed(kind: str) -> list[dict[str, Any]]:
        items = s.store.all(kind)
        if kind == "email_rules":
            items = s.ordered_rules()
        return [shape(kind, o) for o in items]

    async def admin_collection(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in savers:
            raise ApiError(404, {"error": "Not found"})
        singular, save = savers[kind]
        if request.method == "POST":
            return ok({singular: shape(kind, save(await body_of(request), None))})
        return ok({kind: listed(kind)})

    async def admin_item(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in savers:
            raise ApiError(404, {"error": "Not found"})
        singular, save = savers[kind]
        obj_id = path_id(request)
        if request.method == "PUT":
            return ok({singular: shape(kind, save(await body_of(request), obj_id))})
        current = s.admin_get(kind, obj_id)
        if request.method == "DELETE":
            s.store.delete(kind, obj_id)
            return ok({singular: shape(kind, current)})
        return ok({singular: shape(kind, current)})

    async def preferences(request: Request) -> Response:
        if request.method == "PUT":
            return ok({"ticket_preferences": s.set_preferences(await body_of(request))})
        return ok({"ticket_preferences": s.preferences()})

    admin_routes = [
        Route("/ticket_preferences", preferences, methods=["GET", "PUT"]),
        Route("/{kind}", admin_collection, methods=["GET", "POST"]),
        Route("/{kind}/{id}", admin_item, methods=["GET", "PUT", "DELETE"]),
    ]

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

    control_routes = [
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
            Mount("/api/v1", routes=api_routes),
            Mount("/_admin/v1", routes=admin_routes),
            Mount("/_emulator", routes=control_routes),
        ],
        exception_handlers={ApiError: api_error, 404: not_found_handler, 405: method_not_allowed},
    )
    return Gate(app, emu)
