"""Specs -> plans: the fields, rules and deliverables each tier's customer gets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from resources import catalog
from resources.domain import (
    EmailRulePlan,
    ordered_rules,
    plan_all,
    plan_customer,
    plan_platform,
    shadowed_rules,
)
from resources.spec import CustomerSpec

NOTIFY_SLA = (
    "1-hour customer notification; acknowledgement within 24 hours; resolution within "
    "48 hours (basic) / 72 hours (complex)"
)
STANDARD_SLA = (
    "Acknowledgement within 24 hours; resolution within 48 hours (basic) / 72 hours (complex)"
)


def spec(**overrides: Any) -> CustomerSpec:
    data: dict[str, Any] = {
        "name": "Smith Law LLP",
        "client_id": "CS-0042",
        "tier": "Defense",
        "platform": "M365",
        "domains": ["smithlaw.com", "smithlaw.legal"],
        "main_poc": {"name": "Jane Smith", "email": "jane@smithlaw.com"},
        "hubspot_deal_id": "18234567",
        "go_live": "2026-12-01",
        "account_manager": "alex@cybersuite.tech",
    }
    data.update(overrides)
    return CustomerSpec.model_validate(data)


@pytest.mark.parametrize(
    ("tier", "sla_text"),
    [("Standard", STANDARD_SLA), ("Defense", NOTIFY_SLA), ("Sentinel", NOTIFY_SLA)],
)
def test_organization_fields_exact_per_tier(tier: str, sla_text: str) -> None:
    org = plan_customer(spec(tier=tier)).organization
    assert org.fields == {
        "CS Client ID": "CS-0042",
        "MSP Plan Tier": tier,
        "SLA": sla_text,
        "Platform": "M365",
        "Primary Domain": "smithlaw.com",
        "Main POC": "Jane Smith <jane@smithlaw.com>",
        "HubSpot Deal ID": "18234567",
        "Go-live Date": "2026-12-01",
    }
    assert list(org.fields) == [f.name for f in catalog.CUSTOM_FIELDS if not f.secret]
    assert org.sla_terms == catalog.tier(tier).sla.as_dict()


def test_organization_identity_and_no_secrets() -> None:
    org = plan_customer(spec(notes="Call first", adopt=True)).organization
    assert (org.client_id, org.business_name, org.email, org.contact_name) == (
        "CS-0042",
        "Smith Law LLP",
        "jane@smithlaw.com",
        "Jane Smith",
    )
    assert org.domains == ("smithlaw.com", "smithlaw.legal")
    assert (org.notes, org.adopt, org.tier) == ("Call first", True, "Defense")
    assert not {catalog.FIELD_EDR_ACCOUNT_KEY, catalog.FIELD_EDR_ORG_KEY} & set(org.fields)
    assert plan_customer(spec()).organization.notes == ""


def test_sla_override_reaches_the_field_and_the_terms() -> None:
    org = plan_customer(spec(sla={"acknowledgement_hours": 4})).organization
    assert "acknowledgement within 4 hours" in org.fields["SLA"]
    assert org.sla_terms["acknowledgement_hours"] == 4
    assert org.sla_terms["notification_hours"] == 1


@pytest.mark.parametrize(
    ("tier", "keys"),
    [
        ("Standard", ["monthly-report", "annual-renewal"]),
        (
            "Defense",
            ["monthly-report", "qbr", "tabletop-exercise", "compliance-posture", "annual-renewal"],
        ),
        (
            "Sentinel",
            ["monthly-report", "qbr", "tabletop-exercise", "compliance-posture", "annual-renewal"],
        ),
    ],
)
def test_deliverable_keys_exact_per_tier(tier: str, keys: list[str]) -> None:
    assert [d.key for d in plan_customer(spec(tier=tier)).deliverables] == keys


@pytest.mark.parametrize(
    ("go_live", "expected"),
    [
        (
            "2026-12-01",
            {
                "monthly-report": "2027-01-01",
                "qbr": "2027-03-01",
                "tabletop-exercise": "2027-12-01",
                "compliance-posture": "2027-03-01",
                "annual-renewal": "2027-12-01",
            },
        ),
        (
            "2027-01-31",
            {
                "monthly-report": "2027-02-28",
                "qbr": "2027-04-30",
                "tabletop-exercise": "2028-01-31",
                "compliance-posture": "2027-04-30",
                "annual-renewal": "2028-01-31",
            },
        ),
        (
            "2028-01-31",
            {
                "monthly-report": "2028-02-29",
                "qbr": "2028-04-30",
                "tabletop-exercise": "2029-01-31",
                "compliance-posture": "2028-04-30",
                "annual-renewal": "2029-01-31",
            },
        ),
    ],
)
def test_first_due_dates(go_live: str, expected: dict[str, str]) -> None:
    items = plan_customer(spec(go_live=go_live)).deliverables
    assert {d.key: d.first_due.isoformat() for d in items} == expected
    assert all(isinstance(d.first_due, date) for d in items)


def test_deliverable_contents() -> None:
    monthly = plan_customer(spec()).deliverables[0]
    assert monthly.subject == "[CS-0042] Monthly Report - Smith Law LLP"
    assert (monthly.client_id, monthly.title, monthly.problem_type) == (
        "CS-0042",
        "Monthly Report",
        "Deliverable",
    )
    assert (monthly.frequency, monthly.lead_days, monthly.assignee) == (
        "monthly",
        5,
        "alex@cybersuite.tech",
    )


def test_one_domain_rule_per_domain() -> None:
    rules = plan_customer(spec()).email_rules
    assert rules == (
        EmailRulePlan("CS-0042", "smithlaw.com", "@smithlaw.com", None, 30, True),
        EmailRulePlan("CS-0042", "smithlaw.legal", "@smithlaw.legal", None, 30, True),
    )


def two_customers() -> list[CustomerSpec]:
    return [
        spec(),
        spec(
            name="Acme Dental",
            client_id="CS-0007",
            tier="Standard",
            domains=["acmedental.com"],
            main_poc={"name": "Maria Lopez", "email": "maria@acmedental.com"},
        ),
    ]


def test_plan_all_sorted_by_client_id() -> None:
    assert [p.client_id for p in plan_all(two_customers())] == ["CS-0007", "CS-0042"]
    assert [p.client_id for p in plan_all(reversed(two_customers()))] == ["CS-0007", "CS-0042"]


def test_rule_evaluation_order() -> None:
    plans = plan_all(two_customers())
    address = EmailRulePlan("CS-0042", "smithlaw.com", "ceo@smithlaw.com", position=10)
    subject = EmailRulePlan(
        "CS-0099", "zeta.com", "@zeta.com", subject_filter="Invoice", position=20
    )
    ordered = ordered_rules([*plans, subject, address])
    assert [r.sender for r in ordered] == [
        "ceo@smithlaw.com",
        "@zeta.com",
        "@acmedental.com",
        "@smithlaw.com",
        "@smithlaw.legal",
    ]


def rule(
    sender: str, position: int = 30, subject: str | None = None, cid: str = "CS-0001"
) -> EmailRulePlan:
    return EmailRulePlan(cid, sender.rpartition("@")[2], sender, subject, position)


@pytest.mark.parametrize(
    ("rules", "pairs"),
    [
        # Exact address before its domain: both fire.
        ([rule("ceo@a.com", 10), rule("@a.com")], []),
        # Domain before an exact address: the address rule never fires.
        ([rule("@a.com", 10), rule("ceo@a.com", 30)], [("@a.com", "ceo@a.com")]),
        # The same domain claimed twice: the second never fires.
        ([rule("@a.com", cid="CS-0001"), rule("@a.com", cid="CS-0002")], [("@a.com", "@a.com")]),
        # Case does not matter.
        ([rule("@A.com", 10), rule("bob@a.COM")], [("@A.com", "bob@a.COM")]),
        # A domain does not cover its subdomain, nor another domain.
        ([rule("@a.com", 10), rule("@mail.a.com"), rule("@b.com")], []),
        # A subject-filtered rule before the bare domain: both fire.
        ([rule("@a.com", 20, "Invoice"), rule("@a.com")], []),
        # A bare domain before a subject-filtered rule for it: the filtered one never fires.
        ([rule("@a.com", 10), rule("@a.com", 20, "Invoice")], [("@a.com", "@a.com")]),
        # Filter "inv" matches everything "Invoice" matches.
        ([rule("@a.com", 10, "inv"), rule("@a.com", 20, "Invoice")], [("@a.com", "@a.com")]),
        ([rule("@a.com", 10, "Invoice"), rule("@a.com", 20, "Quote")], []),
    ],
)
def test_shadowed_rules(rules: list[EmailRulePlan], pairs: list[tuple[str, str]]) -> None:
    found = shadowed_rules(reversed(rules))  # any input order: evaluated in rule order
    assert [(a.sender, b.sender) for a, b in found] == pairs


def test_samples_have_no_shadowed_rules() -> None:
    assert shadowed_rules(ordered_rules(plan_all(two_customers()))) == []


def test_platform_plan() -> None:
    plan = plan_platform("help@cybersuite.tech", ("noc@cybersuite.tech", "amy@cybersuite.tech"))
    assert plan.mailbox_address == "help@cybersuite.tech"
    assert plan.mailbox_auto_create == "only_existing"
    assert plan.create_tickets_from_leads is True
    assert plan.enable_recurring_tickets is True
    assert plan.custom_fields == catalog.CUSTOM_FIELDS
    ack, alert = plan.automations
    assert ack.kind == "acknowledgement"
    assert ack.name == "Customer acknowledgement"
    assert "within 24 hours" in ack.body_template
    assert "48 hours (72 hours for complex issues)" in ack.body_template
    assert "{{ticket_number}}" in ack.subject_template
    assert "{{ticket_number}}" in ack.body_template
    assert "{{ticket_subject}}" in ack.body_template
    assert ack.notify == ()
    assert alert.kind == "staff_alert"
    assert alert.notify == ("noc@cybersuite.tech", "amy@cybersuite.tech")
    assert "{{ticket_number}}" in alert.subject_template
