"""The policy pack through the real engine: `pulumi preview --policy-pack policies`.

Good customers pass; each mandatory policy blocks a preview that breaks it (exit code
non-zero, the policy named); an advisory finding warns without failing. Breaks the
customer file can express go through customers/*.yaml; the rest through
tests/policies/fixture (the real program with one input broken on purpose).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from tests.project import Project, customer_yaml

pytestmark = pytest.mark.slow

TOKEN = "policy-engine-token-2b7d"
FIXTURE = Path(__file__).parent / "fixture" / "__main__.py"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("policy-engine") / "syncro.db"
    with EmulatorServer(db_path=db, token=TOKEN, rate_limit_per_minute=0) as emu:
        yield emu


def preview(project: Project) -> tuple[int, str]:
    project.clear_requests()
    done = project.pulumi("preview", "--policy-pack", "policies", check=False)
    assert project.request_count() == 0, "preview makes no API call"
    return done.returncode, done.stdout + done.stderr


def configure_tier_ids(project: Project) -> None:
    """A stack ready for real Syncro names each tier's policy and SLA (ids from its UI)."""
    for n, tier in enumerate(("Standard", "Defense", "Sentinel"), start=1):
        project.config(f"syncro:tierPolicies.{tier}", str(4100 + n), path=True)
        project.config(f"syncro:tierSlas.{tier}", str(10 + n), path=True)


def two_customers(project: Project) -> None:
    project.add_customer("smith-law.yaml", customer_yaml())
    project.add_customer(
        "acme.yaml",
        customer_yaml(client_id="CS-0107", name="Acme", tier="Standard", domains=("acme.com",)),
    )


def test_good_customers_pass(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "p", emulator)
    two_customers(project)
    configure_tier_ids(project)
    code, out = preview(project)
    assert code == 0, out
    assert "syncro-onboarding@v1.0.0" in out
    assert "mandatory" not in out and "advisory" not in out, out


def test_unconfigured_tier_ids_warn_by_name(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "p", emulator)
    two_customers(project)
    code, out = preview(project)
    assert code == 0, out
    assert "[advisory]  tier-ids-configured" in out, out
    assert "syncro:tierPolicies.Defense is not configured" in out, out
    assert "syncro:tierSlas.Standard is not configured" in out, out
    assert "mandatory" not in out, out


def test_weakened_sla_in_the_customer_file_is_blocked(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "p", emulator)
    project.add_customer("smith-law.yaml", customer_yaml(sla={"notification_hours": 4}))
    code, out = preview(project)
    assert code != 0
    assert "[mandatory]  defense-plus-sla" in out and "CS-0042" in out and "Fix" in out


def test_advisory_finding_warns_without_failing(tmp_path: Path, emulator) -> None:
    project = Project(tmp_path / "p", emulator)
    poc = {"name": "Jane Smith", "email": "jane.smith@gmail.com"}
    project.add_customer("smith-law.yaml", customer_yaml(main_poc=poc))
    code, out = preview(project)
    assert code == 0, out
    assert "[advisory]  main-contact-domain" in out and "CS-0042" in out


BREAKS = {
    "tier-deliverables": {"type": "RecurringTicket", "path": ["lead_days"], "value": 0},
    "required-org-fields": {
        "type": "Organization",
        "path": ["fields", "CS Client ID"],
        "value": "CS-42",
    },
    "deployment-keys-secret": {"type": "Organization", "drop_secret_option": True},
    "email-routing": {"type": "EmailRule", "path": ["auto_create_contact"], "value": False},
    "no-portal-user": {"type": "Organization", "path": ["portal_user"], "value": True},
    "safe-intake": {"type": "SupportMailbox", "path": ["auto_create"], "value": "always"},
    "defense-plus-sla": {
        "type": "Organization",
        "path": ["sla_terms", "notification_hours"],
        "value": 24,
    },
    "defense-plus-contract": {"type": "Contract", "path": ["tier"], "value": "Standard"},
    "policy-set": {"type": "PolicyAssignment", "path": ["policy_kind"], "value": "Gold policy set"},
}


@pytest.fixture(scope="module")
def fixture_stack(emulator, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The fixture program with one valid customer, copied by each case below."""
    project = Project(tmp_path_factory.mktemp("policy-fixture") / "p", emulator, main=FIXTURE)
    project.add_customer("smith-law.yaml", customer_yaml())
    return project


@pytest.mark.parametrize("policy", sorted(BREAKS))
def test_each_mandatory_policy_blocks_preview(
    policy: str, tmp_path: Path, fixture_stack: Project
) -> None:
    project = Project.copy_of(fixture_stack, tmp_path / "p")
    project.config("fixture:break", json.dumps(BREAKS[policy]))
    code, out = preview(project)
    assert code != 0, out
    assert f"[mandatory]  {policy}" in out, out
    assert "acct-CS-0042-s3cret" not in out and "org-CS-0042-s3cret" not in out


def test_the_fixture_changes_nothing_when_it_breaks_nothing(
    tmp_path: Path, fixture_stack: Project
) -> None:
    """Guards the fixture itself: with a no-op break, the same program passes."""
    project = Project.copy_of(fixture_stack, tmp_path / "p")
    project.config("fixture:break", json.dumps({"type": "NoSuchType"}))
    code, out = preview(project)
    assert code == 0, out
