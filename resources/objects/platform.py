"""The one-time platform setup: custom field definitions, mailbox, preferences, automations.

All of these live only in Syncro's web UI (see ../shared/syncro-api-notes.md), so
they are admin objects: written through the admin surface in `api` mode,
described in the runbook in `runbook` mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.objects.base import Input, Status, account_object, resource_class
from resources.providers.base import AdminObjectProvider
from resources.syncro.models import (
    CUSTOMER_FIELDS,
    MAILBOXES,
    TICKET_AUTOMATIONS,
    CustomerFieldRequest,
    MailboxRequest,
    TicketAutomationRequest,
    TicketPreferencesRequest,
)

# --- custom field definitions -----------------------------------------------------------

CUSTOM_FIELD_DEFINITION = account_object(
    "CustomFieldDefinition",
    "field",
    (
        Input("name", replace=True, required=True),
        Input("field_type", required=True),
        Input("answers"),
    ),
    key=("name",),
    collection=CUSTOMER_FIELDS,
    runbook_key="name",
    # A definition is shared by every customer and deleting it drops their values:
    # removing one is a deliberate act for a person, never a side effect of destroy.
    deletes_remote=False,
    doc="A customer custom field definition (Admin > Customers - Customer Custom Fields).",
)


class CustomFieldDefinitionProvider(AdminObjectProvider):
    declaration = CUSTOM_FIELD_DEFINITION
    identified_by = ("name",)

    def body(self, props: Mapping[str, Any]) -> CustomerFieldRequest:
        return CustomerFieldRequest(
            name=props["name"],
            field_type=props["field_type"],
            answers=list(props.get("answers") or []),
        )

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {"field_type": obj.field_type, "answers": list(obj.answers or [])}

    def verify(self, props: Mapping[str, Any]) -> tuple[Status, int | None]:
        field = self.session.defined_fields.find(lambda f: f.name == props["name"])
        return (Status.VERIFIED, field.id) if field is not None else (Status.PENDING, None)


CustomFieldDefinition = resource_class(CUSTOM_FIELD_DEFINITION, CustomFieldDefinitionProvider)

# --- the support mailbox ----------------------------------------------------------------

SUPPORT_MAILBOX = account_object(
    "SupportMailbox",
    "mailbox",
    (
        Input("address", replace=True, required=True),
        Input("active"),
        Input("auto_create", required=True),
    ),
    collection=MAILBOXES,
    # One mailbox per stack: its placeholder id is `runbook:mailboxes:singleton`.
    # The mailbox exists before us and receives every customer's mail: adopt it,
    # set it safe, and leave it in place on destroy.
    deletes_remote=False,
    doc="The inbound support mailbox (Admin > Emails/SMS).",
)


class SupportMailboxProvider(AdminObjectProvider):
    declaration = SUPPORT_MAILBOX
    echoed = ("active", "auto_create")

    def body(self, props: Mapping[str, Any]) -> MailboxRequest:
        return MailboxRequest(
            address=props["address"],
            active=bool(props["active"]),
            auto_create=props["auto_create"],
        )

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.address.lower() == str(props["address"]).lower()


SupportMailbox = resource_class(SUPPORT_MAILBOX, SupportMailboxProvider)

# --- ticket preferences (one per account) -----------------------------------------------

PREFERENCES_ID = "ticket-preferences"

TICKET_PREFERENCES = account_object(
    "TicketPreferences",
    "preferences",
    (Input("create_tickets_from_leads"), Input("enable_recurring_tickets")),
    outputs=("status",),
    # Account-wide settings outlive the stack: destroy leaves them as they are.
    deletes_remote=False,
    doc="Admin > Tickets - Preferences: the leads-to-tickets master switch, recurring tickets.",
)


class TicketPreferencesProvider(AdminObjectProvider):
    """A singleton: Syncro has one ticket preferences page per account."""

    declaration = TICKET_PREFERENCES

    def runbook_id(self, props: Mapping[str, Any]) -> str:
        return PREFERENCES_ID

    def verify(self, props: Mapping[str, Any]) -> tuple[Status, int | None]:
        return Status(props.get("status") or Status.PENDING), None

    def body(self, props: Mapping[str, Any]) -> TicketPreferencesRequest:
        return TicketPreferencesRequest(
            create_tickets_from_leads=bool(props["create_tickets_from_leads"]),
            enable_recurring_tickets=bool(props["enable_recurring_tickets"]),
        )

    def api_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        self.client.put_ticket_preferences(self.body(props))
        return PREFERENCES_ID, {}

    def api_update(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        self.client.put_ticket_preferences(self.body(props))
        return {}

    def api_read(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        current = self.client.get_ticket_preferences()
        return {
            "create_tickets_from_leads": current.create_tickets_from_leads,
            "enable_recurring_tickets": current.enable_recurring_tickets,
        }


TicketPreferences = resource_class(TICKET_PREFERENCES, TicketPreferencesProvider)

# --- ticket automations -----------------------------------------------------------------

TICKET_AUTOMATION = account_object(
    "TicketAutomation",
    "automation",
    (
        Input("name", replace=True, required=True),
        Input("kind", required=True),  # "acknowledgement" | "staff_alert"
        Input("subject_template"),
        Input("body_template"),
        Input("notify"),
    ),
    key=("kind",),
    collection=TICKET_AUTOMATIONS,
    runbook_key="name",
    doc="Admin > Ticket Automations: the branded acknowledgement or the staff alert.",
)


class TicketAutomationProvider(AdminObjectProvider):
    declaration = TICKET_AUTOMATION
    identified_by = ("name",)
    echoed = ("kind", "subject_template", "body_template")

    def body(self, props: Mapping[str, Any]) -> TicketAutomationRequest:
        return TicketAutomationRequest(
            name=props["name"],
            kind=props["kind"],
            subject_template=props["subject_template"],
            body_template=props["body_template"],
            notify=list(props.get("notify") or []),
        )

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().observed(obj, props), "notify": list(obj.notify or [])}


TicketAutomation = resource_class(TICKET_AUTOMATION, TicketAutomationProvider)
