"""Customers (Syncro's organizations): validation, archive-instead-of-delete, shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emulator.kinds.base import (
    GetList,
    Invalid,
    Kind,
    Query,
    Rendered,
    as_bool,
    blank,
    id_list,
    is_email,
)

WRITABLE: dict[str, Any] = {
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
SEARCHED = ("business_name", "firstname", "lastname", "email", "phone")
HISTORY = ("tickets", "invoices", "estimates")


class Customers(Kind):
    """`/customers`: archived ones are listed only on request."""

    name = "customers"
    singular = "customer"
    id_base = 30001
    writable = WRITABLE
    timestamps = True

    def field_names(self) -> list[str]:
        """Display names of the defined custom fields (the valid `properties` keys)."""
        return [f["name"] for f in self.store.all("customer_fields")]

    def out(self, c: dict[str, Any], contacts: bool = True) -> dict[str, Any]:
        """A stored customer in the spec's field names, derived fields computed."""
        fullname = " ".join(x for x in (c.get("firstname"), c.get("lastname")) if x)
        business = c.get("business_name")
        defined = set(self.field_names())
        plain = {k: c.get(k) for k in ("firstname", "lastname")}
        out: dict[str, Any] = {
            "id": c["id"],
            **plain,
            "fullname": fullname,
            "business_name": business,
            **{k: c.get(k) for k in ("email", "phone", "mobile", "created_at", "updated_at")},
            "pdf_url": None,
            **{k: c.get(k) for k in ("address", "address_2", "city", "state", "zip")},
            "latitude": None,
            "longitude": None,
            "notes": c.get("notes"),
            **{k: bool(c.get(k)) for k in ("get_sms", "opt_out", "disabled", "no_email")},
            "location_name": None,
            "location_id": None,
            "properties": {k: v for k, v in (c.get("properties") or {}).items() if k in defined},
            "online_profile_url": (
                f"https://cybersuite.syncromsp.com/my_profile/v2/index?portal_key=emu{c['id']}"
            ),
            **{
                k: c.get(k)
                for k in (
                    "tax_rate_id",
                    "notification_email",
                    "invoice_cc_emails",
                    "invoice_term_id",
                    "referred_by",
                    "ref_customer_id",
                )
            },
            "business_and_full_name": (
                f"{business} - {fullname}" if business and fullname else (business or fullname)
            ),
            "business_then_name": business or fullname,
        }
        if contacts:
            out["contacts"] = [
                self.account["contacts"].out(x)
                for x in self.store.all("contacts")
                if x.get("customer_id") == c["id"]
            ]
        return out

    def display_name(self, customer_id: int | None) -> str | None:
        """`business_then_name` of a customer, None when there is none."""
        found = self.store.get(self.name, customer_id or 0)
        return self.out(found, contacts=False)["business_then_name"] if found else None

    def list(self, q: Query, getlist: GetList) -> Sequence[dict[str, Any]]:
        """Syncro's filters: ids, substrings (case-insensitive), query, sort."""
        items = self.store.all(self.name)
        if not as_bool(q.get("include_disabled", "false")):
            items = [c for c in items if not c.get("disabled")]
        ids = id_list(getlist, "id")
        if ids:
            items = [c for c in items if c["id"] in ids]
        not_ids = id_list(getlist, "not_id")
        if not_ids:
            items = [c for c in items if c["id"] not in not_ids]
        for key in ("business_name", "firstname", "lastname", "email"):
            wanted = (q.get(key) or "").strip().lower()
            if wanted:
                items = [c for c in items if wanted in (c.get(key) or "").lower()]
        query = (q.get("query") or "").strip().lower()
        if query:
            items = [c for c in items if any(query in (c.get(k) or "").lower() for k in SEARCHED)]
        sort = (q.get("sort") or "").strip().split()
        if sort and sort[0] in WRITABLE | {"id": None, "created_at": None}:
            items.sort(
                key=lambda c: (c.get(sort[0]) is None, str(c.get(sort[0]) or "").lower()),
                reverse=len(sort) > 1 and sort[1].upper() == "DESC",
            )
        return Rendered(items, self.out)

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Business name required; email valid and unique (archived customers included)."""
        errors = []
        if blank(data.get("business_name")):
            errors.append("Business name can't be blank")
        email = data.get("email")
        if email not in (None, ""):
            if not is_email(email):
                errors.append("Email is not an email")
            else:
                own_id = current["id"] if current else None
                taken = any(
                    (c.get("email") or "").lower() == email.strip().lower() and c["id"] != own_id
                    for c in self.store.all(self.name)
                )
                if taken:
                    errors.append("Email has already been taken")
        if errors:
            raise Invalid(errors)

    def clean_properties(self, raw: Any) -> dict[str, Any]:
        """Keep only keys naming a defined field; values stored as strings."""
        if not isinstance(raw, Mapping):
            return {}
        defined = set(self.field_names())
        return {
            str(k): (v if isinstance(v, str) or v is None else str(v))
            for k, v in raw.items()
            if k in defined
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST: empty property values are not stored."""
        if isinstance(body.get("email"), str):
            body = {**body, "email": body["email"].strip()}
        props = {k: v for k, v in self.clean_properties(body.get("properties")).items() if v}
        with self.store.tx():
            record = self.upsert(None, body)
            record.update(properties=props, disabled=False)
            self.store.put(self.name, record)
            self._root_folder(record)
        return record

    def _root_folder(self, record: dict[str, Any]) -> None:
        """Syncro makes a root policy folder with every organization, named for it."""
        name = self.out(record, contacts=False)["business_then_name"] or record.get("email")
        self.account["policy_folders"].create_root(record, name or f"Customer {record['id']}")

    def insert_unchecked(self, data: dict[str, Any]) -> dict[str, Any]:
        """A customer made by Syncro itself (from a lead): no business-name requirement."""
        now = self.account.now()
        base = {k: data.get(k, default) for k, default in WRITABLE.items()}
        with self.store.tx():
            record = self.store.insert(
                self.name,
                {**base, "properties": {}, "disabled": False, "created_at": now, "updated_at": now},
            )
            self._root_folder(record)
        return record

    def update(self, obj_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT: given fields replace (strings stripped), `properties` merges key by key."""
        stripped = {k: v.strip() if isinstance(v, str) else v for k, v in body.items()}
        with self.store.tx():
            current = self.get(obj_id)
            record = self.upsert(obj_id, stripped)
            if "properties" in body:
                props = dict(current.get("properties") or {})
                for key, value in self.clean_properties(body.get("properties")).items():
                    if value is None:
                        props.pop(key, None)
                    else:
                        props[key] = value
                record["properties"] = props
                self.store.put(self.name, record)
        return record

    def has_history(self, customer_id: int) -> bool:
        """What makes Syncro archive instead of delete: tickets, invoices or estimates."""
        return any(
            item.get("customer_id") == customer_id
            for kind in HISTORY
            for item in self.store.all(kind)
        )

    def re_enable(self, obj_id: int) -> dict[str, Any]:
        """Actions > Re-Enable in the UI (the public API cannot clear `disabled`)."""
        with self.store.tx():
            current = self.get(obj_id)
            if current.get("disabled"):
                current["disabled"] = False
                current["updated_at"] = self.account.now()
                self.store.put(self.name, current)
        return current

    def delete(self, obj_id: int) -> dict[str, Any]:
        """A customer with history is archived (`disabled`), otherwise deleted with its
        contacts and policy folders; the answer says which (`archived` key)."""
        with self.store.tx():
            current = self.get(obj_id)
            if self.has_history(obj_id):
                current["disabled"] = True
                current["updated_at"] = self.account.now()
                self.store.put(self.name, current)
                return {**current, "archived": True}
            for kind in ("contacts", "policy_folders", "contracts", "portal_users"):
                for item in self.store.all(kind):
                    if item.get("customer_id") == obj_id:
                        self.store.delete(kind, item["id"])
            self.store.delete(self.name, obj_id)
        return {**current, "archived": False}
