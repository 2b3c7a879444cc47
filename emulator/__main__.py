"""`python -m emulator serve ...`: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from emulator import seed
from emulator.app import Emulator, build_app
from emulator.server import EmulatorUvicorn, make_config


def main(argv: list[str] | None = None) -> int:
    """Parse the CLI and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the emulated Syncro API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--db", type=Path, default=Path(".emulator/syncro.db"))
    serve.add_argument("--token", default="local-emulator-token")
    serve.add_argument(
        "--limited-token", default=None, help="a second token whose user may only read"
    )
    serve.add_argument(
        "--rate-limit", type=int, default=180, help="requests per minute per client; 0 = off"
    )
    serve.add_argument(
        "--today", type=date.fromisoformat, default=None, help="emulated date on first start"
    )
    serve.add_argument(
        "--person-token",
        default="local-person-token",
        help="the person's credential for /_person/v1 (the stand-in for Syncro's web UI)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="the API token reaches only Syncro's published API (no /_admin/v1)",
    )
    seed.register(sub)
    args = parser.parse_args(argv)
    if args.command == "seed":
        return seed.run(args)

    emu = Emulator(
        args.db,
        token=args.token,
        limited_token=args.limited_token,
        rate_limit_per_minute=args.rate_limit,
        today=args.today,
        person_token=args.person_token,
        strict=args.strict,
    )
    ready = f"Syncro emulator ready at http://{args.host}:{args.port}/api/v1"
    server = EmulatorUvicorn(
        make_config(build_app(emu), host=args.host, port=args.port),
        on_ready=lambda: print(ready, flush=True),
        on_stop=emu.store.close,
    )
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
