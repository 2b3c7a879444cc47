"""One inbound email rule per customer domain (Admin > Emails/SMS - Mailboxes > Email Rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from resources.evidence import LeadSeen, rule_evidence, sender_matches
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

    def evidence(self, props: Mapping[str, Any]) -> tuple[str, int | None, str | None]:
        """Verified only by a lead the rule itself must have won (resources/evidence.py)."""
        customer_id = props.get("customer_id")
        if not isinstance(customer_id, int | float):  # unknown during preview
            return "pending", None, None
        leads = [
            LeadSeen(
                id=int(lead.id),
                email=str(lead.email or ""),
                status=lead.status,
                ticket_id=lead.ticket_id,
                customer_id=lead.customer_id,
                contact_id=lead.contact_id,
                created_at=lead.created_at,
            )
            for lead in listing.all(self.client, "leads")
        ]
        if not any(sender_matches(str(props["sender"]), lead.email) for lead in leads):
            return "pending", None, None  # no mail from the domain yet: nothing more to read
        contacts = {int(c.id): c.created_at for c in listing.all(self.client, "contacts")}
        customers = [c.email or "" for c in listing.all(self.client, "customers")]
        proof = rule_evidence(
            str(props["sender"]), int(customer_id), leads, customers, contacts.get
        )
        if proof is None:
            return "pending", None, None
        return "verified", None, proof.text()


class EmailRule(Resource, module="syncro", name="EmailRule"):
    """Mail from `@domain` opens a ticket against the customer, creating the contact."""

    syncro_id: pulumi.Output[int | None]
    status: pulumi.Output[str]
    evidence: pulumi.Output[str | None]

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
            "evidence": None,
        }
        super().__init__(EmailRuleProvider(), resource_name, props, opts)
