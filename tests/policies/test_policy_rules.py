"""The policy pack's rules, called the way pulumi-policy calls them, without an engine.

Props go through what the analyzer does to them (a protobuf Struct, so numbers become
floats; the secret envelope the engine sends is stripped; the unknown-checking proxy
wraps the result). A valid customer is built from the catalog and one thing is changed
per test; each test asserts the exact violations, that every message starts with the
client ID and carries a fix, and that no EDR key value ever appears.
"""

from __future__ import annotations

import copy
import runpy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import json_format, struct_pb2

try:
    import pulumi_policy
except AttributeError as problem:  # pragma: no cover - an environment problem, not a test
    raise ImportError(
        "pulumi_policy does not import with this pulumi SDK "
        f"({problem}): pulumi-policy 1.18 needs analyzer protos (PolicySeverity, PolicyType, "
        "PolicyNotApplicable) that pulumi 3.188.0 does not ship. Pin pulumi-policy==1.17.0 "
        "in requirements.txt, or raise the pulumi pin to a release that has them."
    ) from problem

from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import (
    SPECIAL_SECRET_SIG,
    SPECIAL_SIG_KEY,
    deserialize_properties,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import (
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from policies import syncro_rules
from policies.syncro_rules import (
    EMAIL_RULE,
    ORGANIZATION,
    POLICIES,
    RECURRING_TICKET,
    SUPPORT_MAILBOX,
    TICKET_PREFERENCES,
)
from resources import catalog

ROOT = Path(__file__).resolve().parents[2]
POLICY = {p.name: p for p in POLICIES}
SECRET_A = "acct-7f3a9c-DO-NOT-PRINT"
SECRET_O = "org-51d2e8-DO-NOT-PRINT"
SECRETS = (SECRET_A, SECRET_O)
UNKNOWN_STR = UNKNOWN_STRING_VALUE
MAILBOX = "help@cybersuite.tech"


# --- what the analyzer hands a validator -------------------------------------------------


def secret(value: Any) -> dict[str, Any]:
    """The envelope the engine sends for a secret (it marshals with KeepSecrets)."""
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def wire(props: dict[str, Any]) -> Any:
    """Exactly the Analyze path: Struct -> dict -> deserialize -> unknown-checking proxy."""
    return unknown_checking_proxy(
        deserialize_properties(json_format.MessageToDict(to_struct(props)))
    )


def options(secret_outputs: tuple[str, ...] = ()) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        False, [], None, [], PolicyCustomTimeouts(0, 0, 0), list(secret_outputs), None
    )


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:prod::syncro-onboarding::{resource_type}::{name}"


# --- a valid customer, from the catalog ---------------------------------------------------


@dataclass
class Customer:
    client_id: str
    org: dict[str, Any]
    rules: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    # Issue 13's objects (contract 3), by resource type: see with_issue_13().
    objects: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def customer(
    client_id: str = "CS-0042",
    tier: str = "Defense",
    domains: tuple[str, ...] = ("smithlaw.com", "smithlaw.legal"),
    email: str = "jane@smithlaw.com",
    name: str = "Smith Law LLP",
) -> Customer:
    """What CustomerOnboarding registers for one customer (preview: ids unknown)."""
    go_live = date(2026, 12, 1)
    sla = catalog.tier(tier).sla
    values = {
        catalog.FIELD_CLIENT_ID: client_id,
        catalog.FIELD_TIER: tier,
        catalog.FIELD_SLA: sla.text(),
        catalog.FIELD_PLATFORM: catalog.PLATFORMS[0],
        catalog.FIELD_PRIMARY_DOMAIN: domains[0],
        catalog.FIELD_MAIN_POC: f"Jane Smith <{email}>",
        catalog.FIELD_HUBSPOT_DEAL_ID: "18234567",
        catalog.FIELD_GO_LIVE: go_live.isoformat(),
    }
    org = {
        "client_id": client_id,
        "business_name": name,
        "email": email,
        "contact_name": "Jane Smith",
        "tier": tier,
        "domains": list(domains),
        "fields": {f.name: values[f.name] for f in catalog.CUSTOM_FIELDS if not f.secret},
        "sla_terms": sla.as_dict(),
        "edr_keys": secret(
            {catalog.FIELD_EDR_ACCOUNT_KEY: SECRET_A, catalog.FIELD_EDR_ORG_KEY: SECRET_O}
        ),
        "notes": "",
        "adopt": False,
        "portal_user": False,
        "syncro_id": None,
        "disabled": None,
        "missing_fields": None,
    }
    rules = [
        {
            "client_id": client_id,
            "domain": domain,
            "sender": f"@{domain}",
            "subject_filter": None,
            "position": catalog.RULE_POSITION_DOMAIN,
            "auto_create_contact": True,
            "mailbox": MAILBOX,
            "customer_id": UNKNOWN_STR,
            "admin_mode": "api",
        }
        for domain in domains
    ]
    tickets = [
        {
            "client_id": client_id,
            "deliverable": item.key,
            "subject": f"[{client_id}] {item.title} - {name}",
            "problem_type": item.problem_type,
            "frequency": item.frequency,
            "first_due": catalog.first_due(go_live, item.frequency).isoformat(),
            "lead_days": item.lead_days,
            "assignee": "alex@cybersuite.tech",
            "customer_id": UNKNOWN_STR,
            "admin_mode": "api",
        }
        for item in catalog.deliverables_for(tier)
    ]
    return Customer(client_id, org, rules, tickets)


def platform(auto_create: str = "only_existing", leads: Any = True) -> list[PolicyResource]:
    mailbox = {"address": MAILBOX, "active": True, "auto_create": auto_create, "admin_mode": "api"}
    prefs = {
        "create_tickets_from_leads": leads,
        "enable_recurring_tickets": True,
        "admin_mode": "api",
    }
    return [
        stack_resource(SUPPORT_MAILBOX, "support-mailbox", mailbox),
        stack_resource(TICKET_PREFERENCES, "ticket-preferences", prefs),
    ]


def stack_resource(
    resource_type: str,
    name: str,
    props: dict[str, Any],
    secret_outputs: tuple[str, ...] = (),
) -> PolicyResource:
    return PolicyResource(
        resource_type,
        wire(props),
        urn(resource_type, name),
        name,
        options(secret_outputs),
        None,
        None,
        [],
        {},
    )


def customer_resources(c: Customer) -> list[PolicyResource]:
    out = [stack_resource(ORGANIZATION, c.client_id, c.org, ("edr_keys",))]
    out += [stack_resource(EMAIL_RULE, f"{c.client_id}-rule-{r['domain']}", r) for r in c.rules]
    out += [
        stack_resource(RECURRING_TICKET, f"{c.client_id}-{t['deliverable']}", t) for t in c.tickets
    ]
    out += [stack_resource(kind, name, props) for kind, name, props in c.objects]
    return out


# --- running policies --------------------------------------------------------------------


@dataclass
class Reported:
    message: str
    urn: str | None


def check_messages(found: list[Reported]) -> None:
    for item in found:
        assert "Fix:" in item.message, item.message
        for value in SECRETS:
            assert value not in item.message, "a secret value reached a violation message"


def run_resource(
    name: str,
    org: dict[str, Any],
    *,
    secret_outputs: tuple[str, ...] = ("edr_keys",),
    config: dict[str, Any] | None = None,
    resource_type: str = ORGANIZATION,
) -> list[str]:
    policy = POLICY[name]
    assert isinstance(policy, ResourceValidationPolicy)
    found: list[Reported] = []
    args = ResourceValidationArgs(
        resource_type,
        wire(org),
        urn(resource_type, "CS-0042"),
        "CS-0042",
        options(secret_outputs),
        None,
        config,
    )
    policy.validate(args, lambda message, u=None: found.append(Reported(message, u)))
    check_messages(found)
    return [r.message for r in found]


def run_stack(
    name: str,
    *customers: Customer,
    resources: list[PolicyResource] | None = None,
    config: dict[str, Any] | None = None,
) -> list[Reported]:
    policy = POLICY[name]
    assert isinstance(policy, StackValidationPolicy)
    stack = list(platform() if resources is None else resources)
    for c in customers:
        stack += customer_resources(c)
    found: list[Reported] = []
    policy.validate(
        StackValidationArgs(stack, config),
        lambda message, u=None: found.append(Reported(message, u)),
    )
    check_messages(found)
    return found


def only(messages: list[str] | list[Reported], client_id: str, *phrases: str) -> str:
    """Exactly one violation, about `client_id`, containing every phrase."""
    texts = [m.message if isinstance(m, Reported) else m for m in messages]
    assert len(texts) == 1, texts
    text = texts[0]
    assert text.startswith(f"{client_id}: "), text
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    return text


def mutated(c: Customer, path: tuple[Any, ...], value: Any) -> Customer:
    """A copy of the customer with one value changed (a `...` value deletes the key)."""
    out = copy.deepcopy(c)
    target: Any = getattr(out, path[0])
    for step in path[1:-1]:
        target = target[step]
    last = path[-1]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return out


ALL_TIERS = pytest.mark.parametrize("tier", catalog.TIERS)


# --- the pack ----------------------------------------------------------------------------


def test_policy_names_and_levels() -> None:
    assert [p.name for p in POLICIES] == [
        "defense-plus-sla",
        "tier-deliverables",
        "required-org-fields",
        "main-contact-domain",
        "deployment-keys-secret",
        "email-routing",
        "no-portal-user",
        "safe-intake",
        "support-sla-targets",
        "defense-plus-contract",
        "policy-set",
        "tier-ids-configured",
    ]
    advisory = {p.name for p in POLICIES if p.enforcement_level == EnforcementLevel.ADVISORY}
    assert advisory == {"main-contact-domain", "support-sla-targets", "tier-ids-configured"}
    # Everything else takes the pack's level, which __main__ sets to mandatory.
    assert all(p.enforcement_level is None for p in POLICIES if p.name not in advisory)
    stack = {p.name for p in POLICIES if isinstance(p, StackValidationPolicy)}
    assert stack == {
        "tier-deliverables",
        "email-routing",
        "safe-intake",
        "defense-plus-contract",
        "policy-set",
        "tier-ids-configured",
    }
    assert all(p.config_schema is not None for p in POLICIES)


def test_config_defaults_come_from_the_catalog() -> None:
    def default(policy: str, key: str) -> Any:
        return POLICY[policy].config_schema.properties[key]["default"]

    assert default("defense-plus-sla", "notificationHours") == 1
    assert default("defense-plus-sla", "notifyingTiers") == ["Defense", "Sentinel"]
    assert default("required-org-fields", "clientIdPattern") == catalog.CLIENT_ID_PATTERN
    assert default("required-org-fields", "tiers") == list(catalog.TIERS)
    assert default("required-org-fields", "platforms") == list(catalog.PLATFORMS)
    assert default("required-org-fields", "requiredFields") == [
        f.name for f in catalog.CUSTOM_FIELDS if not f.secret
    ]
    assert default("deployment-keys-secret", "requiredKeys") == ["HUNT_A-KEY", "HUNT_O-KEY"]
    assert set(default("email-routing", "freeMailDomains")) == catalog.FREE_MAIL_DOMAINS
    assert default("support-sla-targets", "maxAcknowledgementHours") == catalog.STANDARD_ACK_HOURS


def test_main_builds_the_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.update(kwargs))
    runpy.run_path(str(ROOT / "policies" / "__main__.py"), run_name="__main__")
    assert built["name"] == "syncro-onboarding"
    assert [p.name for p in built["policies"]] == [p.name for p in POLICIES]
    assert built["enforcement_level"] == EnforcementLevel.MANDATORY


def test_pulumi_policy_yaml() -> None:
    project = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert project["version"] == "1.0.0"
    assert project["description"]


# --- good input passes everything --------------------------------------------------------


def run_all(*customers: Customer, resources: list[PolicyResource] | None = None) -> list[str]:
    messages: list[str] = []
    for policy in POLICIES:
        if isinstance(policy, StackValidationPolicy):
            messages += [r.message for r in run_stack(policy.name, *customers, resources=resources)]
        else:
            for c in customers:
                messages += run_resource(policy.name, c.org)
    return messages


@ALL_TIERS
def test_a_valid_customer_passes_every_policy(tier: str) -> None:
    assert run_all(customer(tier=tier)) == []


def test_several_customers_and_known_ids_pass() -> None:
    a = customer()
    b = customer("CS-0107", "Standard", ("acmedental.com",), "ops@acmedental.com", "Acme Dental")
    c = customer("CS-0213", "Sentinel", ("northwind.capital",), "cfo@northwind.capital", "NW")
    for n, each in enumerate((a, b, c), start=100):  # after `up`: ids known everywhere
        each.org["syncro_id"] = n
        for item in each.rules + each.tickets:
            item["customer_id"] = n
    assert run_all(a, b, c) == []


def test_the_programs_own_plans_pass() -> None:
    """The sample customer files, planned by resources/domain.py, meet every policy."""
    from resources.domain import plan_all
    from resources.spec import load_customers

    built = []
    for plan in plan_all(load_customers(ROOT / "customers")):
        org = plan.organization
        c = customer(plan.client_id, org.tier, org.domains, org.email, org.business_name)
        c.org.update(
            contact_name=org.contact_name,
            fields=dict(org.fields),
            sla_terms=dict(org.sla_terms),
            notes=org.notes,
            adopt=org.adopt,
        )
        c.rules = [
            {
                **c.rules[0],
                **{k: getattr(r, k) for k in ("domain", "sender", "subject_filter")},
                "position": r.position,
                "auto_create_contact": r.auto_create_contact,
            }
            for r in plan.email_rules
        ]
        c.tickets = [
            {
                **c.tickets[0],
                "deliverable": d.key,
                "subject": d.subject,
                "frequency": d.frequency,
                "first_due": d.first_due.isoformat(),
                "lead_days": d.lead_days,
                "assignee": d.assignee,
            }
            for d in plan.deliverables
        ]
        c = with_issue_13(c)  # then the plan's own policy, contract and contact
        issue_13(c, POLICY_ASSIGNMENT).update(
            tier=plan.policy.tier, policy_kind=plan.policy.policy_kind
        )
        issue_13(c, CONTRACT).update(
            tier=plan.contract.tier,
            name=plan.contract.name,
            sla_name=plan.contract.sla_name,
            sla_terms=dict(plan.contract.sla_terms),
            start_date=plan.contract.start_date.isoformat(),
        )
        issue_13(c, CONTACT).update(name=plan.contact.name, email=plan.contact.email)
        built.append(c)
    assert len(built) >= 3
    messages = run_all(*built)
    for c in built:
        for kind in (POLICY_ASSIGNMENT, CONTRACT, CONTACT):
            messages += [
                m
                for policy in POLICIES
                if isinstance(policy, ResourceValidationPolicy)
                for m in run_object(policy.name, c, kind)
            ]
    assert messages == []


# --- 1. defense-plus-sla -----------------------------------------------------------------


def with_sla(c: Customer, **terms: Any) -> Customer:
    """The customer with changed SLA terms, its SLA field kept in step with them."""
    out = copy.deepcopy(c)
    merged = catalog.SlaTerms.from_dict({**out.org["sla_terms"], **terms})
    out.org["sla_terms"] = merged.as_dict()
    out.org["fields"][catalog.FIELD_SLA] = merged.text()
    return out


@pytest.mark.parametrize("tier", ["Defense", "Sentinel"])
def test_notifying_tiers_need_the_one_hour_notification(tier: str) -> None:
    c = customer(tier=tier)
    none = with_sla(c, notification_hours=None)
    only(
        run_resource("defense-plus-sla", none.org),
        "CS-0042",
        "1-hour customer notification",
        "no customer notification",
        "notification_hours: 1",
    )
    slower = with_sla(c, notification_hours=4)
    only(run_resource("defense-plus-sla", slower.org), "CS-0042", "a 4-hour customer notification")


def test_standard_needs_no_notification_but_may_not_weaken() -> None:
    c = customer(tier="Standard")
    assert run_resource("defense-plus-sla", c.org) == []
    weaker = with_sla(c, acknowledgement_hours=48, resolution_complex_hours=96)
    only(
        run_resource("defense-plus-sla", weaker.org),
        "CS-0042",
        "weaken the Standard tier's catalog SLA",
        "acknowledgement_hours 48 (tier: 24), resolution_complex_hours 96 (tier: 72)",
    )


def test_standard_terms_as_the_engine_sends_them_pass() -> None:
    """The engine drops null-valued keys: Standard arrives without notification_hours."""
    c = customer(tier="Standard")
    terms = {k: v for k, v in c.org["sla_terms"].items() if v is not None}
    assert "notification_hours" not in terms
    assert run_resource("defense-plus-sla", {**c.org, "sla_terms": terms}) == []


def test_stronger_terms_pass() -> None:
    c = with_sla(customer(), acknowledgement_hours=4, resolution_basic_hours=8)
    assert run_resource("defense-plus-sla", c.org) == []


def test_sla_field_must_state_the_terms() -> None:
    c = mutated(customer(), ("org", "fields", catalog.FIELD_SLA), "Best effort")
    only(run_resource("defense-plus-sla", c.org), "CS-0042", "'SLA' says 'Best effort'")


def test_malformed_sla_terms() -> None:
    c = customer()
    del c.org["sla_terms"]["resolution_basic_hours"]
    only(run_resource("defense-plus-sla", c.org), "CS-0042", "malformed", "resolution_basic_hours")
    c = mutated(customer(), ("org", "sla_terms", "acknowledgement_hours"), "soon")
    only(run_resource("defense-plus-sla", c.org), "CS-0042", "whole number of hours")


def test_sla_unknowns_are_not_violations() -> None:
    c = mutated(customer(), ("org", "sla_terms", "notification_hours"), UNKNOWN_NUMBER_VALUE)
    assert run_resource("defense-plus-sla", c.org) == []
    c = mutated(customer(), ("org", "tier"), UNKNOWN_STR)
    assert run_resource("defense-plus-sla", c.org) == []


# --- 2. tier-deliverables ----------------------------------------------------------------


def test_a_missing_deliverable_is_named() -> None:
    c = customer()
    c.tickets = [t for t in c.tickets if t["deliverable"] != "qbr"]
    found = run_stack("tier-deliverables", c)
    only(found, "CS-0042", "owes qbr", "deliverables_for('Defense')")
    assert found[0].urn == urn(ORGANIZATION, "CS-0042")


def test_an_extra_deliverable_is_named() -> None:
    c = customer(tier="Standard")
    extra = {**c.tickets[0], "deliverable": "qbr", "subject": "[CS-0042] QBR"}
    c.tickets.append(extra)
    found = run_stack("tier-deliverables", c)
    only(found, "CS-0042", "'qbr'", "the Standard tier does not include")
    assert found[0].urn == urn(RECURRING_TICKET, "CS-0042-qbr")


def test_a_duplicate_deliverable() -> None:
    c = customer()
    c.tickets.append(dict(c.tickets[0]))
    only(
        run_stack("tier-deliverables", c), "CS-0042", "2 RecurringTickets deliver 'monthly-report'"
    )


@pytest.mark.parametrize("assignee", ["", None, "alex"])
def test_every_ticket_needs_an_assignee(assignee: Any) -> None:
    c = mutated(customer(), ("tickets", 1, "assignee"), assignee)
    only(run_stack("tier-deliverables", c), "CS-0042", "has no assignee", "account_manager")


@pytest.mark.parametrize("lead", [0, -3, None])
def test_every_ticket_opens_ahead(lead: Any) -> None:
    c = mutated(customer(), ("tickets", 2, "lead_days"), lead)
    only(run_stack("tier-deliverables", c), "CS-0042", f"lead_days {lead!r}")


def test_a_ticket_without_an_organization() -> None:
    c = customer()
    stray = {**c.tickets[0], "client_id": "CS-0999"}
    c.tickets.append(stray)
    only(run_stack("tier-deliverables", c), "CS-0999", "belongs to no Organization")


def test_deliverable_unknowns_are_not_violations() -> None:
    c = customer()
    c.tickets[0]["deliverable"] = UNKNOWN_STR
    c.tickets[1]["lead_days"] = UNKNOWN_NUMBER_VALUE
    c.tickets[2]["assignee"] = UNKNOWN_STR
    assert run_stack("tier-deliverables", c) == []


# --- 3. required-org-fields --------------------------------------------------------------

FIELD_CASES = [
    (catalog.FIELD_PLATFORM, ..., "Platform missing or blank"),
    (catalog.FIELD_GO_LIVE, "   ", "Go-live Date missing or blank"),
    (catalog.FIELD_CLIENT_ID, "CS-42", "does not match"),
    (catalog.FIELD_CLIENT_ID, "CS-0043", "differs from the organization's client_id"),
    (catalog.FIELD_TIER, "Gold", "'Gold' is not a tier"),
    (catalog.FIELD_TIER, "Standard", "differs from the organization's tier 'Defense'"),
    (catalog.FIELD_PLATFORM, "Exchange", "'Exchange' is not a platform"),
    (catalog.FIELD_PRIMARY_DOMAIN, "smithlaw.legal", "not the first of the organization's"),
    (catalog.FIELD_MAIN_POC, "Jane Smith", "is not `Name <email>`"),
    (catalog.FIELD_MAIN_POC, "Jane Smith <bob@smithlaw.com>", "differs from the organization's"),
    (catalog.FIELD_HUBSPOT_DEAL_ID, "18-234", "is not all digits"),
    (catalog.FIELD_HUBSPOT_DEAL_ID, "１２３", "is not all digits"),
    (catalog.FIELD_GO_LIVE, "2026-02-30", "is not a date YYYY-MM-DD"),
    (catalog.FIELD_GO_LIVE, "12/01/2026", "is not a date YYYY-MM-DD"),
    ("Favourite Colour", "blue", "Favourite Colour are not defined in the catalog"),
]


@pytest.mark.parametrize(("name", "value", "phrase"), FIELD_CASES)
def test_each_bad_field_is_one_violation(name: str, value: Any, phrase: str) -> None:
    c = mutated(customer(), ("org", "fields", name), value)
    only(run_resource("required-org-fields", c.org), "CS-0042", phrase)


def test_fields_missing_altogether() -> None:
    c = mutated(customer(), ("org", "fields"), ...)
    only(run_resource("required-org-fields", c.org), "CS-0042", "`fields` is missing")


def test_field_unknowns_are_not_violations() -> None:
    c = customer()
    for name in list(c.org["fields"]):
        c.org["fields"][name] = UNKNOWN_STR
    assert run_resource("required-org-fields", c.org) == []
    c = mutated(customer(), ("org", "fields"), UNKNOWN_OBJECT_VALUE)
    assert run_resource("required-org-fields", c.org) == []


def test_field_config_overrides_the_catalog_default() -> None:
    c = customer()
    found = run_resource("required-org-fields", c.org, config={"platforms": ["Google Workspace"]})
    only(found, "CS-0042", "'M365' is not a platform")


# --- 3b. main-contact-domain -------------------------------------------------------------


def test_main_contact_at_a_customer_domain() -> None:
    c = customer()
    assert run_resource("main-contact-domain", c.org) == []
    c.org["email"] = "jane@smithlaw.legal"
    assert run_resource("main-contact-domain", c.org) == []


def test_main_contact_elsewhere_is_advised() -> None:
    c = mutated(customer(), ("org", "email"), "jane.smith@gmail.com")
    only(
        run_resource("main-contact-domain", c.org), "CS-0042", "'jane.smith@gmail.com'", "main_poc"
    )
    c = mutated(customer(), ("org", "email"), UNKNOWN_STR)
    assert run_resource("main-contact-domain", c.org) == []


# --- 4. deployment-keys-secret -----------------------------------------------------------


def test_keys_missing_altogether() -> None:
    c = mutated(customer(), ("org", "edr_keys"), ...)
    only(run_resource("deployment-keys-secret", c.org), "CS-0042", "no edr_keys", "set-edr-keys")


@pytest.mark.parametrize("key", ["HUNT_A-KEY", "HUNT_O-KEY"])
def test_each_key_is_required(key: str) -> None:
    c = customer()
    del c.org["edr_keys"]["value"][key]
    only(run_resource("deployment-keys-secret", c.org), "CS-0042", f"lacks {key}")
    c = customer()
    c.org["edr_keys"]["value"][key] = ""
    only(run_resource("deployment-keys-secret", c.org), "CS-0042", f"lacks {key}")


def test_keys_must_be_a_secret() -> None:
    c = customer()
    only(
        run_resource("deployment-keys-secret", c.org, secret_outputs=()),
        "CS-0042",
        "not marked secret",
        "additional_secret_outputs=['edr_keys']",
    )


def test_keys_never_sit_in_plain_fields() -> None:
    c = customer()
    c.org["fields"][catalog.FIELD_EDR_ORG_KEY] = SECRET_O
    only(
        run_resource("deployment-keys-secret", c.org), "CS-0042", "HUNT_O-KEY sit in the non-secret"
    )


def test_unexpected_keys_and_non_mapping_are_named_not_shown() -> None:
    c = customer()
    c.org["edr_keys"]["value"]["HUNT_X-KEY"] = SECRET_A
    only(run_resource("deployment-keys-secret", c.org), "CS-0042", "unexpected key(s) HUNT_X-KEY")
    c = mutated(customer(), ("org", "edr_keys"), secret(SECRET_A))
    only(run_resource("deployment-keys-secret", c.org), "CS-0042", "not a mapping")


def test_unknown_keys_are_not_violations() -> None:
    c = mutated(customer(), ("org", "edr_keys"), secret(UNKNOWN_OBJECT_VALUE))
    assert run_resource("deployment-keys-secret", c.org) == []
    c = customer()
    c.org["edr_keys"]["value"]["HUNT_A-KEY"] = UNKNOWN_STR
    assert run_resource("deployment-keys-secret", c.org) == []


# --- 5. email-routing --------------------------------------------------------------------


def test_a_domain_without_a_rule() -> None:
    c = customer()
    c.rules = c.rules[:1]
    found = run_stack("email-routing", c)
    only(found, "CS-0042", "domain smithlaw.legal has no `@smithlaw.legal` EmailRule")
    assert found[0].urn == urn(ORGANIZATION, "CS-0042")


def test_a_domain_with_two_rules() -> None:
    c = customer()
    c.rules.append(dict(c.rules[0]))
    found = [r.message for r in run_stack("email-routing", c)]
    assert len(found) == 2, found
    assert any("has 2 EmailRules for all of its mail" in m for m in found)
    assert any("can never fire" in m and "at the same position as" in m for m in found)
    assert all(m.startswith("CS-0042: ") for m in found)


def test_a_rule_assigned_to_another_customer() -> None:
    a, b = customer(), customer("CS-0107", "Standard", ("acmedental.com",), "o@acmedental.com")
    a.rules[1]["client_id"] = "CS-0107"
    found = run_stack("email-routing", a, b)
    only(found, "CS-0042", "assigned to 'CS-0107', not to CS-0042")
    assert found[0].urn == urn(EMAIL_RULE, "CS-0042-rule-smithlaw.legal")


def test_a_rule_on_the_wrong_organization_id() -> None:
    c = customer()
    c.org["syncro_id"] = 17
    c.rules[0]["customer_id"] = 17
    c.rules[1]["customer_id"] = 99
    only(
        run_stack("email-routing", c),
        "CS-0042",
        "Syncro customer #99, not on CS-0042's organization #17",
    )


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("sender", "@smithlaw.co", "sender '@smithlaw.co', which is neither"),
        ("auto_create_contact", False, "auto_create_contact is not true"),
    ],
)
def test_a_rule_must_route_the_domain_and_create_contacts(
    key: str, value: Any, phrase: str
) -> None:
    c = mutated(customer(), ("rules", 0, key), value)
    only(run_stack("email-routing", c), "CS-0042", phrase)


def test_free_mail_domains() -> None:
    c = customer(domains=("smithlaw.com", "gmail.com"))
    only(run_stack("email-routing", c), "CS-0042", "gmail.com is a free-mail provider")
    c = customer()
    c.rules.append({**c.rules[0], "domain": "outlook.com", "sender": "@outlook.com"})
    only(run_stack("email-routing", c), "CS-0042", "matches free-mail domain outlook.com")


def test_a_domain_two_customers_claim() -> None:
    a = customer()
    b = customer("CS-0107", "Standard", ("smithlaw.legal",), "o@smithlaw.legal", "Other")
    found = [r.message for r in run_stack("email-routing", a, b)]
    assert any(
        m.startswith("CS-0042: ") and "listed by several organizations (CS-0042, CS-0107)" in m
        for m in found
    ), found
    # Both claim-all rules sit at one position: whichever Syncro created first wins.
    assert any("can never fire" in m for m in found)
    assert len(found) == 2, found


def test_a_rule_for_no_listed_domain() -> None:
    c = customer()
    c.rules.append({**c.rules[0], "domain": "smithlaw.org", "sender": "@smithlaw.org"})
    only(run_stack("email-routing", c), "CS-0042", "routes smithlaw.org but no Organization lists")


def test_shadowed_rules() -> None:
    c = customer()
    # An exact-address rule in the address band runs first: fine.
    c.rules.append(
        {**c.rules[0], "sender": "jane@smithlaw.com", "position": catalog.RULE_POSITION_ADDRESS}
    )
    assert run_stack("email-routing", c) == []
    # The same rule in the domain band ties with @smithlaw.com, which takes all its mail.
    c.rules[-1]["position"] = catalog.RULE_POSITION_DOMAIN
    text = only(run_stack("email-routing", c), "CS-0042", "can never fire", "at the same position")
    assert "'CS-0042-rule-smithlaw.com'" in text and "sender jane@smithlaw.com" in text
    # Later than the domain rule: shadowed too.
    c.rules[-1]["position"] = catalog.RULE_POSITION_DOMAIN + 5
    only(run_stack("email-routing", c), "CS-0042", "can never fire: it runs after")


def test_subject_filters_and_shadowing() -> None:
    c = customer()
    invoices = {
        **c.rules[0],
        "subject_filter": "Invoice",
        "position": catalog.RULE_POSITION_DOMAIN_SUBJECT,
    }
    c.rules.append(invoices)
    assert run_stack("email-routing", c) == []  # filtered rule first, catch-all after
    c.rules[-1]["position"] = catalog.RULE_POSITION_DOMAIN + 10
    only(run_stack("email-routing", c), "CS-0042", "can never fire")


def test_routing_unknowns_are_not_violations() -> None:
    c = customer()
    c.org["syncro_id"] = UNKNOWN_NUMBER_VALUE
    c.rules[0]["customer_id"] = UNKNOWN_STR
    c.rules[1]["sender"] = UNKNOWN_STR
    assert run_stack("email-routing", c) == []
    c = mutated(customer(), ("org", "domains"), UNKNOWN_STR)
    assert run_stack("email-routing", c) == []


# --- 6. no-portal-user -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), (..., "missing"), ("no", "'no'")])
def test_no_portal_user(value: Any, shown: str) -> None:
    c = mutated(customer(), ("org", "portal_user"), value)
    only(run_resource("no-portal-user", c.org), "CS-0042", f"portal_user is {shown}")


def test_portal_user_unknown_or_false_passes() -> None:
    assert run_resource("no-portal-user", customer().org) == []
    c = mutated(customer(), ("org", "portal_user"), UNKNOWN_BOOLEAN_VALUE)
    assert run_resource("no-portal-user", c.org) == []


# --- 7. safe-intake ----------------------------------------------------------------------


def test_an_open_mailbox_while_leads_become_tickets() -> None:
    found = run_stack("safe-intake", customer(), resources=platform("always"))
    only(found, "platform", "auto_create 'always'", "'only_existing' or 'never'")
    assert found[0].urn == urn(SUPPORT_MAILBOX, "support-mailbox")


@pytest.mark.parametrize(
    ("auto_create", "leads"),
    [("only_existing", True), ("never", True), ("always", False), (UNKNOWN_STR, True)],
)
def test_safe_intake_passes(auto_create: str, leads: Any) -> None:
    assert run_stack("safe-intake", resources=platform(auto_create, leads)) == []


def test_unknown_lead_switch_passes() -> None:
    assert run_stack("safe-intake", resources=platform("always", UNKNOWN_BOOLEAN_VALUE)) == []


def test_leads_on_without_a_managed_mailbox() -> None:
    prefs = platform()[1:]
    only(run_stack("safe-intake", resources=prefs), "platform", "manages no SupportMailbox")


# --- 8. support-sla-targets --------------------------------------------------------------


def test_slow_acknowledgement_is_advised() -> None:
    c = with_sla(customer(tier="Standard"), acknowledgement_hours=48)
    only(run_resource("support-sla-targets", c.org), "CS-0042", "within 48 hours", "24-hour")
    assert run_resource("support-sla-targets", customer().org) == []


def test_the_target_is_configurable() -> None:
    c = customer()
    found = run_resource("support-sla-targets", c.org, config={"maxAcknowledgementHours": 4.0})
    only(found, "CS-0042", "within 24 hours", "4-hour")


# --- through pulumi-policy's own analyzer server -----------------------------------------


def servicer() -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(
        "syncro-onboarding", "1.0.0", POLICIES, EnforcementLevel.MANDATORY
    )


def analyze(org: dict[str, Any], secret_outputs: tuple[str, ...] = ("edr_keys",)) -> list[Any]:
    request = proto.AnalyzeRequest(
        type=ORGANIZATION,
        urn=urn(ORGANIZATION, "CS-0042"),
        name="CS-0042",
        properties=to_struct(org),
        options=proto.AnalyzerResourceOptions(additionalSecretOutputs=list(secret_outputs)),
    )
    diagnostics = list(servicer().Analyze(request, None).diagnostics)
    for d in diagnostics:
        assert all(value not in d.message for value in SECRETS)
    return diagnostics


def test_analyzer_sees_plain_secrets_and_no_preview_noise() -> None:
    """A preview Organization (a secret edr_keys, unknowns) runs every resource policy:
    no violation, and no "can't run policy during preview" note either."""
    c = customer()
    c.org["business_name"] = UNKNOWN_STR
    c.org["notes"] = UNKNOWN_STR
    c.org["fields"][catalog.FIELD_HUBSPOT_DEAL_ID] = UNKNOWN_STR
    assert analyze(c.org) == []


def test_analyzer_reports_through_the_sdk() -> None:
    c = mutated(customer(), ("org", "portal_user"), True)
    diagnostics = analyze(c.org, secret_outputs=())
    names = sorted(d.policyName for d in diagnostics)
    assert names == ["deployment-keys-secret", "no-portal-user"]
    assert all(d.enforcementLevel == proto.MANDATORY for d in diagnostics)


def test_analyzer_config_arrives_as_json_numbers() -> None:
    server = servicer()
    config = proto.PolicyConfig(enforcementLevel=proto.MANDATORY)
    config.properties.update({"maxAcknowledgementHours": 4})
    server.Configure(
        proto.ConfigureAnalyzerRequest(policyConfig={"support-sla-targets": config}), None
    )
    request = proto.AnalyzeRequest(
        type=ORGANIZATION,
        urn=urn(ORGANIZATION, "CS-0042"),
        name="CS-0042",
        properties=to_struct(customer().org),
        options=proto.AnalyzerResourceOptions(additionalSecretOutputs=["edr_keys"]),
    )
    diagnostics = list(server.Analyze(request, None).diagnostics)
    assert [d.policyName for d in diagnostics] == ["support-sla-targets"]
    assert "4-hour" in diagnostics[0].message


def test_analyze_stack_through_the_sdk() -> None:
    c = customer()
    c.rules = c.rules[:1]
    resources = []
    for r in platform() + customer_resources(c):
        target = syncro_rules.plain(r.props)
        props = {k: (UNKNOWN_STR if v is syncro_rules.UNKNOWN else v) for k, v in target.items()}
        resources.append(
            proto.AnalyzerResource(
                type=r.resource_type, urn=r.urn, name=r.name, properties=to_struct(props)
            )
        )
    response = servicer().AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)
    assert [(d.policyName, d.urn) for d in response.diagnostics] == [
        ("email-routing", urn(ORGANIZATION, "CS-0042"))
    ]


# --- one definition: catalog checks, routing order, declared settings ---------------------


@pytest.mark.parametrize(
    "value", ["CS-\uff10\uff10\uff14\uff12", "CS-\u0660\u0660\u0664\u0662", "CS-0042\n"]
)
def test_lookalike_client_ids_are_refused(value: str) -> None:
    c = mutated(customer(), ("org", "fields", catalog.FIELD_CLIENT_ID), value)
    only(run_resource("required-org-fields", c.org), "CS-0042", "does not match")


def test_configured_free_mail_adds_to_the_catalog() -> None:
    c = customer(domains=("smithlaw.com", "example-freemail.net"))
    config = {"freeMailDomains": ["example-freemail.net"]}
    only(run_stack("email-routing", c, config=config), "CS-0042", "example-freemail.net is a free")
    g = customer(domains=("smithlaw.com", "gmail.com"))
    only(run_stack("email-routing", g, config=config), "CS-0042", "gmail.com is a free-mail")


def test_existing_rules_at_one_position_run_by_id() -> None:
    c = customer()
    c.rules.append({**c.rules[0], "sender": "jane@smithlaw.com", "syncro_id": 5})
    c.rules[0]["syncro_id"] = 9  # the domain rule was created later: the address rule wins
    assert run_stack("email-routing", c) == []
    c.rules[0]["syncro_id"] = 3  # created first: it takes jane's mail too
    only(run_stack("email-routing", c), "CS-0042", "can never fire", "at the same position")


def test_every_setting_reads_its_declared_default() -> None:
    for policy in POLICIES:
        for key, schema in policy.config_schema.properties.items():
            assert "default" in schema and schema["description"], (policy.name, key)


# --- issue 13: policy folder, contract, main contact, who opens deliverables --------------

POLICY_ASSIGNMENT = syncro_rules.POLICY_ASSIGNMENT
CONTRACT = syncro_rules.CONTRACT
CONTACT = syncro_rules.CONTACT


def with_issue_13(c: Customer, policy_id: int | None = 71, sla_id: int | None = 12) -> Customer:
    """What CustomerOnboarding registers per contract 3 (preview: customer_id unknown)."""
    tier = c.org["tier"]
    out = copy.deepcopy(c)
    assignment = {
        "client_id": c.client_id,
        "tier": tier,
        "policy_kind": catalog.policy_kind(tier),
        "partial_policy_id": policy_id,
        "customer_id": UNKNOWN_STR,
    }
    contract = {
        "client_id": c.client_id,
        "tier": tier,
        "name": f"{tier} plan",
        "sla_name": f"{tier} SLA",
        "sla_id": sla_id,
        "sla_terms": catalog.tier(tier).sla.as_dict(),
        "start_date": "2026-12-01",
        "customer_id": UNKNOWN_STR,
    }
    contact = {
        "client_id": c.client_id,
        "name": "Jane Smith",
        "email": c.org["email"],
        "portal_user": False,
        "customer_id": UNKNOWN_STR,
    }
    out.objects = [
        (POLICY_ASSIGNMENT, f"{c.client_id}-policy", assignment),
        (CONTRACT, f"{c.client_id}-contract", contract),
        (CONTACT, f"{c.client_id}-contact", contact),
    ]
    return out


def issue_13(c: Customer, kind: str) -> dict[str, Any]:
    return next(props for k, _, props in c.objects if k == kind)


def run_object(name: str, c: Customer, kind: str) -> list[str]:
    """A resource policy on one of the customer's issue-13 objects."""
    return run_resource(name, issue_13(c, kind), resource_type=kind, secret_outputs=())


@ALL_TIERS
def test_issue_13_objects_pass_every_policy(tier: str) -> None:
    c = with_issue_13(customer(tier=tier))
    messages = run_all(c)
    for kind in (POLICY_ASSIGNMENT, CONTRACT, CONTACT):
        for policy in POLICIES:
            if isinstance(policy, ResourceValidationPolicy):
                messages += run_object(policy.name, c, kind)
    assert messages == []


@pytest.mark.parametrize("tier", ["Defense", "Sentinel"])
def test_defense_and_above_need_a_contract(tier: str) -> None:
    c = with_issue_13(customer(tier=tier))
    c.objects = [o for o in c.objects if o[0] != CONTRACT]
    only(run_stack("defense-plus-contract", c), "CS-0042", f"{tier} customers get a Contract")


def test_standard_needs_no_contract_and_old_programs_are_not_blocked() -> None:
    c = with_issue_13(customer(tier="Standard"))
    c.objects = [o for o in c.objects if o[0] != CONTRACT]
    assert run_stack("defense-plus-contract", c) == []
    # A program from before issue 13 registers none of the new objects: nothing to judge.
    assert run_stack("defense-plus-contract", customer()) == []
    assert run_stack("policy-set", customer()) == []


def test_a_contract_of_another_tier_or_doubled() -> None:
    c = with_issue_13(customer())
    issue_13(c, CONTRACT)["tier"] = "Standard"
    only(run_stack("defense-plus-contract", c), "CS-0042", "is for the Standard tier")
    c = with_issue_13(customer())
    c.objects.append((CONTRACT, "CS-0042-contract-2", issue_13(c, CONTRACT)))
    only(run_stack("defense-plus-contract", c), "CS-0042", "2 Contracts")


def test_a_contract_must_carry_the_one_hour_notification() -> None:
    c = with_issue_13(customer())
    issue_13(c, CONTRACT)["sla_terms"]["notification_hours"] = 4
    only(
        run_object("defense-plus-sla", c, CONTRACT),
        "CS-0042",
        "the contract's sla_terms carry a 4-hour customer notification",
    )
    c = with_issue_13(customer())
    del issue_13(c, CONTRACT)["sla_terms"]["notification_hours"]  # dropped null: no promise
    only(run_object("defense-plus-sla", c, CONTRACT), "CS-0042", "no customer notification")


def test_a_contract_may_not_weaken_the_tier() -> None:
    c = with_issue_13(customer(tier="Standard"))
    issue_13(c, CONTRACT)["sla_terms"]["resolution_basic_hours"] = 96
    only(
        run_object("defense-plus-sla", c, CONTRACT),
        "CS-0042",
        "weaken the Standard tier's catalog SLA: resolution_basic_hours 96 (tier: 48)",
    )


def test_every_customer_has_its_tiers_policy() -> None:
    c = with_issue_13(customer())
    c.objects = [o for o in c.objects if o[0] != POLICY_ASSIGNMENT]
    only(run_stack("policy-set", c), "CS-0042", "exactly one PolicyAssignment", "has none")
    c = with_issue_13(customer())
    issue_13(c, POLICY_ASSIGNMENT)["policy_kind"] = catalog.policy_kind("Standard")
    only(run_stack("policy-set", c), "CS-0042", "the Defense tier needs 'Defense policy set'")
    c = with_issue_13(customer())
    issue_13(c, POLICY_ASSIGNMENT)["tier"] = "Sentinel"
    found = run_stack("policy-set", c)
    assert any("is for the Sentinel tier" in r.message for r in found), found


def test_a_configured_policy_is_set_and_applied() -> None:
    c = with_issue_13(customer())
    issue_13(c, POLICY_ASSIGNMENT)["partial_policy_id"] = "seventy-one"
    only(run_stack("policy-set", c), "CS-0042", "not a Syncro policy id", "tierPolicies.Defense")
    c = with_issue_13(customer())
    issue_13(c, POLICY_ASSIGNMENT).update(customer_id=30001, syncro_id=501, effective_policy_id=9)
    only(run_stack("policy-set", c), "CS-0042", "applies policy #9, not the Defense policy #71")
    issue_13(c, POLICY_ASSIGNMENT)["effective_policy_id"] = 71
    assert run_stack("policy-set", c) == []


def test_one_tier_one_policy_id() -> None:
    a = with_issue_13(customer(), policy_id=71)
    b = with_issue_13(
        customer("CS-0107", "Defense", ("acmedental.com",), "ops@acmedental.com", "Acme"),
        policy_id=72,
    )
    only(run_stack("policy-set", a, b), "platform", "Defense customers get different policies")


def test_an_unconfigured_tier_id_is_advised_by_name() -> None:
    c = with_issue_13(customer(), policy_id=None)
    assert run_stack("policy-set", c) == []  # unset is not a violation of the policy set
    only(run_stack("tier-ids-configured", c), "CS-0042", "syncro:tierPolicies.Defense is not")
    c = with_issue_13(customer(), sla_id=None)
    only(run_stack("tier-ids-configured", c), "CS-0042", "syncro:tierSlas.Defense is not")
    assert run_stack("tier-ids-configured", with_issue_13(customer())) == []
    # As the engine hands it over: the null-valued key is dropped, not sent as null.
    c = with_issue_13(customer())
    del issue_13(c, POLICY_ASSIGNMENT)["partial_policy_id"]
    only(run_stack("tier-ids-configured", c), "CS-0042", "syncro:tierPolicies.Defense is not")
    issue_13(c, POLICY_ASSIGNMENT)["partial_policy_id"] = UNKNOWN_NUMBER_VALUE
    assert run_stack("tier-ids-configured", c) == []  # unknown during preview: no finding


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), (..., "missing")])
def test_the_main_contact_is_never_a_portal_user(value: Any, shown: str) -> None:
    c = with_issue_13(customer())
    if value is ...:
        del issue_13(c, CONTACT)["portal_user"]
    else:
        issue_13(c, CONTACT)["portal_user"] = value
    only(
        run_object("no-portal-user", c, CONTACT),
        "CS-0042",
        f"portal_user is {shown} on the main contact 'CS-0042'",
    )


@pytest.mark.parametrize("opened_by", ["scheduler", "syncro"])
def test_deliverables_whoever_opens_them(opened_by: str) -> None:
    c = customer()
    for ticket in c.tickets:
        ticket["opened_by"] = opened_by
    assert run_stack("tier-deliverables", c) == []
    c.tickets.pop()
    only(run_stack("tier-deliverables", c), "CS-0042", "but the stack has no RecurringTicket")


def test_deliverables_opened_by_nobody_we_know() -> None:
    c = customer()
    c.tickets[0]["opened_by"] = "cron"
    only(run_stack("tier-deliverables", c), "CS-0042", "is opened by 'cron'")
    c.tickets[0]["opened_by"] = UNKNOWN_STR
    assert run_stack("tier-deliverables", c) == []
