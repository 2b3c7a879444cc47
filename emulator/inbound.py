"""What Syncro does with an email that reaches a support mailbox.

Every email becomes a lead. The sender is matched against contact emails, then customer
emails, then email rules top-down; a match wins the lead and opens a ticket. An unmatched
sender becomes a *new organization* when "Create Tickets from Leads" is on and the
mailbox automatically creates tickets "Always" (how spam turns into junk customers);
otherwise the lead stays "New". With "Create Tickets from Leads (If Valid)" off, every
email stays a "New" lead, even from a known contact or customer (the seeds' "Prevent
Creating Organizations from Leads"). The acknowledgement and the staff alert that the ticket
automations would send are written to an outbox so tests can read what went out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.model import Syncro
from emulator.shapes import ApiError


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{{tag}}` placeholders (spaces inside the braces allowed); unknown tags stay."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", fill, template or "")


def name_from_address(address: str) -> tuple[str, str]:
    """First and last name guessed from an address's local part (`jane.smith` -> Jane Smith)."""
    local = address.split("@", 1)[0]
    parts = [p for p in re.split(r"[._+-]+", local) if p]
    if not parts:
        return local, ""
    first = parts[0].capitalize()
    last = " ".join(p.capitalize() for p in parts[1:])
    return first, last


def parse_sender(raw: str) -> tuple[str, str | None]:
    """`Jane Smith <jane@x.com>` -> (address, display name)."""
    match = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", raw or "")
    if match:
        return match.group(2).strip().lower(), match.group(1).strip().strip('"') or None
    return (raw or "").strip().lower(), None


def _matches_rule(rule: dict[str, Any], address: str, subject: str, mailbox_id: int) -> bool:
    """`@domain` matches any address at exactly that domain, `user@domain` exactly."""
    if rule.get("mailbox_id") and rule["mailbox_id"] != mailbox_id:
        return False
    sender = rule["sender"]
    if sender.startswith("@"):
        if address.rsplit("@", 1)[-1] != sender[1:]:
            return False
    elif address != sender:
        return False
    wanted = rule.get("subject_filter")
    return not wanted or wanted.lower() in (subject or "").lower()


def _send(syncro: Syncro, kind: str, message: dict[str, Any], refs: dict[str, Any]) -> None:
    syncro.store.insert("outbox", {"kind": kind, **message, **refs, "time": syncro.now()})


def receive(syncro: Syncro, mail: dict[str, Any]) -> dict[str, Any]:
    """Process one inbound email and report what happened (the control endpoint's reply)."""
    address, display = parse_sender(str(mail.get("from") or ""))
    to_address, _ = parse_sender(str(mail.get("to") or ""))
    subject = str(mail.get("subject") or "")
    body = str(mail.get("body") or "")
    if not address or "@" not in address:
        raise ApiError(422, {"error": "from must be an email address"})
    mailbox = next((m for m in syncro.store.all("mailboxes") if m["address"] == to_address), None)
    if mailbox is None:
        raise ApiError(422, {"error": f"No mailbox receives mail for {to_address!r}"})
    if not mailbox.get("active"):
        raise ApiError(422, {"error": f"Mailbox {to_address} is not active"})

    with syncro.store.tx():
        first, last = name_from_address(address)
        if display:
            first, _, last = display.partition(" ")
        now = syncro.now()
        lead = syncro.store.insert(
            "leads",
            {
                "first_name": first,
                "last_name": last,
                "email": address,
                "ticket_subject": subject,
                "ticket_description": body,
                "mailbox_id": mailbox["id"],
                "status": "New",
                "customer_id": None,
                "contact_id": None,
                "ticket_id": None,
                "created_at": now,
                "updated_at": now,
            },
        )
        reply: dict[str, Any] = {
            "lead_id": lead["id"],
            "outcome": "lead_only",
            "matched_by": None,
            "rule_id": None,
            "customer_id": None,
            "contact_id": None,
            "contact_created": False,
            "ticket_id": None,
            "ticket_number": None,
            "acknowledgement": None,
            "staff_alert": None,
        }
        prefs = syncro.preferences.get()
        customer_id: int | None = None
        contact_id: int | None = None
        assignee: int | None = None
        contacts = syncro.store.all("contacts")
        contact = next((c for c in contacts if (c.get("email") or "").lower() == address), None)
        customer = next(
            (c for c in syncro.store.all("customers") if (c.get("email") or "").lower() == address),
            None,
        )
        if mailbox["auto_create"] == "never" or not prefs["create_tickets_from_leads"]:
            pass  # every email stays a "New" lead, even from a known contact or customer
        elif contact:
            reply["matched_by"] = "contact"
            customer_id, contact_id = contact["customer_id"], contact["id"]
        elif customer:
            reply["matched_by"] = "customer_email"
            customer_id = customer["id"]
        else:
            rule = next(
                (
                    r
                    for r in syncro["email_rules"].ordered()
                    if _matches_rule(r, address, subject, mailbox["id"])
                ),
                None,
            )
            if rule:
                reply.update(matched_by="email_rule", rule_id=rule["id"])
                customer_id, assignee = rule["customer_id"], rule.get("assignee_user_id")
                if rule.get("auto_create_contact"):
                    contact_id = _contact_for(syncro, customer_id, address, display, reply)
            elif mailbox["auto_create"] == "always":
                created = syncro["customers"].insert_unchecked(
                    {"firstname": first, "lastname": last, "email": address}
                )
                customer_id = created["id"]
                contact_id = _contact_for(syncro, customer_id, address, display, reply)
                reply["outcome"] = "new_organization"

        if customer_id is not None:
            tickets = syncro["tickets"]
            made = tickets.create(
                {
                    "customer_id": customer_id,
                    "contact_id": contact_id,
                    "subject": subject or "(no subject)",
                    "user_id": assignee,
                    "comments_attributes": [
                        {"subject": "Initial Issue", "body": body, "hidden": False}
                    ],
                }
            )
            ticket = tickets.out(made)
            if reply["outcome"] == "lead_only":
                reply["outcome"] = "ticket"
            reply.update(
                customer_id=customer_id,
                contact_id=contact_id,
                ticket_id=ticket["id"],
                ticket_number=ticket["number"],
            )
            lead.update(
                status="Won", customer_id=customer_id, contact_id=contact_id, ticket_id=ticket["id"]
            )
            syncro.store.put("leads", lead)
            _notify(syncro, ticket, address, reply)
    return reply


def _contact_for(
    syncro: Syncro, customer_id: int, address: str, display: str | None, reply: dict[str, Any]
) -> int:
    """Reuse the customer's contact with this address, else create one named from it."""
    for contact in syncro.store.all("contacts"):
        if contact.get("customer_id") == customer_id and (contact.get("email") or "") == address:
            return contact["id"]
    first, last = name_from_address(address)
    name = display or " ".join(x for x in (first, last) if x)
    created = syncro["contacts"].create(
        {"customer_id": customer_id, "name": name, "email": address}
    )
    reply["contact_created"] = True
    return created["id"]


def _notify(syncro: Syncro, ticket: dict[str, Any], sender: str, reply: dict[str, Any]) -> None:
    """Render the acknowledgement and staff alert (first automation of each kind)."""
    automations = syncro["ticket_automations"]
    values = {
        "ticket_number": ticket["number"],
        "ticket_subject": ticket["subject"],
        "customer_name": ticket.get("customer_business_then_name") or "",
        "ticket_id": ticket["id"],
    }
    refs = {"ticket_id": ticket["id"], "lead_id": reply["lead_id"]}
    ack = automations.first("acknowledgement")
    if ack:
        message = {
            "to": sender,
            "subject": render(ack["subject_template"], values),
            "body": render(ack["body_template"], values),
        }
        _send(syncro, "acknowledgement", message, refs)
        reply["acknowledgement"] = message
    alert = automations.first("staff_alert")
    if alert:
        message = {
            "to": list(alert["notify"]),
            "subject": render(alert["subject_template"], values),
            "body": render(alert["body_template"], values),
        }
        _send(syncro, "staff_alert", message, refs)
        reply["staff_alert"] = message
