"""What every policy of the pack shares: unknown-safe props, messages, and `declare`.

Each policy module (sla.py, deliverables.py, organization.py, mail.py, ...) declares
its policies next to their validators with `declare(...)`: name, level, description,
and its `Setting`s. A `Setting` is one config key with its default (read from
resources/catalog.py, written once): it makes the config schema entry and reads the
value in the validator, so the default the engine shows and the one the code uses are
the same object.

Every violation message starts with the customer's client ID, names what is wrong
and ends with `Fix: ...`. No message ever contains a value of `edr_keys` (or of a
secret custom field found in the wrong place): those are named by key only.

What pulumi-policy 1.17 hands a validator (pinned: 1.18 needs protos newer than the 3.188
SDK; read in
.venv/lib/python3.11/site-packages/pulumi_policy/policy.py, proxy.py, deserialize.py,
and in the engine, pulumi sdk/go/common/resource/plugin/analyzer_plugin.go and
pkg/resource/deploy/step_generator.go of v3.188.0):

* Resource policies see the resource's *inputs*; stack policies see every resource's
  *outputs* (for a create during preview, the dynamic provider's outputs are its
  inputs). Internal keys such as `__provider` are stripped by the engine.
* Unknowns: the engine marshals with KeepUnknowns, so a value not known during preview
  arrives as one of seven sentinel strings (UNKNOWN_STRING_VALUE and friends in
  pulumi_policy/proxy.py); an unknown whose type is unknown may arrive as null.
  `args.props` is wrapped by `unknown_checking_proxy`: *reading* an unknown raises
  `UnknownValueError`, which the SDK turns into an advisory "can't run policy during
  preview" note and skips the rest of that policy. So every validator first copies the
  props with `plain()`, which turns each unknown into the `UNKNOWN` marker instead, and
  each check skips what it cannot know: a value unknown during preview is never a
  violation, and the rest of the resource is still checked.
* Secrets: the engine marshals with KeepSecrets, but `Analyze`/`AnalyzeStack` call
  `deserialize_properties(..., proxy_secrets=False)`, which strips the secret envelope:
  a validator gets the plain value with no marker (only `Remediate` keeps
  `pulumi_policy.Secret` wrappers). Input secretness is therefore not observable. What
  is observable is the resource option the engine forwards:
  `args.opts.additional_secret_outputs`. `deployment-keys-secret` requires `edr_keys`
  there, which makes the engine encrypt it in state and mask it in every diff even if
  a future caller passed the keys as a plain value. (It matters doubly here: Python
  dynamic providers declare acceptSecrets=False, so the provider gets and returns the
  keys unwrapped and the engine decides what is secret in the stored outputs.)
* Config: the engine fills each policy's config from the schema defaults
  (ReconcilePolicyPackConfig) and the SDK hands it over as JSON, so numbers arrive as
  floats; `plain()` turns whole floats back into ints for the same reason (protobuf
  Struct numbers are doubles).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from resources import catalog

TYPE_PREFIX = "pulumi-python:dynamic/syncro:"
ORGANIZATION = f"{TYPE_PREFIX}Organization"
EMAIL_RULE = f"{TYPE_PREFIX}EmailRule"
RECURRING_TICKET = f"{TYPE_PREFIX}RecurringTicket"
SUPPORT_MAILBOX = f"{TYPE_PREFIX}SupportMailbox"
TICKET_PREFERENCES = f"{TYPE_PREFIX}TicketPreferences"
# Issue 13's objects (contract 3 in /work/coord/README.md; built in resources/objects/).
POLICY_ASSIGNMENT = f"{TYPE_PREFIX}PolicyAssignment"
CONTRACT = f"{TYPE_PREFIX}Contract"
CONTACT = f"{TYPE_PREFIX}Contact"

EDR_KEYS = "edr_keys"
SECRET_FIELDS: tuple[str, ...] = tuple(f.name for f in catalog.CUSTOM_FIELDS if f.secret)
PUBLIC_FIELDS: tuple[str, ...] = tuple(f.name for f in catalog.CUSTOM_FIELDS if not f.secret)

CUSTOMER_FILE = "customers/<customer>.yaml"


# --- unknown-safe plain values -------------------------------------------------------------


class _Unknown:
    """A value the engine cannot know yet (preview). Never equal to anything else."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN = _Unknown()
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def plain(value: Any) -> Any:
    """A plain copy of policy props: dicts, lists, scalars and `UNKNOWN`; never raises.

    Reads through pulumi-policy's unknown-checking (and secret-preserving) proxies
    item by item, so one unknown value does not hide the rest of the resource.
    """
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct numbers are doubles
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def has_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- messages and config -----------------------------------------------------------------


def customer_label(props: Mapping[str, Any], fallback: str) -> str:
    """The client ID when known, else the resource name (which is the client ID too)."""
    client_id = props.get("client_id")
    return client_id if isinstance(client_id, str) and client_id else fallback


def violation(client_id: str, problem: str, fix: str) -> str:
    return f"{client_id}: {problem}. Fix: {fix}"


@dataclass(frozen=True)
class StackItem:
    """A stack resource with plain (unknown-safe) props."""

    urn: str
    name: str
    props: dict[str, Any]

    @property
    def client_id(self) -> Any:
        return self.props.get("client_id", UNKNOWN)

    def label(self) -> str:
        return customer_label(self.props, self.name)


ISSUE_13_TYPES = (POLICY_ASSIGNMENT, CONTRACT, CONTACT)


def manages_issue_13_objects(args: StackValidationArgs) -> bool:
    """Whether the program registers issue 13's objects (policy folder, contract, contact).

    The program registers them for every customer or for none (one component wires
    them), so "this customer has none" is a finding only in a stack that has some: a
    program from before issue 13 is not blocked by rules for objects it cannot make.
    """
    return any(resource.resource_type in ISSUE_13_TYPES for resource in args.resources)


def by_client(items: list[StackItem]) -> dict[str, list[StackItem]]:
    """Items grouped by their (known) client ID."""
    grouped: dict[str, list[StackItem]] = {}
    for item in items:
        if isinstance(item.client_id, str):
            grouped.setdefault(item.client_id, []).append(item)
    return grouped


def customers_and_objects(
    args: StackValidationArgs, resource_type: str
) -> tuple[list[StackItem], dict[str, list[StackItem]], list[tuple[StackItem, str, str]]]:
    """(organizations, objects by client ID, [(organization, client ID, tier)]) where the
    triples are the organizations whose client ID and tier are known and valid (unknown
    ones wait for `up`; invalid ones are required-org-fields' finding)."""
    orgs = stack_items(args, ORGANIZATION)
    known = [
        (org, org.client_id, org.props.get("tier"))
        for org in orgs
        if isinstance(org.client_id, str) and org.props.get("tier") in catalog.TIERS
    ]
    return orgs, by_client(stack_items(args, resource_type)), known


def report_orphans(
    kind: str,
    orgs: list[StackItem],
    grouped: dict[str, list[StackItem]],
    report: ReportViolation,
) -> None:
    """Objects of a client ID no Organization of the stack has (once all IDs are known)."""
    known = {org.client_id for org in orgs}
    if not all(isinstance(cid, str) for cid in known):
        return
    for cid, mine in sorted(grouped.items()):
        if cid not in known:
            report(
                violation(
                    cid,
                    f"{kind} {mine[0].name!r} belongs to no Organization in this stack",
                    f"add the customer file for {cid} or remove the {kind}",
                ),
                mine[0].urn,
            )


def stack_items(args: StackValidationArgs, resource_type: str) -> list[StackItem]:
    items = []
    for resource in args.resources:
        if resource.resource_type != resource_type:
            continue
        props = plain(resource.props)
        items.append(
            StackItem(resource.urn, resource.name, props if isinstance(props, dict) else {})
        )
    return items


def resource_props(args: ResourceValidationArgs, *resource_types: str) -> dict[str, Any] | None:
    """The plain props when the resource is of one of `resource_types`, else None."""
    if args.resource_type not in resource_types:
        return None
    props = plain(args.props)
    return props if isinstance(props, dict) else {}


# --- shared readers ----------------------------------------------------------------------


def read_sla_terms(raw: Any) -> tuple[catalog.SlaTerms | None, str | None]:
    """(terms, None), (None, problem), or (None, None) when something is unknown."""
    if raw is UNKNOWN or has_unknown(raw):
        return None, None
    if not isinstance(raw, Mapping):
        return None, "are missing (sla_terms must be a mapping of the four SLA terms)"
    # The engine drops null-valued keys from inputs: an absent notification_hours is
    # the Standard tier's "no notification promise", not a missing term.
    raw = {"notification_hours": None, **raw}
    try:
        terms = catalog.SlaTerms.from_dict(raw)
    except ValueError as problem:
        return None, f"are malformed ({problem})"
    for name in catalog.SLA_TERM_NAMES:
        value = getattr(terms, name)
        if value is None and name == "notification_hours":
            continue
        if not is_int(value) or value <= 0:
            return None, f"are malformed ({name} must be a whole number of hours above 0)"
    return terms, None


def domains_of(props: Mapping[str, Any]) -> list[Any] | None:
    domains = props.get("domains", UNKNOWN)
    if domains is UNKNOWN:
        return None
    return list(domains) if isinstance(domains, list) else []


def domain_of(address: Any) -> str | None:
    if not isinstance(address, str) or address.count("@") != 1:
        return None
    return address.rsplit("@", 1)[1].strip().lower() or None


def nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --- declaring a policy ------------------------------------------------------------------

Args = ResourceValidationArgs | StackValidationArgs


@dataclass(frozen=True)
class Setting:
    """One config key of one policy: its default (from the catalog) and what it means.

    Tuples and lists become arrays of strings, bools booleans, ints integers, strings
    strings; `read` returns the stack's value or this default.
    """

    key: str
    default: Any
    description: str

    def schema(self) -> dict[str, Any]:
        value = self.default
        if isinstance(value, bool):
            shape: dict[str, Any] = {"type": "boolean"}
        elif isinstance(value, int):
            shape = {"type": "integer"}
        elif isinstance(value, str):
            shape = {"type": "string"}
        else:
            shape = {"type": "array", "items": {"type": "string"}}
            value = list(value)
        return {**shape, "default": value, "description": self.description}

    def read(self, args: Args) -> Any:
        value = (args.get_config() or {}).get(self.key)
        if value is None:
            return list(self.default) if isinstance(self.default, tuple) else self.default
        return plain(value)


Level = Literal["mandatory", "advisory"]


def declare(
    name: str,
    description: str,
    validate: Callable[[Any, ReportViolation], None],
    *,
    stack: bool = False,
    level: Level = "mandatory",
    settings: Sequence[Setting] = (),
) -> ResourceValidationPolicy | StackValidationPolicy:
    """One policy. Mandatory ones leave the level to the pack (which is mandatory, see
    policies/__main__.py), so `--policy-pack-config {"all": ...}` still governs them."""
    kind = StackValidationPolicy if stack else ResourceValidationPolicy
    return kind(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY if level == "advisory" else None,
        config_schema=PolicyConfigSchema(properties={s.key: s.schema() for s in settings}),
    )
