"""Syncro's payloads as pydantic models: what we send (requests) and what comes back.

Response models keep only the fields we use and ignore the rest; request models
(`*Request`, like ollama-python's typed requests) are exactly the body we send, so a
provider cannot put a key on the wire that the collection does not take. A
`Collection` says where a kind of object lives (path, envelope keys, models, admin
surface or public API): the client's generic calls take one.

Public API objects follow ../shared/reference/syncro-api-v1-swagger.json; the
admin objects (Syncro keeps them in its web UI only) follow docs/design.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SyncroModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SyncroRequest(BaseModel):
    """A request body: unknown keys are a bug on our side, so they are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Customer(SyncroModel):
    id: int
    business_name: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    notes: str | None = None
    disabled: bool = False
    properties: dict[str, Any] = Field(default_factory=dict)


class Ticket(SyncroModel):
    id: int
    number: int | str | None = None
    subject: str | None = None
    customer_id: int | None = None
    contact_id: int | None = None
    user_id: int | None = None
    status: str | None = None
    problem_type: str | None = None
    due_date: str | None = None
    ticket_recurring_schedule_id: int | None = None


class Lead(SyncroModel):
    id: int
    email: str | None = None
    status: str | None = None
    ticket_id: int | None = None
    customer_id: int | None = None
    contact_id: int | None = None
    mailbox_id: int | None = None
    created_at: str | None = None


class Contact(SyncroModel):
    """Contacts are a flat object (no envelope)."""

    id: int
    customer_id: int | None = None
    name: str | None = None
    email: str | None = None
    created_at: str | None = None


class User(SyncroModel):
    id: int
    email: str = ""
    full_name: str | None = None


class CustomerField(SyncroModel):
    """A customer custom field definition as `GET /settings` shows it."""

    id: int | None = None
    name: str
    field_type: str | None = None
    answers: list[str] = Field(default_factory=list)


class TicketPreferences(SyncroModel):
    create_tickets_from_leads: bool
    enable_recurring_tickets: bool


class Mailbox(SyncroModel):
    id: int
    address: str
    active: bool = True
    auto_create: str


class EmailRule(SyncroModel):
    id: int
    sender: str
    subject_filter: str | None = None
    customer_id: int | None = None
    assignee_user_id: int | None = None
    mailbox_id: int | None = None
    auto_create_contact: bool = False
    position: int = 0


class RecurringTicket(SyncroModel):
    id: int
    customer_id: int | None = None
    subject: str
    problem_type: str | None = None
    user_id: int | None = None
    frequency: str
    next_due: str | None = None
    lead_days: int = 0


class TicketAutomation(SyncroModel):
    id: int
    name: str
    kind: str
    subject_template: str | None = None
    body_template: str | None = None
    notify: list[str] = Field(default_factory=list)


class PolicyFolder(SyncroModel):
    """A policy folder (newest spec); the root (`parent_id: null`) is the organization's."""

    id: int
    name: str | None = None
    parent_id: int | None = None
    partial_policy_id: int | None = None
    effective_policy_id: int | None = None


class Contract(SyncroModel):
    id: int
    customer_id: int | None = None
    name: str | None = None
    sla_id: int | None = None
    apply_to_all: bool = False
    start_date: str | None = None
    status: str | None = None


class PortalUser(SyncroModel):
    id: int
    customer_id: int | None = None
    contact_id: int | None = None
    email: str | None = None


# --- request bodies ---------------------------------------------------------------------


class CustomerRequest(SyncroRequest):
    """`POST /customers` and `PUT /customers/{id}` (PUT only: Syncro has no PATCH)."""

    business_name: str
    email: str
    firstname: str = ""
    lastname: str = ""
    notes: str = ""
    get_sms: bool = False
    get_marketing: bool = False
    properties: dict[str, str] = Field(default_factory=dict)


class CustomerFieldRequest(SyncroRequest):
    name: str
    field_type: str
    answers: list[str] = Field(default_factory=list)


class MailboxRequest(SyncroRequest):
    address: str
    active: bool
    auto_create: str


class EmailRuleRequest(SyncroRequest):
    sender: str
    subject_filter: str | None
    customer_id: int
    assignee_user_id: int | None = None
    mailbox_id: int | None
    auto_create_contact: bool
    position: int


class RecurringTicketRequest(SyncroRequest):
    customer_id: int
    subject: str
    problem_type: str
    user_id: int
    frequency: str
    next_due: str
    lead_days: int


class TicketAutomationRequest(SyncroRequest):
    name: str
    kind: str
    subject_template: str
    body_template: str
    notify: list[str] = Field(default_factory=list)


class TicketPreferencesRequest(SyncroRequest):
    create_tickets_from_leads: bool
    enable_recurring_tickets: bool


class PolicyFolderRequest(SyncroRequest):
    """`PUT /policy_folders/{id}`: the root keeps its name and parent (null)."""

    name: str
    parent_id: int | None = None
    partial_policy_id: int | None


class ContractRequest(SyncroRequest):
    customer_id: int
    name: str
    sla_id: int | None
    apply_to_all: bool = True
    start_date: str
    status: str = "Active"


class ContactRequest(SyncroRequest):
    customer_id: int
    name: str
    email: str
    # The main contact is an End User: mail routes by it, no portal login (SOP).
    enable_portal_user: bool = False


# --- where each kind of object lives ----------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """A list endpoint: `GET|POST /<plural>`, `GET|PUT|DELETE /<plural>/{id}`.

    `admin` collections are on the admin surface (objects Syncro keeps in its web
    UI only; the emulator serves them), the others on the public API.
    """

    plural: str
    singular: str
    model: type[SyncroModel]
    request: type[SyncroRequest] | None = None
    admin: bool = False
    flat: bool = False
    """One object comes back bare, not as `{"<singular>": {...}}` (contacts, contracts)."""

    def parse(self, answer: Any) -> Any:
        return self.model.model_validate(answer if self.flat else answer[self.singular])

    @property
    def path(self) -> str:
        return f"/{self.plural}"


CUSTOMERS = Collection("customers", "customer", Customer, CustomerRequest)
POLICY_FOLDERS = Collection("policy_folders", "policy_folder", PolicyFolder, PolicyFolderRequest)
CONTRACTS = Collection("contracts", "contract", Contract, ContractRequest, flat=True)
CONTACTS = Collection("contacts", "contact", Contact, ContactRequest, flat=True)
PORTAL_USERS = Collection("portal_users", "portal_user", PortalUser, flat=True)
CUSTOMER_FIELDS = Collection(
    "customer_fields", "customer_field", CustomerField, CustomerFieldRequest, admin=True
)
MAILBOXES = Collection("mailboxes", "mailbox", Mailbox, MailboxRequest, admin=True)
EMAIL_RULES = Collection("email_rules", "email_rule", EmailRule, EmailRuleRequest, admin=True)
RECURRING_TICKETS = Collection(
    "recurring_tickets", "recurring_ticket", RecurringTicket, RecurringTicketRequest, admin=True
)
TICKET_AUTOMATIONS = Collection(
    "ticket_automations",
    "ticket_automation",
    TicketAutomation,
    TicketAutomationRequest,
    admin=True,
)

ADMIN_COLLECTIONS: dict[str, Collection] = {
    c.plural: c
    for c in (CUSTOMER_FIELDS, MAILBOXES, EMAIL_RULES, RECURRING_TICKETS, TICKET_AUTOMATIONS)
}
