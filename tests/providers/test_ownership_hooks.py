"""Ownership at hook level (issue 14 items 2 and 6): a delete leaves what another resource
now has, and no write lands on a record that carries another customer's CS Client ID."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources.objects.email_rule import EmailRuleProvider
from resources.objects.organization import OrganizationProvider
from resources.providers.ownership import NotThisCustomer
from tests.providers.conftest import configure

TOKEN = "ownership-hooks-3e9a"


@pytest.fixture
def emu(tmp_path: Path):
    with EmulatorServer(db_path=tmp_path / "s.db", token=TOKEN, rate_limit_per_minute=0) as server:
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            http.post(
                f"{server.admin_url}/customer_fields",
                json={"name": "CS Client ID", "field_type": "text", "answers": []},
            ).raise_for_status()
        yield server


def org(client_id: str, email: str, **extra):
    return {
        "client_id": client_id,
        "business_name": f"Firm {client_id}",
        "email": email,
        "contact_name": "Jane Smith",
        "tier": "Standard",
        "domains": [email.split("@")[1]],
        "fields": {"CS Client ID": client_id},
        "sla_terms": {},
        "edr_keys": {},
        "notes": "",
        "adopt": False,
        "portal_user": False,
        **extra,
    }


def rule(client_id: str, customer_id: float, domain: str = "shared.example"):
    return {
        "client_id": client_id,
        "domain": domain,
        "sender": f"@{domain}",
        "subject_filter": None,
        "position": 30,
        "auto_create_contact": True,
        "mailbox": "help@cybersuite.tech",
        "mailbox_id": None,
        "customer_id": customer_id,
        "admin_mode": "api",
    }


def puts(emu) -> list[str]:
    log = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    return [r["path"] for r in log if r["method"] in ("PUT", "DELETE")]


def test_renamed_client_id_adopts_and_the_old_delete_leaves_the_record(emu) -> None:
    provider = configure(OrganizationProvider(), emu)
    old = provider.create(org("CS-0042", "jane@smith.example"))
    new = provider.create(org("CS-0043", "jane@smith.example", adopt=True))
    assert new.id == old.id
    provider.delete(old.id, old.outs)
    record = provider.client.get_customer(int(old.id))
    assert record.disabled is False
    assert record.properties["CS Client ID"] == "CS-0043"


def test_the_old_delete_leaves_the_record_in_a_later_run_too(emu) -> None:
    """No claim in this process: Syncro's CS Client ID alone says who has it."""
    provider = configure(OrganizationProvider(), emu)
    old = provider.create(org("CS-0042", "jane@smith.example"))
    provider.client.update_customer(
        int(old.id),
        {
            "business_name": "Firm",
            "email": "jane@smith.example",
            "properties": {"CS Client ID": "CS-0043"},
        },
    )
    provider.session.customers.forget()
    provider.delete(old.id, old.outs)
    assert provider.client.get_customer(int(old.id)).disabled is False


def existing(provider, client_id: str, email: str) -> float:
    """A customer from an earlier run (this process did not create it)."""
    made = provider.client.create_customer(
        {"business_name": client_id, "email": email, "properties": {"CS Client ID": client_id}}
    )
    return float(made.id)


def test_a_domain_moved_to_another_customer_keeps_its_rule(emu) -> None:
    rules = configure(EmailRuleProvider(), emu)
    smith = existing(rules, "CS-0042", "jane@smith.example")
    acme = existing(rules, "CS-0007", "ann@acme.example")
    old = rules.create(rule("CS-0042", smith))
    new = rules.create(rule("CS-0007", acme))  # adopts the same rule, points it at Acme
    assert new.id == old.id
    rules.delete(old.id, old.outs)
    kept = rules.client.admin_get("email_rules", int(old.id))
    assert kept.customer_id == int(acme)


def test_state_naming_another_customers_record_writes_nothing(emu) -> None:
    provider = configure(OrganizationProvider(), emu)
    acme_id = existing(provider, "CS-0007", "ann@acme.example")
    acme = provider.read(str(int(acme_id)), org("CS-0007", "ann@acme.example"))
    before = puts(emu)
    with pytest.raises(NotThisCustomer, match="CS-0007"):
        provider.update(acme.id, acme.outs, org("CS-0042", "jane@smith.example"))
    rules = configure(EmailRuleProvider(), emu)
    with pytest.raises(NotThisCustomer):
        rules.create(rule("CS-0042", float(acme.id)))
    assert puts(emu) == before


def test_an_archived_organization_coming_back_stops_with_the_re_enable_step(emu) -> None:
    """Issue 12 item 4: the API cannot re-enable (no `disabled` in the customer body)."""
    from resources.objects.organization import OrganizationArchived

    provider = configure(OrganizationProvider(), emu)
    made = provider.create(org("CS-0042", "jane@smith.example"))
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        http.post(
            f"{emu.base_url}/tickets", json={"customer_id": int(made.id), "subject": "History"}
        ).raise_for_status()
        http.delete(f"{emu.base_url}/customers/{made.id}").raise_for_status()  # archived
    provider.session.customers.forget()
    before = puts(emu)
    with pytest.raises(OrganizationArchived, match="Actions > Re-Enable"):
        provider.create(org("CS-0042", "jane@smith.example"))
    assert puts(emu) == before, "nothing written onto the archived record"


def test_account_manager_in_other_case_converges_and_a_stranger_stops_runbook_mode(emu):
    """Issue 14 item 5 and issue 12 item 5 at hook level."""
    from resources.objects.recurring_ticket import RecurringTicketProvider

    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        http.put(
            f"{emu.admin_url}/ticket_preferences", json={"enable_recurring_tickets": True}
        ).raise_for_status()
    provider = configure(RecurringTicketProvider(), emu)
    customer = existing(provider, "CS-0042", "jane@smith.example")
    inputs = {
        "client_id": "CS-0042",
        "deliverable": "monthly-report",
        "subject": "[CS-0042] Monthly Report",
        "problem_type": "Deliverable",
        "frequency": "monthly",
        "first_due": "2027-06-01",
        "lead_days": 5,
        "assignee": "Sam@CyberSuite.tech",
        "customer_id": customer,
        "opened_by": "syncro",
        "admin_mode": "api",
    }
    created = provider.create(inputs)
    provider.session.forget_collections()
    read = provider.read(created.id, created.outs)
    assert not provider.diff(created.id, read.outs, inputs).changes, "case is no drift"
    stranger = {**inputs, "assignee": "nobody@cybersuite.tech", "admin_mode": "runbook"}
    with pytest.raises(ValueError, match="not a Syncro user"):
        provider.create(stranger)
