"""The emulated Syncro account: its object kinds, seed and clock, independent of HTTP.

Each kind lives in `emulator/kinds/<kind>.py`; this class owns the store, the seed, the
emulated date and the daily job, and hands out the kinds by name (`account["tickets"]`)
so the HTTP layer, the inbound-mail pipeline and the recurring job run the same code.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from emulator.clock import real_today, stamp
from emulator.kinds import KINDS
from emulator.kinds.base import Kind
from emulator.kinds.preferences import Preferences
from emulator.kinds.settings import PROBLEM_TYPES
from emulator.store import Store

NOT_AUTHORIZED = "Not authorized. Please ask account admin to update your group permissions."


class Syncro:
    """The emulated Syncro account."""

    problem_types = PROBLEM_TYPES

    def __init__(self, store: Store, today: date | None = None) -> None:
        self.store = store
        self.configured_today = today
        self.kinds: dict[str, Kind] = {cls.name: cls(self) for cls in KINDS}
        self.preferences = Preferences(store)
        if store.meta("seeded") is None:
            self.seed()
        elif today is not None:
            store.set_meta("today", today.isoformat())

    def __getitem__(self, name: str) -> Any:
        """A kind by its plural name (`account["customers"]`)."""
        return self.kinds[name]

    # -- seed / clock ---------------------------------------------------------------

    def seed(self) -> None:
        """The account as it exists on first start (and after a reset)."""
        with self.store.tx():
            start = self.configured_today or real_today()
            self.store.set_meta("today", start.isoformat())
            self.store.set_meta("last_run", start.isoformat())
            self["users"].seed(stamp(start))
            self["mailboxes"].seed()
            self.preferences.seed()
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

    def advance_clock(self, target: date) -> list[dict[str, Any]]:
        """Set the emulated date, running the daily job once for each day that passes."""
        created: list[dict[str, Any]] = []
        with self.store.tx():
            current = self.today
            days = [current + timedelta(days=n) for n in range(1, (target - current).days + 1)]
            for day in days or [target]:
                self.store.set_meta("today", day.isoformat())
                created.extend(self["recurring_tickets"].run_day(day))
            self.store.set_meta("today", target.isoformat())
        return created
