"""`syncro-onboard deliverables` (sched's scheduler) and `status` through real stack outputs."""

from __future__ import annotations

import json
from datetime import date

from resources.syncro import SyncroClient
from tests.cli.conftest import TOKEN, import_outputs, run_cli
from tests.deliverables.conftest import onboard
from tests.project import Project


def test_deliverables_opens_what_is_due_and_status_shows_it(project: Project, emu) -> None:
    with SyncroClient(emu.base_url, TOKEN) as client:
        customers = onboard(client, [("CS-0042", "Defense", date(2026, 12, 1))])
    import_outputs(project, {"admin_mode": "api", "customers": customers, "runbook_waiting": 0})
    with project.control() as http:  # Syncro's clock and the run's day agree
        http.post("/_emulator/clock", json={"now": "2027-02-15"}).raise_for_status()
    code, out = run_cli(project, "deliverables", "--today", "2027-02-15", "--dry-run")
    assert code == 0 and "would open [CS-0042] QBR — due 2027-03-01" in out, out
    code, out = run_cli(project, "deliverables", "--today", "2027-02-15")
    assert code == 0 and "opened #" in out and "QBR — due 2027-03-01" in out, out
    with project.api() as api:
        subjects = [t["subject"] for t in api.get("/tickets").json()["tickets"]]
    assert "[CS-0042] QBR — due 2027-03-01" in subjects
    code, out = run_cli(project, "deliverables", "--today", "2027-02-15")
    assert code == 0 and "0 opened" in out  # a second run opens nothing twice
    code, out = run_cli(project, "status", "CS-0042", "--json")
    assert code == 0, out
    [row] = json.loads(out)["customers"]
    qbr = next(d for d in row["deliverables"] if d["key"] == "qbr")
    assert "due 2027-03-01" in qbr["last_opened"]
    assert row["policy"] == "n/a"  # keys other parts add later
