"""A delete never removes or archives a Syncro object another resource of the stack now
owns (issue 14 item 2), and a record that is not the customer's is never written
(item 6). Real CLI, policy pack on, exactly as `make up` runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "ownership-token-2b7c"
UP = ("up", "--yes", "--skip-preview", "--policy-pack", "policies")


@pytest.fixture
def emulator(tmp_path: Path):
    with EmulatorServer(db_path=tmp_path / "syncro.db", token=TOKEN, rate_limit_per_minute=0) as e:
        yield e


def orgs(project: Project) -> dict[str, dict]:
    return {c["email"]: c for c in project.customers_in_syncro()}


def rules(project: Project) -> dict[str, dict]:
    return {r["sender"]: r for r in project.admin_list("email_rules")}


def test_changing_a_client_id_with_adopt_keeps_the_organization_and_its_rules(
    tmp_path: Path, emulator
) -> None:
    project = Project(tmp_path / "project", emulator)
    project.add_customer("smith-law.yaml", customer_yaml())
    project.pulumi(*UP)
    before = orgs(project)["jane@smithlaw.com"]
    rules_before = rules(project)
    # A hand-made ticket: Syncro archives (does not delete) a customer with history.
    with project.api() as http:
        http.post(
            "/tickets", json={"customer_id": before["id"], "subject": "History", "status": "New"}
        ).raise_for_status()

    # The client ID was mistyped: the file is corrected and, as the error advises, adopts.
    renamed = customer_yaml(client_id="CS-0043")
    project.add_customer("smith-law.yaml", renamed)
    refused = project.pulumi(*UP, check=False)
    assert refused.returncode != 0 and "adopt: true" in refused.stdout + refused.stderr
    project.add_customer("smith-law.yaml", {**renamed, "adopt": True})
    project.pulumi(*UP)

    after = orgs(project)["jane@smithlaw.com"]
    assert after["id"] == before["id"]
    assert after["disabled"] is False, "the old resource's delete archived the live organization"
    assert after["properties"]["CS Client ID"] == "CS-0043"
    assert {s: r["id"] for s, r in rules(project).items()} == {
        s: r["id"] for s, r in rules_before.items()
    }, "the old resource's delete removed a rule the new one owns"
    assert all(r["customer_id"] == before["id"] for r in rules(project).values())
    recurring = project.admin_list("recurring_tickets")
    assert sorted(t["subject"].split("]")[0] for t in recurring) == ["[CS-0043"] * 5
    preview = project.pulumi("preview", "--policy-pack", "policies", "--json")
    assert set(json.loads(preview.stdout)["changeSummary"]) == {"same"}


def smith_and_acme_up(tmp_path: Path, emulator) -> tuple[Project, dict]:
    """A project with Smith Law and Acme Dental, after `up`; and Acme's customer file."""
    project = Project(tmp_path / "project", emulator)
    project.add_customer("smith-law.yaml", customer_yaml())
    acme = customer_yaml(
        client_id="CS-0007", name="Acme Dental", tier="Standard", domains=("acmedental.com",)
    )
    project.add_customer("acme-dental.yaml", acme)
    project.pulumi(*UP)
    return project, acme


def test_a_domain_moving_to_another_customer_keeps_its_rule(tmp_path: Path, emulator) -> None:
    project, acme = smith_and_acme_up(tmp_path, emulator)
    acme_id = orgs(project)["jane@acmedental.com"]["id"]

    # smithlaw.legal was Acme's all along: it moves from one file to the other.
    project.write_customer("smith-law.yaml", customer_yaml(domains=("smithlaw.com",)))
    project.write_customer(
        "acme-dental.yaml", {**acme, "domains": ["acmedental.com", "smithlaw.legal"]}
    )
    project.pulumi(*UP)

    moved = rules(project).get("@smithlaw.legal")
    assert moved is not None, "the old customer's rule delete removed the moved domain's rule"
    assert moved["customer_id"] == acme_id


def test_state_pointing_at_another_customers_record_is_refused_before_any_write(
    tmp_path: Path, emulator
) -> None:
    project, _ = smith_and_acme_up(tmp_path, emulator)
    by_email = orgs(project)
    smith_id, acme_id = by_email["jane@smithlaw.com"]["id"], by_email["jane@acmedental.com"]["id"]

    # A hand-edited state: Smith Law's organization resource now names Acme's record.
    state = project.pulumi.export()
    for resource in state["deployment"]["resources"]:
        if resource["type"].endswith(":Organization") and resource["id"] == str(smith_id):
            resource["id"] = str(acme_id)
            resource["outputs"]["syncro_id"] = acme_id
            resource["outputs"]["business_name"] = "Hand Edited"  # forces an update
    exported = tmp_path / "state.json"
    exported.write_text(json.dumps(state))
    project.pulumi("stack", "import", "--file", str(exported))
    project.clear_requests()

    done = project.pulumi(*UP, check=False)
    said = done.stdout + done.stderr
    assert done.returncode != 0
    assert "CS-0007" in said and "CS-0042" in said
    writes = [
        r for r in project.requests() if r["method"] == "PUT" and r["path"].endswith(f"/{acme_id}")
    ]
    assert writes == [], "Smith Law's data was written onto Acme's organization"
    assert orgs(project)["jane@acmedental.com"]["business_name"] == "Acme Dental"
