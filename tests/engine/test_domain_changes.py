"""Adding or removing a domain of an existing customer, with the policy pack on (issue 14.1).

`make preview` and `make up` run `--policy-pack policies`; so do these tests (the
harness adds it to every preview and up). The pack's stack policies judge resource
outputs, so an Organization whose `domains` changed must be updated, not kept
"unchanged" with the old domains from state; and that update writes nothing to
Syncro when no field Syncro stores changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "domain-change-token-5c1e"

ACME = customer_yaml(
    client_id="CS-0107", name="Acme Dental", tier="Standard", domains=("acmedental.com",)
)
SMITH = customer_yaml()  # CS-0042, smithlaw.com and smithlaw.legal


@pytest.fixture
def project(tmp_path: Path):
    with EmulatorServer(
        db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0
    ) as emu:
        project = Project(tmp_path / "project", emu)
        project.add_customer("acme-dental.yaml", ACME)
        project.add_customer("smith-law.yaml", SMITH)
        project.pulumi("up", "--yes", "--skip-preview")
        yield project


def senders(project: Project) -> list[str]:
    return sorted(rule["sender"] for rule in project.admin_list("email_rules"))


def customer_writes(project: Project) -> list[str]:
    """Writes to organizations in the emulator's request log (method and path)."""
    return [
        f"{r['method']} {r['path']}"
        for r in project.requests()
        if r["method"] in ("PUT", "POST", "DELETE") and "/customers" in r["path"]
    ]


def preview_and_up(project: Project) -> str:
    """The review and the merge of a pull request; both must pass the mandatory policies."""
    preview = project.pulumi("preview", "--diff", check=False)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "mandatory" not in preview.stdout + preview.stderr
    project.clear_requests()
    up = project.pulumi("up", "--yes", "--skip-preview", check=False)
    assert up.returncode == 0, up.stdout + up.stderr
    return up.stdout


def test_adding_a_second_domain_creates_exactly_one_rule(project: Project) -> None:
    before = project.admin_list("email_rules")
    project.write_customer(
        "acme-dental.yaml", {**ACME, "domains": ["acmedental.com", "acmedental.net"]}
    )
    preview_and_up(project)
    after = project.admin_list("email_rules")
    assert len(after) == len(before) + 1
    assert {r["id"] for r in before} < {r["id"] for r in after}  # nothing recreated
    (new,) = [r for r in after if r["id"] not in {b["id"] for b in before}]
    assert new["sender"] == "@acmedental.net"
    # The organization took the new domain in state only: Syncro stores no domain list.
    assert customer_writes(project) == []
    project.pulumi("preview", "--expect-no-changes")


def test_removing_a_domain_deletes_exactly_one_rule(project: Project) -> None:
    before = project.admin_list("email_rules")
    project.write_customer("smith-law.yaml", {**SMITH, "domains": ["smithlaw.com"]})
    preview_and_up(project)
    after = project.admin_list("email_rules")
    assert len(after) == len(before) - 1
    assert {r["id"] for r in after} < {r["id"] for r in before}  # nothing recreated
    assert senders(project) == ["@acmedental.com", "@smithlaw.com"]
    assert customer_writes(project) == []
    project.pulumi("preview", "--expect-no-changes")


def test_a_new_primary_domain_writes_only_the_organization_fields(project: Project) -> None:
    """The first domain is the Primary Domain field: that change does reach Syncro."""
    project.write_customer(
        "acme-dental.yaml", {**ACME, "domains": ["acme-dental.com", "acmedental.com"]}
    )
    preview_and_up(project)
    assert senders(project) == [
        "@acme-dental.com",
        "@acmedental.com",
        "@smithlaw.com",
        "@smithlaw.legal",
    ]
    writes = customer_writes(project)
    assert len(writes) == 1 and writes[0].startswith("PUT "), writes
    project.pulumi("preview", "--expect-no-changes")
