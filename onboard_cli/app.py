"""`syncro-onboard`: the command line (Typer). Each command only wires its module to output.

Typer (on Click) parses the command line and Rich draws tables and progress bars: both
are well-kept, widely used libraries, and Typer turns type hints into options and help.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from onboard_cli import importer, output, pages
from onboard_cli.diagnose import diagnose as run_diagnosis
from onboard_cli.sla import build_report as build_sla
from onboard_cli.stack import PulumiCli, Stack, StackError, store_edr_keys
from onboard_cli.status import STATUS_REQUESTS, build_status
from resources import catalog, scheduler
from resources.deliverables import schedules_from_outputs
from resources.spec import CustomerFileError, load_customers
from resources.syncro import SyncroClient, SyncroError

app = typer.Typer(
    name="syncro-onboard",
    help="Day two on Syncro: import existing customers, status, diagnose mail, SLA report.",
    no_args_is_help=True,
    add_completion=False,
)


def _consoles() -> tuple[Console, Console]:
    """Made per command, so the terminal's width (or COLUMNS) is read when it runs."""
    return Console(), Console(stderr=True)


StackOption = Annotated[
    str, typer.Option("--stack", "-s", help="the Pulumi stack whose config and outputs to use")
]


@app.callback()
def root() -> None:
    """Reads the stack's config (base URL, token, rate budget) through the Pulumi CLI and talks
    to Syncro with the program's client: paced, retried, the token never shown."""


def _stack(ctx: typer.Context, name: str) -> Stack:
    errors = Console(stderr=True)
    pulumi = ctx.obj if isinstance(ctx.obj, PulumiCli) else PulumiCli(Path.cwd())
    try:
        return Stack.load(name, pulumi)
    except StackError as problem:
        errors.print(f"[red]syncro-onboard:[/red] {problem}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _progress(errors: Console, what: str, unit: str) -> Progress:
    """A progress bar on stderr (stdout stays the report), gone when done."""
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn(unit))
    return Progress(*columns, console=errors, transient=True)


def _fail(problem: Exception) -> typer.Exit:
    errors = Console(stderr=True)
    errors.print(f"syncro-onboard: {problem}", markup=False, highlight=False)
    return typer.Exit(2)


T = TypeVar("T")


def _read(target: Stack, build: Callable[[SyncroClient], T]) -> T:
    """`build` with a client on the stack's Syncro; Syncro's errors end the command (exit 2)."""
    try:
        with target.client() as client:
            return build(client)
    except SyncroError as problem:
        raise _fail(problem) from None


def _show(
    console: Console,
    report: Any,
    page: Callable[[Any], str],
    table: Callable[[Console, Any], None],
    as_json: bool,
    html_file: Path | None,
) -> None:
    """The report as JSON or as a table, and as a page in `html_file` when asked."""
    if html_file:
        html_file.write_text(page(report), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    table(console, report)
    if html_file:
        console.print(f"page: {html_file}")


@app.command("import")
def import_(
    ctx: typer.Context,
    stack: StackOption = "local",
    out: Annotated[Path, typer.Option(help="folder of the customer files")] = Path("customers"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be written; write nothing")
    ] = False,
    account_manager: Annotated[
        str | None,
        typer.Option(help="Syncro user (email) assigned the imported customers' deliverables"),
    ] = None,
) -> None:
    """One customer file (adopt: true) per organization no file describes yet."""
    console, errors = _consoles()
    target = _stack(ctx, stack)
    described = importer.Described.read(out)
    try:
        with target.client() as client:
            with _progress(errors, "reading organizations", "pages") as progress:
                task = progress.add_task("pages", total=None)

                def on_page(page: int, total: int) -> None:
                    progress.update(task, completed=page, total=total)

                customers = importer.fetch_organizations(client, on_page)
            fields = importer.defined_fields(client)
            requests = client.requests_sent
    except SyncroError as problem:
        raise _fail(problem) from None
    plan = importer.plan_import(customers, fields, described, account_manager)
    output.import_report(console, plan, out, dry_run, requests)
    if dry_run:
        return
    written = importer.write_files(plan, out)
    keys = importer.edr_keys_to_store(plan, target.edr_key_owners)
    try:
        with _progress(errors, "storing EDR keys (encrypted, via stdin)", "customers") as progress:
            task = progress.add_task("keys", total=len(keys))
            stored = target.store_edr_keys(keys, lambda _cid: progress.advance(task))
    except StackError as problem:
        raise _fail(problem) from None
    output.import_done(console, written, stored, target.name)


@app.command("set-edr-keys")
def set_edr_keys(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(help="the customer, e.g. CS-0042")],
    stack: StackOption = "local",
) -> None:
    """Store one customer's HUNT_A-KEY and HUNT_O-KEY as stack secrets, read from stdin
    (two lines) or prompted without echo: never from the command line (what
    scripts/set-edr-keys runs)."""
    console, _ = _consoles()
    if not catalog.is_client_id(client_id):
        raise _fail(ValueError(f"client ID {client_id!r} is not of the form CS-####"))
    if sys.stdin.isatty():
        values = tuple(
            typer.prompt(f"{name} for {client_id}", hide_input=True).strip()
            for name in catalog.EDR_KEY_FIELDS
        )
    else:  # piped (scripts/set-edr-keys): one key a line, in catalog order
        values = tuple(sys.stdin.readline().strip() for _ in catalog.EDR_KEY_FIELDS)
    if not all(values):
        raise _fail(ValueError(f"an empty key for {client_id}. Fix: pass both keys"))
    pulumi = ctx.obj if isinstance(ctx.obj, PulumiCli) else PulumiCli(Path.cwd())
    try:
        store_edr_keys(pulumi, stack, {client_id: (values[0], values[1])})
    except StackError as problem:
        raise _fail(problem) from None
    console.print(
        f"stored {' and '.join(catalog.EDR_KEY_FIELDS)} for {client_id} in stack {stack} "
        "(encrypted)",
        highlight=False,
    )


@app.command(
    help="One row per customer: organization, fields, rules, policy, SLA, contact, "
    f"deliverables. API requests: {STATUS_REQUESTS}."
)
def status(
    ctx: typer.Context,
    client_id: Annotated[str | None, typer.Argument(help="one customer, e.g. CS-0042")] = None,
    stack: StackOption = "local",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="also write a static page to FILE")
    ] = None,
    svg_file: Annotated[
        Path | None,
        typer.Option("--svg", help="also write the terminal table as an SVG image to FILE"),
    ] = None,
) -> None:
    console, _ = _consoles()
    target = _stack(ctx, stack)
    outputs = target.outputs()
    if client_id and client_id not in (outputs.get("customers") or {}):
        raise _fail(
            ValueError(
                f"{client_id} is not in stack {target.name}'s outputs. Fix: check the client "
                f"ID, or run make up STACK={target.name} after adding its customer file"
            )
        )
    report = _read(target, lambda client: build_status(client, outputs, client_id, date.today()))
    _show(console, report, pages.status_page, output.status_table, as_json, html_file)
    if svg_file:
        output.status_svg(report, svg_file)
        console.print(f"image: {svg_file}")


@app.command()
def diagnose(
    ctx: typer.Context,
    sender: Annotated[str, typer.Argument(help="the sender address (or @domain) of the test mail")],
    stack: StackOption = "local",
) -> None:
    """The SOP's "Test email didn't open a ticket" checks, in order; exit 1 on a failure."""
    console, _ = _consoles()
    target = _stack(ctx, stack)
    found = _read(
        target,
        lambda client: run_diagnosis(
            client,
            sender,
            target.outputs(),
            target.settings.admin_mode,
            target.settings.support_mailbox,
        ),
    )
    output.diagnosis(console, found)
    if found.first_failure is not None:
        raise typer.Exit(1)


@app.command("sla-report")
def sla_report(
    ctx: typer.Context,
    stack: StackOption = "local",
    since: Annotated[
        str | None, typer.Option(help="first day (YYYY-MM-DD); default 90 days ago")
    ] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="also write a page with a breach chart")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    customers_dir: Annotated[
        Path, typer.Option("--customers", help="customer files (their sla: overrides)")
    ] = Path("customers"),
) -> None:
    """First response and resolution per customer and tier against the catalog's terms."""
    console, _ = _consoles()
    try:
        first_day = date.fromisoformat(since) if since else date.today() - timedelta(days=90)
    except ValueError:
        raise _fail(
            ValueError(f"--since {since!r} is not a date. Fix: --since 2026-01-01")
        ) from None
    target = _stack(ctx, stack)
    overrides = _sla_overrides(customers_dir)
    now = datetime.now(UTC)
    report = _read(target, lambda client: build_sla(client, first_day, overrides, now))
    _show(console, report, pages.sla_page, output.sla_table, as_json, html_file)


def _sla_overrides(directory: Path) -> dict:
    """Each customer's effective terms from its file; none when the folder does not load."""
    if not directory.is_dir():
        return {}
    try:
        return {s.client_id: s.effective_sla() for s in load_customers(directory)}
    except CustomerFileError:
        return {}


@app.command()
def deliverables(
    ctx: typer.Context,
    stack: StackOption = "local",
    today: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would open")] = False,
) -> None:
    """Open the deliverable tickets due today (helper sched's scheduler, resources/scheduler.py)."""
    console, _ = _consoles()
    target = _stack(ctx, stack)
    try:
        day = date.fromisoformat(today) if today else date.today()
        run = scheduler.parse_settings(target.name, target.public_config)
    except (ValueError, scheduler.SchedulerConfigError) as problem:
        raise _fail(problem) from None
    if run.deliverables == "syncro":
        console.print(f"syncro:deliverables is 'syncro' on {target.name}: Syncro opens them")
        return
    customers = target.outputs().get("customers")
    if not isinstance(customers, dict):
        raise _fail(ValueError(f"stack {target.name} has no customers output. Fix: make up"))
    try:
        with target.client() as client:
            result = scheduler.Scheduler(
                client,
                schedules_from_outputs(customers),
                tier_slas=run.tier_slas,
                lock_path=scheduler.default_lock_path(target.base_url),
                say=lambda line: console.print(line, highlight=False, markup=False),
            ).run(day, dry_run=dry_run)
    except SyncroError as problem:
        raise _fail(problem) from None
    if result.errors:
        raise typer.Exit(1)


def main() -> None:
    app()
