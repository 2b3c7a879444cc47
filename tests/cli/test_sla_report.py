"""`syncro-onboard sla-report`: breaches against each tier's terms, table, JSON and page."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from emulator.testing import EmulatorServer
from resources import catalog
from tests.cli.conftest import OUTPUT_DIR, TOKEN, run_cli, seed
from tests.cli.test_status_page import screenshot_and_dom
from tests.project import Project, customer_yaml

TZ = timezone(timedelta(hours=-8))
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=TZ)


def _org(emu: EmulatorServer, name: str, cid: str, tier: str) -> int:
    syncro = emu.emulator.syncro
    known = {f["name"] for f in syncro.store.all("customer_fields")}
    for f in catalog.CUSTOM_FIELDS:
        if f.name not in known:
            syncro["customer_fields"].create({"name": f.name, "field_type": f.field_type})
    slug = name.split()[0].lower()
    made = syncro["customers"].create(
        {
            "business_name": name,
            "email": f"it@{slug}.com",
            "properties": {catalog.FIELD_CLIENT_ID: cid, catalog.FIELD_TIER: tier},
        }
    )
    return made["id"]


def _ticket(
    emu,
    org: int,
    problem: str,
    reply_h: float | None,
    resolved_h: float | None,
    hidden_first: bool = False,
) -> int:
    """A ticket opened at T0 with a customer mail, maybe a private note, a staff reply."""
    syncro = emu.emulator.syncro
    stamp = lambda h: (T0 + timedelta(hours=h)).isoformat(timespec="milliseconds")  # noqa: E731
    ticket = syncro["tickets"].create(
        {
            "customer_id": org,
            "subject": "x",
            "problem_type": problem,
            "status": "Resolved" if resolved_h is not None else "In Progress",
        },
        created_at=stamp(0),
        resolved_at=stamp(resolved_h) if resolved_h is not None else None,
    )
    comments = [(0, None, False)]
    if hidden_first:
        comments.append((0.1, 1001, True))  # a private note is no response to the customer
    if reply_h is not None:
        comments.append((reply_h, 1002, False))
    for hours, user, hidden in comments:
        syncro.store.insert(
            "comments",
            {
                "ticket_id": ticket["id"],
                "subject": "c",
                "body": "b",
                "tech": None,
                "hidden": hidden,
                "user_id": user,
                "created_at": stamp(hours),
                "updated_at": stamp(hours),
            },
        )
    return ticket["number"]


def test_breaches_against_tier_terms_and_overrides(project: Project, emu) -> None:
    standard = _org(emu, "Acme Dental", "CS-0107", "Standard")
    defense = _org(emu, "Smith Law LLP", "CS-0042", "Defense")
    sentinel = _org(emu, "Northwind Capital", "CS-0213", "Sentinel")
    odd = _org(emu, "Gold Corp", "CS-0999", "Gold")
    late_reply = _ticket(emu, standard, "Hardware", 30, 40)
    late_fix = _ticket(emu, standard, "Software", 2, 60)
    _ticket(emu, standard, "Network", 2, 60)  # complex: 72 h allowed
    late_notice = _ticket(emu, defense, "Security Incident", 2, 10, hidden_first=True)
    _ticket(emu, defense, "Security Incident", 0.5, 10)
    slow_for_override = _ticket(emu, sentinel, "Hardware", 5, 10)
    _ticket(emu, odd, "Hardware", 1, 2)
    # Northwind's file promises acknowledgement within 4 hours (tier: 24).
    project.write_customer(
        "northwind.yaml",
        customer_yaml(
            client_id="CS-0213",
            name="Northwind Capital",
            tier="Sentinel",
            domains=("northwind.com",),
            sla={"acknowledgement_hours": 4},
        ),
    )
    code, out = run_cli(
        project,
        "sla-report",
        "--since",
        "2026-05-01",
        "--json",
        "--customers",
        str(project.customers),
    )
    assert code == 0, out
    report = json.loads(out)
    found = {(b["ticket_number"], b["kind"]): b for b in report["breaches"]}
    assert set(found) == {
        (late_reply, "first response"),
        (late_fix, "resolution"),
        (late_notice, "notification"),
        (slow_for_override, "first response"),
    }
    assert found[(late_reply, "first response")]["terms"] == "target"  # Standard: informal
    assert found[(late_notice, "notification")]["terms"] == "contract"
    assert found[(late_notice, "notification")]["allowed_hours"] == 1
    assert found[(late_notice, "notification")]["took_hours"] == 2.0  # the private note is not it
    assert found[(slow_for_override, "first response")]["allowed_hours"] == 4
    rows = {c["client_id"]: c for c in report["customers"]}
    assert rows["CS-0107"]["terms"] == "target" and rows["CS-0042"]["incidents"] == 2
    assert "CS-0999" not in rows and any("'Gold'" in s for s in report["skipped"])
    code, table = run_cli(
        project, "sla-report", "--since", "2026-05-01", "--customers", str(project.customers)
    )
    assert code == 0 and "target" in table and "breaches" in table


def test_sla_page_of_a_seeded_tenant_charts_breaches(project: Project, emu, tmp_path) -> None:
    seed(emu, customers=30, tickets=150)
    page = OUTPUT_DIR / "sla-report.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    code, out = run_cli(project, "sla-report", "--since", "2025-11-01", "--html", str(page))
    assert code == 0, out
    dom = screenshot_and_dom(page, OUTPUT_DIR / "sla-report.png", tmp_path / "profile")
    chart = dom.split('id="breach-chart"')[1].split("</svg>")[0]
    assert chart.count('class="breach"') >= 5  # one bar per month of history
    breaches = dom.split('id="breaches"')[1].split("</table>")[0]
    assert breaches.count("<tr>") > 5 and "notification" in breaches and "target" in breaches
    assert (OUTPUT_DIR / "sla-report.png").stat().st_size > 5000


def test_installed_console_script_reads_the_stack_through_env_sh(project: Project, emu) -> None:
    """`.venv/bin/syncro-onboard` as `make sla-report` runs it (scripts/env.sh, real CLI)."""
    seed(emu, customers=5, tickets=20)
    script = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "syncro-onboard"
    env = project.pulumi.env  # its PULUMI_BACKEND_URL (the test's state) wins over env.sh's
    done = subprocess.run(
        [str(script), "sla-report", "--stack", "local", "--since", "2025-01-01", "--json"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["customers"] and report["api_requests"] >= 2
    assert TOKEN not in done.stdout + done.stderr  # the token is never printed
