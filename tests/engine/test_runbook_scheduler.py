"""Runbook mode with the deliverable scheduler (the `prod` default): per new customer only
its email rules wait for a person (issue 13's goal: 7 steps for a Defense customer with two
domains before, 2 now); deliverables go through the public API and are never runbook steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "runbook-scheduler-token-77c1"


def test_only_email_rules_wait_for_a_person_per_new_customer(tmp_path: Path) -> None:
    with EmulatorServer(db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0) as e:
        project = Project(tmp_path / "project", e, admin_mode="runbook", deliverables="scheduler")
        project.add_customer("smith-law.yaml", customer_yaml())  # Defense, two domains
        project.pulumi("up", "--yes", "--skip-preview")
        first = int(project.pulumi("stack", "output", "runbook_waiting").stdout)
        changes = (project.root / "runbooks" / "local.changes.md").read_text()
        assert "add recurring ticket" not in changes.lower()

        project.add_customer(
            "acme-dental.yaml",
            customer_yaml(
                client_id="CS-0007", name="Acme Dental", domains=("acme.com", "acme.net")
            ),
        )
        project.pulumi("up", "--yes", "--skip-preview")
        second = int(project.pulumi("stack", "output", "runbook_waiting").stdout)
        assert second - first == 2, (
            f"a new Defense customer with two domains added {second - first}"
        )
        assert project.admin_list("recurring_tickets") == []
