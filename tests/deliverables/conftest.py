"""An in-process emulator and helpers shaped like the stack output the runner reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources import catalog
from resources.syncro import SyncroClient

TOKEN = "sched-test-token"
ACCOUNT_MANAGER = "alex@cybersuite.tech"  # seed user 1001


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0, today="2026-01-01"
    ) as server:
        yield server


def new_client(emu: EmulatorServer) -> SyncroClient:
    """The real client; its pacer opened wide because the emulator's limit is off here."""
    return SyncroClient(emu.base_url, TOKEN, requests_per_minute=1_000_000)


@pytest.fixture
def client(emu: EmulatorServer) -> Iterator[SyncroClient]:
    with new_client(emu) as c:
        yield c


class Control:
    """`/_emulator`: the clock and the request log (never rate limited, not logged)."""

    def __init__(self, emu: EmulatorServer) -> None:
        self.http = httpx.Client(base_url=f"{emu.root_url}/_emulator", timeout=30)

    def set_clock(self, day: date) -> None:
        self.http.post("/clock", json={"now": day.isoformat()}).raise_for_status()

    def today(self) -> date:
        return date.fromisoformat(self.http.get("/clock").json()["now"][:10])

    def seq(self) -> int:
        entries = self.http.get("/requests").json()["requests"]
        return entries[-1]["seq"] if entries else 0

    def requests_since(self, seq: int) -> list[dict[str, Any]]:
        return self.http.get("/requests", params={"since": seq}).json()["requests"]


@pytest.fixture
def control(emu: EmulatorServer) -> Iterator[Control]:
    c = Control(emu)
    yield c
    c.http.close()


def onboard(
    client: SyncroClient, customers: list[tuple[str, str, date]], *, user_id: int | None = None
) -> dict[str, Any]:
    """Create the organizations in the emulator and answer what `pulumi stack output
    customers --json` holds for them (organization_id, tier, deliverables)."""
    output: dict[str, Any] = {}
    for client_id, tier, go_live in customers:
        org = client.create_customer(
            {"business_name": f"Firm {client_id}", "email": f"poc@{client_id.lower()}.example"}
        )
        output[client_id] = {
            "business_name": f"Firm {client_id}",
            "tier": tier,
            "organization_id": org.id,
            "deliverables": [
                {
                    "deliverable": d.key,
                    "subject": f"[{client_id}] {d.title}",
                    "frequency": d.frequency,
                    "first_due": catalog.first_due(go_live, d.frequency).isoformat(),
                    "lead_days": d.lead_days,
                    "assignee": ACCOUNT_MANAGER,
                    **({"user_id": user_id} if user_id else {}),
                }
                for d in catalog.deliverables_for(tier)
            ],
        }
    return output
