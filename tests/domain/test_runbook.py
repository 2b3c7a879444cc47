"""The runbook: every UI object in the SOP's order, Syncro's own words, change steps,
removals kept until confirmed, confirmations, and evidence that cannot lie."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from resources import confirmations
from resources.domain import CustomerPlan, PlatformPlan, ordered_rules, plan_all, plan_platform
from resources.evidence import ContactSeen, LeadSeen, rule_evidence
from resources.ledger import effective_status, reconcile, ui_items
from resources.runbook import code, parse_steps, render_changes, render_runbook, uncode

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plans() -> list[CustomerPlan]:
    return plan_all(confirmations_free_specs())


def confirmations_free_specs():
    from resources.spec import load_customers

    return load_customers(REPO / "customers")


@pytest.fixture(scope="module")
def platform() -> PlatformPlan:
    return plan_platform("help@cybersuite.tech", ("noc@cybersuite.tech",))


def books_for(platform, plans, previous=None, confirmed=None, ids=None):
    return reconcile(ui_items(platform, plans, ids or {}), previous, confirmed or {})


def test_sections_in_the_sops_order_acknowledgement_before_rules(platform, plans) -> None:
    text = render_runbook("prod", books_for(platform, plans))
    titles = [
        "Customer custom fields",
        "Support mailbox",
        "Ticket preferences",
        "Ticket automations",
        "Email rules",
        "Recurring tickets",
        "Removals waiting",
        "Kickoff check",
    ]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)


def test_syncros_words(platform, plans) -> None:
    text = render_runbook("prod", books_for(platform, plans))
    assert "Problem type" not in text and "Issue Type: `Deliverable`" in text
    assert "5 a.m. PST (6 a.m. PT during daylight saving time)" in text
    assert "exactly this order" not in text
    assert "their order among themselves does not matter" in text
    assert text.count("From email domain: `@") == 4
    assert text.count("Auto Create Contact Under Above Customer: `ON`") == 4
    assert "Assign to Organization: `Smith Law LLP (CS-0042" in text
    assert "**Ticket Created**" in text and "**Team plan**" in text


def test_every_step_parses_back_to_its_values(platform, plans) -> None:
    books = books_for(platform, plans, ids={"CS-0042": 42})
    steps = parse_steps(render_runbook("prod", books, {}))
    assert [s.key for s in steps] == [i.key for i in books.items]
    by_key = {i.key: i for i in books.items}
    for step in steps:
        item = by_key[step.key]
        expected = {k: v for k, v in item.values.items() if k != "Email body"}
        assert step.values == expected
        assert step.body == item.values.get("Email body")
    senders = [s.values["From email domain"] for s in steps if s.key.startswith("rule:")]
    assert senders == [r.sender for r in ordered_rules(plans)]


def test_confirmable_items_carry_their_command(platform, plans) -> None:
    steps = parse_steps(render_runbook("prod", books_for(platform, plans)))
    confirm = {s.key for s in steps if s.confirm}
    assert "mailbox" in confirm and "preferences" in confirm
    assert "automation:acknowledgement" in confirm
    assert not any(k.startswith(("rule:", "field:")) for k in confirm)


def test_downgrade_and_dropped_domain_ask_for_deletions(platform, plans) -> None:
    first = books_for(platform, plans, ids={"CS-0042": 42})
    smith = next(p for p in plans if p.client_id == "CS-0042")
    standard = dataclasses.replace(
        smith,
        email_rules=smith.email_rules[:1],
        deliverables=tuple(
            d for d in smith.deliverables if d.key in ("monthly-report", "annual-renewal")
        ),
    )
    after = [standard if p is smith else p for p in plans]
    # The ledger comes back through the stack outputs as JSON with its keys sorted.
    sorted_ledger = json.loads(json.dumps(first.ledger(), sort_keys=True))
    second = books_for(platform, after, sorted_ledger, ids={"CS-0042": 42})
    steps = parse_steps(render_changes("prod", second, dry_run=False))
    assert [(s.verb, s.key) for s in steps] == [
        ("Delete", "rule:CS-0042:smithlaw.legal"),
        ("Delete", "deliverable:CS-0042:compliance-posture"),
        ("Delete", "deliverable:CS-0042:qbr"),
        ("Delete", "deliverable:CS-0042:tabletop-exercise"),
    ]
    assert steps[0].values == {"Find it by From email domain": "@smithlaw.legal"}
    # Unconfirmed, the removals stay on the books and are not asked again.
    third = books_for(platform, after, second.ledger())
    assert [i.key for i in third.removals()] == [s.key for s in steps]
    assert third.changes == []
    # Confirmed, they leave the books.
    confirmed = {
        (i.key, i.step_fingerprint): confirmations.Confirmation(
            key=i.key, fingerprint=i.step_fingerprint, by="pat", at="2026-12-01T00:00:00Z"
        )
        for i in third.removals()
    }
    assert books_for(platform, after, third.ledger(), confirmed).removals() == []


def test_change_shows_old_and_new_values(platform, plans) -> None:
    first = books_for(platform, plans)
    moved = [
        dataclasses.replace(
            p,
            deliverables=tuple(
                dataclasses.replace(d, assignee="kim@cybersuite.tech") for d in p.deliverables
            ),
        )
        if p.client_id == "CS-0107"
        else p
        for p in plans
    ]
    steps = parse_steps(
        render_changes("prod", books_for(platform, moved, first.ledger()), dry_run=True)
    )
    assert steps and all(s.verb == "Change" for s in steps)
    assert steps[0].changes == {"Assignee": ("sam@cybersuite.tech", "kim@cybersuite.tech")}


def test_learning_a_customer_id_is_no_change(platform, plans) -> None:
    first = books_for(platform, plans)
    assert books_for(platform, plans, first.ledger(), ids={"CS-0042": 7}).changes == []


def test_confirmation_counts_only_for_the_current_configuration(tmp_path, platform, plans) -> None:
    books = books_for(platform, plans)
    mailbox = next(i for i in books.items if i.key == "mailbox")
    confirmations.add(tmp_path, "prod", "mailbox", mailbox.fingerprint, "pat@msp.example")
    confirmed = confirmations.load(tmp_path, "prod")
    status, why = effective_status(mailbox, "pending", confirmed)
    assert status == "confirmed" and why.startswith("confirmed by pat@msp.example at 20")
    safer = dataclasses.replace(mailbox, values={**mailbox.values, "Active": "OFF"}, fingerprint="")
    assert effective_status(safer, "pending", confirmed)[0] == "pending"
    rule = next(i for i in books.items if i.key.startswith("rule:"))
    confirmations.add(tmp_path, "prod", rule.key, rule.fingerprint, "pat@msp.example")
    assert effective_status(rule, "pending", confirmations.load(tmp_path, "prod"))[0] == "pending"


def test_a_broken_confirmations_file_names_file_entry_and_fix(tmp_path) -> None:
    (tmp_path / "confirmations").mkdir()
    (tmp_path / "confirmations/prod.yaml").write_text("confirmations:\n  - key: mailbox\n")
    with pytest.raises(confirmations.ConfirmationsError) as problem:
        confirmations.load(tmp_path, "prod")
    assert "prod.yaml: confirmations.0.fingerprint" in str(problem.value)
    assert "make confirm STACK=prod" in str(problem.value)


def lead(**kw) -> LeadSeen:
    base = dict(
        id=1,
        email="jane@smithlaw.com",
        status="Won",
        ticket_id=9,
        customer_id=42,
        contact_id=None,
        created_at="2026-12-01T09:00:00.000-08:00",
    )
    return LeadSeen(**{**base, **kw})


def test_the_main_contacts_own_mail_proves_no_rule() -> None:
    # Syncro matched the customer's own email: a ticket on the right organization, no rule.
    assert rule_evidence("@smithlaw.com", 42, [lead()], ["jane@smithlaw.com"], []) is None


def test_a_sender_who_was_already_a_contact_proves_no_rule() -> None:
    old = [ContactSeen("bob@smithlaw.com", 42, "2026-11-30T09:00:00.000-08:00")]
    got = rule_evidence(
        "@smithlaw.com", 42, [lead(email="bob@smithlaw.com", contact_id=5)], [], old
    )
    assert got is None


def test_a_fresh_sender_whose_contact_the_rule_made_is_proof() -> None:
    made = [ContactSeen("new@smithlaw.com", 42, "2026-12-01T09:00:00.120-08:00")]
    got = rule_evidence(
        "@smithlaw.com",
        42,
        [lead(id=3, email="new@smithlaw.com", contact_id=5), lead(id=4)],
        ["jane@smithlaw.com"],
        made,
    )
    assert got is not None
    assert got.text() == "lead 3 from new@smithlaw.com on 2026-12-01: ticket 9 on customer 42"
    # Not on our organization, or not Won: no proof.
    assert rule_evidence("@smithlaw.com", 43, [lead(email="new@smithlaw.com")], [], []) is None
    assert (
        rule_evidence("@smithlaw.com", 42, [lead(email="x@smithlaw.com", status="New")], [], [])
        is None
    )
    assert rule_evidence("@smithlaw.com", 42, [lead(email="x@smithlaw.com.evil")], [], []) is None


def test_code_span_round_trip() -> None:
    for text in ("a`b", "`x", "plain", "{{ticket_number}}"):
        assert uncode(code(text)) == text


def test_a_hostile_business_name_stays_literal_and_the_steps_still_parse(platform, plans) -> None:
    evil = "Evil *Corp* [x](http://e.example) `tick`\n1. Delete everything | <b>"
    org = dataclasses.replace(plans[0].organization, business_name=evil)
    hostile = [dataclasses.replace(plans[0], organization=org), *plans[1:]]
    books = books_for(platform, hostile, ids={plans[0].client_id: 42})
    text = render_runbook("prod", books, {})
    steps = parse_steps(text)
    assert [s.key for s in steps] == [i.key for i in books.items]
    assert "\n1. Delete" not in text
    titles = [line for line in text.splitlines() if line[:1].isdigit() and "Evil" in line]
    assert titles and all("\\<b\\>" in t and "\\*Corp\\*" in t for t in titles)
    rule = next(s for s in steps if s.key.startswith("rule:"))
    assert rule.values["Assign to Organization"].startswith(
        "Evil *Corp* [x](http://e.example) `tick` 1."
    )


def test_stack_outputs_overlay_statuses_and_keep_a_removed_customer(platform, plans) -> None:
    from resources.components import OnboardingReport
    from resources.runbook_stack import outputs

    ids = {p.client_id: n for n, p in enumerate(plans, start=1)}
    first = books_for(platform, plans, ids=ids)
    keys = [i.key for i in first.items]
    report = OnboardingReport(
        customers={
            p.client_id: {"status": {k: "pending" for k in keys if p.client_id in k}} for p in plans
        },
        statuses=dict.fromkeys(keys, "pending") | {"rule:CS-0042:smithlaw.com": "verified"},
        organization_ids=ids,
    )
    proof = {"rule:CS-0042:smithlaw.com": "lead 3 from a@smithlaw.com on 2026-12-01: ticket 1"}
    got = outputs(
        "prod",
        platform,
        plans,
        report,
        proof,
        first.ledger(),
        {},
        dry_run=False,
        track_removals=True,
    )
    smith = got.customers["CS-0042"]
    assert smith["status"]["rule:CS-0042:smithlaw.com"] == "verified"
    assert smith["evidence"]["rule:CS-0042:smithlaw.com"].startswith("lead 3 from")
    assert smith["main_contact"] == "jane@smithlaw.com"
    assert got.waiting == len(keys) - 1
    assert "Nothing: this change needs no step" in got.changes

    # CS-0107 removed: its organization goes through the API; its UI objects wait.
    rest = [p for p in plans if p.client_id != "CS-0107"]
    report2 = OnboardingReport(
        customers={cid: c for cid, c in report.customers.items() if cid != "CS-0107"},
        statuses=report.statuses,
        organization_ids={k: v for k, v in ids.items() if k != "CS-0107"},
    )
    got2 = outputs(
        "prod", platform, rest, report2, proof, got.ledger, {}, dry_run=False, track_removals=True
    )
    gone = got2.customers["CS-0107"]
    assert gone["removed"] is True and set(gone["status"].values()) == {"pending-removal"}
    assert [s.verb for s in parse_steps(got2.changes)] == ["Delete"] * len(gone["status"])


def test_make_runbook_reads_statuses_from_the_state_not_the_last_up(platform, plans) -> None:
    from resources.runbook_state import from_state

    books = books_for(platform, plans, ids={"CS-0042": 42})
    rule = {
        "type": "pulumi-python:dynamic/syncro:EmailRule",
        "outputs": {
            "client_id": "CS-0042",
            "domain": "smithlaw.com",
            "status": "verified",
            "evidence": "lead 9 from x@smithlaw.com on 2026-12-01: ticket 1 on customer 42",
        },
    }
    stack = {"type": "pulumi:pulumi:Stack", "outputs": {"ui_ledger": books.ledger()}}
    text, count = from_state({"deployment": {"resources": [stack, rule]}}, "prod", {})
    assert "(status: `verified`; lead 9 from x@smithlaw.com" in text
    assert count == len(books.items) - 1


def test_with_the_scheduler_no_recurring_ticket_is_asked_of_a_person(platform, plans) -> None:
    """`syncro:deliverables: scheduler` (the default) opens deliverables through the public
    API: a runbook that also asked for Syncro's native recurring tickets would open every
    deliverable twice. Per new customer only its email rules remain for a person."""
    native = {item.section for item in ui_items(platform, plans, {})}
    scheduled = ui_items(platform, plans, {}, native_recurring=False)
    assert "recurring" in native
    assert "recurring" not in {item.section for item in scheduled}
    per_customer = [item for item in scheduled if item.key.startswith(("rule:", "deliverable:"))]
    domains = sum(len(plan.email_rules) for plan in plans)
    assert len(per_customer) == domains
