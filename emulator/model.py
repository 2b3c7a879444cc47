"""Syncro's objects and rules, independent of HTTP.

The HTTP layer (`emulator.app`) only parses requests and serialises answers; every
validation, side effect and response shape lives here so the inbound-mail pipeline and
the recurring-ticket job reuse exactly the code the public API runs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from emulator.clock import add_months, day_stamp, parse_day, real_today, stamp
from emulator.store import Store

PER_PAGE = 25
NOT_AUTHORIZED = "Not authorized. Please ask account admin to update your group permissions."

# Syncro's email validation rejects bare domains ("acme.com") and anything without a
# dotted host; the emulator uses one pragmatic pattern for customers, contacts and leads.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)

SEED_USERS: tuple[dict[str, Any], ...] = (
    {"id": 1001, "email": "alex@cybersuite.tech", "full_name": "Alex Morgan", "group": "Admins"},
    {"id": 1002, "email": "sam@cybersuite.tech", "full_name": "Sam Lee", "group": "Technicians"},
    {"id": 1003, "email": "noc@cybersuite.tech", "full_name": "NOC Desk", "group": "Technicians"},
)
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
FIELD_TYPES = ("text", "date", "dropdown")
AUTO_CREATE = ("never", "always", "only_existing")
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
AUTOMATION_KINDS = ("acknowledgement", "staff_alert")
SEED_MAILBOX = {
    "id": 201,
    "address": "help@cybersuite.tech",
    "active": True,
    "auto_create": "always",
}
SEED_PREFERENCES = {"create_tickets_from_leads": True, "enable_recurring_tickets": False}
# Free-mail providers Syncro's email-rule form refuses as a whole-domain rule. Kept
# apart from resources/catalog.py on purpose: the emulator stands for Syncro, and a
# client bug must not be hidden by the emulator sharing the client's own list.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "fastmail.com",
    }
)

CUSTOMER_WRITABLE: dict[str, Any] = {
    "business_name": None,
    "firstname": None,
    "lastname": None,
    "email": None,
    "phone": None,
    "mobile": None,
    "address": None,
    "address_2": None,
    "city": None,
    "state": None,
    "zip": None,
    "notes": None,
    "get_sms": False,
    "opt_out": False,
    "no_email": False,
    "get_billing": True,
    "get_marketing": True,
    "get_reports": True,
    "ref_customer_id": None,
    "referred_by": None,
    "tax_rate_id": None,
    "notification_email": None,
    "invoice_cc_emails": None,
    "invoice_term_id": None,
}
CONTACT_WRITABLE: dict[str, Any] = {
    "customer_id": None,
    "name": None,
    "address1": None,
    "address2": None,
    "city": None,
    "state": None,
    "zip": None,
    "email": None,
    "phone": None,
    "mobile": None,
    "notes": None,
    "title": None,
    "opt_out": False,
    "extension": None,
}
TICKET_WRITABLE: dict[str, Any] = {
    "customer_id": None,
    "contact_id": None,
    "subject": None,
    "problem_type": None,
    "status": "New",
    "user_id": None,
    "due_date": None,
    "start_at": None,
    "end_at": None,
    "priority": None,
    "properties": {},
    "tag_list": [],
    "location_id": None,
    "sla_id": None,
    "ticket_type_id": None,
    "signature_name": None,
    "asset_ids": [],
}
LEAD_WRITABLE: dict[str, Any] = {
    "first_name": "",
    "last_name": "",
    "business_name": None,
    "email": "",
    "phone": "",
    "mobile": "",
    "address": "",
    "city": "",
    "state": "",
    "zip": "",
    "ticket_subject": None,
    "ticket_description": None,
    "ticket_problem_type": None,
    "ticket_id": None,
    "customer_id": None,
    "contact_id": None,
    "mailbox_id": None,
    "status": "New",
    "user_id": None,
    "location_id": None,
    "message_read": False,
    "properties": {},
}


class ApiError(Exception):
    """An answer other than 2xx: status and the exact JSON body Syncro would send."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(key: str = "error") -> ApiError:
    """Syncro's 404: `{"error": "Not found"}` on most resources, `message` on some."""
    return ApiError(404, {key: "Not found"})


def admin_error(message: str) -> ApiError:
    """The admin surface's 422 shape (docs/design.md)."""
    return ApiError(422, {"error": message})


def is_email(value: Any) -> bool:
    """True for a syntactically valid address (a bare domain is not one)."""
    return isinstance(value, str) and bool(EMAIL_RE.match(value.strip()))


def as_int(value: Any) -> int | None:
    """Query and body ids arrive as strings or numbers; anything else is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def as_bool(value: Any) -> bool:
    """Rails-style truthiness for form and JSON booleans ("true", "1", true)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def paginate(items: list[Any], page_raw: Any, full_meta: bool = True) -> tuple[list[Any], dict]:
    """Slice a list into Syncro's 25-per-page pages and build its `meta`."""
    page = max(as_int(page_raw) or 1, 1)
    total = len(items)
    pages = max(math.ceil(total / PER_PAGE), 1)
    chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    if full_meta:
        meta = {"total_pages": pages, "total_entries": total, "per_page": PER_PAGE, "page": page}
    else:
        meta = {"total_pages": pages, "page": page}
    return chunk, meta


def id_list(query: Mapping[str, Any], getlist: Callable[[str], list[str]], key: str) -> set[int]:
    """`id=1&id=2`, `id[]=1`, or `id=1,2`: every spec version's shape of an id filter."""
    raw = list(getlist(key)) + list(getlist(f"{key}[]"))
    ids: set[int] = set()
    for item in raw:
        for part in str(item).split(","):
            number = as_int(part)
            if number is not None:
                ids.add(number)
    return ids


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{{tag}}` placeholders (spaces inside the braces allowed); unknown tags stay."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", fill, template or "")


def name_from_address(address: str) -> tuple[str, str]:
    """First and last name guessed from an address's local part (`jane.smith` -> Jane Smith)."""
    local = address.split("@", 1)[0]
    parts = [p for p in re.split(r"[._+-]+", local) if p]
    if not parts:
        return local, ""
    first = parts[0].capitalize()
    last = " ".join(p.capitalize() for p in parts[1:])
    return first, last


def parse_sender(raw: str) -> tuple[str, str | None]:
    """`Jane Smith <jane@x.com>` -> (address, display name)."""
    match = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", raw or "")
    if match:
        return match.group(2).strip().lower(), match.group(1).strip().strip('"') or None
    return (raw or "").strip().lower(), None


class Syncro:
    """The emulated Syncro account: public objects, UI-only objects, and their behaviour."""

    def __init__(self, store: Store, today: date | None = None) -> None:
        self.store = store
        self.configured_today = today
        if store.meta("seeded") is None:
            self.seed()
        elif today is not None:
            store.set_meta("today", today.isoformat())

    # -- seed / clock ---------------------------------------------------------------

    def seed(self) -> None:
        """The account as it exists on first start (and after a reset)."""
        with self.store.tx():
            start = self.configured_today or real_today()
            self.store.set_meta("today", start.isoformat())
            self.store.set_meta("last_run", start.isoformat())
            created = stamp(start)
            for user in SEED_USERS:
                self.store.insert(
                    "users",
                    {
                        **user,
                        "created_at": created,
                        "updated_at": created,
                        "admin": user["group"] == "Admins",
                        "color": "1e3e96",
                    },
                )
            self.store.insert("mailboxes", dict(SEED_MAILBOX))
            self.store.set_meta("seq:mailboxes", SEED_MAILBOX["id"])
            self.store.set_meta("ticket_preferences", dict(SEED_PREFERENCES))
            self.store.set_meta("seeded", True)

    def reset(self) -> None:
        """Wipe every object and seed again."""
        with self.store.tx():
            self.store.wipe()
            self.seed()

    @property
    def today(self) -> date:
        """The emulated date."""
        return date.fromisoformat(self.store.meta("today"))

    def now(self) -> str:
        """A timestamp for records created now (emulated date, wall-clock time)."""
        return stamp(self.today)

    # -- users ----------------------------------------------------------------------

    def user(self, user_id: int) -> dict[str, Any]:
        """A user in the spec's shape, or 404."""
        found = self.store.get("users", user_id)
        if not found:
            raise not_found()
        return found

    def users_pairs(self) -> list[list[Any]]:
        """GET /users answers `[[id, full_name], ...]` (the spec's example, oddly)."""
        return [[u["id"], u["full_name"]] for u in self.store.all("users")]

    def me(self, user_id: int, can_write: bool) -> dict[str, Any]:
        """GET /me for the token's user; the limited token's user lacks write permission."""
        user = self.user(user_id)
        rights = {"read": True, "write": can_write, "delete": can_write}
        return {
            "user_token": f"00000000-0000-4000-8000-{user_id:012d}",
            "user_email": user["email"],
            "user_name": user["full_name"],
            "user_id": user_id,
            "admin": can_write and user.get("admin", False),
            "can_use_app": True,
            "two_factor_required": False,
            "subdomain": "cybersuite",
            "default_location": None,
            "enable_multi_locations": False,
            "locations_allowed": [],
            "permissions": {
                "asset": dict(rights),
                "customer": dict(rights),
                "ticket": dict(rights),
                "invoice": dict(rights),
                "payment": dict(rights),
                "worksheet": {"add": can_write, "manage": can_write, "delete": can_write},
                "script": {"execute": can_write},
            },
        }

    # -- settings -------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """GET /settings: the defined customer custom fields are visible here (read-only)."""
        fields = self.store.all("customer_fields")
        answers = []
        for field in fields:
            for index, value in enumerate(field.get("answers") or []):
                answers.append(
                    {
                        "id": field["id"] * 1000 + index,
                        "customer_field_id": field["id"],
                        "value": value,
                    }
                )
        return {
            "customers": {
                "required_fields": None,
                "customer_fields": [self.customer_field_out(f) for f in fields],
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
                {
                    "day": day,
                    "start": "09:00",
                    "end": "17:00",
                    "closed": day in ("Sunday", "Saturday"),
                }
                for day in (
                    "Sunday",
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                )
            ],
            "default_holiday_calendar": "USA",
            "msp_addon": None,
        }

    def ticket_settings(self) -> dict[str, Any]:
        """GET /tickets/settings: statuses and the users tickets can be assigned to."""
        return {
            "ticket_status_list": list(TICKET_STATUSES),
            "default_labor_product_id": None,
            "ticket_timer_charge_by_default": None,
            "saved_searches": [],
            "ticket_types": [],
            "ticket_type_fields": [],
            "ticket_type_field_answers": [],
            "appointment_types": [],
            "users": [{"id": u["id"], "name": u["full_name"]} for u in self.store.all("users")],
            "dashboard_settings": None,
            "worksheet_templates": [],
            "require_ticket_type": None,
            "require_intake_form_with_ticket": None,
            "require_outtake_form_with_ticket": None,
            "ticket_workflow_default_id": None,
        }

    # -- customers ------------------------------------------------------------------

    def field_names(self) -> list[str]:
        """Display names of the defined customer custom fields (the valid `properties` keys)."""
        return [f["name"] for f in self.store.all("customer_fields")]

    def customer_out(self, c: dict[str, Any], contacts: bool = True) -> dict[str, Any]:
        """A stored customer in the spec's field names, derived fields computed."""
        fullname = " ".join(x for x in (c.get("firstname"), c.get("lastname")) if x)
        business = c.get("business_name")
        defined = set(self.field_names())
        out: dict[str, Any] = {
            "id": c["id"],
            "firstname": c.get("firstname"),
            "lastname": c.get("lastname"),
            "fullname": fullname,
            "business_name": business,
            "email": c.get("email"),
            "phone": c.get("phone"),
            "mobile": c.get("mobile"),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "pdf_url": None,
            "address": c.get("address"),
            "address_2": c.get("address_2"),
            "city": c.get("city"),
            "state": c.get("state"),
            "zip": c.get("zip"),
            "latitude": None,
            "longitude": None,
            "notes": c.get("notes"),
            "get_sms": bool(c.get("get_sms")),
            "opt_out": bool(c.get("opt_out")),
            "disabled": bool(c.get("disabled")),
            "no_email": bool(c.get("no_email")),
            "location_name": None,
            "location_id": None,
            "properties": {k: v for k, v in (c.get("properties") or {}).items() if k in defined},
            "online_profile_url": (
                f"https://cybersuite.syncromsp.com/my_profile/v2/index?portal_key=emu{c['id']}"
            ),
            "tax_rate_id": c.get("tax_rate_id"),
            "notification_email": c.get("notification_email"),
            "invoice_cc_emails": c.get("invoice_cc_emails"),
            "invoice_term_id": c.get("invoice_term_id"),
            "referred_by": c.get("referred_by"),
            "ref_customer_id": c.get("ref_customer_id"),
            "business_and_full_name": (
                f"{business} - {fullname}" if business and fullname else (business or fullname)
            ),
            "business_then_name": business or fullname,
        }
        if contacts:
            out["contacts"] = [
                self.contact_out(x)
                for x in self.store.all("contacts")
                if x.get("customer_id") == c["id"]
            ]
        return out

    def customer(self, customer_id: int) -> dict[str, Any]:
        """The stored customer or 404."""
        found = self.store.get("customers", customer_id)
        if not found:
            raise not_found()
        return found

    def list_customers(self, q: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> dict:
        """GET /customers with Syncro's filters; archived customers only on request."""
        items = self.store.all("customers")
        if not as_bool(q.get("include_disabled", "false")):
            items = [c for c in items if not c.get("disabled")]
        ids = id_list(q, getlist, "id")
        if ids:
            items = [c for c in items if c["id"] in ids]
        not_ids = id_list(q, getlist, "not_id")
        if not_ids:
            items = [c for c in items if c["id"] not in not_ids]
        for key in ("business_name", "firstname", "lastname", "email"):
            wanted = (q.get(key) or "").strip().lower()
            if wanted:
                items = [c for c in items if wanted in (c.get(key) or "").lower()]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [
                c
                for c in items
                if any(
                    query in (c.get(k) or "").lower()
                    for k in ("business_name", "firstname", "lastname", "email", "phone")
                )
            ]
        sort = (q.get("sort") or "").strip().split()
        if sort and sort[0] in CUSTOMER_WRITABLE | {"id": None, "created_at": None}:
            items.sort(
                key=lambda c: (c.get(sort[0]) is None, str(c.get(sort[0]) or "").lower()),
                reverse=len(sort) > 1 and sort[1].upper() == "DESC",
            )
        page, meta = paginate(items, q.get("page"))
        return {"customers": [self.customer_out(c) for c in page], "meta": meta}

    def _customer_errors(self, data: dict[str, Any], own_id: int | None) -> list[str]:
        errors = []
        if not (data.get("business_name") or "").strip():
            errors.append("Business name can't be blank")
        email = data.get("email")
        if email not in (None, ""):
            if not is_email(email):
                errors.append("Email is not an email")
            else:
                taken = any(
                    (c.get("email") or "").lower() == email.strip().lower() and c["id"] != own_id
                    for c in self.store.all("customers")
                )
                if taken:
                    errors.append("Email has already been taken")
        return errors

    def _clean_properties(self, raw: Any) -> dict[str, Any]:
        """Keep only keys naming a defined field; values stored as strings."""
        if not isinstance(raw, Mapping):
            return {}
        defined = set(self.field_names())
        return {
            str(k): (v if isinstance(v, str) or v is None else str(v))
            for k, v in raw.items()
            if k in defined
        }

    def create_customer(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /customers: validation errors come back in Syncro's customer 422 shape."""
        data = {k: body.get(k, default) for k, default in CUSTOMER_WRITABLE.items()}
        if isinstance(data.get("email"), str):
            data["email"] = data["email"].strip()
        errors = self._customer_errors(data, None)
        if errors:
            raise ApiError(422, {"success": False, "message": errors, "params": body})
        props = {k: v for k, v in self._clean_properties(body.get("properties")).items() if v}
        now = self.now()
        record = self.store.insert(
            "customers",
            {**data, "properties": props, "disabled": False, "created_at": now, "updated_at": now},
        )
        return {"customer": self.customer_out(record)}

    def insert_customer_unchecked(self, data: dict[str, Any]) -> dict[str, Any]:
        """A customer made by Syncro itself (from a lead): no business-name requirement."""
        now = self.now()
        base = {k: data.get(k, default) for k, default in CUSTOMER_WRITABLE.items()}
        return self.store.insert(
            "customers",
            {**base, "properties": {}, "disabled": False, "created_at": now, "updated_at": now},
        )

    def update_customer(self, customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /customers/{id}: given fields replace, `properties` merges key by key."""
        with self.store.tx():
            current = self.customer(customer_id)
            merged = dict(current)
            for key in CUSTOMER_WRITABLE:
                if key in body:
                    merged[key] = body[key].strip() if isinstance(body[key], str) else body[key]
            errors = self._customer_errors(merged, customer_id)
            if errors:
                raise ApiError(422, {"success": False, "message": errors})
            if "properties" in body:
                props = dict(current.get("properties") or {})
                for key, value in self._clean_properties(body.get("properties")).items():
                    if value is None:
                        props.pop(key, None)
                    else:
                        props[key] = value
                merged["properties"] = props
            merged["updated_at"] = self.now()
            self.store.put("customers", merged)
        return {"customer": self.customer_out(merged)}

    def delete_customer(self, customer_id: int) -> dict[str, Any]:
        """DELETE: a customer with tickets (or leads) is archived, otherwise deleted."""
        with self.store.tx():
            current = self.customer(customer_id)
            has_data = any(t.get("customer_id") == customer_id for t in self.store.all("tickets"))
            if has_data:
                current["disabled"] = True
                current["updated_at"] = self.now()
                self.store.put("customers", current)
                return {
                    "message": (
                        "Customer was disabled instead of deleted because they have associated data"
                    )
                }
            for contact in self.store.all("contacts"):
                if contact.get("customer_id") == customer_id:
                    self.store.delete("contacts", contact["id"])
            for folder in self.store.all("policy_folders"):
                if folder.get("customer_id") == customer_id:
                    self.store.delete("policy_folders", folder["id"])
            self.store.delete("customers", customer_id)
        return {"message": "Customer was deleted from the system."}

    # -- contacts -------------------------------------------------------------------

    def contact_out(self, c: dict[str, Any]) -> dict[str, Any]:
        """A contact, flat, in the spec's field names."""
        return {
            "id": c["id"],
            "name": c.get("name"),
            "address1": c.get("address1"),
            "address2": c.get("address2"),
            "city": c.get("city"),
            "state": c.get("state"),
            "zip": c.get("zip"),
            "email": c.get("email"),
            "phone": c.get("phone"),
            "mobile": c.get("mobile"),
            "latitude": None,
            "longitude": None,
            "customer_id": c.get("customer_id"),
            "account_id": 1,
            "notes": c.get("notes"),
            "created_at": c.get("created_at"),
            "updated_at": c.get("updated_at"),
            "vendor_id": None,
            "properties": c.get("properties") or {},
            "opt_out": bool(c.get("opt_out")),
            "extension": c.get("extension"),
            "title": c.get("title"),
        }

    def contact(self, contact_id: int) -> dict[str, Any]:
        """The stored contact or 404 (`message` key, as the spec's contact 404)."""
        found = self.store.get("contacts", contact_id)
        if not found:
            raise not_found("message")
        return found

    def list_contacts(self, q: Mapping[str, Any]) -> dict[str, Any]:
        """GET /contacts, optionally for one customer."""
        items = self.store.all("contacts")
        customer_id = as_int(q.get("customer_id"))
        if q.get("customer_id") not in (None, ""):
            items = [c for c in items if c.get("customer_id") == customer_id]
        page, meta = paginate(items, q.get("page"))
        return {"contacts": [self.contact_out(c) for c in page], "meta": meta}

    def _contact_errors(self, data: dict[str, Any]) -> str | None:
        if as_int(data.get("customer_id")) is None:
            return "Customer can't be blank"
        email = data.get("email")
        if email not in (None, "") and not is_email(email):
            return "Email is not an email"
        return None

    def _contact_record(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.contact_out({"id": None, **data}),
            "id": data.get("id"),
            "processed_phone": None,
            "processed_mobile": None,
        }

    def create_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /contacts: `customer_id` required; 422 as `{"record", "errors"}`."""
        data = {k: body.get(k, default) for k, default in CONTACT_WRITABLE.items()}
        data["customer_id"] = as_int(data.get("customer_id"))
        error = self._contact_errors(data)
        if error:
            raise ApiError(422, {"record": self._contact_record(data), "errors": error})
        if not self.store.get("customers", data["customer_id"]):
            raise not_found("message")
        now = self.now()
        record = self.store.insert(
            "contacts", {**data, "properties": {}, "created_at": now, "updated_at": now}
        )
        return self.contact_out(record)

    def update_contact(self, contact_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /contacts/{id}: given fields replace."""
        with self.store.tx():
            merged = dict(self.contact(contact_id))
            for key in CONTACT_WRITABLE:
                if key in body:
                    merged[key] = body[key]
            merged["customer_id"] = as_int(merged.get("customer_id"))
            error = self._contact_errors(merged)
            if error:
                raise ApiError(422, {"record": self._contact_record(merged), "errors": error})
            if not self.store.get("customers", merged["customer_id"]):
                raise not_found("message")
            merged["updated_at"] = self.now()
            self.store.put("contacts", merged)
        return self.contact_out(merged)

    def delete_contact(self, contact_id: int) -> dict[str, Any]:
        """DELETE /contacts/{id}."""
        with self.store.tx():
            self.contact(contact_id)
            self.store.delete("contacts", contact_id)
        return {"message": "Contact was successfully deleted."}

    # -- tickets --------------------------------------------------------------------

    def _ticket_common(self, t: dict[str, Any]) -> dict[str, Any]:
        customer = self.store.get("customers", t.get("customer_id") or 0)
        due = parse_day(t.get("due_date"))
        return {
            "id": t["id"],
            "number": t["number"],
            "subject": t.get("subject"),
            "created_at": t["created_at"],
            "customer_id": t.get("customer_id"),
            "customer_business_then_name": (
                self.customer_out(customer, contacts=False)["business_then_name"]
                if customer
                else None
            ),
            "due_date": day_stamp(due) if due else None,
            "resolved_at": t.get("resolved_at"),
            "start_at": t.get("start_at"),
            "end_at": t.get("end_at"),
            "location_id": t.get("location_id"),
            "problem_type": t.get("problem_type"),
            "status": t.get("status") or "New",
            "properties": t.get("properties") or {},
            "user_id": t.get("user_id"),
            "updated_at": t["updated_at"],
            "pdf_url": None,
            "priority": t.get("priority"),
            "tag_list": t.get("tag_list") or [],
            "contact_id": t.get("contact_id"),
            "ticket_recurring_schedule_id": t.get("ticket_recurring_schedule_id"),
            "comments": [self.comment_out(c) for c in self.comments_of(t["id"])],
        }

    def ticket_list_item(self, t: dict[str, Any]) -> dict[str, Any]:
        """A ticket as GET /tickets lists it (a different field set than the detail view)."""
        contact = self.store.get("contacts", t.get("contact_id") or 0)
        user = self.store.get("users", t.get("user_id") or 0)
        return {
            **self._ticket_common(t),
            "location_name": None,
            "ticket_type_id": t.get("ticket_type_id"),
            "ticket_type_name": None,
            "billing_status": None,
            "sla_name": None,
            "creator_name_or_email": None,
            "contact_fullname": contact.get("name") if contact else None,
            "contract_name": None,
            "address_id": None,
            "parent": False,
            "parent_id": None,
            "child": False,
            "recurring": t.get("ticket_recurring_schedule_id") is not None,
            "customer_reply": False,
            "total_formatted_billable_time": None,
            "sla_breached": False,
            "sla_breaching_soon": False,
            "contract_id": None,
            "sla_id": t.get("sla_id"),
            "customer_tag_list": [],
            "resolution_time": None,
            "response_time": None,
            "customer_icons": [],
            "user": self.user_out(user) if user else None,
        }

    def user_out(self, u: dict[str, Any]) -> dict[str, Any]:
        """A user object as embedded in tickets and answered by GET /users/{id}."""
        return {
            "id": u["id"],
            "email": u["email"],
            "full_name": u["full_name"],
            "created_at": u["created_at"],
            "updated_at": u["updated_at"],
            "group": u.get("group"),
            "admin": bool(u.get("admin")),
            "color": u.get("color"),
        }

    def ticket_out(self, t: dict[str, Any]) -> dict[str, Any]:
        """A ticket's detail view (GET/POST/PUT)."""
        customer = self.store.get("customers", t.get("customer_id") or 0)
        contact = self.store.get("contacts", t.get("contact_id") or 0)
        user = self.store.get("users", t.get("user_id") or 0)
        return {
            **self._ticket_common(t),
            "intake_form_html": None,
            "signature_name": t.get("signature_name"),
            "signature_date": None,
            "asset_ids": t.get("asset_ids") or [],
            "outtake_form_name": None,
            "outtake_form_date": None,
            "outtake_form_html": None,
            "attachments": [],
            "ticket_timers": [],
            "line_items": [],
            "worksheet_results": [],
            "assets": [],
            "appointments": [],
            "ticket_fields": [],
            "ticket_answers": [],
            "customer": self.customer_out(customer) if customer else None,
            "contact": self.contact_out(contact) if contact else None,
            "user": self.user_out(user) if user else None,
            "ticket_type": None,
            "address": None,
        }

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """The stored ticket or 404 (`message` key, as the spec's ticket 404)."""
        found = self.store.get("tickets", ticket_id)
        if not found:
            raise not_found("message")
        return found

    def list_tickets(self, q: Mapping[str, Any]) -> dict[str, Any]:
        """GET /tickets, newest first; meta carries only total_pages and page."""
        items = self.store.all("tickets")
        for key in ("customer_id", "contact_id", "user_id"):
            if q.get(key) not in (None, ""):
                wanted = as_int(q.get(key))
                items = [t for t in items if t.get(key) == wanted]
        if q.get("number") not in (None, ""):
            items = [t for t in items if str(t["number"]) == str(q.get("number")).strip()]
        if q.get("status"):
            statuses = {s.strip().lower() for s in str(q["status"]).split(",")}
            if "not closed" in statuses:
                items = [t for t in items if t.get("status") not in ("Resolved", "Invoiced")]
            else:
                items = [t for t in items if (t.get("status") or "").lower() in statuses]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [
                t
                for t in items
                if query in (t.get("subject") or "").lower() or query == str(t["number"])
            ]
        for key, field in (("created_after", "created_at"), ("since_updated_at", "updated_at")):
            bound = parse_day(q.get(key))
            if bound:
                items = [t for t in items if (parse_day(t.get(field)) or bound) >= bound]
        items.sort(key=lambda t: t["id"], reverse=True)
        page, meta = paginate(items, q.get("page"), full_meta=False)
        return {"tickets": [self.ticket_list_item(t) for t in page], "meta": meta}

    def create_ticket(self, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """POST /tickets: customer required (`{"error": ...}`), subject required."""
        customer_id = as_int(body.get("customer_id"))
        if customer_id is None or not self.store.get("customers", customer_id):
            raise ApiError(422, {"error": "Customer required field"})
        if not (body.get("subject") or "").strip():
            raise ApiError(422, {"success": False, "message": ["Subject can't be blank"]})
        user_id = as_int(body.get("user_id"))
        if body.get("user_id") not in (None, "") and not self.store.get("users", user_id or 0):
            raise ApiError(422, {"success": False, "message": ["User must exist"]})
        data = {k: body.get(k, default) for k, default in TICKET_WRITABLE.items()}
        data.update(customer_id=customer_id, user_id=user_id)
        data["contact_id"] = as_int(data.get("contact_id"))
        due = parse_day(data.get("due_date"))
        data["due_date"] = due.isoformat() if due else None
        with self.store.tx():
            number = self.store.next_id("ticket_number")
            now = extra.pop("created_at", None) or self.now()
            record = self.store.insert(
                "tickets",
                {
                    **data,
                    "number": number,
                    "ticket_recurring_schedule_id": None,
                    "resolved_at": None,
                    "created_at": now,
                    "updated_at": now,
                    **extra,
                },
            )
            for comment in body.get("comments_attributes") or []:
                if isinstance(comment, Mapping):
                    self._insert_comment(record["id"], comment)
        return {"ticket": self.ticket_out(record)}

    def update_ticket(self, ticket_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /tickets/{id}: given fields replace."""
        with self.store.tx():
            merged = dict(self.ticket(ticket_id))
            for key in TICKET_WRITABLE:
                if key in body:
                    merged[key] = body[key]
            for key in ("customer_id", "contact_id", "user_id"):
                merged[key] = as_int(merged.get(key))
            if merged["customer_id"] is None or not self.store.get(
                "customers", merged["customer_id"]
            ):
                raise ApiError(422, {"error": "Customer required field"})
            if not (merged.get("subject") or "").strip():
                raise ApiError(422, {"success": False, "message": ["Subject can't be blank"]})
            due = parse_day(merged.get("due_date"))
            merged["due_date"] = due.isoformat() if due else None
            if merged.get("status") == "Resolved" and not merged.get("resolved_at"):
                merged["resolved_at"] = self.now()
            merged["updated_at"] = self.now()
            self.store.put("tickets", merged)
        return {"ticket": self.ticket_out(merged)}

    def delete_ticket(self, ticket_id: int) -> dict[str, Any]:
        """DELETE /tickets/{id} (the spec's message has a trailing space)."""
        with self.store.tx():
            self.ticket(ticket_id)
            for comment in self.comments_of(ticket_id):
                self.store.delete("comments", comment["id"])
            self.store.delete("tickets", ticket_id)
        return {"message": "Ticket was successfully deleted. "}

    # -- comments -------------------------------------------------------------------

    def comments_of(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's comments, oldest first."""
        return [c for c in self.store.all("comments") if c.get("ticket_id") == ticket_id]

    def comment_out(self, c: dict[str, Any]) -> dict[str, Any]:
        """A comment in the spec's field names."""
        return {
            "id": c["id"],
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "ticket_id": c["ticket_id"],
            "subject": c.get("subject"),
            "body": c.get("body"),
            "tech": c.get("tech"),
            "hidden": bool(c.get("hidden")),
            "user_id": c.get("user_id"),
        }

    def _insert_comment(self, ticket_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        now = self.now()
        return self.store.insert(
            "comments",
            {
                "ticket_id": ticket_id,
                "subject": body.get("subject"),
                "body": body.get("body") or "",
                "tech": body.get("tech"),
                "hidden": as_bool(body.get("hidden", False)),
                "user_id": as_int(body.get("user_id")),
                "created_at": now,
                "updated_at": now,
            },
        )

    def list_comments(self, ticket_id: int, q: Mapping[str, Any]) -> dict[str, Any]:
        """GET /tickets/{id}/comments."""
        self.ticket(ticket_id)
        items = [
            {**self.comment_out(c), "is_rich_text": False, "user": {}}
            for c in self.comments_of(ticket_id)
        ]
        page, meta = paginate(items, q.get("page"), full_meta=False)
        meta["per_page"] = PER_PAGE
        return {"comments": page, "meta": meta}

    def add_comment(self, ticket_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """POST /tickets/{id}/comment: `subject` is required (422 otherwise)."""
        self.ticket(ticket_id)
        if not (body.get("subject") or "").strip():
            raise ApiError(422, {"success": False, "message": ["Subject can't be blank"]})
        return {"comment": self.comment_out(self._insert_comment(ticket_id, body))}

    # -- leads ----------------------------------------------------------------------

    def lead_out(self, lead: dict[str, Any]) -> dict[str, Any]:
        """A lead in the spec's field names (mailbox name resolved)."""
        customer = self.store.get("customers", lead.get("customer_id") or 0)
        mailbox = self.store.get("mailboxes", lead.get("mailbox_id") or 0)
        return {
            "id": lead["id"],
            "first_name": lead.get("first_name") or "",
            "last_name": lead.get("last_name") or "",
            "email": lead.get("email") or "",
            "phone": lead.get("phone") or "",
            "mobile": lead.get("mobile") or "",
            "created_at": lead["created_at"],
            "updated_at": lead["updated_at"],
            "address": lead.get("address") or "",
            "city": lead.get("city") or "",
            "state": lead.get("state") or "",
            "zip": lead.get("zip") or "",
            "ticket_subject": lead.get("ticket_subject"),
            "ticket_description": lead.get("ticket_description"),
            "ticket_problem_type": lead.get("ticket_problem_type"),
            "ticket_id": lead.get("ticket_id"),
            "customer_id": lead.get("customer_id"),
            "contact_id": lead.get("contact_id"),
            "mailbox_id": lead.get("mailbox_id"),
            "mailbox_name": mailbox["address"] if mailbox else None,
            "business_then_name": (
                self.customer_out(customer, contacts=False)["business_then_name"]
                if customer
                else lead.get("business_name")
            ),
            "has_attachments": False,
            "message_read": bool(lead.get("message_read")),
            "status": lead.get("status") or "New",
            "user_id": lead.get("user_id"),
            "location_id": lead.get("location_id"),
        }

    def lead(self, lead_id: int) -> dict[str, Any]:
        """The stored lead or 404."""
        found = self.store.get("leads", lead_id)
        if not found:
            raise not_found()
        return found

    def list_leads(self, q: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> dict:
        """GET /leads, newest first, with the status/mailbox/ticket filters."""
        items = self.store.all("leads")
        statuses = {s.lower() for s in list(getlist("statuses")) + list(getlist("statuses[]"))}
        if q.get("status_list"):
            statuses |= {s.strip().lower() for s in str(q["status_list"]).split(",")}
        if statuses:
            items = [x for x in items if (x.get("status") or "New").lower() in statuses]
        mailbox_ids = id_list(q, getlist, "mailbox_ids")
        if mailbox_ids:
            items = [x for x in items if x.get("mailbox_id") in mailbox_ids]
        if q.get("has_ticket") not in (None, ""):
            want = as_bool(q.get("has_ticket"))
            items = [x for x in items if (x.get("ticket_id") is not None) == want]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [
                x
                for x in items
                if any(
                    query in (x.get(k) or "").lower()
                    for k in ("email", "first_name", "last_name", "ticket_subject")
                )
            ]
        items.sort(key=lambda x: x["id"], reverse=True)
        page, meta = paginate(items, q.get("page"))
        return {"leads": [self.lead_out(x) for x in page], "meta": meta}

    def _lead_data(self, base: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        data = dict(base)
        for key in LEAD_WRITABLE:
            if key in body:
                data[key] = body[key]
        for key in ("customer_id", "contact_id", "ticket_id", "mailbox_id", "user_id"):
            data[key] = as_int(data.get(key))
        email = data.get("email")
        errors = []
        if email not in (None, "") and not is_email(email):
            errors.append("Email is not an email")
        if not any(data.get(k) for k in ("email", "first_name", "last_name", "business_name")):
            errors.append("Email or name can't be blank")
        if errors:
            raise ApiError(422, {"success": False, "message": errors, "params": body})
        return data

    def create_lead(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /leads."""
        data = self._lead_data(dict(LEAD_WRITABLE), body)
        now = self.now()
        record = self.store.insert("leads", {**data, "created_at": now, "updated_at": now})
        return {"lead": self.lead_out(record)}

    def update_lead(self, lead_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /leads/{id}."""
        with self.store.tx():
            data = self._lead_data(self.lead(lead_id), body)
            data["updated_at"] = self.now()
            self.store.put("leads", data)
        return {"lead": self.lead_out(data)}

    # -- policy folders (newer spec versions) ----------------------------------------

    def policy_folder_out(self, f: dict[str, Any]) -> dict[str, Any]:
        """`{id, customer_id, name, parent_id, partial_policy_id}`."""
        return {
            k: f.get(k) for k in ("id", "customer_id", "name", "parent_id", "partial_policy_id")
        }

    def policy_folder(self, folder_id: int) -> dict[str, Any]:
        """The stored folder or 404."""
        found = self.store.get("policy_folders", folder_id)
        if not found:
            raise not_found()
        return found

    def list_policy_folders(self, q: Mapping[str, Any]) -> dict[str, Any]:
        """GET /policy_folders, optionally for one customer."""
        items = self.store.all("policy_folders")
        if q.get("customer_id") not in (None, ""):
            wanted = as_int(q.get("customer_id"))
            items = [f for f in items if f.get("customer_id") == wanted]
        page, meta = paginate(items, q.get("page"))
        return {"policy_folders": [self.policy_folder_out(f) for f in page], "meta": meta}

    def save_policy_folder(self, body: dict[str, Any], folder_id: int | None) -> dict[str, Any]:
        """POST/PUT /policy_folders: a name is required; references must exist."""
        with self.store.tx():
            current = self.policy_folder(folder_id) if folder_id else {}
            data = dict(current)
            for key in ("customer_id", "name", "parent_id", "partial_policy_id"):
                if key in body:
                    data[key] = body[key]
            for key in ("customer_id", "parent_id", "partial_policy_id"):
                data[key] = as_int(data.get(key))
            errors = []
            if not (data.get("name") or "").strip():
                errors.append("Name can't be blank")
            if data.get("customer_id") and not self.store.get("customers", data["customer_id"]):
                errors.append("Customer must exist")
            if data.get("parent_id") and not self.store.get("policy_folders", data["parent_id"]):
                errors.append("Parent must exist")
            if errors:
                raise ApiError(422, {"success": False, "message": errors, "params": body})
            record = self.store.insert("policy_folders", data) if not folder_id else data
            if folder_id:
                self.store.put("policy_folders", data)
        return {"policy_folder": self.policy_folder_out(record)}

    def delete_policy_folder(self, folder_id: int) -> dict[str, Any]:
        """DELETE /policy_folders/{id}."""
        with self.store.tx():
            self.policy_folder(folder_id)
            self.store.delete("policy_folders", folder_id)
        return {"message": "Policy folder was deleted."}

    # -- admin surface: customer fields ----------------------------------------------

    def customer_field_out(self, f: dict[str, Any]) -> dict[str, Any]:
        """`{id, name, field_type, answers}` (design contract)."""
        return {
            "id": f["id"],
            "name": f["name"],
            "field_type": f["field_type"],
            "answers": list(f.get("answers") or []),
        }

    def save_customer_field(self, body: dict[str, Any], field_id: int | None) -> dict[str, Any]:
        """Create or update a field definition; a rename carries stored values along."""
        with self.store.tx():
            current = self.admin_get("customer_fields", field_id) if field_id else None
            data = dict(current or {})
            for key in ("name", "field_type", "answers"):
                if key in body:
                    data[key] = body[key]
            name = (data.get("name") or "").strip() if isinstance(data.get("name"), str) else ""
            if not name:
                raise admin_error("Name can't be blank")
            if data.get("field_type", "text") not in FIELD_TYPES:
                raise admin_error(f"Field type must be one of {', '.join(FIELD_TYPES)}")
            answers = data.get("answers") or []
            if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
                raise admin_error("Answers must be a list of strings")
            if any(
                f["name"].lower() == name.lower() and f["id"] != field_id
                for f in self.store.all("customer_fields")
            ):
                raise admin_error("Name has already been taken")
            data.update(name=name, field_type=data.get("field_type", "text"), answers=answers)
            if current and current["name"] != name:
                for customer in self.store.all("customers"):
                    props = customer.get("properties") or {}
                    if current["name"] in props:
                        props[name] = props.pop(current["name"])
                        self.store.put("customers", customer)
            if current:
                self.store.put("customer_fields", data)
                record = data
            else:
                record = self.store.insert("customer_fields", data)
        return record

    # -- admin surface: generic helpers ---------------------------------------------

    def admin_get(self, kind: str, obj_id: int | None) -> dict[str, Any]:
        """An admin object or 404 `{"error": "Not found"}`."""
        found = self.store.get(kind, obj_id or 0)
        if not found:
            raise not_found()
        return found

    def preferences(self) -> dict[str, Any]:
        """The ticket preferences singleton."""
        return dict(self.store.meta("ticket_preferences", SEED_PREFERENCES))

    def set_preferences(self, body: dict[str, Any]) -> dict[str, Any]:
        """PUT: given switches replace; anything else is a 422."""
        prefs = self.preferences()
        for key, value in body.items():
            if key not in SEED_PREFERENCES:
                raise admin_error(f"Unknown preference: {key}")
            if not isinstance(value, bool):
                raise admin_error(f"{key} must be true or false")
            prefs[key] = value
        self.store.set_meta("ticket_preferences", prefs)
        return prefs

    # -- admin surface: mailboxes ---------------------------------------------------

    def save_mailbox(self, body: dict[str, Any], mailbox_id: int | None) -> dict[str, Any]:
        """Create or update a mailbox: a unique valid address, a known auto-create mode."""
        with self.store.tx():
            data = dict(self.admin_get("mailboxes", mailbox_id)) if mailbox_id else {}
            for key in ("address", "active", "auto_create"):
                if key in body:
                    data[key] = body[key]
            address = data.get("address")
            if not is_email(address):
                raise admin_error("Address is not an email")
            data["address"] = address.strip().lower()
            data.setdefault("active", True)
            data.setdefault("auto_create", "never")
            if not isinstance(data["active"], bool):
                raise admin_error("active must be true or false")
            if data["auto_create"] not in AUTO_CREATE:
                raise admin_error(f"auto_create must be one of {', '.join(AUTO_CREATE)}")
            if any(
                m["address"] == data["address"] and m["id"] != mailbox_id
                for m in self.store.all("mailboxes")
            ):
                raise admin_error("Address has already been taken")
            if mailbox_id:
                self.store.put("mailboxes", data)
                return data
            return self.store.insert("mailboxes", data)

    # -- admin surface: email rules -------------------------------------------------

    def save_email_rule(self, body: dict[str, Any], rule_id: int | None) -> dict[str, Any]:
        """Create or update an email rule; whole free-mail domains are refused."""
        with self.store.tx():
            data = dict(self.admin_get("email_rules", rule_id)) if rule_id else {}
            keys = (
                "sender",
                "subject_filter",
                "customer_id",
                "assignee_user_id",
                "mailbox_id",
                "auto_create_contact",
                "position",
            )
            for key in keys:
                if key in body:
                    data[key] = body[key]
            sender = data.get("sender")
            sender = sender.strip().lower() if isinstance(sender, str) else ""
            if sender.startswith("@"):
                domain = sender[1:]
                if not is_email(f"x@{domain}"):
                    raise admin_error("Sender must be an email address or @domain")
                if domain in FREE_MAIL_DOMAINS:
                    raise admin_error(
                        f"{domain} is a free email provider: a rule for the whole domain "
                        "would match strangers"
                    )
            elif not is_email(sender):
                raise admin_error("Sender must be an email address or @domain")
            data["sender"] = sender
            subject_filter = data.get("subject_filter")
            if subject_filter is not None and not isinstance(subject_filter, str):
                raise admin_error("subject_filter must be a string or null")
            data["subject_filter"] = subject_filter or None
            for key in ("customer_id", "assignee_user_id", "mailbox_id"):
                data[key] = as_int(data.get(key))
            if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
                raise admin_error("Customer must exist")
            if data["assignee_user_id"] and not self.store.get("users", data["assignee_user_id"]):
                raise admin_error("Assignee must be a user")
            if data["mailbox_id"] and not self.store.get("mailboxes", data["mailbox_id"]):
                raise admin_error("Mailbox must exist")
            data["auto_create_contact"] = bool(data.get("auto_create_contact", False))
            if data.get("position") is None:
                existing = [r.get("position", 0) for r in self.store.all("email_rules")]
                data["position"] = max(existing, default=0) + 10
            elif as_int(data["position"]) is None:
                raise admin_error("position must be an integer")
            data["position"] = as_int(data["position"])
            if rule_id:
                self.store.put("email_rules", data)
                return data
            return self.store.insert("email_rules", data)

    def ordered_rules(self) -> list[dict[str, Any]]:
        """Rules in evaluation order: (position, id)."""
        return sorted(self.store.all("email_rules"), key=lambda r: (r["position"], r["id"]))

    # -- admin surface: recurring tickets -------------------------------------------

    def recurring_out(self, r: dict[str, Any]) -> dict[str, Any]:
        """The design contract's fields (internal bookkeeping hidden)."""
        keys = (
            "id",
            "customer_id",
            "subject",
            "problem_type",
            "user_id",
            "frequency",
            "next_due",
            "lead_days",
        )
        return {k: r.get(k) for k in keys}

    def save_recurring(self, body: dict[str, Any], rec_id: int | None) -> dict[str, Any]:
        """Create or update a schedule; refused while recurring tickets are disabled."""
        if not self.preferences()["enable_recurring_tickets"]:
            raise admin_error(
                "Recurring tickets are disabled: turn on 'Enable Recurring Tickets' in "
                "Admin > Tickets - Preferences"
            )
        with self.store.tx():
            data = dict(self.admin_get("recurring_tickets", rec_id)) if rec_id else {}
            keys = (
                "customer_id",
                "subject",
                "problem_type",
                "user_id",
                "frequency",
                "next_due",
                "lead_days",
            )
            for key in keys:
                if key in body:
                    data[key] = body[key]
            data["customer_id"] = as_int(data.get("customer_id"))
            data["user_id"] = as_int(data.get("user_id"))
            if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
                raise admin_error("Customer must exist")
            if data["user_id"] is not None and not self.store.get("users", data["user_id"]):
                raise admin_error("Assignee must be a user")
            if not isinstance(data.get("subject"), str) or not data["subject"].strip():
                raise admin_error("Subject can't be blank")
            if data.get("problem_type") not in PROBLEM_TYPES:
                raise admin_error(f"Problem type must be one of {', '.join(PROBLEM_TYPES)}")
            if data.get("frequency") not in FREQUENCY_MONTHS:
                raise admin_error("frequency must be monthly, quarterly or yearly")
            due = parse_day(data.get("next_due"))
            if due is None or len(str(data.get("next_due"))) != 10:
                raise admin_error("next_due must be a YYYY-MM-DD date")
            lead_days = data.get("lead_days", 0)
            if isinstance(lead_days, bool) or not isinstance(lead_days, int) or lead_days < 0:
                raise admin_error("lead_days must be a non-negative integer")
            data["lead_days"] = lead_days
            if "next_due" in body or not rec_id:
                data["anchor"] = due.isoformat()
                data["step"] = 0
            if "frequency" in body and rec_id and "next_due" not in body:
                data["anchor"] = data["next_due"]
                data["step"] = 0
            data["next_due"] = due.isoformat()
            if rec_id:
                self.store.put("recurring_tickets", data)
                return data
            return self.store.insert("recurring_tickets", data)

    def run_recurring_day(self, day: date) -> list[dict[str, Any]]:
        """The daily job for `day`: open every occurrence whose open date has arrived."""
        created: list[dict[str, Any]] = []
        if not self.preferences()["enable_recurring_tickets"]:
            return created
        opened = set(self.store.meta("occurrences", []))
        moved = False
        for schedule in self.store.all("recurring_tickets"):
            customer = self.store.get("customers", schedule["customer_id"])
            months = FREQUENCY_MONTHS[schedule["frequency"]]
            changed = False
            while True:
                due = date.fromisoformat(schedule["next_due"])
                if due - timedelta(days=schedule["lead_days"]) > day:
                    break
                key = f"{schedule['id']}:{due.isoformat()}"
                if key not in opened and customer and not customer.get("disabled"):
                    ticket = self.create_ticket(
                        {
                            "customer_id": schedule["customer_id"],
                            "subject": schedule["subject"],
                            "problem_type": schedule["problem_type"],
                            "user_id": schedule.get("user_id"),
                            "due_date": due.isoformat(),
                        },
                        ticket_recurring_schedule_id=schedule["id"],
                        created_at=stamp(day),
                    )["ticket"]
                    created.append(ticket)
                opened.add(key)
                changed = True
                schedule["step"] = int(schedule.get("step", 0)) + 1
                anchor = date.fromisoformat(schedule.get("anchor") or schedule["next_due"])
                schedule["next_due"] = add_months(anchor, schedule["step"] * months).isoformat()
            if changed:
                # Only schedules that moved are written: a year of clock advance is
                # 365 job runs, and most days nothing is due.
                self.store.put("recurring_tickets", schedule)
                moved = True
        if moved:
            self.store.set_meta("occurrences", sorted(opened))
        return created

    def advance_clock(self, target: date) -> list[dict[str, Any]]:
        """Set the emulated date, running the daily job once for each day that passes."""
        created: list[dict[str, Any]] = []
        with self.store.tx():
            current = self.today
            days = [current + timedelta(days=n) for n in range(1, (target - current).days + 1)]
            for day in days or [target]:
                self.store.set_meta("today", day.isoformat())
                created.extend(self.run_recurring_day(day))
            self.store.set_meta("today", target.isoformat())
        return created

    # -- admin surface: ticket automations ------------------------------------------

    def save_automation(self, body: dict[str, Any], auto_id: int | None) -> dict[str, Any]:
        """Create or update an acknowledgement or staff-alert automation."""
        with self.store.tx():
            data = dict(self.admin_get("ticket_automations", auto_id)) if auto_id else {}
            for key in ("name", "kind", "subject_template", "body_template", "notify"):
                if key in body:
                    data[key] = body[key]
            if not isinstance(data.get("name"), str) or not data["name"].strip():
                raise admin_error("Name can't be blank")
            if data.get("kind") not in AUTOMATION_KINDS:
                raise admin_error("kind must be acknowledgement or staff_alert")
            for key in ("subject_template", "body_template"):
                if not isinstance(data.get(key, ""), str):
                    raise admin_error(f"{key} must be a string")
                data.setdefault(key, "")
            notify = data.get("notify") or []
            if not isinstance(notify, list) or not all(is_email(n) for n in notify):
                raise admin_error("notify must be a list of email addresses")
            data["notify"] = notify
            if data["kind"] == "staff_alert" and not notify:
                raise admin_error("A staff alert needs at least one address to notify")
            if auto_id:
                self.store.put("ticket_automations", data)
                return data
            return self.store.insert("ticket_automations", data)
