"""One checkout, one emulator (issue 14, item 17).

Two checkouts on one machine used to share port 8787: `scripts/emulator-up` took any
server answering there for its own, so the second checkout's `make demo` drove the
first checkout's emulator. Here two EMULATOR_DIRs stand for two checkouts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.project import Project
from tests.pulumi_cli import REPO_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(script: str, data: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EMULATOR_PORT": str(port), "EMULATOR_DIR": str(data)}
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / script)], env=env, capture_output=True, text=True
    )


@pytest.fixture
def checkouts(tmp_path: Path):
    """Two emulator data dirs; every emulator started here is stopped at the end."""
    started: list[tuple[Path, int]] = []
    yield tmp_path / "first", tmp_path / "second", started
    for data, port in started:
        run("emulator-down", data, port)


def test_a_second_checkout_refuses_the_first_checkouts_emulator(checkouts) -> None:
    first, second, started = checkouts
    port = free_port()
    up = run("emulator-up", first, port)
    started.append((first, port))
    assert up.returncode == 0 and "emulator: started at" in up.stdout, up.stdout + up.stderr
    assert "already running" in run("emulator-up", first, port).stdout  # its own: reused

    foreign = run("emulator-up", second, port)
    assert foreign.returncode != 0, "the second checkout must not use the first one's emulator"
    assert "another checkout's emulator" in foreign.stderr
    assert str(first.resolve() / "syncro.db") in foreign.stderr  # whose it is
    assert "EMULATOR_PORT=" in foreign.stderr and "make stop" in foreign.stderr  # the fix
    assert not (second / "pid").exists()

    # The fix works: the second checkout on its own port gets its own emulator.
    other = free_port()
    own = run("emulator-up", second, other)
    started.append((second, other))
    assert own.returncode == 0 and f"127.0.0.1:{other}" in own.stdout, own.stderr
    dbs = {
        p: httpx.get(f"http://127.0.0.1:{p}/_emulator/instance").json()["db"] for p in (port, other)
    }
    assert dbs == {
        port: str(first.resolve() / "syncro.db"),
        other: str(second.resolve() / "syncro.db"),
    }


def test_a_port_held_by_some_other_server_is_refused(checkouts, tmp_path: Path) -> None:
    _, second, _ = checkouts
    port = free_port()
    other = subprocess.Popen(
        ["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        refused = run("emulator-up", second, port)
        assert refused.returncode != 0
        assert "not this checkout's emulator" in refused.stderr
        assert "EMULATOR_PORT=" in refused.stderr
    finally:
        other.kill()
        other.wait()


def test_the_local_stacks_base_url_follows_the_port(tmp_path: Path) -> None:
    """EMULATOR_PORT is chosen once (scripts/env.sh); the local stack's baseUrl follows it."""
    with EmulatorServer(db_path=tmp_path / "emu" / "syncro.db") as emu:
        project = Project(tmp_path / "project", emu)
        select = REPO_ROOT / "scripts" / "select-stack"
        stack_file = project.root / "Pulumi.local.yaml"

        def base_url_after_select(port: str) -> str:
            env = {**project.pulumi.env, "EMULATOR_PORT": port}
            done = subprocess.run(
                [str(select), "local"], cwd=project.root, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stdout + done.stderr
            return project.pulumi("config", "get", "syncro:baseUrl").stdout.strip()

        assert base_url_after_select(str(emu.port)) == emu.base_url
        assert base_url_after_select("8790") == "http://127.0.0.1:8790/api/v1"
        # The default port: back to Pulumi.yaml's default, no stack setting left behind.
        assert base_url_after_select("8787") == "http://127.0.0.1:8787/api/v1"
        assert "baseUrl" not in stack_file.read_text()
