"""The one-time platform setup: custom field definitions, mailbox, preferences, automations.

All of these live only in Syncro's web UI (see ../shared/syncro-api-notes.md), so
they are admin objects: written through the admin surface in `api` mode,
described in the runbook in `runbook` mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from resources.providers.base import AdminObjectProvider, SyncroProvider, listing


class CustomFieldDefinitionProvider(AdminObjectProvider):
    kind = "customer_fields"
    managed = ("name", "field_type", "answers", "admin_mode")
    replace_on = ("name",)
    required = ("name", "field_type", "admin_mode")
    # A definition is shared by every customer and deleting it drops their values:
    # removing one is a deliberate act for a person, never a side effect of destroy.
    deletes_remote = False

    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": props["name"],
            "field_type": props["field_type"],
            "answers": list(props.get("answers") or []),
        }

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.name == props["name"]

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {"field_type": obj.field_type, "answers": list(obj.answers or [])}

    def verify(self, props: Mapping[str, Any]) -> tuple[str, int | None]:
        for field in listing.all(self.client, "defined_fields"):
            if field.name == props["name"]:
                return "verified", getattr(field, "id", None)
        return "pending", None


class CustomFieldDefinition(Resource, module="syncro", name="CustomFieldDefinition"):
    """A customer custom field definition (Admin > Customers - Customer Custom Fields)."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        field_type: str,
        answers: list[str],
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "field_type": field_type,
            "answers": answers,
            "admin_mode": admin_mode,
            "syncro_id": None,
            "status": None,
        }
        super().__init__(CustomFieldDefinitionProvider(), resource_name, props, opts)


class SupportMailboxProvider(AdminObjectProvider):
    kind = "mailboxes"
    managed = ("address", "active", "auto_create", "admin_mode")
    replace_on = ("address",)
    required = ("address", "auto_create", "admin_mode")
    # The mailbox exists before us and receives every customer's mail: adopt it,
    # set it safe, and leave it in place on destroy.
    deletes_remote = False

    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "address": props["address"],
            "active": bool(props["active"]),
            "auto_create": props["auto_create"],
        }

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.address.lower() == str(props["address"]).lower()

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {"active": obj.active, "auto_create": obj.auto_create}


class SupportMailbox(Resource, module="syncro", name="SupportMailbox"):
    """The inbound support mailbox (Admin > Emails/SMS - Mailboxes)."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        address: str,
        auto_create: str,
        admin_mode: str,
        active: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "address": address,
            "active": active,
            "auto_create": auto_create,
            "admin_mode": admin_mode,
            "syncro_id": None,
            "status": None,
        }
        super().__init__(SupportMailboxProvider(), resource_name, props, opts)


PREFERENCES_ID = "ticket-preferences"


class TicketPreferencesProvider(SyncroProvider):
    """A singleton: Syncro has one ticket preferences page per account."""

    managed = ("create_tickets_from_leads", "enable_recurring_tickets", "admin_mode")
    required = ("admin_mode",)

    def _desired(self, props: Mapping[str, Any]) -> dict[str, bool]:
        return {
            "create_tickets_from_leads": bool(props["create_tickets_from_leads"]),
            "enable_recurring_tickets": bool(props["enable_recurring_tickets"]),
        }

    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        if props["admin_mode"] == "runbook":
            return {**props, "status": "pending"}
        self.client.put_ticket_preferences(self._desired(props))
        return {**props, "status": "applied"}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=PREFERENCES_ID, outs=self._apply(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._apply(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get("admin_mode") == "runbook":
            return ReadResult(id_=id_, outs=props)
        current = self.client.get_ticket_preferences()
        return ReadResult(
            id_=id_,
            outs={
                **props,
                "create_tickets_from_leads": current.create_tickets_from_leads,
                "enable_recurring_tickets": current.enable_recurring_tickets,
            },
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Account-wide settings outlive the stack: destroy leaves them as they are."""


class TicketPreferences(Resource, module="syncro", name="TicketPreferences"):
    """Admin > Tickets - Preferences: the leads-to-tickets master switch, recurring tickets."""

    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        create_tickets_from_leads: bool,
        enable_recurring_tickets: bool,
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "create_tickets_from_leads": create_tickets_from_leads,
            "enable_recurring_tickets": enable_recurring_tickets,
            "admin_mode": admin_mode,
            "status": None,
        }
        super().__init__(TicketPreferencesProvider(), resource_name, props, opts)


class TicketAutomationProvider(AdminObjectProvider):
    kind = "ticket_automations"
    managed = ("name", "kind", "subject_template", "body_template", "notify", "admin_mode")
    replace_on = ("name",)
    required = ("name", "kind", "admin_mode")

    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": props["name"],
            "kind": props["kind"],
            "subject_template": props["subject_template"],
            "body_template": props["body_template"],
            "notify": list(props.get("notify") or []),
        }

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.name == props["name"]

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "kind": obj.kind,
            "subject_template": obj.subject_template,
            "body_template": obj.body_template,
            "notify": list(obj.notify or []),
        }


class TicketAutomation(Resource, module="syncro", name="TicketAutomation"):
    """Admin > Ticket Automations: the branded acknowledgement or the staff alert."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        kind: str,
        subject_template: str,
        body_template: str,
        notify: list[str],
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "kind": kind,
            "subject_template": subject_template,
            "body_template": body_template,
            "notify": notify,
            "admin_mode": admin_mode,
            "syncro_id": None,
            "status": None,
        }
        super().__init__(TicketAutomationProvider(), resource_name, props, opts)
