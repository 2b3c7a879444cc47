"""Terminal output of the commands (Rich tables). No secret value is ever passed in here."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from onboard_cli.diagnose import Diagnosis
from onboard_cli.importer import ImportPlan, summary_counts
from onboard_cli.sla import SlaReport, terms_word
from onboard_cli.status import NA, StatusReport
from onboard_cli.status import CustomerRow as StatusRow


def import_report(
    console: Console, plan: ImportPlan, out: Path, dry_run: bool, requests: int
) -> None:
    counts = summary_counts(plan)
    verb = "would write" if dry_run else "writes"
    console.print(
        f"{counts['organizations']} organizations read in {requests} requests: "
        f"{verb} {counts['files']} files to {out}/, {counts['blocked']} need a fix first, "
        f"{counts['skipped']} skipped"
    )
    if plan.writable():
        table = Table(title="customer files", show_lines=False)
        for column in ("organization", "file", "client ID", "tier", "domain", "notes"):
            table.add_column(column)
        for c in plan.writable():
            table.add_row(
                c.label,
                c.filename,
                c.data["client_id"],
                c.data["tier"],
                ", ".join(c.data["domains"]),
                "; ".join(c.notes),
            )
        console.print(table)
    if plan.blocked():
        table = Table(title="not imported: what to fix in Syncro", show_lines=True)
        table.add_column("organization")
        table.add_column("gap")
        table.add_column("fix")
        for c in plan.blocked():
            for gap in c.gaps:
                table.add_row(c.label, f"{gap.field}: {gap.problem}", gap.fix)
        console.print(table)
    for c in plan.skipped():
        console.print(f"skipped {c.label}: {c.skipped}", highlight=False)


def import_done(console: Console, written: list[Path], stored: list[str], stack: str) -> None:
    console.print(f"wrote {len(written)} customer files (adopt: true)")
    if stored:
        console.print(
            f"stored HUNT_A-KEY and HUNT_O-KEY of {len(stored)} customers as secrets in stack "
            f"{stack} (syncro:edrKeys.<CID>.account|org): {', '.join(stored)}",
            highlight=False,
        )
    console.print(
        "next: make preview (each imported organization shows as a create that adopts the "
        "existing record; see README 'Day two')"
    )


def _deliverable_cell(row: StatusRow) -> str:
    lines = []
    for d in row.deliverables:
        flag = " [red]OVERDUE[/red]" if d.overdue else ""
        lines.append(f"{d.title}: next {d.next_due}, last {d.last_opened}{flag}")
    return "\n".join(lines) or NA


# Statuses (contract 4) and states by colour: green seen through the API, cyan done,
# yellow waiting, red wrong; n/a dim.
STATE_STYLES = {
    "verified": "green",
    "confirmed": "green",
    "active": "green",
    "complete": "green",
    "passed": "green",
    "applied": "cyan",
    "pending": "yellow",
    "pending-removal": "yellow",
    "missing:": "yellow",
    "no": "yellow",
    "failed": "red",
    "archived": "red",
    "not": "red",
    NA: "dim",
}


def _styled(cell: str) -> Text:
    """A cell coloured by the state each line starts with (after an `@domain:` label)."""
    text = Text()
    for n, line in enumerate(cell.split("\n")):
        if n:
            text.append("\n")
        label, sep, rest = line.partition(": ") if line.startswith("@") else ("", "", line)
        text.append(label + sep)
        word = rest.split(" ", 1)[0]
        text.append(rest, style=STATE_STYLES.get(word, ""))
    return text


def status_table(console: Console, report: StatusReport) -> None:
    table = Table(
        title=f"onboarding status on {report.today} ({report.requests} API reads)",
        show_lines=True,
    )
    columns = (
        "customer",
        "tier",
        "organization",
        "custom fields",
        "email rules",
        "policy",
        "SLA contract",
        "main contact",
        "deliverables",
        "kickoff mail",
        "waiting",
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in report.rows:
        fields = (
            "complete" if not row.missing_fields else "missing: " + ", ".join(row.missing_fields)
        )
        rules = "\n".join(f"@{d}: {s}" for d, s in row.rules.items()) or NA
        table.add_row(
            Text(f"{row.client_id}\n{row.business_name}"),
            Text(row.tier),
            _styled(f"{row.organization} (#{row.organization_id})"),
            _styled(fields),
            _styled(rules),
            _styled(row.policy),
            _styled(row.contract),
            _styled(row.contact),
            _deliverable_cell(row),
            _styled(row.kickoff),
            Text(str(row.waiting), style="yellow" if row.waiting else "green"),
        )
    console.print(table, markup=True)
    console.print(
        f"runbook steps waiting for a person (whole stack): {report.runbook_waiting}",
        highlight=False,
    )


SVG_WIDTH = 200  # columns: the whole table, no folding of the deliverables cell


def status_svg(report: StatusReport, path: Path) -> None:
    """The terminal table as Rich draws it, saved as SVG text (README's picture)."""
    recorder = Console(record=True, width=SVG_WIDTH, file=io.StringIO(), color_system="truecolor")
    status_table(recorder, report)
    recorder.save_svg(str(path), title="syncro-onboard status --stack local")


MARK = {"pass": "[green]pass[/green]", "fail": "[red]FAIL[/red]", "unknown": "[yellow]?[/yellow]"}


def diagnosis(console: Console, found: Diagnosis) -> None:
    table = Table(title=f"diagnose {found.sender}: test email didn't open a ticket")
    for column in ("", "check", "result", "what the API shows"):
        table.add_column(column, overflow="fold")
    for n, check in enumerate(found.checks):
        table.add_row(
            "abcde"[n] if n < 5 else str(n), check.title, MARK[check.result], check.detail
        )
    console.print(table)
    leads = Table(title=f"recent leads from {found.sender}")
    for column in ("lead", "email", "status", "ticket", "organization"):
        leads.add_column(column)
    for lead in found.leads:
        leads.add_row(
            f"#{lead['id']}",
            lead["email"] or "",
            lead["status"] or "New",
            f"#{lead['ticket_id']}" if lead["ticket_id"] else "none",
            lead["organization"] or "none",
        )
    console.print(leads if found.leads else f"no lead from {found.sender} among the newest")
    failure = found.first_failure
    if failure:
        console.print(
            f"first failing check: {failure.title}: {failure.detail}\nfix: {failure.fix}",
            highlight=False,
            markup=False,
        )
    else:
        console.print("no check failed", highlight=False)
    console.print(f"({found.requests} API reads)", highlight=False)


def sla_table(console: Console, report: SlaReport) -> None:
    table = Table(title=f"SLA since {report.since} ({report.requests} API reads)")
    columns = (
        "customer",
        "tier",
        "terms",
        "tickets",
        "incidents",
        "median 1st response h",
        "median resolution h",
        "breaches",
    )
    for column in columns:
        table.add_column(column)
    for c in report.customers:
        d = c.as_dict()
        table.add_row(
            f"{c.client_id} {c.business_name}",
            c.tier,
            d["terms"],
            str(c.tickets),
            str(c.incidents),
            str(d["median_first_response_hours"] or "n/a"),
            str(d["median_resolution_hours"] or "n/a"),
            str(len(c.breaches)),
        )
    console.print(table)
    if report.breaches:
        listed = Table(title="breaches")
        for column in ("ticket", "customer", "tier", "what", "took h", "allowed", "opened"):
            listed.add_column(column)
        for b in report.breaches:
            listed.add_row(
                f"#{b.ticket_number}",
                b.client_id,
                b.tier,
                b.kind,
                "still waiting" if b.took_hours is None else f"{b.took_hours:.1f}",
                f"{b.allowed_hours} h {terms_word(b.tier)}",
                b.created[:16],
            )
        console.print(listed)
    for line in report.skipped:
        console.print(f"skipped {line}", highlight=False)
