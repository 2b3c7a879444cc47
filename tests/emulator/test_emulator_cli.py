"""The real CLI (`python -m emulator serve`) as `make emulator` starts it."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from emulator.testing import start_subprocess
from tests.pulumi_cli import REPO_ROOT

TOKEN = "cli-token"
LIMITED = "cli-read-only"
PERMISSION = "Not authorized. Please ask account admin to update your group permissions."


def test_cli_flags_ready_line_and_clean_restart(tmp_path: Path) -> None:
    db = tmp_path / "state" / "syncro.db"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with start_subprocess(
        db, token=TOKEN, rate_limit_per_minute=3, limited_token=LIMITED, today="2026-03-10"
    ) as emu:
        assert emu.output[-1] == f"Syncro emulator ready at {emu.base_url}"
        statuses = [httpx.get(f"{emu.base_url}/me", headers=auth).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        # curl -d labels JSON as a form; the control surface still reads it as JSON.
        raised = httpx.post(
            f"{emu.root_url}/_emulator/settings",
            content=b'{"rate_limit_per_minute": 0}',
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert raised.json() == {"rate_limit_per_minute": 0}
        denied = httpx.post(
            f"{emu.base_url}/customers",
            headers={"Authorization": f"Bearer {LIMITED}"},
            json={"business_name": "X"},
        )
        assert (denied.status_code, denied.json()) == (401, {"error": PERMISSION})
        made = httpx.post(
            f"{emu.base_url}/customers",
            headers=auth,
            json={"business_name": "Kept", "email": "k@kept.com"},
        )
        assert made.status_code == 200
        assert httpx.get(f"{emu.root_url}/_emulator/clock").json() == {"now": "2026-03-10"}
    assert not Path(f"{db}-wal").exists(), "a graceful stop closes (checkpoints) the database"
    assert (db.parent / "requests.log").read_text().count("/api/v1/") >= 6

    with start_subprocess(db, token=TOKEN, rate_limit_per_minute=0) as again:
        listed = httpx.get(f"{again.base_url}/customers", headers=auth).json()["customers"]
        assert [c["business_name"] for c in listed] == ["Kept"]
        assert httpx.get(f"{again.root_url}/_emulator/clock").json() == {"now": "2026-03-10"}


def test_make_stop_waits_so_the_next_start_is_a_fresh_server(tmp_path: Path) -> None:
    """`make stop` then `make demo` at once: the old server must be gone, not answering."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "EMULATOR_PORT": str(port), "EMULATOR_DIR": str(tmp_path / "emu")}

    def script(name: str) -> str:
        done = subprocess.run(
            [str(REPO_ROOT / "scripts" / name)], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        for _ in range(2):
            assert "emulator: started at" in script("emulator-up")
            assert "emulator: already running" in script("emulator-up")
            assert "emulator: stopped" in script("emulator-down")
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"http://127.0.0.1:{port}/_emulator/clock")
    finally:
        script("emulator-down")
