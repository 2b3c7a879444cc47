"""The MSP's service catalog: tiers, SLAs, deliverables and custom fields.

Every other layer (the customer-file model, the planner, the runbook, the policy
pack, the tests) reads these constants instead of restating them, so a change to
what a tier promises is made here once. Plain frozen dataclasses and no I/O keep
the module importable from the policy pack, which runs without the program's
dependencies.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

TIERS: tuple[str, ...] = ("Standard", "Defense", "Sentinel")
PLATFORMS: tuple[str, ...] = ("M365", "Google Workspace")
CLIENT_ID_PATTERN = r"^CS-\d{4}$"
# How resources reach the UI-only objects: "api" writes them, "runbook" records them.
ADMIN_MODES: tuple[str, ...] = ("api", "runbook")


def is_client_id(text: object) -> bool:
    """ASCII digits only (re.ASCII) and the whole text (no trailing newline)."""
    return isinstance(text, str) and re.fullmatch(CLIENT_ID_PATTERN, text, re.ASCII) is not None


# The acknowledgement promise of the cheapest tier: the advisory policy flags any
# customer whose effective SLA acknowledges more slowly than this.
STANDARD_ACK_HOURS = 24

# Consumer mailbox providers. A rule on one of these domains would route a
# stranger's mail to the customer (Syncro refuses them too), so a customer file may
# never list one.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
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


def is_free_mail(domain: str) -> bool:
    """Whether a rule on `domain` would route strangers' mail (case-insensitive)."""
    return domain.strip().lower().rstrip(".") in FREE_MAIL_DOMAINS


# Syncro evaluates email rules top-down by (position, id), first match wins. Exact
# addresses go first and bare domains last so a specific rule is never shadowed by
# a broad one; fixed bands mean adding a customer never renumbers anybody else.
RULE_POSITION_ADDRESS = 10
RULE_POSITION_DOMAIN_SUBJECT = 20
RULE_POSITION_DOMAIN = 30

FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "yearly")
MONTHS_PER: dict[str, int] = {"monthly": 1, "quarterly": 3, "yearly": 12}

# One problem type for every deliverable: it must exist in Syncro's ticket settings,
# and a single value is one thing to create rather than five.
DELIVERABLE_PROBLEM_TYPE = "Deliverable"


def _hours(n: int) -> str:
    return f"{n} hour" if n == 1 else f"{n} hours"


@dataclass(frozen=True)
class SlaTerms:
    """What a customer is promised, in hours; `None` notification means no such promise."""

    notification_hours: int | None
    acknowledgement_hours: int
    resolution_basic_hours: int
    resolution_complex_hours: int

    def text(self) -> str:
        """The wording stored in the customer's SLA field, where technicians read it."""
        parts = []
        if self.notification_hours is not None:
            parts.append(f"{self.notification_hours}-hour customer notification")
        parts.append(f"acknowledgement within {_hours(self.acknowledgement_hours)}")
        parts.append(
            f"resolution within {_hours(self.resolution_basic_hours)} (basic) / "
            f"{_hours(self.resolution_complex_hours)} (complex)"
        )
        sentence = "; ".join(parts)
        return sentence[0].upper() + sentence[1:]

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaTerms:
        """Strict on purpose: a misspelt term in state or config must not pass silently."""
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        missing = [n for n in names if n not in data]
        if unknown or missing:
            raise ValueError(
                f"SLA terms need exactly {', '.join(names)}; "
                f"unknown: {unknown or 'none'}, missing: {missing or 'none'}"
            )
        return cls(**{n: data[n] for n in names})

    def merged(self, overrides: Mapping[str, Any]) -> SlaTerms:
        """A customer override names only the terms it changes; the rest stay the tier's."""
        return SlaTerms.from_dict({**self.as_dict(), **overrides})


SLA_TERM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SlaTerms))


def weakens(candidate: SlaTerms, baseline: SlaTerms) -> list[str]:
    """Name each term (field name) where `candidate` promises less than `baseline`."""
    worse: list[str] = []
    for name in SLA_TERM_NAMES:
        got, base = getattr(candidate, name), getattr(baseline, name)
        if base is None:
            continue
        if got is None or got > base:
            worse.append(name)
    return worse


@dataclass(frozen=True)
class Deliverable:
    """A recurring piece of work a tier owes; it becomes a recurring ticket per customer."""

    key: str
    title: str
    frequency: str
    lead_days: int
    min_tier: str
    problem_type: str = DELIVERABLE_PROBLEM_TYPE


DELIVERABLES: tuple[Deliverable, ...] = (
    Deliverable("monthly-report", "Monthly Report", "monthly", 5, "Standard"),
    Deliverable("qbr", "QBR", "quarterly", 14, "Defense"),
    Deliverable("tabletop-exercise", "Tabletop Exercise", "yearly", 30, "Defense"),
    Deliverable("compliance-posture", "Compliance Posture / Mapping", "quarterly", 10, "Defense"),
    Deliverable("annual-renewal", "Annual Renewal + Delta", "yearly", 60, "Standard"),
)

_STANDARD_SLA = SlaTerms(
    notification_hours=None,
    acknowledgement_hours=STANDARD_ACK_HOURS,
    resolution_basic_hours=48,
    resolution_complex_hours=72,
)
_NOTIFYING_SLA = SlaTerms(
    notification_hours=1,
    acknowledgement_hours=24,
    resolution_basic_hours=48,
    resolution_complex_hours=72,
)
_SLA_BY_TIER: dict[str, SlaTerms] = {
    "Standard": _STANDARD_SLA,
    "Defense": _NOTIFYING_SLA,
    "Sentinel": _NOTIFYING_SLA,
}


def tier_rank(name: str) -> int:
    """0 for the cheapest tier; comparing ranks is how "X and above" is decided."""
    try:
        return TIERS.index(name)
    except ValueError:
        raise ValueError(f"unknown tier {name!r}; valid tiers: {', '.join(TIERS)}") from None


def deliverables_for(tier_name: str) -> tuple[Deliverable, ...]:
    rank = tier_rank(tier_name)
    return tuple(d for d in DELIVERABLES if tier_rank(d.min_tier) <= rank)


@dataclass(frozen=True)
class Tier:
    name: str
    rank: int
    sla: SlaTerms
    deliverables: tuple[Deliverable, ...]


def tier(name: str) -> Tier:
    """Raises ValueError, not KeyError, so the message lists the valid tiers."""
    return Tier(
        name=name,
        rank=tier_rank(name),
        sla=_SLA_BY_TIER[name],
        deliverables=deliverables_for(name),
    )


def add_months(d: date, n: int) -> date:
    """Same day `n` months on, clamped to the month's last day (Jan 31 + 1 -> Feb 28/29)."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def due_dates(go_live: date, frequency: str, count: int) -> list[date]:
    """Occurrences 1..count, each computed from go-live rather than from the previous
    one, so a clamp in February does not drag every later due date to the 28th."""
    if frequency not in MONTHS_PER:
        raise ValueError(
            f"unknown frequency {frequency!r}; valid frequencies: {', '.join(FREQUENCIES)}"
        )
    step = MONTHS_PER[frequency]
    return [add_months(go_live, k * step) for k in range(1, count + 1)]


def first_due(go_live: date, frequency: str) -> date:
    return due_dates(go_live, frequency, 1)[0]


@dataclass(frozen=True)
class CustomField:
    """A customer custom field definition as Syncro's UI asks for it."""

    name: str
    field_type: str
    answers: tuple[str, ...] = ()
    secret: bool = False


FIELD_CLIENT_ID = "CS Client ID"
FIELD_TIER = "MSP Plan Tier"
FIELD_SLA = "SLA"
FIELD_PLATFORM = "Platform"
FIELD_PRIMARY_DOMAIN = "Primary Domain"
FIELD_MAIN_POC = "Main POC"
FIELD_HUBSPOT_DEAL_ID = "HubSpot Deal ID"
FIELD_GO_LIVE = "Go-live Date"
FIELD_EDR_ACCOUNT_KEY = "HUNT_A-KEY"
FIELD_EDR_ORG_KEY = "HUNT_O-KEY"

CUSTOM_FIELDS: tuple[CustomField, ...] = (
    CustomField(FIELD_CLIENT_ID, "text"),
    CustomField(FIELD_TIER, "dropdown", TIERS),
    CustomField(FIELD_SLA, "text"),
    CustomField(FIELD_PLATFORM, "dropdown", PLATFORMS),
    CustomField(FIELD_PRIMARY_DOMAIN, "text"),
    CustomField(FIELD_MAIN_POC, "text"),
    CustomField(FIELD_HUBSPOT_DEAL_ID, "text"),
    CustomField(FIELD_GO_LIVE, "date"),
    CustomField(FIELD_EDR_ACCOUNT_KEY, "text", secret=True),
    CustomField(FIELD_EDR_ORG_KEY, "text", secret=True),
)
