"""A recurring deliverable ticket the plan tier owes (Tickets > Recurring Tickets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.objects.base import (
    ADMIN_MODE,
    PENDING_REMOVAL,
    Input,
    ObjectType,
    Status,
    resource_class,
    status_key,
)
from resources.providers.base import AdminObjectProvider
from resources.syncro.models import RECURRING_TICKETS, RecurringTicketRequest

RECURRING_TICKET = ObjectType(
    name="RecurringTicket",
    inputs=(
        Input("client_id", managed=False, required=True),
        Input("deliverable", managed=False, replace=True, required=True),
        Input("subject", required=True),
        Input("problem_type"),
        Input("frequency", required=True),
        Input("first_due", required=True),
        Input("lead_days"),
        Input("assignee", required=True),
        Input("customer_id"),  # unknown at preview on first create
        ADMIN_MODE,
        PENDING_REMOVAL,
    ),
    # next_due moves every time the schedule fires: an output, never drift.
    outputs=("syncro_id", "status", "next_due"),
    collection=RECURRING_TICKETS,
    runbook_key=lambda p: str(p["subject"]),
    status_key=lambda p: status_key("deliverable", p["client_id"], p["deliverable"]),
)


class RecurringTicketProvider(AdminObjectProvider):
    declaration = RECURRING_TICKET

    def _user_id(self, props: Mapping[str, Any]) -> int:
        email = str(props["assignee"])
        user = self.session.users.by_email(email)
        if user is None:
            # Only Syncro knows its users, so this is found when the first schedule is
            # written, not in preview; fixing the file and re-running converges.
            raise ValueError(
                f"{props['client_id']}: account manager {email!r} is not a Syncro user. Fix: "
                f"set account_manager in the customer file of {props['client_id']} to the "
                "email of an existing Syncro user (Admin > Users)."
            )
        return int(user.id)

    def body(self, props: Mapping[str, Any]) -> RecurringTicketRequest:
        return RecurringTicketRequest(
            customer_id=int(props["customer_id"]),
            subject=props["subject"],
            problem_type=props["problem_type"],
            user_id=self._user_id(props),
            frequency=props["frequency"],
            next_due=props["first_due"],
            lead_days=int(props["lead_days"]),
        )

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.subject == props["subject"] and obj.customer_id == props.get("customer_id")

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "subject": obj.subject,
            "problem_type": obj.problem_type,
            "frequency": obj.frequency,
            "lead_days": obj.lead_days,
            "assignee": (obj.user_id and self.session.users.email_of(obj.user_id))
            or props.get("assignee"),
            "customer_id": obj.customer_id,
            "next_due": obj.next_due,
        }

    def verify(self, props: Mapping[str, Any]) -> tuple[Status, int | None]:
        """A schedule works once a ticket it opened (carrying its schedule id) appears."""
        customer_id = props.get("customer_id")
        # Numbers come back from state as floats (protobuf Struct); unknown during preview.
        if not isinstance(customer_id, int | float):
            return Status.PENDING, None
        for ticket in self.session.tickets_of(int(customer_id)).all():
            if ticket.subject == props["subject"] and ticket.ticket_recurring_schedule_id:
                return Status.VERIFIED, int(ticket.ticket_recurring_schedule_id)
        return Status.PENDING, None


RecurringTicket = resource_class(
    RECURRING_TICKET,
    RecurringTicketProvider,
    "Opens `lead_days` before each due date, assigned to the account manager.",
)
