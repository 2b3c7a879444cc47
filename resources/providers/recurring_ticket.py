"""A recurring deliverable ticket the plan tier owes (Tickets > Recurring Tickets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from resources.providers.base import AdminObjectProvider, listing, users


class RecurringTicketProvider(AdminObjectProvider):
    kind = "recurring_tickets"
    managed = (
        "subject",
        "problem_type",
        "frequency",
        "first_due",
        "lead_days",
        "assignee",
        "customer_id",
        "admin_mode",
    )
    replace_on = ("deliverable",)
    required = ("client_id", "deliverable", "subject", "frequency", "first_due", "assignee")

    def _user_id(self, props: Mapping[str, Any]) -> int:
        email = str(props["assignee"])
        user = users.by_email(self.client, email)
        if user is None:
            # Only Syncro knows its users, so this is found when the first schedule is
            # written, not in preview; fixing the file and re-running converges.
            raise ValueError(
                f"{props['client_id']}: account manager {email!r} is not a Syncro user. Fix: "
                f"set account_manager in the customer file of {props['client_id']} to the "
                "email of an existing Syncro user (Admin > Users)."
            )
        return int(user.id)

    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "customer_id": int(props["customer_id"]),
            "subject": props["subject"],
            "problem_type": props["problem_type"],
            "user_id": self._user_id(props),
            "frequency": props["frequency"],
            "next_due": props["first_due"],
            "lead_days": int(props["lead_days"]),
        }

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.subject == props["subject"] and obj.customer_id == props.get("customer_id")

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        # next_due moves every time the schedule fires: it is an output, never drift.
        return {
            "subject": obj.subject,
            "problem_type": obj.problem_type,
            "frequency": obj.frequency,
            "lead_days": obj.lead_days,
            "assignee": (obj.user_id and users.email_of(self.client, obj.user_id))
            or props.get("assignee"),
            "customer_id": obj.customer_id,
            "next_due": obj.next_due,
        }

    def verify(self, props: Mapping[str, Any]) -> tuple[str, int | None]:
        """A schedule works once a ticket it opened (carrying its schedule id) appears."""
        customer_id = props.get("customer_id")
        # Numbers come back from state as floats (protobuf Struct); unknown during preview.
        if not isinstance(customer_id, int | float):
            return "pending", None
        for ticket in listing.all(self.client, f"tickets:{int(customer_id)}"):
            if ticket.subject == props["subject"] and ticket.ticket_recurring_schedule_id:
                return "verified", int(ticket.ticket_recurring_schedule_id)
        return "pending", None


class RecurringTicket(Resource, module="syncro", name="RecurringTicket"):
    """Opens `lead_days` before each due date, assigned to the account manager."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]
    next_due: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        client_id: str,
        deliverable: str,
        subject: str,
        problem_type: str,
        frequency: str,
        first_due: str,
        lead_days: int,
        assignee: str,
        customer_id: pulumi.Input[int],
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "client_id": client_id,
            "deliverable": deliverable,
            "subject": subject,
            "problem_type": problem_type,
            "frequency": frequency,
            "first_due": first_due,
            "lead_days": lead_days,
            "assignee": assignee,
            "customer_id": customer_id,
            "admin_mode": admin_mode,
            "syncro_id": None,
            "status": None,
            "next_due": None,
        }
        super().__init__(RecurringTicketProvider(), resource_name, props, opts)
