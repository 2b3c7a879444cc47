"""Runbook mode end to end under the real CLI and policy pack: a person follows the
generated runbook step by step (parsed from the page, exactly as written), mails in,
refreshes, confirms what the API cannot show; then a tier downgrade, a dropped domain
and a removed customer, each removal kept on the books until it is confirmed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import EmulatorServer
from resources.runbook import ParsedStep, parse_steps
from tests.project import Project, customer_yaml
from tests.pulumi_cli import REPO_ROOT

pytestmark = pytest.mark.slow

TOKEN = "runbook-e2e-token"
POLICY = ("--policy-pack", "policies")
FIELD_TYPES = {"Text": "text", "Drop Down": "dropdown", "Date": "date"}
AUTO_CREATE = {"Never": "never", "Always": "always", "Only for existing Customers": "only_existing"}


@pytest.fixture
def emulator(tmp_path: Path):
    with EmulatorServer(
        db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0
    ) as emu:
        yield emu


class Person:
    """Works in Syncro's web UI (here the emulator's UI stand-in) from the page's words only."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def _ui(self, method: str, path: str, **kwargs: Any) -> Any:
        with self.project.api() as http:
            reply = http.request(method, f"{self.project.emulator.admin_url}/{path}", **kwargs)
            reply.raise_for_status()
            return reply.json() if reply.content else None

    def _user_id(self, email: str) -> int:
        with self.project.api() as http:
            for entry in http.get("/users").json()["users"]:
                user_id = entry[0] if isinstance(entry, list) else entry["id"]
                user = http.get(f"/users/{user_id}").json()["user"]
                if user["email"] == email:
                    return int(user_id)
        raise AssertionError(f"no Syncro user {email}")

    @staticmethod
    def _customer_id(text: str) -> int:
        found = re.search(r"Syncro customer id (\d+)", text)
        assert found, f"the runbook names no customer id: {text}"
        return int(found.group(1))

    def perform(self, step: ParsedStep) -> None:
        kind = step.key.split(":", 1)[0]
        v = step.values
        if step.verb == "Delete":
            collection = {"rule": "email_rules", "deliverable": "recurring_tickets"}[kind]
            label, field = (
                ("From email domain", "sender") if kind == "rule" else ("Subject", "subject")
            )
            needle = v.get(f"Find it by {label}") or next(iter(v.values()))
            for obj in self._ui("GET", collection)[collection]:
                if obj[field] == needle:
                    self._ui("DELETE", f"{collection}/{obj['id']}")
            return
        if kind == "field":
            answers = v.get("Answers, in this order", "")
            self._ui(
                "POST",
                "customer_fields",
                json={
                    "name": v["Name"],
                    "field_type": FIELD_TYPES[v["Field type"]],
                    "answers": [a for a in answers.split(", ") if a],
                },
            )
        elif kind == "mailbox":
            (box,) = [
                m for m in self._ui("GET", "mailboxes")["mailboxes"] if m["address"] == v["Address"]
            ]
            self._ui(
                "PUT",
                f"mailboxes/{box['id']}",
                json={
                    "address": v["Address"],
                    "active": v["Active"] == "ON",
                    "auto_create": AUTO_CREATE[v["Automatically Create Tickets"]],
                },
            )
        elif kind == "preferences":
            self._ui(
                "PUT",
                "ticket_preferences",
                json={
                    "create_tickets_from_leads": v["Create Tickets from Leads (If Valid)"] == "ON",
                    "enable_recurring_tickets": v["Enable Recurring Tickets"] == "ON",
                },
            )
        elif kind == "automation":
            self._ui(
                "POST",
                "ticket_automations",
                json={
                    "name": v["Name"],
                    "kind": step.key.split(":", 1)[1],
                    "subject_template": v["Email subject"],
                    "body_template": step.body,
                    "notify": [a for a in v.get("Notify", "").split(", ") if a],
                },
            )
        elif kind == "rule":
            self._ui(
                "POST",
                "email_rules",
                json={
                    "sender": v["From email domain"],
                    "subject_filter": None
                    if v["Subject filter"] == "(empty)"
                    else v["Subject filter"],
                    "customer_id": self._customer_id(v["Assign to Organization"]),
                    "assignee_user_id": None,
                    "mailbox_id": None,
                    "auto_create_contact": v["Auto Create Contact Under Above Customer"] == "ON",
                    "position": int(v["Position"]),
                },
            )
        elif kind == "deliverable":
            self._ui(
                "POST",
                "recurring_tickets",
                json={
                    "customer_id": self._customer_id(v["Customer"]),
                    "subject": v["Subject"],
                    "problem_type": v["Issue Type"],
                    "user_id": self._user_id(v["Assignee"]),
                    "frequency": v["Frequency"].lower(),
                    "next_due": v["Next due date"],
                    "lead_days": int(v["Lead days"].split(" ", 1)[0]),
                },
            )
        else:
            raise AssertionError(f"a step the person cannot follow: {step}")

    def confirm(self, step: ParsedStep) -> None:
        assert step.confirm, f"{step.key} has no confirm command"
        item = step.confirm.split("ITEM=", 1)[1]
        stack = re.search(r"STACK=(\S+)", step.confirm).group(1)
        done = subprocess.run(
            [
                str(REPO_ROOT / ".venv/bin/python"),
                "-m",
                "resources.confirmations",
                "--stack",
                stack,
                "--by",
                "pat@cybersuite.tech",
                "--root",
                str(self.project.root),
                item,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def mail(project: Project, sender: str) -> dict:
    with project.control() as http:
        reply = http.post(
            "/_emulator/inbound-email",
            json={"from": sender, "to": "help@cybersuite.tech", "subject": "Kickoff", "body": "x"},
        )
        reply.raise_for_status()
        return reply.json()


def outputs(project: Project) -> dict:
    return json.loads(project.pulumi("stack", "output", "--json").stdout)


def test_runbook_mode_from_first_up_to_every_item_done(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "project", emulator, admin_mode="runbook")
    run = project.pulumi
    person = Person(project)
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
    # the customer's own email and opens a ticket, which proves nothing about a rule.
    got = mail(project, "jane@smithlaw.com")
    assert got["outcome"] == "ticket" and got["matched_by"] == "customer_email"
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
    assert "deleted" not in up.stdout, up.stdout
    out = outputs(project)
    changes = parse_steps(out["runbook_changes"])
    assert [s.verb for s in changes] == ["Delete"] * 4
    assert changes[0].key == "rule:CS-0042:smithlaw.legal"
    assert out["customers"]["CS-0042"]["status"]["deliverable:CS-0042:qbr"] == "pending-removal"
    assert out["runbook_waiting"] == 4
    # Until confirmed, a second up keeps them on the books and asks nothing new.
    again = run("up", "--yes", "--skip-preview", *POLICY)
    assert "deleted" not in again.stdout
    assert outputs(project)["runbook_waiting"] == 4
    for step in changes:
        person.perform(step)
        person.confirm(step)
    assert [
        r["sender"] for r in project.admin_list("email_rules") if "smithlaw" in r["sender"]
    ] == ["@smithlaw.com"]
    done = run("up", "--yes", "--skip-preview", *POLICY)
    assert "4 deleted" in done.stdout, done.stdout
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
    assert project.admin_list("recurring_tickets") and all(
        "CS-0007" not in t["subject"] for t in project.admin_list("recurring_tickets")
    )
    run("preview", "--expect-no-changes", *POLICY)
