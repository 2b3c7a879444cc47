"""The public API's behaviour: paging, auth, validation, archive vs delete, persistence."""

from __future__ import annotations

from pathlib import Path

import httpx

from emulator.testing import EmulatorServer
from tests.emulator.conftest import LIMITED, TOKEN, make_customer, post_for

PERMISSION = "Not authorized. Please ask account admin to update your group permissions."


def test_sixty_customers_make_three_pages(api: httpx.Client) -> None:
    for n in range(60):
        make_customer(api, f"Org {n:02d}", f"owner{n}@org{n}.com")
    seen = []
    page = 1
    while True:
        body = api.get("/customers", params={"page": page}).json()
        assert body["meta"] == {
            "total_pages": 3,
            "total_entries": 60,
            "per_page": 25,
            "page": page,
        }
        seen += [c["business_name"] for c in body["customers"]]
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
    assert [len(seen[i : i + 25]) for i in (0, 25, 50)] == [25, 25, 10]
    assert sorted(seen) == [f"Org {n:02d}" for n in range(60)]


def test_auth_none_wrong_api_key_and_limited(emu: EmulatorServer) -> None:
    url = f"{emu.base_url}/customers"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url).json() == {"error": "Not authorized"}
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, params={"api_key": TOKEN}).status_code == 200
    assert httpx.get(url, headers={"Authorization": TOKEN}).status_code == 200

    limited = {"Authorization": f"Bearer {LIMITED}"}
    assert httpx.get(url, headers=limited).status_code == 200
    denied = httpx.post(url, headers=limited, json={"business_name": "X"})
    assert (denied.status_code, denied.json()) == (401, {"error": PERMISSION})
    admin_denied = httpx.post(
        f"{emu.admin_url}/mailboxes", headers=limited, json={"address": "x@y.com"}
    )
    assert (admin_denied.status_code, admin_denied.json()) == (401, {"error": PERMISSION})
    me = httpx.get(f"{emu.base_url}/me", headers=limited).json()
    assert me["user_id"] == 1003 and me["permissions"]["customer"]["write"] is False


def test_seed_users_me_and_settings(api: httpx.Client) -> None:
    assert api.get("/users").json() == {
        "users": [[1001, "Alex Morgan"], [1002, "Sam Lee"], [1003, "NOC Desk"]]
    }
    user = api.get("/users/1002").json()["user"]
    assert (user["email"], user["full_name"]) == ("sam@cybersuite.tech", "Sam Lee")
    assert api.get("/users/9").status_code == 404
    assert api.get("/me").json()["user_email"] == "alex@cybersuite.tech"
    settings = api.get("/settings").json()
    assert settings["customers"]["customer_fields"] == []
    assert {"Deliverable", "Security Incident", "Other"} <= set(settings["ticket"]["problem_types"])
    assert "New" in api.get("/tickets/settings").json()["ticket_status_list"]


def test_customer_validation(api: httpx.Client) -> None:
    make_customer(api, "Smith Law", "jane@smithlaw.com")
    dup = api.post("/customers", json={"business_name": "Other", "email": "JANE@smithlaw.com"})
    assert dup.status_code == 422
    assert dup.json()["success"] is False
    assert dup.json()["message"] == ["Email has already been taken"]
    bare = api.post("/customers", json={"business_name": "Acme", "email": "acme.com"})
    assert (bare.status_code, bare.json()["message"]) == (422, ["Email is not an email"])
    assert bare.json()["params"] == {"business_name": "Acme", "email": "acme.com"}
    nameless = api.post("/customers", json={"email": "x@acme.com"})
    assert nameless.status_code == 422
    assert nameless.json()["message"] == ["Business name can't be blank"]


def test_properties_dropped_unless_defined_and_merged_on_put(
    api: httpx.Client, admin: httpx.Client
) -> None:
    for name in ("CS Client ID", "MSP Plan Tier", "SLA"):
        admin.post("/customer_fields", json={"name": name, "field_type": "text", "answers": []})
    created = make_customer(
        api,
        "Smith Law",
        "jane@smithlaw.com",
        properties={"CS Client ID": "CS-0042", "MSP Plan Tier": "Defense", "Undefined": "x"},
    )
    assert created["properties"] == {"CS Client ID": "CS-0042", "MSP Plan Tier": "Defense"}
    updated = api.put(
        f"/customers/{created['id']}",
        json={"properties": {"MSP Plan Tier": "Sentinel", "SLA": "1h", "Nope": "y"}},
    ).json()["customer"]
    assert updated["properties"] == {
        "CS Client ID": "CS-0042",
        "MSP Plan Tier": "Sentinel",
        "SLA": "1h",
    }
    # PUT without properties leaves them alone; other fields replace.
    again = api.put(f"/customers/{created['id']}", json={"notes": "hi"}).json()["customer"]
    assert again["properties"] == updated["properties"] and again["notes"] == "hi"
    assert api.get("/settings").json()["customers"]["customer_fields"][0]["name"] == "CS Client ID"


def test_delete_archives_customer_with_tickets_else_deletes(api: httpx.Client) -> None:
    busy = make_customer(api, "Busy", "a@busy.com")
    idle = make_customer(api, "Idle", "a@idle.com")
    api.post("/tickets", json={"customer_id": busy["id"], "subject": "x"}).raise_for_status()

    archived = api.delete(f"/customers/{busy['id']}")
    assert archived.json() == {
        "message": "Customer was disabled instead of deleted because they have associated data"
    }
    deleted = api.delete(f"/customers/{idle['id']}")
    assert deleted.json() == {"message": "Customer was deleted from the system."}
    assert api.get(f"/customers/{idle['id']}").status_code == 404
    assert api.get(f"/customers/{busy['id']}").json()["customer"]["disabled"] is True
    assert api.get("/customers").json()["customers"] == []
    shown = api.get("/customers", params={"include_disabled": "true"}).json()["customers"]
    assert [c["id"] for c in shown] == [busy["id"]]


def test_customer_filters(api: httpx.Client) -> None:
    a = make_customer(api, "Smith Law LLP", "jane@smithlaw.com")
    b = make_customer(api, "Acme Dental", "bob@acmedental.com")
    names = lambda **q: [c["id"] for c in api.get("/customers", params=q).json()["customers"]]  # noqa: E731
    assert names(business_name="smith") == [a["id"]]
    assert names(email="bob@acmedental.com") == [b["id"]]
    assert names(query="dental") == [b["id"]]
    assert names(id=b["id"]) == [b["id"]]
    assert [
        c["id"] for c in api.get(f"/customers?id[]={a['id']}&id[]={b['id']}").json()["customers"]
    ] == [a["id"], b["id"]]


def test_contacts_flat_with_customer_filter(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    other = make_customer(api, "Other", "o@other.com")
    contact = api.post(
        "/contacts", json={"customer_id": org["id"], "name": "Ann", "email": "a@org.com"}
    )
    assert contact.json()["customer_id"] == org["id"] and "contact" not in contact.json()
    api.post("/contacts", json={"customer_id": other["id"], "name": "Bo"}).raise_for_status()
    listed = api.get("/contacts", params={"customer_id": org["id"]}).json()
    assert [c["name"] for c in listed["contacts"]] == ["Ann"]
    assert listed["meta"]["total_entries"] == 1
    missing = api.post("/contacts", json={"name": "No customer"})
    assert missing.status_code == 422 and missing.json()["errors"] == "Customer can't be blank"
    assert api.get(f"/customers/{org['id']}").json()["customer"]["contacts"][0]["name"] == "Ann"


def test_tickets_comments_and_filters(api: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    other = make_customer(api, "Other", "o@other.com")
    fields = {"problem_type": "Other", "user_id": 1002, "due_date": "2026-03-31"}
    made = post_for(api, "/tickets", org, subject="Printer", **fields).json()["ticket"]
    assert made["number"] >= 1 and made["customer_id"] == org["id"]
    assert made["due_date"].startswith("2026-03-31") and made["user_id"] == 1002
    assert made["ticket_recurring_schedule_id"] is None
    api.post("/tickets", json={"customer_id": other["id"], "subject": "Other"}).raise_for_status()
    listed = api.get("/tickets", params={"customer_id": org["id"]}).json()
    assert [t["id"] for t in listed["tickets"]] == [made["id"]]
    assert listed["meta"] == {"total_pages": 1, "page": 1}
    no_customer = api.post("/tickets", json={"subject": "x"})
    assert no_customer.status_code == 422 and no_customer.json() == {
        "error": "Customer required field"
    }

    no_subject = api.post(f"/tickets/{made['id']}/comment", json={"body": "hello"})
    assert no_subject.status_code == 422
    comment = api.post(
        f"/tickets/{made['id']}/comment", json={"subject": "Update", "body": "hello"}
    ).json()["comment"]
    comments = api.get(f"/tickets/{made['id']}/comments").json()["comments"]
    assert [c["id"] for c in comments] == [comment["id"]]


def test_leads_and_policy_folders(api: httpx.Client) -> None:
    lead = api.post("/leads", json={"email": "x@y.com", "first_name": "X"}).json()["lead"]
    assert lead["status"] == "New"
    won = api.put(f"/leads/{lead['id']}", json={"status": "Won"}).json()["lead"]
    assert won["status"] == "Won"
    org = make_customer(api, "Org", "o@org.com")
    # Newest spec: every organization has a root folder; folders are made under a parent.
    (root,) = api.get("/policy_folders", params={"customer_id": org["id"]}).json()["policy_folders"]
    folder = api.post(
        "/policy_folders",
        json={"customer_id": org["id"], "name": "Workstations", "parent_id": root["id"]},
    ).json()["policy_folder"]
    assert set(folder) == {
        "id",
        "name",
        "parent_id",
        "partial_policy_id",
        "effective_policy_id",
        "created_at",
        "updated_at",
    }
    child = api.post(
        "/policy_folders",
        json={"customer_id": org["id"], "name": "Laptops", "parent_id": folder["id"]},
    ).json()["policy_folder"]
    assert child["parent_id"] == folder["id"]
    assert (
        len(api.get("/policy_folders", params={"customer_id": org["id"]}).json()["policy_folders"])
        == 3
    )
    assert api.get(f"/policy_folders/{child['id']}").json()["policy_folder"]["name"] == "Laptops"


def test_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "syncro.db"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with EmulatorServer(db_path=db, token=TOKEN, rate_limit_per_minute=0) as first:
        made = httpx.post(
            f"{first.base_url}/customers",
            headers=headers,
            json={"business_name": "Persisted", "email": "p@persisted.com"},
        ).json()["customer"]
        httpx.put(
            f"{first.admin_url}/ticket_preferences",
            headers=headers,
            json={"enable_recurring_tickets": True},
        ).raise_for_status()
        httpx.post(f"{first.root_url}/_emulator/clock", json={"now": "2026-05-01"})
    with EmulatorServer(db_path=db, token=TOKEN, rate_limit_per_minute=0) as second:
        got = httpx.get(f"{second.base_url}/customers/{made['id']}", headers=headers)
        assert got.json()["customer"]["business_name"] == "Persisted"
        prefs = httpx.get(f"{second.admin_url}/ticket_preferences", headers=headers).json()
        assert prefs["ticket_preferences"]["enable_recurring_tickets"] is True
        assert httpx.get(f"{second.root_url}/_emulator/clock").json() == {"now": "2026-05-01"}
        users = httpx.get(f"{second.base_url}/users", headers=headers).json()["users"]
        assert len(users) == 3, "the seed must not run twice"


def test_reset_returns_to_seed(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    make_customer(api, "Org", "o@org.com")
    admin.put("/ticket_preferences", json={"enable_recurring_tickets": True})
    control.post("/_emulator/reset").raise_for_status()
    assert api.get("/customers").json()["customers"] == []
    assert admin.get("/ticket_preferences").json() == {
        "ticket_preferences": {"create_tickets_from_leads": True, "enable_recurring_tickets": False}
    }
    assert [m["address"] for m in admin.get("/mailboxes").json()["mailboxes"]] == [
        "help@cybersuite.tech"
    ]


def test_request_log_masks_credentials(emu: EmulatorServer, control: httpx.Client) -> None:
    httpx.get(f"{emu.base_url}/customers", params={"api_key": TOKEN, "page": 1})
    httpx.get(f"{emu.base_url}/me", headers={"Authorization": f"Bearer {TOKEN}"})
    control.get("/_emulator/clock")  # control traffic is not logged
    entries = control.get("/_emulator/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/api/v1/customers", 200),
        ("GET", "/api/v1/me", 200),
    ]
    assert entries[0]["query"] == "api_key=***&page=1"
    assert entries[1]["authorization"] == "Bearer ***"
    assert {"seq", "method", "path", "query", "status", "time", "client", "authorization"} <= set(
        entries[0]
    )
    later = control.get("/_emulator/requests", params={"since": entries[0]["seq"]}).json()
    assert [e["path"] for e in later["requests"]] == ["/api/v1/me"]
    log_text = (emu.db_path.parent / "requests.log").read_text()
    assert TOKEN not in log_text and "/api/v1/me" in log_text
    control.delete("/_emulator/requests")
    assert control.get("/_emulator/requests").json() == {"requests": []}
