"""The runbook's books: every UI-only object as a person sees it, and what a change asks.

In runbook mode nothing the program decides about email rules, recurring tickets,
the mailbox, preferences, automations or field definitions reaches Syncro until a
person types it in. So each run exports a *ledger* (stack output `ui_ledger`): per
status key, the values the person is asked to type and their fingerprint. The next
run reads the previous ledger back (a StackReference to its own stack, see
resources/removals.py) and compares: keys that appear are additions, keys whose
values moved are changes (old -> new, per label), keys that disappear are removals.
A removal stays on the books (status `pending-removal`, its record carried into the
new ledger) until a person confirms it: Syncro's public API cannot show that a rule
or a recurring ticket is gone. Pure: no I/O, no Pulumi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from resources.confirmations import Confirmation, fingerprint, removal_fingerprint
from resources.domain import CustomerPlan, PlatformPlan, ordered_rules

SECTIONS = ("fields", "mailbox", "preferences", "automations", "rules", "recurring")
"""The SOP's working order: definitions, a safe mailbox, the switches, the
acknowledgement before any test mail, then the rules, then the schedules."""

# What Syncro's public API cannot show, so a person's confirmation counts for it.
# Field definitions (GET /settings) and email rules (a lead only the rule can have
# won) are proved through the API, never by a person's word.
CONFIRMABLE_SECTIONS = ("mailbox", "preferences", "automations", "recurring")

FIELD_TYPE_LABELS = {"text": "Text", "dropdown": "Drop Down", "date": "Date"}
AUTO_CREATE_LABELS = {
    "never": "Never",
    "always": "Always",
    "only_existing": "Only for existing Customers",
}
FREQUENCY_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}


def on_off(value: bool) -> str:
    return "ON" if value else "OFF"


def _typed(values: Mapping[str, str]) -> dict[str, str]:
    """The values a person types, without the Syncro id that appears once Syncro has one
    (learning the id is no change a person must make)."""
    return {
        label: value.split(" (", 1)[0] if label in ("Assign to Organization", "Customer") else value
        for label, value in values.items()
    }


@dataclass(frozen=True)
class UiItem:
    """One UI-only object: its status key, where it goes, what a person types."""

    key: str
    section: str
    title: str
    values: dict[str, str]
    resource: dict[str, Any] | None = None
    """For customer objects: the resource's class, name, parent and inputs, so a removed
    one can stay registered (and undeleted) until its removal is confirmed."""
    removal: bool = False
    fingerprint: str = field(default="")

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(_typed(self.values)))

    @property
    def step_fingerprint(self) -> str:
        """What a confirmation must name: the removal step's own print for a removal."""
        return removal_fingerprint(self.fingerprint) if self.removal else self.fingerprint

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "section": self.section,
            "title": self.title,
            "values": dict(self.values),
            "fingerprint": self.fingerprint,
            "removal": self.removal,
        }
        if self.resource is not None:
            record["resource"] = self.resource
        return record

    @classmethod
    def from_record(cls, key: str, record: Mapping[str, Any]) -> UiItem:
        return cls(
            key=key,
            section=str(record["section"]),
            title=str(record["title"]),
            values={str(k): str(v) for k, v in dict(record["values"]).items()},
            resource=dict(record["resource"]) if record.get("resource") else None,
            removal=bool(record.get("removal")),
            fingerprint=str(record["fingerprint"]),
        )


def _customer_ref(plan: CustomerPlan, org_id: Any) -> str:
    name = plan.organization.business_name
    if isinstance(org_id, int | float):
        return f"{name} ({plan.client_id}, Syncro customer id {int(org_id)})"
    return f"{name} ({plan.client_id}; Syncro id not known yet, pick it by name)"


def ui_items(
    platform: PlatformPlan,
    customers: Sequence[CustomerPlan],
    org_ids: Mapping[str, Any] | None = None,
    *,
    native_recurring: bool = True,
) -> list[UiItem]:
    """Every UI-only object the plans ask for, in the SOP's order. `native_recurring`:
    deliverables are Syncro's own recurring tickets (`syncro:deliverables: syncro`), which
    a person types; with the scheduler (the default) they go through the public API."""
    org_ids = org_ids or {}
    items: list[UiItem] = []
    for f in platform.custom_fields:
        values = {"Name": f.name, "Field type": FIELD_TYPE_LABELS.get(f.field_type, f.field_type)}
        if f.answers:
            values["Answers, in this order"] = ", ".join(f.answers)
        items.append(UiItem(f"field:{f.name}", "fields", f"custom field {f.name}", values))
    items.append(
        UiItem(
            "mailbox",
            "mailbox",
            f"mailbox {platform.mailbox_address}",
            {
                "Address": platform.mailbox_address,
                "Active": on_off(True),
                "Automatically Create Tickets": AUTO_CREATE_LABELS.get(
                    platform.mailbox_auto_create, platform.mailbox_auto_create
                ),
            },
        )
    )
    items.append(
        UiItem(
            "preferences",
            "preferences",
            "ticket preferences",
            {
                "Create Tickets from Leads (If Valid)": on_off(platform.create_tickets_from_leads),
                "Enable Recurring Tickets": on_off(platform.enable_recurring_tickets),
            },
        )
    )
    for a in platform.automations:
        values = {
            "Name": a.name,
            "Email subject": a.subject_template,
            "Email body": a.body_template,
        }
        if a.notify:
            values["Notify"] = ", ".join(a.notify)
        items.append(UiItem(f"automation:{a.kind}", "automations", f"automation {a.name}", values))
    by_client = {plan.client_id: plan for plan in customers}
    for rule in ordered_rules(customers):
        plan = by_client[rule.client_id]
        org_id = org_ids.get(rule.client_id)
        values = {
            "From email domain": rule.sender,
            "Subject filter": rule.subject_filter or "(empty)",
            "Assign to Organization": _customer_ref(plan, org_id),
            "Mailbox": platform.mailbox_address,
            "Auto Create Contact Under Above Customer": on_off(rule.auto_create_contact),
            "Position": str(rule.position),
        }
        resource = {
            "class": "EmailRule",
            "name": f"{rule.client_id}-rule-{rule.domain}",
            "parent": rule.client_id,
            "inputs": {
                "client_id": rule.client_id,
                "domain": rule.domain,
                "sender": rule.sender,
                "subject_filter": rule.subject_filter,
                "position": rule.position,
                "auto_create_contact": rule.auto_create_contact,
                "mailbox": platform.mailbox_address,
                "mailbox_id": None,
                "customer_id": org_id,
                "admin_mode": "runbook",
            },
        }
        name = plan.organization.business_name
        items.append(
            UiItem(
                f"rule:{rule.client_id}:{rule.domain}",
                "rules",
                f"email rule {rule.sender} ({name}, {rule.client_id})",
                values,
                resource,
            )
        )
    for plan in sorted(customers, key=lambda p: p.client_id) if native_recurring else ():
        org_id = org_ids.get(plan.client_id)
        for d in plan.deliverables:
            opens = d.first_due - timedelta(days=d.lead_days)
            values = {
                "Customer": _customer_ref(plan, org_id),
                "Subject": d.subject,
                "Issue Type": d.problem_type,
                "Assignee": d.assignee,
                "Frequency": FREQUENCY_LABELS.get(d.frequency, d.frequency),
                "Next due date": d.first_due.isoformat(),
                "Lead days": f"{d.lead_days} (the first ticket opens on {opens.isoformat()})",
            }
            resource = {
                "class": "RecurringTicket",
                "name": f"{plan.client_id}-{d.key}",
                "parent": plan.client_id,
                "inputs": {
                    "client_id": plan.client_id,
                    "deliverable": d.key,
                    "subject": d.subject,
                    "problem_type": d.problem_type,
                    "frequency": d.frequency,
                    "first_due": d.first_due.isoformat(),
                    "lead_days": d.lead_days,
                    "assignee": d.assignee,
                    "customer_id": org_id,
                    "admin_mode": "runbook",
                },
            }
            items.append(
                UiItem(
                    f"deliverable:{plan.client_id}:{d.key}",
                    "recurring",
                    f"recurring ticket {d.subject}",
                    values,
                    resource,
                )
            )
    return items


def comparable(item: UiItem) -> dict[str, str]:
    return _typed(item.values)


@dataclass(frozen=True)
class Change:
    kind: str  # "add" | "change" | "remove"
    item: UiItem
    old: UiItem | None = None

    def moved(self) -> list[tuple[str, str, str]]:
        """(label, old, new) for each value a change moves."""
        if self.old is None:
            return []
        before, after = comparable(self.old), comparable(self.item)
        labels = [*after, *(label for label in before if label not in after)]
        return [
            (label, before.get(label, "(none)"), after.get(label, "(none)"))
            for label in labels
            if before.get(label) != after.get(label)
        ]


@dataclass(frozen=True)
class Books:
    """This run's ledger and what the change since the last run asks of a person."""

    items: list[UiItem]
    """Wanted items, then removals still waiting (in SOP order)."""
    changes: list[Change]
    """This change: additions, then changes, then removals (each in SOP order)."""

    def ledger(self) -> dict[str, dict[str, Any]]:
        return {item.key: item.as_record() for item in self.items}

    def removals(self) -> list[UiItem]:
        return [item for item in self.items if item.removal]


def _order(item: UiItem) -> int:
    return SECTIONS.index(item.section)


def reconcile(
    wanted: Sequence[UiItem],
    previous: Mapping[str, Mapping[str, Any]] | None,
    confirmed: Mapping[tuple[str, str], Confirmation],
) -> Books:
    """Compare the wanted items with the previous ledger (None on a stack's first run)."""
    old = {key: UiItem.from_record(key, rec) for key, rec in (previous or {}).items()}
    wanted_keys = {item.key for item in wanted}
    adds: list[Change] = []
    moves: list[Change] = []
    removes: list[Change] = []
    for item in wanted:
        before = old.get(item.key)
        if before is None or before.removal:
            adds.append(Change("add", item))  # a removal taken back is typed in again
        elif comparable(before) != comparable(item):
            moves.append(Change("change", item, before))
    waiting: list[UiItem] = []
    for key, before in old.items():
        if key in wanted_keys:
            continue
        removal = UiItem(
            key,
            before.section,
            before.title,
            before.values,
            before.resource,
            removal=True,
            fingerprint=before.fingerprint,
        )
        if (key, removal.step_fingerprint) in confirmed:
            continue  # a person removed it and said so: off the books
        waiting.append(removal)
        if not before.removal:
            removes.append(Change("remove", removal))
    keyed = lambda change: _order(change.item)  # noqa: E731
    return Books(
        items=[*wanted, *sorted(waiting, key=_order)],
        changes=[*sorted(adds, key=keyed), *sorted(moves, key=keyed), *sorted(removes, key=keyed)],
    )


def effective_status(
    item: UiItem, reported: str | None, confirmed: Mapping[tuple[str, str], Confirmation]
) -> tuple[str, str | None]:
    """(status, evidence) for an item: what the API saw wins; then a person's confirmation
    of the current configuration; a removal waits for its confirmation."""
    if item.removal:
        return "pending-removal", None
    if reported == "verified":
        return "verified", None
    confirmation = confirmed.get((item.key, item.fingerprint))
    if confirmation is not None and item.section in CONFIRMABLE_SECTIONS:
        return "confirmed", confirmation.text()
    return reported or "pending", None


__all__ = [
    "CONFIRMABLE_SECTIONS",
    "SECTIONS",
    "Books",
    "Change",
    "UiItem",
    "comparable",
    "effective_status",
    "reconcile",
    "ui_items",
]
