"""The rate limit and injected faults: what a client's retry logic must survive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.emulator.conftest import TOKEN, make_customer

HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def limited_emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    """An emulator with Syncro's real limit of 180 requests per minute."""
    with EmulatorServer(db_path=tmp_path / "s.db", token=TOKEN, rate_limit_per_minute=180) as s:
        yield s


def test_burst_of_200_is_cut_after_exactly_180(limited_emu: EmulatorServer) -> None:
    with httpx.Client(base_url=limited_emu.base_url, headers=HEADERS) as http:
        statuses = [http.get("/me").status_code for _ in range(200)]
        refused = http.get("/customers")
        admin_refused = http.get(f"{limited_emu.admin_url}/mailboxes")
    assert statuses[:180] == [200] * 180
    assert statuses[180:] == [429] * 20
    assert refused.json() == {"error": "Rate limit exceeded. 180 requests per minute."}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert admin_refused.status_code == 429
    # Control endpoints are never limited.
    assert httpx.get(f"{limited_emu.root_url}/_emulator/clock").status_code == 200


def test_rate_limit_changes_at_runtime(limited_emu: EmulatorServer) -> None:
    control = httpx.Client(base_url=limited_emu.root_url)
    assert control.post("/_emulator/settings", json={"rate_limit_per_minute": 5}).json() == {
        "rate_limit_per_minute": 5
    }
    with httpx.Client(base_url=limited_emu.base_url, headers=HEADERS) as http:
        assert [http.get("/me").status_code for _ in range(6)] == [200] * 5 + [429]
        assert http.get("/me").json()["error"] == "Rate limit exceeded. 5 requests per minute."
        control.post("/_emulator/settings", json={"rate_limit_per_minute": 0})
        assert all(http.get("/me").status_code == 200 for _ in range(20))


def set_faults(emu: EmulatorServer, **rule: object) -> None:
    reply = httpx.post(
        f"{emu.root_url}/_emulator/faults",
        json={"rules": [{"path": "^/api/v1/customers", "method": "*", **rule}], "seed": 1},
    )
    reply.raise_for_status()


def test_injected_429_and_5xx_write_nothing(emu: EmulatorServer, api: httpx.Client) -> None:
    set_faults(emu, rate_429=1.0)
    throttled = api.post("/customers", json={"business_name": "A", "email": "a@a.com"})
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    set_faults(emu, rate_5xx=1.0)
    broken = api.post("/customers", json={"business_name": "A", "email": "a@a.com"})
    assert broken.status_code >= 500
    assert api.get("/me").status_code == 200, "rules only hit matching paths"
    httpx.delete(f"{emu.root_url}/_emulator/faults").raise_for_status()
    assert api.get("/customers").json()["customers"] == []
    log = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"]
    assert [e["fault"] for e in log[:2]] == ["rate_429", "rate_5xx"]


def test_lost_response_commits_then_drops_connection(
    emu: EmulatorServer, api: httpx.Client
) -> None:
    set_faults(emu, lost_response=1.0, method="POST")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/customers", json={"business_name": "Ghost", "email": "g@ghost.com"})
    httpx.delete(f"{emu.root_url}/_emulator/faults")
    with httpx.Client(base_url=emu.base_url, headers=HEADERS) as fresh:
        found = fresh.get("/customers", params={"email": "g@ghost.com"}).json()["customers"]
        assert [c["business_name"] for c in found] == ["Ghost"], "the write committed"
        retry = fresh.post("/customers", json={"business_name": "Ghost", "email": "g@ghost.com"})
        assert retry.json()["message"] == ["Email has already been taken"]


def test_latency_and_seeded_rates_are_reproducible(emu: EmulatorServer, api: httpx.Client) -> None:
    make_customer(api, "Org", "o@org.com")
    runs = []
    for _ in range(2):
        set_faults(emu, rate_429=0.3, rate_5xx=0.2, latency_ms=5, method="GET")
        runs.append([api.get("/customers").status_code for _ in range(30)])
    assert runs[0] == runs[1]
    assert {200, 429} <= set(runs[0]) and any(s >= 500 for s in runs[0])
    assert 0.25 < runs[0].count(200) / 30 < 0.85


def test_injected_429_ratio_follows_the_rate(emu: EmulatorServer, api: httpx.Client) -> None:
    set_faults(emu, rate_429=0.2, method="GET")
    statuses = [api.get("/customers").status_code for _ in range(300)]
    assert set(statuses) == {200, 429}
    assert 0.13 <= statuses.count(429) / 300 <= 0.27


def test_injected_latency_delays_only_matching_requests(
    emu: EmulatorServer, api: httpx.Client
) -> None:
    set_faults(emu, latency_ms=200)
    slow = api.get("/customers")
    fast = api.get("/me")
    assert slow.status_code == 200 and slow.elapsed.total_seconds() >= 0.2
    assert fast.elapsed.total_seconds() < 0.2
