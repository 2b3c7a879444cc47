"""The emulator's one HTML page: what a person would check in Syncro's UI, on one screen.

Rendered on the server (no JavaScript) so the page is plain DOM that a headless browser,
curl or a human can read the same way.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from emulator.model import Syncro

# Custom fields holding credentials (the EDR deployment keys HUNT_A-KEY / HUNT_O-KEY, or
# any other key, secret, token or password field) are shown masked: the page is a screen
# people share in demos and screenshots, and a key on it would leak.
SECRET_FIELD = re.compile(r"(?<![a-z])(key|secret|token|password)(?![a-z])", re.IGNORECASE)
MASK = "••••••••"


def shown_value(field: str, value: Any) -> Any:
    """The value as the page shows it: secrets masked (set or not is still visible)."""
    if value not in (None, "") and SECRET_FIELD.search(field):
        return MASK
    return value


def _table(headers: list[str], rows: list[list[Any]], table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    if not rows:
        return f'<p class="empty" id="{table_id}-empty">None yet.</p>'
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_page(s: Syncro) -> str:
    """Organizations with custom fields, email rules in order, recurring tickets, tickets,
    and the inbound-mail log (leads and outbox)."""
    customers = s.store.all("customers")
    names = {c["id"]: s["customers"].display_name(c["id"]) for c in customers}
    fields = s["customers"].field_names()
    org_rows = []
    for c in customers:
        out = s["customers"].out(c, contacts=False)
        org_rows.append(
            [
                c["id"],
                out["business_then_name"],
                out["email"],
                "archived" if out["disabled"] else "active",
            ]
            + [shown_value(f, out["properties"].get(f, "")) for f in fields]
        )
    rule_rows = [
        [
            r["position"],
            r["id"],
            r["sender"],
            r.get("subject_filter") or "",
            names.get(r["customer_id"], r["customer_id"]),
            "yes" if r.get("auto_create_contact") else "no",
        ]
        for r in s["email_rules"].ordered()
    ]
    recurring_rows = [
        [
            r["id"],
            names.get(r["customer_id"], r["customer_id"]),
            r["subject"],
            r["frequency"],
            r["next_due"],
            r["lead_days"],
        ]
        for r in s.store.all("recurring_tickets")
    ]
    ticket_rows = [
        [
            t["number"],
            names.get(t.get("customer_id"), t.get("customer_id")),
            t.get("subject"),
            t.get("status"),
            t.get("due_date") or "",
            t.get("ticket_recurring_schedule_id") or "",
        ]
        for t in sorted(s.store.all("tickets"), key=lambda t: t["id"])
    ]
    lead_rows = [
        [
            x["id"],
            x.get("email"),
            x.get("ticket_subject"),
            x.get("status"),
            names.get(x.get("customer_id"), x.get("customer_id")),
        ]
        for x in s.store.all("leads")
    ]
    outbox_rows = [
        [
            m["id"],
            m["kind"],
            ", ".join(m["to"]) if isinstance(m["to"], list) else m["to"],
            m["subject"],
        ]
        for m in s.store.all("outbox")
    ]
    prefs = s.preferences.get()
    sections = [
        (
            "organizations",
            "Organizations",
            _table(["ID", "Name", "Email", "State", *fields], org_rows, "organizations-table"),
        ),
        (
            "email-rules",
            "Email rules (evaluated top-down)",
            _table(
                ["Position", "ID", "Sender", "Subject filter", "Customer", "Auto-create contact"],
                rule_rows,
                "email-rules-table",
            ),
        ),
        (
            "recurring-tickets",
            "Recurring tickets",
            _table(
                ["ID", "Customer", "Subject", "Frequency", "Next due", "Lead days"],
                recurring_rows,
                "recurring-tickets-table",
            ),
        ),
        (
            "tickets",
            "Tickets",
            _table(
                ["Number", "Customer", "Subject", "Status", "Due", "Schedule"],
                ticket_rows,
                "tickets-table",
            ),
        ),
        (
            "leads",
            "Inbound mail: leads",
            _table(["ID", "From", "Subject", "Status", "Customer"], lead_rows, "leads-table"),
        ),
        (
            "outbox",
            "Inbound mail: outbox",
            _table(["ID", "Kind", "To", "Subject"], outbox_rows, "outbox-table"),
        ),
    ]
    body = "".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>{content}</section>'
        for sid, title, content in sections
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Syncro emulator</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
        "</style></head><body><h1>Syncro emulator</h1>"
        f'<p id="clock">Emulated date: {escape(s.today.isoformat())}; '
        f"create tickets from leads: {'on' if prefs['create_tickets_from_leads'] else 'off'}; "
        f"recurring tickets: {'on' if prefs['enable_recurring_tickets'] else 'off'}</p>"
        f"{body}</body></html>"
    )
