"""Hostile input to the emulator: cross-site calls to the control hooks, ids no object can
have. Each case failed before its fix (500s, or a reset/fault injection from any page)."""

from __future__ import annotations

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.emulator.conftest import make_customer

FOREIGN = {"Origin": "https://evil.example", "Content-Type": "text/plain"}


def test_foreign_origin_cannot_reset(emu: EmulatorServer, api: httpx.Client) -> None:
    org = make_customer(api, "Keep", "k@keep.com")
    reply = httpx.post(f"{emu.root_url}/_emulator/reset", headers=FOREIGN, content="{}")
    assert reply.status_code == 403
    assert api.get(f"/customers/{org['id']}").status_code == 200


def test_foreign_origin_cannot_inject_faults(emu: EmulatorServer, api: httpx.Client) -> None:
    body = '{"rules": [{"path": ".*", "rate_5xx": 1.0}]}'
    reply = httpx.post(f"{emu.root_url}/_emulator/faults", headers=FOREIGN, content=body)
    assert reply.status_code == 403
    assert httpx.get(f"{emu.root_url}/_emulator/faults").json()["rules"] == []
    assert api.get("/customers").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},  # another port is another origin
        {"Host": "rebound.evil.example"},  # DNS rebinding: a name pointing at loopback
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_other_cross_site_shapes_are_refused(
    emu: EmulatorServer, api: httpx.Client, headers: dict[str, str]
) -> None:
    org = make_customer(api, "Keep", "k@keep.com")
    reply = httpx.post(f"{emu.root_url}/_emulator/reset", headers=headers)
    assert reply.status_code == 403
    assert api.get(f"/customers/{org['id']}").status_code == 200


def test_same_origin_and_plain_clients_still_work(emu: EmulatorServer) -> None:
    same = {"Origin": emu.root_url}
    assert httpx.get(f"{emu.root_url}/_emulator/clock", headers=same).status_code == 200
    assert httpx.post(f"{emu.root_url}/_emulator/reset").status_code == 200
    local = {"Host": f"localhost:{emu.port}"}
    assert httpx.get(f"{emu.root_url}/_emulator/clock", headers=local).status_code == 200


HUGE = "9" * 30  # beyond SQLite's 64-bit integers
SUPERSCRIPT = "\u00b9"  # `'¹'.isdigit()` is True, `int('¹')` raises
ARABIC = "\u0664\u0662"  # Arabic-Indic 42: `int()` accepts it, Syncro ids are ASCII


@pytest.mark.parametrize("raw", [HUGE, SUPERSCRIPT, ARABIC, "-" + HUGE])
@pytest.mark.parametrize(
    "path", ["/customers/{}", "/contacts/{}", "/tickets/{}", "/leads/{}", "/users/{}"]
)
def test_odd_path_ids_are_not_found(api: httpx.Client, path: str, raw: str) -> None:
    assert api.get(path.format(raw)).status_code == 404
    assert api.delete(path.format(raw)).status_code in (404, 405)


@pytest.mark.parametrize("raw", [HUGE, SUPERSCRIPT, int(HUGE)])
def test_odd_body_and_query_ids_never_500(api: httpx.Client, raw: object) -> None:
    assert api.post("/tickets", json={"customer_id": raw, "subject": "x"}).status_code == 422
    assert api.post("/contacts", json={"customer_id": raw, "name": "x"}).status_code == 422
    for path in ("/tickets", "/contacts", "/customers"):
        reply = api.get(path, params={"customer_id": str(raw), "page": str(raw), "id": str(raw)})
        assert reply.status_code == 200, (path, reply.text)
