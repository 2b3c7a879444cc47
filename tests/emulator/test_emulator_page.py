"""The `GET /` page, rendered by a real headless Chromium after data is seeded."""

from __future__ import annotations

from pathlib import Path

import httpx

from emulator.testing import EmulatorServer
from tests.browser import chromium
from tests.emulator.conftest import make_customer


def dump_dom(url: str, profile: Path) -> str:
    """The DOM after Chromium has loaded the page (fails, never skips, without Chromium)."""
    result = chromium(profile, "--dump-dom", url, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_page_shows_what_the_ui_would(
    emu: EmulatorServer,
    api: httpx.Client,
    admin: httpx.Client,
    control: httpx.Client,
    tmp_path: Path,
) -> None:
    admin.post("/customer_fields", json={"name": "MSP Plan Tier", "field_type": "text"})
    admin.put("/ticket_preferences", json={"enable_recurring_tickets": True})
    org = make_customer(
        api, "Smith Law LLP", "jane@smithlaw.com", properties={"MSP Plan Tier": "Defense"}
    )
    admin.post(
        "/email_rules", json={"sender": "@smithlaw.com", "customer_id": org["id"], "position": 30}
    ).raise_for_status()
    admin.post(
        "/email_rules",
        json={"sender": "ceo@smithlaw.com", "customer_id": org["id"], "position": 10},
    ).raise_for_status()
    admin.post(
        "/recurring_tickets",
        json={
            "customer_id": org["id"],
            "subject": "Monthly Report <Smith>",
            "problem_type": "Deliverable",
            "user_id": 1001,
            "frequency": "monthly",
            "next_due": "2026-02-01",
            "lead_days": 5,
        },
    ).raise_for_status()
    admin.post(
        "/ticket_automations",
        json={
            "name": "Ack",
            "kind": "acknowledgement",
            "subject_template": "Ticket {{ticket_number}} received",
            "body_template": "x",
        },
    ).raise_for_status()
    sent = control.post(
        "/_emulator/inbound-email",
        json={"from": "bob@smithlaw.com", "to": "help@cybersuite.tech", "subject": "VPN down"},
    ).json()

    dom = dump_dom(emu.root_url + "/", tmp_path / "chromium-profile")
    organizations = dom.split('id="organizations"')[1].split("</section>")[0]
    assert "Smith Law LLP" in organizations and "Defense" in organizations
    assert "MSP Plan Tier" in organizations
    rules = dom.split('id="email-rules"')[1].split("</section>")[0]
    assert rules.index("ceo@smithlaw.com") < rules.index("@smithlaw.com</td>")
    recurring = dom.split('id="recurring-tickets"')[1].split("</section>")[0]
    assert "Monthly Report &lt;Smith&gt;" in recurring and "2026-02-01" in recurring
    tickets = dom.split('id="tickets"')[1].split("</section>")[0]
    assert "VPN down" in tickets and str(sent["ticket_number"]) in tickets
    leads = dom.split('id="leads"')[1].split("</section>")[0]
    assert "bob@smithlaw.com" in leads and "Won" in leads
    outbox = dom.split('id="outbox"')[1].split("</section>")[0]
    assert f"Ticket {sent['ticket_number']} received" in outbox


def test_page_masks_edr_keys(
    emu: EmulatorServer, api: httpx.Client, admin: httpx.Client, tmp_path: Path
) -> None:
    for name in ("HUNT_A-KEY", "HUNT_O-KEY", "MSP Plan Tier"):
        admin.post("/customer_fields", json={"name": name}).raise_for_status()
    make_customer(
        api,
        "Acme",
        "x@acme.com",
        properties={
            "HUNT_A-KEY": "a-secret-1234",
            "HUNT_O-KEY": "o-secret-5678",
            "MSP Plan Tier": "Defense",
        },
    )
    dom = dump_dom(emu.root_url + "/", tmp_path / "profile")
    assert "Defense" in dom and "Acme" in dom
    assert "a-secret-1234" not in dom and "o-secret-5678" not in dom
    assert dom.count("••••••••") == 2
