"""The daily deliverable run: opens each due occurrence with `POST /tickets`. No Pulumi.

    python -m resources.scheduler --stack local [--today YYYY-MM-DD] [--dry-run]

What a run does (the rules are in resources/deliverables.py):
1. Reads the schedules from the stack output `customers` (organization ids, tiers,
   deliverables): what `pulumi up` applied, so no Syncro read per customer.
2. Finds each deliverable's occurrence that should be open today (catch-up rule).
3. Lists the tickets created since the earliest open date among them: ONE paged
   `GET /tickets?created_after=` for the whole account, not one per customer.
4. Opens only the occurrences without a ticket (customer id + subject key).
5. Re-checks once (`GET /tickets?created_after=<yesterday>`) and deletes any ticket
   that duplicates an occurrence, keeping the lowest id: two runs on different
   machines that both created it agree on which one stays.

Runs on one machine never race: each holds an exclusive lock file for the whole run
(a second run waits, then finds everything open). The GitHub workflow adds a
`concurrency:` group; the re-check settles any other overlap.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from resources import catalog
from resources.deliverables import (
    CustomerSchedules,
    Occurrence,
    due_now,
    duplicates,
    schedules_from_outputs,
    window_start,
)
from resources.syncro import SyncroClient, SyncroError, SyncroNotFound
from resources.syncro.models import Ticket

SYNCRO_REQUESTS_PER_MINUTE = 180


# --- opening one occurrence (used by the runner and the RecurringTicket provider) -------


def ticket_body(
    occurrence: Occurrence, *, customer_id: int, user_id: int | None, sla_id: int | None = None
) -> dict[str, Any]:
    """Contract 5: subject key, due date, the account manager, the catalog's problem type,
    the tier's SLA when the stack config names one."""
    body: dict[str, Any] = {
        "customer_id": int(customer_id),
        "subject": occurrence.subject,
        "due_date": occurrence.due.isoformat(),
        "problem_type": occurrence.schedule.problem_type,
    }
    if user_id is not None:
        body["user_id"] = int(user_id)
    if sla_id is not None:
        body["sla_id"] = int(sla_id)
    return body


def find_occurrence_ticket(
    client: SyncroClient, customer_id: int, occurrence: Occurrence
) -> Ticket | None:
    """The occurrence's ticket (lowest id) among the customer's tickets since it opened."""
    since = occurrence.opens - timedelta(days=1)
    found = [
        t
        for t in client.list_tickets(customer_id=int(customer_id), created_after=since.isoformat())
        if t.subject == occurrence.subject and t.customer_id == int(customer_id)
    ]
    return min(found, key=lambda t: t.id) if found else None


def open_occurrence(
    client: SyncroClient,
    occurrence: Occurrence,
    *,
    customer_id: int,
    user_id: int | None,
    sla_id: int | None = None,
) -> Ticket:
    """`POST /tickets` for one occurrence. A lost response is settled by looking the
    ticket up (customer + subject), never by posting blindly; the caller's re-check
    removes a duplicate if a lost POST landed after the lookup."""
    return client.create(
        "/tickets",
        ticket_body(occurrence, customer_id=customer_id, user_id=user_id, sla_id=sla_id),
        lookup=lambda: find_occurrence_ticket(client, customer_id, occurrence),
        parse=lambda answer: Ticket.model_validate(answer["ticket"]),
    )


def ensure_open(
    client: SyncroClient,
    occurrence: Occurrence,
    *,
    customer_id: int,
    user_id: int | None,
    sla_id: int | None = None,
) -> tuple[Ticket, bool]:
    """For one resource (the provider's create): the occurrence's ticket, opened only if
    no ticket has it yet; True when this call opened it."""
    found = find_occurrence_ticket(client, customer_id, occurrence)
    if found is not None:
        return found, False
    ticket = open_occurrence(
        client, occurrence, customer_id=customer_id, user_id=user_id, sla_id=sla_id
    )
    return ticket, True


class UserIds:
    """Account manager email -> Syncro user id, read at most once per run and only when
    something is due (`GET /users` has no emails: one `GET /users/{id}` per user
    until the email is found)."""

    def __init__(self, client: SyncroClient) -> None:
        self.client = client
        self._ids: list[int] | None = None
        self._by_email: dict[str, int] = {}
        self._read: set[int] = set()

    def get(self, email: str) -> int | None:
        wanted = email.strip().lower()
        if wanted in self._by_email:
            return self._by_email[wanted]
        if self._ids is None:
            self._ids = self.client.user_ids()
        for user_id in self._ids:
            if user_id in self._read:
                continue
            self._read.add(user_id)
            user = self.client.get_user(user_id)
            self._by_email[user.email.strip().lower()] = user.id
            if user.email.strip().lower() == wanted:
                return user.id
        return None


# --- the run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    customer: CustomerSchedules
    occurrence: Occurrence

    @property
    def key(self) -> tuple[int, str]:
        return (int(self.customer.customer_id or 0), self.occurrence.subject)


@dataclass
class Plan:
    today: date
    due: list[Due]
    window_start: date | None
    tickets_in_window: int
    existing: dict[tuple[int, str], int]
    missing: list[Due]
    duplicates: list[Ticket]
    not_created: list[str]
    newest_id: int = 0
    schedules: int = 0
    requests: int = 0


@dataclass
class Result:
    plan: Plan
    opened: list[tuple[Due, Ticket]] = field(default_factory=list)
    removed: list[Ticket] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def summary(self) -> str:
        p = self.plan
        return (
            f"deliverables {p.today}: {p.schedules} schedules, {len(p.due)} due now, "
            f"{len(p.existing)} already open, "
            f"{len(self.opened)} opened, {len(self.removed)} duplicates removed, "
            f"{len(self.errors)} errors; {p.tickets_in_window} tickets since "
            f"{p.window_start or '-'}; {self.requests} requests"
        )


@contextlib.contextmanager
def run_lock(path: Path | None) -> Iterator[None]:
    """An exclusive lock for the whole run; a second run on this machine waits for it."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_lock_path(base_url: str) -> Path:
    """One lock per Syncro account, whichever checkout or stack runs against it."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"syncro-deliverables-{digest}.lock"


class Scheduler:
    def __init__(
        self,
        client: SyncroClient,
        customers: Sequence[CustomerSchedules],
        *,
        tier_slas: Mapping[str, int] | None = None,
        lock_path: Path | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.client = client
        self.customers = list(customers)
        self.tier_slas = dict(tier_slas or {})
        self.lock_path = lock_path
        self.say = say

    def run(self, today: date, *, dry_run: bool = False) -> Result:
        with run_lock(self.lock_path):
            plan = self.plan(today)
            if dry_run:
                for item in plan.missing:
                    self.say(f"{item.customer.client_id}: would open {item.occurrence.subject}")
                return Result(plan, requests=plan.requests)
            return self.apply(plan)

    def plan(self, today: date) -> Plan:
        """Which occurrences should be open today, and which of them have no ticket."""
        sent = self.client.requests_sent
        due: list[Due] = []
        not_created: list[str] = []
        for customer in self.customers:
            if customer.customer_id is None:
                not_created.append(customer.client_id)
                continue
            for schedule in customer.schedules:
                occurrence = due_now(schedule, today)
                if occurrence is not None:
                    due.append(Due(customer, occurrence))
        start = window_start(d.occurrence for d in due)
        tickets = self.client.list_tickets(created_after=start.isoformat()) if start else []
        wanted = {d.key for d in due}
        ours = [t for t in tickets if (t.customer_id, t.subject) in wanted]
        existing: dict[tuple[int, str], int] = {}
        for ticket in sorted(ours, key=lambda t: t.id):
            existing.setdefault((int(ticket.customer_id or 0), str(ticket.subject)), ticket.id)
        return Plan(
            today=today,
            due=due,
            window_start=start,
            tickets_in_window=len(tickets),
            existing=existing,
            missing=[d for d in due if d.key not in existing],
            duplicates=[t for extra in duplicates(ours).values() for t in extra],
            not_created=not_created,
            newest_id=max((t.id for t in tickets), default=0),
            schedules=sum(len(c.schedules) for c in self.customers),
            requests=self.client.requests_sent - sent,
        )

    def apply(self, plan: Plan) -> Result:
        sent = self.client.requests_sent
        result = Result(plan)
        users = UserIds(self.client)
        for name in plan.not_created:
            self.say(f"{name}: no organization id in the stack outputs yet (run make up); skipped")
        for item in plan.missing:
            customer, occurrence = item.customer, item.occurrence
            try:
                user_id = customer.user_id or users.get(customer.assignee)
                if user_id is None:
                    raise SyncroError(
                        f"account manager {customer.assignee!r} is not a Syncro user. Fix: set "
                        f"account_manager in the customer file of {customer.client_id}"
                    )
                ticket = open_occurrence(
                    self.client,
                    occurrence,
                    customer_id=int(customer.customer_id or 0),
                    user_id=user_id,
                    sla_id=self.tier_slas.get(customer.tier),
                )
            except SyncroError as problem:
                result.errors.append(f"{customer.client_id}: {occurrence.subject}: {problem}")
                self.say(f"{customer.client_id}: could not open {occurrence.subject}: {problem}")
                continue
            result.opened.append((item, ticket))
            late = (
                f", {occurrence.overdue_by(plan.today)} days late"
                if plan.today > (occurrence.due)
                else ""
            )
            self.say(f"{customer.client_id}: opened #{ticket.number} {occurrence.subject}{late}")
        extras = list(plan.duplicates)
        if result.opened:
            keys = {item.key for item, _ in result.opened}
            extras += self._recheck(plan.today, plan.newest_id, keys)
        self._remove(extras, result)
        result.requests = plan.requests + self.client.requests_sent - sent
        self.say(result.summary())
        return result

    def _recheck(self, today: date, floor: int, keys: set[tuple[int, str]]) -> list[Ticket]:
        """After creating: did another run (elsewhere) open the same occurrences?

        A ticket that raced ours was created after our listing, so its id is above the
        newest id that listing saw (`floor`). Lists come newest first (the emulator's
        guess for Syncro): paging stops at the first page reaching `floor`, usually
        page 1. A page that is not in descending id order means that guess is wrong,
        and every page is read."""
        since = (today - timedelta(days=1)).isoformat()
        recent: list[Ticket] = []
        page = 1
        while True:
            answer = self.client.request(
                "GET", "/tickets", params={"created_after": since, "page": page}
            )
            chunk = [Ticket.model_validate(t) for t in answer.get("tickets") or []]
            recent += [t for t in chunk if (t.customer_id, t.subject) in keys]
            ids = [t.id for t in chunk]
            newest_first = ids == sorted(ids, reverse=True)
            total_pages = int((answer.get("meta") or {}).get("total_pages") or 1)
            if page >= total_pages or not chunk or (newest_first and ids[-1] <= floor):
                break
            page += 1
        return [t for extra in duplicates(recent).values() for t in extra]

    def _remove(self, extras: list[Ticket], result: Result) -> None:
        for ticket in {t.id: t for t in extras}.values():
            try:
                self.client.request("DELETE", f"/tickets/{ticket.id}")
            except SyncroNotFound:
                pass  # the other run removed it first
            except SyncroError as problem:
                result.errors.append(f"duplicate #{ticket.number}: {problem}")
                continue
            result.removed.append(ticket)
            self.say(f"removed duplicate #{ticket.number} {ticket.subject} (the lowest id stays)")


# --- the command --------------------------------------------------------------------------


class SchedulerConfigError(Exception):
    """A setting the run needs is missing or wrong; the message names the fix."""


@dataclass(frozen=True)
class RunSettings:
    stack: str
    base_url: str
    requests_per_minute: float
    deliverables: str
    tier_slas: dict[str, int]

    def __repr__(self) -> str:
        return f"RunSettings(stack={self.stack!r}, base_url={self.base_url!r})"


def _pulumi(*args: str, stack: str) -> str:
    try:
        proc = subprocess.run(
            ["pulumi", *args, "--stack", stack, "--non-interactive"],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise SchedulerConfigError(
            "the pulumi CLI is not on PATH. Fix: run `make deliverables` (scripts/env.sh "
            "puts the project's CLI on PATH) or `source scripts/env.sh` first"
        ) from None
    if proc.returncode != 0:
        # stderr of `pulumi config`/`stack output` carries no secret values.
        raise SchedulerConfigError(
            f"pulumi {args[0]} {args[1] if len(args) > 1 else ''} --stack {stack} failed: "
            f"{proc.stderr.strip()[-500:]}"
        )
    return proc.stdout


def _config_value(entry: Any) -> Any:
    """`pulumi config --json` gives {"value": text, "objectValue": {...}, "secret": bool}."""
    if not isinstance(entry, dict) or entry.get("secret"):
        return None
    if "objectValue" in entry:
        return entry["objectValue"]
    raw = entry.get("value")
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return raw


def parse_settings(stack: str, config: Mapping[str, Any]) -> RunSettings:
    """The `syncro:` settings this run needs, checked like resources/settings.py does."""
    get = {key: _config_value(entry) for key, entry in config.items()}
    where = f"Pulumi.{stack}.yaml"
    problems = []
    base_url = str(get.get("syncro:baseUrl") or "")
    if not re.match(r"^https?://[^/\s]+/api/v1/?$", base_url) or "YOUR-SUBDOMAIN" in base_url:
        problems.append(
            f"{where}: syncro:baseUrl is {base_url or '(not set)'!r}. Fix: pulumi config set "
            f"syncro:baseUrl https://<your-subdomain>.syncromsp.com/api/v1 --stack {stack}"
        )
    rpm = get.get("syncro:requestsPerMinute", 170)
    if (
        isinstance(rpm, bool)
        or not isinstance(rpm, int | float)
        or not 0 < rpm <= SYNCRO_REQUESTS_PER_MINUTE
    ):
        problems.append(
            f"{where}: syncro:requestsPerMinute is {rpm!r}. Fix: pulumi config set "
            f"syncro:requestsPerMinute 170 --stack {stack}"
        )
        rpm = 170
    mode = get.get("syncro:deliverables") or "scheduler"
    if mode not in ("scheduler", "syncro"):
        problems.append(
            f"{where}: syncro:deliverables is {mode!r}, not 'scheduler' or 'syncro'. Fix: "
            f"pulumi config set syncro:deliverables scheduler --stack {stack}"
        )
    slas = get.get("syncro:tierSlas") or {}
    if not isinstance(slas, dict) or any(
        t not in catalog.TIERS or isinstance(v, bool) or not isinstance(v, int) or v <= 0
        for t, v in slas.items()
    ):
        problems.append(
            f"{where}: syncro:tierSlas is {slas!r}, not an object of tier -> SLA id. Fix: "
            f"pulumi config set --path 'syncro:tierSlas.Defense' <id> --stack {stack}"
        )
        slas = {}
    if problems:
        raise SchedulerConfigError("\n".join(["nothing was sent to Syncro:", *problems]))
    return RunSettings(stack, base_url.rstrip("/"), float(rpm), str(mode), dict(slas))


def api_token(stack: str) -> str:
    """SYNCRO_API_TOKEN when set (a CI secret), else the stack's encrypted config.
    The value stays in memory: never printed, never passed on a command line."""
    token = (
        os.environ.get("SYNCRO_API_TOKEN")
        or _pulumi("config", "get", "syncro:apiToken", stack=stack).strip()
    )
    if not token:
        raise SchedulerConfigError(
            f"syncro:apiToken is not set. Fix: pulumi config set --secret syncro:apiToken "
            f"<token> --stack {stack} (or set SYNCRO_API_TOKEN)"
        )
    return token


def load_customers_output(stack: str, outputs_file: Path | None) -> dict[str, Any]:
    if outputs_file is not None:
        data = json.loads(outputs_file.read_text())
    else:
        data = json.loads(_pulumi("stack", "output", "--json", "--show-secrets=false", stack=stack))
    customers = data.get("customers") if isinstance(data, dict) else None
    if not isinstance(customers, dict):
        raise SchedulerConfigError(
            f"the stack {stack} has no `customers` output. Fix: run `make up STACK={stack}` first"
        )
    return customers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resources.scheduler",
        description="Open the deliverable tickets due today (one paged ticket query per run).",
    )
    parser.add_argument("--stack", default=os.environ.get("STACK", "local"))
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="list what would open; no writes")
    parser.add_argument(
        "--outputs", type=Path, help="a saved `pulumi stack output --json` instead of asking pulumi"
    )
    parser.add_argument("--lock", type=Path, help="lock file (default: one per Syncro account)")
    args = parser.parse_args(argv)
    try:
        settings = parse_settings(
            args.stack, json.loads(_pulumi("config", "--json", stack=args.stack))
        )
        if settings.deliverables == "syncro":
            print(
                f"syncro:deliverables is 'syncro' on {args.stack}: Syncro's own recurring "
                "tickets open the deliverables; nothing to do"
            )
            return 0
        customers = schedules_from_outputs(load_customers_output(args.stack, args.outputs))
        token = api_token(args.stack)
    except SchedulerConfigError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    with SyncroClient(
        settings.base_url, token, requests_per_minute=settings.requests_per_minute
    ) as client:
        scheduler = Scheduler(
            client,
            customers,
            tier_slas=settings.tier_slas,
            lock_path=args.lock or default_lock_path(settings.base_url),
        )
        try:
            result = scheduler.run(args.today or date.today(), dry_run=args.dry_run)
        except SyncroError as problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
