"""One inbound email rule per customer domain (Admin > Emails/SMS - Mailboxes > Email Rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.evidence import ContactSeen, Evidence, LeadSeen, rule_evidence, sender_matches
from resources.objects.base import Input, Status, customer_object, optional_int, resource_class
from resources.providers.base import AdminObjectProvider
from resources.providers.ownership import moved_away, same_identity
from resources.syncro.models import EMAIL_RULES, EmailRuleRequest

EMAIL_RULE = customer_object(
    "EmailRule",
    "rule",
    (
        Input("domain", managed=False, required=True),
        Input("sender", replace=True, required=True),
        Input("subject_filter"),
        Input("position"),
        Input("auto_create_contact"),
        Input("mailbox", required=True),
        # The SupportMailbox's syncro_id: unknown at first preview, None in runbook mode.
        Input("mailbox_id", managed=False),
    ),
    key=("domain",),
    outputs=("syncro_id", "status", "evidence"),
    collection=EMAIL_RULES,
    runbook_key="sender",
    doc="Mail from `@domain` opens a ticket against the customer, creating the contact.",
)


class EmailRuleProvider(AdminObjectProvider):
    declaration = EMAIL_RULE
    echoed = ("subject_filter", "position", "auto_create_contact", "customer_id")

    def body(self, props: Mapping[str, Any]) -> EmailRuleRequest:
        return EmailRuleRequest(
            sender=props["sender"],
            subject_filter=props.get("subject_filter"),
            customer_id=int(props["customer_id"]),
            mailbox_id=optional_int(props.get("mailbox_id")),
            auto_create_contact=bool(props["auto_create_contact"]),
            position=int(props["position"]),
        )

    def owned_elsewhere(self, obj: Any, props: Mapping[str, Any]) -> str | None:
        return moved_away(self.session, props, obj.customer_id)

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return str(obj.sender).lower() == str(props["sender"]).lower() and (
            obj.subject_filter == props.get("subject_filter")
        )

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        sender = same_identity(props.get("sender"), obj.sender)
        return {**super().observed(obj, props), "sender": sender}

    def _evidence(self, props: Mapping[str, Any]) -> Evidence | None:
        """A lead only this rule can have won (resources/evidence.py), or None."""
        customer_id = props.get("customer_id")
        if not isinstance(customer_id, int | float):  # unknown during preview
            return None
        sender = str(props["sender"])
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
            for lead in self.session.leads.all()
        ]
        if not any(sender_matches(sender, lead.email) for lead in leads):
            return None  # no mail from the domain yet: no need to read the contacts
        contacts = [
            ContactSeen(email=c.email or "", customer_id=c.customer_id, created_at=c.created_at)
            for c in self.session.contacts.all()
        ]
        emails = [c.email or "" for c in self.session.customers.all()]
        return rule_evidence(sender, int(customer_id), leads, emails, contacts)

    def verify(self, props: Mapping[str, Any]) -> tuple[Status, int | None]:
        """Verified only by a lead the rule itself must have won: never by a mail that
        Syncro matched to a contact or to a customer's own email first."""
        return (Status.VERIFIED if self._evidence(props) else Status.PENDING), None

    def proof(self, props: Mapping[str, Any]) -> str | None:
        found = self._evidence(props)
        return found.text() if found else None


EmailRule = resource_class(EMAIL_RULE, EmailRuleProvider)
