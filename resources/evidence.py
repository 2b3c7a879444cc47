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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


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


def sender_matches(sender: str, address: str) -> bool:
    """`@domain` matches any address at exactly that domain; `user@domain` one address."""
    sender, address = sender.lower(), address.lower()
    if sender.startswith("@"):
        return address.rsplit("@", 1)[-1] == sender[1:]
    return address == sender


def _before(first: str, second: str) -> bool:
    """Syncro timestamps carry the account's offset, which moves with daylight saving."""
    try:
        return datetime.fromisoformat(first) < datetime.fromisoformat(second)
    except ValueError:
        return True  # unreadable: assume the contact was there first (no false proof)


def rule_evidence(
    sender: str,
    customer_id: int,
    leads: Iterable[LeadSeen],
    customer_emails: Iterable[str],
    contact_created_at: Callable[[int], str | None],
) -> Evidence | None:
    """The newest lead that only this rule can have won, or None.

    `customer_emails`: every customer's email in Syncro (the second routing step).
    `contact_created_at(contact_id)`: when the lead's contact was created, None when
    it no longer exists (then it cannot be shown to be the rule's own, so no proof).
    """
    taken = {email.strip().lower() for email in customer_emails if email}
    for lead in sorted(leads, key=lambda lead: lead.id, reverse=True):
        address = lead.email.strip().lower()
        if not (
            sender_matches(sender, address)
            and lead.status == "Won"
            and lead.ticket_id
            and lead.customer_id is not None
            and int(lead.customer_id) == int(customer_id)
            and address not in taken
        ):
            continue
        if lead.contact_id is not None:
            created = contact_created_at(int(lead.contact_id))
            if created is None or lead.created_at is None or _before(created, lead.created_at):
                continue  # the contact step (or an unknown one) may have won this lead
        return Evidence(
            lead_id=lead.id,
            sender=address,
            date=(lead.created_at or "")[:10] or "unknown date",
            ticket_id=int(lead.ticket_id),
            customer_id=int(customer_id),
        )
    return None


__all__ = ["Evidence", "LeadSeen", "rule_evidence", "sender_matches"]
