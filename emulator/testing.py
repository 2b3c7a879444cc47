"""Run an emulator inside a test process: `with EmulatorServer(...) as emu: ...`.

uvicorn serves in a background thread on a socket bound here (port 0, so parallel test
runs never collide); `__enter__` returns only once the server answers, `__exit__` stops
it and closes the database so the next server on the same file sees every write.
`start_subprocess` runs the real CLI instead, for tests of what `make emulator` starts.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from types import TracebackType

import httpx
import uvicorn

from emulator.app import Emulator, build_app
from emulator.server import make_config

PERSON_TOKEN = "local-person-token"


def _surface(suffix: str, doc: str) -> property:
    return property(lambda self: f"{self.root_url}{suffix}", doc=doc)


class Surfaces:
    """A running emulator's URLs (`host` and `port` set by the subclass), and the end of
    its `with` block (the subclass's `stop`)."""

    host: str
    port: int

    def stop(self) -> object:
        """Stop the emulator (each subclass its own way)."""
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """`http://HOST:PORT`."""
        return f"http://{self.host}:{self.port}"

    base_url = _surface("/api/v1", "The public API base, as `syncro:baseUrl` wants it.")
    admin_url = _surface("/_admin/v1", "UI-only objects for the program (not in strict mode).")
    person_url = _surface("/_person/v1", "The person's surface: Syncro's web UI (own token).")


class EmulatorServer(Surfaces):
    """An emulator on 127.0.0.1 and a free port, for the duration of a `with` block.

    `strict=True`: the program's token reaches only Syncro's published API; UI-only
    objects exist only on the person's surface (`person_url`, `person_token`)."""

    def __init__(
        self,
        db_path: Path | str,
        token: str = "local-emulator-token",
        rate_limit_per_minute: int = 180,
        limited_token: str | None = None,
        today: date | str | None = None,
        host: str = "127.0.0.1",
        strict: bool = False,
        person_token: str = PERSON_TOKEN,
    ) -> None:
        self.db_path = Path(db_path)
        self.strict = strict
        self.person_token = person_token
        self.token = token
        self.limited_token = limited_token
        self.rate_limit_per_minute = rate_limit_per_minute
        self.today = date.fromisoformat(today) if isinstance(today, str) else today
        self.host = host
        self.port = 0
        self.emulator: Emulator | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        """Serve in a background thread; return once `/_emulator/clock` answers."""
        options = ("token", "limited_token", "rate_limit_per_minute", "today")
        self.emulator = Emulator(
            self.db_path,
            **{name: getattr(self, name) for name in (*options, "person_token", "strict")},
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(make_config(build_app(self.emulator)))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="emulator"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._server.started:
                try:
                    httpx.get(f"{self.root_url}/_emulator/clock", timeout=1).raise_for_status()
                    return self
                except httpx.HTTPError:
                    pass
            if not self._thread.is_alive():
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"emulator did not start on {self.root_url}")

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.emulator is not None:
            self.emulator.store.close()
        self._server = self._thread = self.emulator = None

    def __enter__(self) -> EmulatorServer:
        return self.start()


REPO_ROOT = Path(__file__).resolve().parents[1]
READY_PREFIX = "Syncro emulator ready at "


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the CLI needs a number, not a socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class EmulatorProcess(Surfaces):
    """`python -m emulator serve` in a child process, stopped by its own pid."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        host: str,
        port: int,
        token: str,
        db_path: Path,
        person_token: str = PERSON_TOKEN,
    ) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.token = token
        self.person_token = person_token
        self.db_path = db_path
        self.output: list[str] = []

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM (uvicorn's graceful path), SIGKILL if it hangs; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return int(self.process.returncode)

    def __enter__(self) -> EmulatorProcess:
        return self


def start_subprocess(
    db_path: Path | str,
    token: str = "local-emulator-token",
    rate_limit_per_minute: int = 180,
    limited_token: str | None = None,
    today: str | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 20,
    strict: bool = False,
    person_token: str = PERSON_TOKEN,
) -> EmulatorProcess:
    """Start the CLI and return once it has printed its ready line (else raise)."""
    port = port or free_port(host)
    command = [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
        "--db",
        str(db_path),
        "--token",
        token,
        "--rate-limit",
        str(rate_limit_per_minute),
    ]
    if limited_token:
        command += ["--limited-token", limited_token]
    if today:
        command += ["--today", today]
    if strict:
        command += ["--strict"]
    command += ["--person-token", person_token]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    handle = EmulatorProcess(process, host, port, token, Path(db_path), person_token)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            handle.output.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True, name="emulator-output").start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith(READY_PREFIX):
            return handle
    handle.stop()
    raise RuntimeError("emulator CLI did not get ready:\n" + "\n".join(handle.output[-20:]))
