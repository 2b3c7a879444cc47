"""`python -m emulator seed` and `syncro-onboard import` against the in-process emulator."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from emulator.model import Syncro
from emulator.store import Store
from resources.spec import load_customers
from tests.cli.conftest import import_cli, last_seq, requests_since, run_cli, seed
from tests.project import Project

REPO = Path(__file__).resolve().parents[2]


def _seed_db(db: Path) -> subprocess.CompletedProcess[str]:
    """`python -m emulator seed` on a database of its own: 40 organizations, 80 tickets."""
    args = ["--db", str(db), "--customers", "40", "--tickets", "80", "--seed", "5"]
    return subprocess.run(
        [sys.executable, "-m", "emulator", "seed", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )


def test_seed_command_fills_a_tenant_with_imperfect_organizations(tmp_path: Path) -> None:
    db = tmp_path / "seed.db"
    done = _seed_db(db)
    assert "seeded 40 organizations" in done.stdout
    store = Store(db)
    try:
        syncro = Syncro(store)
        customers = store.all("customers")
        assert len(customers) == 40
        assert any("CS Client ID" not in c["properties"] for c in customers)
        assert any(c["email"].endswith("@gmail.com") for c in customers)
        assert any(c["properties"].get("MSP Plan Tier") == "Gold" for c in customers)
        domains = [c["properties"].get("Primary Domain") for c in customers]
        assert len([d for d in domains if d]) > len({d for d in domains if d})  # a duplicate
        assert any(c["disabled"] for c in customers)
        assert {lead["status"] for lead in store.all("leads")} == {
            "New",
            "In Progress",
            "Won",
            "Lost",
        }
        tickets = store.all("tickets")
        opened = sorted(datetime.fromisoformat(t["created_at"]) for t in tickets)
        assert len(tickets) == 80 and opened[-1] - opened[0] > timedelta(days=90)  # months
        assert all(syncro["tickets"].comments_of(t["id"]) for t in tickets)
        late = [
            t
            for t in tickets
            if any(
                c["user_id"]
                and datetime.fromisoformat(c["created_at"])
                - datetime.fromisoformat(t["created_at"])
                > timedelta(hours=24)
                for c in syncro["tickets"].comments_of(t["id"])[1:2]
            )
        ]
        assert late  # some tickets breach the 24-hour acknowledgement
        # Same seed, same tenant.
        again = tmp_path / "again.db"
        _seed_db(again)
        other = Store(again)
        assert [c["business_name"] for c in other.all("customers")] == [
            c["business_name"] for c in customers
        ]
        other.close()
    finally:
        store.close()


def _record_argv(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every command line a subprocess is started with, from here on (ps shows them)."""
    seen: list[list[str]] = []
    real_run = subprocess.run

    def run(args, *more, **options):
        seen.append([str(a) for a in args])
        return real_run(args, *more, **options)

    monkeypatch.setattr(subprocess, "run", run)
    return seen


def test_import_writes_adoptable_files_and_names_every_gap(
    project: Project, emu, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = seed(emu, customers=20, tickets=0)
    argv = _record_argv(monkeypatch)
    code, out = import_cli(project)
    monkeypatch.undo()
    assert code == 0, out
    written = sorted(project.customers.glob("*.yaml"))
    blocked = {cid for ids in report.imperfect.values() for cid in ids}
    # The organization before each duplicate loses its domain too: both are listed.
    assert 0 < len(written) <= len(report.customers) - len(blocked)
    specs = load_customers(project.customers)  # every written file is valid as it stands
    assert all(spec.adopt for spec in specs)
    assert "CS Client ID is '(empty)'" in out
    assert "free mail" in out and "gmail.com" in out
    assert "claimed by 2 organizations" in out
    assert "'Gold'" in out
    assert "archived in Syncro" in out
    for path in written:
        text = path.read_text()
        assert "seed-acct" not in text and "seed-org" not in text  # EDR keys never in YAML
    config = json.loads(project.pulumi("config", "--json", "--show-secrets").stdout)
    keys = config["syncro:edrKeys"]
    assert keys["secret"] is True
    stored = keys["objectValue"]
    assert {spec.client_id for spec in specs} <= set(stored)
    for spec in specs:
        assert stored[spec.client_id]["account"].startswith("seed-acct-")
        assert stored[spec.client_id]["org"].startswith("seed-org-")
    plain = (project.root / "Pulumi.local.yaml").read_text()
    assert "seed-acct" not in plain  # encrypted in the stack file
    # Stored by `pulumi config set --secret --path` runs, each key on stdin: no key on
    # any command line (argv is world-readable: ps, /proc/PID/cmdline).
    sets = [a for a in argv if a[1:3] == ["config", "set"]]
    assert len(sets) == 2 * len(specs), argv
    secrets = {v for pair in stored.values() for v in pair.values()}
    assert secrets and not any(s in arg for a in argv for arg in a for s in secrets)
    # A second import finds every organization described: nothing new is written.
    code, again = import_cli(project)
    assert code == 0 and "writes 0 files" in again, again


def test_import_without_account_manager_or_fields_writes_nothing(project: Project, emu) -> None:
    seed(emu, customers=5, tickets=0)
    code, out = run_cli(project, "import", "--out", str(project.customers))
    assert code == 0
    assert "account_manager" in out and "--account-manager" in out
    assert list(project.customers.glob("*.yaml")) == []


def test_dry_run_writes_nothing_and_stores_no_key(project: Project, emu) -> None:
    seed(emu, customers=8, tickets=0)
    code, out = import_cli(project, "--dry-run")
    assert code == 0 and "would write" in out
    assert list(project.customers.glob("*.yaml")) == []
    config = json.loads(project.pulumi("config", "--json").stdout)
    assert "syncro:edrKeys" not in config


def test_import_of_500_organizations_reads_21_pages_within_the_limit(project: Project, emu) -> None:
    """The reads at scale (a dry run: storing 450 keys costs a CLI run each, about 5 min,
    and is shown at 20 organizations above and measured by bench/day_two_figures.py)."""
    seed(emu, customers=500, tickets=0)
    since = last_seq(project)
    started = time.monotonic()
    code, out = import_cli(project, "--dry-run")
    elapsed = time.monotonic() - started
    assert code == 0, out
    made = requests_since(project, since)
    pages = [r for r in made if r["path"] == "/api/v1/customers"]
    assert len(pages) == 20  # 25 a page
    assert len(made) == 21, [r["path"] for r in made]  # plus GET /settings
    assert all(r["status"] == 200 for r in made)  # no 429 under the real 180/min
    # 4 x 50 imperfect, 50 more losing their domain to a duplicate, 25 archived: listed
    files = 500 - 4 * 50 - 50 - 25
    assert f"500 organizations read in 21 requests: would write {files} files" in out
    print(f"import of 500 organizations: {len(made)} requests, {files} files, {elapsed:.1f} s")


@pytest.mark.slow
def test_up_after_import_adopts_and_creates_no_organization(project: Project, emu) -> None:
    seed(emu, customers=6, tickets=4)
    before = len(project.customers_in_syncro())
    code, out = import_cli(project)
    assert code == 0, out
    imported = load_customers(project.customers)
    assert imported
    # The real CLI and engine, policy pack on, as `make preview` / `make up` run them
    # (run this test under `flock /tmp/engine.lock`, like every engine test).
    preview = project.pulumi("preview", "--policy-pack", "policies", "--json")
    steps = json.loads(preview.stdout)["steps"]
    orgs = [s for s in steps if "syncro:Organization" in s["urn"]]
    # Dynamic resources cannot be `pulumi import`ed: each shows as a create whose
    # provider adopts the existing record (adopt: true) instead of making a new one.
    assert len(orgs) == len(imported) and {s["op"] for s in orgs} == {"create"}
    project.pulumi("up", "--yes", "--policy-pack", "policies", "--suppress-outputs")
    after = project.customers_in_syncro()
    assert len(after) == before
    by_email = {c["email"].lower(): c for c in after}
    for spec in imported:
        assert by_email[spec.main_poc.email.lower()]["properties"]["CS Client ID"] == spec.client_id
    # Day two on the real stack outputs: one row per imported customer, bounded reads.
    code, out = run_cli(project, "status", "--json")
    assert code == 0, out
    status = json.loads(out)
    assert {row["client_id"] for row in status["customers"]} == {s.client_id for s in imported}
    assert all(row["organization"] == "active" for row in status["customers"])
    assert all(row["rules"] for row in status["customers"])
    # customers (1 page) + settings + leads (1 page) + tickets of the window (1 page):
    # pages only, never a read per customer (STATUS_REQUESTS)
    assert status["api_requests"] == 4


def test_set_edr_keys_reads_the_keys_from_stdin(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What scripts/set-edr-keys runs: the keys arrive on stdin and leave on stdin."""
    from typer.testing import CliRunner

    from onboard_cli.app import app
    from onboard_cli.stack import PulumiCli

    argv = _record_argv(monkeypatch)
    result = CliRunner().invoke(
        app,
        ["set-edr-keys", "CS-0777", "--stack", "local"],
        input="acct-777-secret\norg-777-secret\n",
        obj=PulumiCli(project.root, env=project.pulumi.env),
        catch_exceptions=False,
    )
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert "stored HUNT_A-KEY and HUNT_O-KEY for CS-0777" in result.output
    assert "777-secret" not in result.output
    assert not any("777-secret" in arg for a in argv for arg in a), argv
    config = json.loads(project.pulumi("config", "--json", "--show-secrets").stdout)
    assert config["syncro:edrKeys"]["objectValue"]["CS-0777"] == {
        "account": "acct-777-secret",
        "org": "org-777-secret",
    }
