"""Ticket automations (UI only): the acknowledgement and the staff alert."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind, blank, is_email

AUTOMATION_KINDS = ("acknowledgement", "staff_alert")


class TicketAutomations(Kind):
    """A named automation of a known kind; a staff alert notifies someone."""

    name = "ticket_automations"
    singular = "ticket_automation"
    surface = "ui"
    id_base = 501
    writable = {
        "name": None,
        "kind": None,
        "subject_template": "",
        "body_template": "",
        "notify": [],
    }

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Name, kind, templates, recipients."""
        if blank(data.get("name")):
            raise Invalid("Name can't be blank")
        if data.get("kind") not in AUTOMATION_KINDS:
            raise Invalid("kind must be acknowledgement or staff_alert")
        for key in ("subject_template", "body_template"):
            if not isinstance(data.get(key, ""), str):
                raise Invalid(f"{key} must be a string")
            data.setdefault(key, "")
        notify = data.get("notify") or []
        if not isinstance(notify, list) or not all(is_email(n) for n in notify):
            raise Invalid("notify must be a list of email addresses")
        data["notify"] = notify
        if data["kind"] == "staff_alert" and not notify:
            raise Invalid("A staff alert needs at least one address to notify")

    def first(self, kind: str) -> dict[str, Any] | None:
        """The first (lowest id) automation of a kind: the one Syncro's emulation uses."""
        return next((a for a in self.store.all(self.name) if a["kind"] == kind), None)
