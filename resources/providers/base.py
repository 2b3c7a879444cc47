"""What every Syncro dynamic provider shares: connection, partial diff, admin-mode handling.

Providers stay thin: they map Pulumi's check/diff/create/read/update/delete onto
the client and hold no business rules (those live in resources/catalog.py and
resources/domain.py). Nothing here captures a token or a client: the provider
object is pickled into state for every resource, so the connection is read from
stack config in `configure()` inside the provider process, and the client is
built lazily and shared by every resource of that process (one pacer per process
keeps the whole run under Syncro's 180 requests/minute).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from resources.syncro import SyncroClient, SyncroNotFound

# What the engine sends for a value it cannot know during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

ADMIN_MODES = ("api", "runbook")
RUNBOOK_ID_PREFIX = "runbook:"


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Syncro, read from the stack's `syncro:` config."""

    base_url: str
    token: str
    requests_per_minute: float

    @classmethod
    def from_config(cls, get: Callable[[str], Any]) -> Connection:
        base_url = get("syncro:baseUrl")
        token = get("syncro:apiToken")
        if not base_url:
            raise ValueError(
                "stack config syncro:baseUrl is not set. Fix: "
                "pulumi config set syncro:baseUrl https://<subdomain>.syncromsp.com/api/v1"
            )
        if not token:
            raise ValueError(
                "stack config syncro:apiToken is not set. Fix: "
                "pulumi config set --secret syncro:apiToken <token>"
            )
        rpm = float(get("syncro:requestsPerMinute") or 170)
        return cls(base_url=str(base_url), token=str(token), requests_per_minute=rpm)

    def __repr__(self) -> str:  # the token never reaches a log line
        return f"Connection(base_url={self.base_url!r}, rpm={self.requests_per_minute})"


_clients: dict[Connection, SyncroClient] = {}
_clients_lock = threading.Lock()


def client_for(connection: Connection) -> SyncroClient:
    """One client per provider process and connection, so all resources share one pacer."""
    with _clients_lock:
        client = _clients.get(connection)
        if client is None:
            client = SyncroClient(
                connection.base_url,
                connection.token,
                requests_per_minute=connection.requests_per_minute,
            )
            _clients[connection] = client
        return client


class Listing:
    """A read-through cache of whole collections, loaded once per provider process.

    `pulumi refresh` reads every resource and `create` looks for an object to
    adopt first: one paged list per collection serves them all, instead of one
    GET per resource (Syncro allows 180 requests a minute per IP). A provider
    process lives for one deployment, so the lists are as fresh as the run:
    our own writes are applied to them (`remember`, `drop`), and a response
    lost in flight is settled by listing again (`AdminObjectProvider.find_fresh`).
    An expiry would only re-read what we already know, more often the longer a
    big run lasts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[int, str], list[Any]] = {}
        self._new_customers: set[tuple[int, int]] = set()

    @staticmethod
    def _load(client: SyncroClient, kind: str) -> list[Any]:
        if kind == "customers":
            return client.list_customers(include_disabled=True)
        if kind == "leads":
            return client.list_leads()
        if kind == "contacts":  # every contact: the evidence rule needs their created_at
            return client.list_contacts()
        if kind == "defined_fields":  # the public view of custom field definitions
            return client.customer_fields()
        if kind.startswith("tickets:"):
            return client.list_tickets(customer_id=int(kind.split(":", 1)[1]))
        return client.admin_list(kind)

    def all(self, client: SyncroClient, kind: str) -> list[Any]:
        key = (id(client), kind)
        with self._lock:
            if key not in self._items:
                self._items[key] = self._load(client, kind)
            return self._items[key]

    def get(self, client: SyncroClient, kind: str, object_id: int) -> Any | None:
        return next((obj for obj in self.all(client, kind) if int(obj.id) == int(object_id)), None)

    def note_new_customer(self, client: SyncroClient, customer_id: int) -> None:
        """Syncro has just handed out this id to a customer we created."""
        with self._lock:
            self._new_customers.add((id(client), int(customer_id)))

    def is_new_customer(self, client: SyncroClient, customer_id: Any) -> bool:
        """True for a customer this process created: nothing else can refer to it yet."""
        if not isinstance(customer_id, int | float):  # unknown, or None in runbook mode
            return False
        with self._lock:
            return (id(client), int(customer_id)) in self._new_customers

    def forget(self, client: SyncroClient, kind: str) -> None:
        with self._lock:
            self._items.pop((id(client), kind), None)

    def remember(self, client: SyncroClient, kind: str, obj: Any) -> None:
        """Keep a cached list true after our own write, instead of listing again."""
        self._replace(client, kind, int(obj.id), obj)

    def drop(self, client: SyncroClient, kind: str, object_id: int) -> None:
        self._replace(client, kind, int(object_id), None)

    def _replace(self, client: SyncroClient, kind: str, object_id: int, obj: Any) -> None:
        with self._lock:
            cached = self._items.get((id(client), kind))
            if cached is None:
                return
            items = [item for item in cached if int(item.id) != object_id]
            if obj is not None:
                items.append(obj)
            self._items[(id(client), kind)] = items


listing = Listing()


class UserDirectory:
    """Syncro users by email and by id, each read at most once per provider process.

    `GET /users` gives ids without emails, so finding the account manager reads users
    one by one until the email matches, and stops there: a run that assigns every
    deliverable to the same two people reads two or three users, not the whole staff.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[int, list[int]] = {}
        self._users: dict[tuple[int, int], Any] = {}

    def _user(self, client: SyncroClient, user_id: int) -> Any:
        key = (id(client), user_id)
        if key not in self._users:
            self._users[key] = client.get_user(user_id)
        return self._users[key]

    def by_email(self, client: SyncroClient, email: str) -> Any | None:
        with self._lock:
            known = [u for (c, _), u in self._users.items() if c == id(client)]
            found = next((u for u in known if u.email.lower() == email.lower()), None)
            if found is not None:
                return found
            if id(client) not in self._ids:
                self._ids[id(client)] = client.user_ids()
            for user_id in self._ids[id(client)]:
                user = self._user(client, user_id)
                if user.email.lower() == email.lower():
                    return user
            return None

    def email_of(self, client: SyncroClient, user_id: int) -> str | None:
        with self._lock:
            try:
                return self._user(client, int(user_id)).email
            except SyncroNotFound:
                return None


users = UserDirectory()


class SyncroProvider(ResourceProvider):
    """Base provider: config in configure(), no I/O in check/diff, diff over managed keys."""

    # The serialized provider carries no secret (config is read at run time), so it
    # need not be encrypted into every resource's state.
    serialize_as_secret_always = False

    managed: ClassVar[tuple[str, ...]] = ()
    """Input keys this provider owns; diff compares only these (no perpetual diffs)."""

    replace_on: ClassVar[tuple[str, ...]] = ()
    """Input keys whose change means a different Syncro object."""

    required: ClassVar[tuple[str, ...]] = ()

    def configure(self, req: ConfigureRequest) -> None:
        self._connection = Connection.from_config(req.config.get)

    @property
    def client(self) -> SyncroClient:
        return client_for(self._connection)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [
            CheckFailure(key, f"{key} is required")
            for key in self.required
            if news.get(key) in (None, "", [])
        ]
        mode = news.get("admin_mode")
        if "admin_mode" in self.managed and not is_unknown(mode) and mode not in ADMIN_MODES:
            failures.append(
                CheckFailure("admin_mode", f"admin_mode {mode!r} must be 'api' or 'runbook'")
            )
        return CheckResult(news, failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in self.managed if olds.get(key) != news.get(key)]
        replaces = [key for key in changed if key in self.replace_on]
        return DiffResult(changes=bool(changed), replaces=replaces)


class AdminObjectProvider(SyncroProvider):
    """An object Syncro keeps only in its web UI (email rules, recurring tickets, ...).

    `admin_mode: api` writes it through the admin surface (the emulator's, or a
    Syncro that gains such endpoints). `admin_mode: runbook` writes nothing: the
    object is recorded as `pending`, the runbook tells a person what to type, and
    `read` (refresh) flips it to `verified` once the public API shows its effect.
    """

    kind: ClassVar[str]
    """The admin collection, e.g. "email_rules"."""

    deletes_remote: ClassVar[bool] = True
    """False for shared settings that must outlive the stack (mailbox, preferences)."""

    # --- the four things a concrete provider says -------------------------------------
    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The admin object to write for these inputs."""
        raise NotImplementedError

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        """Whether an existing admin object is this resource (for adoption and lost POSTs)."""
        raise NotImplementedError

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        """The managed inputs as Syncro now has them (drift shows up in the next diff)."""
        raise NotImplementedError

    def verify(self, props: Mapping[str, Any]) -> tuple[str, int | None]:
        """Runbook mode: ("verified", id) when the public API shows the object works."""
        return "pending", None

    def evidence(self, props: Mapping[str, Any]) -> tuple[str, int | None, str | None]:
        """Runbook mode: (status, id, what proved it); by default `verify` says no more."""
        status, found = self.verify(props)
        return status, found, None

    def _runbook_outs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        status, found, proof = self.evidence(props)
        return {**props, "status": status, "syncro_id": found, "evidence": proof}

    # --- lifecycle ----------------------------------------------------------------------
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        # A runbook placeholder that moves to api mode becomes a real object.
        if id_.startswith(RUNBOOK_ID_PREFIX) and news.get("admin_mode") == "api":
            return DiffResult(changes=True, replaces=["admin_mode"])
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props["admin_mode"] == "runbook":
            # A person may have typed the object in already, unless its customer was
            # created by this very run; `refresh` verifies later in any case.
            if listing.is_new_customer(self.client, props.get("customer_id")):
                outs = {**props, "status": "pending", "syncro_id": None, "evidence": None}
            else:
                outs = self._runbook_outs(props)
            return CreateResult(
                id_=f"{RUNBOOK_ID_PREFIX}{self.kind}:{self.runbook_key(props)}", outs=outs
            )
        body = self.body(props)
        existing = self.find(props)
        if existing is not None:
            obj = self.client.admin_update(self.kind, existing.id, body)
        else:
            obj = self.client.admin_create(self.kind, body, lookup=lambda: self.find_fresh(props))
        listing.remember(self.client, self.kind, obj)
        return CreateResult(
            id_=str(obj.id), outs={**props, "status": "applied", "syncro_id": obj.id}
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get("admin_mode") == "runbook" or id_.startswith(RUNBOOK_ID_PREFIX):
            return ReadResult(id_=id_, outs=self._runbook_outs(props))
        obj = listing.get(self.client, self.kind, int(id_))
        if obj is None:
            return ReadResult(id_=None, outs={})  # deleted out of band: up recreates it
        return ReadResult(id_=id_, outs={**props, **self.observed(obj, props)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news["admin_mode"] == "runbook":
            return UpdateResult(outs=self._runbook_outs(news))
        obj = self.client.admin_update(self.kind, int(id_), self.body(news))
        listing.remember(self.client, self.kind, obj)
        return UpdateResult(outs={**news, "status": "applied", "syncro_id": obj.id})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if id_.startswith(RUNBOOK_ID_PREFIX) or not self.deletes_remote:
            return
        if props.get("admin_mode") == "runbook":
            return  # made by a person from the runbook: a person removes it
        with contextlib.suppress(SyncroNotFound):  # already gone: delete's goal is met
            self.client.admin_delete(self.kind, int(id_))
        listing.drop(self.client, self.kind, int(id_))

    # --- helpers ------------------------------------------------------------------------
    def runbook_key(self, props: Mapping[str, Any]) -> str:
        return str(props.get("name") or props.get("sender") or props.get("subject") or "singleton")

    def find(self, props: Mapping[str, Any]) -> Any | None:
        """The existing object to adopt, if any. A customer this run has just created
        can have none: that needs no list (the usual case when onboarding)."""
        if listing.is_new_customer(self.client, props.get("customer_id")):
            return None
        return self._match(props)

    def find_fresh(self, props: Mapping[str, Any]) -> Any | None:
        """After a POST whose outcome is unknown, only an uncached list can tell."""
        listing.forget(self.client, self.kind)
        return self._match(props)

    def _match(self, props: Mapping[str, Any]) -> Any | None:
        return next(
            (obj for obj in listing.all(self.client, self.kind) if self.same_object(obj, props)),
            None,
        )
