"""What counts as proof that a person typed an email rule into Syncro. Pure: no I/O.

Syncro routes an inbound email by the sender's contact email first, then the
customers' own emails, and only then by email rules (../shared/syncro-api-notes.md).
So a Won lead with a ticket on the right organization proves a rule only when
neither of the earlier steps could have won it: the sender is no customer's email,
and was no contact before the lead arrived (a contact the rule itself auto-created
is made while the lead is processed, so it is never older than the lead). Anything
else, the main contact's own test mail above all, proves nothing about the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from resources import routing


@dataclass(frozen=True)
class LeadSeen:
    """A lead as `GET /leads` shows it (only the fields the proof needs)."""

    id: int
    email: str
    status: str | None
    ticket_id: int | None
    customer_id: int | None
    contact_id: int | None
    created_at: str | None


@dataclass(frozen=True)
class Evidence:
    lead_id: int
    sender: str
    date: str
    ticket_id: int
    customer_id: int

    def text(self) -> str:
        """The stack output `customers.<CID>.evidence.<key>` (contract 4)."""
        return (
            f"lead {self.lead_id} from {self.sender} on {self.date}: "
            f"ticket {self.ticket_id} on customer {self.customer_id}"
        )


@dataclass(frozen=True)
class ContactSeen:
    """A contact as `GET /contacts` shows it."""

    email: str
    customer_id: int | None
    created_at: str | None


def sender_matches(sender: str, address: str) -> bool:
    """`@domain` matches any address at exactly that domain; `user@domain` one address."""
    return routing.matches(routing.Rule(sender=sender), address)


def _before(first: str | None, second: str | None) -> bool:
    """Syncro timestamps carry the account's offset, which moves with daylight saving.
    An unreadable or missing time counts as "before": never a false proof."""
    try:
        return datetime.fromisoformat(str(first)) < datetime.fromisoformat(str(second))
    except ValueError:
        return True


def rule_evidence(
    sender: str,
    customer_id: int,
    leads: Iterable[LeadSeen],
    customer_emails: Iterable[str],
    contacts: Iterable[ContactSeen],
) -> Evidence | None:
    """The newest lead that only this rule can have won, or None.

    Each lead is routed again the way Syncro routes it (resources/routing.py) against
    the contacts that existed before it arrived and every customer's email: the lead
    counts only if the rule, not a contact or a customer's own email, wins it, and
    Syncro then won it with a ticket on the rule's organization.
    """
    customers = {email: "customer" for email in customer_emails if email}
    contacts = list(contacts)
    rule = routing.Rule(sender=sender, customer=int(customer_id))
    for lead in sorted(leads, key=lambda lead: lead.id, reverse=True):
        if not (
            sender_matches(sender, lead.email)
            and lead.status == "Won"
            and lead.ticket_id
            and lead.customer_id is not None
            and int(lead.customer_id) == int(customer_id)
        ):
            continue
        known = {
            c.email: c.customer_id
            for c in contacts
            if c.email and _before(c.created_at, lead.created_at)
        }
        if routing.route(lead.email, "", known, customers, [rule]).matched_by != "email_rule":
            continue
        return Evidence(
            lead_id=lead.id,
            sender=routing.normalize(lead.email),
            date=(lead.created_at or "")[:10] or "unknown date",
            ticket_id=int(lead.ticket_id),
            customer_id=int(customer_id),
        )
    return None


__all__ = ["ContactSeen", "Evidence", "LeadSeen", "rule_evidence", "sender_matches"]
