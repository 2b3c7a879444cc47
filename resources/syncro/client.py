"""A small, careful Syncro API client. It knows nothing of Pulumi.

- Bearer auth; the token lives only in the httpx client's headers and never in a
  message, a log line or a repr.
- Every request first passes the pacer (N per rolling minute, shared by threads).
- 429, 502, 503, 504 and connection errors are retried with exponential backoff and
  full jitter, honouring `Retry-After`.
- A create whose outcome is unknown (timeout after sending, connection dropped,
  502/504) is never repeated blindly: the object is looked up, and looked up again
  until `lost_create_settle_seconds` have passed since the response was lost (the
  first request may still be running on Syncro's side and commit later: a POST
  answered after 31 s outlived the 30 s client timeout). Only a lookup after that
  window that still finds nothing lets the POST be sent again.
- A 401 is final and remembered: the next call fails at once instead of each of
  the run's resources spending a request to learn the same thing.
- Lists are read page by page (25 a page) until `meta.total_pages`.

The objects Syncro keeps only in its web UI (custom field definitions, mailboxes,
ticket preferences, email rules, recurring tickets, ticket automations) are reached
through an admin surface (`admin_url`), which the local emulator serves at
`/_admin/v1`; a real Syncro has none, which is why production runs in runbook mode.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from resources.syncro.errors import (
    SyncroApiError,
    SyncroAuthError,
    SyncroBadAnswer,
    SyncroError,
    SyncroNotFound,
    SyncroOutcomeUnknown,
    SyncroRateLimited,
    SyncroUnavailable,
    SyncroValidationError,
    message_of,
)
from resources.syncro.models import (
    ADMIN_COLLECTIONS,
    CUSTOMERS,
    Collection,
    Contact,
    Customer,
    CustomerField,
    Lead,
    SyncroModel,
    SyncroRequest,
    Ticket,
    TicketPreferences,
    TicketPreferencesRequest,
    User,
)
from resources.syncro.pacer import Pacer

log = logging.getLogger("syncro")

M = TypeVar("M", bound=SyncroModel)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A POST answered with these may still have been stored by the origin.
UNKNOWN_OUTCOME_STATUSES = frozenset({502, 504})
MAX_RETRY_AFTER_SECONDS = 120.0


def _described(body: dict[str, Any] | None) -> str:
    """What was sent, by key only: values may be secret (EDR keys in `properties`)."""
    if not body:
        return "without a body"
    parts = [
        f"{key} ({', '.join(map(str, value))})" if isinstance(value, dict) else str(key)
        for key, value in body.items()
    ]
    return "with " + ", ".join(parts)


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value] if isinstance(value, str) and len(value) >= 6 else []


def _shown(text: str, sent: dict[str, Any] | None, limit: int = 200) -> str:
    """A server's answer fit for a message: tags dropped, trimmed, and no value we sent
    (a page echoing the request must not print a secret)."""
    plain = " ".join(re.sub(r"<[^>]+>", " ", text or "").split())
    for secret in _leaves(sent):
        plain = plain.replace(secret, "***")
    return repr(plain[:limit] + ("..." if len(plain) > limit else "")) if plain else "(empty)"


class _LostResponse(Exception):
    """Internal: a POST was sent and its outcome is unknown."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def admin_url_for(base_url: str) -> str | None:
    """The emulator serves the UI-only objects beside the public API."""
    base = base_url.rstrip("/")
    return base[: -len("/api/v1")] + "/_admin/v1" if base.endswith("/api/v1") else None


class SyncroClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        admin_url: str | None = None,
        requests_per_minute: float = 170,
        max_retries: int = 6,  # backoff alone then waits at most ~32 s in all (Retry-After aside)
        timeout: float = 30.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        lost_create_settle_seconds: float | None = None,
        lost_create_poll_seconds: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_url = (admin_url or admin_url_for(self.base_url) or "").rstrip("/") or None
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        # How long a request whose answer was lost may still land. Syncro's own request
        # timeout is unpublished: twice ours covers a request queued behind a slow one.
        self.lost_create_settle_seconds = (
            2 * timeout if lost_create_settle_seconds is None else lost_create_settle_seconds
        )
        self.lost_create_poll_seconds = lost_create_poll_seconds
        self.pacer = Pacer(requests_per_minute, sleep=sleep)
        self._sleep = sleep
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "syncro-onboarding (Pulumi dynamic provider)",
            },
            timeout=timeout,
            transport=transport,
        )
        self._auth_failure: SyncroAuthError | None = None
        self._token_proven = threading.Event()
        self._first_request = threading.Lock()
        self._stats_lock = threading.Lock()
        self.requests_sent = 0
        self.retries = 0

    def __repr__(self) -> str:  # the token never reaches a log line
        return f"SyncroClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncroClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- the one place a request is made ------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2^attempt, capped."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))

    @staticmethod
    def _retry_after(response: httpx.Response) -> float | None:
        raw = response.headers.get("Retry-After")
        if not raw:
            return None
        try:
            seconds = float(raw)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(raw)
            if parsed is None:
                return None
            seconds = parsed.timestamp() - time.time()
        return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)

    def _url(self, path: str, admin: bool) -> str:
        if not admin:
            return self.base_url + path
        if self.admin_url is None:
            raise SyncroError(
                f"{path}: this Syncro has no admin surface for its UI-only objects. Fix: "
                "pulumi config set syncro:adminMode runbook (a person makes them from the runbook)"
            )
        return self.admin_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        admin: bool = False,
        probe: bool = False,
    ) -> Any:
        """Send one logical request (with its retries); the parsed JSON answer.

        `probe`: a read that may need a permission the token lacks (GET /portal_users
        needs Global Admin): its 401 is that one missing permission and is not
        remembered as a wrong token for the rest of the run."""
        if self._auth_failure is not None:
            raise self._auth_failure
        if not self._token_proven.is_set():
            # Until one answer proves the token, requests go one at a time: a wrong
            # token then costs one request, not one per resource running in parallel.
            with self._first_request:
                if self._auth_failure is not None:
                    raise self._auth_failure
                return self._send(method, path, params, body, admin, probe)
        return self._send(method, path, params, body, admin, probe)

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: dict[str, Any] | None,
        admin: bool,
        probe: bool = False,
    ) -> Any:
        url = self._url(path, admin)
        attempt = 0
        while True:
            self.pacer.acquire()
            started = time.monotonic()
            with self._stats_lock:
                self.requests_sent += 1
            try:
                response = self._http.request(method, url, params=params, json=body)
            except httpx.TransportError as exc:
                reached = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                log.debug("%s %s -> %s", method, path, type(exc).__name__)
                if method == "POST" and reached:
                    raise _LostResponse(type(exc).__name__) from exc
                if attempt >= self.max_retries:
                    raise SyncroUnavailable(
                        f"could not reach Syncro for {method} {path} after {attempt + 1} "
                        f"attempts ({type(exc).__name__}). Fix: check syncro:baseUrl and the "
                        "network, then run again."
                    ) from exc
                self._wait(self._backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if status != 401:
                self._token_proven.set()
            log.debug(
                "%s %s -> %s (%.0f ms)", method, path, status, 1000 * (time.monotonic() - started)
            )
            if status < 400:
                try:
                    return response.json() if response.content else {}
                except ValueError:
                    if method == "POST":  # stored, most likely: settle it by looking it up
                        raise _LostResponse(f"HTTP {status} with a body that is not JSON") from None
                    raise SyncroBadAnswer(
                        f"Syncro answered {status} to {method} {path} with a body that is not "
                        f"JSON (cut off, or a proxy's page): {_shown(response.text, body)}. "
                        f"Sent: {method} {path} {_described(body)}. Fix: the write may have "
                        "landed; run `pulumi refresh`, then `pulumi up` again."
                    ) from None
            if method == "POST" and status in UNKNOWN_OUTCOME_STATUSES:
                raise _LostResponse(f"HTTP {status}")
            if status in RETRY_STATUSES and attempt < self.max_retries:
                wait = self._retry_after(response)
                # After a 429 everyone sharing the pacer waits: the server's window is full.
                self._wait(
                    wait if wait is not None else self._backoff(attempt), everyone=status == 429
                )
                attempt += 1
                continue
            raise self._error(
                method, path, response, attempts=attempt + 1, sent=body, remember=not probe
            )

    def _wait(self, seconds: float, *, everyone: bool = False) -> None:
        with self._stats_lock:
            self.retries += 1
        if everyone:
            self.pacer.hold(seconds)
        else:
            self._sleep(seconds)

    def _error(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        *,
        attempts: int = 1,
        sent: dict[str, Any] | None = None,
        remember: bool = True,
    ) -> SyncroError:
        try:
            body: Any = response.json()
        except ValueError:
            body = _shown(response.text, sent)
        status = response.status_code
        message = message_of(body)
        if status == 401:
            failure = SyncroAuthError(method, path, status, message, body)
            if remember:
                # A wrong token, or a permission every resource needs: later calls fail
                # at once instead of each resource spending a request to learn it.
                self._auth_failure = failure
            return failure
        if status == 404:
            return SyncroNotFound(method, path, status, message, body)
        if status == 422:
            return SyncroValidationError(method, path, status, message, body)
        if status == 429:
            return SyncroRateLimited(method, path, status, message, body)
        if status >= 500:
            tries = f"after {attempts} attempts" if attempts > 1 else "(not retried)"
            return SyncroUnavailable(
                f"Syncro answered {status} to {method} {path} {tries}: {message}. "
                f"Sent: {method} {path} {_described(sent)}. Fix: run again later; a re-run "
                "looks objects up before creating them, so nothing is duplicated."
            )
        return SyncroApiError(method, path, status, message, body)

    def create(
        self,
        path: str,
        body: dict[str, Any],
        *,
        lookup: Callable[[], M | None],
        parse: Callable[[Any], M],
        admin: bool = False,
    ) -> M:
        """POST, never blindly repeated: after a lost response, look the object up until
        the first request can no longer land, and send again only if it never did."""
        for _ in range(self.max_retries + 1):
            try:
                return parse(self.request("POST", path, body=body, admin=admin))
            except _LostResponse as lost:
                log.debug("POST %s outcome unknown (%s): looking it up", path, lost.cause)
                found = self._settle(lookup)
                if found is not None:
                    return found
                # Still absent after the first request could have landed: not stored,
                # so sending it again cannot duplicate it.
        raise SyncroOutcomeUnknown(
            f"POST {path}: the response was lost {self.max_retries + 1} times and the object "
            "could not be found. Run again: the next run looks it up before creating it."
        )

    def _settle(self, lookup: Callable[[], M | None]) -> M | None:
        """Look up now, then every `lost_create_poll_seconds` until the settle window ends."""
        deadline = time.monotonic() + self.lost_create_settle_seconds
        while True:
            found = lookup()
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._sleep(min(self.lost_create_poll_seconds, left))

    def list_all(
        self,
        path: str,
        key: str,
        model: type[M],
        params: dict[str, Any] | None = None,
        *,
        admin: bool = False,
        probe: bool = False,
    ) -> list[M]:
        """Every page of a list endpoint."""
        items: list[M] = []
        page = 1
        while True:
            answer = self.request(
                "GET", path, params={**(params or {}), "page": page}, admin=admin, probe=probe
            )
            chunk = answer.get(key) or []
            items.extend(model.model_validate(item) for item in chunk)
            total_pages = int((answer.get("meta") or {}).get("total_pages") or 1)
            if page >= total_pages or not chunk:
                return items
            page += 1

    # --- customers ----------------------------------------------------------------------
    def list_customers(self, *, include_disabled: bool = False, **filters: Any) -> list[Customer]:
        params = {k: v for k, v in filters.items() if v is not None}
        if include_disabled:
            params["include_disabled"] = "true"
        return self.list_all("/customers", "customers", Customer, params)

    def find_customer_by_email(self, email: str) -> Customer | None:
        """Syncro's email filter matches substrings; the exact match is ours to check."""
        wanted = email.strip().lower()
        return next(
            (
                c
                for c in self.list_customers(email=email, include_disabled=True)
                if (c.email or "").lower() == wanted
            ),
            None,
        )

    def get_customer(self, customer_id: int) -> Customer:
        return self.get_of(CUSTOMERS, customer_id)

    def create_customer(self, body: SyncroRequest | dict[str, Any]) -> Customer:
        """Customer emails are unique in Syncro: the email finds a create whose answer was lost."""
        email_address = str(self._body(body).get("email") or "")
        return self.create_of(
            CUSTOMERS,
            body,
            lookup=lambda: self.find_customer_by_email(email_address) if email_address else None,
        )

    def update_customer(self, customer_id: int, body: SyncroRequest | dict[str, Any]) -> Customer:
        return self.update_of(CUSTOMERS, customer_id, body)

    def delete_customer(self, customer_id: int) -> str:
        """Syncro deletes a customer without history and archives one with tickets."""
        return self.delete_of(CUSTOMERS, customer_id)

    # --- tickets, leads, users, settings ------------------------------------------------
    def list_tickets(self, **filters: Any) -> list[Ticket]:
        params = {k: v for k, v in filters.items() if v is not None}
        return self.list_all("/tickets", "tickets", Ticket, params)

    def get_ticket(self, ticket_id: int) -> Ticket:
        return Ticket.model_validate(self.request("GET", f"/tickets/{ticket_id}")["ticket"])

    def list_leads(self, **filters: Any) -> list[Lead]:
        params = {k: v for k, v in filters.items() if v is not None}
        return self.list_all("/leads", "leads", Lead, params)

    def list_contacts(self, **filters: Any) -> list[Contact]:
        params = {k: v for k, v in filters.items() if v is not None}
        return self.list_all("/contacts", "contacts", Contact, params)

    def user_ids(self) -> list[int]:
        """Every user's id. `GET /users` answers `[[id, full_name], ...]` (the published
        example), without emails: an email costs a `GET /users/{id}`."""
        entries = self.request("GET", "/users").get("users") or []
        return [int(entry[0] if isinstance(entry, list) else entry["id"]) for entry in entries]

    def list_users(self) -> list[User]:
        """Users with their emails: one request per user beyond the list."""
        return [self.get_user(user_id) for user_id in self.user_ids()]

    def get_user(self, user_id: int) -> User:
        return User.model_validate(self.request("GET", f"/users/{user_id}")["user"])

    def me(self) -> dict[str, Any]:
        return self.request("GET", "/me")

    def customer_fields(self) -> list[CustomerField]:
        """The defined customer custom fields, as the public `GET /settings` shows them."""
        settings = self.request("GET", "/settings")
        fields = (settings.get("customers") or {}).get("customer_fields") or []
        return [CustomerField.model_validate(field) for field in fields]

    # --- any collection, generically ----------------------------------------------------
    @staticmethod
    def _body(body: SyncroRequest | dict[str, Any]) -> dict[str, Any]:
        return body.body() if isinstance(body, SyncroRequest) else dict(body)

    def list_of(self, collection: Collection, *, probe: bool = False, **filters: Any) -> list[Any]:
        params = {k: v for k, v in filters.items() if v is not None}
        return self.list_all(
            collection.path,
            collection.plural,
            collection.model,
            params,
            admin=collection.admin,
            probe=probe,
        )

    def get_of(self, collection: Collection, object_id: int) -> Any:
        answer = self.request("GET", f"{collection.path}/{object_id}", admin=collection.admin)
        return collection.parse(answer)

    def create_of(
        self,
        collection: Collection,
        body: SyncroRequest | dict[str, Any],
        *,
        lookup: Callable[[], Any | None],
    ) -> Any:
        return self.create(
            collection.path,
            self._body(body),
            lookup=lookup,
            parse=collection.parse,
            admin=collection.admin,
        )

    def update_of(
        self, collection: Collection, object_id: int, body: SyncroRequest | dict[str, Any]
    ) -> Any:
        answer = self.request(
            "PUT", f"{collection.path}/{object_id}", body=self._body(body), admin=collection.admin
        )
        return collection.parse(answer)

    def delete_of(self, collection: Collection, object_id: int) -> str:
        answer = self.request("DELETE", f"{collection.path}/{object_id}", admin=collection.admin)
        return message_of(answer)

    # --- the UI-only objects (admin surface), by collection name ------------------------
    @staticmethod
    def _admin(name: str) -> Collection:
        if name not in ADMIN_COLLECTIONS:
            raise ValueError(
                f"unknown admin collection {name!r}; known: {sorted(ADMIN_COLLECTIONS)}"
            )
        return ADMIN_COLLECTIONS[name]

    def admin_list(self, name: str) -> list[Any]:
        return self.list_of(self._admin(name))

    def admin_get(self, name: str, object_id: int) -> Any:
        return self.get_of(self._admin(name), object_id)

    def admin_create(
        self, name: str, body: dict[str, Any], *, lookup: Callable[[], Any | None]
    ) -> Any:
        return self.create_of(self._admin(name), body, lookup=lookup)

    def admin_update(self, name: str, object_id: int, body: dict[str, Any]) -> Any:
        return self.update_of(self._admin(name), object_id, body)

    def admin_delete(self, name: str, object_id: int) -> None:
        self.delete_of(self._admin(name), object_id)

    def get_ticket_preferences(self) -> TicketPreferences:
        answer = self.request("GET", "/ticket_preferences", admin=True)
        return TicketPreferences.model_validate(answer["ticket_preferences"])

    def put_ticket_preferences(
        self, body: TicketPreferencesRequest | dict[str, Any]
    ) -> TicketPreferences:
        answer = self.request("PUT", "/ticket_preferences", body=self._body(body), admin=True)
        return TicketPreferences.model_validate(answer["ticket_preferences"])
