"""`python -m resources.scheduler` end to end: the real Pulumi CLI for the stack config
and the stack outputs (imported into a throwaway stack, no engine run), the emulator
for Syncro."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.deliverables.conftest import TOKEN, make_sla, onboard
from tests.pulumi_cli import REPO_ROOT, PulumiRun, pulumi_env


@pytest.fixture
def stack(tmp_path: Path, emu, client):
    """A `local` stack pointed at the emulator whose `customers` output holds two
    customers, as `pulumi up` would have left it."""
    root = tmp_path / "project"
    (root / "state").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    pulumi = PulumiRun(root, pulumi_env(root / "state"))
    pulumi.init()
    pulumi("config", "set", "syncro:baseUrl", emu.base_url)
    pulumi("config", "set", "--secret", "syncro:apiToken", TOKEN)
    sla_id = make_sla(emu)
    pulumi("config", "set", "--path", "syncro:tierSlas.Defense", str(sla_id))
    customers = onboard(
        client,
        [("CS-0042", "Defense", date(2026, 12, 1)), ("CS-0107", "Standard", date(2026, 12, 15))],
    )
    pulumi.import_outputs({"admin_mode": "api", "customers": customers}, "2026-12-01T00:00:00Z")
    return root, pulumi, sla_id


def run(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "resources.scheduler", "--stack", "local", *args],
        cwd=root,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_module_command_opens_once_and_never_prints_the_token(
    stack, client, control, tmp_path
) -> None:
    root, pulumi, sla_id = stack
    control.set_clock(date(2027, 2, 15))  # --today is Syncro's date (see the README)
    lock = str(tmp_path / "run.lock")
    dry = run(root, pulumi.env, "--today", "2027-02-15", "--dry-run", "--lock", lock)
    assert dry.returncode == 0, dry.stderr
    assert "CS-0042: would open [CS-0042] QBR — due 2027-03-01" in dry.stdout
    assert client.list_tickets() == []

    first = run(root, pulumi.env, "--today", "2027-02-15", "--lock", lock)
    assert first.returncode == 0, first.stderr
    opened = [line for line in first.stdout.splitlines() if " opened #" in line]
    assert len(opened) == len(client.list_tickets()) > 0
    assert first.stdout.splitlines()[-1] == (
        "deliverables 2027-02-15: 7 schedules, 3 due now, 0 already open, 3 opened, "
        "0 duplicates removed, 0 errors; 0 tickets since 2027-01-26; 7 requests"
    )
    again = run(root, pulumi.env, "--today", "2027-02-15", "--lock", lock)
    assert " 0 opened" in again.stdout and len(client.list_tickets()) == len(opened)
    # the tier's SLA from syncro:tierSlas.Defense; Standard has none configured
    slas = {(t["subject"][:9], t["sla_id"]) for t in client.request("GET", "/tickets")["tickets"]}
    assert slas == {("[CS-0042]", sla_id), ("[CS-0107]", None)}
    for proc in (dry, first, again):
        assert TOKEN not in proc.stdout + proc.stderr


def test_a_bad_setting_stops_before_any_request(stack, control) -> None:
    root, pulumi, sla_id = stack
    pulumi("config", "set", "--path", "syncro:tierSlas.Gold", "3")
    seq = control.seq()
    proc = run(root, pulumi.env, "--today", "2027-02-15")
    assert proc.returncode == 2
    assert (
        "syncro:tierSlas.Gold is not a tier" in proc.stderr
        and "Fix: pulumi config rm" in proc.stderr
    )
    assert control.requests_since(seq) == []


def test_native_recurring_mode_does_nothing(stack, client) -> None:
    root, pulumi, sla_id = stack
    pulumi("config", "set", "syncro:deliverables", "syncro")
    proc = run(root, pulumi.env, "--today", "2027-02-15")
    assert proc.returncode == 0 and "nothing to do" in proc.stdout
    assert client.list_tickets() == []
