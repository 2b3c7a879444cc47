"""Syncro's HTTP shapes: envelopes, pages, 404 and 422 bodies, delete messages.

The kinds raise `Missing`/`Invalid` and return plain objects; what Syncro wraps them in
differs per resource (and per spec example), and all of it is decided here.
"""

from __future__ import annotations

import math
from typing import Any

from emulator.kinds.base import Invalid, Kind, as_int

PER_PAGE = 25
# Resources whose spec examples show another page size; `per_page` may ask for fewer.
PAGE_SIZES = {"contracts": 50, "policy_folders": 100, "portal_users": 100}
PER_PAGE_PARAM = frozenset({"policy_folders"})
# Newest-spec resources answering errors as `{"errors": [...]}`.
ERRORS_LIST = frozenset({"policy_folders"})
# Creates answered 201, deletes answered 204 without a body (as the newest spec shows).
CREATED_201 = frozenset({"policy_folders"})
DELETED_204 = frozenset({"policy_folders"})
# Lists whose `meta` carries only total_pages and page (as the spec's examples show).
SHORT_META = frozenset({"tickets"})
# 404 bodies with `message` instead of `error` (as the spec's examples show).
MESSAGE_404 = frozenset({"contacts", "tickets"})
# Objects answered bare, without a `{"<singular>": ...}` envelope.
FLAT = frozenset({"contacts", "contracts", "portal_users"})
# 422 bodies as `{"record": <the object as it would have been>, "errors": "<first>"}`.
RECORD_ERRORS = frozenset({"contacts", "contracts"})
# 422 bodies that echo the request's parameters, per (kind, operation).
ECHO_PARAMS = frozenset({("customers", "create"), ("leads", "create"), ("leads", "update")})
ECHO_PARAMS |= {("portal_users", "create"), ("portal_users", "update")}
DELETED = {
    "customers": "Customer was deleted from the system.",
    "contacts": "Contact was successfully deleted.",
    "tickets": "Ticket was successfully deleted. ",  # the spec's message has a trailing space
    "contracts": "Contract was successfully deleted.",
}
ARCHIVED = "Customer was disabled instead of deleted because they have associated data"


class ApiError(Exception):
    """An answer other than 2xx: status and the exact JSON body Syncro would send."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def page_of(
    items: list[Any], page_raw: Any, full_meta: bool = True, per_page: int = PER_PAGE
) -> tuple[list[Any], dict]:
    """Slice a list into Syncro's pages (25 unless the resource says otherwise) and build
    its `meta`."""
    page = min(max(as_int(page_raw) or 1, 1), 10**9)
    total = len(items)
    pages = max(math.ceil(total / per_page), 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    if full_meta:
        meta = {"total_pages": pages, "total_entries": total, "per_page": per_page, "page": page}
    else:
        meta = {"total_pages": pages, "page": page}
    return chunk, meta


def not_found(kind: Kind | None = None, message: str | None = None) -> ApiError:
    """Syncro's 404: `{"error": "Not found"}` on most resources, `message` on some,
    `{"errors": ["Policy folder not found"]}` on the newest ones."""
    name = kind.name if kind else None
    if kind is not None and name in ERRORS_LIST:
        return ApiError(404, {"errors": [message or f"{kind.singular_title} not found"]})
    return ApiError(404, {"message" if name in MESSAGE_404 else "error": "Not found"})


def invalid(kind: Kind, operation: str, error: Invalid, body: dict[str, Any]) -> ApiError:
    """A kind's 422 body."""
    first = error.messages[0]
    if kind.surface != "public" or error.reference:
        return ApiError(422, {"error": first})
    if kind.name in ERRORS_LIST:
        return ApiError(422, {"errors": error.messages})
    if kind.name in RECORD_ERRORS:
        return ApiError(422, {"record": error.record, "errors": first})
    shaped: dict[str, Any] = {"success": False, "message": error.messages}
    if (kind.name, operation) in ECHO_PARAMS:
        shaped["params"] = body
    return ApiError(422, shaped)


def listed(kind: Kind, items: list[dict[str, Any]], query: Any) -> dict[str, Any]:
    """A list answer: paged with `meta` on the public API, whole on the UI stand-in."""
    if kind.surface != "public":
        return {kind.name: list(items)}
    if kind.name == "users":
        return {"users": [[u["id"], u["full_name"]] for u in items]}  # the spec's example
    size = PAGE_SIZES.get(kind.name, PER_PAGE)
    if kind.name in PER_PAGE_PARAM:
        size = min(max(as_int(query.get("per_page")) or size, 1), size)
    full = kind.name not in SHORT_META
    chunk, meta = page_of(items, query.get("page"), full_meta=full, per_page=size)
    return {kind.name: chunk, "meta": meta}


def one(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    """One object, in its envelope unless the resource answers it bare."""
    return obj if kind.name in FLAT else {kind.singular: obj}


def deleted(kind: Kind, removed: dict[str, Any]) -> dict[str, Any]:
    """A delete's answer: a message on the public API, the removed object on the UI's."""
    if kind.surface != "public":
        return {kind.singular: kind.out(removed)}
    if removed.get("archived"):
        return {"message": ARCHIVED}
    if kind.name in FLAT:
        return kind.out(removed)  # portal users answer the removed object
    return {"message": DELETED.get(kind.name, "Deleted.")}
