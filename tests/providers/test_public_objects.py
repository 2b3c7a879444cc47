"""Issue 13's objects through Syncro's public API, at hook level against the emulator:
the policy set on the root folder, the SLA contract, the main contact and its portal check.
They are written in both admin modes (no admin_mode input: the public API is Syncro's)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pulumi.dynamic import Config, ConfigureRequest

from emulator.testing import EmulatorServer
from resources.objects import Status
from resources.objects.contact import ContactProvider
from resources.objects.contract import ContractProvider
from resources.objects.policy_assignment import PolicyAssignmentProvider
from tests.providers.conftest import configure

TOKEN = "public-objects-5a1f"
READ_ONLY = "public-objects-ro-77c2"


@pytest.fixture
def emu(tmp_path: Path):
    with EmulatorServer(
        db_path=tmp_path / "s.db", token=TOKEN, limited_token=READ_ONLY, rate_limit_per_minute=0
    ) as server:
        yield server


@pytest.fixture
def http(emu):
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as client:
        yield client


@pytest.fixture
def customer_id(http, emu) -> float:
    made = http.post(
        f"{emu.base_url}/customers",
        json={"business_name": "Smith Law LLP", "email": "jane@smithlaw.com"},
    )
    made.raise_for_status()
    return float(made.json()["customer"]["id"])


def admin_make(http, emu, kind: str, body: dict) -> int:
    """What a person makes once in the UI (policies, SLAs): the emulator's admin surface."""
    made = http.post(f"{emu.admin_url}/{kind}", json=body)
    made.raise_for_status()
    return int(next(iter(made.json().values()))["id"])


def writes(emu) -> list[tuple[str, str]]:
    log = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    return [(r["method"], r["path"]) for r in log if r["method"] != "GET"]


def policy_inputs(customer_id: float, policy_id: int | None) -> dict:
    return {
        "client_id": "CS-0042",
        "tier": "Defense",
        "policy_kind": "Defense policy set",
        "partial_policy_id": policy_id,
        "customer_id": customer_id,
    }


def test_policy_set_is_assigned_to_the_root_folder_and_verified(emu, http, customer_id):
    defense = admin_make(http, emu, "policies", {"name": "Defense", "description": "d"})
    sentinel = admin_make(http, emu, "policies", {"name": "Sentinel", "description": "s"})
    provider = configure(PolicyAssignmentProvider(), emu)
    inputs = policy_inputs(customer_id, defense)
    created = provider.create(inputs)
    assert created.outs["status"] == Status.VERIFIED
    assert created.outs["effective_policy_id"] == defense
    folders = http.get(
        f"{emu.base_url}/policy_folders", params={"customer_id": int(customer_id)}
    ).json()["policy_folders"]
    root = next(f for f in folders if f["parent_id"] is None)
    assert str(root["id"]) == created.id and root["partial_policy_id"] == defense
    assert not provider.diff(created.id, created.outs, inputs).changes

    # The policy is changed by hand: refresh sees it, the diff wants it back.
    http.put(
        f"{emu.base_url}/policy_folders/{root['id']}",
        json={"name": root["name"], "partial_policy_id": sentinel},
    ).raise_for_status()
    read = provider.read(created.id, created.outs)
    assert read.outs["partial_policy_id"] == sentinel
    assert read.outs["status"] == Status.PENDING
    assert provider.diff(created.id, read.outs, inputs).changes
    assert provider.update(created.id, read.outs, inputs).outs["status"] == Status.VERIFIED


def test_policy_without_a_configured_id_stays_pending_and_writes_nothing(emu, customer_id):
    provider = configure(PolicyAssignmentProvider(), emu)
    before = len(writes(emu))
    created = provider.create(policy_inputs(customer_id, None))
    assert created.outs["status"] == Status.PENDING
    assert writes(emu)[before:] == []


def contract_inputs(customer_id: float, sla_id: int | None) -> dict:
    return {
        "client_id": "CS-0042",
        "tier": "Defense",
        "name": "[CS-0042] Defense plan - Smith Law LLP",
        "sla_name": "CyberSuite Defense SLA",
        "sla_id": sla_id,
        "sla_terms": {"notification_hours": 1},
        "start_date": "2026-12-01",
        "customer_id": customer_id,
    }


def test_contract_puts_the_tiers_sla_on_the_customers_tickets(emu, http, customer_id):
    sla = admin_make(
        http,
        emu,
        "slas",
        {"name": "Defense", "response_time_minutes": 60, "resolution_time_minutes": 2880},
    )
    provider = configure(ContractProvider(), emu)
    inputs = contract_inputs(customer_id, sla)
    created = provider.create(inputs)
    assert created.outs["status"] == Status.APPLIED
    contract = http.get(f"{emu.base_url}/contracts/{created.id}").json()
    assert contract["sla_id"] == sla and contract["apply_to_all"] is True
    assert not provider.diff(
        created.id, provider.read(created.id, created.outs).outs, inputs
    ).changes
    ticket = http.post(
        f"{emu.base_url}/tickets",
        json={"customer_id": int(customer_id), "subject": "Printer", "status": "New"},
    ).json()["ticket"]
    assert ticket["sla_id"] == sla
    provider.delete(created.id, created.outs)
    assert http.get(f"{emu.base_url}/contracts/{created.id}").status_code == 404


def test_contract_without_an_sla_id_is_made_and_stays_pending(emu, customer_id):
    created = configure(ContractProvider(), emu).create(contract_inputs(customer_id, None))
    assert created.outs["status"] == Status.PENDING


def contact_inputs(customer_id: float) -> dict:
    return {
        "client_id": "CS-0042",
        "name": "Jane Smith",
        "email": "jane@smithlaw.com",
        "portal_user": False,
        "customer_id": customer_id,
    }


def test_main_contact_is_an_end_user_and_a_portal_user_is_reported(emu, http, customer_id):
    provider = configure(ContactProvider(), emu)
    inputs = contact_inputs(customer_id)
    created = provider.create(inputs)
    assert created.outs["status"] == Status.APPLIED
    assert created.outs["portal_users"] == "none"
    contacts = http.get(
        f"{emu.base_url}/contacts", params={"customer_id": int(customer_id)}
    ).json()["contacts"]
    assert [c["email"] for c in contacts] == ["jane@smithlaw.com"]
    assert not provider.diff(created.id, created.outs, inputs).changes

    # Someone gives the customer a portal login: refresh says so.
    http.post(
        f"{emu.base_url}/portal_users",
        json={
            "customer_id": int(customer_id),
            "email": "bob@smithlaw.com",
            "password": "x1y2z3w4",
            "password_confirmation": "x1y2z3w4",
        },
    ).raise_for_status()
    read = provider.read(created.id, created.outs)
    assert (
        "PORTAL USER PRESENT" in read.outs["portal_users"] and "bob@" in read.outs["portal_users"]
    )


def test_portal_check_without_global_admin_says_it_could_not_check(emu, customer_id):
    limited = ContactProvider()
    raw = {"syncro:baseUrl": emu.base_url, "syncro:apiToken": READ_ONLY}
    limited.configure(ConfigureRequest(Config(raw, "syncro-onboarding")))
    limited.client.list_customers()  # the token works for what it may read
    said = limited.portal_users(contact_inputs(customer_id))
    assert said.startswith("not checked") and "Global Admin" in said
    assert limited.client.list_customers(), "a missing permission does not poison the client"
