"""Dates and timestamps in the emulated account's time zone.

Syncro answers timestamps in the account's time zone; the emulator's account sits in
America/Los_Angeles and uses a fixed -08:00 offset (no DST) so answers are reproducible.
The *date* part comes from the emulated clock so that tickets opened by the recurring
job carry the day they were opened on, not the wall-clock day of the test run.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone

ACCOUNT_TZ = timezone(timedelta(hours=-8))
OFFSET = "-08:00"


def real_today() -> date:
    """Today in the account's zone: the default emulated date."""
    return datetime.now(ACCOUNT_TZ).date()


def stamp(day: date) -> str:
    """A Syncro-style timestamp: the emulated day with the current wall-clock time."""
    now = datetime.now(UTC).astimezone(ACCOUNT_TZ)
    return f"{day.isoformat()}T{now.strftime('%H:%M:%S')}.{now.microsecond // 1000:03d}{OFFSET}"


def day_stamp(day: date) -> str:
    """Midnight of a day, as Syncro renders a date-only field such as `due_date`."""
    return f"{day.isoformat()}T00:00:00.000{OFFSET}"


def add_months(anchor: date, months: int) -> date:
    """`anchor` plus whole months, the day clamped to the target month's last day."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def parse_day(value: object) -> date | None:
    """A `YYYY-MM-DD` (or a timestamp starting with one), else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
