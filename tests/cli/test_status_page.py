"""`syncro-onboard status`: rows from stack outputs plus bounded reads; the page in Chromium."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx

from onboard_cli import output, pages
from onboard_cli.status import build_status
from resources import catalog
from resources.syncro import SyncroClient
from tests.browser import chromium
from tests.cli.conftest import OUTPUT_DIR, TOKEN, import_outputs, run_cli


def screenshot_and_dom(page: Path, png: Path, profile: Path) -> str:
    """Chromium (headless) saves a screenshot of `page` and returns its DOM."""
    uri = page.resolve().as_uri()
    shot = chromium(
        profile,
        "--hide-scrollbars",
        "--window-size=1600,1000",
        f"--screenshot={png}",
        uri,
        timeout=90,
    )
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    dom = chromium(profile, "--hide-scrollbars", "--dump-dom", uri, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


def _outputs(org_ids: dict[str, int]) -> dict:
    """The stack outputs as contract 4 shapes them; CS-0107 lacks the keys others add later."""

    return {
        "runbook_waiting": 4,
        "customers": {
            "CS-0042": {
                "business_name": "Smith Law LLP",
                "tier": "Defense",
                "organization_id": org_ids["CS-0042"],
                "email_rules": {"smithlaw.com": 301},
                "deliverables": _deliverables("Defense"),
                "status": {
                    "organization": "applied",
                    "rule:CS-0042:smithlaw.com": "verified",
                    "policy:CS-0042": "applied",
                    "contract:CS-0042": "pending",
                    "contact:CS-0042": "applied",
                    "deliverable:CS-0042:monthly-report": "applied",
                },
                "evidence": {"rule:CS-0042:smithlaw.com": "lead #60001 -> ticket #1001"},
            },
            "CS-0107": {
                "business_name": "Acme Dental <&>",
                "tier": "Standard",
                "organization_id": org_ids["CS-0107"],
                "email_rules": {"acmedental.com": 302},
                "deliverables": _deliverables("Standard"),
                "status": {"rule:CS-0107:acmedental.com": "pending"},
            },
        },
    }


def _deliverables(tier: str) -> list[dict]:
    return [
        {
            "deliverable": d.key,
            "subject": f"[x] {d.title}",
            "frequency": d.frequency,
            "first_due": "2026-01-01",
            "lead_days": d.lead_days,
            "assignee": "alex@cybersuite.tech",
        }
        for d in catalog.deliverables_for(tier)
    ]


def test_status_reads_pages_never_one_per_customer(emu) -> None:
    """60 customers, each with its deliverables and a ticket: list pages only, counted
    by STATUS_REQUESTS' formula from the emulator's request log."""
    api = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    customers = {}
    for n in range(60):
        cid = f"CS-{n:04d}"
        org = api.post(
            "/customers",
            json={"business_name": f"Firm {n}", "email": f"pat@firm{n}.example"},
        ).json()["customer"]
        api.post(
            "/tickets",
            json={"customer_id": org["id"], "subject": f"[{cid}] Monthly Report — due 2026-06-01"},
        )
        customers[cid] = {
            "business_name": f"Firm {n}",
            "tier": "Defense",
            "organization_id": org["id"],
            "email_rules": {f"firm{n}.example": 1},
            "deliverables": _deliverables("Defense"),
        }
    seq = max(r["seq"] for r in httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"])
    with SyncroClient(emu.base_url, TOKEN) as client:
        report = build_status(client, {"customers": customers}, None, date(2026, 6, 1))
    made = httpx.get(f"{emu.root_url}/_emulator/requests", params={"since": seq}).json()["requests"]
    paths = [r["path"] for r in made]
    # p(60 organizations) + settings + p(0 leads) + p(60 tickets) = 3 + 1 + 1 + 3
    assert report.requests == len(made) == 8, paths
    assert paths.count("/api/v1/tickets") == 3 and paths.count("/api/v1/customers") == 3
    assert not any("customer_id" in (r["query"] or "") for r in made)
    assert report.tickets_since is not None
    first = report.rows[0]
    monthly = next(d for d in first.deliverables if d.key == "monthly-report")
    assert "due 2026-06-01" in monthly.last_opened


def test_status_rows_and_page(emu, tmp_path: Path) -> None:
    api = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    admin = httpx.Client(base_url=emu.admin_url, headers={"Authorization": f"Bearer {TOKEN}"})
    for f in catalog.CUSTOM_FIELDS:
        admin.post("/customer_fields", json={"name": f.name, "field_type": f.field_type})
    ids = {}
    full = {f.name: "x" for f in catalog.CUSTOM_FIELDS} | {catalog.FIELD_GO_LIVE: "2026-01-01"}
    for cid, name, email, props in (
        ("CS-0042", "Smith Law LLP", "jane@smithlaw.com", full),
        (
            "CS-0107",
            "Acme Dental <&>",
            "maria@acmedental.com",
            {catalog.FIELD_CLIENT_ID: "CS-0107"},
        ),
    ):
        made = api.post(
            "/customers", json={"business_name": name, "email": email, "properties": props}
        ).json()["customer"]
        ids[cid] = made["id"]
    # A Monthly Report occurrence opened and resolved, one overdue, a kickoff mail.
    for due, status in (("2026-03-01", "Resolved"), ("2026-05-01", "New")):
        made = api.post(
            "/tickets",
            json={
                "customer_id": ids["CS-0042"],
                "subject": f"[CS-0042] Monthly Report — due {due}",
                "status": status,
            },
        ).json()["ticket"]
    admin.post(
        "/email_rules",
        json={"sender": "@smithlaw.com", "customer_id": ids["CS-0042"], "position": 30},
    )
    httpx.post(
        f"{emu.root_url}/_emulator/inbound-email",
        json={"from": "bob@smithlaw.com", "to": "help@cybersuite.tech", "subject": "kickoff"},
    )
    seq = max(
        (r["seq"] for r in httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]),
        default=0,
    )
    with SyncroClient(emu.base_url, TOKEN) as client:
        report = build_status(client, _outputs(ids), None, date(2026, 6, 1))
    made = httpx.get(f"{emu.root_url}/_emulator/requests", params={"since": seq}).json()["requests"]
    # 1 customers page + settings + 1 leads page + 1 page of the window's tickets.
    assert report.requests == len(made) == 4, [r["path"] for r in made]
    tickets = [r for r in made if r["path"] == "/api/v1/tickets"]
    assert "created_after=" in tickets[0]["query"] and "customer_id" not in tickets[0]["query"]
    smith, acme = report.rows[0], report.rows[1]
    assert smith.organization == "active" and smith.missing_fields == []
    assert smith.rules == {"smithlaw.com": "verified (lead #60001 -> ticket #1001)"}
    assert smith.policy == "applied" and smith.contract == "pending"
    monthly = next(d for d in smith.deliverables if d.key == "monthly-report")
    assert monthly.next_due == "2026-06-01"
    assert monthly.overdue  # the 2026-05-01 occurrence is still New
    assert "due 2026-05-01" in monthly.last_opened
    assert smith.kickoff.startswith("passed")
    assert acme.policy == "n/a" and acme.contract == "n/a" and acme.contact == "n/a"
    assert catalog.FIELD_TIER in acme.missing_fields and acme.waiting == 1
    html = OUTPUT_DIR / "status.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(pages.status_page(report))
    dom = screenshot_and_dom(html, OUTPUT_DIR / "status.png", tmp_path / "profile")
    table = dom.split('id="status"')[1].split("</table>")[0]
    assert 'data-client-id="CS-0042"' in table and "Acme Dental &lt;&amp;&gt;" in table
    assert "verified (lead #60001" in table and "n/a" in table
    assert (OUTPUT_DIR / "status.png").stat().st_size > 5000
    assert acme.deliverables[0].next_due == "2026-06-01"  # stepped from first_due
    # The README's picture (docs/status.svg, `make status-svg`): the same table as SVG text.
    svg = OUTPUT_DIR / "status.svg"
    output.status_svg(report, svg)
    text = svg.read_text()
    assert text.startswith("<svg") and text.rstrip().endswith("</svg>")
    assert "CS-0042" in text and "Smith&#160;Law&#160;LLP" in text and "OVERDUE" in text


def test_status_svg_command_writes_the_picture(project, emu, tmp_path: Path) -> None:
    """What `make status-svg` runs (`syncro-onboard status --svg FILE`) on a stack's outputs."""
    api = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    ids = {
        cid: api.post(
            "/customers", json={"business_name": name, "email": email, "properties": {}}
        ).json()["customer"]["id"]
        for cid, name, email in (
            ("CS-0042", "Smith Law LLP", "jane@smithlaw.com"),
            ("CS-0107", "Acme Dental", "maria@acmedental.com"),
        )
    }
    import_outputs(project, _outputs(ids))
    svg = tmp_path / "status.svg"
    code, out = run_cli(project, "status", "--svg", str(svg))
    assert code == 0, out
    assert f"image: {svg}" in out.replace("\n", "")
    text = svg.read_text()
    assert text.startswith("<svg") and "CS-0107" in text and "syncro-onboard" in text
