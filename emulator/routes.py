"""HTTP routes generated from the list of kinds, plus the few non-CRUD endpoints.

Every kind gets `/<name>` (list, create) and `/<name>/{id}` (read, update, delete) for
the operations it declares, on the surface it declares: public kinds under `/api/v1`,
UI-only kinds on the UI stand-ins (`/_admin/v1` for the program, `/_person/v1` for a
person). Errors raised by the kinds are shaped here through `emulator.shapes`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulator import shapes
from emulator.kinds.base import Invalid, Kind, Missing, as_int
from emulator.kinds.settings import account_settings, ticket_settings
from emulator.model import NOT_AUTHORIZED, Syncro
from emulator.shapes import ApiError

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]


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
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, {"error": "Request body is not valid JSON"}) from exc
    if not isinstance(parsed, dict):
        raise ApiError(400, {"error": "Request body must be a JSON object"})
    return parsed


def path_id(request: Request, kind: Kind | None = None) -> int:
    """A numeric path id; anything else (or a number no object can have) is not found."""
    value = as_int(request.path_params.get("id"))
    if value is None:
        raise shapes.not_found(kind)
    return value


def refuse_non_admin(kind: Kind, request: Request) -> None:
    """Resources needing Syncro's Global Admin permission refuse the read-only user."""
    if kind.admin_only and not request.scope.get("state", {}).get("user", (0, True))[1]:
        raise ApiError(401, {"error": NOT_AUTHORIZED})


def ok(body: Any, status: int = 200) -> JSONResponse:
    """A JSON answer."""
    return JSONResponse(body, status_code=status)


def run(kind: Kind, operation: str, body: dict[str, Any], call: Callable[[], T]) -> T:
    """Call into a kind, turning its errors into the kind's HTTP answers."""
    try:
        return call()
    except Missing as exc:
        raise shapes.not_found(kind, exc.message) from exc
    except Invalid as exc:
        raise shapes.invalid(kind, operation, exc, body) from exc


def kind_routes(kind: Kind) -> list[BaseRoute]:
    """The collection and item routes of one kind, for the operations it declares."""
    ops = kind.operations
    routes: list[BaseRoute] = []

    async def collection(request: Request) -> Response:
        refuse_non_admin(kind, request)
        if request.method == "POST":
            body = await body_of(request)
            made = run(kind, "create", body, lambda: kind.create(body))
            status = 201 if kind.name in shapes.CREATED_201 else 200
            return ok(shapes.one(kind, kind.out(made)), status)
        q = request.query_params
        items = run(kind, "list", {}, lambda: kind.list(q, q.getlist))
        return ok(shapes.listed(kind, items, q))

    async def item(request: Request) -> Response:
        refuse_non_admin(kind, request)
        obj_id = path_id(request, kind)
        if request.method == "PUT":
            body = await body_of(request)
            saved = run(kind, "update", body, lambda: kind.update(obj_id, body))
            return ok(shapes.one(kind, kind.out(saved)))
        if request.method == "DELETE":
            removed = run(kind, "delete", {}, lambda: kind.delete(obj_id))
            if kind.name in shapes.DELETED_204:
                return Response(status_code=204)
            return ok(shapes.deleted(kind, removed))
        return ok(shapes.one(kind, kind.out(run(kind, "read", {}, lambda: kind.get(obj_id)))))

    methods = [m for op, m in (("list", "GET"), ("create", "POST")) if op in ops]
    if methods:
        routes.append(Route(f"/{kind.name}", collection, methods=methods))
    item_ops = (("read", "GET"), ("update", "PUT"), ("delete", "DELETE"))
    methods = [m for op, m in item_ops if op in ops]
    if methods:
        routes.append(Route(f"/{kind.name}/{{id}}", item, methods=methods))
    return routes


def public_extras(s: Syncro) -> list[BaseRoute]:
    """Public endpoints that are not one kind's CRUD (listed before the generated ones so
    `/tickets/settings` is not read as a ticket id)."""
    tickets = s["tickets"]

    async def me(request: Request) -> Response:
        user_id, can_write = request.scope.get("state", {}).get("user", (1001, True))
        return ok(s["users"].me(user_id, can_write))

    async def settings(_request: Request) -> Response:
        return ok(account_settings(s))

    async def tickets_settings(_request: Request) -> Response:
        return ok(ticket_settings(s))

    async def comments(request: Request) -> Response:
        ticket_id = path_id(request, tickets)
        items = run(tickets, "read", {}, lambda: tickets.list_comments(ticket_id))
        chunk, meta = shapes.page_of(items, request.query_params.get("page"), full_meta=False)
        return ok({"comments": chunk, "meta": {**meta, "per_page": shapes.PER_PAGE}})

    async def comment(request: Request) -> Response:
        ticket_id = path_id(request, tickets)
        body = await body_of(request)
        made = run(tickets, "comment", body, lambda: tickets.add_comment(ticket_id, body))
        return ok({"comment": made})

    return [
        Route("/me", me, methods=["GET"]),
        Route("/settings", settings, methods=["GET"]),
        Route("/tickets/settings", tickets_settings, methods=["GET"]),
        Route("/tickets/{id}/comments", comments, methods=["GET"]),
        Route("/tickets/{id}/comment", comment, methods=["POST"]),
    ]


def ui_extras(s: Syncro) -> list[BaseRoute]:
    """UI-only singletons: the ticket preferences."""

    async def preferences(request: Request) -> Response:
        if request.method == "PUT":
            body = await body_of(request)
            try:
                return ok({"ticket_preferences": s.preferences.update(body)})
            except Invalid as exc:
                raise ApiError(422, {"error": exc.messages[0]}) from exc
        return ok({"ticket_preferences": s.preferences.get()})

    return [Route("/ticket_preferences", preferences, methods=["GET", "PUT"])]


def person_extras(s: Syncro) -> list[BaseRoute]:
    """What only a person can do in Syncro's UI: Actions > Re-Enable on an archived
    customer (the published API has no field or endpoint that clears `disabled`)."""
    customers = s["customers"]

    async def re_enable(request: Request) -> Response:
        obj_id = path_id(request, customers)
        done = run(customers, "update", {}, lambda: customers.re_enable(obj_id))
        return ok({"customer": customers.out(done)})

    return [Route("/customers/{id}/re_enable", re_enable, methods=["POST"])]


# Which kinds each surface serves (see Kind.surface).
SERVED_KINDS = {"public": ("public",), "admin": ("ui",), "person": ("ui", "person")}


def surface_routes(s: Syncro, surface: str) -> list[BaseRoute]:
    """Every route of one surface: its extras, then each of its kinds' CRUD."""
    if surface == "public":
        routes = public_extras(s)
    else:
        routes = ui_extras(s) + (person_extras(s) if surface == "person" else [])
    for kind in s.kinds.values():
        if kind.surface in SERVED_KINDS[surface]:
            routes += kind_routes(kind)
    return routes
