"""What every benchmark of bench/run.py shares: constants, output, the emulator and
project wrappers, request-log helpers and the figures table (split from run.py, unchanged).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))

from emulator.testing import EmulatorServer  # noqa: E402
from resources import catalog  # noqa: E402
from resources.deliverables import Schedule, due_now  # noqa: E402
from resources.domain import CustomerPlan, plan_all  # noqa: E402
from resources.spec import load_customers  # noqa: E402
from tests.pulumi_cli import PulumiRun, pulumi_env  # noqa: E402

TOKEN = "bench-token-5c1e"
TODAY = "2026-06-01"
SYNCRO_LIMIT = 180  # Syncro's documented requests per rolling minute per IP
CLIENT_BUDGET = 170  # the client's default pacing budget
TIERS = ("Standard", "Defense", "Sentinel")
DOMAIN_SUFFIXES = ("", "-legal", "-mail")
FULL_SIZES = (10, 50, 200)
REAL_LIMIT_CUSTOMERS = 50
UP = ("up", "--yes", "--skip-preview", "--suppress-outputs")
PREVIEW = ("preview", "--suppress-outputs")
REFRESH = ("refresh", "--yes", "--skip-preview", "--suppress-outputs")
LONG = 3 * 3600  # a CLI call's timeout, seconds
# bench/run.py sets PULUMI_SKIP_CHECKPOINTS=true here, as `make up` runs (the Makefile):
# the file backend writes the state once, at the end (--every-step-checkpoints: after each).
PULUMI_EXTRA_ENV: dict[str, str] = {}


# --- output -----------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"


@contextmanager
def step(what: str, expect: str) -> Iterator[dict[str, float]]:
    """Announce a long step with its expected duration; report how long it took."""
    say(f"  .. {what} ({expect})")
    timing: dict[str, float] = {}
    start = time.monotonic()
    yield timing
    timing["seconds"] = time.monotonic() - start
    say(f"     done in {clock(timing['seconds'])}")


# --- customers --------------------------------------------------------------------------


def customer(n: int) -> dict[str, Any]:
    """Customer number n: tiers in turn, 1-3 domains (independent of the tier)."""
    domains = [f"firm{n:04d}{suffix}.example" for suffix in DOMAIN_SUFFIXES[: 1 + (n // 3) % 3]]
    return {
        "name": f"Firm {n:04d} LLP",
        "client_id": f"CS-{n:04d}",
        "tier": TIERS[n % 3],
        "platform": ("M365", "Google Workspace")[n % 2],
        "domains": domains,
        "main_poc": {"name": f"Pat Firm{n:04d}", "email": f"pat@{domains[0]}"},
        "hubspot_deal_id": str(18_000_000 + n),
        "go_live": "2026-12-01",
        "account_manager": "alex@cybersuite.tech",
    }


def customers(count: int) -> list[dict[str, Any]]:
    return [customer(n) for n in range(1, count + 1)]


def minimum_per_customer(
    plan: CustomerPlan,
    admin_mode: str,
    *,
    deliverables_mode: str = catalog.DEFAULT_DELIVERABLES_MODE,
    tier_policy: bool = False,
    today: date | None = None,
) -> Counter[str]:
    """The requests the program cannot do without for one new customer, from its plan:

    - the organization: 1 write (`POST /customers`);
    - api mode: 1 write per email rule (`resources.domain.plan_email_rules`);
    - the public objects, in both modes: the contract and the main contact, 1 write
      each; the policy assignment 1 read (`GET /policy_folders?customer_id=`: Syncro
      makes the root folder with the organization and lists folders only per customer,
      so its id costs a read) + 1 write when `syncro:tierPolicies` names the tier's id;
    - deliverables: with the scheduler, 1 `POST /tickets` for each occurrence already
      inside its lead window today (`resources.deliverables.due_now`); with Syncro's own
      recurring tickets, 1 write each in api mode and none in runbook mode.
    """
    need: Counter[str] = Counter(organization=1)
    if admin_mode == "api":
        need["email rules"] = len(plan.email_rules)
    need["contract"] = plan.contract is not None
    need["contact"] = plan.contact is not None
    if plan.policy is not None:
        need["policy folder read"] = 1
        need["policy write"] = int(tier_policy)
    if deliverables_mode == "scheduler":
        day = today or date.today()  # what the RecurringTicket provider compares with
        need["deliverable tickets due"] = sum(
            due_now(Schedule(plan.client_id, d.key, d.frequency, d.first_due, d.lead_days), day)
            is not None
            for d in plan.deliverables
        )
    elif admin_mode == "api":
        need["recurring tickets"] = len(plan.deliverables)
    return need


def minimum_calls(
    customers_dir: Path, client_ids: set[str], admin_mode: str, **options: Any
) -> tuple[int, dict[str, int]]:
    """The minimum for these customers of `customers_dir` (planned by the program's own
    `resources.domain.plan_all`), and its parts by kind."""
    plans = [p for p in plan_all(load_customers(customers_dir)) if p.client_id in client_ids]
    total: Counter[str] = Counter()
    for plan in plans:
        total.update(minimum_per_customer(plan, admin_mode, **options))
    return sum(total.values()), dict(total)


# --- the emulator and a throwaway project -----------------------------------------------


class Emulator:
    """An in-process emulator with the bench's latency rule and a given rate limit."""

    def __init__(self, root: Path, rate_limit: int, latency_ms: int) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.server = EmulatorServer(
            db_path=root / "syncro.db", token=TOKEN, rate_limit_per_minute=rate_limit, today=TODAY
        ).start()
        self.http = httpx.Client(base_url=self.server.root_url, timeout=60)
        if latency_ms:
            rule = {"path": ".*", "latency_ms": latency_ms}
            self.http.post(
                "/_emulator/faults", json={"rules": [rule], "seed": 1}
            ).raise_for_status()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def requests(self) -> list[dict[str, Any]]:
        answer = self.http.get("/_emulator/requests")
        answer.raise_for_status()
        return answer.json()["requests"]

    def clear_requests(self) -> None:
        self.http.delete("/_emulator/requests").raise_for_status()

    def close(self) -> None:
        self.http.close()
        self.server.stop()


class BenchProject:
    """This program in `root` (linked, not copied), its `local` stack on `emulator`.

    With a client budget above Syncro's 180 (the scaled runs) the entry point is
    bench/scaled_main.py, which raises only the settings cap and runs the real
    __main__.py; otherwise __main__.py itself is linked.
    """

    def __init__(
        self,
        root: Path,
        emulator: Emulator,
        *,
        admin_mode: str = "api",
        requests_per_minute: int = CLIENT_BUDGET,
        scale: float = 1,
    ) -> None:
        self.root = root
        root.mkdir(parents=True)
        for name in ("resources", ".venv"):
            (root / name).symlink_to(REPO / name)
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        extra: dict[str, str] = dict(PULUMI_EXTRA_ENV)
        if requests_per_minute > SYNCRO_LIMIT:
            (root / "program_main.py").symlink_to(REPO / "__main__.py")
            shutil.copy(BENCH / "scaled_main.py", root / "__main__.py")
            extra["BENCH_SCALE_FACTOR"] = str(scale)
        else:
            (root / "__main__.py").symlink_to(REPO / "__main__.py")
        self.customers = root / "customers"
        self.customers.mkdir()
        (root / "state").mkdir()
        # Without the policy pack, as the figures in bench/README.md were measured: they
        # compare the program and its providers with a no-op provider, which has no pack.
        self.pulumi = PulumiRun(root, pulumi_env(root / "state", **extra), policy_pack=None)
        self.pulumi.init()
        self.pulumi.set_config(
            plain={
                "syncro:baseUrl": emulator.base_url,
                "syncro:adminMode": admin_mode,
                "syncro:requestsPerMinute": str(requests_per_minute),
            },
            secret={"syncro:apiToken": TOKEN},
        )

    def add_customers(self, specs: list[dict[str, Any]]) -> None:
        """The files, then every EDR secret in one `pulumi config set-all --path` call."""
        args = ["config", "set-all", "--path"]
        for spec in specs:
            cid = spec["client_id"]
            path = self.customers / f"{cid.lower()}.yaml"
            path.write_text(yaml.safe_dump(spec, sort_keys=False))
            args += ["--secret", f"syncro:edrKeys.{cid}.account=acct-{cid}-bench"]
            args += ["--secret", f"syncro:edrKeys.{cid}.org=org-{cid}-bench"]
        self.pulumi(*args)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.pulumi(*args, timeout=LONG)

    def export(self, *, show_secrets: bool = False) -> str:
        flag = "--show-secrets" if show_secrets else "--show-secrets=false"
        return self.pulumi("stack", "export", flag).stdout


# --- request-log analysis ---------------------------------------------------------------


def pattern(entry: dict[str, Any]) -> str:
    """`GET /api/v1/customers/{id}`, with the query's parameter names: `[include_disabled,page]`."""
    path = re.sub(r"/\d+(?=/|$)", "/{id}", entry["path"])
    keys = sorted({k.split("=", 1)[0] for k in (entry.get("query") or "").split("&") if k})
    return f"{entry['method']} {path}" + (f" [{','.join(keys)}]" if keys else "")


def top_patterns(log: list[dict[str, Any]], limit: int = 12) -> list[list[Any]]:
    return [[name, count] for name, count in Counter(map(pattern, log)).most_common(limit)]


def is_write(entry: dict[str, Any]) -> bool:
    return entry["method"] in ("POST", "PUT", "DELETE")


def org_reads(log: list[dict[str, Any]]) -> int:
    return sum(1 for e in log if e["method"] == "GET" and e["path"].startswith("/api/v1/customers"))


def custom_resources(export: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in export["deployment"].get("resources", [])
        if r["type"].startswith("pulumi-python:dynamic")
    ]


def to_create(stdout: str) -> int | None:
    """`+ 1650 to create` from a preview summary."""
    found = re.search(r"\+\s*(\d+)\s+to create", stdout)
    return int(found.group(1)) if found else None


# --- figures ----------------------------------------------------------------------------


class Figures:
    def __init__(self) -> None:
        self.figures: list[dict[str, Any]] = []
        self.details: dict[str, dict[str, Any]] = {}

    def add(
        self,
        name: str,
        value: float | None,
        unit: str,
        target: str,
        holds: bool | None,
        command: str,
        **detail: Any,
    ) -> None:
        if isinstance(value, float):
            value = round(value, 3)
        self.figures.append(
            {"name": name, "value": value, "unit": unit, "target": target, "holds": holds}
        )
        self.details[name] = {"command": command, **detail}
        verdict = "reported" if holds is None else ("holds" if holds else "MISSED")
        shown = "null" if value is None else value
        say(f"{name}: {shown} {unit} (target {target}) {verdict}")
