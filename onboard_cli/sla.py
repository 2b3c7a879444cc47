"""`syncro-onboard sla-report`: tickets and comments read back against each tier's terms.

For every ticket since `--since` (public API only: `GET /tickets?created_after=`, every
page, comments as the list embeds them; `GET /tickets/{id}/comments` only for a ticket
listed without them) and its organization's tier (custom field MSP Plan Tier; terms from
resources/catalog.py, with the customer file's `sla:` overrides when a file exists):

- first staff response: the first public (not hidden) comment written by a user (staff),
  measured from the ticket's creation, against `acknowledgement_hours`;
- resolution: `resolved_at` minus creation against `resolution_basic_hours`, or
  `resolution_complex_hours` for complex work (problem types in catalog.COMPLEX_PROBLEM_TYPES);
  a ticket still open past its allowance is a breach too;
- Defense+ notification: an *incident* (problem type "Security Incident", or priority
  "0 Urgent") for a tier with `notification_hours` must get that first public staff
  comment within that many hours (1 for Defense and Sentinel).

Standard's terms are informal: the report calls them "target"; the others "contract".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from resources import catalog
from resources.syncro import SyncroClient

DONE = ("Resolved", "Invoiced")


def terms_word(tier: str) -> str:
    return "target" if tier == "Standard" else "contract"


@dataclass
class Breach:
    ticket_number: Any
    ticket_id: int
    client_id: str
    business_name: str
    tier: str
    kind: str  # first response | resolution | notification
    took_hours: float | None  # None: still waiting
    allowed_hours: int
    created: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "terms": terms_word(self.tier)}


@dataclass
class CustomerSla:
    client_id: str
    business_name: str
    tier: str
    terms: catalog.SlaTerms
    tickets: int = 0
    incidents: int = 0
    first_response_hours: list[float] = field(default_factory=list)
    resolution_hours: list[float] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    months: list[str] = field(default_factory=list)  # creation month of each ticket

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "business_name": self.business_name,
            "tier": self.tier,
            "terms": terms_word(self.tier),
            "sla": self.terms.as_dict(),
            "tickets": self.tickets,
            "incidents": self.incidents,
            "median_first_response_hours": _median(self.first_response_hours),
            "median_resolution_hours": _median(self.resolution_hours),
            "breaches": len(self.breaches),
        }


@dataclass
class SlaReport:
    since: str
    customers: list[CustomerSla]
    skipped: list[str]
    requests: int

    @property
    def breaches(self) -> list[Breach]:
        return [b for c in self.customers for b in c.breaches]

    def by_month(self) -> tuple[list[str], Counter[str], Counter[str]]:
        totals: Counter[str] = Counter()
        breached: Counter[str] = Counter()
        for c in self.customers:
            for month in c.months:
                totals[month] += 1
        for b in self.breaches:
            breached[b.created[:7]] += 1
        months = sorted(set(totals) | set(breached))
        return months, breached, totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "api_requests": self.requests,
            "customers": [c.as_dict() for c in self.customers],
            "breaches": [b.as_dict() for b in self.breaches],
            "skipped": self.skipped,
        }


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    middle = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(middle, 1)


def _when(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _pages(client: SyncroClient, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = client.request("GET", path, params={**params, "page": page})
        items += answer.get(key) or []
        if page >= int((answer.get("meta") or {}).get("total_pages") or 1):
            return items
        page += 1


def first_staff_response(comments: list[dict[str, Any]], opened: datetime) -> datetime | None:
    times = [
        _when(c.get("created_at")) for c in comments if c.get("user_id") and not c.get("hidden")
    ]
    times = [t for t in times if t is not None and t >= opened]
    return min(times) if times else None


def is_incident(ticket: dict[str, Any]) -> bool:
    return (
        ticket.get("problem_type") in catalog.INCIDENT_PROBLEM_TYPES
        or ticket.get("priority") in catalog.INCIDENT_PRIORITIES
    )


def build_report(
    client: SyncroClient,
    since: date,
    overrides: dict[str, catalog.SlaTerms],
    now: datetime,
) -> SlaReport:
    """`overrides`: client ID -> effective terms from the customer files."""
    start = client.requests_sent
    orgs = {c["id"]: c for c in _pages(client, "/customers", "customers", include_disabled="true")}
    tickets = _pages(client, "/tickets", "tickets", created_after=since.isoformat())
    per: dict[int, CustomerSla] = {}
    skipped: list[str] = []
    for ticket in sorted(tickets, key=lambda t: t["id"]):
        org = orgs.get(ticket.get("customer_id"))
        props = (org or {}).get("properties") or {}
        tier = props.get(catalog.FIELD_TIER)
        cid = props.get(catalog.FIELD_CLIENT_ID) or f"#{ticket.get('customer_id')}"
        opened = _when(ticket.get("created_at"))
        if opened is None or opened.date() < since:
            continue
        if tier not in catalog.TIERS:
            skipped.append(
                f"ticket #{ticket.get('number')}: organization {cid} has tier {tier!r}, "
                "no terms to measure against"
            )
            continue
        entry = per.get(ticket["customer_id"])
        if entry is None:
            terms = overrides.get(cid) or catalog.tier(tier).sla
            name = (org or {}).get("business_name") or cid
            entry = per[ticket["customer_id"]] = CustomerSla(cid, name, tier, terms)
        entry.tickets += 1
        entry.months.append(opened.strftime("%Y-%m"))
        comments = ticket.get("comments")
        if comments is None:
            comments = _pages(client, f"/tickets/{ticket['id']}/comments", "comments")
        _measure(entry, ticket, comments, opened, now)
    customers = sorted(per.values(), key=lambda c: (catalog.tier_rank(c.tier), c.client_id))
    return SlaReport(since.isoformat(), customers, skipped, client.requests_sent - start)


def _measure(
    entry: CustomerSla,
    ticket: dict[str, Any],
    comments: list[dict[str, Any]],
    opened: datetime,
    now: datetime,
) -> None:
    terms = entry.terms

    def breach(kind: str, took: float | None, allowed: int) -> None:
        entry.breaches.append(
            Breach(
                ticket.get("number"),
                ticket["id"],
                entry.client_id,
                entry.business_name,
                entry.tier,
                kind,
                took,
                allowed,
                opened.isoformat(),
            )
        )

    reply = first_staff_response(comments, opened)
    waited = _hours((reply or now) - opened)
    if reply is not None:
        entry.first_response_hours.append(waited)
    if waited > terms.acknowledgement_hours:
        breach("first response", waited if reply else None, terms.acknowledgement_hours)
    if is_incident(ticket):
        entry.incidents += 1
        if terms.notification_hours is not None and waited > terms.notification_hours:
            breach("notification", waited if reply else None, terms.notification_hours)
    complex_work = ticket.get("problem_type") in catalog.COMPLEX_PROBLEM_TYPES
    allowed = terms.resolution_complex_hours if complex_work else terms.resolution_basic_hours
    resolved = _when(ticket.get("resolved_at")) if ticket.get("status") in DONE else None
    took = _hours((resolved or now) - opened)
    if resolved is not None:
        entry.resolution_hours.append(took)
    if took > allowed:
        breach("resolution", took if resolved else None, allowed)
