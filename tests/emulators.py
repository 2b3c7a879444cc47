"""Shared set-up for tests that talk to an in-process emulator: fixtures `yield from` these."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer


def serve(
    tmp_path: Path, token: str, db: str = "syncro.db", **options: object
) -> Iterator[EmulatorServer]:
    """An emulator on `tmp_path/db` with `token`, for the test's duration."""
    with EmulatorServer(db_path=tmp_path / db, token=token, **options) as server:  # type: ignore[arg-type]
        yield server


def emulator_fixture(token: str, limited_token: str) -> Any:
    """A pytest fixture `emu`: an emulator with the rate limit off, a read-only second
    token and today 2026-01-01, one per test."""

    @pytest.fixture
    def emu(tmp_path: Path) -> Iterator[EmulatorServer]:
        options = {"rate_limit_per_minute": 0, "limited_token": limited_token}
        yield from serve(tmp_path, token, today="2026-01-01", **options)

    return emu


def http(base_url: str, token: str | None = None, timeout: float = 10) -> Iterator[httpx.Client]:
    """An httpx client on `base_url` (`token` as Bearer when given), for the test's duration."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=base_url, headers=headers, timeout=timeout) as client:
        yield client
