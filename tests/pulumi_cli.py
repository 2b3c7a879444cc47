"""Drive the real Pulumi CLI from tests.

The environment comes from scripts/env.sh (the one place that sets the offline
Pulumi settings), with the state backend moved into the test's tmp directory.
A missing CLI is a failure, never a skip: these tests exist to exercise the engine.

Every `preview` and `up` runs with the policy pack, exactly as `make preview` and
`make up` do (`--policy-pack policies`): a test that changes customers without it would
miss what the pack blocks in real use (issue 14.1). A run that deliberately goes without
says so with `PulumiRun(..., policy_pack=None)` and why. Every `up` also writes the state
as `make up` does: PULUMI_SKIP_CHECKPOINTS from the Makefile's SKIP_CHECKPOINTS, unless
the test's environment sets it (the reliability tests run both settings).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# The commands the Makefile runs with `--policy-pack policies` (refresh and destroy take none).
POLICY_PACK_COMMANDS = ("preview", "up")


TEST_WORKDIR = "SYNCRO_TEST_WORKDIR"


def processes_of(workdir: Path) -> list[int]:
    """The pids of every process started for the project in `workdir`: named on its
    command line, or carrying it in TEST_WORKDIR (the policy pack runs from the linked
    policies/, so its command line names the repository, and an S3 backend's plugins have
    no path of the test in theirs)."""
    marker = f"{TEST_WORKDIR}={workdir}\0".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if str(workdir).encode() in cmdline or marker in environ:
            found.append(int(proc.name))
    return found


@functools.cache
def make_up_checkpoints() -> str:
    """PULUMI_SKIP_CHECKPOINTS as `make up` sets it (the Makefile's SKIP_CHECKPOINTS)."""
    show = "show-skip-checkpoints: ; @echo $(SKIP_CHECKPOINTS)"
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "--eval", show, "show-skip-checkpoints"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def pulumi_env(state_dir: Path, stack: str = "local", **extra: str) -> dict[str, str]:
    """The offline Pulumi environment of scripts/env.sh, with state under `state_dir`."""
    base = dict(os.environ)
    base["PULUMI_BACKEND_URL"] = f"file://{state_dir}"
    base["STACK"] = stack
    out = subprocess.run(
        ["bash", "-c", f"source {REPO_ROOT / 'scripts' / 'env.sh'} && env -0"],
        env=base,
        check=True,
        capture_output=True,
    ).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    env.update(extra)
    cli = subprocess.run(["bash", "-c", "command -v pulumi"], env=env, capture_output=True)
    if cli.returncode != 0:
        raise AssertionError(
            "the pulumi CLI is not installed: run `make cli` (scripts/install-pulumi builds it)"
        )
    return env


@dataclass
class PulumiRun:
    """One Pulumi project directory and stack, run through the real CLI."""

    workdir: Path
    env: dict[str, str]
    stack: str = "local"
    log: list[str] = field(default_factory=list)
    policy_pack: str | None = "policies"
    """The pack every preview and up runs with (relative to `workdir`); None: without."""

    def command(self, *args: str) -> list[str]:
        """The CLI command line for `args`, with the policy pack where `make` adds it."""
        cmd = ["pulumi", *args, "--stack", self.stack, "--non-interactive"]
        wants_pack = bool(args) and args[0] in POLICY_PACK_COMMANDS
        if self.policy_pack and wants_pack and "--policy-pack" not in args:
            cmd += ["--policy-pack", self.policy_pack]
        return cmd

    def env_for(self, *args: str) -> dict[str, str]:
        """The environment of `pulumi ARGS`: an `up` checkpoints as `make up` does, and
        every process the CLI starts carries the project directory in TEST_WORKDIR, so a
        test that kills the CLI finds its plugins (`processes_of`)."""
        env = {**self.env, TEST_WORKDIR: str(self.workdir)}
        if args and args[0] == "up" and "PULUMI_SKIP_CHECKPOINTS" not in env:
            env["PULUMI_SKIP_CHECKPOINTS"] = make_up_checkpoints()
        return env

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        cmd = self.command(*args)
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env=self.env_for(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        self.log.append(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def start(
        self, *args: str, env: dict[str, str] | None = None, **popen: Any
    ) -> subprocess.Popen[str]:
        """`pulumi ARGS` in the background (with the policy pack as `__call__` adds it);
        `env`: variables over `env_for`'s; `popen`: subprocess.Popen's options (output,
        session). The caller waits for it."""
        return subprocess.Popen(
            self.command(*args),
            cwd=self.workdir,
            env={**self.env_for(*args), **(env or {})},
            **popen,
        )

    def init(self) -> None:
        self("stack", "select", "--create")

    def set_config(
        self,
        plain: dict[str, str] | None = None,
        secret: dict[str, str] | None = None,
        *,
        path: bool = False,
    ) -> None:
        """Every key in one `pulumi config set-all` (each CLI run costs a Go start)."""
        args = ["config", "set-all", *(["--path"] if path else [])]
        for key, value in (plain or {}).items():
            args += ["--plaintext", f"{key}={value}"]
        for key, value in (secret or {}).items():
            args += ["--secret", f"{key}={value}"]
        self(*args)

    def export(self) -> dict:
        return json.loads(self("stack", "export", "--show-secrets=false").stdout)

    def resources(self, type_suffix: str = "") -> list[dict]:
        deployment = self.export()["deployment"]
        return [r for r in deployment.get("resources", []) if r["type"].endswith(type_suffix)]

    def import_outputs(self, outputs: dict, time: str) -> None:
        """Give the stack these outputs without an engine run (`pulumi stack import`);
        `time`: the deployment's timestamp (ISO, UTC)."""
        deployment = {
            "version": 3,
            "deployment": {
                "manifest": {"time": time, "magic": "", "version": ""},
                "resources": [
                    {
                        "urn": f"urn:pulumi:{self.stack}::syncro-onboarding::pulumi:pulumi:Stack::"
                        f"syncro-onboarding-{self.stack}",
                        "custom": False,
                        "type": "pulumi:pulumi:Stack",
                        "outputs": outputs,
                    }
                ],
            },
        }
        path = self.workdir / "deployment.json"
        path.write_text(json.dumps(deployment))
        self("stack", "import", "--file", str(path))
