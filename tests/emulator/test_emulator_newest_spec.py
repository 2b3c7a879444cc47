"""Objects of the newest published spec (advenimus/syncromsp-mcp docs/swagger.json at
61fbd894): policy folders, contracts with SLAs on tickets, portal users.

The examples below are the spec's own response examples (values trimmed to what the
comparison needs: field names and JSON types); answers must carry exactly their fields.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.emulator.conftest import LIMITED, TOKEN, make_customer, post_for

FOLDER_EXAMPLE = {
    "id": 2,
    "name": "Workstations",
    "parent_id": 1,
    "partial_policy_id": 12,
    "effective_policy_id": 12,
    "created_at": "2026-05-04T20:57:28.212Z",
    "updated_at": "2026-05-04T20:57:28.212Z",
}
FOLDERS_META = {"total_pages": 1, "total_entries": 2, "per_page": 100, "page": 1}
CONTRACT_EXAMPLE_KEYS = {
    "id",
    "account_id",
    "customer_id",
    "name",
    "contract_amount",
    "start_date",
    "end_date",
    "primary_contact",
    "description",
    "created_at",
    "updated_at",
    "status",
    "likelihood",
    "apply_to_all",
    "sla_id",
    "tag_list",
    "non_billable_product_ids",
    "schedule_ids",
    "product_price_overrides",
}
TICKET_SLA_KEYS = {
    "sla_id",
    "sla_name",
    "sla_breached",
    "sla_breaching_soon",
    "response_time",
    "resolution_time",
}


def same_shape(example: dict[str, Any], actual: dict[str, Any]) -> None:
    assert set(actual) == set(example)
    for key, value in example.items():
        if value is not None and actual[key] is not None:
            assert type(actual[key]) is type(value), key


def sla(admin: httpx.Client, name: str = "Defense", response: int = 60) -> dict[str, Any]:
    reply = admin.post(
        "/slas",
        json={"name": name, "response_time_minutes": response, "resolution_time_minutes": 480},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["sla"]


def contract_for_all(
    api: httpx.Client, customer_id: int, sla_id: int, name: str, **extra: object
) -> httpx.Response:
    """POST /contracts: a contract on `sla_id` for all the customer's tickets (apply_to_all)."""
    body = {"customer_id": customer_id, "name": name, "sla_id": sla_id, "apply_to_all": True}
    return api.post("/contracts", json={**body, **extra})


def root_folder(api: httpx.Client, customer_id: int) -> dict[str, Any]:
    reply = api.get("/policy_folders", params={"customer_id": customer_id})
    assert reply.status_code == 200, reply.text
    roots = [f for f in reply.json()["policy_folders"] if f["parent_id"] is None]
    assert len(roots) == 1
    return roots[0]


# -- policy folders ----------------------------------------------------------------------


def test_every_organization_gets_a_root_folder_named_for_it(api: httpx.Client) -> None:
    org = make_customer(api, "Smith Law", "jane@smithlaw.com")
    reply = api.get("/policy_folders", params={"customer_id": org["id"]}).json()
    (root,) = reply["policy_folders"]
    same_shape(FOLDER_EXAMPLE, root)
    assert root["name"] == "Smith Law"
    assert root["parent_id"] is None and root["effective_policy_id"] is None
    assert set(reply["meta"]) == set(FOLDERS_META) and reply["meta"]["per_page"] == 100


def test_folder_list_needs_a_known_customer(api: httpx.Client) -> None:
    for params in ({}, {"customer_id": 999999}):
        reply = api.get("/policy_folders", params=params)
        assert reply.status_code == 404
        assert reply.json() == {"errors": ["Customer not found"]}


def test_folder_create_needs_customer_name_and_parent(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    other = make_customer(api, "Other", "o@other.com")
    root = root_folder(api, org["id"])
    missing = api.post("/policy_folders", json={"customer_id": 999999, "name": "X", "parent_id": 1})
    assert (missing.status_code, missing.json()) == (404, {"errors": ["Customer not found"]})
    no_name = api.post("/policy_folders", json={"customer_id": org["id"], "parent_id": root["id"]})
    assert (no_name.status_code, no_name.json()) == (422, {"errors": ["Name is required"]})
    no_parent = api.post("/policy_folders", json={"customer_id": org["id"], "name": "X"})
    assert no_parent.status_code == 422
    foreign = api.post(
        "/policy_folders",
        json={
            "customer_id": org["id"],
            "name": "X",
            "parent_id": root_folder(api, other["id"])["id"],
        },
    )
    assert foreign.json() == {"errors": ["Parent folder must belong to the same customer"]}
    made = api.post(
        "/policy_folders",
        json={"customer_id": org["id"], "name": "Workstations", "parent_id": root["id"]},
    )
    assert made.status_code == 201
    same_shape(FOLDER_EXAMPLE, made.json()["policy_folder"])


def test_partial_policy_sets_and_is_inherited(api: httpx.Client, admin: httpx.Client) -> None:
    policy = admin.post("/policies", json={"name": "Defense workstations"}).json()["policy"]
    org = make_customer(api, "Org", "o@org.com")
    root = root_folder(api, org["id"])
    child = api.post(
        "/policy_folders",
        json={"customer_id": org["id"], "name": "Laptops", "parent_id": root["id"]},
    ).json()["policy_folder"]
    put = api.put(f"/policy_folders/{root['id']}", json={"partial_policy_id": policy["id"]})
    assert put.status_code == 200
    assert put.json()["policy_folder"]["effective_policy_id"] == policy["id"]
    inherited = api.get(f"/policy_folders/{child['id']}").json()["policy_folder"]
    assert inherited["partial_policy_id"] is None
    assert inherited["effective_policy_id"] == policy["id"]
    cleared = api.put(f"/policy_folders/{root['id']}", json={"partial_policy_id": None}).json()
    assert cleared["policy_folder"]["effective_policy_id"] is None
    bad = api.put(f"/policy_folders/{root['id']}", json={"partial_policy_id": "four"})
    assert bad.status_code == 422 and "errors" in bad.json()
    # An id naming no policy is kept as given (quirks table): policies cannot be listed.
    kept = api.put(f"/policy_folders/{root['id']}", json={"partial_policy_id": 4101}).json()
    assert kept["policy_folder"]["effective_policy_id"] == 4101
    gone = api.get("/policy_folders/999999")
    assert (gone.status_code, gone.json()) == (404, {"errors": ["Policy folder not found"]})


def test_policies_have_no_public_list(api: httpx.Client) -> None:
    assert api.get("/policies").status_code == 404


def test_folder_with_children_cannot_be_deleted(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    root = root_folder(api, org["id"])
    parent = api.post(
        "/policy_folders", json={"customer_id": org["id"], "name": "A", "parent_id": root["id"]}
    ).json()["policy_folder"]
    leaf = api.post(
        "/policy_folders", json={"customer_id": org["id"], "name": "B", "parent_id": parent["id"]}
    ).json()["policy_folder"]
    refused = api.delete(f"/policy_folders/{parent['id']}")
    assert refused.status_code == 422
    assert refused.json() == {"errors": ["Cannot delete a folder with child folders"]}
    deleted = api.delete(f"/policy_folders/{leaf['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.delete(f"/policy_folders/{parent['id']}").status_code == 204


def test_folder_pages_hold_up_to_100(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    root = root_folder(api, org["id"])
    for n in range(104):
        api.post(
            "/policy_folders",
            json={"customer_id": org["id"], "name": f"F{n}", "parent_id": root["id"]},
        ).raise_for_status()
    first = api.get("/policy_folders", params={"customer_id": org["id"]}).json()
    assert len(first["policy_folders"]) == 100
    assert first["meta"]["total_entries"] == 105 and first["meta"]["total_pages"] == 2
    small = api.get("/policy_folders", params={"customer_id": org["id"], "per_page": 10}).json()
    assert len(small["policy_folders"]) == 10


# -- contracts and SLAs ------------------------------------------------------------------


def test_contract_crud_in_the_spec_shape(api: httpx.Client, admin: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    tier = sla(admin)
    made = contract_for_all(
        api, org["id"], tier["id"], "Defense plan", start_date="2026-01-01", status="Active"
    )
    assert made.status_code == 200, made.text
    contract = made.json()
    assert set(contract) == CONTRACT_EXAMPLE_KEYS
    assert (contract["start_date"], contract["sla_id"], contract["apply_to_all"]) == (
        "2026-01-01",
        tier["id"],
        True,
    )
    listed = api.get("/contracts").json()
    assert [c["id"] for c in listed["contracts"]] == [contract["id"]]
    assert listed["meta"]["per_page"] == 50
    bad = api.post("/contracts", json={"name": "No Customer"})
    assert bad.status_code == 422
    assert (
        set(bad.json()) == {"record", "errors"}
        and bad.json()["errors"] == "Customer can't be blank"
    )
    no_sla = api.post("/contracts", json={"customer_id": org["id"], "sla_id": "gold"})
    assert no_sla.status_code == 422
    updated = api.put(f"/contracts/{contract['id']}", json={"end_date": "2026-12-31"}).json()
    assert updated["end_date"] == "2026-12-31"
    assert api.delete(f"/contracts/{contract['id']}").status_code == 200
    assert api.get(f"/contracts/{contract['id']}").status_code == 404


def test_tickets_take_the_sla_of_an_apply_to_all_contract(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    org = make_customer(api, "Acme Dental", "office@acmedental.com")
    plain = make_customer(api, "Plain", "p@plain.com")
    tier = sla(admin, "Defense", response=60)
    contract = contract_for_all(api, org["id"], tier["id"], "Defense").json()
    ticket = api.post("/tickets", json={"customer_id": org["id"], "subject": "Help"}).json()[
        "ticket"
    ]
    assert set(ticket) >= TICKET_SLA_KEYS
    assert (ticket["sla_id"], ticket["sla_name"]) == (tier["id"], "Defense")
    assert ticket["sla_breached"] is False and ticket["response_time"] is not None
    listed = api.get("/tickets", params={"customer_id": org["id"]}).json()["tickets"][0]
    assert (listed["sla_id"], listed["contract_id"]) == (tier["id"], contract["id"])
    assert listed["contract_name"] == "Defense"
    other = api.post("/tickets", json={"customer_id": plain["id"], "subject": "x"}).json()["ticket"]
    assert other["sla_id"] is None and other["sla_name"] is None
    # A ticket opened by inbound mail gets it too.
    mail = control.post(
        "/_emulator/inbound-email",
        json={"from": "office@acmedental.com", "to": "help@cybersuite.tech", "subject": "Mail"},
    ).json()
    by_mail = api.get(f"/tickets/{mail['ticket_id']}").json()["ticket"]
    assert by_mail["sla_id"] == tier["id"]


def test_ticket_sla_id_given_kept_or_refused(api: httpx.Client, admin: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    tier = sla(admin)
    given = api.post(
        "/tickets", json={"customer_id": org["id"], "subject": "x", "sla_id": tier["id"]}
    ).json()["ticket"]
    assert given["sla_name"] == tier["name"]
    # An id naming no SLA is kept as given, without name or deadlines (quirks table).
    kept = api.post("/tickets", json={"customer_id": org["id"], "subject": "x", "sla_id": 7})
    assert kept.status_code == 200
    assert (kept.json()["ticket"]["sla_id"], kept.json()["ticket"]["sla_name"]) == (7, None)
    refused = api.post("/tickets", json={"customer_id": org["id"], "subject": "x", "sla_id": "x"})
    assert refused.status_code == 422


def test_sla_breach_follows_the_emulated_clock(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    org = make_customer(api, "Org", "o@org.com")
    tier = sla(admin)
    ticket = api.post(
        "/tickets", json={"customer_id": org["id"], "subject": "x", "sla_id": tier["id"]}
    ).json()["ticket"]
    control.post("/_emulator/clock", json={"now": "2026-01-03"}).raise_for_status()
    later = api.get(f"/tickets/{ticket['id']}").json()["ticket"]
    assert later["sla_breached"] is True


# -- portal users ------------------------------------------------------------------------


def test_contact_with_enable_portal_user_makes_one(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    api.post(
        "/contacts", json={"customer_id": org["id"], "name": "Jane", "email": "jane@org.com"}
    ).raise_for_status()
    assert api.get("/portal_users", params={"customer_id": org["id"]}).json()["portal_users"] == []
    contact = post_for(
        api, "/contacts", org, name="Joe", email="joe@org.com", enable_portal_user=True
    ).json()
    reply = api.get("/portal_users", params={"customer_id": org["id"]}).json()
    (user,) = reply["portal_users"]
    assert (user["contact_id"], user["email"]) == (contact["id"], "joe@org.com")
    assert reply["meta"]["per_page"] == 100
    assert "password" not in user


def test_portal_users_need_global_admin(tmp_path: Any) -> None:
    with EmulatorServer(
        db_path=tmp_path / "s.db", token=TOKEN, limited_token=LIMITED, rate_limit_per_minute=0
    ) as emu:
        reply = httpx.get(
            f"{emu.base_url}/portal_users", headers={"Authorization": f"Bearer {LIMITED}"}
        )
    assert reply.status_code == 401


@pytest.mark.parametrize("kind", ["slas", "policies"])
def test_ui_only_objects_are_not_public(api: httpx.Client, kind: str) -> None:
    assert api.get(f"/{kind}").status_code == 404
