"""One inbound email rule per customer domain (Admin > Emails/SMS - Mailboxes > Email Rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from resources.providers.base import AdminObjectProvider, listing


class EmailRuleProvider(AdminObjectProvider):
    kind = "email_rules"
    managed = (
        "sender",
        "subject_filter",
        "position",
        "auto_create_contact",
        "mailbox",
        "customer_id",
        "admin_mode",
    )
    replace_on = ("sender",)
    required = ("client_id", "domain", "sender", "mailbox", "admin_mode")

    def body(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "sender": props["sender"],
            "subject_filter": props.get("subject_filter"),
            "customer_id": int(props["customer_id"]),
            "assignee_user_id": None,
            "mailbox_id": self._mailbox_id(props),  # the SupportMailbox's syncro_id
            "auto_create_contact": bool(props["auto_create_contact"]),
            "position": int(props["position"]),
        }

    @staticmethod
    def _mailbox_id(props: Mapping[str, Any]) -> int | None:
        # Numbers come back from the engine as floats; None in runbook mode.
        mailbox_id = props.get("mailbox_id")
        return int(mailbox_id) if isinstance(mailbox_id, int | float) else None

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return obj.sender == props["sender"] and obj.subject_filter == props.get("subject_filter")

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "sender": obj.sender,
            "subject_filter": obj.subject_filter,
            "position": obj.position,
            "auto_create_contact": obj.auto_create_contact,
            "customer_id": obj.customer_id,
        }

    def verify(self, props: Mapping[str, Any]) -> tuple[str, int | None]:
        """A rule works once a Won lead from its domain carries a ticket on its organization."""
        suffix = str(props["sender"]).lower()
        for lead in listing.all(self.client, "leads"):
            if (
                str(lead.email or "").lower().endswith(suffix)
                and lead.status == "Won"
                and lead.ticket_id
                and lead.customer_id == props.get("customer_id")
            ):
                return "verified", None
        return "pending", None


class EmailRule(Resource, module="syncro", name="EmailRule"):
    """Mail from `@domain` opens a ticket against the customer, creating the contact."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        client_id: str,
        domain: str,
        sender: str,
        subject_filter: str | None,
        position: int,
        auto_create_contact: bool,
        mailbox: str,
        mailbox_id: pulumi.Input[int | None],
        customer_id: pulumi.Input[int],
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "client_id": client_id,
            "domain": domain,
            "sender": sender,
            "subject_filter": subject_filter,
            "position": position,
            "auto_create_contact": auto_create_contact,
            "mailbox": mailbox,
            "mailbox_id": mailbox_id,
            "customer_id": customer_id,
            "admin_mode": admin_mode,
            "syncro_id": None,
            "status": None,
        }
        super().__init__(EmailRuleProvider(), resource_name, props, opts)
