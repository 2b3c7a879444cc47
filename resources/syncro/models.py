"""Syncro's payloads as pydantic models: only the fields we use, the rest ignored.

Public API objects follow ../shared/reference/syncro-api-v1-swagger.json; the
admin objects (Syncro keeps them in its web UI only) follow docs/design.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SyncroModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


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


# Admin collections: plural path -> (singular envelope key, model).
ADMIN_KINDS: dict[str, tuple[str, type[SyncroModel]]] = {
    "customer_fields": ("customer_field", CustomerField),
    "mailboxes": ("mailbox", Mailbox),
    "email_rules": ("email_rule", EmailRule),
    "recurring_tickets": ("recurring_ticket", RecurringTicket),
    "ticket_automations": ("ticket_automation", TicketAutomation),
}
