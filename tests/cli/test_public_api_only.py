"""Against a strict emulator (published API only) in runbook mode, as against real Syncro."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.spec_paths import requests_outside_spec
from emulator.testing import EmulatorServer
from tests.cli.conftest import TOKEN, import_cli, run_cli, seed
from tests.emulators import serve
from tests.project import Project


@pytest.fixture
def strict_emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    yield from serve(
        tmp_path, TOKEN, "strict.db", rate_limit_per_minute=180, today="2026-06-01", strict=True
    )


def test_every_command_uses_only_the_published_api(strict_emu, tmp_path: Path) -> None:
    project = Project(tmp_path / "project", strict_emu, admin_mode="runbook")
    seed(strict_emu, customers=12, tickets=40)
    code, out = import_cli(project, "--dry-run")
    assert code == 0, out
    code, out = run_cli(project, "sla-report", "--since", "2025-01-01", "--json")
    assert code == 0 and json.loads(out)["customers"], out
    code, out = run_cli(project, "diagnose", "jane@nowhere.example")
    assert code == 1, out
    # Runbook mode: what the API cannot show is said so, never guessed.
    assert "cannot be seen through the API" in out or "inferred" in out
    assert "switched on" not in out and "switched off" not in out
    code, out = run_cli(project, "status", "--json")
    assert code == 0, out
    made = project.requests()
    assert made and requests_outside_spec(made) == []
