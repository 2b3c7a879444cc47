"""Support mailboxes (UI only: Admin > Emails - Mailbox Settings)."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind, is_email

AUTO_CREATE = ("never", "always", "only_existing")
SEED_MAILBOX = {
    "id": 201,
    "address": "help@cybersuite.tech",
    "active": True,
    "auto_create": "always",
}


class Mailboxes(Kind):
    """A unique valid address and a known auto-create mode."""

    name = "mailboxes"
    singular = "mailbox"
    surface = "ui"
    id_base = 201
    writable = {"address": None, "active": True, "auto_create": "never"}

    def seed(self) -> None:
        """The account's one mailbox."""
        self.store.insert(self.name, dict(SEED_MAILBOX))
        self.store.set_meta(f"seq:{self.name}", SEED_MAILBOX["id"])

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Address, switch and mode."""
        address = data.get("address")
        if not is_email(address):
            raise Invalid("Address is not an email")
        data["address"] = address.strip().lower()
        if not isinstance(data["active"], bool):
            raise Invalid("active must be true or false")
        if data["auto_create"] not in AUTO_CREATE:
            raise Invalid(f"auto_create must be one of {', '.join(AUTO_CREATE)}")
        own_id = current["id"] if current else None
        if any(
            m["address"] == data["address"] and m["id"] != own_id for m in self.store.all(self.name)
        ):
            raise Invalid("Address has already been taken")
