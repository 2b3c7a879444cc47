"""Strict mode and the person's surface: the program's token reaches only Syncro's
published API; what a person does in the web UI goes through `/_person/v1`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import Mount, Route

from emulator.app import build_app
from emulator.spec_paths import in_spec, requests_outside_spec, spec_operations
from emulator.testing import EmulatorServer, start_subprocess
from tests.emulator.conftest import TOKEN, make_customer, post_for


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        db_path=tmp_path / "strict.db", token=TOKEN, rate_limit_per_minute=0, strict=True
    ) as server:
        yield server


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_strict_program_token_reaches_only_the_published_api(strict: EmulatorServer) -> None:
    api = client(strict.base_url, TOKEN)
    admin = client(strict.admin_url, TOKEN)
    assert api.get("/customers").status_code == 200
    for path in ("/email_rules", "/customer_fields", "/ticket_preferences", "/mailboxes"):
        assert admin.get(path).status_code == 404, path
    assert admin.post("/email_rules", json={"sender": "@x.com"}).status_code == 404
    # UI-only objects are not public either.
    for path in ("/slas", "/policies", "/email_rules", "/recurring_tickets"):
        assert api.get(path).status_code == 404, path
    # An operation Syncro does not publish on a published path is a 404 too.
    assert api.get("/portal_users/1").status_code == 404
    assert api.patch("/customers/1", json={}).status_code == 404
    # The program's token is no person: the person's surface refuses it.
    assert client(strict.person_url, TOKEN).get("/email_rules").status_code == 401


def test_person_surface_stands_in_for_the_ui(strict: EmulatorServer) -> None:
    api = client(strict.base_url, TOKEN)
    person = client(strict.person_url, strict.person_token)
    org = make_customer(api, "Smith Law", "jane@smithlaw.com")
    made = person.post("/email_rules", json={"sender": "@smithlaw.com", "customer_id": org["id"]})
    assert made.status_code == 200, made.text
    for path, body in (
        ("/customer_fields", {"name": "MSP Plan Tier"}),
        ("/slas", {"name": "Defense", "response_time_minutes": 60, "resolution_time_minutes": 480}),
        ("/policies", {"name": "Defense workstations"}),
        ("/ticket_automations", {"name": "Ack", "kind": "acknowledgement"}),
    ):
        assert person.post(path, json=body).status_code == 200, path
    assert person.put("/ticket_preferences", json={"enable_recurring_tickets": True}).is_success
    recurring = post_for(
        person,
        "/recurring_tickets",
        org,
        subject="[CS-0042] Monthly Report",
        problem_type="Deliverable",
        frequency="monthly",
        next_due="2026-02-01",
    )
    assert recurring.status_code == 200, recurring.text
    assert person.get("/mailboxes").json()["mailboxes"][0]["address"] == "help@cybersuite.tech"
    # No API rate limit or faults for a person, and no credential of theirs in the log.
    log = httpx.get(f"{strict.root_url}/_emulator/requests").json()["requests"]
    assert {e["surface"] for e in log} == {"public", "person"}
    assert all(e["authorization"] == "Bearer ***" for e in log)


def test_request_log_records_the_surface(
    emu: EmulatorServer, api: httpx.Client, admin: httpx.Client, person: httpx.Client
) -> None:
    api.get("/customers")
    admin.get("/email_rules")
    person.get("/email_rules")
    log = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    assert [(e["path"], e["surface"]) for e in log] == [
        ("/api/v1/customers", "public"),
        ("/_admin/v1/email_rules", "admin"),
        ("/_person/v1/email_rules", "person"),
    ]
    assert requests_outside_spec(log) == ["GET /_admin/v1/email_rules"]


def test_requests_outside_spec_matches_templates() -> None:
    log = [
        {"method": "GET", "path": "/api/v1/customers/30001", "surface": "public"},
        {"method": "PUT", "path": "/api/v1/policy_folders/601", "surface": "public"},
        {"method": "GET", "path": "/api/v1/tickets/settings", "surface": "public"},
        {"method": "GET", "path": "/api/v1/portal_users/82001", "surface": "public"},
        {"method": "POST", "path": "/api/v1/email_rules", "surface": "public"},
        {"method": "POST", "path": "/_person/v1/email_rules", "surface": "person"},
    ]
    assert requests_outside_spec(log) == [
        "GET /api/v1/portal_users/82001",
        "POST /api/v1/email_rules",
    ]


def test_every_public_route_is_in_the_spec(strict: EmulatorServer) -> None:
    assert strict.emulator is not None
    gate = build_app(strict.emulator)
    (api,) = [r for r in gate.app.routes if isinstance(r, Mount) and r.path == "/api/v1"]
    served = [(m, r.path) for r in api.routes if isinstance(r, Route) for m in r.methods or ()]
    assert served and len(spec_operations()) > 110
    outside = [f"{m} {p}" for m, p in served if m != "HEAD" and not in_spec(m, "/api/v1" + p)]
    assert outside == []


def test_re_enable_only_on_the_persons_surface(
    emu: EmulatorServer, api: httpx.Client, person: httpx.Client
) -> None:
    org = make_customer(api, "Busy", "a@busy.com")
    api.post("/tickets", json={"customer_id": org["id"], "subject": "x"}).raise_for_status()
    api.delete(f"/customers/{org['id']}").raise_for_status()
    # The published PUT has no `disabled` field: it is ignored, the customer stays archived.
    api.put(f"/customers/{org['id']}", json={"disabled": False}).raise_for_status()
    assert api.get(f"/customers/{org['id']}").json()["customer"]["disabled"] is True
    assert api.post(f"/customers/{org['id']}/re_enable").status_code == 404
    done = person.post(f"/customers/{org['id']}/re_enable")
    assert done.status_code == 200 and done.json()["customer"]["disabled"] is False
    assert api.get(f"/customers/{org['id']}").json()["customer"]["disabled"] is False


@pytest.mark.parametrize("kind", ["invoices", "estimates"])
def test_invoices_and_estimates_also_archive(
    api: httpx.Client, person: httpx.Client, kind: str
) -> None:
    org = make_customer(api, "Billed", "a@billed.com")
    person.post(f"/{kind}", json={"customer_id": org["id"], "total": "100.00"}).raise_for_status()
    reply = api.delete(f"/customers/{org['id']}").json()
    assert reply == {
        "message": "Customer was disabled instead of deleted because they have associated data"
    }
    assert api.get(f"/customers/{org['id']}").json()["customer"]["disabled"] is True


def test_cli_strict_flag(tmp_path: Path) -> None:
    with start_subprocess(tmp_path / "cli.db", token=TOKEN, strict=True, person_token="pt") as proc:
        assert client(proc.admin_url, TOKEN).get("/email_rules").status_code == 404
        assert client(proc.person_url, "pt").get("/email_rules").status_code == 200
        assert client(proc.base_url, TOKEN).get("/customers").status_code == 200
