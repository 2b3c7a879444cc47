"""`policy-set`: each customer's root policy folder gets its tier's RMM policy, and
`tier-ids-configured` (advisory): the stack says which Syncro policy and SLA each tier uses.

Syncro's policies cannot be listed or created through its API, so the tier -> policy id
map is stack config (`syncro:tierPolicies.<Tier>`, and `syncro:tierSlas.<Tier>` for the
SLA a Contract attaches); the catalog names which policy kind each tier needs
(`catalog.policy_kind`). A PolicyAssignment carries `partial_policy_id` None while its
tier's id is not configured: then nothing is assigned yet, which is worth a warning, not a
blocked deployment (the onboarding goes on and the runbook says where to find the id).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs

from policies.common import (
    CONTRACT,
    POLICY_ASSIGNMENT,
    UNKNOWN,
    StackItem,
    customers_and_objects,
    declare,
    is_int,
    manages_issue_13_objects,
    report_orphans,
    stack_items,
    violation,
)
from resources import catalog


def _check_assignment(
    item: StackItem, org: StackItem, tier_name: str, report: ReportViolation
) -> None:
    cid = org.label()
    props = item.props
    tier_of = props.get("tier", UNKNOWN)
    if tier_of is not UNKNOWN and tier_of != tier_name:
        report(
            violation(
                cid,
                f"PolicyAssignment {item.name!r} is for the {tier_of} tier but {cid} is "
                f"{tier_name}",
                "build the assignment from the customer's tier (resources/domain.py)",
            ),
            item.urn,
        )
    kind, wanted = props.get("policy_kind", UNKNOWN), catalog.policy_kind(tier_name)
    if kind is not UNKNOWN and kind != wanted:
        report(
            violation(
                cid,
                f"PolicyAssignment {item.name!r} assigns a {kind!r} policy; the {tier_name} "
                f"tier needs {wanted!r} (resources/catalog.py policy_kind)",
                "take policy_kind from catalog.policy_kind(tier)",
            ),
            item.urn,
        )
    policy_id = props.get("partial_policy_id")
    if policy_id not in (None, UNKNOWN) and not (is_int(policy_id) and policy_id > 0):
        report(
            violation(
                cid,
                f"PolicyAssignment {item.name!r} has partial_policy_id {policy_id!r}, not a "
                "Syncro policy id",
                f"set syncro:tierPolicies.{tier_name} to the policy's number from its URL in "
                "Syncro (Policies > the policy)",
            ),
            item.urn,
        )
        return
    effective = props.get("effective_policy_id")
    if is_int(policy_id) and is_int(effective) and effective != policy_id:
        report(
            violation(
                cid,
                f"Syncro's policy folder #{props.get('syncro_id')} applies policy "
                f"#{effective}, not the {tier_name} policy #{policy_id}",
                "run `make refresh` then `make up` to set the folder's policy again",
            ),
            item.urn,
        )
    customer_id, syncro_id = props.get("customer_id"), org.props.get("syncro_id")
    if is_int(customer_id) and is_int(syncro_id) and customer_id != syncro_id:
        report(
            violation(
                cid,
                f"PolicyAssignment {item.name!r} sets the policy folder of Syncro customer "
                f"#{customer_id}, not {cid}'s organization #{syncro_id}",
                "set customer_id from the Organization's syncro_id (pulumi refresh, then up)",
            ),
            item.urn,
        )


def validate_policy_set(args: StackValidationArgs, report: ReportViolation) -> None:
    if not manages_issue_13_objects(args):
        return
    orgs, assignments, customers = customers_and_objects(args, POLICY_ASSIGNMENT)
    for org, cid, tier_name in customers:
        mine = assignments.get(cid, [])
        if len(mine) != 1:
            found = "none" if not mine else ", ".join(sorted(a.name for a in mine))
            report(
                violation(
                    cid,
                    f"the customer needs exactly one PolicyAssignment (its {tier_name} RMM "
                    f"policy on its root policy folder); the stack has {found}",
                    "let CustomerOnboarding register one PolicyAssignment per customer",
                ),
                org.urn,
            )
        for item in mine:
            _check_assignment(item, org, tier_name, report)
    # One tier, one policy: the id comes from syncro:tierPolicies.<Tier> for all of them.
    ids_by_tier: dict[str, set[Any]] = defaultdict(set)
    for mine in assignments.values():
        for item in mine:
            tier_of, policy_id = item.props.get("tier"), item.props.get("partial_policy_id")
            if isinstance(tier_of, str) and is_int(policy_id):
                ids_by_tier[tier_of].add(policy_id)
    for tier_of, ids in sorted(ids_by_tier.items()):
        if len(ids) > 1:
            listed = ", ".join(str(i) for i in sorted(ids))
            report(
                violation(
                    "platform",
                    f"{tier_of} customers get different policies ({listed}); "
                    f"syncro:tierPolicies.{tier_of} names one",
                    "run `make up` so every assignment takes the configured id",
                ),
                None,
            )
    report_orphans("PolicyAssignment", orgs, assignments, report)


POLICY_SET = declare(
    "policy-set",
    "Each customer has one PolicyAssignment putting its tier's RMM policy (catalog) on its "
    "root policy folder, and Syncro applies that policy.",
    validate_policy_set,
    stack=True,
)


def validate_tier_ids(args: StackValidationArgs, report: ReportViolation) -> None:
    unset: dict[tuple[str, str], list[str]] = defaultdict(list)
    for resource_type, key, config in (
        (POLICY_ASSIGNMENT, "partial_policy_id", "tierPolicies"),
        (CONTRACT, "sla_id", "tierSlas"),
    ):
        for item in stack_items(args, resource_type):
            tier_name = item.props.get("tier")
            # None or absent: the engine drops null-valued keys from what it hands over.
            if isinstance(tier_name, str) and item.props.get(key) is None:
                unset[(config, tier_name)].append(item.label())
    for (config, tier_name), customers in sorted(unset.items()):
        what = "RMM policy" if config == "tierPolicies" else "SLA"
        where = "Policies > the policy" if config == "tierPolicies" else "Admin > SLAs > the SLA"
        report(
            violation(
                customers[0],
                f"syncro:{config}.{tier_name} is not configured, so {len(customers)} "
                f"{tier_name} customer(s) ({', '.join(sorted(customers))}) get no {what} yet",
                f"pulumi config set --path syncro:{config}.{tier_name} <id> (the number in the "
                f"URL of {where} in Syncro), then make up",
            ),
            None,
        )


TIER_IDS_CONFIGURED = declare(
    "tier-ids-configured",
    "Every tier in use has its Syncro policy id (syncro:tierPolicies) and SLA id "
    "(syncro:tierSlas) configured.",
    validate_tier_ids,
    stack=True,
    level="advisory",
)
