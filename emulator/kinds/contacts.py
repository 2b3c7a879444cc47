"""Contacts: flat objects under a customer."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import GetList, Invalid, Kind, Missing, Query, as_bool, as_int, is_email

WRITABLE: dict[str, Any] = {
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


class Contacts(Kind):
    """`/contacts`: `customer_id` required and must exist."""

    name = "contacts"
    singular = "contact"
    id_base = 40001
    writable = WRITABLE
    timestamps = True

    def out(self, c: dict[str, Any]) -> dict[str, Any]:
        """A contact, flat, in the spec's field names."""
        return {
            "id": c.get("id"),
            **{k: c.get(k) for k in ("name", "address1", "address2", "city", "state", "zip")},
            **{k: c.get(k) for k in ("email", "phone", "mobile")},
            "latitude": None,
            "longitude": None,
            "customer_id": c.get("customer_id"),
            "account_id": 1,
            **{k: c.get(k) for k in ("notes", "created_at", "updated_at")},
            "vendor_id": None,
            "properties": c.get("properties") or {},
            "opt_out": bool(c.get("opt_out")),
            "extension": c.get("extension"),
            "title": c.get("title"),
        }

    def list(self, q: Query, getlist: GetList) -> list[dict[str, Any]]:
        """Optionally for one customer."""
        return [self.out(c) for c in self.of_customer(self.store.all(self.name), q)]

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """One message at a time, the record echoed; an unknown customer is a 404."""
        data["customer_id"] = as_int(data.get("customer_id"))
        data.setdefault("properties", {})
        record = {**self.out(data), "processed_phone": None, "processed_mobile": None}
        if data["customer_id"] is None:
            raise Invalid("Customer can't be blank", record=record)
        email = data.get("email")
        if email not in (None, "") and not is_email(email):
            raise Invalid("Email is not an email", record=record)
        if not self.store.get("customers", data["customer_id"]):
            raise Missing()

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST: `enable_portal_user: true` also makes the contact a portal user."""
        with self.store.tx():
            record = self.upsert(None, body)
            self._portal(record, body)
        return record

    def update(self, obj_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """PUT: `enable_portal_user: true` makes a portal user; false leaves any alone."""
        with self.store.tx():
            record = self.upsert(obj_id, body)
            self._portal(record, body)
        return record

    def _portal(self, record: dict[str, Any], body: dict[str, Any]) -> None:
        if as_bool(body.get("enable_portal_user", False)):
            try:
                self.account["portal_users"].for_contact(record)
            except Invalid as exc:
                raise Invalid(exc.messages, record=self.out(record)) from exc
