"""Fixtures for `syncro-onboard`: an in-process emulator, a real Pulumi stack pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emulator.seed import SeedReport, seed_tenant
from emulator.testing import EmulatorServer
from onboard_cli.app import app
from onboard_cli.stack import PulumiCli
from tests.emulators import serve
from tests.project import Project

TOKEN = "cli-test-token"
# Screenshots and pages the tests write, kept for a person to look at.
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "cli"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    """Syncro's real limit (180/min): the commands must live within it."""
    yield from serve(tmp_path, TOKEN, rate_limit_per_minute=180, today="2026-06-01")


@pytest.fixture
def project(tmp_path: Path, emu: EmulatorServer) -> Project:
    """A throwaway copy of the project whose `local` stack talks to `emu` (api mode)."""
    return Project(tmp_path / "project", emu, deliverables="scheduler")


def seed(emu: EmulatorServer, customers: int, tickets: int, seed_value: int = 7) -> SeedReport:
    assert emu.emulator is not None
    return seed_tenant(emu.emulator.syncro, customers, tickets, seed_value)


def import_cli(project: Project, *extra: str) -> tuple[int, str]:
    """`syncro-onboard import` into the project's customers/ for alex@ as account manager."""
    return run_cli(
        project,
        "import",
        "--out",
        str(project.customers),
        "--account-manager",
        "alex@cybersuite.tech",
        *extra,
    )


def run_cli(project: Project, *args: str) -> tuple[int, str]:
    """`syncro-onboard ARGS` in the project's folder, through Typer's test runner."""
    runner = CliRunner()
    cli = PulumiCli(project.root, env=project.pulumi.env)
    result = runner.invoke(app, list(args), obj=cli, catch_exceptions=False, env={"COLUMNS": "240"})
    return result.exit_code, result.output


def requests_since(project: Project, seq: int) -> list[dict]:
    with project.control() as http:
        return http.get("/_emulator/requests", params={"since": seq}).json()["requests"]


def last_seq(project: Project) -> int:
    with project.control() as http:
        found = http.get("/_emulator/requests").json()["requests"]
    return max((r["seq"] for r in found), default=0)


def import_outputs(project: Project, outputs: dict) -> None:
    """Give the stack these outputs without an engine run (`pulumi stack import`)."""
    project.pulumi.import_outputs(outputs, "2026-06-01T00:00:00Z")
