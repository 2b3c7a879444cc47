"""Ticket preferences (UI only: Admin > Tickets - Preferences): a singleton."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.kinds.base import Invalid

if TYPE_CHECKING:
    from emulator.store import Store

SEED_PREFERENCES = {"create_tickets_from_leads": True, "enable_recurring_tickets": False}


class Preferences:
    """Two switches kept in the store's key/value table."""

    name = "ticket_preferences"
    surface = "ui"

    def __init__(self, store: Store) -> None:
        self.store = store

    def seed(self) -> None:
        """Syncro's defaults for a new account (as the seeds describe it)."""
        self.store.set_meta(self.name, dict(SEED_PREFERENCES))

    def get(self) -> dict[str, Any]:
        """The current switches."""
        return dict(self.store.meta(self.name, SEED_PREFERENCES))

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Given switches replace; anything else is refused."""
        prefs = self.get()
        for key, value in body.items():
            if key not in SEED_PREFERENCES:
                raise Invalid(f"Unknown preference: {key}")
            if not isinstance(value, bool):
                raise Invalid(f"{key} must be true or false")
            prefs[key] = value
        self.store.set_meta(self.name, prefs)
        return prefs
