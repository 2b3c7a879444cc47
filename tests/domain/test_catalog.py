"""The tier catalog: what each tier promises, and the due-date arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from resources import catalog
from resources.catalog import SlaTerms


def test_tiers_rise_in_order() -> None:
    assert catalog.TIERS == ("Standard", "Defense", "Sentinel")
    assert [catalog.tier_rank(t) for t in catalog.TIERS] == [0, 1, 2]
    assert [catalog.tier(t).rank for t in catalog.TIERS] == [0, 1, 2]


def test_unknown_tier_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="Standard, Defense, Sentinel"):
        catalog.tier("Gold")


FULL_PLAN = ["monthly-report", "qbr", "tabletop-exercise", "compliance-posture", "annual-renewal"]
# Each tier's deliverable keys, in order (test_domain may check plan_customer against these).
DELIVERABLE_KEYS_PER_TIER = {
    "Standard": ["monthly-report", "annual-renewal"],
    "Defense": FULL_PLAN,
    "Sentinel": FULL_PLAN,
}


@pytest.mark.parametrize(("tier", "keys"), list(DELIVERABLE_KEYS_PER_TIER.items()))
def test_deliverables_per_tier(tier: str, keys: list[str]) -> None:
    assert [d.key for d in catalog.deliverables_for(tier)] == keys
    assert catalog.tier(tier).deliverables == catalog.deliverables_for(tier)


@pytest.mark.parametrize(
    ("key", "title", "frequency", "lead_days", "min_tier"),
    [
        ("monthly-report", "Monthly Report", "monthly", 5, "Standard"),
        ("qbr", "QBR", "quarterly", 14, "Defense"),
        ("tabletop-exercise", "Tabletop Exercise", "yearly", 30, "Defense"),
        ("compliance-posture", "Compliance Posture / Mapping", "quarterly", 10, "Defense"),
        ("annual-renewal", "Annual Renewal + Delta", "yearly", 60, "Standard"),
    ],
)
def test_deliverable_terms(
    key: str, title: str, frequency: str, lead_days: int, min_tier: str
) -> None:
    (item,) = [d for d in catalog.DELIVERABLES if d.key == key]
    assert (item.title, item.frequency, item.lead_days, item.min_tier) == (
        title,
        frequency,
        lead_days,
        min_tier,
    )
    assert item.problem_type == catalog.DELIVERABLE_PROBLEM_TYPE


@pytest.mark.parametrize(
    ("tier", "text"),
    [
        (
            "Standard",
            "Acknowledgement within 24 hours; resolution within 48 hours (basic) / "
            "72 hours (complex)",
        ),
        (
            "Defense",
            "1-hour customer notification; acknowledgement within 24 hours; resolution "
            "within 48 hours (basic) / 72 hours (complex)",
        ),
        (
            "Sentinel",
            "1-hour customer notification; acknowledgement within 24 hours; resolution "
            "within 48 hours (basic) / 72 hours (complex)",
        ),
    ],
)
def test_sla_text_per_tier(tier: str, text: str) -> None:
    assert catalog.tier(tier).sla.text() == text


BASE = SlaTerms(1, 24, 48, 72)


@pytest.mark.parametrize(
    ("candidate", "worse"),
    [
        (SlaTerms(1, 24, 48, 72), []),
        (SlaTerms(1, 4, 24, 48), []),
        (SlaTerms(None, 24, 48, 72), ["notification_hours"]),
        (SlaTerms(2, 24, 48, 72), ["notification_hours"]),
        (SlaTerms(1, 25, 48, 72), ["acknowledgement_hours"]),
        (SlaTerms(1, 24, 49, 96), ["resolution_basic_hours", "resolution_complex_hours"]),
    ],
)
def test_weakens(candidate: SlaTerms, worse: list[str]) -> None:
    assert catalog.weakens(candidate, BASE) == worse


def test_no_notification_baseline_is_never_weakened_by_notification() -> None:
    standard = catalog.tier("Standard").sla
    assert catalog.weakens(SlaTerms(None, 24, 48, 72), standard) == []
    assert catalog.weakens(SlaTerms(5, 24, 48, 72), standard) == []


def test_sla_terms_round_trip_and_strictness() -> None:
    assert SlaTerms.from_dict(BASE.as_dict()) == BASE
    assert BASE.merged({"acknowledgement_hours": 4}) == SlaTerms(1, 4, 48, 72)
    with pytest.raises(ValueError, match="unknown"):
        SlaTerms.from_dict({**BASE.as_dict(), "ack": 1})
    with pytest.raises(ValueError, match="missing"):
        SlaTerms.from_dict({"notification_hours": 1})


@pytest.mark.parametrize(
    ("go_live", "frequency", "count", "expected"),
    [
        ("2027-01-31", "monthly", 3, ["2027-02-28", "2027-03-31", "2027-04-30"]),
        ("2028-01-31", "monthly", 2, ["2028-02-29", "2028-03-31"]),
        ("2026-12-01", "monthly", 2, ["2027-01-01", "2027-02-01"]),
        ("2026-12-31", "monthly", 3, ["2027-01-31", "2027-02-28", "2027-03-31"]),
        ("2026-11-30", "quarterly", 3, ["2027-02-28", "2027-05-30", "2027-08-30"]),
        ("2027-11-30", "quarterly", 1, ["2028-02-29"]),
        ("2026-12-01", "quarterly", 2, ["2027-03-01", "2027-06-01"]),
        ("2024-02-29", "yearly", 4, ["2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]),
        ("2026-12-01", "yearly", 1, ["2027-12-01"]),
    ],
)
def test_due_dates_anchor_on_go_live(
    go_live: str, frequency: str, count: int, expected: list[str]
) -> None:
    got = catalog.due_dates(date.fromisoformat(go_live), frequency, count)
    assert [d.isoformat() for d in got] == expected
    assert catalog.first_due(date.fromisoformat(go_live), frequency) == got[0]


def test_unknown_frequency_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="monthly, quarterly, yearly"):
        catalog.due_dates(date(2027, 1, 1), "weekly", 1)


def test_custom_fields_in_contract_order() -> None:
    assert [(f.name, f.field_type, f.secret) for f in catalog.CUSTOM_FIELDS] == [
        ("CS Client ID", "text", False),
        ("MSP Plan Tier", "dropdown", False),
        ("SLA", "text", False),
        ("Platform", "dropdown", False),
        ("Primary Domain", "text", False),
        ("Main POC", "text", False),
        ("HubSpot Deal ID", "text", False),
        ("Go-live Date", "date", False),
        ("HUNT_A-KEY", "text", True),
        ("HUNT_O-KEY", "text", True),
    ]
    answers = {f.name: f.answers for f in catalog.CUSTOM_FIELDS if f.answers}
    assert answers == {"MSP Plan Tier": catalog.TIERS, "Platform": catalog.PLATFORMS}


def test_rule_positions_put_addresses_first() -> None:
    assert (
        catalog.RULE_POSITION_ADDRESS
        < catalog.RULE_POSITION_DOMAIN_SUBJECT
        < catalog.RULE_POSITION_DOMAIN
    )


# Free mail the catalog's first 20 did not list (issue 14 item 11), from the package lists,
# and throwaway mail (disposable-email-domains). Also used by test_spec and test_bad_input.
FREE_MAIL_BEYOND_THE_TWENTY: tuple[str, ...] = (
    "hotmail.co.uk",
    "yahoo.co.uk",
    "outlook.fr",
    "gmx.de",
    "web.de",
    "qq.com",
    "163.com",
    "pm.me",
    "yandex.ru",
    "mail.ru",
    "comcast.net",
    "mailinator.com",
)

# --- one home for each rule -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("CS-0042", True),
        ("CS-9999", True),
        ("CS-42", False),
        ("cs-0042", False),
        ("CS-00420", False),
        (" CS-0042", False),
        ("CS-0042\n", False),  # `$` would take it
        ("CS-\uff10\uff1042", False),  # full-width digits: `\d` would take them
        ("CS-\u0660\u0660\u0664\u0662", False),  # Arabic-Indic digits
        ("CS-\u0966\u0966\u096a\u0968", False),  # Devanagari digits
        (42, False),
        (None, False),
    ],
)
def test_client_id_is_ascii_and_whole(text: object, ok: bool) -> None:
    assert catalog.is_client_id(text) is ok


def test_client_id_pattern_is_anchored_ascii() -> None:
    assert catalog.CLIENT_ID_PATTERN == r"\ACS-[0-9]{4}\Z"


@pytest.mark.parametrize(
    "domain",
    [
        # ours
        "gmail.com",
        "outlook.com",
        "privaterelay.appleid.com",
        "tutanota.com",
        *FREE_MAIL_BEYOND_THE_TWENTY,
        # a subdomain of one, and other spellings
        "uk.gmail.com",
        "GMail.COM",
        "gmail.com.",
    ],
)
def test_free_mail(domain: str) -> None:
    assert catalog.is_free_mail(domain)


@pytest.mark.parametrize(
    "domain", ["smithlaw.com", "acmedental.com", "cybersuite.tech", "gmail.co", "co.uk", "com"]
)
def test_not_free_mail(domain: str) -> None:
    assert not catalog.is_free_mail(domain)


def test_our_free_mail_list_is_lower_case_ascii() -> None:
    assert all(d == d.lower() and d.isascii() for d in catalog.FREE_MAIL_DOMAINS)
    assert all(catalog.is_free_mail(d) for d in catalog.FREE_MAIL_DOMAINS)


def test_modes_and_edr_fields() -> None:
    assert catalog.ADMIN_MODES == ("api", "runbook")
    assert catalog.DEFAULT_ADMIN_MODE in catalog.ADMIN_MODES
    assert catalog.DELIVERABLES_MODES == ("scheduler", "syncro")
    assert catalog.DEFAULT_DELIVERABLES_MODE == "scheduler"
    assert catalog.EDR_KEY_FIELDS == ("HUNT_A-KEY", "HUNT_O-KEY")
    secret = tuple(f.name for f in catalog.CUSTOM_FIELDS if f.secret)
    assert secret == catalog.EDR_KEY_FIELDS


@pytest.mark.parametrize(
    "client_id", ["CS-\uff10\uff1042", "CS-\u0660\u0660\u0664\u0662", "CS-0042\n", "CS-42"]
)
def test_set_edr_keys_asks_the_catalog(client_id: str) -> None:
    """The script refuses what is_client_id refuses, before it starts Pulumi."""
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "set-edr-keys"
    done = subprocess.run(
        [str(script), client_id, "a-key", "o-key", "nostack"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "is not of the form CS-####" in done.stderr
    assert "Fix: " in done.stderr
    assert "a-key" not in done.stderr + done.stdout
