"""Fixtures for the emulator's tests: a live server per test, real HTTP through httpx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer

TOKEN = "emu-test-token"
LIMITED = "emu-limited-token"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    """An emulator with the rate limit off and a read-only second token."""
    with EmulatorServer(
        db_path=tmp_path / "syncro.db",
        token=TOKEN,
        rate_limit_per_minute=0,
        limited_token=LIMITED,
        today="2026-01-01",
    ) as server:
        yield server


@pytest.fixture
def api(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Authenticated client on the public API."""
    with httpx.Client(
        base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def admin(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Authenticated client on the UI-only admin surface."""
    with httpx.Client(
        base_url=emu.admin_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def control(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Unauthenticated client on the root (control surface and page)."""
    with httpx.Client(base_url=emu.root_url, timeout=10) as client:
        yield client


def make_customer(api: httpx.Client, name: str, email: str, **extra: object) -> dict:
    """Create a customer and return it (fails the test on anything but 200)."""
    reply = api.post("/customers", json={"business_name": name, "email": email, **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()["customer"]


@pytest.fixture
def person(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """A person in Syncro's web UI: the person's surface with the person's own token."""
    with httpx.Client(
        base_url=emu.person_url, headers={"Authorization": f"Bearer {emu.person_token}"}, timeout=10
    ) as client:
        yield client
