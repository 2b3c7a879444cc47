"""Runbook mode end to end under the real CLI and policy pack: a person follows the
generated runbook step by step (parsed from the page, exactly as written), mails in,
refreshes, confirms what the API cannot show; then a tier downgrade, a dropped domain
and a removed customer, each removal kept on the books until it is confirmed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emulator.spec_paths import requests_outside_spec
from emulator.testing import EmulatorServer
from resources.runbook import parse_steps
from tests.project import Project, customer_yaml
from tests.runbook_person import Person

pytestmark = pytest.mark.slow

TOKEN = "runbook-e2e-token"
POLICY = ("--policy-pack", "policies")


@pytest.fixture
def emulator(tmp_path: Path):
    # Strict: the program's token reaches only Syncro's published API; UI-only objects
    # exist only on the person's surface, as in Syncro's web UI.
    with EmulatorServer(
        db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0, strict=True
    ) as emu:
        yield emu


def mail(project: Project, sender: str) -> dict:
    with project.control() as http:
        reply = http.post(
            "/_emulator/inbound-email",
            json={"from": sender, "to": "help@cybersuite.tech", "subject": "Kickoff", "body": "x"},
        )
        reply.raise_for_status()
        return reply.json()


def resources_line(stdout: str) -> str:
    """The engine's summary of what it did ("Resources: ~ 5 updated ..."), not the outputs."""
    return stdout.rsplit("Resources:", 1)[-1].split("Duration:", 1)[0]


def outputs(project: Project) -> dict:
    return json.loads(project.pulumi("stack", "output", "--json").stdout)


def test_runbook_mode_from_first_up_to_every_item_done(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "project", emulator, admin_mode="runbook")
    run = project.pulumi
    emu = project.emulator
    person = Person(project.root, emu.person_url, emu.person_token, emu.base_url, emu.token)
    project.add_customer("smith-law.yaml", customer_yaml())
    acme = customer_yaml(
        client_id="CS-0007", name="Acme Dental", tier="Standard", domains=("acmedental.com",)
    )
    project.add_customer("acme-dental.yaml", acme)

    preview = run("preview", *POLICY)
    assert (project.root / "runbooks/local.preview.md").exists()
    assert (
        "Add email rule @smithlaw.legal" in (project.root / "runbooks/local.preview.md").read_text()
    )
    del preview
    run("up", "--yes", "--skip-preview", *POLICY)
    out = outputs(project)
    assert out["runbook_waiting"] == len(out["ui_ledger"]) == 10 + 4 + 3 + 7
    changes = (project.root / "runbooks/local.changes.md").read_text()
    assert changes == out["runbook_changes"]
    assert [s.verb for s in parse_steps(changes)] == ["Add"] * out["runbook_waiting"]

    # False positive: the main contact mails in before any rule exists. Syncro matches
    # the main contact (an End User since issue 13; before, the customer's own email)
    # and opens a ticket, which proves nothing about a rule.
    got = mail(project, "jane@smithlaw.com")
    assert got["outcome"] == "ticket" and got["matched_by"] == "contact"
    run("refresh", "--yes")
    run("preview", *POLICY)  # make runbook: the page again from the refreshed state
    status = outputs(project)["customers"]["CS-0042"]["status"]
    assert status["rule:CS-0042:smithlaw.com"] == "pending"
    page = (project.root / "runbooks/local.md").read_text()
    assert "Add email rule @smithlaw.com (Smith Law LLP, CS-0042) (status: `pending`)" in page

    # The person works through the full runbook exactly as written.
    steps = parse_steps(page)
    assert len(steps) == 24
    for step in steps:
        person.perform(step)
    # Kickoff: a fresh address at each domain (never a contact, never a customer email).
    for domain in ("smithlaw.com", "smithlaw.legal", "acmedental.com"):
        got = mail(project, f"kickoff-check@{domain}")
        assert got["matched_by"] == "email_rule", got
        assert got["contact_created"] is True
    run("refresh", "--yes")
    run("preview", *POLICY)
    page = (project.root / "runbooks/local.md").read_text()
    for step in parse_steps(page):
        if step.confirm:
            person.confirm(step)
    run("up", "--yes", "--skip-preview", *POLICY)  # field values, now that fields exist
    out = outputs(project)
    smith = out["customers"]["CS-0042"]
    assert smith["status"]["rule:CS-0042:smithlaw.com"] == "verified"
    assert re.match(
        r"lead \d+ from kickoff-check@smithlaw.com on \d{4}-\d\d-\d\d",
        smith["evidence"]["rule:CS-0042:smithlaw.com"],
    )
    assert smith["status"]["deliverable:CS-0042:qbr"] == "confirmed"
    assert "confirmed by pat@cybersuite.tech" in smith["evidence"]["deliverable:CS-0042:qbr"]
    assert out["runbook_waiting"] == 0, out["runbook"]
    assert "make confirm" in out["runbook"]

    # Downgrade Defense -> Standard and drop smithlaw.legal: nothing is reported deleted.
    project.write_customer(
        "smith-law.yaml", customer_yaml(tier="Standard", domains=("smithlaw.com",))
    )
    up = run("up", "--yes", "--skip-preview", *POLICY)
    assert "deleted" not in resources_line(up.stdout), up.stdout
    out = outputs(project)
    changes = parse_steps(out["runbook_changes"])
    assert [s.verb for s in changes] == ["Delete"] * 4
    assert changes[0].key == "rule:CS-0042:smithlaw.legal"
    assert out["customers"]["CS-0042"]["status"]["deliverable:CS-0042:qbr"] == "pending-removal"
    assert out["runbook_waiting"] == 4
    # Until confirmed, a second up keeps them on the books and asks nothing new.
    again = run("up", "--yes", "--skip-preview", *POLICY)
    assert "deleted" not in resources_line(again.stdout)
    assert outputs(project)["runbook_waiting"] == 4
    for step in changes:
        person.perform(step)
        person.confirm(step)
    assert [r["sender"] for r in person.list("email_rules") if "smithlaw" in r["sender"]] == [
        "@smithlaw.com"
    ]
    done = run("up", "--yes", "--skip-preview", *POLICY)
    assert "- 4 deleted" in resources_line(done.stdout), done.stdout
    assert outputs(project)["runbook_waiting"] == 0

    # A removed customer: its organization goes through the API, its UI objects wait.
    (project.customers / "acme-dental.yaml").unlink()
    run("up", "--yes", "--skip-preview", *POLICY)
    out = outputs(project)
    assert out["customers"]["CS-0007"]["removed"] is True
    assert set(out["customers"]["CS-0007"]["status"].values()) == {"pending-removal"}
    removals = parse_steps(out["runbook_changes"])
    assert len(removals) == 3
    for step in removals:
        person.perform(step)
        person.confirm(step)
    run("up", "--yes", "--skip-preview", *POLICY)
    out = outputs(project)
    assert "CS-0007" not in out["customers"]
    assert out["runbook_waiting"] == 0
    assert person.list("recurring_tickets") and all(
        "CS-0007" not in t["subject"] for t in person.list("recurring_tickets")
    )
    run("preview", "--expect-no-changes", *POLICY)
    # Everything the program asked of Syncro is in Syncro's published API.
    assert requests_outside_spec(project.requests()) == []
    assert {r["surface"] for r in project.requests()} >= {"public", "person"}
