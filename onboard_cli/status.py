"""`syncro-onboard status`: one row per customer, from the stack outputs plus a few reads.

The stack outputs (contract 4: `customers.<CID>.status.<key>`, optional
`customers.<CID>.evidence.<key>`, `runbook_waiting`) say what the program did and
verified; the API reads say what Syncro holds now. Keys other helpers add later are
read when present and shown as "n/a" when not. Only list endpoints, every page (25
a page), never one read per customer; all paced by the client:

- `GET /customers?include_disabled=true`, every page, or one `GET /customers/{id}` with a
  CLIENT_ID: active/archived, custom field values;
- one `GET /settings`: which custom fields are defined;
- `GET /leads`, the first LEAD_PAGES pages (the 100 newest leads): the kickoff mail;
- `GET /tickets?created_after=<window>`, every page (with `customer_id=` too for one
  CLIENT_ID): the deliverable tickets (subject `[<CID>] <title> — due <date>`,
  contract 5). The window starts at the earliest open date (due date minus lead days)
  of the latest past-due occurrence of any deliverable shown, a day early (Syncro
  compares in the account's time zone), so the ticket that decides "overdue" is in it;
  Syncro's ticket list has no subject filter, so every ticket of the window is read.

Requests, exactly (STATUS_REQUESTS, also in `status --help` and the README), with O
organizations in Syncro (archived too), L leads, T tickets created since the window
and p(n) = max(1, ceil(n / 25)): p(O) + 1 + min(LEAD_PAGES, p(L)) + p(T); for one
CLIENT_ID 1 + 1 + min(LEAD_PAGES, p(L)) + p(T of that customer); no ticket read when
no deliverable is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from resources import catalog
from resources.syncro import SyncroClient, SyncroNotFound
from resources.syncro.models import Customer, Lead, Ticket

NA = "n/a"
LEAD_PAGES = 4
STATUS_REQUESTS = (
    "p(O) + 1 + min(4, p(L)) + p(T): O organizations in Syncro (archived too), L leads, "
    "T tickets created since the deliverable window (opens a day before the earliest open "
    "date of the latest past-due deliverable occurrence), p(n) = max(1, ceil(n/25)) pages; "
    "with a CLIENT_ID 1 + 1 + min(4, p(L)) + p(T of that customer); never a read per customer"
)
DONE_TICKET_STATUSES = ("Resolved", "Invoiced")
SUBJECT = re.compile(r"^\[(?P<cid>[^\]]+)\] (?P<title>.+?) — due (?P<due>\d{4}-\d{2}-\d{2})$")


@dataclass
class DeliverableRow:
    key: str
    title: str
    status: str
    next_due: str
    last_opened: str
    overdue: bool


@dataclass
class CustomerRow:
    client_id: str
    business_name: str
    tier: str
    organization: str  # active / archived / not found / n/a
    organization_id: Any
    missing_fields: list[str]
    rules: dict[str, str]  # domain -> "verified (evidence)" / "pending" / ...
    policy: str
    contract: str
    contact: str
    deliverables: list[DeliverableRow]
    kickoff: str
    waiting: int | str
    statuses: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StatusReport:
    rows: list[CustomerRow]
    requests: int
    runbook_waiting: int | str
    today: str
    tickets_since: str | None = None  # the deliverable tickets' window (created_after)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "api_requests": self.requests,
            "tickets_since": self.tickets_since,
            "runbook_waiting": self.runbook_waiting,
            "customers": [r.as_dict() for r in self.rows],
        }


def _status(summary: dict[str, Any], key: str) -> str:
    status = (summary.get("status") or {}).get(key)
    if status is None:
        return NA
    evidence = (summary.get("evidence") or {}).get(key)
    return f"{status} ({evidence})" if evidence else str(status)


def _organizations(client: SyncroClient, ids: list[int]) -> dict[int, Customer]:
    if len(ids) == 1:
        try:
            return {ids[0]: client.get_customer(ids[0])}
        except SyncroNotFound:
            return {}
    return {c.id: c for c in client.list_customers(include_disabled=True)}


def _recent_leads(client: SyncroClient) -> list[Lead]:
    leads: list[Lead] = []
    for page in range(1, LEAD_PAGES + 1):
        answer = client.request("GET", "/leads", params={"page": page})
        leads += [Lead.model_validate(x) for x in answer.get("leads") or []]
        if page >= int((answer.get("meta") or {}).get("total_pages") or 1):
            break
    return leads


def _due_dates(go_live: date | None, first_due: str, frequency: str) -> list[date]:
    """Every due date, from go-live (the catalog's anchor), else stepping from the first
    due date the stack output gives; [] when neither is a date."""
    step = catalog.MONTHS_PER.get(frequency, 1)
    if go_live is not None:
        return catalog.due_dates(go_live, frequency, 600 // step)
    try:
        first = date.fromisoformat(first_due)
    except ValueError:
        return []
    return [catalog.add_months(first, k * step) for k in range(600 // step)]


def _window_due(dues: list[date], today: date) -> date | None:
    """The occurrence whose ticket status reads: the latest past due, else the next."""
    past = [d for d in dues if d < today]
    return past[-1] if past else next((d for d in dues if d >= today), None)


def ticket_window(customers: dict[str, Any], orgs: dict[int, Customer], today: date) -> date | None:
    """Where `GET /tickets?created_after=` starts (module docstring); None: no deliverable."""
    opens = []
    for summary in customers.values():
        org_id = summary.get("organization_id")
        go_live = _go_live(orgs.get(int(org_id)) if org_id else None)
        for item in summary.get("deliverables") or []:
            dues = _due_dates(go_live, str(item.get("first_due") or ""), _frequency(item))
            due = _window_due(dues, today)
            if due is not None:
                opens.append(due - timedelta(days=int(item.get("lead_days") or 0)))
    return min(opens) - timedelta(days=1) if opens else None


def _frequency(item: dict[str, Any]) -> str:
    return str(item.get("frequency") or "monthly")


def _deliverables(
    cid: str,
    summary: dict[str, Any],
    tickets: Iterable[Ticket],
    go_live: date | None,
    today: date,
    since: date | None,
) -> list[DeliverableRow]:
    rows = []
    opened: dict[str, list[tuple[str, Ticket]]] = {}
    for ticket in tickets:
        match = SUBJECT.match(ticket.subject or "")
        if match and match["cid"] == cid:
            opened.setdefault(match["title"], []).append((match["due"], ticket))
    for item in summary.get("deliverables") or []:
        title = next(
            (d.title for d in catalog.DELIVERABLES if d.key == item.get("deliverable")),
            str(item.get("deliverable")),
        )
        frequency = _frequency(item)
        dues = _due_dates(go_live, str(item.get("first_due") or ""), frequency)
        due = next((d for d in dues if d >= today), None)
        mine = sorted(opened.get(title, []), key=lambda pair: pair[0])
        last = mine[-1] if mine else None
        past = [d for d in dues if d < today] if go_live else []
        overdue = False
        if past:
            latest = past[-1].isoformat()
            done = [t for d, t in mine if d == latest and t.status in DONE_TICKET_STATUSES]
            overdue = not done
        rows.append(
            DeliverableRow(
                key=str(item.get("deliverable")),
                title=title,
                status=_status(summary, f"deliverable:{cid}:{item.get('deliverable')}"),
                next_due=due.isoformat() if due else NA,
                last_opened=(
                    f"#{last[1].number} due {last[0]} ({last[1].status or 'New'})"
                    if last
                    else f"none since {since.isoformat()}"
                    if since and since <= today
                    else "none yet"
                ),
                overdue=overdue,
            )
        )
    return rows


def _tickets_by_customer(
    client: SyncroClient, since: date | None, only_org: int | None
) -> dict[int, list[Ticket]]:
    """Every ticket created since `since`, by customer id: pages, not customers. Read
    even while the window lies ahead (one empty page): Syncro's clock decides, not ours."""
    if since is None:
        return {}
    found: dict[int, list[Ticket]] = {}
    for ticket in client.list_tickets(created_after=since.isoformat(), customer_id=only_org):
        found.setdefault(int(ticket.customer_id or 0), []).append(ticket)
    return found


def _go_live(customer: Customer | None) -> date | None:
    raw = str((customer.properties or {}).get(catalog.FIELD_GO_LIVE) or "") if customer else ""
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _kickoff(summary: dict[str, Any], org_id: Any, leads: list[Lead]) -> str:
    domains = set(summary.get("email_rules") or {})
    for lead in leads:
        domain = (lead.email or "").rpartition("@")[2].lower()
        if domain in domains:
            if lead.ticket_id and lead.customer_id == org_id:
                return f"passed (lead #{lead.id} from {lead.email} -> ticket #{lead.ticket_id})"
            return f"failed (lead #{lead.id} from {lead.email}: {lead.status}, no ticket here)"
    return f"no mail yet among the {LEAD_PAGES * 25} newest leads"


def _organization_state(org_id: Any, org: Customer | None) -> str:
    if not org_id:
        return NA
    if org is None:
        return "not found"
    return "archived" if org.disabled else "active"


def build_status(
    client: SyncroClient, outputs: dict[str, Any], only: str | None, today: date
) -> StatusReport:
    customers: dict[str, Any] = outputs.get("customers") or {}
    if only:
        customers = {k: v for k, v in customers.items() if k == only}
    ids = [int(s["organization_id"]) for s in customers.values() if s.get("organization_id")]
    start = client.requests_sent
    orgs = _organizations(client, ids) if ids else {}
    defined = {f.name for f in client.customer_fields()} if customers else set()
    leads = _recent_leads(client) if customers else []
    since = ticket_window(customers, orgs, today)
    only_org = ids[0] if only and len(ids) == 1 else None
    tickets = _tickets_by_customer(client, since, only_org) if orgs else {}
    rows = []
    for cid, summary in sorted(customers.items()):
        org_id = summary.get("organization_id")
        org = orgs.get(int(org_id)) if org_id else None
        props = org.properties if org else {}
        missing = [
            f.name for f in catalog.CUSTOM_FIELDS if not props.get(f.name) or f.name not in defined
        ]
        statuses = {str(k): str(v) for k, v in (summary.get("status") or {}).items()}
        rows.append(
            CustomerRow(
                client_id=cid,
                business_name=str(summary.get("business_name") or NA),
                tier=str(summary.get("tier") or NA),
                organization=_organization_state(org_id, org),
                organization_id=org_id,
                missing_fields=missing if org else [],
                rules={
                    d: _status(summary, f"rule:{cid}:{d}") for d in summary.get("email_rules") or {}
                },
                policy=_status(summary, f"policy:{cid}"),
                contract=_status(summary, f"contract:{cid}"),
                contact=_status(summary, f"contact:{cid}"),
                deliverables=_deliverables(
                    cid, summary, tickets.get(int(org_id or 0), []), _go_live(org), today, since
                ),
                kickoff=_kickoff(summary, org_id, leads),
                waiting=sum(1 for v in statuses.values() if v == "pending"),
                statuses=statuses,
            )
        )
    waiting = outputs.get("runbook_waiting", NA)
    return StatusReport(
        rows,
        client.requests_sent - start,
        waiting,
        today.isoformat(),
        since.isoformat() if since else None,
    )
