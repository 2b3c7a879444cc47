"""Every provider's hooks in both admin modes, called directly against an in-process emulator.

API mode: create writes, diff is clean after it, read sees an out-of-band edit as drift,
update restores it, delete removes it (or leaves shared settings in place). Runbook mode:
nothing is written, the placeholder is `pending`, and `read` flips it to `verified` only
once the public API shows the object working (definitions in GET /settings, a Won lead
with a ticket for a rule, a ticket carrying the schedule id for a recurring ticket).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources.objects import Status
from resources.objects.email_rule import EmailRuleProvider
from resources.objects.platform import (
    CustomFieldDefinitionProvider,
    SupportMailboxProvider,
    TicketAutomationProvider,
    TicketPreferencesProvider,
)
from resources.objects.recurring_ticket import RecurringTicketProvider
from resources.providers.base import AdminObjectProvider
from tests.emulator.conftest import email_rule_body
from tests.providers.conftest import configure, rule_inputs

TOKEN = "object-hooks-token-4d1e"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        db_path=tmp_path / "s.db", token=TOKEN, rate_limit_per_minute=0, today="2026-11-01"
    ) as server:
        yield server


@pytest.fixture
def http(emu: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as client:
        client.put(
            f"{emu.admin_url}/ticket_preferences",
            json={"create_tickets_from_leads": True, "enable_recurring_tickets": True},
        ).raise_for_status()
        yield client


@pytest.fixture
def customer_id(http: httpx.Client, emu: EmulatorServer) -> int:
    answer = http.post(
        f"{emu.base_url}/customers",
        json={"business_name": "Smith Law LLP", "email": "jane@smithlaw.com"},
    )
    answer.raise_for_status()
    return int(answer.json()["customer"]["id"])


def configured(provider, emu):
    return configure(provider, emu)


def writes_since(emu: EmulatorServer, before: int) -> list[tuple[str, str]]:
    log = httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"][before:]
    return [(r["method"], r["path"]) for r in log if r["method"] != "GET"]


def log_length(emu: EmulatorServer) -> int:
    return len(httpx.get(f"{emu.root_url}/_emulator/requests").json()["requests"])


@dataclass
class Case:
    provider: Callable[[], AdminObjectProvider]
    inputs: Callable[[int], dict[str, Any]]
    change: dict[str, Any]
    """A managed input a person (or the next file version) changes; no replacement."""
    collection: str | None
    removed_on_delete: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


CASES = {
    "custom-field": Case(
        CustomFieldDefinitionProvider,
        lambda _cid: {"name": "Billing Contact", "field_type": "text", "answers": []},
        {"field_type": "date"},
        "customer_fields",
        removed_on_delete=False,
    ),
    "mailbox": Case(
        SupportMailboxProvider,
        lambda _cid: {
            "address": "help@cybersuite.tech",
            "active": True,
            "auto_create": "only_existing",
        },
        {"auto_create": "never"},
        "mailboxes",
        removed_on_delete=False,
    ),
    "automation": Case(
        TicketAutomationProvider,
        lambda _cid: {
            "name": "Customer acknowledgement",
            "kind": "acknowledgement",
            "subject_template": "[Ticket #{{ticket_number}}] received",
            "body_template": "Ticket #{{ticket_number}}",
            "notify": [],
        },
        {"subject_template": "[Ticket #{{ticket_number}}] we have it"},
        "ticket_automations",
    ),
    "email-rule": Case(
        EmailRuleProvider,
        # The engine hands numbers over as floats.
        lambda cid: rule_inputs(customer_id=float(cid)),
        {"position": 20},
        "email_rules",
    ),
    "recurring-ticket": Case(
        RecurringTicketProvider,
        lambda cid: {
            "client_id": "CS-0042",
            "deliverable": "monthly-report",
            "subject": "[CS-0042] Monthly Report - Smith Law LLP",
            "problem_type": "Deliverable",
            "frequency": "monthly",
            "first_due": "2026-12-01",
            "lead_days": 5,
            "assignee": "alex@cybersuite.tech",
            "customer_id": float(cid),
        },
        {"lead_days": 9},
        "recurring_tickets",
    ),
    "ticket-preferences": Case(
        TicketPreferencesProvider,
        lambda _cid: {"create_tickets_from_leads": True, "enable_recurring_tickets": True},
        {"create_tickets_from_leads": False},
        None,
        removed_on_delete=False,
    ),
}


def remote(http: httpx.Client, emu: EmulatorServer, case: Case, id_: str) -> dict | None:
    if case.collection is None:
        return http.get(f"{emu.admin_url}/ticket_preferences").json()["ticket_preferences"]
    listed = http.get(f"{emu.admin_url}/{case.collection}").json()[case.collection]
    return next((o for o in listed if str(o["id"]) == id_), None)


def edit_remote(http: httpx.Client, emu: EmulatorServer, case: Case, id_: str, **values) -> None:
    if case.collection is None:
        http.put(f"{emu.admin_url}/ticket_preferences", json=values).raise_for_status()
        return
    current = remote(http, emu, case, id_)
    assert current is not None
    body = {k: v for k, v in {**current, **values}.items() if k != "id"}
    http.put(f"{emu.admin_url}/{case.collection}/{id_}", json=body).raise_for_status()


@pytest.mark.parametrize("name", CASES)
def test_api_mode_create_diff_read_update_delete(name, emu, http, customer_id) -> None:
    case = CASES[name]
    provider = configured(case.provider(), emu)
    inputs = {**case.inputs(customer_id), "admin_mode": "api"}
    assert provider.check({}, inputs).failures == []

    created = provider.create(inputs)
    assert created.outs["status"] == Status.APPLIED
    assert remote(http, emu, case, created.id) is not None
    assert not provider.diff(created.id, created.outs, inputs).changes, "clean after create"

    read = provider.read(created.id, created.outs)
    assert read.id == created.id
    assert not provider.diff(created.id, read.outs, inputs).changes, "clean after refresh"

    # A person edits the object in Syncro: refresh sees it, the next diff wants it back.
    key, value = next(iter(case.change.items()))
    edit_remote(http, emu, case, created.id, **{key: value})
    provider.session.forget_collections()
    drifted = provider.read(created.id, created.outs)
    assert drifted.outs[key] == value
    diff = provider.diff(created.id, drifted.outs, inputs)
    assert diff.changes and not diff.replaces

    updated = provider.update(created.id, drifted.outs, inputs)
    assert updated.outs["status"] == Status.APPLIED
    assert remote(http, emu, case, created.id)[key] == inputs[key]

    # The file changes the same input: an update, not a replacement.
    changed = {**inputs, **case.change}
    diff = provider.diff(created.id, updated.outs, changed)
    assert diff.changes and not diff.replaces

    provider.delete(created.id, updated.outs)
    still_there = remote(http, emu, case, created.id) is not None
    assert still_there is not case.removed_on_delete


@pytest.mark.parametrize("name", CASES)
def test_runbook_mode_writes_nothing_and_stays_pending_until_seen(
    name, emu, http, customer_id
) -> None:
    case = CASES[name]
    provider = configured(case.provider(), emu)
    inputs = {**case.inputs(customer_id), "admin_mode": "runbook"}
    before = log_length(emu)

    created = provider.create(inputs)
    assert created.outs["status"] == Status.PENDING
    assert not provider.diff(created.id, created.outs, inputs).changes
    read = provider.read(created.id, created.outs)
    assert read.outs["status"] == Status.PENDING
    updated = provider.update(created.id, read.outs, {**inputs, **case.change})
    assert updated.outs["status"] == Status.PENDING
    provider.delete(created.id, updated.outs)
    assert writes_since(emu, before) == [], "runbook mode writes nothing"

    # Moving to api mode turns the placeholder into a real object.
    api = {**inputs, "admin_mode": "api"}
    if created.id.startswith("runbook:"):
        assert provider.diff(created.id, created.outs, api).replaces == ["admin_mode"]


def mail(emu: EmulatorServer, sender: str) -> dict:
    answer = httpx.post(
        f"{emu.root_url}/_emulator/inbound-email",
        json={"from": sender, "to": "help@cybersuite.tech", "subject": "Help", "body": "x"},
    )
    answer.raise_for_status()
    return answer.json()


def recorded(name: str, emu: EmulatorServer, customer_id: int):  # noqa: ANN201
    """Runbook mode: the provider of CASES[name] and what its create recorded (pending)."""
    case = CASES[name]
    provider = configured(case.provider(), emu)
    inputs = {**case.inputs(customer_id), "admin_mode": "runbook"}
    created = provider.create(inputs)
    assert created.outs["status"] == Status.PENDING
    return provider, inputs, created


def status_read(provider: AdminObjectProvider, created: Any) -> str:
    return provider.read(created.id, created.outs).outs["status"]


def test_runbook_field_is_verified_once_settings_show_its_definition(emu, http) -> None:
    provider, inputs, created = recorded("custom-field", emu, 0)
    http.post(
        f"{emu.admin_url}/customer_fields",
        json={k: inputs[k] for k in ("name", "field_type", "answers")},
    )
    provider.session.defined_fields.forget()
    assert status_read(provider, created) == Status.VERIFIED


def test_runbook_rule_is_verified_by_a_won_lead_with_a_ticket(emu, http, customer_id) -> None:
    provider, _, created = recorded("email-rule", emu, customer_id)
    # A person types the rule in from the runbook, then a customer mails in.
    rule = email_rule_body(customer_id, "@smithlaw.com")
    http.post(f"{emu.admin_url}/email_rules", json=rule).raise_for_status()
    assert status_read(provider, created) == Status.PENDING
    mail(emu, "bob@smithlaw.com")
    provider.session.leads.forget()
    assert status_read(provider, created) == Status.VERIFIED


def test_runbook_schedule_is_verified_by_a_ticket_it_opened(emu, http, customer_id) -> None:
    provider, inputs, created = recorded("recurring-ticket", emu, customer_id)
    schedule = {"subject": inputs["subject"], "problem_type": "Deliverable", "user_id": 1001}
    schedule.update(frequency="monthly", next_due="2026-12-01", lead_days=5)
    http.post(
        f"{emu.admin_url}/recurring_tickets", json={"customer_id": customer_id, **schedule}
    ).raise_for_status()
    assert status_read(provider, created) == Status.PENDING
    httpx.post(f"{emu.root_url}/_emulator/clock", json={"now": "2026-11-27"}).raise_for_status()
    provider.session.tickets_of(customer_id).forget()
    seen = provider.read(created.id, created.outs).outs
    assert seen["status"] == Status.VERIFIED
    assert isinstance(seen["syncro_id"], int)


def scheduled(customer_id: float, first_due: date) -> dict[str, Any]:
    return {
        **CASES["recurring-ticket"].inputs(customer_id),
        "first_due": first_due.isoformat(),
        "lead_days": 5,
        "opened_by": "scheduler",
    }


@pytest.mark.parametrize("admin_mode", ["api", "runbook"])
def test_scheduler_mode_opens_the_occurrence_inside_its_lead_window_once(
    tmp_path: Path, admin_mode: str
) -> None:
    """opened_by scheduler: public API in both modes; no admin schedule; idempotent."""
    with (
        EmulatorServer(db_path=tmp_path / "t.db", token=TOKEN, rate_limit_per_minute=0) as emu,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as http,
    ):
        made = http.post(
            f"{emu.base_url}/customers",
            json={"business_name": "Smith Law LLP", "email": "jane@smithlaw.com"},
        ).json()["customer"]
        provider = configured(RecurringTicketProvider(), emu)
        inside = {**scheduled(made["id"], date.today() + timedelta(days=3))}
        inside["admin_mode"] = admin_mode
        later = {**inside, "deliverable": "annual-renewal", "subject": "[CS-0042] Annual"}
        later["first_due"] = (date.today() + timedelta(days=20)).isoformat()
        first = provider.create(inside)
        again = provider.create(inside)  # a re-run, or a second resource process
        provider.create(later)
        assert first.outs["status"] == Status.APPLIED
        tickets = http.get(f"{emu.base_url}/tickets", params={"customer_id": made["id"]}).json()[
            "tickets"
        ]
        due = (date.today() + timedelta(days=3)).isoformat()
        assert [t["subject"] for t in tickets] == [f"[CS-0042] Monthly Report — due {due}"]
        assert tickets[0]["user_id"] == 1001 and first.outs["syncro_id"] == tickets[0]["id"]
        assert again.outs["syncro_id"] == first.outs["syncro_id"]
        assert http.get(f"{emu.admin_url}/recurring_tickets").json()["recurring_tickets"] == []
