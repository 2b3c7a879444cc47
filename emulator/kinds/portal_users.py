"""Portal users: a customer's login to Syncro's customer portal."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import GetList, Invalid, Kind, Query, as_int, is_email


class PortalUsers(Kind):
    """`/portal_users` (required permission: Global Admin)."""

    name = "portal_users"
    singular = "portal_user"
    id_base = 82001
    operations = ("list", "create", "update", "delete")
    writable = {
        "customer_id": None,
        "contact_id": None,
        "email": None,
        "password": None,
        "password_confirmation": None,
        "portal_group_id": None,
    }
    timestamps = True
    admin_only = True

    def out(self, p: dict[str, Any]) -> dict[str, Any]:
        """The spec's fields (never the password)."""
        return {
            "id": p.get("id"),
            "email": p.get("email"),
            "account_id": 1,
            "customer_id": p.get("customer_id"),
            "contact_id": p.get("contact_id"),
            "created_at": p.get("created_at"),
            "updated_at": p.get("updated_at"),
            "portal_group_id": p.get("portal_group_id"),
        }

    def list(self, q: Query, getlist: GetList) -> list[dict[str, Any]]:
        """Optionally by customer and by email (exact, case-insensitive)."""
        items = self.of_customer(self.store.all(self.name), q)
        if q.get("email"):
            email = str(q["email"]).strip().lower()
            items = [p for p in items if (p.get("email") or "").lower() == email]
        return [self.out(p) for p in items]

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Email valid and unique; the password confirmed; references exist."""
        for key in ("customer_id", "contact_id", "portal_group_id"):
            data[key] = as_int(data.get(key))
        errors = []
        email = data.get("email")
        if email in (None, ""):
            errors.append("Email can't be blank")
        elif not is_email(email):
            errors.append("Email is not an email")
        else:
            data["email"] = email.strip().lower()
            own_id = current["id"] if current else None
            if any(
                p["email"] == data["email"] and p["id"] != own_id for p in self.store.all(self.name)
            ):
                errors.append("Email has already been taken")
        if data.get("password") != data.get("password_confirmation"):
            errors.append("Password confirmation doesn't match Password")
        if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
            errors.append("Customer must exist")
        if data["contact_id"] and not self.store.get("contacts", data["contact_id"]):
            errors.append("Contact must exist")
        if errors:
            raise Invalid(errors)
        # Kept only as "set": the emulator never stores a portal password.
        data["password"] = data["password_confirmation"] = None

    def for_contact(self, contact: dict[str, Any]) -> dict[str, Any]:
        """The portal user `enable_portal_user: true` makes for a contact (reused if one
        with that email exists)."""
        email = (contact.get("email") or "").lower()
        for existing in self.store.all(self.name):
            if existing.get("contact_id") == contact["id"] or (
                email and existing.get("email") == email
            ):
                return existing
        return self.upsert(
            None,
            {"customer_id": contact["customer_id"], "contact_id": contact["id"], "email": email},
        )
