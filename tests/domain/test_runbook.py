"""The runbook: every UI object, in the order that matters, with its values verbatim."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from resources import runbook
from resources.domain import CustomerPlan, PlatformPlan, ordered_rules, plan_all, plan_platform
from resources.runbook import render_runbook
from resources.spec import load_customers

REPO = Path(__file__).resolve().parents[2]
SECRET = "hunt-key-s3cret"


@pytest.fixture(scope="module")
def plans() -> list[CustomerPlan]:
    return plan_all(load_customers(REPO / "customers"))


@pytest.fixture(scope="module")
def platform() -> PlatformPlan:
    return plan_platform("help@cybersuite.tech", ("noc@cybersuite.tech",))


def all_keys(platform: PlatformPlan, plans: list[CustomerPlan]) -> list[str]:
    return [
        *(f"field:{f.name}" for f in platform.custom_fields),
        "mailbox",
        "preferences",
        *(f"automation:{a.kind}" for a in platform.automations),
        *(f"rule:{r.client_id}:{r.domain}" for r in ordered_rules(plans)),
        *(f"deliverable:{p.client_id}:{d.key}" for p in plans for d in p.deliverables),
    ]


def test_ui_paths_in_working_order(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    text = render_runbook("prod", platform, plans)
    paths = [
        "Admin > Customers - Customer Custom Fields",
        "Admin > Emails/SMS - Mailboxes**",
        "Admin > Tickets - Preferences",
        "Admin > Emails/SMS - Mailboxes > Email Rules",
        "Tickets > Recurring Tickets",
        "Admin > Ticket Automations",
    ]
    positions = [text.index(f"Where: **{p}") for p in paths]
    assert positions == sorted(positions)


def test_every_rule_in_evaluation_order(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    text = render_runbook("prod", platform, plans)
    senders = re.findall(r"Sender email address: `([^`]+)`", text)
    assert senders == [r.sender for r in ordered_rules(plans)]
    assert senders == [
        "@smithlaw.com",
        "@smithlaw.legal",
        "@acmedental.com",
        "@northwindcapital.com",
    ]
    assert text.count("Auto Create Contact Under Above Customer: **ON**") == 4
    assert "Automatically Create Tickets: **Only for existing Customers**" in text
    assert "Create Tickets from Leads (If Valid): **ON**" in text
    assert "Enable Recurring Tickets: **ON**" in text


def test_every_deliverable_verbatim(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    text = render_runbook("prod", platform, plans)
    items = [d for p in plans for d in p.deliverables]
    assert len(items) == 12
    for item in items:
        assert f"Subject: `{item.subject}`" in text
        assert f"Next due date: {item.first_due.isoformat()}" in text
    assert "Lead days: 5 (the first ticket opens on 2027-02-23)" in text  # Northwind monthly
    assert "Assignee: the Syncro user `sam@cybersuite.tech`" in text


def test_custom_fields_with_types_and_answers(
    platform: PlatformPlan, plans: list[CustomerPlan]
) -> None:
    text = render_runbook("prod", platform, plans)
    for field in platform.custom_fields:
        assert f"Name: `{field.name}`" in text
    assert "Answers, in this order: `Standard`, `Defense`, `Sentinel`" in text
    assert "Answers, in this order: `M365`, `Google Workspace`" in text


def test_statuses_and_org_ids_shown(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    keys = all_keys(platform, plans)
    statuses = dict.fromkeys(keys, "pending")
    statuses["rule:CS-0042:smithlaw.legal"] = "verified"
    text = render_runbook("prod", platform, plans, statuses, {"CS-0042": 4242, "CS-0107": None})
    assert text.count("(status: `") == len(keys)
    assert f"Progress: {len(keys) - 1} pending, 1 verified (of {len(keys)} objects)." in text
    (legal,) = [line for line in text.splitlines() if "`@smithlaw.legal` to" in line]
    assert legal.endswith("(status: `verified`)")
    assert "Syncro customer id 4242" in text
    assert "CS-0107; Syncro id not known yet" in text


def test_without_statuses_no_status_is_claimed(
    platform: PlatformPlan, plans: list[CustomerPlan]
) -> None:
    text = render_runbook("prod", platform, plans)
    assert "(status:" not in text
    assert "Progress:" not in text


def test_refresh_verification_explained(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    text = render_runbook("prod", platform, plans)
    assert text.count("Verification: ") == 6
    assert "`GET /settings`" in text
    assert "make refresh STACK=prod" in text


def test_deterministic_and_independent_of_input_order(
    platform: PlatformPlan, plans: list[CustomerPlan]
) -> None:
    statuses = dict.fromkeys(all_keys(platform, plans), "pending")
    first = render_runbook("prod", platform, plans, statuses, {"CS-0042": 1})
    again = render_runbook("prod", platform, list(reversed(plans)), dict(statuses), {"CS-0042": 1})
    assert first == again


def test_nothing_secret(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    # Secrets never reach a plan; the runbook must not invent a place for one either.
    text = render_runbook("prod", platform, plans, {"field:HUNT_A-KEY": "applied"})
    assert SECRET not in text
    assert "never type a key anywhere" in text
    for plan in plans:
        assert all("HUNT" not in name for name in plan.organization.fields)


def test_templates_verbatim(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    text = render_runbook("prod", platform, plans)
    for automation in platform.automations:
        assert f"Email subject: `{automation.subject_template}`" in text
        for line in automation.body_template.splitlines():
            assert line.strip() in text


def test_shadowed_rule_warning(platform: PlatformPlan, plans: list[CustomerPlan]) -> None:
    clash = replace(
        plans[0],
        email_rules=(*plans[0].email_rules, replace(plans[0].email_rules[0], domain="dup")),
    )
    text = render_runbook("prod", platform, [clash, *plans[1:]])
    assert "**Warning:**" in text


def test_code_span_keeps_backticks() -> None:
    assert runbook.code("a`b") == "``a`b``"
    assert runbook.code("`x") == "`` `x ``"


def test_status_key_helpers_match_the_documented_format() -> None:
    assert runbook.status_key_field("CS Client ID") == "field:CS Client ID"
    assert runbook.status_key_mailbox() == "mailbox"
    assert runbook.status_key_preferences() == "preferences"
    assert runbook.status_key_automation("acknowledgement") == "automation:acknowledgement"
    assert runbook.status_key_rule("CS-0042", "smithlaw.com") == "rule:CS-0042:smithlaw.com"
    assert runbook.status_key_deliverable("CS-0042", "qbr") == "deliverable:CS-0042:qbr"
