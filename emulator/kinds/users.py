"""Users (technicians): seeded, read-only through the API."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Kind

SEED_USERS: tuple[dict[str, Any], ...] = (
    {"id": 1001, "email": "alex@cybersuite.tech", "full_name": "Alex Morgan", "group": "Admins"},
    {"id": 1002, "email": "sam@cybersuite.tech", "full_name": "Sam Lee", "group": "Technicians"},
    {"id": 1003, "email": "noc@cybersuite.tech", "full_name": "NOC Desk", "group": "Technicians"},
)


class Users(Kind):
    """`/users` (`[[id, full_name], ...]`, see emulator.shapes) and `/users/{id}`."""

    name = "users"
    singular = "user"
    id_base = 1001
    operations = ("list", "read")

    def seed(self, created: str) -> None:
        """The account's three users."""
        for user in SEED_USERS:
            self.store.insert(
                self.name,
                {
                    **user,
                    "created_at": created,
                    "updated_at": created,
                    "admin": user["group"] == "Admins",
                    "color": "1e3e96",
                },
            )

    def out(self, u: dict[str, Any]) -> dict[str, Any]:
        """A user as embedded in tickets and answered by GET /users/{id}."""
        keys = ("id", "email", "full_name", "created_at", "updated_at", "group")
        return {
            **{k: u.get(k) for k in keys},
            "admin": bool(u.get("admin")),
            "color": u.get("color"),
        }

    def me(self, user_id: int, can_write: bool) -> dict[str, Any]:
        """GET /me for the token's user; the limited token's user lacks write permission."""
        user = self.get(user_id)
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
                **{k: dict(rights) for k in ("asset", "customer", "ticket", "invoice", "payment")},
                "worksheet": {"add": can_write, "manage": can_write, "delete": can_write},
                "script": {"execute": can_write},
            },
        }
