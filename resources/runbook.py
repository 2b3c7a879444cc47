"""The runbook: what a person types into Syncro's web UI for the objects its API lacks.

In `runbook` mode the program writes none of these objects; this page is then the
only way they come to exist, so it gives the exact UI path, every value verbatim, the
order that matters (the mailbox is made safe before leads turn into tickets; email
rules in the order Syncro evaluates them) and, per object, the status the last run
saw and how `refresh` will verify it. It is rendered from the same plans the
resources are made from, so it cannot describe something else. Pure and
deterministic: the same plans and statuses always give the same text, and nothing in
it is secret (EDR key values never reach a plan).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from resources.domain import (
    AutomationPlan,
    CustomerPlan,
    PlatformPlan,
    ordered_rules,
    shadowed_rules,
)

PATH_FIELDS = "Admin > Customers - Customer Custom Fields"
PATH_MAILBOXES = "Admin > Emails/SMS - Mailboxes"
PATH_PREFERENCES = "Admin > Tickets - Preferences"
PATH_EMAIL_RULES = "Admin > Emails/SMS - Mailboxes > Email Rules"
PATH_RECURRING = "Tickets > Recurring Tickets"
PATH_AUTOMATIONS = "Admin > Ticket Automations"

FIELD_TYPE_LABELS = {"text": "Text", "dropdown": "Drop Down", "date": "Date"}
AUTO_CREATE_LABELS = {
    "never": "Never",
    "always": "Always",
    "only_existing": "Only for existing Customers",
}
FREQUENCY_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}
AUTOMATION_LABELS = {"acknowledgement": "Acknowledgement", "staff_alert": "Staff alert"}


# --- status keys -------------------------------------------------------------------------
# `render_runbook(statuses=...)` looks each object up under one of these keys:
#   field:<display name>                e.g. field:CS Client ID
#   mailbox
#   preferences
#   automation:<kind>                   e.g. automation:acknowledgement
#   rule:<client id>:<domain>           e.g. rule:CS-0042:smithlaw.com
#   deliverable:<client id>:<key>       e.g. deliverable:CS-0042:qbr
# Components and providers build their exported keys with these same functions.


def status_key_field(name: str) -> str:
    return f"field:{name}"


def status_key_mailbox() -> str:
    return "mailbox"


def status_key_preferences() -> str:
    return "preferences"


def status_key_automation(kind: str) -> str:
    return f"automation:{kind}"


def status_key_rule(client_id: str, domain: str) -> str:
    return f"rule:{client_id}:{domain}"


def status_key_deliverable(client_id: str, key: str) -> str:
    return f"deliverable:{client_id}:{key}"


# --- markdown helpers -------------------------------------------------------------------


def code(text: str) -> str:
    """`text` as an inline code span, verbatim even if it holds backticks."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def block(text: str, indent: str) -> list[str]:
    """`text` as a fenced code block inside a list item, so templates stay verbatim."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [
        f"{indent}{fence}text",
        *(f"{indent}{line}" for line in text.split("\n")),
        indent + fence,
    ]


def on_off(value: bool) -> str:
    return "**ON**" if value else "**OFF**"


class _Page:
    """Collects lines and numbers the steps across sections (one list a person ticks off)."""

    def __init__(self, statuses: Mapping[str, str | None] | None) -> None:
        self.lines: list[str] = []
        self.step = 0
        self.statuses = statuses
        self.seen: list[str] = []
        self.indent = "   "

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def status_of(self, key: str) -> str | None:
        if self.statuses is None:
            return None
        return self.statuses.get(key) or "unknown"

    def item(self, title: str, key: str, details: Sequence[str]) -> None:
        self.step += 1
        status = self.status_of(key)
        if status:
            self.seen.append(status)
        suffix = f" (status: `{status}`)" if status else ""
        marker = f"{self.step}. "
        # Nested lines are indented to the item's text, or Markdown ends the item.
        self.indent = " " * len(marker)
        self.add(f"{marker}{title}{suffix}")
        self.add(*(f"{self.indent}- {line}" for line in details))

    def section(self, title: str, path: str, why: str, verify: str) -> None:
        self.add(
            "", f"## {title}", "", f"Where: **{path}**", "", why, "", f"Verification: {verify}", ""
        )


# --- customers --------------------------------------------------------------------------


def _customer_label(plan: CustomerPlan, org_ids: Mapping[str, int | None]) -> str:
    org_id = org_ids.get(plan.client_id)
    name = code(plan.organization.business_name)
    if org_id is None:
        return f"{name} ({plan.client_id}; Syncro id not known yet, pick it by name)"
    return f"{name} ({plan.client_id}, Syncro customer id {org_id})"


def _overview(
    page: _Page, customers: Sequence[CustomerPlan], org_ids: Mapping[str, int | None]
) -> None:
    page.add(
        "",
        "## Customers in this stack",
        "",
        "Created through Syncro's public API by the program in every mode (no UI step); "
        "listed so the steps below can refer to them.",
        "",
        "| Client ID | Business name | Tier | Syncro customer id | Domains |",
        "|---|---|---|---|---|",
    )
    for plan in customers:
        org = plan.organization
        org_id = org_ids.get(plan.client_id)
        name = org.business_name.replace("|", "\\|")
        page.add(
            f"| {plan.client_id} | {name} | {org.tier} | "
            f"{org_id if org_id is not None else 'not known yet'} | {', '.join(org.domains)} |"
        )


def _fields(page: _Page, platform: PlatformPlan) -> None:
    page.section(
        "1. Customer custom fields",
        PATH_FIELDS,
        "Syncro drops a customer's custom field value when the field is not defined, so "
        "define every field first, with the name exactly as shown (the program writes the "
        "values under these names).",
        "refresh marks a field `verified` once `GET /settings` lists a customer custom "
        "field with this exact name (`customers.customer_fields`).",
    )
    for field in platform.custom_fields:
        details = [
            f"Name: {code(field.name)}",
            f"Field type: {FIELD_TYPE_LABELS.get(field.field_type, field.field_type)}",
        ]
        if field.answers:
            answers = ", ".join(code(a) for a in field.answers)
            details.append(f"Answers, in this order: {answers}")
        if field.field_type == "date":
            details.append("Values are ISO dates (YYYY-MM-DD)")
        if field.secret:
            details.append(
                "Holds a secret EDR key: the program writes each customer's value through "
                "the API from the stack's encrypted config; never type a key anywhere"
            )
        page.item(f"Add the field {code(field.name)}", status_key_field(field.name), details)


def _mailbox(page: _Page, platform: PlatformPlan) -> None:
    page.section(
        "2. Support mailbox",
        PATH_MAILBOXES,
        "Do this before section 3. With leads turning into tickets, a mailbox that "
        "creates tickets for anybody turns every unknown sender (spam included) into a "
        'new customer; "Only for existing Customers" lets only known senders and '
        "email-rule domains open tickets.",
        "the public API cannot show mailbox settings, so this stays `pending` after "
        "refresh. Check it yourself: mail the address from an address no customer uses; "
        "no new customer may appear under Customers.",
    )
    label = AUTO_CREATE_LABELS.get(platform.mailbox_auto_create, platform.mailbox_auto_create)
    page.item(
        f"Set up the mailbox {code(platform.mailbox_address)}",
        status_key_mailbox(),
        [
            f"Address: {code(platform.mailbox_address)}",
            f"Active: {on_off(True)}",
            f"Automatically Create Tickets: **{label}**",
        ],
    )


def _preferences(page: _Page, platform: PlatformPlan, customers: Sequence[CustomerPlan]) -> None:
    problem_types = sorted({d.problem_type for c in customers for d in c.deliverables})
    page.section(
        "3. Ticket preferences",
        PATH_PREFERENCES,
        "Leads from the mailbox become tickets only with the first switch on; recurring "
        "tickets (section 5) can be created only with the second.",
        "the public API cannot show these switches, so this stays `pending` after "
        "refresh; a `verified` email rule (section 4) proves the first switch, a "
        "`verified` recurring ticket (section 5) proves the second.",
    )
    details = [
        f"Create Tickets from Leads (If Valid): {on_off(platform.create_tickets_from_leads)}",
        f"Enable Recurring Tickets: {on_off(platform.enable_recurring_tickets)}",
    ]
    if problem_types:
        details.append(
            "Ticket problem types must include "
            + ", ".join(code(p) for p in problem_types)
            + " (the recurring tickets use it); add it where your Syncro lists problem types "
            "if it is missing"
        )
    page.item("Set the ticket preferences", status_key_preferences(), details)


def _rules(
    page: _Page,
    platform: PlatformPlan,
    customers: Sequence[CustomerPlan],
    org_ids: Mapping[str, int | None],
) -> None:
    rules = ordered_rules(customers)
    by_client = {plan.client_id: plan for plan in customers}
    page.section(
        "4. Email rules",
        PATH_EMAIL_RULES,
        "Syncro runs the rules top-down and the first match wins. Create one rule per "
        "line below and make the list read in exactly this order (position first; within a "
        "position, the order shown). Mail from these domains then opens a ticket on the "
        "right customer and creates the sender as a contact there.",
        "refresh marks a rule `verified` once a lead from its domain is Won and carries "
        "a ticket on its customer. Send a test email from an address at the domain to "
        f"{code(platform.mailbox_address)} to prove it.",
    )
    for earlier, later in shadowed_rules(rules):
        page.add(
            f"> **Warning:** rule {code(later.sender)} ({later.client_id}) can never fire: "
            f"{code(earlier.sender)} ({earlier.client_id}) above it matches all of its mail.",
            "",
        )
    if not rules:
        page.add("(No customer rules in this stack.)")
    for index, rule in enumerate(rules, start=1):
        plan = by_client[rule.client_id]
        page.item(
            f"Rule {index} of {len(rules)}: {code(rule.sender)} to "
            f"{code(plan.organization.business_name)}",
            status_key_rule(rule.client_id, rule.domain),
            [
                f"Sender email address: {code(rule.sender)}",
                "Subject filter: "
                + (code(rule.subject_filter) if rule.subject_filter else "(leave empty)"),
                f"Customer: {_customer_label(plan, org_ids)}",
                "Assignee: (leave empty)",
                f"Mailbox: {code(platform.mailbox_address)}",
                "Auto Create Contact Under Above Customer: " + on_off(rule.auto_create_contact),
                f"Position: {rule.position} (place it as rule {index} of {len(rules)})",
            ],
        )


def _recurring(
    page: _Page, customers: Sequence[CustomerPlan], org_ids: Mapping[str, int | None]
) -> None:
    page.section(
        "5. Recurring tickets",
        PATH_RECURRING,
        "One schedule per deliverable the customer's tier owes, assigned to the account "
        "manager. Copy each subject exactly: refresh recognises the tickets by it. "
        "Syncro runs schedules once a day at 5 a.m. Pacific.",
        "refresh marks a schedule `verified` once a ticket with this subject, created by "
        "a recurring schedule, exists on the customer (that is, after its first run).",
    )
    if not any(plan.deliverables for plan in customers):
        page.add("(No recurring tickets in this stack.)")
    for plan in customers:
        for item in plan.deliverables:
            opens = item.first_due - timedelta(days=item.lead_days)
            page.item(
                f"{item.title} for {code(plan.organization.business_name)}",
                status_key_deliverable(item.client_id, item.key),
                [
                    f"Customer: {_customer_label(plan, org_ids)}",
                    f"Subject: {code(item.subject)}",
                    f"Problem type: {code(item.problem_type)}",
                    f"Assignee: the Syncro user {code(item.assignee)}",
                    f"Frequency: {FREQUENCY_LABELS.get(item.frequency, item.frequency)}",
                    f"Next due date: {item.first_due.isoformat()}",
                    f"Lead days: {item.lead_days} (the first ticket opens on {opens.isoformat()})",
                ],
            )


def _automation_details(automation: AutomationPlan) -> list[str]:
    if automation.kind == "acknowledgement":
        details = [
            "When: a ticket is created from an inbound email",
            "Action: email the ticket's contact",
        ]
    else:
        recipients = ", ".join(code(a) for a in automation.notify) or "(nobody configured)"
        details = [
            "When: a ticket is created from an inbound email",
            f"Action: email these staff members: {recipients}",
        ]
    details.append(f"Email subject: {code(automation.subject_template)}")
    return [f"Name: {code(automation.name)}", *details, "Email body (type it exactly):"]


def _automations(page: _Page, platform: PlatformPlan) -> None:
    page.section(
        "6. Ticket automations",
        PATH_AUTOMATIONS,
        "The acknowledgement tells the sender the ticket number to quote back; the staff "
        "alert makes sure no new ticket waits unseen. Keep the `{{...}}` tags as they are: "
        "Syncro fills them in.",
        "the public API cannot show automations, so these stay `pending` after refresh. "
        "Check them yourself: a test email (section 4) must bring back the acknowledgement "
        "with a ticket number, and the staff must get the alert.",
    )
    for automation in platform.automations:
        label = AUTOMATION_LABELS.get(automation.kind, automation.kind)
        page.item(
            f"{label}: {code(automation.name)}",
            status_key_automation(automation.kind),
            _automation_details(automation),
        )
        page.add("", *block(automation.body_template, page.indent), "")


def _progress(page: _Page) -> list[str]:
    """One line counting the rendered objects by status (none without statuses)."""
    if page.statuses is None:
        return []
    counts: dict[str, int] = {}
    for status in page.seen:
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return ["", f"Progress: {summary} (of {len(page.seen)} objects)."]


def render_runbook(
    stack: str,
    platform: PlatformPlan,
    customers: Sequence[CustomerPlan],
    statuses: Mapping[str, str | None] | None = None,
    org_ids: Mapping[str, int | None] | None = None,
) -> str:
    """The Markdown runbook for `stack`. `statuses` and `org_ids` come from the last run
    (status keys as exported by the components); without them the steps carry no status
    and customers are referred to by name."""
    customers = sorted(customers, key=lambda plan: plan.client_id)
    org_ids = org_ids or {}
    page = _Page(statuses)
    _overview(page, customers, org_ids)
    _fields(page, platform)
    _mailbox(page, platform)
    _preferences(page, platform, customers)
    _rules(page, platform, customers, org_ids)
    _recurring(page, customers, org_ids)
    _automations(page, platform)
    header = [
        f"# Syncro runbook: stack `{stack}`",
        "",
        "Generated from `customers/*.yaml` by `pulumi up`; do not edit it by hand "
        f"(`make runbook STACK={stack}` writes it again).",
        "",
        "Syncro's public API cannot create the objects below: they exist only in "
        "Syncro's web UI. Signed in as a Syncro admin, work through the numbered steps in "
        "order and type every value exactly as shown. Then run "
        f"`make refresh STACK={stack}`: refresh checks through the public API what it can "
        "see and marks those objects `verified` (each section says how); "
        f"`make runbook STACK={stack}` then writes this page again with the new statuses.",
        "",
        "Statuses: `pending` = not done yet, or done but not visible through the API; "
        "`verified` = refresh saw it work; `applied` = the program wrote it (api mode), "
        "nothing to do; `unknown` = the last run reported no status.",
        *_progress(page),
    ]
    page.add(
        "",
        "## When you are done",
        "",
        f"1. `make refresh STACK={stack}` (marks what the public API can see as `verified`).",
        f"2. `make runbook STACK={stack}` (this page again, with the new statuses).",
        "3. Items that stay `pending` after refresh (mailbox, preferences, automations) are "
        "checked by eye as described in their sections.",
        "",
    )
    text = "\n".join([*header, *page.lines])
    return re.sub(r"\n{3,}", "\n\n", text)


__all__ = [
    "PATH_AUTOMATIONS",
    "PATH_EMAIL_RULES",
    "PATH_FIELDS",
    "PATH_MAILBOXES",
    "PATH_PREFERENCES",
    "PATH_RECURRING",
    "render_runbook",
    "status_key_automation",
    "status_key_deliverable",
    "status_key_field",
    "status_key_mailbox",
    "status_key_preferences",
    "status_key_rule",
]
