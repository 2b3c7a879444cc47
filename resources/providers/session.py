"""One provider process's view of one Syncro connection: the client and typed caches.

`pulumi refresh` reads every resource and `create` looks for an object to adopt
first: one paged list per collection serves them all, instead of one GET per
resource (Syncro allows 180 requests a minute per IP). A provider process lives
for one deployment, so the caches are as fresh as the run: our own writes are
applied to them (`remember`, `drop`), and a response lost in flight is settled by
listing again (`forget`). An expiry would only re-read what we already know, more
often the longer a big run lasts.

Nothing here is pickled into state: sessions are built inside the provider
process from the connection that `configure()` read from stack config.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from resources.syncro import SyncroAuthError, SyncroClient, SyncroNotFound
from resources.syncro.models import (
    PORTAL_USERS,
    Collection,
    Contact,
    Customer,
    CustomerField,
    Lead,
    PortalUser,
    Ticket,
    User,
)

T = TypeVar("T")


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


class Cache(Generic[T]):
    """One whole collection, loaded on first use and kept true by our own writes."""

    def __init__(self, load: Callable[[], list[T]]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._items: list[T] | None = None

    def all(self) -> list[T]:
        with self._lock:
            if self._items is None:
                self._items = list(self._load())
            return self._items

    @property
    def loaded(self) -> bool:
        return self._items is not None

    def get(self, object_id: int) -> T | None:
        return next((o for o in self.all() if int(o.id) == int(object_id)), None)  # type: ignore[attr-defined]

    def find(self, match: Callable[[T], bool]) -> T | None:
        return next((o for o in self.all() if match(o)), None)

    def forget(self) -> None:
        """Read again on next use: the only way to settle a write whose answer was lost."""
        with self._lock:
            self._items = None

    def remember(self, obj: T) -> None:
        self._replace(int(obj.id), obj)  # type: ignore[attr-defined]

    def drop(self, object_id: int) -> None:
        self._replace(int(object_id), None)

    def _replace(self, object_id: int, obj: T | None) -> None:
        with self._lock:
            if self._items is None:
                return
            items = [o for o in self._items if int(o.id) != object_id]  # type: ignore[attr-defined]
            if obj is not None:
                items.append(obj)
            self._items = items


class UserDirectory:
    """Syncro users by email and by id, each read at most once per session.

    `GET /users` gives ids without emails, so finding the account manager reads users
    one by one until the email matches, and stops there: a run that assigns every
    deliverable to the same two people reads two or three users, not the whole staff.
    """

    def __init__(self, client: SyncroClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._ids: list[int] | None = None
        self._users: dict[int, User] = {}

    def _user(self, user_id: int) -> User:
        if user_id not in self._users:
            self._users[user_id] = self._client.get_user(user_id)
        return self._users[user_id]

    def by_email(self, email: str) -> User | None:
        wanted = email.lower()
        with self._lock:
            found = next((u for u in self._users.values() if u.email.lower() == wanted), None)
            if found is not None:
                return found
            if self._ids is None:
                self._ids = self._client.user_ids()
            for user_id in self._ids:
                user = self._user(user_id)
                if user.email.lower() == wanted:
                    return user
            return None

    def email_of(self, user_id: int) -> str | None:
        with self._lock:
            try:
                return self._user(int(user_id)).email
            except SyncroNotFound:
                return None


class PortalUsers:
    """Every portal user of the account, listed once (`GET /portal_users` without a
    customer filter, 100 a page): `pulumi refresh` checks every main contact's customer
    with one list instead of one request per customer. The list needs Syncro's Global
    Admin permission; a 401 is remembered too, so a token without it asks once."""

    def __init__(self, client: SyncroClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._users: list[PortalUser] | None = None
        self._refused: SyncroAuthError | None = None

    def of_customer(self, customer_id: int) -> list[PortalUser]:
        """This customer's portal users; raises SyncroAuthError without the permission."""
        with self._lock:
            if self._users is None and self._refused is None:
                try:
                    self._users = self._client.list_of(PORTAL_USERS, probe=True)
                except SyncroAuthError as refused:
                    self._refused = refused
            if self._refused is not None:
                raise self._refused
            return [u for u in self._users or [] if u.customer_id == int(customer_id)]


class Session:
    """The client and every cache of one connection, shared by all resources of a process."""

    def __init__(self, client: SyncroClient) -> None:
        self.client = client
        self.customers: Cache[Customer] = Cache(
            lambda: client.list_customers(include_disabled=True)
        )
        self.leads: Cache[Lead] = Cache(client.list_leads)
        # Every contact: when a lead from a rule's domain needs its age, and for refresh
        # of the main contacts (one paged list, not one GET per contact).
        self.contacts: Cache[Contact] = Cache(client.list_contacts)
        self.portal_users = PortalUsers(client)
        self.defined_fields: Cache[CustomerField] = Cache(client.customer_fields)
        self.users = UserDirectory(client)
        self._lock = threading.Lock()
        self._collections: dict[Collection, Cache[Any]] = {}
        self._tickets: dict[int, Cache[Ticket]] = {}
        self._per_customer: dict[tuple[Collection, int], Cache[Any]] = {}
        self._new_customers: set[int] = set()
        self._claims: dict[tuple[str, int], str] = {}

    def collection(self, collection: Collection) -> Cache[Any]:
        with self._lock:
            if collection not in self._collections:
                self._collections[collection] = Cache(lambda: self.client.list_of(collection))
            return self._collections[collection]

    def forget_collections(self) -> None:
        """Read every collection again on next use (tests of out-of-band edits)."""
        with self._lock:
            caches = list(self._collections.values())
        for cache in caches:
            cache.forget()

    def of_customer(self, collection: Collection, customer_id: int) -> Cache[Any]:
        """One customer's objects of a collection listed with `?customer_id=`."""
        key = (collection, int(customer_id))
        with self._lock:
            if key not in self._per_customer:
                self._per_customer[key] = Cache(
                    lambda: self.client.list_of(collection, customer_id=key[1])
                )
            return self._per_customer[key]

    def tickets_of(self, customer_id: int) -> Cache[Ticket]:
        with self._lock:
            key = int(customer_id)
            if key not in self._tickets:
                self._tickets[key] = Cache(lambda: self.client.list_tickets(customer_id=key))
            return self._tickets[key]

    def note_new_customer(self, customer_id: int) -> None:
        """Syncro has just handed out this id to a customer we created."""
        with self._lock:
            self._new_customers.add(int(customer_id))

    def is_new_customer(self, customer_id: Any) -> bool:
        """True for a customer this process created: nothing else can refer to it yet."""
        if not isinstance(customer_id, int | float):  # unknown, or None in runbook mode
            return False
        with self._lock:
            return int(customer_id) in self._new_customers

    def claim(self, plural: str, object_id: int, owner: str) -> None:
        """A create of this run wrote or adopted this object: `owner` has it now."""
        with self._lock:
            self._claims[(plural, int(object_id))] = owner

    def claimed_by(self, plural: str, object_id: int) -> str | None:
        """Who claimed this object in this run, if anyone: no delete may remove it."""
        with self._lock:
            return self._claims.get((plural, int(object_id)))

    def customer(self, customer_id: int) -> Customer | None:
        """One customer, from the run's list when it has one, else by id."""
        found = self.customers.get(int(customer_id)) if self.customers.loaded else None
        if found is not None:
            return found
        try:
            return self.client.get_customer(int(customer_id))
        except SyncroNotFound:
            return None


_sessions: dict[Connection, Session] = {}
_sessions_lock = threading.Lock()


def forget_sessions() -> None:
    """Start again with empty caches (tests: a new emulator may get a freed port, so
    an equal Connection would otherwise find the previous emulator's lists)."""
    with _sessions_lock:
        _sessions.clear()


def session_for(connection: Connection) -> Session:
    """One session per provider process and connection, so all resources share one pacer."""
    with _sessions_lock:
        session = _sessions.get(connection)
        if session is None:
            client = SyncroClient(
                connection.base_url,
                connection.token,
                requests_per_minute=connection.requests_per_minute,
            )
            session = _sessions[connection] = Session(client)
        return session
