"""Identities in another case converge (issue 14 item 5): `Sam@CyberSuite.tech` once
made every refresh and up report "~ 2 updated". Syncro compares emails and domains
without case, so the program does too, from the customer file to the provider's diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "identity-case-token-3f1a"


def changes(project: Project, *args: str) -> dict[str, int]:
    got = json.loads(project.pulumi(*args, "--json").stdout)
    summary = got.get("changeSummary") or {}
    return {op: n for op, n in summary.items() if op != "same" and n}


def test_account_manager_and_domains_in_other_case_converge(tmp_path: Path) -> None:
    with EmulatorServer(db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0) as e:
        project = Project(tmp_path / "project", e)
        project.add_customer(
            "smith-law.yaml",
            customer_yaml(
                account_manager="Alex@CyberSuite.Tech",
                domains=("SmithLaw.com", "smithlaw.LEGAL"),
                main_poc={"name": "Jane Smith", "email": "Jane@SmithLaw.com"},
            ),
        )
        project.pulumi("up", "--yes", "--skip-preview")
        project.pulumi("refresh", "--yes")
        # After a refresh has read Syncro's own spelling back, nothing is left to change.
        assert changes(project, "preview") == {}
        project.pulumi("refresh", "--yes")
        assert changes(project, "preview") == {}
        rules = project.admin_list("email_rules")
        assert sorted(r["sender"] for r in rules) == ["@smithlaw.com", "@smithlaw.legal"]
