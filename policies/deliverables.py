"""`tier-deliverables`: each customer's recurring tickets are exactly its tier's.

A `RecurringTicket` keeps the schedule in Pulumi whichever engine opens the tickets
(`opened_by`: `"scheduler"`, our daily scheduler, or `"syncro"`, Syncro's native
recurring ticket; contract 3), so the check is the same for both.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pulumi_policy import ReportViolation, StackValidationArgs

from policies.common import (
    CUSTOMER_FILE,
    ORGANIZATION,
    RECURRING_TICKET,
    UNKNOWN,
    Setting,
    StackItem,
    declare,
    is_int,
    stack_items,
    violation,
)
from resources import catalog

MIN_LEAD = Setting("minLeadDays", 1, "the fewest days before the due date a ticket may open")


def validate_deliverables(args: StackValidationArgs, report: ReportViolation) -> None:
    min_lead = int(MIN_LEAD.read(args))
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
        opened_by = ticket.props.get("opened_by")
        if opened_by not in (None, UNKNOWN, *catalog.DELIVERABLES_MODES):
            report(
                violation(
                    cid,
                    f"RecurringTicket {ticket.name!r} is opened by {opened_by!r}; deliverable "
                    f"tickets are opened by {' or '.join(catalog.DELIVERABLES_MODES)}",
                    "set syncro:deliverables to scheduler (our daily run) or syncro (Syncro's "
                    "own recurring ticket)",
                ),
                ticket.urn,
            )
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
        if lead is not UNKNOWN and not (is_int(lead) and lead >= min_lead):
            report(
                violation(
                    cid,
                    f"RecurringTicket {ticket.name!r} has lead_days {lead!r}; the ticket must "
                    f"open at least {min_lead} day(s) before it is due",
                    "use the deliverable's lead_days from resources/catalog.py DELIVERABLES",
                ),
                ticket.urn,
            )


TIER_DELIVERABLES = declare(
    "tier-deliverables",
    "Each customer's RecurringTickets are exactly its tier's catalog deliverables, "
    "each assigned and opening ahead of its due date.",
    validate_deliverables,
    stack=True,
    settings=(MIN_LEAD,),
)
