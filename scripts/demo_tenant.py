"""The demo tenant's one-time UI steps: each tier's SLA and RMM policy, made by a "person".

On real Syncro an admin defines the SLAs (Admin > SLAs) and the policies (Policies tab)
once, and copies their ids into `syncro:tierSlas` / `syncro:tierPolicies` (the runbook's
one-time section says so). The emulator stands in for that admin on its person's
surface (`/_person/v1`): this script finds each object by the name the program expects
(resources/domain.py `sla_name`, resources/catalog.py `policy_kind`) or makes it, then
makes the `local` stack's config name those ids. On a fresh emulator the ids are the
ones `Pulumi.local.yaml` already holds, so nothing is rewritten.

Usage: python scripts/demo_tenant.py [--emulator URL] [--person-token TOKEN]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resources import catalog  # noqa: E402
from resources.domain import sla_name  # noqa: E402


def find_or_make(http: httpx.Client, kind: str, name: str, body: dict) -> int:
    listed = http.get(f"/{kind}")
    listed.raise_for_status()
    for obj in listed.json()[kind]:
        if obj["name"] == name:
            return int(obj["id"])
    made = http.post(f"/{kind}", json={"name": name, **body})
    made.raise_for_status()
    return int(next(iter(made.json().values()))["id"])


def configured(key: str) -> str | None:
    got = subprocess.run(
        ["pulumi", "config", "get", "--path", key, "--stack", "local"],
        capture_output=True,
        text=True,
    )
    return got.stdout.strip() if got.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--emulator", default=os.environ.get("EMULATOR_URL", "http://127.0.0.1:8787")
    )
    parser.add_argument("--person-token", default="local-person-token")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.person_token}"}
    wanted: dict[str, int] = {}
    with httpx.Client(base_url=f"{args.emulator}/_person/v1", headers=headers, timeout=30) as http:
        for name in catalog.TIERS:
            terms = catalog.tier(name).sla
            wanted[f"syncro:tierSlas.{name}"] = find_or_make(
                http,
                "slas",
                sla_name(name),
                {
                    "description": terms.text(),
                    "response_time_minutes": terms.acknowledgement_hours * 60,
                    "resolution_time_minutes": terms.resolution_basic_hours * 60,
                },
            )
            wanted[f"syncro:tierPolicies.{name}"] = find_or_make(
                http, "policies", catalog.policy_kind(name), {"description": f"{name} devices"}
            )
    for key, object_id in wanted.items():
        if configured(key) != str(object_id):
            print(f"demo: {key} = {object_id} (this emulator's id; stack config updated)")
            subprocess.run(
                ["pulumi", "config", "set", "--path", key, str(object_id), "--stack", "local"],
                check=True,
            )
    ids = ", ".join(f"{key.removeprefix('syncro:')}={value}" for key, value in wanted.items())
    print(f"demo: tier SLAs and policies defined on the emulator's person surface ({ids})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
