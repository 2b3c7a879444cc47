"""The whole program under the real Pulumi CLI against the emulator: the onboarding story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from resources import catalog
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "e2e-token-7f3a"


@pytest.fixture
def emulator(tmp_path: Path):
    with EmulatorServer(
        db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0
    ) as emu:
        yield emu


def customers_by_email(project: Project) -> dict[str, dict]:
    with project.api() as http:
        got = http.get("/customers", params={"include_disabled": "true"}).json()["customers"]
    return {c["email"]: c for c in got}


def admin(project: Project, kind: str) -> list[dict]:
    with project.api() as http:
        url = project.emulator.admin_url + f"/{kind}"
        return http.get(url).json()[kind]


def send_mail(project: Project, sender: str, subject: str = "Printer on fire") -> dict:
    with project.control() as http:
        reply = http.post(
            "/_emulator/inbound-email",
            json={"from": sender, "to": "help@cybersuite.tech", "subject": subject, "body": "x"},
        )
        reply.raise_for_status()
        return reply.json()


def test_onboarding_lifecycle(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "project", emulator)
    project.add_customer("smith-law.yaml", customer_yaml())
    acme = customer_yaml(
        client_id="CS-0007",
        name="Acme Dental",
        tier="Standard",
        domains=("acmedental.com",),
        platform="Google Workspace",
    )
    project.add_customer("acme-dental.yaml", acme)
    run = project.pulumi

    # 1. up onboards both customers.
    run("up", "--yes", "--skip-preview")
    orgs = customers_by_email(project)
    smith = orgs["jane@smithlaw.com"]
    assert smith["business_name"] == "Smith Law LLP"
    assert smith["properties"]["CS Client ID"] == "CS-0042"
    assert smith["properties"]["MSP Plan Tier"] == "Defense"
    assert "1-hour customer notification" in smith["properties"]["SLA"]
    assert smith["properties"]["HUNT_A-KEY"] == "acct-CS-0042-s3cret"
    rules = admin(project, "email_rules")
    assert sorted(r["sender"] for r in rules) == [
        "@acmedental.com",
        "@smithlaw.com",
        "@smithlaw.legal",
    ]
    recurring = admin(project, "recurring_tickets")
    assert len([t for t in recurring if t["customer_id"] == smith["id"]]) == 5
    acme_id = orgs["jane@acmedental.com"]["id"]
    assert len([t for t in recurring if t["customer_id"] == acme_id]) == 2

    # Mail from a customer domain opens a ticket against them, contact auto-created.
    reply = send_mail(project, "bob@smithlaw.legal")
    assert reply["outcome"] == "ticket"
    assert reply["customer_id"] == smith["id"]
    assert reply["contact_created"] is True
    assert str(reply["ticket_number"]) in json.dumps(reply["acknowledgement"])

    # 2. A second preview changes nothing and costs no API call.
    project.clear_requests()
    run("preview", "--expect-no-changes")
    assert project.request_count() == 0

    # 3. Tier upgrade Standard -> Defense: three more deliverables, a stronger SLA.
    project.add_customer("acme-dental.yaml", {**acme, "tier": "Defense"}, edr=False)
    run("up", "--yes", "--skip-preview")
    acme_org = customers_by_email(project)["jane@acmedental.com"]
    assert "1-hour customer notification" in acme_org["properties"]["SLA"]
    recurring = admin(project, "recurring_tickets")
    assert len([t for t in recurring if t["customer_id"] == acme_id]) == 5

    # 4. Out-of-band edit: refresh sees it, up restores it, unmanaged keys survive.
    with project.api() as http:
        props = {**acme_org["properties"], "MSP Plan Tier": "Standard"}
        http.put(f"/customers/{acme_id}", json={"properties": props}).raise_for_status()
    run("refresh", "--yes")
    drift = run("preview", "--diff", check=True).stdout
    assert "MSP Plan Tier" in drift
    run("up", "--yes", "--skip-preview")
    assert customers_by_email(project)["jane@acmedental.com"]["properties"]["MSP Plan Tier"] == (
        "Defense"
    )
    run("preview", "--expect-no-changes")

    # 5. Removing a domain removes only its rule.
    project.add_customer("smith-law.yaml", customer_yaml(domains=("smithlaw.com",)), edr=False)
    run("up", "--yes", "--skip-preview")
    assert sorted(r["sender"] for r in admin(project, "email_rules")) == [
        "@acmedental.com",
        "@smithlaw.com",
    ]

    # 6. Removing a customer that has tickets archives it; its tickets survive.
    (project.customers / "smith-law.yaml").unlink()
    run("up", "--yes", "--skip-preview")
    smith_after = customers_by_email(project)["jane@smithlaw.com"]
    assert smith_after["disabled"] is True
    with project.api() as http:
        tickets = http.get("/tickets", params={"customer_id": smith["id"]}).json()["tickets"]
    assert tickets, "the archived organization's tickets must survive"
    assert all(r["customer_id"] != smith["id"] for r in admin(project, "email_rules"))
    run("preview", "--expect-no-changes")


def test_runbook_mode_writes_nothing_then_refresh_verifies(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "project", emulator, admin_mode="runbook")
    project.add_customer(
        "acme-dental.yaml",
        customer_yaml(
            client_id="CS-0007", name="Acme Dental", tier="Standard", domains=("acmedental.com",)
        ),
    )
    run = project.pulumi
    project.clear_requests()
    run("up", "--yes", "--skip-preview")
    with project.control() as http:
        requests = http.get("/_emulator/requests").json()["requests"]
    admin_writes = [
        r for r in requests if r["path"].startswith("/_admin/") and r["method"] != "GET"
    ]
    assert admin_writes == [], "runbook mode must not write UI-only objects"
    # Syncro dropped the custom field values: nobody has typed the definitions in yet.
    acme = customers_by_email(project)["jane@acmedental.com"]
    assert "MSP Plan Tier" not in (acme["properties"] or {})
    # Sending them again would be dropped again, so a second run has nothing to do.
    project.clear_requests()
    run("preview", "--expect-no-changes")
    run("up", "--yes", "--skip-preview", "--expect-no-changes")
    assert [r for r in project.requests() if r["method"] != "GET"] == []
    outputs = json.loads(run("stack", "output", "--json").stdout)
    runbook = outputs["runbook"]
    assert "Admin > Emails/SMS - Mailboxes > Email Rules" in runbook
    assert "@acmedental.com" in runbook
    status = outputs["customers"]["CS-0007"]["status"]
    # The UI-only objects wait for a person; the public-API ones are written in both
    # modes (issue 13): the main contact is made, policy and contract wait for their ids.
    ui_only = {k: v for k, v in status.items() if k.startswith(("rule:", "deliverable:"))}
    assert ui_only and set(ui_only.values()) == {"pending"}
    assert status["contact:CS-0007"] == "applied"
    assert status["policy:CS-0007"] == status["contract:CS-0007"] == "pending"
    org_id = outputs["customers"]["CS-0007"]["organization_id"]

    # A person follows the runbook in the UI (here: the emulator's admin surface).
    with project.api() as http:
        admin_url = project.emulator.admin_url
        for field in catalog.CUSTOM_FIELDS:
            http.post(
                f"{admin_url}/customer_fields",
                json={"name": field.name, "field_type": field.field_type, "answers": []},
            ).raise_for_status()
        http.put(
            f"{admin_url}/ticket_preferences",
            json={"create_tickets_from_leads": True, "enable_recurring_tickets": True},
        ).raise_for_status()
        http.post(
            f"{admin_url}/email_rules",
            json={
                "sender": "@acmedental.com",
                "subject_filter": None,
                "customer_id": org_id,
                "assignee_user_id": None,
                "mailbox_id": None,
                "auto_create_contact": True,
                "position": 30,
            },
        ).raise_for_status()
        monthly = next(
            d
            for d in outputs["customers"]["CS-0007"]["deliverables"]
            if d["deliverable"] == "monthly-report"
        )
        assert monthly["subject"] in runbook
        http.post(
            f"{admin_url}/recurring_tickets",
            json={
                "customer_id": org_id,
                "subject": monthly["subject"],
                "problem_type": "Deliverable",
                "user_id": 1001,
                "frequency": "monthly",
                "next_due": monthly["first_due"],
                "lead_days": monthly["lead_days"],
            },
        ).raise_for_status()
    with project.control() as http:
        http.post("/_emulator/clock", json={"now": monthly["first_due"]}).raise_for_status()
    send_mail(project, "carol@acmedental.com")
    run("refresh", "--yes")
    (rule,) = run.resources(":EmailRule")
    assert rule["outputs"]["status"] == "verified"
    statuses = {
        r["outputs"]["deliverable"]: r["outputs"]["status"]
        for r in run.resources(":RecurringTicket")
    }
    assert statuses["monthly-report"] == "verified"
    assert statuses["annual-renewal"] == "pending"
    # Refresh saw the field definitions appear: up now writes the values Syncro dropped,
    # and the runbook shows what is verified.
    run("up", "--yes", "--skip-preview")
    properties = customers_by_email(project)["jane@acmedental.com"]["properties"]
    assert properties["MSP Plan Tier"] == "Standard"
    assert properties["CS Client ID"] == "CS-0007"
    assert {"HUNT_A-KEY", "HUNT_O-KEY"} <= set(properties)
    runbook = json.loads(run("stack", "output", "--json").stdout)["runbook"]
    assert "verified" in runbook
    run("preview", "--expect-no-changes")


def test_unknown_account_manager_is_named_with_the_fix_and_a_rerun_converges(
    tmp_path: Path, emulator
) -> None:
    project = Project(tmp_path / "project", emulator)
    project.add_customer(
        "acme-dental.yaml",
        customer_yaml(
            client_id="CS-0007",
            name="Acme Dental",
            tier="Standard",
            domains=("acmedental.com",),
            account_manager="nobody@cybersuite.tech",
        ),
    )
    run = project.pulumi
    failed = run("up", "--yes", "--skip-preview", check=False)
    assert failed.returncode != 0
    said = failed.stdout + failed.stderr
    assert "CS-0007: account manager 'nobody@cybersuite.tech' is not a Syncro user" in said
    assert "set account_manager in the customer file of CS-0007" in said
    assert admin(project, "recurring_tickets") == [], "no schedule with a wrong assignee"

    project.write_customer(  # the fix the message asks for
        "acme-dental.yaml",
        customer_yaml(
            client_id="CS-0007", name="Acme Dental", tier="Standard", domains=("acmedental.com",)
        ),
    )
    run("up", "--yes", "--skip-preview")
    schedules = admin(project, "recurring_tickets")
    assert len(schedules) == 2 and {s["user_id"] for s in schedules} == {1001}
    assert list(customers_by_email(project)) == ["jane@acmedental.com"], "one organization"
    run("preview", "--expect-no-changes")
