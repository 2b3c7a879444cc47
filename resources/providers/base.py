"""What every Syncro dynamic provider shares: connection, check and diff from the
object's declaration, and the two ways an object comes to exist.

Providers stay thin: they map Pulumi's check/diff/create/read/update/delete onto
the client and hold no business rules (those live in resources/catalog.py and
resources/domain.py). Nothing here captures a token or a client: the provider
object is pickled into state for every resource, so the connection is read from
stack config in `configure()` inside the provider process, and the session
(client and caches) is built lazily and shared by every resource of that process
(one pacer per process keeps the whole run under Syncro's 180 requests/minute).

An object Syncro keeps only in its web UI is handled by one of two strategies:
`WRITE_THROUGH_API` (the admin surface: the emulator's, or a Syncro that gains such
endpoints) or `RECORD_FOR_RUNBOOK` (nothing written: the object is recorded as
`pending`, the runbook tells a person what to type, and `read` (refresh) flips it to
`verified` once the public API shows its effect). Objects of Syncro's public API
are always written through it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import pulumi
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

from resources.catalog import ADMIN_MODES
from resources.objects.base import RUNBOOK_ID_PREFIX, ObjectType, Status
from resources.providers.ownership import check_customer_of
from resources.providers.session import Connection, Session, session_for
from resources.syncro import SyncroClient, SyncroNotFound
from resources.syncro.models import SyncroRequest

# What the engine sends for a value it cannot know during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


__all__ = [
    "ADMIN_MODES",
    "RUNBOOK_ID_PREFIX",
    "UNKNOWN",
    "AdminObjectProvider",
    "Connection",
    "SyncroProvider",
    "is_unknown",
]


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN


class SyncroProvider(ResourceProvider):
    """Base provider: config in configure(), no I/O in check/diff, diff over managed keys."""

    # The serialized provider carries no secret (config is read at run time), so it
    # need not be encrypted into every resource's state.
    serialize_as_secret_always = False

    declaration: ClassVar[ObjectType]

    def configure(self, req: ConfigureRequest) -> None:
        self._connection = Connection.from_config(req.config.get)

    @property
    def session(self) -> Session:
        return session_for(self._connection)

    @property
    def client(self) -> SyncroClient:
        return self.session.client

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [
            CheckFailure(key, f"{key} is required")
            for key in self.declaration.required
            if news.get(key) in (None, "", [])
        ]
        mode = news.get("admin_mode")
        if (
            "admin_mode" in self.declaration.managed
            and not is_unknown(mode)
            and mode not in ADMIN_MODES
        ):
            failures.append(
                CheckFailure("admin_mode", f"admin_mode {mode!r} must be 'api' or 'runbook'")
            )
        return CheckResult(news, failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in self.declaration.managed if olds.get(key) != news.get(key)]
        replaces = [key for key in changed if key in self.declaration.replace_on]
        if changed:
            self._say_what_changed(id_, olds, news, changed)
        return DiffResult(changes=bool(changed), replaces=replaces)

    def _say_what_changed(
        self, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> None:
        """Old -> new per property, shown under the resource in preview and up.

        The 3.188 SDK's DiffResult has no detailed diff, and after a refresh the engine
        compares inputs with inputs, so drift read back (a rule edited by hand) would show
        as a bare "~ update". Secrets are named, never valued; unknowns say so."""

        def shown(key: str, value: Any) -> str:
            if key in self.declaration.secret:
                return "(secret)"
            return "(known after up)" if is_unknown(value) else repr(value)[:80]

        said = "; ".join(
            f"{key}: {shown(key, olds.get(key))} -> {shown(key, news.get(key))}" for key in changed
        )
        with contextlib.suppress(Exception):  # outside the engine (tests) there is no log
            pulumi.log.info(f"{self.declaration.name} {id_}: {said}")


class Strategy(Protocol):
    """How an object comes to exist: written through the API, or recorded for a person."""

    def create(self, p: AdminObjectProvider, props: dict[str, Any]) -> CreateResult: ...
    def read(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> ReadResult: ...
    def update(self, p: AdminObjectProvider, id_: str, news: dict[str, Any]) -> UpdateResult: ...
    def delete(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> None: ...


class WriteThroughApi:
    """Write the object, adopting one that already exists; read it back on refresh."""

    def create(self, p: AdminObjectProvider, props: dict[str, Any]) -> CreateResult:
        id_, outs = p.api_create(props)
        return CreateResult(id_=id_, outs={**props, "status": Status.APPLIED.value, **outs})

    def read(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> ReadResult:
        observed = p.api_read(id_, props)
        if observed is None:
            return ReadResult(id_=None, outs={})  # deleted out of band: up recreates it
        return ReadResult(id_=id_, outs={**props, **observed})

    def update(self, p: AdminObjectProvider, id_: str, news: dict[str, Any]) -> UpdateResult:
        outs = p.api_update(id_, news)
        return UpdateResult(outs={**news, "status": Status.APPLIED.value, **outs})

    def delete(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> None:
        if p.declaration.deletes_remote:
            p.api_delete(id_, props)


class RecordForRunbook:
    """Write nothing: record the object as pending for the runbook, verify on refresh."""

    def _outs(
        self, p: AdminObjectProvider, props: dict[str, Any], status: Status, found: int | None
    ) -> dict[str, Any]:
        outs = {**props, "status": status.value}
        if "syncro_id" in p.declaration.outputs:
            outs["syncro_id"] = found
        if "evidence" in p.declaration.outputs:  # what proved it (contract 4)
            outs["evidence"] = p.proof(props) if status is Status.VERIFIED else None
        return outs

    def create(self, p: AdminObjectProvider, props: dict[str, Any]) -> CreateResult:
        p.check_public(props)
        # A person may have typed the object in already, unless its customer was
        # created by this very run; `refresh` verifies later in any case.
        if p.session.is_new_customer(props.get("customer_id")):
            status, found = Status.PENDING, None
        else:
            status, found = p.verify(props)
        return CreateResult(id_=p.runbook_id(props), outs=self._outs(p, props, status, found))

    def read(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> ReadResult:
        status, found = p.verify(props)
        return ReadResult(id_=id_, outs=self._outs(p, props, status, found))

    def update(self, p: AdminObjectProvider, id_: str, news: dict[str, Any]) -> UpdateResult:
        p.check_public(news)
        status, found = p.verify(news)
        return UpdateResult(outs=self._outs(p, news, status, found))

    def delete(self, p: AdminObjectProvider, id_: str, props: dict[str, Any]) -> None:
        """Made by a person from the runbook: a person removes it."""


WRITE_THROUGH_API = WriteThroughApi()
RECORD_FOR_RUNBOOK = RecordForRunbook()


def strategy_for(declaration: ObjectType, id_: str | None, props: Mapping[str, Any]) -> Strategy:
    """Public API objects are always written; UI-only ones as the admin mode says."""
    if declaration.public_api:
        return WRITE_THROUGH_API
    if (id_ or "").startswith(RUNBOOK_ID_PREFIX) or props.get("admin_mode") == "runbook":
        return RECORD_FOR_RUNBOOK
    return WRITE_THROUGH_API


class AdminObjectProvider(SyncroProvider):
    """An object Syncro keeps only in its web UI (email rules, recurring tickets, ...).

    A concrete provider says what its declaration cannot: the request body, which
    existing object is this resource, what Syncro now has of its managed inputs,
    and (runbook mode) how the public API shows that it works.
    """

    # --- what a concrete provider says ----------------------------------------------------
    def body(self, props: Mapping[str, Any]) -> SyncroRequest:
        """The object to write for these inputs."""
        raise NotImplementedError

    identified_by: tuple[str, ...] = ()
    """The inputs an existing object must equal to be this resource (see same_object)."""

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        """Whether an existing object is this resource (for adoption and lost POSTs):
        by default, its `identified_by` attributes equal those inputs."""
        if not self.identified_by:
            raise NotImplementedError
        return all(getattr(obj, name) == props.get(name) for name in self.identified_by)

    echoed: tuple[str, ...] = ()
    """Managed inputs Syncro answers as they are, under the same name (see observed)."""

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        """The managed inputs as Syncro now has them (drift shows up in the next diff):
        by default the `echoed` attributes; a provider adds what it must convert."""
        return {name: getattr(obj, name) for name in self.echoed}

    def verify(self, props: Mapping[str, Any]) -> tuple[Status, int | None]:
        """Runbook mode: (VERIFIED, id) when the public API shows the object works."""
        return Status.PENDING, None

    def owned_elsewhere(self, obj: Any, props: Mapping[str, Any]) -> str | None:
        """Why Syncro shows this object is no longer this resource's (None: it is)."""
        return None

    def check_public(self, props: Mapping[str, Any]) -> None:
        """Runbook mode, before recording: what the public API can check (the same
        checks as api mode, so no runbook step names what does not exist)."""

    def proof(self, props: Mapping[str, Any]) -> str | None:
        """Runbook mode, after `verify` said VERIFIED: what the API showed, in words."""
        return None

    # --- lifecycle: the strategy decides --------------------------------------------------
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A runbook placeholder that moves to api mode becomes a real object.
        if id_.startswith(RUNBOOK_ID_PREFIX) and news.get("admin_mode") == "api":
            return DiffResult(changes=True, replaces=["admin_mode"])
        return super().diff(id_, olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return strategy_for(self.declaration, None, props).create(self, props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return strategy_for(self.declaration, id_, props).read(self, id_, props)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return strategy_for(self.declaration, id_, news).update(self, id_, news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        strategy_for(self.declaration, id_, props).delete(self, id_, props)

    def runbook_id(self, props: Mapping[str, Any]) -> str:
        return self.declaration.runbook_id(props)

    # --- the API side, over the declared collection ---------------------------------------
    @property
    def _cache(self):  # noqa: ANN202 - a Cache of the declaration's response model
        assert self.declaration.collection is not None
        return self.session.collection(self.declaration.collection)

    def api_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        collection = self.declaration.collection
        assert collection is not None
        check_customer_of(self.session, props, self._label(props))
        body = self.body(props)
        existing = self.find(props)
        if existing is not None:
            obj = self.client.update_of(collection, existing.id, body)
        else:
            obj = self.client.create_of(collection, body, lookup=lambda: self.find_fresh(props))
        self._cache.remember(obj)
        # Whatever this run wrote or adopted, no delete of this run may remove.
        self.session.claim(collection.plural, obj.id, self._label(props))
        return str(obj.id), {"syncro_id": obj.id}

    def api_read(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        obj = self._cache.get(int(id_))
        return None if obj is None else self.observed(obj, props)

    def api_update(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        assert self.declaration.collection is not None
        check_customer_of(self.session, props, self._label(props))
        obj = self.client.update_of(self.declaration.collection, int(id_), self.body(props))
        self._cache.remember(obj)
        return {"syncro_id": obj.id}

    def api_delete(self, id_: str, props: Mapping[str, Any]) -> None:
        """Delete, unless another resource of the stack has the object now."""
        collection = self.declaration.collection
        assert collection is not None
        obj = self._cache.get(int(id_))
        if obj is None:
            return  # already gone: delete's goal is met
        owner = self.session.claimed_by(collection.plural, int(id_))
        if owner not in (None, self._label(props)):
            reason: str | None = f"{owner} took it over in this run"
        else:
            reason = self.owned_elsewhere(obj, props)
        if reason:
            pulumi.log.warn(
                f"{self._label(props)}: left {collection.singular} #{id_} in Syncro "
                f"({reason}); only this resource's record in the stack is gone."
            )
            return
        with contextlib.suppress(SyncroNotFound):
            self.client.delete_of(collection, int(id_))
        self._cache.drop(int(id_))

    def _label(self, props: Mapping[str, Any]) -> str:
        """How messages name this resource: its type and runbook key."""
        key = props[self.declaration.runbook_key] if self.declaration.runbook_key else ""
        client = f"{props['client_id']} " if props.get("client_id") else ""
        return f"{client}{self.declaration.name} {key}".strip()

    def find(self, props: Mapping[str, Any]) -> Any | None:
        """The existing object to adopt, if any. A customer this run has just created
        can have none: that needs no list (the usual case when onboarding)."""
        if self.session.is_new_customer(props.get("customer_id")):
            return None
        return self._cache.find(lambda obj: self.same_object(obj, props))

    def find_fresh(self, props: Mapping[str, Any]) -> Any | None:
        """After a POST whose outcome is unknown, only an uncached list can tell."""
        self._cache.forget()
        return self._cache.find(lambda obj: self.same_object(obj, props))
