"""The syncro-onboarding policy pack's rules, read against docs/design.md's property contract.

Every threshold comes from resources/catalog.py (tiers, SLAs, deliverables, custom
fields, free-mail domains, the client ID pattern), and each policy's
`config_schema` repeats the catalog value as its default, so an operator can tighten
a rule per stack without editing code while the catalog stays the one source.

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

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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

EDR_KEYS = "edr_keys"
SECRET_FIELDS: tuple[str, ...] = tuple(f.name for f in catalog.CUSTOM_FIELDS if f.secret)
PUBLIC_FIELDS: tuple[str, ...] = tuple(f.name for f in catalog.CUSTOM_FIELDS if not f.secret)
# Tiers whose catalog SLA promises a customer notification (Defense and Sentinel).
NOTIFYING_TIERS: tuple[str, ...] = tuple(
    name for name in catalog.TIERS if catalog.tier(name).sla.notification_hours is not None
)
NOTIFICATION_HOURS: int = min(
    catalog.tier(name).sla.notification_hours or 0 for name in NOTIFYING_TIERS
)
# Mailbox settings under which mail from an unknown sender never creates a customer.
SAFE_AUTO_CREATE: tuple[str, ...] = ("only_existing", "never")

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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- messages and config -----------------------------------------------------------------


def customer_label(props: Mapping[str, Any], fallback: str) -> str:
    """The client ID when known, else the resource name (which is the client ID too)."""
    client_id = props.get("client_id")
    return client_id if isinstance(client_id, str) and client_id else fallback


def violation(client_id: str, problem: str, fix: str) -> str:
    return f"{client_id}: {problem}. Fix: {fix}"


def _config(args: ResourceValidationArgs | StackValidationArgs, key: str, default: Any) -> Any:
    config = args.get_config() or {}
    value = config.get(key)
    return default if value is None else plain(value)


def _schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=dict(properties))


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


def resource_props(args: ResourceValidationArgs, resource_type: str) -> dict[str, Any] | None:
    if args.resource_type != resource_type:
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
        if not _is_int(value) or value <= 0:
            return None, f"are malformed ({name} must be a whole number of hours above 0)"
    return terms, None


def _domains(props: Mapping[str, Any]) -> list[Any] | None:
    domains = props.get("domains", UNKNOWN)
    if domains is UNKNOWN:
        return None
    return list(domains) if isinstance(domains, list) else []


def _domain_of(address: Any) -> str | None:
    if not isinstance(address, str) or address.count("@") != 1:
        return None
    return address.rsplit("@", 1)[1].strip().lower() or None


# --- 1. defense-plus-sla -----------------------------------------------------------------


def validate_sla(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    tier_name = props.get("tier", UNKNOWN)
    if tier_name is UNKNOWN or tier_name not in catalog.TIERS:
        return  # an unknown or invalid tier is required-org-fields' finding
    terms, problem = read_sla_terms(props.get("sla_terms"))
    if problem:
        report(
            violation(
                cid,
                f"the organization's sla_terms {problem}",
                "let resources/domain.py derive sla_terms from the tier "
                "(catalog.tier(...).sla, merged with the customer file's `sla:` overrides)",
            ),
            None,
        )
        return
    if terms is None:
        return
    notify_within = int(_config(args, "notificationHours", NOTIFICATION_HOURS))
    notifying = list(_config(args, "notifyingTiers", list(NOTIFYING_TIERS)))
    reported: set[str] = set()
    if tier_name in notifying and (
        terms.notification_hours is None or terms.notification_hours > notify_within
    ):
        promised = (
            "no customer notification"
            if terms.notification_hours is None
            else f"a {terms.notification_hours}-hour customer notification"
        )
        report(
            violation(
                cid,
                f"{tier_name} customers are promised a {notify_within}-hour customer "
                f"notification, but sla_terms carry {promised}",
                f"set `sla: {{notification_hours: {notify_within}}}` (or remove the "
                f"notification_hours override) in {CUSTOMER_FILE}",
            ),
            None,
        )
        reported.add("notification_hours")
    baseline = catalog.tier(tier_name).sla
    weaker = [name for name in catalog.weakens(terms, baseline) if name not in reported]
    if weaker:
        detail = ", ".join(
            f"{name} {getattr(terms, name)} (tier: {getattr(baseline, name)})" for name in weaker
        )
        report(
            violation(
                cid,
                f"sla_terms weaken the {tier_name} tier's catalog SLA: {detail}",
                f"remove those terms from `sla:` in {CUSTOMER_FILE} or make them at least as "
                "strong as the tier's (resources/catalog.py)",
            ),
            None,
        )
    fields = props.get("fields", UNKNOWN)
    if not isinstance(fields, Mapping):
        return  # required-org-fields reports missing fields
    text = fields.get(catalog.FIELD_SLA)
    if text is UNKNOWN or text is None:
        return
    if text != terms.text():
        report(
            violation(
                cid,
                f"custom field {catalog.FIELD_SLA!r} says {text!r} but sla_terms say "
                f"{terms.text()!r}",
                f"write the field from the same terms: fields[{catalog.FIELD_SLA!r}] = "
                "SlaTerms.text() (resources/domain.py organization_fields)",
            ),
            None,
        )


# --- 2. tier-deliverables ----------------------------------------------------------------


def validate_deliverables(args: StackValidationArgs, report: ReportViolation) -> None:
    min_lead = int(_config(args, "minLeadDays", 1))
    orgs = stack_items(args, ORGANIZATION)
    tickets = stack_items(args, RECURRING_TICKET)
    by_client: dict[str, list[StackItem]] = defaultdict(list)
    for ticket in tickets:
        if isinstance(ticket.client_id, str):
            by_client[ticket.client_id].append(ticket)

    org_ids: set[str] = set()
    all_orgs_known = True
    for org in orgs:
        cid = org.client_id
        if not isinstance(cid, str):
            all_orgs_known = False
            continue
        org_ids.add(cid)
        tier_name = org.props.get("tier", UNKNOWN)
        if tier_name not in catalog.TIERS:
            continue  # unknown (preview) or invalid (required-org-fields)
        expected = {d.key: d for d in catalog.deliverables_for(tier_name)}
        mine = by_client.get(cid, [])
        keys = [t.props.get("deliverable", UNKNOWN) for t in mine]
        counts = Counter(k for k in keys if isinstance(k, str))
        if not any(k is UNKNOWN for k in keys):
            missing = [key for key in expected if key not in counts]
            if missing:
                report(
                    violation(
                        cid,
                        f"the {tier_name} tier owes {', '.join(missing)} but the stack has no "
                        "RecurringTicket for it",
                        "let CustomerOnboarding create one RecurringTicket per "
                        f"catalog.deliverables_for({tier_name!r}) entry (resources/domain.py "
                        "plan_deliverables)",
                    ),
                    org.urn,
                )
        for ticket in mine:
            key = ticket.props.get("deliverable", UNKNOWN)
            if not isinstance(key, str):
                continue
            if key not in expected:
                report(
                    violation(
                        cid,
                        f"RecurringTicket {ticket.name!r} delivers {key!r}, which the "
                        f"{tier_name} tier does not include "
                        f"(tier deliverables: {', '.join(expected)})",
                        "remove it, or change the customer's tier in "
                        f"{CUSTOMER_FILE} if they bought it",
                    ),
                    ticket.urn,
                )
        for key, count in sorted(counts.items()):
            if count > 1 and key in expected:
                report(
                    violation(
                        cid,
                        f"{count} RecurringTickets deliver {key!r}; each deliverable needs "
                        "exactly one",
                        "remove the duplicates so one schedule opens each ticket",
                    ),
                    org.urn,
                )

    for ticket in tickets:
        cid = ticket.label()
        if all_orgs_known and isinstance(ticket.client_id, str) and ticket.client_id not in org_ids:
            report(
                violation(
                    cid,
                    f"RecurringTicket {ticket.name!r} belongs to no Organization in this stack",
                    f"add the customer file for {cid} or remove the ticket",
                ),
                ticket.urn,
            )
        assignee = ticket.props.get("assignee", UNKNOWN)
        if assignee is not UNKNOWN and not (isinstance(assignee, str) and "@" in assignee):
            report(
                violation(
                    cid,
                    f"RecurringTicket {ticket.name!r} has no assignee",
                    f"set account_manager in {CUSTOMER_FILE} to a Syncro user's email",
                ),
                ticket.urn,
            )
        lead = ticket.props.get("lead_days", UNKNOWN)
        if lead is not UNKNOWN and not (_is_int(lead) and lead >= min_lead):
            report(
                violation(
                    cid,
                    f"RecurringTicket {ticket.name!r} has lead_days {lead!r}; the ticket must "
                    f"open at least {min_lead} day(s) before it is due",
                    "use the deliverable's lead_days from resources/catalog.py DELIVERABLES",
                ),
                ticket.urn,
            )


# --- 3. required-org-fields --------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAIN_POC = re.compile(r"^(?P<name>\S.*?)\s*<(?P<email>[^<>\s@]+@[^<>\s@]+)>$")


def _field_problem(
    name: str,
    value: str,
    props: Mapping[str, Any],
    pattern: str,
    tiers: Sequence[str],
    platforms: Sequence[str],
) -> tuple[str, str] | None:
    """(problem, fix) for one present, known, non-empty field value, or None."""
    if name == catalog.FIELD_CLIENT_ID:
        if not re.match(pattern, value):
            return f"{name} {value!r} does not match {pattern}", "use CS- and four digits"
        client_id = props.get("client_id", UNKNOWN)
        if client_id is not UNKNOWN and value != client_id:
            return (
                f"{name} {value!r} differs from the organization's client_id {client_id!r}",
                "write the field from client_id (resources/domain.py organization_fields)",
            )
    elif name == catalog.FIELD_TIER:
        if value not in tiers:
            return f"{name} {value!r} is not a tier", f"use one of {', '.join(tiers)}"
        tier_name = props.get("tier", UNKNOWN)
        if tier_name is not UNKNOWN and value != tier_name:
            return (
                f"{name} {value!r} differs from the organization's tier {tier_name!r}",
                "write the field from the tier (resources/domain.py organization_fields)",
            )
    elif name == catalog.FIELD_PLATFORM:
        if value not in platforms:
            return f"{name} {value!r} is not a platform", f"use one of {', '.join(platforms)}"
    elif name == catalog.FIELD_PRIMARY_DOMAIN:
        domains = _domains(props)
        if domains is None or (domains and domains[0] is UNKNOWN):
            return None
        primary = domains[0] if domains else None
        if value != primary:
            return (
                f"{name} {value!r} is not the first of the organization's domains ({primary!r})",
                f"list the primary domain first under domains: in {CUSTOMER_FILE}",
            )
    elif name == catalog.FIELD_MAIN_POC:
        match = _MAIN_POC.match(value)
        if match is None:
            return f"{name} {value!r} is not `Name <email>`", "write it as `Jane Smith <jane@x>`"
        email = props.get("email", UNKNOWN)
        if isinstance(email, str) and match["email"].lower() != email.lower():
            return (
                f"{name} email {match['email']!r} differs from the organization's email {email!r}",
                f"set both from main_poc in {CUSTOMER_FILE}",
            )
    elif name == catalog.FIELD_HUBSPOT_DEAL_ID:
        if not value.isascii() or not value.isdigit():
            return (
                f"{name} {value!r} is not all digits",
                f'quote the HubSpot deal number in {CUSTOMER_FILE}: hubspot_deal_id: "18234567"',
            )
    elif name == catalog.FIELD_GO_LIVE:
        try:
            valid = bool(_ISO_DATE.match(value)) and date.fromisoformat(value) is not None
        except ValueError:
            valid = False
        if not valid:
            return f"{name} {value!r} is not a date YYYY-MM-DD", f"set go_live in {CUSTOMER_FILE}"
    return None


def validate_org_fields(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    fields = props.get("fields")
    if fields is UNKNOWN:
        return
    pattern = str(_config(args, "clientIdPattern", catalog.CLIENT_ID_PATTERN))
    tiers = list(_config(args, "tiers", list(catalog.TIERS)))
    platforms = list(_config(args, "platforms", list(catalog.PLATFORMS)))
    required = list(_config(args, "requiredFields", list(PUBLIC_FIELDS)))
    if not isinstance(fields, Mapping):
        report(
            violation(
                cid,
                "the organization has no custom field values (`fields` is missing)",
                "build it with resources/domain.py organization_fields",
            ),
            None,
        )
        return
    missing = [
        name
        for name in required
        if name not in fields or (fields[name] is not UNKNOWN and not _nonblank(fields[name]))
    ]
    if missing:
        report(
            violation(
                cid,
                f"custom field(s) {', '.join(missing)} missing or blank",
                "give every standard field a value (resources/catalog.py CUSTOM_FIELDS, "
                "filled by resources/domain.py organization_fields)",
            ),
            None,
        )
    known = {f.name for f in catalog.CUSTOM_FIELDS}
    unknown_names = sorted(str(name) for name in fields if name not in known)
    if unknown_names:
        report(
            violation(
                cid,
                f"custom field(s) {', '.join(unknown_names)} are not defined in the catalog, "
                "and Syncro drops values of undefined fields",
                "add the field to resources/catalog.py CUSTOM_FIELDS or stop sending it",
            ),
            None,
        )
    for name in PUBLIC_FIELDS:
        value = fields.get(name)
        if not _nonblank(value):
            continue
        found = _field_problem(name, value, props, pattern, tiers, platforms)
        if found:
            problem, fix = found
            report(violation(cid, problem, fix), None)


def _nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --- 3b. main-contact-domain (advisory) --------------------------------------------------


def validate_main_contact_domain(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    email = props.get("email", UNKNOWN)
    domains = _domains(props)
    if email is UNKNOWN or domains is None or has_unknown(domains):
        return
    allow_subdomains = bool(_config(args, "allowSubdomains", False))
    domain = _domain_of(email)
    listed = [str(d).lower() for d in domains]
    ok = domain is not None and (
        domain in listed or (allow_subdomains and any(domain.endswith("." + d) for d in listed))
    )
    if not ok:
        report(
            violation(
                cid,
                f"the main contact {email!r} is not at one of the customer's domains "
                f"({', '.join(listed) or 'none'}), so the customer's domain rules do not "
                "route their mail",
                f"use a main_poc email at a customer domain, or add its domain under domains: "
                f"in {CUSTOMER_FILE}",
            ),
            None,
        )


# --- 4. deployment-keys-secret -----------------------------------------------------------


def validate_edr_keys(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    required = list(_config(args, "requiredKeys", list(SECRET_FIELDS)))
    set_keys = f"scripts/set-edr-keys {cid} (stores syncro:edrKeys as a stack secret)"
    keys = props.get(EDR_KEYS)
    if keys is None:
        report(
            violation(cid, "the organization has no edr_keys (EDR deployment keys)", set_keys),
            None,
        )
    elif keys is not UNKNOWN:
        if not isinstance(keys, Mapping):
            report(
                violation(
                    cid,
                    f"edr_keys is not a mapping of {', '.join(required)} (value withheld)",
                    set_keys,
                ),
                None,
            )
        else:
            absent = [
                k
                for k in required
                if k not in keys or (keys[k] is not UNKNOWN and not _nonblank(keys[k]))
            ]
            if absent:
                report(
                    violation(
                        cid, f"edr_keys lacks {', '.join(absent)} (or it is blank)", set_keys
                    ),
                    None,
                )
            extra = sorted(str(k) for k in keys if k not in required)
            if extra:
                report(
                    violation(
                        cid,
                        f"edr_keys carries unexpected key(s) {', '.join(extra)} (values withheld)",
                        f"send only {', '.join(required)}",
                    ),
                    None,
                )
    # Input secretness is invisible to a validator (see the module docstring); the
    # resource option that keeps the value encrypted in state is not.
    opts = getattr(args, "opts", None)
    secret_outputs = list(getattr(opts, "additional_secret_outputs", None) or [])
    if EDR_KEYS not in secret_outputs:
        report(
            violation(
                cid,
                "edr_keys is not marked secret (not in additional_secret_outputs), so the "
                "deployment keys would be stored in plain text in the stack state",
                "keep ResourceOptions(additional_secret_outputs=['edr_keys']) on Organization "
                "(resources/providers/organization.py) and pass the keys as pulumi.Output.secret",
            ),
            None,
        )
    fields = props.get("fields")
    if isinstance(fields, Mapping):
        leaked = [name for name in SECRET_FIELDS if name in fields]
        if leaked:
            report(
                violation(
                    cid,
                    f"secret field(s) {', '.join(leaked)} sit in the non-secret `fields` map "
                    "(values withheld)",
                    "pass EDR keys only through edr_keys, never through fields",
                ),
                None,
            )


# --- 5. email-routing --------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    item: StackItem
    sender: str
    subject_filter: str | None
    position: int
    order: tuple[Any, ...]


def _sender_covers(earlier: str, later: str) -> bool:
    """Whether every address `later` matches is matched by `earlier` (case-insensitive;
    `@domain` matches that exact domain, `user@domain` one address)."""
    a, b = earlier.lower(), later.lower()
    if a == b:
        return True
    return a.startswith("@") and not b.startswith("@") and b.endswith(a)


def _subject_covers(earlier: str | None, later: str | None) -> bool:
    """A rule without a subject filter matches every subject; filter X matches every
    subject filter Y matches when X occurs inside Y (contains, case-insensitive)."""
    if not earlier:
        return True
    if not later:
        return False
    return earlier.lower() in later.lower()


def _covers(earlier: _Rule, later: _Rule) -> bool:
    return _sender_covers(earlier.sender, later.sender) and _subject_covers(
        earlier.subject_filter, later.subject_filter
    )


def validate_email_routing(args: StackValidationArgs, report: ReportViolation) -> None:
    free_mail = {
        str(d).lower() for d in _config(args, "freeMailDomains", sorted(catalog.FREE_MAIL_DOMAINS))
    }
    orgs = stack_items(args, ORGANIZATION)
    rules = stack_items(args, EMAIL_RULE)

    owners: dict[str, list[StackItem]] = defaultdict(list)  # domain -> organizations
    all_domains_known = True
    for org in orgs:
        domains = _domains(org.props)
        if domains is None or not isinstance(org.client_id, str):
            all_domains_known = False
            continue
        for domain in domains:
            if not isinstance(domain, str):
                all_domains_known = False
                continue
            owners[domain.lower()].append(org)

    rules_by_domain: dict[str, list[StackItem]] = defaultdict(list)
    for rule in rules:
        domain = rule.props.get("domain", UNKNOWN)
        if isinstance(domain, str):
            rules_by_domain[domain.lower()].append(rule)

    # Every domain: not free mail, one owner, exactly one rule, assigned to that owner.
    for domain, claimants in sorted(owners.items()):
        org = claimants[0]
        cid = org.label()
        if domain in free_mail:
            report(
                violation(
                    cid,
                    f"domain {domain} is a free-mail provider; a rule on it would route "
                    "strangers' mail to this customer",
                    f"remove {domain} from domains: in {CUSTOMER_FILE} (a main_poc email there "
                    "is fine)",
                ),
                org.urn,
            )
        if len({c.client_id for c in claimants}) > 1:
            names = ", ".join(sorted({c.label() for c in claimants}))
            report(
                violation(
                    cid,
                    f"domain {domain} is listed by several organizations ({names}); its mail "
                    "can open tickets for only one",
                    f"keep {domain} in exactly one customer file",
                ),
                org.urn,
            )
            continue
        found = rules_by_domain.get(domain, [])
        # The domain's catch-all rules: `@domain` without a subject filter. Exact-address
        # rules and subject-filtered rules for the domain may exist besides (they are
        # checked for shadowing below), but exactly one rule must take all the rest.
        if all(_rule_shape_known(r) for r in found):
            catch_all = [r for r in found if _is_catch_all(r)]
            if not catch_all:
                report(
                    violation(
                        cid,
                        f"domain {domain} has no `@{domain}` EmailRule, so mail from it opens "
                        f"no ticket for {cid}",
                        "let CustomerOnboarding create the `@domain` rule (resources/domain.py "
                        "plan_email_rules)",
                    ),
                    org.urn,
                )
            elif len(catch_all) > 1:
                report(
                    violation(
                        cid,
                        f"domain {domain} has {len(catch_all)} EmailRules for all of its mail "
                        f"({', '.join(sorted(r.name for r in catch_all))}); it needs exactly one",
                        "remove the extra rules so one rule routes the domain",
                    ),
                    org.urn,
                )
        for rule in found:
            _check_rule(rule, domain, org, report)

    # Rules for no listed domain, and rules on free-mail domains.
    for rule in rules:
        cid = rule.label()
        domain = rule.props.get("domain", UNKNOWN)
        sender = rule.props.get("sender", UNKNOWN)
        for name in {d for d in (domain, _domain_of(sender)) if isinstance(d, str)}:
            if name.lower() in free_mail and name.lower() not in owners:
                report(
                    violation(
                        cid,
                        f"EmailRule {rule.name!r} matches free-mail "
                        f"domain {name.lower()}; it would route strangers' mail to {cid}",
                        "remove the rule; free-mail domains never get a rule",
                    ),
                    rule.urn,
                )
        if (
            all_domains_known
            and isinstance(domain, str)
            and domain.lower() not in owners
            and domain.lower() not in free_mail
        ):
            report(
                violation(
                    cid,
                    f"EmailRule {rule.name!r} routes {domain} but no Organization lists that "
                    "domain",
                    f"add {domain} to the customer's domains: or remove the rule",
                ),
                rule.urn,
            )

    # Shadowing: Syncro runs rules by (position, id), first match wins.
    ordered: list[_Rule] = []
    for rule in rules:
        sender = rule.props.get("sender", UNKNOWN)
        position = rule.props.get("position", UNKNOWN)
        subject = rule.props.get("subject_filter")
        if not isinstance(sender, str) or not _is_int(position) or subject is UNKNOWN:
            continue
        order = (position, str(rule.client_id), str(rule.props.get("domain")), rule.name)
        ordered.append(_Rule(rule, sender, subject or None, position, order))
    ordered.sort(key=lambda r: r.order)
    for i, earlier in enumerate(ordered):
        for later in ordered[i + 1 :]:
            # Equal positions run in id order, unknown before creation: either may win.
            tie = earlier.position == later.position
            if _covers(earlier, later):
                first, second = earlier, later
            elif tie and _covers(later, earlier):
                first, second = later, earlier
            else:
                continue
            where = "at the same position as" if tie else "after"
            report(
                violation(
                    second.item.label(),
                    f"EmailRule {second.item.name!r} (sender {second.sender}, position "
                    f"{second.position}) can never fire: it runs {where} "
                    f"{first.item.name!r} (sender {first.sender}, position {first.position}) "
                    f"of {first.item.label()}, which matches every mail it matches",
                    "give exact-address rules position "
                    f"{catalog.RULE_POSITION_ADDRESS} and bare-domain rules "
                    f"{catalog.RULE_POSITION_DOMAIN} (catalog RULE_POSITION_*), and keep one rule "
                    "per sender",
                ),
                second.item.urn,
            )


def _rule_shape_known(rule: StackItem) -> bool:
    return (
        rule.props.get("sender", UNKNOWN) is not UNKNOWN
        and rule.props.get("subject_filter") is not UNKNOWN
    )


def _is_catch_all(rule: StackItem) -> bool:
    sender = rule.props.get("sender")
    is_address = isinstance(sender, str) and not sender.startswith("@")
    return not is_address and not rule.props.get("subject_filter")


def _check_rule(rule: StackItem, domain: str, org: StackItem, report: ReportViolation) -> None:
    cid = org.label()
    sender = rule.props.get("sender", UNKNOWN)
    if sender is not UNKNOWN and _domain_of(sender) != domain:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} has sender {sender!r}, which is neither "
                f"'@{domain}' nor an address at {domain}",
                "route the whole domain: sender = '@' + domain (resources/domain.py "
                "plan_email_rules)",
            ),
            rule.urn,
        )
    if rule.client_id is not UNKNOWN and rule.client_id != org.client_id:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} is assigned to {rule.client_id!r}, "
                f"not to {cid}, which lists the domain",
                f"create the rule under {cid}'s CustomerOnboarding",
            ),
            rule.urn,
        )
    customer_id = rule.props.get("customer_id")
    syncro_id = org.props.get("syncro_id")
    if (
        customer_id not in (None, UNKNOWN)
        and syncro_id not in (None, UNKNOWN)
        and customer_id != syncro_id
    ):
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} opens tickets on Syncro customer "
                f"#{customer_id}, not on {cid}'s organization #{syncro_id}",
                "set the rule's customer_id from the Organization's syncro_id "
                "(pulumi refresh, then pulumi up)",
            ),
            rule.urn,
        )
    auto = rule.props.get("auto_create_contact", UNKNOWN)
    if auto is not UNKNOWN and auto is not True:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} does not create the sender as a contact "
                "(auto_create_contact is not true), so new staff at the customer get no ticket",
                "set auto_create_contact=True (resources/domain.py EmailRulePlan)",
            ),
            rule.urn,
        )


# --- 6. no-portal-user -------------------------------------------------------------------


def validate_no_portal_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    value = props.get("portal_user")
    if value is UNKNOWN or value is False:
        return
    cid = customer_label(props, args.name)
    shown = "missing" if value is None else repr(value)
    report(
        violation(
            cid,
            f"portal_user is {shown}; customers are email-only and never get a portal user",
            "set portal_user=False on the Organization (resources/providers/organization.py)",
        ),
        None,
    )


# --- 7. safe-intake ----------------------------------------------------------------------


def validate_safe_intake(args: StackValidationArgs, report: ReportViolation) -> None:
    safe = [str(v) for v in _config(args, "safeAutoCreate", list(SAFE_AUTO_CREATE))]
    preferences = stack_items(args, TICKET_PREFERENCES)
    leads_on = [p for p in preferences if p.props.get("create_tickets_from_leads") is True]
    if not leads_on:
        return
    mailboxes = stack_items(args, SUPPORT_MAILBOX)
    label = "platform"
    if not mailboxes:
        report(
            violation(
                label,
                "create_tickets_from_leads is on but this stack manages no SupportMailbox, so "
                "nothing keeps unknown senders from becoming customers",
                "manage the support mailbox in the Platform component with "
                f"auto_create={safe[0]!r}",
            ),
            leads_on[0].urn,
        )
        return
    for mailbox in mailboxes:
        mode = mailbox.props.get("auto_create", UNKNOWN)
        if mode is UNKNOWN or mode in safe:
            continue
        address = mailbox.props.get("address", mailbox.name)
        report(
            violation(
                label,
                f"SupportMailbox {address!s} has auto_create {mode!r} while "
                "create_tickets_from_leads is on: mail from any unknown sender would become "
                "a new customer with a ticket",
                f"set auto_create to {' or '.join(repr(s) for s in safe)} "
                "(resources/domain.py PlatformPlan.mailbox_auto_create)",
            ),
            mailbox.urn,
        )


# --- 8. support-sla-targets (advisory) ---------------------------------------------------


def validate_support_sla_targets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    terms, _ = read_sla_terms(props.get("sla_terms"))
    if terms is None:
        return  # unknown, or malformed (defense-plus-sla reports that)
    limit = int(_config(args, "maxAcknowledgementHours", catalog.STANDARD_ACK_HOURS))
    if terms.acknowledgement_hours > limit:
        cid = customer_label(props, args.name)
        report(
            violation(
                cid,
                f"acknowledgement within {terms.acknowledgement_hours} hours is slower than the "
                f"{limit}-hour support target every tier meets",
                f"set `sla: {{acknowledgement_hours: {limit}}}` or less in {CUSTOMER_FILE}",
            ),
            None,
        )


# --- the pack ----------------------------------------------------------------------------


def _strings(default: Iterable[str], description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": list(default),
        "description": description,
    }


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    ResourceValidationPolicy(
        name="defense-plus-sla",
        description=(
            "Defense and Sentinel organizations carry the 1-hour customer notification SLA; "
            "no organization's SLA is weaker than its tier's, and the SLA field states it."
        ),
        validate=validate_sla,
        config_schema=_schema(
            notificationHours={
                "type": "integer",
                "default": NOTIFICATION_HOURS,
                "description": "notification promise (hours) for the notifying tiers",
            },
            notifyingTiers=_strings(NOTIFYING_TIERS, "tiers that must promise notification"),
        ),
    ),
    StackValidationPolicy(
        name="tier-deliverables",
        description=(
            "Each customer's RecurringTickets are exactly its tier's catalog deliverables, "
            "each assigned and opening ahead of its due date."
        ),
        validate=validate_deliverables,
        config_schema=_schema(
            minLeadDays={
                "type": "integer",
                "default": 1,
                "description": "the fewest days before the due date a ticket may open",
            },
        ),
    ),
    ResourceValidationPolicy(
        name="required-org-fields",
        description=(
            "Every organization carries every standard non-secret custom field, well formed."
        ),
        validate=validate_org_fields,
        config_schema=_schema(
            clientIdPattern={
                "type": "string",
                "default": catalog.CLIENT_ID_PATTERN,
                "description": "regular expression for CS Client ID",
            },
            tiers=_strings(catalog.TIERS, "allowed MSP Plan Tier values"),
            platforms=_strings(catalog.PLATFORMS, "allowed Platform values"),
            requiredFields=_strings(PUBLIC_FIELDS, "custom fields every organization needs"),
        ),
    ),
    ResourceValidationPolicy(
        name="main-contact-domain",
        description="The organization's main contact email is at one of its domains.",
        validate=validate_main_contact_domain,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=_schema(
            allowSubdomains={
                "type": "boolean",
                "default": False,
                "description": "accept a main contact at a subdomain of a listed domain",
            },
        ),
    ),
    ResourceValidationPolicy(
        name="deployment-keys-secret",
        description=(
            "Every organization has both EDR deployment keys in edr_keys, and edr_keys is secret."
        ),
        validate=validate_edr_keys,
        config_schema=_schema(
            requiredKeys=_strings(SECRET_FIELDS, "keys edr_keys must carry"),
        ),
    ),
    StackValidationPolicy(
        name="email-routing",
        description=(
            "Every organization domain has exactly one `@domain` EmailRule, assigned to that "
            "organization, never on free mail and never shadowed by an earlier rule."
        ),
        validate=validate_email_routing,
        config_schema=_schema(
            freeMailDomains=_strings(
                sorted(catalog.FREE_MAIL_DOMAINS), "domains that may never get a rule"
            ),
        ),
    ),
    ResourceValidationPolicy(
        name="no-portal-user",
        description="Organizations are email-only: portal_user is always false.",
        validate=validate_no_portal_user,
        config_schema=_schema(),
    ),
    StackValidationPolicy(
        name="safe-intake",
        description=(
            "While leads become tickets, every support mailbox creates tickets only for "
            "existing customers."
        ),
        validate=validate_safe_intake,
        config_schema=_schema(
            safeAutoCreate=_strings(SAFE_AUTO_CREATE, "allowed SupportMailbox auto_create values"),
        ),
    ),
    ResourceValidationPolicy(
        name="support-sla-targets",
        description="Every organization is acknowledged within the standard support target.",
        validate=validate_support_sla_targets,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=_schema(
            maxAcknowledgementHours={
                "type": "integer",
                "default": catalog.STANDARD_ACK_HOURS,
                "description": "slowest acknowledgement allowed (hours)",
            },
        ),
    ),
]

POLICY_NAMES: tuple[str, ...] = tuple(p.name for p in POLICIES)
