"""Team operation on a shared state backend: a real S3 server on loopback.

MSP teams keep Pulumi state in an S3-compatible bucket. These tests start MinIO (built
once from the Go module proxy by scripts/install-s3-server into
~/.cache/syncro-onboarding/minio) and run the lifecycle through the real CLI with
`PULUMI_BACKEND_URL=s3://<bucket>?endpoint=...` from two working copies of the project:
two `up`s at once (one fails on the lock, nothing is duplicated), a kill -9 of a run
(the state survives; the other copy recovers with `pulumi cancel` and `make up`).
A server that cannot be built is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest
import yaml

from emulator.testing import EmulatorServer
from tests.engine.test_cancel_recovery import make, pending_creates
from tests.engine.test_reliability import (
    assert_exactly_intended,
    assert_locked_out,
    kill_processes_under,
    writes,
)
from tests.project import LINKED, Project, customer_yaml, generated_customers
from tests.pulumi_cli import REPO_ROOT, PulumiRun

# One S3 server for both tests: under `make test` they share a worker (xdist_group).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("s3-server")]

ACCESS_KEY = "shared-backend-test"
SECRET_KEY = "shared-backend-test-secret-9f2c"  # the test server's own; guards nothing
POLICY = ("--policy-pack", "policies")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    port: int

    def client(self):  # boto3 builds its client classes at run time
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def backend_env(self, bucket: str) -> dict[str, str]:
        """What a team member exports (README, "Team operation on a shared state backend")."""
        self.client().create_bucket(Bucket=bucket)
        return {
            "PULUMI_BACKEND_URL": (
                f"s3://{bucket}?endpoint=127.0.0.1:{self.port}"
                "&s3ForcePathStyle=true&disableSSL=true&region=us-east-1"
            ),
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def keys(self, bucket: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    built = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-s3-server")],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if built.returncode != 0:
        pytest.fail(f"could not build the S3 server (scripts/install-s3-server):\n{built.stderr}")
    binary = Path(built.stdout.strip().splitlines()[-1]) / "minio"
    data = tmp_path_factory.mktemp("s3-data")
    port, console = free_port(), free_port()
    env = {
        **os.environ,
        "MINIO_ROOT_USER": ACCESS_KEY,
        "MINIO_ROOT_PASSWORD": SECRET_KEY,
        "MINIO_BROWSER": "off",
        "MINIO_UPDATE": "off",
    }
    log = (data.parent / "minio.log").open("w")
    server = subprocess.Popen(
        [str(binary), "server", str(data), "--address", f"127.0.0.1:{port}"]
        + ["--console-address", f"127.0.0.1:{console}", "--quiet"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"minio exited; see {log.name}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/minio/health/live").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"minio never answered; see {log.name}"
            time.sleep(0.1)
        yield S3Server(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        db_path=tmp_path / "emulator" / "syncro.db", token="shared-token", rate_limit_per_minute=0
    ) as emu:
        yield emu


def clone(first: Project, root: Path) -> PulumiRun:
    """A second clone of the repository: it has the first one's committed files."""
    root.mkdir()
    for name in (*LINKED, "Makefile", "scripts", "requirements.txt"):
        (root / name).symlink_to(REPO_ROOT / name)
    for name in ("Pulumi.yaml", f"Pulumi.{first.pulumi.stack}.yaml"):
        shutil.copy(first.root / name, root / name)
    shutil.copytree(first.customers, root / "customers")
    second = PulumiRun(root, first.pulumi.env, stack=first.pulumi.stack)
    second("stack", "select")
    return second


def start_up(run: PulumiRun, **env: str) -> subprocess.Popen[str]:
    """`pulumi up` in the background, with the policy pack, as `make up` runs it."""
    return run.start(
        "up",
        "--yes",
        "--skip-preview",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def two_working_copies(
    tmp_path: Path, emulator: EmulatorServer, s3: S3Server, bucket: str, count: int, latency: int
) -> tuple[Project, PulumiRun, list[dict]]:
    """Alice's project on the bucket with `count` customers, and Bob's clone of it."""
    alice = Project(tmp_path / "alice", emulator, env=s3.backend_env(bucket))
    specs = generated_customers(count)
    alice.add_customers(specs)
    bob = clone(alice, tmp_path / "bob")
    alice.faults({"path": ".*", "method": "*", "latency_ms": latency})
    return alice, bob, specs


def until(done: Callable[[], object], run: subprocess.Popen[str], what: str) -> None:
    """Wait for `done()` while `run` is still going."""
    deadline = time.monotonic() + 120
    while not done():
        assert run.poll() is None, f"up finished before {what}"
        assert time.monotonic() < deadline, f"up never got to {what}"
        time.sleep(0.05)


def test_two_working_copies_share_one_s3_stack(tmp_path: Path, emulator, s3_server) -> None:
    bucket = "team-state"
    alice, bob, specs = two_working_copies(tmp_path, emulator, s3_server, bucket, 3, 100)
    first = start_up(alice.pulumi)
    until(alice.requests, first, "its first request")
    second = bob("up", "--yes", "--skip-preview", *POLICY, check=False)
    assert_locked_out(second, first, alice, specs, timeout=900)
    assert any(k.endswith("/stacks/syncro-onboarding/local.json") for k in s3_server.keys(bucket))

    # Bob's copy sees the same state; a change made in his copy applies from his.
    bob("preview", "--expect-no-changes", *POLICY)
    changed = customer_yaml(**{**specs[0], "notes": "Moved to Bob"})
    (bob.workdir / "customers" / f"{specs[0]['client_id'].lower()}.yaml").write_text(
        yaml.safe_dump(changed, sort_keys=False)
    )
    bob("up", "--yes", "--skip-preview", *POLICY)
    bob("refresh", "--yes")
    bob("preview", "--expect-no-changes", *POLICY)
    org = next(c for c in alice.customers_in_syncro() if c["email"] == changed["main_poc"]["email"])
    assert org["notes"] == "Moved to Bob"
    bob("destroy", "--yes")
    assert alice.admin_list("email_rules") == []
    assert not [k for k in s3_server.keys(bucket) if "/locks/" in k], "no lock left behind"


def test_kill_9_on_a_shared_stack_then_recovery_from_the_other_copy(
    tmp_path: Path, emulator, s3_server
) -> None:
    bucket = "crash-state"
    alice, bob, specs = two_working_copies(tmp_path, emulator, s3_server, bucket, 6, 150)
    # A checkpoint after every step (the engine's default), not `make up`'s one at the end:
    # the dead run leaves pending creates in the shared state, the harder recovery (and
    # the state is rewritten in the bucket all the time). test_reliability kills `make up`
    # under both settings on the file backend.
    up = start_up(alice.pulumi, PULUMI_SKIP_CHECKPOINTS="false")
    until(
        lambda: len([w for w in writes(alice.requests()) if "/customers" in w[1]]) >= 2,
        up,
        "creating two organizations",
    )
    os.killpg(up.pid, signal.SIGKILL)
    up.wait()
    kill_processes_under(alice.root)
    alice.faults()

    # The state survived: readable from the other copy, and still locked by the dead run.
    assert alice.pulumi.export()["deployment"]["resources"]
    locked = bob("up", "--yes", "--skip-preview", *POLICY, check=False)
    assert locked.returncode != 0 and "locked" in locked.stdout + locked.stderr
    assert [k for k in s3_server.keys(bucket) if "/locks/" in k]

    # The README's recovery, from Bob's copy: the run is dead, so cancel its lock; then
    # `make up` clears the dead run's pending creates and converges by adoption.
    bob("cancel", "--yes")
    out = make(bob, "up", emulator)
    assert "pending create(s)" in out
    assert pending_creates(alice) == []
    assert_exactly_intended(alice, specs)
    bob("preview", "--expect-no-changes", *POLICY)
    alice.pulumi("preview", "--expect-no-changes", *POLICY)
    assert not [k for k in s3_server.keys(bucket) if "/locks/" in k]
