"""Preview shows exactly what up will do (issue 12 item 6): the counts `preview` prints
equal those `up` then performs, on the scenarios of the e2e tests, policy pack on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "preview-up-token-8d2e"
PACK = ("--policy-pack", "policies")


@pytest.fixture
def emulator(tmp_path: Path):
    with EmulatorServer(db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0) as e:
        yield e


def counts(summary: dict) -> dict[str, int]:
    # "read" is the runbook ledger's StackReference to this stack's previous outputs
    # (resources/runbook_stack.py): a read, never a change to Syncro or to the state.
    return {op: n for op, n in summary.items() if op not in ("same", "read") and n}


def preview_then_up(project: Project) -> tuple[dict[str, int], dict[str, int]]:
    preview = json.loads(project.pulumi("preview", *PACK, "--json").stdout)
    project.pulumi("up", "--yes", "--skip-preview", *PACK)
    history = json.loads(project.pulumi("stack", "history", "--json").stdout)
    return counts(preview["changeSummary"]), counts(history[0]["resourceChanges"])


@pytest.mark.parametrize("admin_mode", ["api", "runbook"])
def test_preview_counts_equal_up_counts(tmp_path: Path, emulator, admin_mode: str) -> None:
    project = Project(tmp_path / "project", emulator, admin_mode=admin_mode)
    standard = customer_yaml(tier="Standard", domains=("smithlaw.com",))
    project.add_customer("smith-law.yaml", standard)
    project.add_customer(
        "acme-dental.yaml",
        customer_yaml(client_id="CS-0007", name="Acme Dental", domains=("acmedental.com",)),
    )
    first_preview, first_up = preview_then_up(project)
    assert first_preview == first_up

    # Standard -> Defense plus a domain ("+4 ~4" previewed, "+4 ~1" done before the fix).
    project.write_customer(
        "smith-law.yaml",
        {**standard, "tier": "Defense", "domains": ["smithlaw.com", "smithlaw.legal"]},
    )
    previewed, done = preview_then_up(project)
    assert previewed == done, f"preview said {previewed}, up did {done}"
    assert done.get("create", 0) >= 4

    # A domain removed and a notes change: updates and deletes line up too.
    project.write_customer("smith-law.yaml", {**standard, "tier": "Defense", "notes": "VIP"})
    previewed, done = preview_then_up(project)
    assert previewed == done, f"preview said {previewed}, up did {done}"

    # Nothing changed: nothing previewed, nothing done.
    previewed, done = preview_then_up(project)
    assert previewed == done == {}
