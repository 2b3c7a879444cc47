"""Issue 13's figures: what a person still types per new customer, and what the daily
deliverable scheduler costs.

The scheduler figures come from the measuring tests in
tests/deliverables/test_scheduler_emulator.py (a strict emulator, the real client, the
emulator's request log): they assert the budgets, and print what they counted, which is
read here. The runbook count is pure: the UI-only objects the program asks a person for.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

from bench.common import Figures, step
from resources.domain import plan_all, plan_platform
from resources.ledger import ui_items
from resources.spec import load_customers

REPO = Path(__file__).resolve().parent.parent
MEASURING_TESTS = (
    "tests/deliverables/test_scheduler_emulator.py::test_request_budget_for_200_customers",
    "tests/deliverables/test_scheduler_emulator.py::test_k_due_with_user_ids_in_the_outputs_is_that_plus_k",
    "tests/deliverables/test_scheduler_emulator.py::test_a_simulated_year",
)


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


def scheduler_figures(figures: Figures) -> None:
    with step("the deliverable scheduler's measuring tests (strict emulator)", "about 30 s"):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-s",
                "-p",
                "no:cacheprovider",
                *MEASURING_TESTS,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
        )
    out = proc.stdout
    quiet = re.search(r"nothing due: (\d+) requests, (\d+) tickets in window", out)
    k_due = re.search(r"(\d+) due: (\d+) requests \(.*\), (\d+) in window", out)
    known = re.search(r"k=(\d+) due, user ids known: (\d+) requests", out)
    year = re.search(
        r"year: (\d+) runs, (\d+) requests .*?, (\d+) tickets, .* (\d+) missing, (\d+) duplicates",
        out,
    )
    passed = proc.returncode == 0
    command = f".venv/bin/python -m pytest -q -s {' '.join(MEASURING_TESTS)}"
    if quiet:
        requests, window = int(quiet[1]), int(quiet[2])
        budget = 1 + math.ceil(window / 25)
        figures.add(
            "deliverable run, 200 customers, nothing due: requests",
            requests,
            "requests",
            f"<= 1 + ceil({window}/25) = {budget}",
            passed and requests <= budget,
            command,
        )
    if k_due:
        k, requests, window = int(k_due[1]), int(k_due[2]), int(k_due[3])
        budget = 1 + math.ceil(window / 25) + k
        figures.add(
            f"deliverable run, 200 customers, {k} due (user id looked up): requests",
            requests,
            "requests",
            f"<= 1 + ceil({window}/25) + {k} = {budget}",
            requests <= budget,
            command,
            note="GET /users + GET /users/{id} find the account manager once per run",
        )
    if known:
        k, requests = int(known[1]), int(known[2])
        figures.add(
            f"deliverable run, 200 customers, {k} due (user ids in the outputs): requests",
            requests,
            "requests",
            "<= 1 + ceil(tickets in window / 25) + k (asserted by the test)",
            passed,
            command,
        )
    if year:
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
    if not (quiet and k_due and known and year):
        figures.add(
            "deliverable scheduler figures",
            None,
            "",
            "the measuring tests print their counts",
            False,
            command,
            output=(out + proc.stderr)[-4000:],
        )
