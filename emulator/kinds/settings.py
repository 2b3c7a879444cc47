"""The read-only account settings: `GET /settings` and `GET /tickets/settings`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.model import Syncro

PROBLEM_TYPES = (
    "Deliverable",
    "Security Incident",
    "Onboarding",
    "Hardware",
    "Software",
    "Network",
    "Other",
)
PRIORITIES = ("", "0 Urgent", "1 High", "2 Normal", "3 Low")
TICKET_STATUSES = (
    "New",
    "In Progress",
    "Resolved",
    "Invoiced",
    "Waiting for Parts",
    "Waiting on Customer",
    "Scheduled",
    "Customer Reply",
)
WEEK = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def account_settings(s: Syncro) -> dict[str, Any]:
    """GET /settings: the defined customer custom fields are visible here (read-only)."""
    fields = s.store.all("customer_fields")
    answers = [
        {"id": field["id"] * 1000 + index, "customer_field_id": field["id"], "value": value}
        for field in fields
        for index, value in enumerate(field.get("answers") or [])
    ]
    return {
        "customers": {
            "required_fields": None,
            "customer_fields": [s["customer_fields"].out(f) for f in fields],
            "customer_field_answers": answers,
        },
        "assets": {"asset_types": [], "asset_type_fields": [], "asset_type_field_answers": []},
        "locale": {
            "iso_code": "en",
            "currency_symbol": "$",
            "date_format": "mm-dd-yy",
            "time_format": "hh:mm tt",
            "time_zone": "America/Los_Angeles",
            "time_offset": "-08:00",
        },
        "ticket": {
            "ticket_types": [],
            "ticket_type_fields": [],
            "ticket_type_field_answers": [],
            "problem_types": list(PROBLEM_TYPES),
            "priorities": list(PRIORITIES),
        },
        "business_hours_enabled": True,
        "business_hours": [
            {"day": day, "start": "09:00", "end": "17:00", "closed": day in ("Sunday", "Saturday")}
            for day in WEEK
        ],
        "default_holiday_calendar": "USA",
        "msp_addon": None,
    }


def ticket_settings(s: Syncro) -> dict[str, Any]:
    """GET /tickets/settings: statuses and the users tickets can be assigned to."""
    empty = ("saved_searches", "ticket_types", "ticket_type_fields", "ticket_type_field_answers")
    return {
        "ticket_status_list": list(TICKET_STATUSES),
        "default_labor_product_id": None,
        "ticket_timer_charge_by_default": None,
        **{k: [] for k in empty},
        "appointment_types": [],
        "users": [{"id": u["id"], "name": u["full_name"]} for u in s.store.all("users")],
        "dashboard_settings": None,
        "worksheet_templates": [],
        "require_ticket_type": None,
        "require_intake_form_with_ticket": None,
        "require_outtake_form_with_ticket": None,
        "ticket_workflow_default_id": None,
    }
