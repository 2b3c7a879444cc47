"""What every object kind shares: its declaration, the errors it raises, the one upsert.

A kind module (`emulator/kinds/<kind>.py`) holds that kind's validation, quirks and
object shape. It knows nothing of HTTP: it raises `Missing` or `Invalid` and returns
plain records; `emulator.shapes` turns them into Syncro's envelopes and error bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from emulator.model import Syncro
    from emulator.store import Store

# public: Syncro's published API; ui: UI-only objects (the admin surface and the person's);
# person: only what a person does in the UI (the person's surface alone).
Surface = Literal["public", "ui", "person"]
Operation = Literal["list", "create", "read", "update", "delete"]
Query = Mapping[str, Any]
GetList = Callable[[str], list[str]]
CRUD: tuple[Operation, ...] = ("list", "create", "read", "update", "delete")

# Syncro's email validation rejects bare domains ("acme.com") and anything without a
# dotted host; the emulator uses one pragmatic pattern for customers, contacts and leads.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
# SQLite stores ids as signed 64-bit integers: a larger number can name no object.
MAX_ID = 2**63 - 1
ASCII_INT_RE = re.compile(r"^-?[0-9]+$")


class Rendered(Sequence[dict[str, Any]]):
    """Listed records in their API shape, each shaped only when a page takes it: a list of
    500 customers shapes the 25 a request returns, not all 500 for every page."""

    def __init__(
        self, records: list[dict[str, Any]], shape: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> None:
        self._records = records
        self._shape = shape

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - Sequence's int-or-slice protocol
        if isinstance(index, slice):
            return [self._shape(r) for r in self._records[index]]
        return self._shape(self._records[index])


class Missing(Exception):
    """The object (or one it needs) does not exist: the HTTP layer answers 404.

    `message` names what is missing where the resource's 404 says so."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "Not found")
        self.message = message


class Invalid(Exception):
    """Validation failed: the HTTP layer renders `messages` in the kind's 422 shape.

    `record` is the object as it would have been stored (contacts echo it);
    `reference` marks a missing required reference (tickets answer those differently).
    """

    def __init__(
        self,
        messages: list[str] | str,
        record: dict[str, Any] | None = None,
        reference: bool = False,
    ) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))
        self.record = record
        self.reference = reference


def is_email(value: Any) -> bool:
    """True for a syntactically valid address (a bare domain is not one)."""
    return isinstance(value, str) and bool(EMAIL_RE.match(value.strip()))


def as_int(value: Any) -> int | None:
    """Query and body ids arrive as strings or numbers; anything else is no id.

    Only ASCII digits count (`int('¹')` would raise, `int('٤')` would pass), and a number
    beyond SQLite's integer range is no id either (it could never have been assigned).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -MAX_ID <= value <= MAX_ID else None
    if isinstance(value, str) and ASCII_INT_RE.match(value.strip()):
        number = int(value.strip())
        return number if -MAX_ID <= number <= MAX_ID else None
    return None


def as_bool(value: Any) -> bool:
    """Rails-style truthiness for form and JSON booleans ("true", "1", true)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def id_list(getlist: GetList, key: str) -> set[int]:
    """`id=1&id=2`, `id[]=1`, or `id=1,2`: every spec version's shape of an id filter."""
    raw = list(getlist(key)) + list(getlist(f"{key}[]"))
    ids: set[int] = set()
    for item in raw:
        for part in str(item).split(","):
            number = as_int(part)
            if number is not None:
                ids.add(number)
    return ids


def blank(value: Any) -> bool:
    """None, a non-string or an all-space string."""
    return not isinstance(value, str) or not value.strip()


class Kind:
    """One Syncro object kind. Subclasses set the class attributes and override the
    operations they support; the HTTP routes are generated from these declarations."""

    name: ClassVar[str]  # plural: store kind, URL segment, list envelope key
    singular: ClassVar[str]  # envelope key of one object
    surface: ClassVar[Surface] = "public"
    id_base: ClassVar[int]
    operations: ClassVar[tuple[Operation, ...]] = CRUD
    # Keys a create or update may set, with their defaults on create.
    writable: ClassVar[dict[str, Any]] = {}
    timestamps: ClassVar[bool] = False
    # Syncro's "Global Admin" permission: the read-only token's user is refused (401).
    admin_only: ClassVar[bool] = False
    # Other id sequences the kind owns (ticket numbers, comments), with their first value.
    sequences: ClassVar[dict[str, int]] = {}

    def __init__(self, account: Syncro) -> None:
        self.account = account

    @property
    def singular_title(self) -> str:
        """`policy_folder` -> `Policy folder` (as Syncro's messages name it)."""
        return self.singular.replace("_", " ").capitalize()

    @property
    def store(self) -> Store:
        """The account's store."""
        return self.account.store

    # -- the operations (override what the kind supports) ----------------------------

    def out(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as Syncro shows it."""
        return dict(record)

    def get(self, obj_id: int) -> dict[str, Any]:
        """The stored record, or Missing."""
        found = self.store.get(self.name, obj_id)
        if not found:
            raise Missing()
        return found

    def list(self, query: Query, getlist: GetList) -> Sequence[dict[str, Any]]:
        """Every record in its shown shape, filtered (the HTTP layer pages)."""
        return [self.out(r) for r in self.store.all(self.name)]

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new record."""
        return self.upsert(None, body)

    def update(self, obj_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Given fields replace."""
        return self.upsert(obj_id, body)

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Remove the record; returns what was removed."""
        with self.store.tx():
            current = self.get(obj_id)
            self.store.delete(self.name, obj_id)
        return current

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Validate and normalise `data` in place (raise Invalid)."""

    # -- checks several kinds share ------------------------------------------------

    def unique_name(self, data: dict[str, Any], current: dict[str, Any] | None) -> str:
        """The stripped `name`: required, and unique within the kind (case-insensitive)."""
        name = data["name"].strip() if isinstance(data.get("name"), str) else ""
        if not name:
            raise Invalid("Name can't be blank")
        own_id = current["id"] if current else None
        if any(
            other["name"].lower() == name.lower() and other["id"] != own_id
            for other in self.store.all(self.name)
        ):
            raise Invalid("Name has already been taken")
        data["name"] = name
        return name

    def delete_unless_used(self, obj_id: int, used_by: str, field: str, refusal: str) -> dict:
        """Delete, refused while any `used_by` object points at this one through `field`."""
        with self.store.tx():
            current = self.get(obj_id)
            if any(other.get(field) == obj_id for other in self.store.all(used_by)):
                raise Invalid(refusal)
            self.store.delete(self.name, obj_id)
        return current

    def of_customer(self, items: list[dict[str, Any]], q: Query) -> list[dict[str, Any]]:
        """The `customer_id` filter of a list (no filter when the parameter is absent)."""
        if q.get("customer_id") in (None, ""):
            return items
        wanted = as_int(q.get("customer_id"))
        return [item for item in items if item.get("customer_id") == wanted]

    # -- the one load-copy-validate-save ---------------------------------------------

    def upsert(self, obj_id: int | None, body: Mapping[str, Any]) -> dict[str, Any]:
        """Load (or start from the defaults), copy the given writable keys, check, save."""
        with self.store.tx():
            current = self.get(obj_id) if obj_id is not None else None
            if current is None:
                data = {k: body.get(k, default) for k, default in self.writable.items()}
                data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
            else:
                data = dict(current)
                data.update({k: body[k] for k in self.writable if k in body})
            self.check(data, current, dict(body))
            if self.timestamps:
                now = self.account.now()
                data["updated_at"] = now
                if current is None:
                    data.setdefault("created_at", now)
            if current is None:
                return self.store.insert(self.name, data)
            self.store.put(self.name, data)
            return data
