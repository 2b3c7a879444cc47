"""A throwaway copy of this Pulumi project wired to an in-process emulator.

The program files are linked, not copied, so the test runs exactly the code in
the repository; only customers/, the stack config and the state are the test's.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.pulumi_cli import REPO_ROOT, PulumiRun, pulumi_env

LINKED = ("__main__.py", "resources", "policies", ".venv")


def customer_yaml(
    client_id: str = "CS-0042",
    name: str = "Smith Law LLP",
    tier: str = "Defense",
    domains: tuple[str, ...] = ("smithlaw.com", "smithlaw.legal"),
    **overrides: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "client_id": client_id,
        "tier": tier,
        "platform": "M365",
        "domains": list(domains),
        "main_poc": {"name": "Jane Smith", "email": f"jane@{domains[0]}"},
        "hubspot_deal_id": "18234567",
        "go_live": "2026-12-01",
        "account_manager": "alex@cybersuite.tech",
    }
    spec.update(overrides)
    return spec


class Project:
    """The project in `root`, its `local` stack pointed at `emulator`."""

    def __init__(self, root: Path, emulator: Any, admin_mode: str = "api") -> None:
        self.root = root
        self.emulator = emulator
        root.mkdir(parents=True, exist_ok=True)
        for name in LINKED:
            (root / name).symlink_to(REPO_ROOT / name)
        shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
        self.customers = root / "customers"
        self.customers.mkdir()
        (root / "state").mkdir()
        self.pulumi = PulumiRun(root, pulumi_env(root / "state"))
        self.pulumi.init()
        self.config("syncro:baseUrl", emulator.base_url)
        self.config("syncro:apiToken", emulator.token, secret=True)
        self.config("syncro:adminMode", admin_mode)

    def config(self, key: str, value: str, *, secret: bool = False, path: bool = False) -> None:
        args = ["config", "set", key, value]
        if secret:
            args.append("--secret")
        if path:
            args.append("--path")
        self.pulumi(*args)

    def add_customer(self, filename: str, spec: dict[str, Any], *, edr: bool = True) -> None:
        (self.customers / filename).write_text(yaml.safe_dump(spec, sort_keys=False))
        if edr:
            cid = spec["client_id"]
            self.config(
                f"syncro:edrKeys.{cid}.account", f"acct-{cid}-s3cret", secret=True, path=True
            )
            self.config(f"syncro:edrKeys.{cid}.org", f"org-{cid}-s3cret", secret=True, path=True)

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.emulator.base_url,
            headers={"Authorization": f"Bearer {self.emulator.token}"},
            timeout=30,
        )

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.emulator.root_url, timeout=30)

    def request_count(self) -> int:
        with self.control() as http:
            return len(http.get("/_emulator/requests").json()["requests"])

    def clear_requests(self) -> None:
        with self.control() as http:
            http.delete("/_emulator/requests")
