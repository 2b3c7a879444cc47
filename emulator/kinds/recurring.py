"""Recurring ticket schedules (UI only) and the daily job that opens their tickets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from emulator.clock import add_months, parse_day, stamp
from emulator.kinds.base import Invalid, Kind, as_int, blank

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
FIELDS = ("customer_id", "subject", "problem_type", "user_id", "frequency", "next_due", "lead_days")
DISABLED = (
    "Recurring tickets are disabled: turn on 'Enable Recurring Tickets' in "
    "Admin > Tickets - Preferences"
)


class RecurringTickets(Kind):
    """Refused while "Enable Recurring Tickets" is off; next due anchored on the first."""

    name = "recurring_tickets"
    singular = "recurring_ticket"
    surface = "ui"
    id_base = 401
    writable = {key: None for key in FIELDS} | {"lead_days": 0}

    def out(self, r: dict[str, Any]) -> dict[str, Any]:
        """The design contract's fields (internal bookkeeping hidden)."""
        return {k: r.get(k) for k in ("id", *FIELDS)}

    def enabled(self) -> bool:
        """The master switch in the ticket preferences."""
        return bool(self.account.preferences.get()["enable_recurring_tickets"])

    def upsert(self, obj_id: int | None, body: Any) -> dict[str, Any]:
        """Refused while the master switch is off; the anchor moves with a new due date."""
        if not self.enabled():
            raise Invalid(DISABLED)
        return super().upsert(obj_id, body)

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """References, subject, problem type, frequency, dates."""
        problem_types = self.account.problem_types
        data["customer_id"] = as_int(data.get("customer_id"))
        data["user_id"] = as_int(data.get("user_id"))
        if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
            raise Invalid("Customer must exist")
        if data["user_id"] is not None and not self.store.get("users", data["user_id"]):
            raise Invalid("Assignee must be a user")
        if blank(data.get("subject")):
            raise Invalid("Subject can't be blank")
        if data.get("problem_type") not in problem_types:
            raise Invalid(f"Problem type must be one of {', '.join(problem_types)}")
        if data.get("frequency") not in FREQUENCY_MONTHS:
            raise Invalid("frequency must be monthly, quarterly or yearly")
        due = parse_day(data.get("next_due"))
        if due is None or len(str(data.get("next_due"))) != 10:
            raise Invalid("next_due must be a YYYY-MM-DD date")
        lead_days = data.get("lead_days", 0)
        if isinstance(lead_days, bool) or not isinstance(lead_days, int) or lead_days < 0:
            raise Invalid("lead_days must be a non-negative integer")
        if "next_due" in body or current is None:
            data["anchor"] = due.isoformat()
            data["step"] = 0
        if "frequency" in body and current is not None and "next_due" not in body:
            data["anchor"] = data["next_due"]
            data["step"] = 0
        data["next_due"] = due.isoformat()

    def run_day(self, day: date) -> list[dict[str, Any]]:
        """The daily job for `day`: open every occurrence whose open date has arrived."""
        created: list[dict[str, Any]] = []
        if not self.enabled():
            return created
        tickets = self.account["tickets"]
        opened = set(self.store.meta("occurrences", []))
        moved = False
        for schedule in self.store.all(self.name):
            customer = self.store.get("customers", schedule["customer_id"])
            months = FREQUENCY_MONTHS[schedule["frequency"]]
            changed = False
            while True:
                due = date.fromisoformat(schedule["next_due"])
                if due - timedelta(days=schedule["lead_days"]) > day:
                    break
                key = f"{schedule['id']}:{due.isoformat()}"
                if key not in opened and customer and not customer.get("disabled"):
                    ticket = tickets.create(
                        {
                            "customer_id": schedule["customer_id"],
                            "subject": schedule["subject"],
                            "problem_type": schedule["problem_type"],
                            "user_id": schedule.get("user_id"),
                            "due_date": due.isoformat(),
                        },
                        ticket_recurring_schedule_id=schedule["id"],
                        created_at=stamp(day),
                    )
                    created.append(tickets.out(ticket))
                opened.add(key)
                changed = True
                schedule["step"] = int(schedule.get("step", 0)) + 1
                anchor = date.fromisoformat(schedule.get("anchor") or schedule["next_due"])
                schedule["next_due"] = add_months(anchor, schedule["step"] * months).isoformat()
            if changed:
                # Only schedules that moved are written: a year of clock advance is
                # 365 job runs, and most days nothing is due.
                self.store.put(self.name, schedule)
                moved = True
        if moved:
            self.store.set_meta("occurrences", sorted(opened))
        return created
