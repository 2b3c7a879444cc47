"""Tickets and their comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from emulator.clock import day_stamp, parse_day
from emulator.kinds.base import GetList, Invalid, Kind, Query, Rendered, as_bool, as_int, blank

WRITABLE: dict[str, Any] = {
    "customer_id": None,
    "contact_id": None,
    "subject": None,
    "problem_type": None,
    "status": "New",
    "user_id": None,
    "due_date": None,
    "start_at": None,
    "end_at": None,
    "priority": None,
    "properties": {},
    "tag_list": [],
    "location_id": None,
    "sla_id": None,
    "ticket_type_id": None,
    "signature_name": None,
    "asset_ids": [],
}
CLOSED = ("Resolved", "Invoiced")
SOON = timedelta(hours=1)
DETAIL_EMPTY_LISTS = (
    "attachments",
    "ticket_timers",
    "line_items",
    "worksheet_results",
    "assets",
    "appointments",
    "ticket_fields",
    "ticket_answers",
)


class Tickets(Kind):
    """`/tickets`: newest first; customer and subject required."""

    name = "tickets"
    singular = "ticket"
    id_base = 50001
    writable = WRITABLE
    timestamps = True
    sequences = {"ticket_number": 1001, "comments": 70001}

    def _common(
        self, t: dict[str, Any], comments: Mapping[int, list[dict[str, Any]]] | None = None
    ) -> dict[str, Any]:
        due = parse_day(t.get("due_date"))
        keys = ("resolved_at", "start_at", "end_at", "location_id", "problem_type")
        return {
            **{k: t.get(k) for k in ("id", "number", "subject", "created_at", "customer_id")},
            "customer_business_then_name": self.account["customers"].display_name(
                t.get("customer_id")
            ),
            "due_date": day_stamp(due) if due else None,
            **{k: t.get(k) for k in keys},
            "status": t.get("status") or "New",
            "properties": t.get("properties") or {},
            "user_id": t.get("user_id"),
            "updated_at": t.get("updated_at"),
            "pdf_url": None,
            "priority": t.get("priority"),
            "tag_list": t.get("tag_list") or [],
            "contact_id": t.get("contact_id"),
            "ticket_recurring_schedule_id": t.get("ticket_recurring_schedule_id"),
            "comments": [
                self.comment_out(c)
                for c in (
                    comments.get(t["id"], []) if comments is not None else self.comments_of(t["id"])
                )
            ],
        }

    def _user(self, t: dict[str, Any]) -> dict[str, Any] | None:
        user = self.store.get("users", t.get("user_id") or 0)
        return self.account["users"].out(user) if user else None

    def list_item(
        self, t: dict[str, Any], comments: Mapping[int, list[dict[str, Any]]] | None = None
    ) -> dict[str, Any]:
        """A ticket as GET /tickets lists it (a different field set than the detail view)."""
        contact = self.store.get("contacts", t.get("contact_id") or 0)
        return {
            **self._common(t, comments),
            "location_name": None,
            "ticket_type_id": t.get("ticket_type_id"),
            "ticket_type_name": None,
            "billing_status": None,
            "creator_name_or_email": None,
            "contact_fullname": contact.get("name") if contact else None,
            "address_id": None,
            "parent": False,
            "parent_id": None,
            "child": False,
            "recurring": t.get("ticket_recurring_schedule_id") is not None,
            "customer_reply": False,
            "total_formatted_billable_time": None,
            **self.sla_fields(t),
            "customer_tag_list": [],
            "customer_icons": [],
            "user": self._user(t),
        }

    def out(self, t: dict[str, Any]) -> dict[str, Any]:
        """A ticket's detail view (GET/POST/PUT)."""
        customer = self.store.get("customers", t.get("customer_id") or 0)
        contact = self.store.get("contacts", t.get("contact_id") or 0)
        return {
            **self._common(t),
            "intake_form_html": None,
            "signature_name": t.get("signature_name"),
            "signature_date": None,
            "asset_ids": t.get("asset_ids") or [],
            "outtake_form_name": None,
            "outtake_form_date": None,
            "outtake_form_html": None,
            **{k: [] for k in DETAIL_EMPTY_LISTS},
            "customer": self.account["customers"].out(customer) if customer else None,
            "contact": self.account["contacts"].out(contact) if contact else None,
            "user": self._user(t),
            "ticket_type": None,
            "address": None,
            **self.sla_fields(t),
        }

    def sla_fields(self, t: dict[str, Any]) -> dict[str, Any]:
        """The ticket's SLA, its deadlines and whether they are (nearly) missed, judged at
        the emulated now; the contract the SLA came from."""
        sla = self.store.get("slas", t.get("sla_id") or 0)
        contract = self.store.get("contracts", t.get("contract_id") or 0)
        fields: dict[str, Any] = {
            "sla_id": t.get("sla_id"),
            "sla_name": sla["name"] if sla else None,
            "sla_breached": False,
            "sla_breaching_soon": False,
            "response_time": None,
            "resolution_time": None,
            "contract_id": contract["id"] if contract else None,
            "contract_name": contract.get("name") if contract else None,
        }
        if not sla or not t.get("created_at"):
            return fields
        opened = datetime.fromisoformat(t["created_at"])
        respond_by = opened + timedelta(minutes=sla["response_time_minutes"])
        resolve_by = opened + timedelta(minutes=sla["resolution_time_minutes"])
        now = datetime.fromisoformat(self.account.now())
        status = t.get("status") or "New"
        running = [
            d
            for d, open_ in ((respond_by, status == "New"), (resolve_by, status not in CLOSED))
            if open_
        ]
        fields.update(
            response_time=respond_by.isoformat(timespec="milliseconds"),
            resolution_time=resolve_by.isoformat(timespec="milliseconds"),
            sla_breached=any(now > d for d in running),
            sla_breaching_soon=any(d - SOON <= now <= d for d in running),
        )
        return fields

    def list(self, q: Query, getlist: GetList) -> Sequence[dict[str, Any]]:
        """Filters of the spec; newest first."""
        items = self.store.all(self.name)
        for key in ("customer_id", "contact_id", "user_id"):
            if q.get(key) not in (None, ""):
                wanted = as_int(q.get(key))
                items = [t for t in items if t.get(key) == wanted]
        if q.get("number") not in (None, ""):
            items = [t for t in items if str(t["number"]) == str(q.get("number")).strip()]
        if q.get("status"):
            statuses = {s.strip().lower() for s in str(q["status"]).split(",")}
            if "not closed" in statuses:
                items = [t for t in items if t.get("status") not in CLOSED]
            else:
                items = [t for t in items if (t.get("status") or "").lower() in statuses]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [
                t
                for t in items
                if query in (t.get("subject") or "").lower() or query == str(t["number"])
            ]
        for key, field in (("created_after", "created_at"), ("since_updated_at", "updated_at")):
            bound = parse_day(q.get(key))
            if bound:
                items = [t for t in items if (parse_day(t.get(field)) or bound) >= bound]
        items.sort(key=lambda t: t["id"], reverse=True)
        # Every comment read once for the whole list, not once per ticket listed.
        comments: dict[int, list[dict[str, Any]]] = {}
        for c in self.store.all("comments"):
            comments.setdefault(c.get("ticket_id"), []).append(c)
        return Rendered(items, lambda t: self.list_item(t, comments))

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Customer (a missing reference), subject, user; dates normalised."""
        raw_user = data.get("user_id")
        for key in ("customer_id", "contact_id", "user_id"):
            data[key] = as_int(data.get(key))
        if data["customer_id"] is None or not self.store.get("customers", data["customer_id"]):
            raise Invalid("Customer required field", reference=True)
        if blank(data.get("subject")):
            raise Invalid("Subject can't be blank")
        if (
            current is None
            and raw_user not in (None, "")
            and not self.store.get("users", data["user_id"] or 0)
        ):
            raise Invalid("User must exist")
        due = parse_day(data.get("due_date"))
        data["due_date"] = due.isoformat() if due else None
        self._check_sla(data, current, body)
        if current is None:
            data.update(ticket_recurring_schedule_id=None, resolved_at=None)
        elif data.get("status") == "Resolved" and not data.get("resolved_at"):
            data["resolved_at"] = self.account.now()

    def _check_sla(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """A given SLA is an id (one naming no SLA is kept as given: whether Syncro checks
        is unverified); a new ticket without one gets the SLA of the customer's
        apply-to-all contract in force today."""
        if body.get("sla_id") not in (None, ""):
            data["sla_id"] = as_int(body["sla_id"])
            if data["sla_id"] is None or data["sla_id"] <= 0:
                raise Invalid("Sla is invalid")
            if current is None or data["sla_id"] != current.get("sla_id"):
                data["contract_id"] = None
        elif "sla_id" in body:
            data.update(sla_id=None, contract_id=None)
        elif current is None:
            contract = self.account["contracts"].covering(data["customer_id"], self.account.today)
            data["sla_id"] = contract["sla_id"] if contract else None
            data["contract_id"] = contract["id"] if contract else None

    def create(self, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """POST: a number from its own sequence; `extra` is what Syncro itself sets
        (the recurring job's schedule id and day)."""
        with self.store.tx():
            record = self.upsert(None, body)
            record["number"] = self.store.next_id("ticket_number")
            record.update(extra)
            if "created_at" in extra:
                record["updated_at"] = extra["created_at"]
            self.store.put(self.name, record)
            for comment in body.get("comments_attributes") or []:
                if isinstance(comment, Mapping):
                    self.insert_comment(record["id"], comment)
        return record

    def delete(self, obj_id: int) -> dict[str, Any]:
        """With its comments."""
        with self.store.tx():
            current = self.get(obj_id)
            for comment in self.comments_of(obj_id):
                self.store.delete("comments", comment["id"])
            self.store.delete(self.name, obj_id)
        return current

    # -- comments -------------------------------------------------------------------

    def comments_of(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's comments, oldest first."""
        return [c for c in self.store.all("comments") if c.get("ticket_id") == ticket_id]

    def comment_out(self, c: dict[str, Any]) -> dict[str, Any]:
        """A comment in the spec's field names."""
        keys = ("id", "created_at", "updated_at", "ticket_id", "subject", "body", "tech")
        return {
            **{k: c.get(k) for k in keys},
            "hidden": bool(c.get("hidden")),
            "user_id": c.get("user_id"),
        }

    def insert_comment(self, ticket_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """Store a comment on a ticket."""
        now = self.account.now()
        return self.store.insert(
            "comments",
            {
                "ticket_id": ticket_id,
                "subject": body.get("subject"),
                "body": body.get("body") or "",
                "tech": body.get("tech"),
                "hidden": as_bool(body.get("hidden", False)),
                "user_id": as_int(body.get("user_id")),
                "created_at": now,
                "updated_at": now,
            },
        )

    def list_comments(self, ticket_id: int) -> list[dict[str, Any]]:
        """GET /tickets/{id}/comments."""
        self.get(ticket_id)
        return [
            {**self.comment_out(c), "is_rich_text": False, "user": {}}
            for c in self.comments_of(ticket_id)
        ]

    def add_comment(self, ticket_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """POST /tickets/{id}/comment: `subject` is required."""
        self.get(ticket_id)
        if blank(body.get("subject")):
            raise Invalid("Subject can't be blank")
        return self.comment_out(self.insert_comment(ticket_id, body))
