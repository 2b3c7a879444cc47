"""Customer specs -> the Syncro objects they should become. Pure: no I/O, no Pulumi.

Keeping the decisions here (which fields, which rules, which tickets, what they say)
lets the components stay wiring, lets the runbook describe exactly what the program
would create, and lets the tests check a tier's promises without any engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from resources import catalog, routing
from resources.spec import CustomerSpec

BRAND = "CyberSuite"


@dataclass(frozen=True)
class OrganizationPlan:
    """The Syncro customer and its non-secret custom field values (by display name).

    `email` is the main POC's address, not the bare domain the old SOP used: it is
    Syncro's unique customer key and must pass Syncro's email validation.
    """

    client_id: str
    business_name: str
    email: str
    contact_name: str
    tier: str
    domains: tuple[str, ...]
    fields: dict[str, str]
    sla_terms: dict[str, int | None]
    notes: str
    adopt: bool


@dataclass(frozen=True)
class EmailRulePlan:
    """Mail from `sender` (`@domain`) opens a ticket against the customer."""

    client_id: str
    domain: str
    sender: str
    subject_filter: str | None = None
    position: int = catalog.RULE_POSITION_DOMAIN
    auto_create_contact: bool = True


@dataclass(frozen=True)
class DeliverablePlan:
    """One recurring ticket the tier owes, opening `lead_days` before each due date."""

    client_id: str
    key: str
    title: str
    subject: str
    problem_type: str
    frequency: str
    first_due: date
    lead_days: int
    assignee: str


@dataclass(frozen=True)
class PolicyPlan:
    """The tier's RMM policy set on the organization's root policy folder."""

    client_id: str
    tier: str
    policy_kind: str


@dataclass(frozen=True)
class ContractPlan:
    """The contract that puts the tier's Syncro SLA on every ticket of the customer."""

    client_id: str
    tier: str
    name: str
    sla_name: str
    sla_terms: dict[str, int | None]
    start_date: date


@dataclass(frozen=True)
class ContactPlan:
    """The main POC as an End User of the organization (never a portal user)."""

    client_id: str
    name: str
    email: str


@dataclass(frozen=True)
class CustomerPlan:
    client_id: str
    organization: OrganizationPlan
    email_rules: tuple[EmailRulePlan, ...]
    deliverables: tuple[DeliverablePlan, ...]
    policy: PolicyPlan | None = None
    contract: ContractPlan | None = None
    contact: ContactPlan | None = None


@dataclass(frozen=True)
class AutomationPlan:
    """A ticket automation; templates use Syncro's `{{tag}}` placeholders."""

    name: str
    kind: str
    subject_template: str
    body_template: str
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformPlan:
    """The once-per-stack setup every customer's objects depend on."""

    mailbox_address: str
    # Unknown senders must never become organizations: only mail from existing
    # customers (contacts, customer emails, email rules) opens tickets.
    mailbox_auto_create: str = "only_existing"
    create_tickets_from_leads: bool = True
    enable_recurring_tickets: bool = True
    custom_fields: tuple[catalog.CustomField, ...] = catalog.CUSTOM_FIELDS
    automations: tuple[AutomationPlan, ...] = field(default_factory=tuple)


# --- customers --------------------------------------------------------------------------


def deliverable_subject(client_id: str, title: str, business_name: str) -> str:
    """The client ID first: technicians and mail filters find a customer's work by it."""
    return f"[{client_id}] {title} - {business_name}"


def organization_fields(spec: CustomerSpec) -> dict[str, str]:
    """Non-secret custom field values in catalog order; the EDR keys come from stack secrets."""
    values = {
        catalog.FIELD_CLIENT_ID: spec.client_id,
        catalog.FIELD_TIER: spec.tier,
        catalog.FIELD_SLA: spec.effective_sla().text(),
        catalog.FIELD_PLATFORM: spec.platform,
        catalog.FIELD_PRIMARY_DOMAIN: spec.primary_domain,
        catalog.FIELD_MAIN_POC: spec.main_poc.text(),
        catalog.FIELD_HUBSPOT_DEAL_ID: spec.hubspot_deal_id,
        catalog.FIELD_GO_LIVE: spec.go_live.isoformat(),
    }
    return {f.name: values[f.name] for f in catalog.CUSTOM_FIELDS if not f.secret}


def plan_organization(spec: CustomerSpec) -> OrganizationPlan:
    return OrganizationPlan(
        client_id=spec.client_id,
        business_name=spec.name,
        email=spec.main_poc.email,
        contact_name=spec.main_poc.name,
        tier=spec.tier,
        domains=tuple(spec.domains),
        fields=organization_fields(spec),
        sla_terms=spec.effective_sla().as_dict(),
        notes=spec.notes or "",
        adopt=spec.adopt,
    )


def plan_email_rules(spec: CustomerSpec) -> tuple[EmailRulePlan, ...]:
    """One bare-domain rule per domain, in the domain band so exact-address rules win."""
    return tuple(
        EmailRulePlan(client_id=spec.client_id, domain=domain, sender=f"@{domain}")
        for domain in spec.domains
    )


def plan_deliverables(spec: CustomerSpec) -> tuple[DeliverablePlan, ...]:
    """The tier's deliverables in catalog order, first due one period after go-live."""
    return tuple(
        DeliverablePlan(
            client_id=spec.client_id,
            key=item.key,
            title=item.title,
            subject=deliverable_subject(spec.client_id, item.title, spec.name),
            problem_type=item.problem_type,
            frequency=item.frequency,
            first_due=catalog.first_due(spec.go_live, item.frequency),
            lead_days=item.lead_days,
            assignee=spec.account_manager,
        )
        for item in catalog.deliverables_for(spec.tier)
    )


def policy_kind(tier_name: str) -> str:
    """Which policy set a tier needs (the id comes from stack config syncro:tierPolicies)."""
    return catalog.policy_kind(tier_name)


def sla_name(tier_name: str) -> str:
    """How the tier's SLA is named in Syncro (made once in the UI; id in syncro:tierSlas)."""
    return f"{BRAND} {tier_name} SLA"


def plan_customer(spec: CustomerSpec) -> CustomerPlan:
    return CustomerPlan(
        client_id=spec.client_id,
        organization=plan_organization(spec),
        email_rules=plan_email_rules(spec),
        deliverables=plan_deliverables(spec),
        policy=PolicyPlan(spec.client_id, spec.tier, policy_kind(spec.tier)),
        contract=ContractPlan(
            client_id=spec.client_id,
            tier=spec.tier,
            name=f"[{spec.client_id}] {spec.tier} plan - {spec.name}",
            sla_name=sla_name(spec.tier),
            sla_terms=spec.effective_sla().as_dict(),
            start_date=spec.go_live,
        ),
        contact=ContactPlan(spec.client_id, spec.main_poc.name, spec.main_poc.email),
    )


def plan_all(specs: Iterable[CustomerSpec]) -> list[CustomerPlan]:
    """Sorted by client ID so previews, outputs and the runbook never depend on file order."""
    return sorted((plan_customer(spec) for spec in specs), key=lambda plan: plan.client_id)


# --- the platform -----------------------------------------------------------------------


def sla_promise() -> str:
    """What every tier promises at least (the weakest term across tiers), worded for the
    customer. One automation serves all customers, so it may only promise the floor;
    the stronger tiers' notification hour comes from the account team, not this email."""
    tiers = [catalog.tier(name).sla for name in catalog.TIERS]
    ack = max(t.acknowledgement_hours for t in tiers)
    basic = max(t.resolution_basic_hours for t in tiers)
    complex_ = max(t.resolution_complex_hours for t in tiers)
    return (
        f"We acknowledge every request within {ack} hours and aim to resolve it within "
        f"{basic} hours ({complex_} hours for complex issues), or sooner where your service "
        "plan promises it."
    )


def acknowledgement(brand: str = BRAND) -> AutomationPlan:
    """Tells the sender their mail became a ticket, and which number to quote back."""
    return AutomationPlan(
        name="Customer acknowledgement",
        kind="acknowledgement",
        subject_template=f"[Ticket #{{{{ticket_number}}}}] {brand} has received your request",
        body_template=(
            "Hello,\n\n"
            f'Thank you for contacting {brand}. Your request "{{{{ticket_subject}}}}" is '
            "logged as ticket #{{ticket_number}}.\n\n"
            f"{sla_promise()}\n\n"
            "To add information, reply to this email and keep #{{ticket_number}} in the "
            "subject line.\n\n"
            f"{brand} Support"
        ),
    )


def staff_alert(notify: Sequence[str], brand: str = BRAND) -> AutomationPlan:
    """Tells the team a customer's mail opened a ticket, so nothing waits unseen."""
    return AutomationPlan(
        name="Staff alert: new customer ticket",
        kind="staff_alert",
        subject_template="New ticket #{{ticket_number}}: {{ticket_subject}}",
        body_template=(
            "A new ticket #{{ticket_number}} was opened from an inbound email:\n"
            "{{ticket_subject}}\n\n"
            "Acknowledge it within the customer's SLA (see the SLA custom field)."
        ),
        notify=tuple(notify),
    )


def plan_platform(
    mailbox_address: str, staff_alert_to: Sequence[str], brand: str = BRAND
) -> PlatformPlan:
    return PlatformPlan(
        mailbox_address=mailbox_address,
        automations=(acknowledgement(brand), staff_alert(staff_alert_to, brand)),
    )


# --- email rule order (resources/routing.py is the one implementation) -------------------


def routing_rule(rule: EmailRulePlan) -> routing.Rule:
    """The plan as Syncro evaluates it; before ids exist, client ID and domain stand in
    for the id so the order is the same on every run."""
    return routing.Rule(
        sender=rule.sender,
        subject_filter=rule.subject_filter,
        position=rule.position,
        key=f"{rule.client_id}:{rule.domain}",
        customer=rule.client_id,
        ref=rule,
    )


def ordered_rules(plans: Iterable[CustomerPlan | EmailRulePlan]) -> list[EmailRulePlan]:
    """Every email rule in the order Syncro evaluates them (first match wins)."""
    rules: list[EmailRulePlan] = []
    for plan in plans:
        if isinstance(plan, EmailRulePlan):
            rules.append(plan)
        else:
            rules.extend(plan.email_rules)
    return [r.ref for r in routing.order(routing_rule(r) for r in rules)]


def shadowed_rules(rules: Iterable[EmailRulePlan]) -> list[tuple[EmailRulePlan, EmailRulePlan]]:
    """(earlier, later) pairs where `later` can never fire (routing.shadowed); any order."""
    return [(s.earlier.ref, s.later.ref) for s in routing.shadowed(map(routing_rule, rules))]
