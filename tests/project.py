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


def edr_key(client_id: str, which: str) -> str:
    """A recognisable fake EDR key: tests search every output for it."""
    return f"{'acct' if which == 'account' else 'org'}-{client_id}-s3cret"


def edr_secrets(client_id: str) -> list[str]:
    """`config set-all --path` arguments for the customer's two EDR keys."""
    return [
        *("--secret", f"syncro:edrKeys.{client_id}.account={edr_key(client_id, 'account')}"),
        *("--secret", f"syncro:edrKeys.{client_id}.org={edr_key(client_id, 'org')}"),
    ]


def generated_customers(count: int, start: int = 100) -> list[dict[str, Any]]:
    """`count` valid customers: tiers in turn, one to three domains each."""
    specs = []
    for n in range(start, start + count):
        tier = ("Standard", "Defense", "Sentinel")[n % 3]
        domains = tuple(f"firm{n:04d}{suffix}" for suffix in (".com", ".net", ".law")[: 1 + n % 3])
        specs.append(
            customer_yaml(
                client_id=f"CS-{n:04d}", name=f"Firm {n:04d} LLP", tier=tier, domains=domains
            )
        )
    return specs


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

    def __init__(
        self,
        root: Path,
        emulator: Any,
        admin_mode: str = "api",
        main: Path | None = None,
        deliverables: str = "syncro",
        env: dict[str, str] | None = None,
    ) -> None:
        """`main`: another entry point that runs the real program (linked as program.py).
        `deliverables`: `syncro:deliverables`; these tests were written for Syncro's native
        recurring tickets, the stack default is the scheduler (contract 3).
        `env`: extra environment for every pulumi command (e.g. another PULUMI_BACKEND_URL).
        """
        root.mkdir(parents=True, exist_ok=True)
        for name in LINKED:
            (root / name).symlink_to(REPO_ROOT / name)
        if main is not None:
            (root / "__main__.py").rename(root / "program.py")
            (root / "__main__.py").symlink_to(main)
        shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / "customers").mkdir()
        (root / "state").mkdir()
        self._attach(root, emulator, env or {})
        self.pulumi.init()
        self.pulumi.set_config(
            plain={
                "syncro:baseUrl": emulator.base_url,
                "syncro:adminMode": admin_mode,
                "syncro:deliverables": deliverables,
            },
            secret={"syncro:apiToken": emulator.token},
        )

    @classmethod
    def copy_of(cls, template: Project, root: Path) -> Project:
        """A copy of `template` in `root`: its links, customers/, stack config (secrets
        encrypted with its salt) and state, without the CLI runs that made it. For a
        corpus of cases that each start from the same stack."""
        shutil.copytree(template.root, root, symlinks=True)
        project = cls.__new__(cls)
        project._attach(root, template.emulator, template.env)
        return project

    def _attach(self, root: Path, emulator: Any, env: dict[str, str]) -> None:
        """This object to the project files in `root` (made, or copied)."""
        self.root, self.emulator, self.env = root, emulator, env
        self.customers = root / "customers"
        self.pulumi = PulumiRun(root, pulumi_env(root / "state", **env))

    def config(self, key: str, value: str, *, secret: bool = False, path: bool = False) -> None:
        args = ["config", "set", key, value]
        if secret:
            args.append("--secret")
        if path:
            args.append("--path")
        self.pulumi(*args)

    def add_customer(self, filename: str, spec: dict[str, Any], *, edr: bool = True) -> None:
        self.write_customer(filename, spec)
        if edr:
            self.pulumi("config", "set-all", "--path", *edr_secrets(spec["client_id"]))

    def write_customer(self, filename: str, spec: dict[str, Any]) -> None:
        (self.customers / filename).write_text(yaml.safe_dump(spec, sort_keys=False))

    def add_customers(self, specs: list[dict[str, Any]]) -> None:
        """Many customers at once: files, then every EDR secret in one `config set-all`."""
        args = ["config", "set-all", "--path"]
        for spec in specs:
            self.write_customer(f"{spec['client_id'].lower()}.yaml", spec)
            args += edr_secrets(spec["client_id"])
        self.pulumi(*args)

    def requests(self) -> list[dict[str, Any]]:
        with self.control() as http:
            return http.get("/_emulator/requests").json()["requests"]

    def faults(self, *rules: dict[str, Any], seed: int = 1) -> None:
        with self.control() as http:
            if rules:
                http.post("/_emulator/faults", json={"rules": list(rules), "seed": seed})
            else:
                http.delete("/_emulator/faults")

    def admin_list(self, kind: str) -> list[dict[str, Any]]:
        with self.api() as http:
            return http.get(f"{self.emulator.admin_url}/{kind}").json()[kind]

    def customers_in_syncro(self) -> list[dict[str, Any]]:
        found, page = [], 1
        with self.api() as http:
            while True:
                got = http.get(
                    "/customers", params={"include_disabled": "true", "page": page}
                ).json()
                found += got["customers"]
                if page >= got["meta"]["total_pages"]:
                    return found
                page += 1

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
