"""`pulumi refresh` of many main contacts and contracts: one paged list per kind for the
whole provider process, not one GET per object (issue 16), and what it reports stays
what Syncro shows (a contact gone, a portal login added)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources.objects.contact import NOT_CHECKED_NEW, ContactProvider
from resources.objects.contract import ContractProvider
from resources.objects.organization import OrganizationProvider
from resources.providers.session import forget_sessions
from tests.providers.conftest import configure

TOKEN = "refresh-reads-2b7e"
COUNT = 30  # more than one page of contacts (25)


@pytest.fixture
def emu(tmp_path: Path):
    with EmulatorServer(tmp_path / "s.db", token=TOKEN, rate_limit_per_minute=0) as server:
        yield server


def log_since(emu: EmulatorServer, seq: int) -> list[dict]:
    entries = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    return [e for e in entries if e["seq"] > seq]


def last_seq(emu: EmulatorServer) -> int:
    entries = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    return entries[-1]["seq"] if entries else 0


def made(emu: EmulatorServer) -> list[tuple[dict, object, dict, object]]:
    """COUNT customers, each with its contract and main contact, made through the hooks."""
    http = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    contacts, contracts = configure(ContactProvider(), emu), configure(ContractProvider(), emu)
    out = []
    for n in range(COUNT):
        customer = http.post(
            "/customers", json={"business_name": f"Firm {n}", "email": f"a@firm{n}.example"}
        ).json()["customer"]
        contact_in = {
            "client_id": f"CS-{n:04d}",
            "name": f"Pat {n}",
            "email": f"pat@firm{n}.example",
            "portal_user": False,
            "customer_id": float(customer["id"]),
        }
        contract_in = {
            "client_id": f"CS-{n:04d}",
            "tier": "Standard",
            "name": f"CS-{n:04d} Standard",
            "sla_name": "Standard SLA",
            "sla_id": None,
            "sla_terms": {},
            "start_date": "2026-12-01",
            "customer_id": float(customer["id"]),
        }
        out.append(
            (contact_in, contacts.create(contact_in), contract_in, contracts.create(contract_in))
        )
    http.close()
    return out


def test_refresh_reads_each_kind_from_one_list(emu) -> None:
    objects = made(emu)
    http = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    gone_contact = objects[3][1].id
    http.delete(f"/contacts/{gone_contact}").raise_for_status()
    portal_customer = int(objects[5][0]["customer_id"])
    http.post(
        "/portal_users",
        json={
            "customer_id": portal_customer,
            "email": "bob@firm5.example",
            "password": "x1y2z3w4",
            "password_confirmation": "x1y2z3w4",
        },
    ).raise_for_status()
    http.close()

    forget_sessions()  # a refresh is a provider process of its own
    emu._sessions_forgotten = True  # type: ignore[attr-defined]
    contacts, contracts = configure(ContactProvider(), emu), configure(ContractProvider(), emu)
    seq = last_seq(emu)
    read_contacts = [contacts.read(c.id, c.outs) for _, c, _, _ in objects]
    read_contracts = [contracts.read(k.id, k.outs) for _, _, _, k in objects]
    patterns = sorted(
        f"{e['method']} {e['path']}" + (" page" if "page=" in (e.get("query") or "") else "")
        for e in log_since(emu, seq)
    )
    assert patterns == [
        "GET /api/v1/contacts page",
        "GET /api/v1/contacts page",  # 29 contacts: two pages of 25
        "GET /api/v1/contracts page",  # 30 contracts: one page of 50
        "GET /api/v1/portal_users page",
    ]
    assert read_contacts[3].id is None  # deleted out of band: up recreates it
    assert "PORTAL USER PRESENT" in read_contacts[5].outs["portal_users"]
    assert {r.outs["portal_users"] for i, r in enumerate(read_contacts) if i not in (3, 5)} == {
        "none"
    }
    assert all(r.id and r.outs["customer_id"] for r in read_contracts)
    assert [r.outs["name"] for r in read_contracts] == [k["name"] for _, _, k, _ in objects]


def test_a_contact_of_an_organization_this_run_created_leaves_the_portal_check_to_refresh(
    emu,
) -> None:
    organizations = configure(OrganizationProvider(), emu)
    session = organizations.session
    http = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    customer = http.post(
        "/customers", json={"business_name": "New Firm", "email": "a@new.example"}
    ).json()["customer"]
    http.close()
    session.note_new_customer(customer["id"])  # as Organization.create does
    contacts = configure(ContactProvider(), emu)
    seq = last_seq(emu)
    created = contacts.create(
        {
            "client_id": "CS-0900",
            "name": "Pat New",
            "email": "pat@new.example",
            "portal_user": False,
            "customer_id": float(customer["id"]),
        }
    )
    assert created.outs["portal_users"] == NOT_CHECKED_NEW
    assert [e["method"] + " " + e["path"] for e in log_since(emu, seq)] == ["POST /api/v1/contacts"]
