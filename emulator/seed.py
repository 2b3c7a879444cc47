"""`python -m emulator seed`: fill an emulated tenant with an MSP's existing customers.

What the day-two commands (`syncro-onboard import | status | diagnose | sla-report`) read
must exist with realistic data, so this writes, deterministically for a given `--seed`:

- the MSP's custom field definitions (the catalog's), then N organizations with their
  field values, a main contact and EDR keys; about one in ten of each kind is imperfect:
  no CS Client ID, a free-mail email (and no Primary Domain), the previous organization's
  domain again, an unknown tier ("Gold"), an archived organization;
- M tickets spread over the last six months with comments (the customer's first mail,
  staff replies, a closing note), most kept within the tier's targets and some breaching
  them (late first response, late resolution, Defense+ incidents notified after the hour);
  incidents carry problem type "Security Incident";
- leads in every status ("New", "In Progress", "Won", "Lost": the status names Syncro's
  lead list shows; an assumption, the public spec lists no enum): Won ones carry their
  ticket and organization, New ones come from unknown senders.

It writes through the emulator's kinds (`emulator.model.Syncro["customers"]` and so on:
the same code the public API runs) inside one transaction; only the timestamps of
tickets, comments and leads are set here, since the API stamps records "now" and
history must lie in the past.
Run it on a fresh database (or pass `--reset`): customer emails are unique.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from emulator.clock import ACCOUNT_TZ
from emulator.model import Syncro
from emulator.store import Store
from resources import catalog

LEAD_STATUSES = ("New", "In Progress", "Won", "Lost")
INCIDENT_PROBLEM_TYPE = catalog.INCIDENT_PROBLEM_TYPES[0]  # what sla-report counts as one
WORDS_A = ("Harbor", "Summit", "Cedar", "Granite", "Bright", "Copper", "Maple", "Atlas", "Blue")
WORDS_B = ("Dental", "Law", "Capital", "Clinic", "Logistics", "Realty", "Labs", "Foods", "Works")
SUFFIXES = ("LLC", "LLP", "Inc", "Group", "Partners")
FIRST = ("Jane", "Omar", "Priya", "Lena", "Marco", "Grace", "Kenji", "Ava", "Tom", "Rosa")
LAST = ("Smith", "Haddad", "Rao", "Novak", "Rossi", "Okafor", "Sato", "Berg", "Lee", "Diaz")
STAFF = ((1001, "Alex Morgan"), (1002, "Sam Lee"))
SUBJECTS = ("Printer offline", "VPN drops", "New laptop", "Phishing mail", "Password reset")
HISTORY_DAYS = 180


@dataclass
class SeedReport:
    """What was written, so tests can check the imperfect organizations by name."""

    customers: list[int] = field(default_factory=list)
    tickets: int = 0
    comments: int = 0
    leads: dict[str, int] = field(default_factory=dict)
    imperfect: dict[str, list[int]] = field(default_factory=dict)

    def line(self) -> str:
        odd = ", ".join(f"{k}: {len(v)}" for k, v in self.imperfect.items())
        leads = ", ".join(f"{k} {v}" for k, v in self.leads.items())
        return (
            f"seeded {len(self.customers)} organizations ({odd}), {self.tickets} tickets, "
            f"{self.comments} comments, leads: {leads}"
        )


def _ts(moment: datetime) -> str:
    local = moment.astimezone(ACCOUNT_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S.000") + "-08:00"


def _define_fields(syncro: Syncro) -> None:
    known = {f["name"] for f in syncro.store.all("customer_fields")}
    for definition in catalog.CUSTOM_FIELDS:
        if definition.name not in known:
            syncro["customer_fields"].create(
                {
                    "name": definition.name,
                    "field_type": definition.field_type,
                    "answers": list(definition.answers),
                }
            )


def _organization(
    syncro: Syncro, rng: random.Random, n: int, previous_domain: str | None, report: SeedReport
) -> tuple[dict[str, Any], str]:
    name = f"{WORDS_A[n % len(WORDS_A)]} {WORDS_B[(n // 9) % len(WORDS_B)]} {n:04d} "
    name += SUFFIXES[n % len(SUFFIXES)]
    slug = name.split()[0].lower() + name.split()[1].lower() + f"{n:04d}"
    domain = f"{slug}.com"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first.lower()}@{domain}"
    tier = rng.choice(catalog.TIERS)
    kind = n % 10
    props: dict[str, str] = {
        catalog.FIELD_CLIENT_ID: f"CS-{1000 + n:04d}",
        catalog.FIELD_TIER: tier,
        catalog.FIELD_SLA: catalog.tier(tier).sla.text(),
        catalog.FIELD_PLATFORM: rng.choice(catalog.PLATFORMS),
        catalog.FIELD_PRIMARY_DOMAIN: domain,
        catalog.FIELD_MAIN_POC: f"{first} {last} <{email}>",
        catalog.FIELD_HUBSPOT_DEAL_ID: str(18_000_000 + n),
        catalog.FIELD_GO_LIVE: (date(2025, 1, 1) + timedelta(days=rng.randrange(600))).isoformat(),
        catalog.FIELD_EDR_ACCOUNT_KEY: f"seed-acct-{n:04d}-{rng.randrange(10**8):08d}",
        catalog.FIELD_EDR_ORG_KEY: f"seed-org-{n:04d}-{rng.randrange(10**8):08d}",
    }
    imperfection = None
    if kind == 3:
        imperfection = "no_client_id"
        del props[catalog.FIELD_CLIENT_ID]
    elif kind == 5:
        imperfection = "free_mail"
        email = f"{first.lower()}.{last.lower()}{n}@gmail.com"
        props[catalog.FIELD_MAIN_POC] = f"{first} {last} <{email}>"
        del props[catalog.FIELD_PRIMARY_DOMAIN]
    elif kind == 7 and previous_domain:
        imperfection = "duplicate_domain"
        domain = previous_domain
        email = f"{first.lower()}.{n}@{domain}"
        props[catalog.FIELD_PRIMARY_DOMAIN] = domain
        props[catalog.FIELD_MAIN_POC] = f"{first} {last} <{email}>"
    elif kind == 9:
        imperfection = "unknown_tier"
        props[catalog.FIELD_TIER] = "Gold"
    body = {
        "business_name": name,
        "firstname": first,
        "lastname": last,
        "email": email,
        "properties": props,
    }
    customer = syncro["customers"].create(body)
    syncro["contacts"].create(
        {"customer_id": customer["id"], "name": f"{first} {last}", "email": email}
    )
    if n % 20 == 11:
        imperfection = imperfection or "archived"
        stored = syncro.store.get("customers", customer["id"]) or {}
        syncro.store.put("customers", {**stored, "disabled": True})
    if imperfection:
        report.imperfect.setdefault(imperfection, []).append(customer["id"])
    report.customers.append(customer["id"])
    return customer, domain


def _comment(
    syncro: Syncro, ticket_id: int, when: datetime, subject: str, body: str, staff: bool, rng: Any
) -> None:
    user_id, tech = rng.choice(STAFF) if staff else (None, None)
    syncro.store.insert(
        "comments",
        {
            "ticket_id": ticket_id,
            "subject": subject,
            "body": body,
            "tech": tech,
            "hidden": False,
            "user_id": user_id,
            "created_at": _ts(when),
            "updated_at": _ts(when),
        },
    )


def _ticket(
    syncro: Syncro, rng: random.Random, customer: dict[str, Any], today: date, report: SeedReport
) -> dict[str, Any]:
    start = datetime.combine(today, time(9), ACCOUNT_TZ) - timedelta(
        days=rng.randrange(HISTORY_DAYS), hours=rng.randrange(12)
    )
    incident = rng.random() < 0.15
    breach = rng.random() < 0.25
    # First staff response: within the hour for most incidents, hours for the rest.
    if incident:
        first_reply = timedelta(minutes=rng.randrange(10, 55))
        if breach:
            first_reply = timedelta(minutes=rng.randrange(70, 300))
    else:
        first_reply = timedelta(hours=rng.uniform(0.5, 20))
        if breach and rng.random() < 0.5:
            first_reply = timedelta(hours=rng.uniform(26, 60))
    resolve_after = first_reply + timedelta(hours=rng.uniform(2, 40))
    if breach and rng.random() < 0.6:
        resolve_after = timedelta(hours=rng.uniform(75, 200))
    resolved_at = start + resolve_after
    now = datetime.combine(today, time(8), ACCOUNT_TZ)
    is_resolved = resolved_at < now and rng.random() < 0.9
    subject = "Suspicious sign-in alert" if incident else rng.choice(SUBJECTS)
    ticket = syncro["tickets"].create(
        {
            "customer_id": customer["id"],
            "subject": subject,
            "problem_type": INCIDENT_PROBLEM_TYPE
            if incident
            else rng.choice(("Hardware", "Software", "Network", "Other")),
            "status": "Resolved" if is_resolved else rng.choice(("New", "In Progress")),
            "user_id": rng.choice(STAFF)[0],
        },
        created_at=_ts(start),
        updated_at=_ts(resolved_at if is_resolved else start),
        resolved_at=_ts(resolved_at) if is_resolved else None,
    )
    _comment(syncro, ticket["id"], start, "Initial Issue", f"{subject}, please help.", False, rng)
    count = 1
    if start + first_reply < now:
        _comment(syncro, ticket["id"], start + first_reply, "Update", "Looking into it.", True, rng)
        count += 1
    if is_resolved:
        _comment(syncro, ticket["id"], resolved_at, "Resolved", "Fixed; closing.", True, rng)
        count += 1
    report.tickets += 1
    report.comments += count
    return ticket


def _leads(
    syncro: Syncro,
    rng: random.Random,
    tickets: list[dict[str, Any]],
    customers: dict[int, dict[str, Any]],
    today: date,
    report: SeedReport,
) -> None:
    for index, status in enumerate(LEAD_STATUSES * max(2, len(tickets) // 10 or 1)):
        when = datetime.combine(today, time(7), ACCOUNT_TZ) - timedelta(
            days=rng.randrange(60), minutes=index
        )
        body: dict[str, Any] = {"status": status, "mailbox_id": 201}
        if status == "Won" and tickets:
            ticket = tickets[index % len(tickets)]
            customer = customers[ticket["customer_id"]]
            body.update(
                email=customer["email"],
                first_name=customer.get("firstname") or "",
                last_name=customer.get("lastname") or "",
                ticket_id=ticket["id"],
                customer_id=ticket["customer_id"],
                ticket_subject=ticket["subject"],
            )
        else:
            first = rng.choice(FIRST)
            body.update(
                email=f"{first.lower()}{index}@{rng.choice(('gmail.com', 'example.org'))}",
                first_name=first,
                ticket_subject=rng.choice(("Quote request", "Unsubscribe", "Hello")),
            )
        lead = syncro["leads"].create(body)
        stored = syncro.store.get("leads", lead["id"]) or {}
        syncro.store.put("leads", {**stored, "created_at": _ts(when), "updated_at": _ts(when)})
        report.leads[status] = report.leads.get(status, 0) + 1


def seed_tenant(syncro: Syncro, customers: int, tickets: int, seed: int) -> SeedReport:
    """Write the tenant (see the module docstring); deterministic for a given seed."""
    rng = random.Random(seed)
    report = SeedReport()
    today = syncro.today
    with syncro.store.tx():
        _define_fields(syncro)
        made: dict[int, dict[str, Any]] = {}
        previous_domain: str | None = None
        for n in range(customers):
            customer, domain = _organization(syncro, rng, n, previous_domain, report)
            made[customer["id"]] = customer
            previous_domain = domain
        opened = []
        ids = list(made)
        for _ in range(tickets if ids else 0):
            opened.append(_ticket(syncro, rng, made[rng.choice(ids)], today, report))
        _leads(syncro, rng, opened, made, today, report)
    return report


def register(sub: argparse._SubParsersAction) -> None:
    """The `seed` subcommand of `python -m emulator`."""
    parser = sub.add_parser("seed", help="fill the tenant with realistic existing customers")
    parser.add_argument("--db", type=Path, default=Path(".emulator/syncro.db"))
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="wipe the tenant back first")


def run(args: argparse.Namespace) -> int:
    """Seed the database at `--db` (the emulator may be serving it: SQLite WAL)."""
    store = Store(args.db)
    try:
        syncro = Syncro(store)
        if args.reset:
            syncro.reset()
        print(seed_tenant(syncro, args.customers, args.tickets, args.seed).line())
    finally:
        store.close()
    return 0
