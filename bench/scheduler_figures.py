"""The daily deliverable run (resources/scheduler.py) measured directly: requests counted
in a strict emulator's request log (the runner's token reaches only Syncro's published
API), wall time of `Scheduler.run` with the real client paced at 170/min and 50 ms
latency on every request.

The customers are made in the emulator through the client and the schedules handed to
the runner in the shape of the stack output `customers` (tests/deliverables/conftest.py
`onboard`), with the account manager's user id as the stack now exports it
(`RecurringTicket.user_id`, checked end to end by tests/deliverables/test_scheduler_engine.py).
"""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.common import CLIENT_BUDGET, Figures, step
from emulator.spec_paths import requests_outside_spec
from emulator.testing import EmulatorServer
from resources import catalog
from resources.deliverables import schedules_from_outputs
from resources.scheduler import Scheduler
from resources.syncro import SyncroClient
from tests.deliverables.conftest import onboard

TOKEN = "bench-scheduler-token"
ACCOUNT_MANAGER_ID = 1001  # the emulator's seed user alex@cybersuite.tech
GO_LIVE = date(2026, 1, 1)
TODAY = date(2026, 3, 20)
K_DUE = 7


def _plan(count: int) -> list[tuple[str, str, date]]:
    """Tiers in turn, go-lives spread over four weeks (so windows open on many days)."""
    return [
        (f"CS-{n:04d}", catalog.TIERS[n % 3], date.fromordinal(GO_LIVE.toordinal() + n % 28))
        for n in range(1, count + 1)
    ]


class _Log:
    def __init__(self, server: EmulatorServer) -> None:
        self.http = httpx.Client(base_url=f"{server.root_url}/_emulator", timeout=60)

    def seq(self) -> int:
        entries = self.http.get("/requests").json()["requests"]
        return entries[-1]["seq"] if entries else 0

    def since(self, seq: int) -> list[dict[str, Any]]:
        return self.http.get("/requests", params={"since": seq}).json()["requests"]


def _kinds(entries: list[dict[str, Any]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for e in entries:
        parts = e["path"].removeprefix("/api/v1").split("/")
        kind = f"{e['method']} /{parts[1]}{'/{id}' if len(parts) > 2 else ''}"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def scheduler_figures(
    figures: Figures, *, customers: int = 200, latency_ms: int = 50, k_due: int = K_DUE
) -> None:
    """Requests and wall time of a daily run: nothing due, k due (user ids exported, and
    the fallback without them), and the first run that opens every window's ticket."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-scheduler-") as tmp,
        step(
            f"deliverable scheduler, {customers} customers (strict emulator, {latency_ms} ms)",
            "about 40 s",
        ),
    ):
        server = EmulatorServer(Path(tmp) / "syncro.db", TOKEN, 0, today="2026-01-01", strict=True)
        with server, SyncroClient(server.base_url, TOKEN, requests_per_minute=1e6) as setup:
            log = _Log(server)
            output = onboard(setup, _plan(customers), user_id=ACCOUNT_MANAGER_ID)
            log.http.post("/clock", json={"now": TODAY.isoformat()}).raise_for_status()
            if latency_ms:
                rule = {"path": ".*", "latency_ms": latency_ms}
                log.http.post("/faults", json={"rules": [rule], "seed": 1}).raise_for_status()
            _measure(figures, log, server.base_url, setup, output, customers, k_due)
            outside = requests_outside_spec(log.since(0))
            log.http.close()
    figures.add(
        "deliverable runs: requests outside Syncro's published API",
        len(outside),
        "requests",
        "0",
        not outside,
        "bench/scheduler_figures.py (strict emulator)",
        outside=outside[:10],
    )


def _measure(
    figures: Figures,
    log: _Log,
    base_url: str,
    setup: SyncroClient,
    output: dict[str, Any],
    count: int,
    k_due: int,
) -> None:
    with_ids = schedules_from_outputs(output)
    without_ids = schedules_from_outputs(
        {
            cid: {**entry, "deliverables": [_no_user(d) for d in entry["deliverables"]]}
            for cid, entry in output.items()
        }
    )
    command = "bench/scheduler_figures.py: Scheduler.run against a strict emulator"

    def run(customers: list[Any]) -> tuple[Any, list[dict[str, Any]], float]:
        """One daily run: a process of its own, so a pacer of its own at 170/min."""
        seq = log.seq()
        started = time.monotonic()
        with SyncroClient(base_url, TOKEN, requests_per_minute=CLIENT_BUDGET) as client:
            result = Scheduler(client, customers, say=lambda _line: None).run(TODAY)
        seconds = time.monotonic() - started
        return result, log.since(seq), seconds

    def add(name: str, result: Any, entries: list[dict[str, Any]], seconds: float, k: int) -> None:
        window = result.plan.tickets_in_window + k  # the window as the re-check sees it
        budget = 1 + math.ceil(window / 25) + k
        figures.add(
            f"{name}: requests",
            len(entries),
            "requests",
            f"<= 1 + ceil({window}/25) + {k} = {budget}",
            len(entries) <= budget and not result.errors,
            command,
            wall_seconds=round(seconds, 2),
            opened=len(result.opened),
            errors=result.errors[:5],
            by_kind=_kinds(entries),
        )
        figures.add(f"{name}: wall time", seconds, "s", "none (reported)", None, command)

    first, entries, seconds = run(with_ids)
    add(
        f"deliverable run, {count} customers, first run ({len(first.opened)} due)",
        first,
        entries,
        seconds,
        len(first.opened),
    )
    quiet, entries, seconds = run(with_ids)
    add(f"deliverable run, {count} customers, nothing due", quiet, entries, seconds, 0)
    for customers, how in ((with_ids, "user ids exported"), (without_ids, "user ids looked up")):
        # k tickets of the window are gone (deleted by hand, say): the run reopens them.
        existing = Scheduler(setup, with_ids, say=lambda _line: None).plan(TODAY).existing
        for ticket_id in list(existing.values())[:k_due]:
            setup.request("DELETE", f"/tickets/{ticket_id}")
        result, entries, seconds = run(customers)
        name = f"deliverable run, {count} customers, {k_due} due ({how})"
        if how == "user ids exported":
            add(name, result, entries, seconds, k_due)
            continue
        figures.add(
            f"{name}: requests",
            len(entries),
            "requests",
            "none (reported: the fallback for a stack exported before user_id)",
            None,
            command,
            wall_seconds=round(seconds, 2),
            opened=len(result.opened),
            by_kind=_kinds(entries),
        )


def _no_user(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "user_id"}
