"""`syncro-onboard diagnose`: the right first failure for each broken set-up."""

from __future__ import annotations

import httpx
import pytest

from tests.cli.conftest import run_cli
from tests.project import Project

MAILBOX = "help@cybersuite.tech"


def _working_setup(project: Project) -> dict[str, int]:
    """What `make up` leaves in api mode for Smith Law and Acme Dental, made by hand."""
    ids: dict[str, int] = {}
    with project.api() as api:
        for name, email in (
            ("Smith Law LLP", "jane@smithlaw.com"),
            ("Acme Dental", "maria@acmedental.com"),
        ):
            made = api.post("/customers", json={"business_name": name, "email": email})
            ids[name] = made.raise_for_status().json()["customer"]["id"]
    admin = httpx.Client(
        base_url=project.emulator.admin_url,
        headers={"Authorization": f"Bearer {project.emulator.token}"},
        timeout=10,
    )
    with admin:
        admin.put("/mailboxes/201", json={"auto_create": "only_existing"}).raise_for_status()
        for domain, name in (("smithlaw.com", "Smith Law LLP"), ("acmedental.com", "Acme Dental")):
            admin.post(
                "/email_rules",
                json={
                    "sender": f"@{domain}",
                    "customer_id": ids[name],
                    "position": 30,
                    "auto_create_contact": True,
                },
            ).raise_for_status()
    return ids


def _admin(project: Project) -> httpx.Client:
    return httpx.Client(
        base_url=project.emulator.admin_url,
        headers={"Authorization": f"Bearer {project.emulator.token}"},
        timeout=10,
    )


def _mail(project: Project, sender: str) -> dict:
    with project.control() as http:
        return http.post(
            "/_emulator/inbound-email",
            json={"from": sender, "to": MAILBOX, "subject": "Test", "body": "test"},
        ).json()


def test_a_working_setup_passes_every_check(project: Project) -> None:
    _working_setup(project)
    sent = _mail(project, "bob@smithlaw.com")
    assert sent["ticket_id"]
    code, out = run_cli(project, "diagnose", "bob@smithlaw.com")
    assert code == 0, out
    assert "no check failed" in out and f"#{sent['lead_id']}" in out and "Won" in out


def _break_mailbox(project: Project, ids: dict[str, int]) -> str:
    with _admin(project) as admin:
        admin.put("/mailboxes/201", json={"active": False}).raise_for_status()
    return "bob@smithlaw.com"


def _break_switch(project: Project, ids: dict[str, int]) -> str:
    with _admin(project) as admin:
        admin.put("/ticket_preferences", json={"create_tickets_from_leads": False})
    return "bob@smithlaw.com"


def _no_rule(project: Project, ids: dict[str, int]) -> str:
    with _admin(project) as admin:
        rule = next(
            r
            for r in admin.get("/email_rules").json()["email_rules"]
            if r["sender"] == "@smithlaw.com"
        )
        admin.delete(f"/email_rules/{rule['id']}").raise_for_status()
    return "bob@smithlaw.com"


def _shadowed(project: Project, ids: dict[str, int]) -> str:
    with _admin(project) as admin:
        # The CEO's own rule for Smith Law, below a broad rule someone typed for Acme.
        admin.post(
            "/email_rules",
            json={
                "sender": "ceo@smithlaw.com",
                "customer_id": ids["Smith Law LLP"],
                "position": 40,
            },
        )
        admin.post(
            "/email_rules",
            json={"sender": "@smithlaw.com", "customer_id": ids["Acme Dental"], "position": 5},
        )
    return "ceo@smithlaw.com"


def _other_domain(project: Project, ids: dict[str, int]) -> str:
    return "bob@smithlaw.net"


@pytest.mark.parametrize(
    ("breakage", "first_failure", "words"),
    [
        (_break_mailbox, "support mailbox exists and is active", "inactive"),
        (_break_switch, "Create Tickets from Leads (If Valid)", "switched off"),
        (_no_rule, "a rule matches the sender", "no rule matches @smithlaw.com"),
        (_shadowed, "a rule matches the sender", "is shadowed by rule"),
        (_other_domain, "a rule matches the sender", "looks like @smithlaw.com"),
    ],
    ids=["mailbox-inactive", "master-switch-off", "no-rule", "shadowed-rule", "other-domain"],
)
def test_names_the_first_failing_check(project: Project, breakage, first_failure, words) -> None:
    ids = _working_setup(project)
    _mail(project, "someone@acmedental.com")  # other mail arrives: forwarding works
    sender = breakage(project, ids)
    _mail(project, sender)  # refused by an inactive mailbox: no lead then
    code, out = run_cli(project, "diagnose", sender)
    assert code == 1, out
    line = next(x for x in out.splitlines() if x.startswith("first failing check:"))
    assert line.startswith(f"first failing check: {first_failure}"), out
    assert words in out, out
    assert "fix:" in out


def test_an_unknown_stack_or_a_wrong_token_stops_with_the_fix(project: Project) -> None:
    code, out = run_cli(project, "status", "--stack", "nosuch")
    assert code == 2 and "nosuch" in out
    project.config("syncro:apiToken", "wrong-token-value", secret=True)
    code, out = run_cli(project, "diagnose", "bob@smithlaw.com")
    assert code == 2 and "pulumi config set --secret syncro:apiToken" in out, out
    assert "wrong-token-value" not in out
    assert len(project.requests()) == 1  # the client learns a wrong token in one request
