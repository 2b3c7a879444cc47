"""The SLA policies: `defense-plus-sla`, `defense-plus-contract` and `support-sla-targets`
(advisory).

Defaults come from resources/catalog.py: the notifying tiers are those whose catalog
SLA promises a customer notification, and the hours are the catalog's.
"""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies.common import (
    CONTRACT,
    CUSTOMER_FILE,
    ORGANIZATION,
    UNKNOWN,
    Setting,
    customer_label,
    customers_and_objects,
    declare,
    manages_issue_13_objects,
    read_sla_terms,
    report_orphans,
    resource_props,
    violation,
)
from resources import catalog

# Tiers whose catalog SLA promises a customer notification (Defense and Sentinel).
NOTIFYING_TIERS: tuple[str, ...] = tuple(
    name for name in catalog.TIERS if catalog.tier(name).sla.notification_hours is not None
)
NOTIFICATION_HOURS: int = min(
    catalog.tier(name).sla.notification_hours or 0 for name in NOTIFYING_TIERS
)

NOTIFY_WITHIN = Setting(
    "notificationHours",
    NOTIFICATION_HOURS,
    "notification promise (hours) for the notifying tiers",
)
NOTIFYING = Setting("notifyingTiers", NOTIFYING_TIERS, "tiers that must promise notification")
MAX_ACK = Setting(
    "maxAcknowledgementHours",
    catalog.STANDARD_ACK_HOURS,
    "slowest acknowledgement allowed (hours)",
)


def validate_sla(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """The terms an Organization states and a Contract attaches (the same rule for both)."""
    props = resource_props(args, ORGANIZATION, CONTRACT)
    if props is None:
        return
    cid = customer_label(props, args.name)
    whose = "the organization's" if args.resource_type == ORGANIZATION else "the contract's"
    tier_name = props.get("tier", UNKNOWN)
    if tier_name is UNKNOWN or tier_name not in catalog.TIERS:
        return  # an unknown or invalid tier is required-org-fields' finding
    terms, problem = read_sla_terms(props.get("sla_terms"))
    if problem:
        report(
            violation(
                cid,
                f"{whose} sla_terms {problem}",
                "let resources/domain.py derive sla_terms from the tier "
                "(catalog.tier(...).sla, merged with the customer file's `sla:` overrides)",
            ),
            None,
        )
        return
    if terms is None:
        return
    notify_within = int(NOTIFY_WITHIN.read(args))
    notifying = list(NOTIFYING.read(args))
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
                f"notification, but {whose} sla_terms carry {promised}",
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
                f"{whose} sla_terms weaken the {tier_name} tier's catalog SLA: {detail}",
                f"remove those terms from `sla:` in {CUSTOMER_FILE} or make them at least as "
                "strong as the tier's (resources/catalog.py)",
            ),
            None,
        )
    fields = props.get("fields", UNKNOWN)
    if args.resource_type != ORGANIZATION or not isinstance(fields, Mapping):
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


DEFENSE_PLUS_SLA = declare(
    "defense-plus-sla",
    "Defense and Sentinel organizations and their contracts carry the 1-hour customer "
    "notification SLA; no organization's or contract's SLA is weaker than its tier's, and "
    "the SLA field states it.",
    validate_sla,
    settings=(NOTIFY_WITHIN, NOTIFYING),
)


def validate_contracts(args: StackValidationArgs, report: ReportViolation) -> None:
    """Defense and above: exactly one Contract, of the customer's tier (its terms are
    defense-plus-sla's finding on the Contract itself)."""
    if not manages_issue_13_objects(args):
        return
    notifying = list(NOTIFYING.read(args))
    orgs, contracts, customers = customers_and_objects(args, CONTRACT)
    for org, cid, tier_name in customers:
        mine = contracts.get(cid, [])
        if tier_name in notifying and not mine:
            report(
                violation(
                    cid,
                    f"{tier_name} customers get a Contract attaching the tier's SLA (the "
                    f"1-hour customer notification) to their tickets, and {cid} has none",
                    "let CustomerOnboarding register the Contract (resources/objects/) and set "
                    f"syncro:tierSlas.{tier_name} to the Syncro SLA's id",
                ),
                org.urn,
            )
        if len(mine) > 1:
            report(
                violation(
                    cid,
                    f"{len(mine)} Contracts ({', '.join(sorted(c.name for c in mine))}); a "
                    "customer's tickets take their SLA from exactly one",
                    "remove the extra contracts",
                ),
                org.urn,
            )
        for contract in mine:
            tier_of = contract.props.get("tier", UNKNOWN)
            if tier_of is not UNKNOWN and tier_of != tier_name:
                report(
                    violation(
                        cid,
                        f"Contract {contract.name!r} is for the {tier_of} tier but {cid} is "
                        f"{tier_name}",
                        "build the contract from the customer's tier (resources/domain.py)",
                    ),
                    contract.urn,
                )
    report_orphans("Contract", orgs, contracts, report)


DEFENSE_PLUS_CONTRACT = declare(
    "defense-plus-contract",
    "Defense and Sentinel customers have exactly one Contract, of their tier, so their "
    "tickets carry the tier's SLA.",
    validate_contracts,
    stack=True,
    settings=(NOTIFYING,),
)


def validate_support_sla_targets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    terms, _ = read_sla_terms(props.get("sla_terms"))
    if terms is None:
        return  # unknown, or malformed (defense-plus-sla reports that)
    limit = int(MAX_ACK.read(args))
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


SUPPORT_SLA_TARGETS = declare(
    "support-sla-targets",
    "Every organization is acknowledged within the standard support target.",
    validate_support_sla_targets,
    level="advisory",
    settings=(MAX_ACK,),
)
