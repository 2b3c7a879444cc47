"""A recurring deliverable ticket the plan tier owes.

`opened_by: "scheduler"` (the default, contract 3): the schedule lives in Pulumi (preview
shows it, the policy pack checks it) and our daily scheduler (resources/scheduler.py)
opens each occurrence with the public `POST /tickets`; this resource's create and
update open the occurrence already inside its lead window, so onboarding late in a
period does not wait a day. Written through the public API in both admin modes.
`opened_by: "syncro"`: Syncro's native recurring ticket (Tickets > Recurring Tickets),
UI-only: written through the admin surface in api mode, recorded for the runbook in
runbook mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from resources.deliverables import Schedule, current, due_now
from resources.objects.base import Input, Status, customer_object, resource_class
from resources.providers.base import AdminObjectProvider
from resources.providers.ownership import check_customer_of, same_identity
from resources.scheduler import ensure_open, open_occurrence
from resources.syncro.models import RECURRING_TICKETS, RecurringTicketRequest

RECURRING_TICKET = customer_object(
    "RecurringTicket",
    "deliverable",
    (
        Input("deliverable", managed=False, replace=True, required=True),
        Input("subject", required=True),
        Input("problem_type"),
        Input("frequency", required=True),
        Input("first_due", required=True),
        Input("lead_days"),
        Input("assignee", required=True),
        Input("opened_by", replace=True),  # "scheduler" | "syncro": different objects
    ),
    key=("deliverable",),
    # next_due moves every time the schedule fires: an output, never drift. user_id: the
    # account manager's Syncro id, exported so the daily scheduler need not look it up.
    outputs=("syncro_id", "status", "next_due", "user_id"),
    collection=RECURRING_TICKETS,
    runbook_key="subject",
    doc="Opens `lead_days` before each due date, assigned to the account manager.",
)


def by_scheduler(props: Mapping[str, Any]) -> bool:
    # The program always says; a state from before `opened_by` existed is Syncro's own.
    return props.get("opened_by") == "scheduler"


class RecurringTicketProvider(AdminObjectProvider):
    declaration = RECURRING_TICKET
    identified_by = ("subject", "customer_id")
    echoed = ("subject", "problem_type", "frequency", "lead_days", "customer_id", "next_due")

    # --- opened_by: scheduler (public API, both modes) -------------------------------------
    def _open_current(self, props: dict[str, Any]) -> dict[str, Any]:
        """Open the occurrence already inside its lead window, if any (idempotent:
        the occurrence is found by customer and subject key before any POST)."""
        schedule = Schedule(
            client_id=str(props["client_id"]),
            deliverable=str(props["deliverable"]),
            frequency=str(props["frequency"]),
            first_due=date.fromisoformat(str(props["first_due"])),
            lead_days=int(props["lead_days"]),
        )
        today = date.today()
        user_id = self._user_id(props)  # the account manager exists, whatever is due
        occurrence = due_now(schedule, today)
        ticket_id = None
        if occurrence is not None:
            check_customer_of(self.session, props, "this deliverable ticket")
            customer_id = int(props["customer_id"])
            if self.session.is_new_customer(customer_id):
                # An organization this run created has no tickets to look through.
                ticket = open_occurrence(
                    self.client, occurrence, customer_id=customer_id, user_id=user_id
                )
            else:
                ticket, _opened = ensure_open(
                    self.client, occurrence, customer_id=customer_id, user_id=user_id
                )
            ticket_id = ticket.id
        upcoming = current(schedule, today)
        following = schedule.occurrence(upcoming.number + 1 if upcoming else 1)
        return {
            **props,
            "status": Status.APPLIED.value,
            "syncro_id": ticket_id,  # the occurrence ticket this run saw open, if any
            "next_due": following.due.isoformat(),
            "user_id": user_id,
        }

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # No opened_by (a state from before it existed, a removal the runbook keeps on the
        # books) means Syncro's native schedule: the same object, not a replacement.
        def mode(props: dict[str, Any]) -> dict[str, Any]:
            return {**props, "opened_by": props.get("opened_by") or "syncro"}

        return super().diff(id_, mode(olds), mode(news))

    def create(self, props: dict[str, Any]) -> CreateResult:
        if not by_scheduler(props):
            return super().create(props)
        key = f"scheduler:{props['client_id']}:{props['deliverable']}"
        return CreateResult(id_=key, outs=self._open_current(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not by_scheduler(props):
            return super().read(id_, props)
        return ReadResult(id_=id_, outs=props)  # the schedule lives in Pulumi

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if not by_scheduler(news):
            return super().update(id_, olds, news)
        return UpdateResult(outs=self._open_current(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Tickets already opened are work for people: they stay."""
        if not by_scheduler(props):
            super().delete(id_, props)

    # --- opened_by: syncro (UI-only native recurring ticket) -------------------------------

    def check_public(self, props: Mapping[str, Any]) -> None:
        """GET /users and /users/{id} are public: the runbook never names a stranger."""
        self._user_id(props)

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

    def owned_elsewhere(self, obj: Any, props: Mapping[str, Any]) -> str | None:
        # Not the organization's CS Client ID: the subject names the client ID, so a
        # renamed customer gets new schedules and the old ones must go.
        customer_id = props.get("customer_id")
        if isinstance(customer_id, int | float) and obj.customer_id != int(customer_id):
            return f"it now belongs to organization #{obj.customer_id}"
        return None

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        assignee = obj.user_id and self.session.users.email_of(obj.user_id)
        return {
            **super().observed(obj, props),
            "assignee": same_identity(props.get("assignee"), assignee),
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


RecurringTicket = resource_class(RECURRING_TICKET, RecurringTicketProvider)
