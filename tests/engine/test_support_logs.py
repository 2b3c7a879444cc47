"""Verbose logs for support, through the real CLI with the policy pack on (item 16).

Pulumi's troubleshooting advice is `-v=9 --logtostderr --logflow`: with --logflow the
3.188 CLI passes `-v=9` on to every plugin, and the SDK's shim for Python policy packs
refused it ("unrecognized arguments: -v=9"), so `up --policy-pack policies` could not
run with the logs support asks for. scripts/install-pulumi puts
scripts/policy-analyzer-shim in front of it. The log must still carry no secret.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, edr_key, generated_customers

pytestmark = pytest.mark.slow

TOKEN = "support-log-token-5c1e"
VERBOSE = ("-v=9", "--logtostderr", "--logflow")


def test_verbose_logs_with_the_policy_pack_and_no_secret_in_them(tmp_path: Path) -> None:
    with EmulatorServer(
        db_path=tmp_path / "emulator" / "syncro.db", token=TOKEN, rate_limit_per_minute=0
    ) as emu:
        project = Project(tmp_path / "project", emu)
        specs = generated_customers(2)
        project.add_customers(specs)
        policy = ("--policy-pack", "policies")
        logs = []
        for args in (
            ("preview", *policy),
            ("up", "--yes", "--skip-preview", *policy),
            ("refresh", "--yes"),
            ("preview", "--expect-no-changes", *policy),
        ):
            done = project.pulumi(*args, *VERBOSE)
            logs.append(done.stdout + done.stderr)
        assert all(len(log) > 100_000 for log in logs), "verbose logging was on"
        for log in (logs[0], logs[1], logs[3]):
            assert "syncro-onboarding@v" in log  # the pack ran
            assert "AnalyzeStack(...) success" in log
        assert len(project.customers_in_syncro()) == 2  # the up did its work
        secrets = [TOKEN] + [edr_key(s["client_id"], w) for s in specs for w in ("account", "org")]
        leaks = [(s[:6] + "...", n) for s in secrets for n, log in enumerate(logs) if s in log]
        assert leaks == []
