"""Syncro's object kinds, one module each; `KINDS` is the one registration list.

Adding a kind: write `emulator/kinds/<kind>.py` (a `Kind` subclass: name, surface, id
base, writable keys, `check`, `out`, any filters) and add its class here. Store id
ranges and the HTTP routes (`/api/v1` for public kinds, the UI stand-in for "ui" ones)
are derived from this list.
"""

from __future__ import annotations

from emulator.kinds.automations import TicketAutomations
from emulator.kinds.base import Kind
from emulator.kinds.billing import Estimates, Invoices
from emulator.kinds.contacts import Contacts
from emulator.kinds.contracts import Contracts
from emulator.kinds.customer_fields import CustomerFields
from emulator.kinds.customers import Customers
from emulator.kinds.email_rules import EmailRules
from emulator.kinds.leads import Leads
from emulator.kinds.mailboxes import Mailboxes
from emulator.kinds.policies import Policies
from emulator.kinds.policy_folders import PolicyFolders
from emulator.kinds.portal_users import PortalUsers
from emulator.kinds.recurring import RecurringTickets
from emulator.kinds.slas import Slas
from emulator.kinds.tickets import Tickets
from emulator.kinds.users import Users

KINDS: tuple[type[Kind], ...] = (
    Customers,
    Contacts,
    Tickets,
    Leads,
    Users,
    PolicyFolders,
    Contracts,
    PortalUsers,
    CustomerFields,
    Mailboxes,
    EmailRules,
    RecurringTickets,
    TicketAutomations,
    Policies,
    Slas,
    Invoices,
    Estimates,
)


def id_bases() -> dict[str, int]:
    """First id of every sequence (distinct ranges: a wrong kind of id is a 404)."""
    bases: dict[str, int] = {"outbox": 1}
    for kind in KINDS:
        bases[kind.name] = kind.id_base
        bases.update(kind.sequences)
    return bases
