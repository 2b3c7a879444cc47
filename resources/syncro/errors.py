"""Typed errors carrying Syncro's own message. None of them ever holds the API token."""

from __future__ import annotations

from typing import Any

__all__ = [
    "SyncroApiError",
    "SyncroAuthError",
    "SyncroBadAnswer",
    "SyncroError",
    "SyncroNotFound",
    "SyncroOutcomeUnknown",
    "SyncroRateLimited",
    "SyncroUnavailable",
    "SyncroValidationError",
]


class SyncroError(Exception):
    """Anything that went wrong talking to Syncro."""


class SyncroApiError(SyncroError):
    """Syncro answered with an error status; `message` is Syncro's own text."""

    def __init__(self, method: str, path: str, status: int, message: str, body: Any = None):
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.body = body
        super().__init__(f"Syncro answered {status} to {method} {path}: {message}")


class SyncroAuthError(SyncroApiError):
    """401: the token is wrong, expired, or its user lacks a permission."""

    def __init__(self, method: str, path: str, status: int, message: str, body: Any = None):
        super().__init__(method, path, status, message, body)
        self.args = (
            f"Syncro refused the API token ({status} {message!r} on {method} {path}). Fix: "
            "check the token with `pulumi config set --secret syncro:apiToken <token>` "
            "(Syncro: Admin > API Tokens) and give its user the Customers and Tickets "
            "permissions (view, create, edit, delete).",
        )


class SyncroNotFound(SyncroApiError):
    """404: the object does not exist (deleted, or never made)."""


class SyncroValidationError(SyncroApiError):
    """422: Syncro refused the data; `message` lists its reasons."""


class SyncroRateLimited(SyncroApiError):
    """429 after every retry: something else is spending this IP's 180 requests/minute."""


class SyncroUnavailable(SyncroError):
    """Connection errors or 5xx after every retry."""


class SyncroBadAnswer(SyncroError):
    """A success status with a body that is not JSON (cut off, or a proxy's HTML page)."""


class SyncroOutcomeUnknown(SyncroError):
    """A create whose response was lost and whose object cannot be looked up.

    It is never repeated blindly: repeating could make a duplicate.
    """


def message_of(body: Any) -> str:
    """Syncro's message, whichever of its error shapes the body has.

    Seen shapes: `{"error": "..."}`, `{"message": "..."}`,
    `{"success": false, "message": ["...", ...]}` and `{"errors": [...]}`.
    """
    if isinstance(body, dict):
        for key in ("message", "error", "errors"):
            value = body.get(key)
            if isinstance(value, list):
                return "; ".join(str(item) for item in value)
            if value:
                return str(value)
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return "no message"
