"""Requests per second for `GET /api/v1/customers/{id}` against a local emulator.

Starts an in-process emulator (rate limit off) on loopback, creates one customer, then
has a few concurrent clients issue ~2,000 GETs over kept-alive connections. The target
is >= 500 req/s: fast enough that the emulator is never what slows a test suite down.

Usage: .venv/bin/python bench/emulator_rps.py [--requests 2000] [--clients 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.testing import EmulatorServer  # noqa: E402

TOKEN = "bench-token"


def main() -> int:
    """Run the benchmark and print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorServer(db_path=Path(tmp) / "bench.db", token=TOKEN, rate_limit_per_minute=0) as emu,
    ):
        made = httpx.post(
            f"{emu.base_url}/customers",
            headers=headers,
            json={"business_name": "Bench Co", "email": "bench@bench.example"},
        )
        made.raise_for_status()
        url = f"{emu.base_url}/customers/{made.json()['customer']['id']}"
        per_client = args.requests // args.clients
        failures: list[int] = []

        def worker() -> None:
            with httpx.Client(headers=headers) as http:
                for _ in range(per_client):
                    status = http.get(url).status_code
                    if status != 200:
                        failures.append(status)

        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    total = per_client * args.clients
    rate = total / elapsed
    print(f"emulator GET /customers/{{id}}: {rate:.0f} req/s (target >= 500)")
    if failures:
        print(f"{len(failures)} requests failed: {sorted(set(failures))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
