"""After a real `pulumi up` (policy pack on, as `make up` runs it), the scheduler reads the
real stack outputs and opens the deliverables due; a second run opens nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml
from tests.pulumi_cli import REPO_ROOT

pytestmark = pytest.mark.slow

TOKEN = "sched-e2e-token-51c2"


def test_scheduler_after_up(tmp_path: Path) -> None:
    with EmulatorServer(tmp_path / "syncro.db", TOKEN, 0, today="2027-02-15") as emu:
        project = Project(tmp_path / "project", emu, deliverables="scheduler")
        project.add_customer("smith-law.yaml", customer_yaml(go_live="2026-12-01"))
        project.pulumi("up", "--yes", "--skip-preview", "--policy-pack", "policies")

        def scheduler() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "resources.scheduler", "--stack", "local"]
                + ["--today", "2027-02-15", "--lock", str(tmp_path / "lock")],
                cwd=project.root,
                env={**project.pulumi.env, "PYTHONPATH": str(REPO_ROOT)},
                capture_output=True,
                text=True,
                timeout=300,
            )

        # The stack exports the account manager's user id: the run needs no user lookup.
        outputs = json.loads(project.pulumi("stack", "output", "--json").stdout)
        exported = outputs["customers"]["CS-0042"]["deliverables"]
        assert exported and {d.get("user_id") for d in exported} == {1001}
        log = httpx.Client(base_url=f"{emu.root_url}/_emulator", timeout=30)
        log.delete("/requests").raise_for_status()
        first = scheduler()
        assert first.returncode == 0, first.stdout + first.stderr
        paths = [e["path"] for e in log.get("/requests").json()["requests"]]
        log.close()
        assert paths and not [p for p in paths if p.startswith("/api/v1/users")], paths
        with project.api() as http:
            org_id = http.get("/customers").json()["customers"][0]["id"]
            tickets = http.get("/tickets", params={"customer_id": org_id}).json()["tickets"]
        ours = sorted(
            (t["subject"], t["due_date"][:10], t["user_id"])
            for t in tickets
            if " — due " in (t["subject"] or "")
        )
        assert ours == [
            ("[CS-0042] Monthly Report — due 2027-02-01", "2027-02-01", 1001),
            ("[CS-0042] QBR — due 2027-03-01", "2027-03-01", 1001),
        ]
        second = scheduler()
        assert second.returncode == 0 and " 0 opened" in second.stdout, second.stdout
        assert TOKEN not in first.stdout + first.stderr + second.stdout + second.stderr
