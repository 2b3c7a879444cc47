"""When each deliverable ticket opens, and which one a run may open. Pure: no I/O.

Syncro's public API has no recurring-ticket endpoint, so our daily scheduler
(`resources/scheduler.py`) opens every occurrence itself with `POST /tickets`. The
rules it follows live here, so the scheduler, the `RecurringTicket` provider and
the tests agree on them:

- Occurrence n (n >= 1) of a schedule is due `go_live + n * months` (the catalog's
  rule, day clamped to month end, each computed from go-live); it **opens**
  `lead_days` before that due date.
- The **current** occurrence on a date is the latest one whose open date has come.
- **Catch-up rule**: a run opens the current occurrence, and only it, if it is not
  open yet and its due date is at most `CATCH_UP_DAYS` (14) days past. So a run
  after missed days opens what came due meanwhile (each deliverable's current
  occurrence), an older occurrence is never opened, and a go-live ten years back
  opens at most one ticket per deliverable, never the whole history.
- One occurrence = the pair (customer id, subject key); the subject is the key,
  `[<CID>] <title> — due <YYYY-MM-DD>`. Among tickets with the same pair the one
  with the lowest id is the occurrence's ticket; any other is a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from resources import catalog

CATCH_UP_DAYS = 14
# A window longer than the shortest period would let occurrences overlap, and
# "the current occurrence" would skip one.
SHORTEST_MONTH_DAYS = 28


def subject_key(client_id: str, title: str, due: date) -> str:
    """Contract 5: the subject of an occurrence's ticket, and how it is found again."""
    return f"[{client_id}] {title} — due {due.isoformat()}"


@dataclass(frozen=True)
class Schedule:
    """One deliverable of one customer. `go_live` anchors the due dates (catalog rule);
    without it they follow `first_due`'s day, which differs from the catalog only for
    a go-live on the 29th-31st whose first due date was clamped to a month end."""

    client_id: str
    deliverable: str
    frequency: str
    first_due: date
    lead_days: int
    go_live: date | None = None

    def __post_init__(self) -> None:
        if self.frequency not in catalog.MONTHS_PER:
            raise ValueError(
                f"{self.client_id} {self.deliverable}: unknown frequency {self.frequency!r}; "
                f"valid: {', '.join(catalog.FREQUENCIES)}"
            )
        if not 0 <= self.lead_days < SHORTEST_MONTH_DAYS * self.months:
            raise ValueError(
                f"{self.client_id} {self.deliverable}: lead_days {self.lead_days} must be "
                f"0 or more and shorter than one {self.frequency} period"
            )
        if self.go_live is not None and catalog.first_due(self.go_live, self.frequency) != (
            self.first_due
        ):
            raise ValueError(
                f"{self.client_id} {self.deliverable}: first_due {self.first_due} is not one "
                f"{self.frequency} period after go-live {self.go_live}"
            )

    @property
    def months(self) -> int:
        return catalog.MONTHS_PER[self.frequency]

    @property
    def title(self) -> str:
        return deliverable(self.deliverable).title

    @property
    def problem_type(self) -> str:
        return deliverable(self.deliverable).problem_type

    def due(self, n: int) -> date:
        """Due date of occurrence n (n >= 1)."""
        if self.go_live is not None:
            return catalog.add_months(self.go_live, n * self.months)
        return catalog.add_months(self.first_due, (n - 1) * self.months)

    def occurrence(self, n: int) -> Occurrence:
        due = self.due(n)
        return Occurrence(self, n, due, due - timedelta(days=self.lead_days))


@dataclass(frozen=True)
class Occurrence:
    schedule: Schedule
    number: int
    due: date
    opens: date

    @property
    def subject(self) -> str:
        return subject_key(self.schedule.client_id, self.schedule.title, self.due)

    def overdue_by(self, today: date) -> int:
        return (today - self.due).days


def deliverable(key: str) -> catalog.Deliverable:
    for item in catalog.DELIVERABLES:
        if item.key == key:
            return item
    known = ", ".join(d.key for d in catalog.DELIVERABLES)
    raise ValueError(f"unknown deliverable {key!r}; the catalog has: {known}")


def current(schedule: Schedule, today: date) -> Occurrence | None:
    """The latest occurrence whose open date is on or before `today` (None before the first)."""
    months_since = (today.year - schedule.first_due.year) * 12 + today.month
    months_since -= schedule.first_due.month
    n = max(months_since // schedule.months + 3, 1)  # past the answer, never short of it
    while n >= 1:
        occurrence = schedule.occurrence(n)
        if occurrence.opens <= today:
            return occurrence
        n -= 1
    return None


def due_now(schedule: Schedule, today: date) -> Occurrence | None:
    """The occurrence a run on `today` should make sure is open, per the catch-up rule:
    the current one, unless its due date is more than CATCH_UP_DAYS past."""
    occurrence = current(schedule, today)
    if occurrence is None or occurrence.overdue_by(today) > CATCH_UP_DAYS:
        return None
    return occurrence


def window_start(occurrences: Iterable[Occurrence]) -> date | None:
    """The earliest creation date a ticket of these occurrences can have, a day early:
    tickets are never opened before their open date, and Syncro's `created_after`
    compares timestamps in the account's time zone, which may trail ours."""
    opens = [o.opens for o in occurrences]
    return min(opens) - timedelta(days=1) if opens else None


def duplicates(tickets: Iterable[Any]) -> dict[tuple[int, str], list[Any]]:
    """(customer id, subject) -> the tickets beyond the first (lowest id), for pairs
    with more than one ticket. The lowest id wins so every run agrees on the keeper."""
    by_key: dict[tuple[int, str], list[Any]] = {}
    for ticket in tickets:
        if ticket.customer_id is not None and ticket.subject:
            by_key.setdefault((int(ticket.customer_id), ticket.subject), []).append(ticket)
    return {
        key: sorted(group, key=lambda t: t.id)[1:]
        for key, group in by_key.items()
        if len(group) > 1
    }


# --- schedules from the stack outputs --------------------------------------------------


@dataclass(frozen=True)
class CustomerSchedules:
    """What a run needs of one customer: where its tickets go and what it owes."""

    client_id: str
    tier: str
    customer_id: int | None
    assignee: str
    user_id: int | None
    schedules: tuple[Schedule, ...]


def infer_go_live(first_dues: Iterable[tuple[str, date]]) -> date | None:
    """The go-live date that gives every (frequency, first due) pair, when exactly one
    does. The yearly first due (every tier has one) is never clamped except for a
    29 February go-live, which the monthly one then settles."""
    candidates: set[date] | None = None
    for frequency, first in first_dues:
        months = catalog.MONTHS_PER[frequency]
        start = catalog.add_months(first, -months)
        days = {start + timedelta(days=d) for d in range(4)}
        fits = {g for g in days if catalog.first_due(g, frequency) == first}
        candidates = fits if candidates is None else candidates & fits
    return next(iter(candidates)) if candidates and len(candidates) == 1 else None


def schedules_from_outputs(customers: Mapping[str, Any]) -> list[CustomerSchedules]:
    """Parse the stack output `customers` (`pulumi stack output customers --json`):
    per client ID `organization_id`, `tier` and `deliverables` (each `deliverable`,
    `frequency`, `first_due`, `lead_days`, `assignee`, and `user_id` or `go_live` where
    the program exports them). Sorted by client ID."""
    result = []
    for client_id in sorted(customers):
        entry = customers[client_id]
        items = entry.get("deliverables") or []
        pairs = [(i["frequency"], date.fromisoformat(i["first_due"])) for i in items]
        go_live_raw = entry.get("go_live")
        go_live = date.fromisoformat(go_live_raw) if go_live_raw else infer_go_live(pairs)
        schedules = tuple(
            Schedule(
                client_id=client_id,
                deliverable=item["deliverable"],
                frequency=item["frequency"],
                first_due=first,
                lead_days=int(item["lead_days"]),
                go_live=go_live,
            )
            for item, (_, first) in zip(items, pairs, strict=True)
        )
        org_id = entry.get("organization_id")
        assignees = {str(i.get("assignee") or "").strip().lower() for i in items} - {""}
        user_ids = {i.get("user_id") for i in items} - {None}
        result.append(
            CustomerSchedules(
                client_id=client_id,
                tier=str(entry.get("tier") or ""),
                customer_id=int(org_id) if isinstance(org_id, int | float) else None,
                assignee=min(assignees) if assignees else "",
                user_id=int(next(iter(user_ids))) if len(user_ids) == 1 else None,
                schedules=schedules,
            )
        )
    return result
