"""The runbook in the Pulumi program: the ledger across runs, pending removals, outputs, files.

Design choice (issue 12, item 2): the program reads its own stack's previous
`ui_ledger` output through a StackReference. A UI-only object that disappeared from
the plans (a dropped domain, a downgraded tier, a removed customer) is registered
again, under its old name and parent with its old inputs, so the engine sees it
unchanged and never reports it deleted while Syncro may still have it; the ledger
marks it `pending-removal` and the runbook asks a person to delete it. Once the
person confirms the deletion (confirmations/<stack>.yaml), the program stops
registering it and the engine drops its record: only then does `up` say "deleted",
and then it is true. Chosen over a ledger resource because a ledger resource's
outputs are unknown during preview, and preview must show the change runbook too;
the StackReference is read in preview as in up. In api mode nothing is kept: the
program deletes through the admin surface as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from resources.components import CustomerOnboarding, OnboardingReport, Platform
from resources.confirmations import Confirmation
from resources.domain import CustomerPlan, PlatformPlan
from resources.ledger import Books, effective_status, reconcile, ui_items
from resources.objects.base import SyncroResource
from resources.objects.email_rule import EmailRule
from resources.objects.recurring_ticket import RecurringTicket
from resources.runbook import render_changes, render_runbook, waiting

KEPT_CLASSES = {"EmailRule": EmailRule, "RecurringTicket": RecurringTicket}


def previous_ledger() -> pulumi.Output[Any]:
    """This stack's `ui_ledger` from its last completed update (None on the first)."""
    me = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    return pulumi.StackReference(f"runbook-ledger-{pulumi.get_stack()}", stack_name=me).get_output(
        "ui_ledger"
    )


def keep_removed(books: Books, customers: Mapping[str, CustomerOnboarding]) -> list[SyncroResource]:
    """Register every removal still waiting, exactly as it was (no diff, no delete)."""
    kept: list[SyncroResource] = []
    parents: dict[str, pulumi.Resource] = dict(customers)
    for item in books.removals():
        if not item.resource:
            continue
        cls = KEPT_CLASSES[item.resource["class"]]
        parent_name = item.resource["parent"]
        if parent_name not in parents:  # a removed customer: its component stays too
            parents[parent_name] = pulumi.ComponentResource(
                "syncro:onboarding:CustomerOnboarding", parent_name, None
            )
        kept.append(
            cls.register(
                item.resource["name"],
                {
                    # Outputs drop None values on the way back: each declared input again.
                    **dict.fromkeys(cls.declaration.input_names),
                    **item.resource["inputs"],
                    "pending_removal": True,
                },
                opts=pulumi.ResourceOptions(parent=parents[parent_name]),
            )
        )
    return kept


@dataclass(frozen=True)
class RunbookOutputs:
    customers: dict[str, Any]
    runbook: str
    changes: str
    waiting: int
    ledger: dict[str, Any]


def outputs(
    stack: str,
    platform_plan: PlatformPlan,
    plans: list[CustomerPlan],
    report: OnboardingReport,
    evidence: Mapping[str, str | None],
    previous: Mapping[str, Any] | None,
    confirmed: Mapping[tuple[str, str], Confirmation],
    *,
    dry_run: bool,
    track_removals: bool,
    native_recurring: bool = True,
) -> RunbookOutputs:
    """The stack outputs from resolved statuses: contract 4's status and evidence keys."""
    wanted = ui_items(
        platform_plan, plans, report.organization_ids, native_recurring=native_recurring
    )
    books = reconcile(wanted, previous if track_removals else None, confirmed)
    customers = {cid: dict(summary) for cid, summary in report.customers.items()}
    for plan in plans:  # the kickoff check mails from the main contact too
        customers[plan.client_id]["main_contact"] = plan.organization.email
    for item in books.items:
        status, why = effective_status(item, report.statuses.get(item.key), confirmed)
        why = why or evidence.get(item.key)
        parts = item.key.split(":")
        if parts[0] not in ("rule", "deliverable"):
            continue
        entry = customers.setdefault(parts[1], {"removed": True, "status": {}})
        entry["status"] = {**entry.get("status", {}), item.key: status}
        if why:
            entry["evidence"] = {**entry.get("evidence", {}), item.key: why}
    return RunbookOutputs(
        customers=customers,
        runbook=render_runbook(stack, books, report.statuses, evidence, confirmed),
        changes=render_changes(stack, books, dry_run=dry_run, confirmed=confirmed),
        waiting=waiting(books, report.statuses, confirmed),
        ledger=books.ledger(),
    )


def write_files(root: Path, stack: str, result: RunbookOutputs, *, dry_run: bool) -> None:
    """runbooks/<stack>.md (everything), and what this change asks: <stack>.changes.md
    after `up`, <stack>.preview.md after `preview` (so a preview never hides what the
    last `up` asked)."""
    folder = root / "runbooks"
    folder.mkdir(exist_ok=True)
    (folder / f"{stack}.md").write_text(result.runbook)
    if not dry_run:
        (folder / f"{stack}.changes.md").write_text(result.changes)


def _write_preview(
    root: Path,
    stack: str,
    wanted: list[Any],
    previous: Mapping[str, Any] | None,
    confirmed: Mapping[tuple[str, str], Confirmation],
) -> None:
    folder = root / "runbooks"
    folder.mkdir(exist_ok=True)
    books = reconcile(wanted, previous, confirmed)
    text = render_changes(stack, books, dry_run=True, confirmed=confirmed)
    (folder / f"{stack}.preview.md").write_text(text)


def export(
    root: Path,
    stack: str,
    admin_mode: str,
    platform: Platform,
    platform_plan: PlatformPlan,
    plans: list[CustomerPlan],
    customers: Mapping[str, CustomerOnboarding],
    report: pulumi.Output[OnboardingReport],
    confirmed: Mapping[tuple[str, str], Confirmation],
    deliverables_mode: str = "syncro",
) -> None:
    """Wire the runbook outputs (and, in runbook mode, the files and kept removals)."""
    native_recurring = deliverables_mode == "syncro"
    del platform  # statuses come through `report`
    dry_run = pulumi.runtime.is_dry_run()
    runbook_mode = admin_mode == "runbook"
    previous: pulumi.Output[Any] = (
        previous_ledger() if runbook_mode else pulumi.Output.from_input(None)
    )
    if runbook_mode:
        wanted_now = ui_items(platform_plan, plans, native_recurring=native_recurring)
        previous.apply(lambda led: keep_removed(reconcile(wanted_now, led, confirmed), customers))
        if dry_run:  # new customers' ids are unknown in preview: the steps need none
            previous.apply(lambda led: _write_preview(root, stack, wanted_now, led, confirmed))

    proofs = {
        rule.status_key: rule.evidence  # type: ignore[attr-defined]
        for customer in customers.values()
        for rule in customer.email_rules.values()
    }

    def build(args: list[Any]) -> RunbookOutputs:
        result = outputs(
            stack,
            platform_plan,
            plans,
            args[0],
            dict(zip(proofs, args[2:], strict=True)),
            args[1],
            confirmed,
            dry_run=dry_run,
            track_removals=runbook_mode,
            native_recurring=native_recurring,
        )
        if runbook_mode:
            write_files(root, stack, result, dry_run=dry_run)
        return result

    result = pulumi.Output.all(report, previous, *proofs.values()).apply(build)
    pulumi.export("customers", result.apply(lambda r: r.customers))
    pulumi.export("runbook", result.apply(lambda r: r.runbook))
    pulumi.export("runbook_changes", result.apply(lambda r: r.changes))
    pulumi.export("runbook_waiting", result.apply(lambda r: r.waiting))
    pulumi.export("ui_ledger", result.apply(lambda r: r.ledger))
