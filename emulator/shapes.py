"""Syncro's HTTP shapes: envelopes, pages, 404 and 422 bodies, delete messages.

The kinds raise `Missing`/`Invalid` and return plain objects; what Syncro wraps them in
differs per resource (and per spec example), and all of it is decided here.
"""

from __future__ import annotations

import math
from typing import Any

from emulator.kinds.base import Invalid, Kind, as_int

PER_PAGE = 25
# Lists whose `meta` carries only total_pages and page (as the spec's examples show).
SHORT_META = frozenset({"tickets"})
# 404 bodies with `message` instead of `error` (as the spec's examples show).
MESSAGE_404 = frozenset({"contacts", "tickets"})
# Objects answered bare, without a `{"<singular>": ...}` envelope.
FLAT = frozenset({"contacts"})
# 422 bodies that echo the request's parameters, per (kind, operation).
ECHO_PARAMS = frozenset({("customers", "create"), ("leads", "create"), ("leads", "update")})
ECHO_PARAMS |= {("policy_folders", "create"), ("policy_folders", "update")}
DELETED = {
    "customers": "Customer was deleted from the system.",
    "contacts": "Contact was successfully deleted.",
    "tickets": "Ticket was successfully deleted. ",  # the spec's message has a trailing space
    "policy_folders": "Policy folder was deleted.",
}
ARCHIVED = "Customer was disabled instead of deleted because they have associated data"


class ApiError(Exception):
    """An answer other than 2xx: status and the exact JSON body Syncro would send."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def page_of(items: list[Any], page_raw: Any, full_meta: bool = True) -> tuple[list[Any], dict]:
    """Slice a list into Syncro's 25-per-page pages and build its `meta`."""
    page = max(as_int(page_raw) or 1, 1)
    total = len(items)
    pages = max(math.ceil(total / PER_PAGE), 1)
    chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    if full_meta:
        meta = {"total_pages": pages, "total_entries": total, "per_page": PER_PAGE, "page": page}
    else:
        meta = {"total_pages": pages, "page": page}
    return chunk, meta


def not_found(kind: str | None = None) -> ApiError:
    """Syncro's 404: `{"error": "Not found"}` on most resources, `message` on some."""
    return ApiError(404, {"message" if kind in MESSAGE_404 else "error": "Not found"})


def invalid(kind: Kind, operation: str, error: Invalid, body: dict[str, Any]) -> ApiError:
    """A kind's 422 body."""
    first = error.messages[0]
    if kind.surface == "ui" or error.reference:
        return ApiError(422, {"error": first})
    if kind.name == "contacts":
        return ApiError(422, {"record": error.record, "errors": first})
    shaped: dict[str, Any] = {"success": False, "message": error.messages}
    if (kind.name, operation) in ECHO_PARAMS:
        shaped["params"] = body
    return ApiError(422, shaped)


def listed(kind: Kind, items: list[dict[str, Any]], page_raw: Any) -> dict[str, Any]:
    """A list answer: paged with `meta` on the public API, whole on the UI stand-in."""
    if kind.surface == "ui":
        return {kind.name: items}
    if kind.name == "users":
        return {"users": [[u["id"], u["full_name"]] for u in items]}  # the spec's example
    chunk, meta = page_of(items, page_raw, full_meta=kind.name not in SHORT_META)
    return {kind.name: chunk, "meta": meta}


def one(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    """One object, in its envelope unless the resource answers it bare."""
    return obj if kind.name in FLAT else {kind.singular: obj}


def deleted(kind: Kind, removed: dict[str, Any]) -> dict[str, Any]:
    """A delete's answer: a message on the public API, the removed object on the UI's."""
    if kind.surface == "ui":
        return {kind.singular: kind.out(removed)}
    if removed.get("archived"):
        return {"message": ARCHIVED}
    return {"message": DELETED.get(kind.name, "Deleted.")}
