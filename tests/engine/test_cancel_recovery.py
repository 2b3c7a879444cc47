"""`pulumi cancel` during an `up`, then another `up` (issue 14, item 7).

On a self-managed backend `pulumi cancel` only deletes the stack's lock: the running
update goes on, so a second `up` runs beside it. Both exit 0 and the state keeps stale
"creating" pending operations that Pulumi warns about on every later run; a plain
`pulumi refresh` does not clear them. `make up` and `make refresh` now clear them the
supported way (`pulumi refresh --clear-pending-creates`, scripts/select-stack), and the
next update adopts what the unfinished creates made: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.engine.test_reliability import assert_exactly_intended
from tests.project import Project, generated_customers
from tests.pulumi_cli import REPO_ROOT, PulumiRun

pytestmark = pytest.mark.slow

PENDING_WARNING = "pending operations from previous deployment"


def pending_creates(project: Project) -> list[str]:
    ops = project.pulumi.export()["deployment"].get("pending_operations") or []
    return [op["resource"]["urn"] for op in ops if op["type"] == "creating"]


def make(run: PulumiRun, target: str, emulator: EmulatorServer) -> str:
    """A Makefile target of this repository, run in the test's copy of the project.

    EMULATOR_PORT says where this checkout's emulator is: the `local` stack follows it.
    """
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", "bootstrap", target, f"STACK={run.stack}"],
        cwd=run.workdir,
        env={**run.env, "EMULATOR_PORT": str(emulator.port)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"make {target} exited {done.returncode}\n{out}"
    return out


def linked_for_make(project: Project) -> Project:
    for name in ("Makefile", "scripts", "requirements.txt"):
        (project.root / name).symlink_to(REPO_ROOT / name)
    return project


def test_cancel_mid_up_then_make_up_clears_pending_creates_and_converges(
    tmp_path: Path,
) -> None:
    with EmulatorServer(
        db_path=tmp_path / "emulator" / "syncro.db", token="cancel-token", rate_limit_per_minute=0
    ) as emu:
        project = linked_for_make(Project(tmp_path / "project", emu))
        specs = generated_customers(6)
        project.add_customers(specs)
        project.faults({"path": ".*", "method": "*", "latency_ms": 150})

        # The situation of the issue this reproduces: two runs checkpointing every step (the
        # engine's default), so the cancelled one leaves its pending creates in the state.
        # (`make up` checkpoints once, at the end: test_reliability kills it.)
        def start() -> subprocess.Popen[str]:
            return project.pulumi.start(
                "up",
                "--yes",
                "--skip-preview",
                env={"PULUMI_SKIP_CHECKPOINTS": "false"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )

        first = start()
        deadline = time.monotonic() + 120
        while sum(r["method"] == "POST" for r in project.requests()) < 4:
            assert first.poll() is None, "up finished before it could be cancelled"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        project.pulumi("cancel", "--yes")  # removes the lock; the first up goes on
        second = start()
        outs = [first.communicate(timeout=900)[0], second.communicate(timeout=900)[0]]
        assert (first.returncode, second.returncode) == (0, 0), outs
        project.faults()
        stale = pending_creates(project)
        assert stale, "the issue's situation: stale pending creates after cancel + up"

        # A plain refresh (what `make refresh` used to run) leaves them.
        project.pulumi("refresh", "--yes")
        assert pending_creates(project) == stale

        out = make(project.pulumi, "up", emu)
        assert f"{len(stale)} pending create(s)" in out and "--clear-pending-creates" in out
        assert pending_creates(project) == []
        assert_exactly_intended(project, specs)  # nothing lost, nothing duplicated
        for target in ("refresh", "up"):
            assert PENDING_WARNING not in make(project.pulumi, target, emu)
        project.pulumi("preview", "--expect-no-changes", "--policy-pack", "policies")
