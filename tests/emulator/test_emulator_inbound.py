"""Every path an inbound email can take through the emulated Syncro."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.conftest import email_rule_body, make_customer

MAILBOX = "help@cybersuite.tech"


def mail(control: httpx.Client, sender: str, subject: str = "Printer on fire") -> dict:
    reply = control.post(
        "/_emulator/inbound-email",
        json={"from": sender, "to": MAILBOX, "subject": subject, "body": "It is on fire."},
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def routed(answer: dict) -> tuple[str, str]:
    """What became of a mail, and which match routed it."""
    return answer["outcome"], answer["matched_by"]


def rule(admin: httpx.Client, customer_id: int, sender: str, **extra: object) -> dict:
    reply = admin.post("/email_rules", json=email_rule_body(customer_id, sender, **extra))
    assert reply.status_code == 200, reply.text
    return reply.json()["email_rule"]


@pytest.fixture
def automations(admin: httpx.Client) -> None:
    admin.post(
        "/ticket_automations",
        json={
            "name": "Ack",
            "kind": "acknowledgement",
            "subject_template": "[Ticket #{{ticket_number}}] {{ticket_subject}}",
            "body_template": "Hello {{customer_name}}, ticket {{ ticket_number }} is open.",
            "notify": [],
        },
    ).raise_for_status()
    admin.post(
        "/ticket_automations",
        json={
            "name": "Alert",
            "kind": "staff_alert",
            "subject_template": "New ticket {{ticket_number}} for {{customer_name}}",
            "body_template": "{{ticket_subject}}",
            "notify": ["noc@cybersuite.tech"],
        },
    ).raise_for_status()


def test_contact_match_opens_ticket_and_wins_lead(
    api: httpx.Client, control: httpx.Client, automations: None
) -> None:
    org = make_customer(api, "Smith Law", "office@smithlaw.com")
    contact = api.post(
        "/contacts", json={"customer_id": org["id"], "name": "Jane", "email": "jane@smithlaw.com"}
    ).json()
    got = mail(control, "Jane Smith <Jane@SmithLaw.com>")
    assert got["outcome"] == "ticket" and got["matched_by"] == "contact"
    assert (got["customer_id"], got["contact_id"], got["contact_created"]) == (
        org["id"],
        contact["id"],
        False,
    )
    ticket = api.get(f"/tickets/{got['ticket_id']}").json()["ticket"]
    assert ticket["number"] == got["ticket_number"] and ticket["subject"] == "Printer on fire"
    assert got["acknowledgement"] == {
        "to": "jane@smithlaw.com",
        "subject": f"[Ticket #{ticket['number']}] Printer on fire",
        "body": f"Hello Smith Law, ticket {ticket['number']} is open.",
    }
    assert got["staff_alert"]["to"] == ["noc@cybersuite.tech"]
    assert got["staff_alert"]["subject"] == f"New ticket {ticket['number']} for Smith Law"
    lead = api.get("/leads").json()["leads"][0]
    assert {k: lead[k] for k in ("email", "status", "customer_id", "contact_id", "ticket_id")} == {
        "email": "jane@smithlaw.com",
        "status": "Won",
        "customer_id": org["id"],
        "contact_id": contact["id"],
        "ticket_id": ticket["id"],
    }
    assert (lead["mailbox_id"], lead["mailbox_name"], lead["ticket_subject"]) == (
        201,
        MAILBOX,
        "Printer on fire",
    )
    outbox = control.get("/_emulator/outbox").json()["outbox"]
    assert [m["kind"] for m in outbox] == ["acknowledgement", "staff_alert"]


def test_customer_email_match_without_automations(api: httpx.Client, control: httpx.Client) -> None:
    org = make_customer(api, "Acme", "boss@acme.com")
    got = mail(control, "boss@acme.com")
    assert routed(got) == ("ticket", "customer_email") and got["customer_id"] == org["id"]
    assert got["contact_id"] is None
    assert got["acknowledgement"] is None and got["staff_alert"] is None
    assert control.get("/_emulator/outbox").json() == {"outbox": []}


def test_domain_rule_creates_contact_once_then_matches_it(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client, automations: None
) -> None:
    org = make_customer(api, "Acme Dental", "acmedental.com@placeholder.example")
    made = rule(admin, org["id"], "@acmedental.com", assignee_user_id=1002)
    first = mail(control, "carol.jones@acmedental.com")
    assert routed(first) == ("ticket", "email_rule") and first["rule_id"] == made["id"]
    assert first["contact_created"] is True
    contact = api.get(f"/contacts/{first['contact_id']}").json()
    assert contact["name"] == "Carol Jones" and contact["email"] == "carol.jones@acmedental.com"
    assert contact["customer_id"] == org["id"]
    assert api.get(f"/tickets/{first['ticket_id']}").json()["ticket"]["user_id"] == 1002
    assert str(first["ticket_number"]) in first["acknowledgement"]["subject"]
    second = mail(control, "carol.jones@acmedental.com")
    assert second["matched_by"] == "contact" and second["contact_id"] == first["contact_id"]
    assert len(api.get("/contacts", params={"customer_id": org["id"]}).json()["contacts"]) == 1


def test_rule_without_auto_create_contact(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    org = make_customer(api, "Acme", "x@acme.com")
    rule(admin, org["id"], "@acme.io", auto_create_contact=False)
    got = mail(control, "dan@acme.io")
    assert got["outcome"] == "ticket" and got["contact_id"] is None
    assert got["contact_created"] is False


def test_rules_run_top_down_with_exact_domain_and_subject_filter(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    broad = make_customer(api, "Broad", "b@broad.com")
    vip = make_customer(api, "VIP", "v@vip.com")
    security = make_customer(api, "Security", "s@security.com")
    domain_rule = rule(admin, broad["id"], "@example.org", position=30)
    address_rule = rule(admin, vip["id"], "ceo@example.org", position=10)
    subject_rule = rule(admin, security["id"], "@example.org", subject_filter="PHISH", position=20)
    assert [r["id"] for r in admin.get("/email_rules").json()["email_rules"]] == [
        address_rule["id"],
        subject_rule["id"],
        domain_rule["id"],
    ]
    assert mail(control, "ceo@example.org", "Phish alert")["rule_id"] == address_rule["id"]
    assert mail(control, "amy@example.org", "Possible phishing")["rule_id"] == subject_rule["id"]
    assert mail(control, "bob@example.org", "Hello")["rule_id"] == domain_rule["id"]
    # @domain means exactly that domain: no subdomains, no look-alike suffixes.
    for stranger in ("eve@mail.example.org", "eve@example.org.evil.io", "eve@notexample.org"):
        got = mail(control, stranger)
        assert got["matched_by"] is None and got["outcome"] == "new_organization"
    # Equal positions fall back to id order.
    tie = rule(admin, vip["id"], "@tie.org", position=5)
    rule(admin, broad["id"], "@tie.org", position=5)
    assert mail(control, "x@tie.org")["rule_id"] == tie["id"]


def test_unmatched_sender_becomes_new_organization(
    api: httpx.Client, control: httpx.Client
) -> None:
    got = mail(control, "spammer@junk.biz")
    assert got["outcome"] == "new_organization" and got["matched_by"] is None
    assert got["contact_created"] is True and got["ticket_id"]
    junk = api.get(f"/customers/{got['customer_id']}").json()["customer"]
    assert junk["email"] == "spammer@junk.biz"
    assert api.get("/leads").json()["leads"][0]["status"] == "Won"


def test_only_existing_mailbox_keeps_unmatched_as_lead(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    admin.put("/mailboxes/201", json={"auto_create": "only_existing"}).raise_for_status()
    got = mail(control, "spammer@junk.biz")
    assert got["outcome"] == "lead_only" and got["customer_id"] is None
    assert got["ticket_id"] is None and got["acknowledgement"] is None
    assert api.get("/customers").json()["customers"] == []
    assert api.get("/leads").json()["leads"][0]["status"] == "New"
    # Known senders still get tickets.
    make_customer(api, "Known", "k@known.com")
    assert mail(control, "k@known.com")["outcome"] == "ticket"


def test_master_switch_off_keeps_unmatched_as_lead(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    admin.put("/ticket_preferences", json={"create_tickets_from_leads": False})
    got = mail(control, "spammer@junk.biz")
    assert got["outcome"] == "lead_only"
    assert api.get("/customers").json()["customers"] == []
    assert api.get("/leads").json()["leads"][0]["status"] == "New"
    # Syncro (seed "Prevent Creating Organizations from Leads"): with the switch off EVERY
    # email stays a New lead, even from a known customer, contact or rule match.
    known = make_customer(api, "Known", "k@known.com")
    api.post("/contacts", json={"customer_id": known["id"], "name": "C", "email": "c@known.com"})
    rule(admin, known["id"], "@known.com")
    for sender in ("k@known.com", "c@known.com", "new@known.com"):
        got = mail(control, sender)
        assert (got["outcome"], got["ticket_id"], got["matched_by"]) == ("lead_only", None, None)
    assert api.get("/tickets").json()["tickets"] == []
    assert {x["status"] for x in api.get("/leads").json()["leads"]} == {"New"}


def test_rule_bound_to_another_mailbox_does_not_apply(
    api: httpx.Client, admin: httpx.Client, control: httpx.Client
) -> None:
    other = admin.post(
        "/mailboxes", json={"address": "billing@cybersuite.tech", "auto_create": "only_existing"}
    ).json()["mailbox"]
    org = make_customer(api, "Acme", "x@acme.com")
    rule(admin, org["id"], "@acme.io", mailbox_id=other["id"])
    admin.put("/mailboxes/201", json={"auto_create": "only_existing"})
    assert mail(control, "dan@acme.io")["outcome"] == "lead_only"


def test_unknown_mailbox_is_refused(control: httpx.Client) -> None:
    reply = control.post(
        "/_emulator/inbound-email",
        json={"from": "a@b.com", "to": "nobody@nowhere.com", "subject": "x", "body": "y"},
    )
    assert reply.status_code == 422
