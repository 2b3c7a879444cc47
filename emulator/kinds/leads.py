"""Leads: every inbound email becomes one; also writable through the API."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import GetList, Invalid, Kind, Query, as_bool, as_int, id_list, is_email

WRITABLE: dict[str, Any] = {
    "first_name": "",
    "last_name": "",
    "business_name": None,
    "email": "",
    "phone": "",
    "mobile": "",
    "address": "",
    "city": "",
    "state": "",
    "zip": "",
    "ticket_subject": None,
    "ticket_description": None,
    "ticket_problem_type": None,
    "ticket_id": None,
    "customer_id": None,
    "contact_id": None,
    "mailbox_id": None,
    "status": "New",
    "user_id": None,
    "location_id": None,
    "message_read": False,
    "properties": {},
}
TEXT = ("first_name", "last_name", "email", "phone", "mobile")
PLACE = ("address", "city", "state", "zip")
SEARCHED = ("email", "first_name", "last_name", "ticket_subject")


class Leads(Kind):
    """`/leads`: newest first; no DELETE in the spec."""

    name = "leads"
    singular = "lead"
    id_base = 60001
    operations = ("list", "create", "read", "update")
    writable = WRITABLE
    timestamps = True

    def out(self, lead: dict[str, Any]) -> dict[str, Any]:
        """A lead in the spec's field names (mailbox name resolved)."""
        mailbox = self.store.get("mailboxes", lead.get("mailbox_id") or 0)
        refs = ("ticket_subject", "ticket_description", "ticket_problem_type", "ticket_id")
        return {
            "id": lead["id"],
            **{k: lead.get(k) or "" for k in TEXT},
            "created_at": lead.get("created_at"),
            "updated_at": lead.get("updated_at"),
            **{k: lead.get(k) or "" for k in PLACE},
            **{k: lead.get(k) for k in (*refs, "customer_id", "contact_id", "mailbox_id")},
            "mailbox_name": mailbox["address"] if mailbox else None,
            "business_then_name": (
                self.account["customers"].display_name(lead.get("customer_id"))
                or lead.get("business_name")
            ),
            "has_attachments": False,
            "message_read": bool(lead.get("message_read")),
            "status": lead.get("status") or "New",
            "user_id": lead.get("user_id"),
            "location_id": lead.get("location_id"),
        }

    def list(self, q: Query, getlist: GetList) -> list[dict[str, Any]]:
        """Status, mailbox and ticket filters; newest first."""
        items = self.store.all(self.name)
        statuses = {s.lower() for s in list(getlist("statuses")) + list(getlist("statuses[]"))}
        if q.get("status_list"):
            statuses |= {s.strip().lower() for s in str(q["status_list"]).split(",")}
        if statuses:
            items = [x for x in items if (x.get("status") or "New").lower() in statuses]
        mailbox_ids = id_list(getlist, "mailbox_ids")
        if mailbox_ids:
            items = [x for x in items if x.get("mailbox_id") in mailbox_ids]
        if q.get("has_ticket") not in (None, ""):
            want = as_bool(q.get("has_ticket"))
            items = [x for x in items if (x.get("ticket_id") is not None) == want]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [x for x in items if any(query in (x.get(k) or "").lower() for k in SEARCHED)]
        items.sort(key=lambda x: x["id"], reverse=True)
        return [self.out(x) for x in items]

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """An email, if given, is valid; some email or name is required."""
        for key in ("customer_id", "contact_id", "ticket_id", "mailbox_id", "user_id"):
            data[key] = as_int(data.get(key))
        errors = []
        email = data.get("email")
        if email not in (None, "") and not is_email(email):
            errors.append("Email is not an email")
        if not any(data.get(k) for k in ("email", "first_name", "last_name", "business_name")):
            errors.append("Email or name can't be blank")
        if errors:
            raise Invalid(errors)
