"""Provider hooks called directly against a live emulator: the mapping, not the engine."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources import catalog
from resources.objects.email_rule import EmailRuleProvider
from resources.objects.organization import OrganizationExists, OrganizationProvider
from resources.providers.base import UNKNOWN
from tests.providers import conftest
from tests.providers.conftest import configure

TOKEN = "hooks-token-91c2"


@pytest.fixture
def emu(tmp_path: Path):
    with EmulatorServer(db_path=tmp_path / "s.db", token=TOKEN, rate_limit_per_minute=0) as server:
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            for field in catalog.CUSTOM_FIELDS + (catalog.CustomField("Billing Contact", "text"),):
                http.post(
                    f"{server.admin_url}/customer_fields",
                    json={"name": field.name, "field_type": field.field_type, "answers": []},
                ).raise_for_status()
        yield server


def configured(provider, emu):
    return configure(provider, emu)


def org_inputs(**overrides):
    props = {
        "client_id": "CS-0042",
        "business_name": "Smith Law LLP",
        "email": "jane@smithlaw.com",
        "contact_name": "Jane Smith",
        "tier": "Defense",
        "domains": ["smithlaw.com"],
        "fields": {"CS Client ID": "CS-0042", "MSP Plan Tier": "Defense", "SLA": "x"},
        "sla_terms": {},
        "edr_keys": {"HUNT_A-KEY": "a-secret", "HUNT_O-KEY": "o-secret"},
        "notes": "",
        "adopt": False,
        "portal_user": False,
    }
    props.update(overrides)
    return props


def rule_inputs(**overrides):
    return conftest.rule_inputs(**{"customer_id": 12, "admin_mode": "api", **overrides})


def requests(emu) -> list[dict]:
    return httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]


def test_create_read_diff_update_roundtrip(emu):
    provider = configured(OrganizationProvider(), emu)
    created = provider.create(org_inputs())
    assert created.outs["fields"]["MSP Plan Tier"] == "Defense"
    assert created.outs["edr_keys"] == {"HUNT_A-KEY": "a-secret", "HUNT_O-KEY": "o-secret"}
    assert created.outs["missing_fields"] == []
    assert not provider.diff(created.id, created.outs, org_inputs()).changes

    # Out of band: a managed field changes and an unmanaged one is added.
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        http.put(
            f"{emu.base_url}/customers/{created.id}",
            json={"properties": {"MSP Plan Tier": "Standard", "Billing Contact": "Ann"}},
        ).raise_for_status()
    provider.session.customers.forget()
    read = provider.read(created.id, created.outs)
    assert read.outs["fields"]["MSP Plan Tier"] == "Standard"
    diff = provider.diff(created.id, read.outs, org_inputs())
    assert diff.changes and not diff.replaces

    provider.update(created.id, read.outs, org_inputs())
    customer = provider.client.get_customer(int(created.id))
    assert customer.properties["MSP Plan Tier"] == "Defense"
    assert customer.properties["Billing Contact"] == "Ann", "unmanaged fields must survive"


def test_existing_organization_needs_adopt(emu):
    provider = configured(OrganizationProvider(), emu)
    provider.client.create_customer(
        {"business_name": "Smith Law LLP", "email": "jane@smithlaw.com"}
    )
    provider.session.customers.forget()
    with pytest.raises(OrganizationExists, match="adopt: true"):
        provider.create(org_inputs())
    adopted = provider.create(org_inputs(adopt=True))
    assert len(provider.client.list_customers()) == 1
    assert adopted.outs["fields"]["CS Client ID"] == "CS-0042"


def test_check_and_diff_make_no_api_call_and_accept_unknowns(emu):
    provider = configured(EmailRuleProvider(), emu)
    before = len(requests(emu))
    news = rule_inputs(customer_id=UNKNOWN)
    assert provider.check({}, news).failures == []
    assert provider.diff("7", {**news, "customer_id": 3}, news).changes
    assert len(requests(emu)) == before


def test_runbook_mode_writes_nothing(emu):
    provider = configured(EmailRuleProvider(), emu)
    before = len(requests(emu))
    created = provider.create(rule_inputs(admin_mode="runbook"))
    assert created.outs["status"] == "pending"
    assert created.id.startswith("runbook:")
    writes = [r for r in requests(emu)[before:] if r["method"] != "GET"]
    assert writes == []


def test_onboarding_a_new_customer_reads_only_what_it_needs(emu):
    """A customer created in this process has no rules or schedules to adopt, and the
    account manager is found without reading every user."""
    from resources.objects.recurring_ticket import RecurringTicketProvider

    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        http.put(
            f"{emu.admin_url}/ticket_preferences", json={"enable_recurring_tickets": True}
        ).raise_for_status()
    org = configured(OrganizationProvider(), emu)
    customer_id = float(org.create(org_inputs()).id)  # the engine hands numbers over as floats
    rule = configured(EmailRuleProvider(), emu)
    ticket = configured(RecurringTicketProvider(), emu)
    before = len(requests(emu))
    rule.create(rule_inputs(mailbox_id=None, customer_id=customer_id))
    for key, first_due in (("monthly-report", "2026-12-01"), ("annual-renewal", "2027-12-01")):
        ticket.create(
            {
                "client_id": "CS-0042",
                "deliverable": key,
                "subject": f"{key} - Smith Law LLP",
                "problem_type": "Deliverable",
                "frequency": "monthly",
                "first_due": first_due,
                "lead_days": 7,
                "assignee": "alex@cybersuite.tech",
                "customer_id": customer_id,
                "admin_mode": "api",
            }
        )
    made = [(r["method"], r["path"]) for r in requests(emu)[before:]]
    assert made.count(("POST", "/_admin/v1/email_rules")) == 1
    assert made.count(("POST", "/_admin/v1/recurring_tickets")) == 2
    assert ("GET", "/_admin/v1/email_rules") not in made, "nothing to adopt for a new customer"
    assert ("GET", "/_admin/v1/recurring_tickets") not in made
    user_reads = [path for method, path in made if path.startswith("/api/v1/users")]
    assert user_reads == ["/api/v1/users", "/api/v1/users/1001"], "alex is the first user"
