"""What a Syncro object kind is, declared once: the descriptor every layer derives from.

An `ObjectType` names the resource type, lists its inputs (which the provider
manages, which force a replacement, which are secret, which are required), its
outputs, the client `Collection` it lives in, whether it goes through Syncro's
public API in both admin modes, and how its runbook id and status key are built.
From it come the Resource wrapper (`resource_class`), the provider's check and
diff (`resources/providers/base.py`) and the component wiring (`register`), so an
object kind is one declaration plus its own behaviour (body, match, observed
values, verification), in one module under resources/objects/.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

from resources.syncro.models import Collection


class Status(StrEnum):
    """What the program knows of one object (contract 4; exported as plain strings)."""

    PENDING = "pending"  # not done yet, or done but not visible through the API
    APPLIED = "applied"  # written through the API by this program
    VERIFIED = "verified"  # seen working through Syncro's public API
    CONFIRMED = "confirmed"  # a person confirmed what the API cannot show
    PENDING_REMOVAL = "pending-removal"  # gone from the files, still in Syncro


def status_key(prefix: str, *parts: str) -> str:
    """The one way to spell a status key: `rule:CS-0042:smithlaw.com`, `mailbox`, ...

    Keys (contract 4): organization, rule:<CID>:<domain>, deliverable:<CID>:<key>,
    policy:<CID>, contract:<CID>, contact:<CID>, field:<name>, mailbox, preferences,
    automation:<kind>.
    """
    return ":".join((prefix, *parts))


RUNBOOK_ID_PREFIX = "runbook:"


@dataclass(frozen=True)
class Input:
    """One input property of a resource."""

    name: str
    managed: bool = True
    """Diff compares it (unmanaged inputs are carried for the policy pack, never diffed)."""
    judged: bool = False
    """Read by the policy pack, never stored by Syncro: diffed (a change updates the state,
    so the pack's stack policies judge the new value, not the state's: issue 14.1), never
    sent in a request body."""
    replace: bool = False
    """A change means a different Syncro object."""
    secret: bool = False
    """Kept secret in state and outputs (`additional_secret_outputs`)."""
    required: bool = False
    """check() refuses the resource without it."""
    default: Any = None
    """The value when a registration leaves it out (only with `optional`)."""
    optional: bool = False
    """May be left out of a registration (then `default`)."""

    def __post_init__(self) -> None:
        if self.judged and not self.managed:
            raise ValueError(f"input {self.name!r}: a judged input is diffed (managed)")


CLIENT_ID = Input("client_id", managed=False, required=True)
"""The customer's CS Client ID: names the object in the policy pack and the runbook."""

CUSTOMER_ID = Input("customer_id")
"""The Organization's syncro_id: unknown at preview on first create."""

ADMIN_MODE = Input("admin_mode", required=True)
"""Every object Syncro keeps in its web UI only carries the stack's admin mode."""

PENDING_REMOVAL = Input("pending_removal", default=None, optional=True)
"""Runbook mode: True when the code no longer wants this object but a person has yet to
delete it in Syncro's UI (resources/runbook_stack.py keeps it registered); the policy
pack skips it. Managed, so the flag reaches the outputs the policy pack reads (one
update, shown as such); None otherwise, so states written before it see no diff."""


@dataclass(frozen=True)
class ObjectType:
    """One Syncro object kind."""

    name: str
    """The resource type: `pulumi-python:dynamic/syncro:<name>`."""
    inputs: tuple[Input, ...]
    outputs: tuple[str, ...] = ("syncro_id", "status")
    collection: Collection | None = None
    public_api: bool = False
    """Written through Syncro's public API whatever the admin mode."""
    runbook_key: str | None = None
    """Runbook mode: the input whose value is the natural key in the placeholder id
    `runbook:<plural>:<value>` (None: a singleton)."""
    status_key: Callable[[Mapping[str, Any]], str] | None = None
    """The key of this object's status in the stack outputs and the runbook."""
    deletes_remote: bool = True
    """False for shared settings that must outlive the stack (mailbox, definitions)."""
    doc: str = ""
    """What the object is, in a line: the Resource class's docstring."""

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    @property
    def managed(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.managed)

    @property
    def written(self) -> tuple[str, ...]:
        """What Syncro stores: managed inputs the policy pack alone does not judge."""
        return tuple(i.name for i in self.inputs if i.managed and not i.judged)

    @property
    def replace_on(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.replace)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.required)

    @property
    def secret(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.secret)

    def runbook_id(self, props: Mapping[str, Any]) -> str:
        plural = self.collection.plural if self.collection else self.name
        key = str(props[self.runbook_key]) if self.runbook_key else "singleton"
        return f"{RUNBOOK_ID_PREFIX}{plural}:{key}"

    def inputs_from(self, *plans: Any, **values: Any) -> dict[str, Any]:
        """This type's inputs, taken by name from plan dataclasses and keyword values
        (keywords win). Dates become ISO strings and tuples lists, as the engine keeps them."""
        found: dict[str, Any] = {}
        for plan in plans:
            source = plan if isinstance(plan, Mapping) else _fields_of(plan)
            found.update({k: v for k, v in source.items() if k in self.input_names})
        found.update(values)
        for item in self.inputs:
            if item.optional and item.name not in found:
                found[item.name] = item.default
        missing = [name for name in self.input_names if name not in found]
        unknown = [name for name in values if name not in self.input_names]
        if missing or unknown:
            raise TypeError(f"{self.name}: missing inputs {missing}, unknown inputs {unknown}")
        return {name: _engine_value(found[name]) for name in self.input_names}


def customer_object(
    name: str,
    status_prefix: str,
    inputs: tuple[Input, ...],
    *,
    key: tuple[str, ...] = (),
    runbook_key: str | None = None,
    **options: Any,
) -> ObjectType:
    """The declaration of an object that belongs to one customer: `client_id` first, its
    own inputs, the Organization's `customer_id`; status key `<prefix>:<CID>` plus the
    `key` inputs' values. Without a `runbook_key` it is on Syncro's public API, written
    in both admin modes; with one it is kept in the web UI only (api mode writes it,
    runbook mode records it under that key) and also carries the admin mode and the
    pending-removal flag."""
    ui_only = runbook_key is not None
    extra = (ADMIN_MODE, PENDING_REMOVAL) if ui_only else ()
    return ObjectType(
        name=name,
        inputs=(CLIENT_ID, *inputs, CUSTOMER_ID, *extra),
        public_api=not ui_only,
        runbook_key=runbook_key,
        status_key=lambda p: status_key(status_prefix, p["client_id"], *(p[k] for k in key)),
        **options,
    )


def account_object(
    name: str,
    status_prefix: str,
    inputs: tuple[Input, ...],
    *,
    key: tuple[str, ...] = (),
    **options: Any,
) -> ObjectType:
    """The declaration of a setting of the whole Syncro account, kept in its web UI only
    (written in api mode, recorded for the runbook otherwise): its inputs and the admin
    mode; status key `<prefix>` plus the `key` inputs' values."""
    return ObjectType(
        name=name,
        inputs=(*inputs, ADMIN_MODE),
        status_key=lambda p: status_key(status_prefix, *(p[k] for k in key)),
        **options,
    )


def optional_int(value: Any) -> int | None:
    """An id input as an int: the engine hands numbers over as floats; None (runbook mode,
    an unset stack config id) or an unknown value stays None."""
    return int(value) if isinstance(value, int | float) else None


def _fields_of(plan: Any) -> dict[str, Any]:
    return {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}


def _engine_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_engine_value(v) for v in value]
    if isinstance(value, Mapping):
        return dict(value)
    return value


class SyncroResource(Resource):
    """A dynamic resource whose properties come from its ObjectType (see `resource_class`)."""

    declaration: ObjectType
    provider_class: type[ResourceProvider]
    status_key: str | None

    def __init__(
        self, resource_name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        declaration = self.declaration
        props = {**inputs, **{name: None for name in declaration.outputs}}
        self.status_key = declaration.status_key(inputs) if declaration.status_key else None
        if declaration.secret:
            secret = pulumi.ResourceOptions(additional_secret_outputs=list(declaration.secret))
            opts = pulumi.ResourceOptions.merge(secret, opts)
        super().__init__(self.provider_class(), resource_name, props, opts)

    @classmethod
    def register(
        cls,
        resource_name: str,
        *plans: Any,
        opts: pulumi.ResourceOptions | None = None,
        **values: Any,
    ) -> SyncroResource:
        """The resource for these plans: inputs are picked by name (`ObjectType.inputs_from`)."""
        return cls(resource_name, cls.declaration.inputs_from(*plans, **values), opts)


def resource_class(
    declaration: ObjectType, provider_class: type[ResourceProvider]
) -> type[SyncroResource]:
    """The Resource wrapper for a type: `pulumi-python:dynamic/syncro:<name>`."""
    namespace = {
        "declaration": declaration,
        "provider_class": provider_class,
        "__doc__": declaration.doc,
        "__module__": provider_class.__module__,
    }
    return types.new_class(
        declaration.name,
        (SyncroResource,),
        {"module": "syncro", "name": declaration.name},
        lambda ns: ns.update(namespace),
    )
