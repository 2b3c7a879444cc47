"""Issue 13's figures: what a person still types per new customer, and what the daily
deliverable scheduler costs.

The simulated year comes from tests/deliverables/test_scheduler_emulator.py (it asserts
that no ticket is missing or duplicated and prints its counts, read here); a daily run's
requests and wall time are measured directly in bench/scheduler_figures.py. The runbook
count is pure: the UI-only objects the program asks a person for.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.common import Figures, step
from resources.domain import plan_all, plan_platform
from resources.ledger import ui_items
from resources.spec import load_customers

REPO = Path(__file__).resolve().parent.parent
YEAR_TEST = "tests/deliverables/test_scheduler_emulator.py::test_a_simulated_year"


def runbook_steps_per_customer(figures: Figures) -> None:
    """Steps a person types for Smith Law (Defense, two domains), by deliverables mode."""
    specs = [s for s in load_customers(REPO / "customers") if s.client_id == "CS-0042"]
    plans = plan_all(specs)
    platform = plan_platform("help@cybersuite.tech", ("noc@cybersuite.tech",))

    def per_customer(native: bool) -> int:
        items = ui_items(platform, plans, {}, native_recurring=native)
        return sum(1 for item in items if item.key.split(":")[0] in ("rule", "deliverable"))

    native, scheduled = per_customer(True), per_customer(False)
    figures.add(
        "runbook steps per new Defense customer with two domains (scheduler)",
        scheduled,
        "steps",
        "<= 2 (was 7 with Syncro's recurring tickets)",
        scheduled <= 2,
        "resources.ledger.ui_items for customers/smith-law.yaml",
        with_native_recurring_tickets=native,
    )


def simulated_year(figures: Figures) -> None:
    """The scheduler's year (tests/deliverables/test_scheduler_emulator.py asserts exactly
    the catalog's tickets; the figure is what it printed). Requests and wall time of a
    daily run are measured directly by bench/scheduler_figures.py."""
    with step("the deliverable scheduler's simulated year (strict emulator)", "about 10 s"):
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", YEAR_TEST],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
        )
    out = proc.stdout
    year = re.search(
        r"year: (\d+) runs, (\d+) requests .*?, (\d+) tickets, .* (\d+) missing, (\d+) duplicates",
        out,
    )
    passed = proc.returncode == 0
    command = f".venv/bin/python -m pytest -q -s {YEAR_TEST}"
    if year is None:
        figures.add(
            "simulated year of deliverable runs",
            None,
            "",
            "the test prints its counts",
            False,
            command,
            output=(out + proc.stderr)[-4000:],
        )
        return
    missing, duplicates = int(year[4]), int(year[5])
    figures.add(
        "simulated year (daily runs, one day x3, one day 2 concurrent): missing + duplicates",
        missing + duplicates,
        "tickets",
        "0 (exactly the catalog's count per tier and customer)",
        passed and missing + duplicates == 0,
        command,
        runs=int(year[1]),
        tickets=int(year[3]),
    )
