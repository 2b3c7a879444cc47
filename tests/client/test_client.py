"""The Syncro client against the emulator over real HTTP: envelopes, paging, errors,
retries under injected faults, lost responses, auth failures, and the pacer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from emulator.testing import EmulatorServer
from resources.syncro import (
    Pacer,
    SyncroAuthError,
    SyncroClient,
    SyncroError,
    SyncroNotFound,
    SyncroRateLimited,
    SyncroValidationError,
)
from tests.emulators import emulator_fixture, http

TOKEN = "client-test-token-5f3a"
LIMITED = "client-limited-token-9b1c"


emu = emulator_fixture(TOKEN, LIMITED)


@pytest.fixture
def control(emu: EmulatorServer) -> Iterator[httpx.Client]:
    for client in http(emu.root_url + "/_emulator"):
        client.delete("/requests")
        yield client


def client_for(emu: EmulatorServer, token: str = TOKEN, **kwargs: object) -> SyncroClient:
    options = {
        "requests_per_minute": 10_000,
        "backoff_base": 0.01,
        # Injected faults store nothing or commit at once: a short settle window will do.
        "lost_create_settle_seconds": 0.2,
        "lost_create_poll_seconds": 0.1,
        **kwargs,
    }
    return SyncroClient(emu.base_url, token, **options)  # type: ignore[arg-type]


def logged(control: httpx.Client) -> list[dict]:
    return control.get("/requests").json()["requests"]


def new_customer(client: SyncroClient, n: int) -> dict:
    return {"business_name": f"Firm {n:03d}", "email": f"owner{n}@firm{n}.example"}


def test_customer_round_trip_with_properties(emu: EmulatorServer) -> None:
    client = client_for(emu)
    client.admin_create(
        "customer_fields",
        {"name": "CS Client ID", "field_type": "text", "answers": []},
        lookup=lambda: None,
    )
    made = client.create_customer(
        {
            "business_name": "Smith Law LLP",
            "email": "jane@smithlaw.com",
            "properties": {"CS Client ID": "CS-0042", "Not A Field": "dropped"},
        }
    )
    assert made.properties == {"CS Client ID": "CS-0042"}
    assert client.get_customer(made.id).business_name == "Smith Law LLP"
    updated = client.update_customer(made.id, {"notes": "signed"})
    assert (updated.notes, updated.properties["CS Client ID"]) == ("signed", "CS-0042")
    assert "Customer was deleted" in client.delete_customer(made.id)
    with pytest.raises(SyncroNotFound, match="404"):
        client.get_customer(made.id)


def test_lists_read_every_page(emu: EmulatorServer, control: httpx.Client) -> None:
    client = client_for(emu)
    for n in range(30):
        client.create_customer(new_customer(client, n))
    control.delete("/requests")
    customers = client.list_customers()
    assert len(customers) == 30
    pages = [entry["query"] for entry in logged(control)]
    assert pages == ["page=1", "page=2"]


def test_email_lookup_is_exact_although_the_filter_is_a_substring(emu: EmulatorServer) -> None:
    client = client_for(emu)
    client.create_customer({"business_name": "A", "email": "ann@firm.example"})
    client.create_customer({"business_name": "B", "email": "joann@firm.example"})
    assert client.find_customer_by_email("ann@firm.example").business_name == "A"
    assert client.find_customer_by_email("nn@firm.example") is None


def test_duplicate_email_is_a_validation_error_with_syncros_message(emu: EmulatorServer) -> None:
    client = client_for(emu)
    client.create_customer({"business_name": "A", "email": "ann@firm.example"})
    with pytest.raises(SyncroValidationError) as caught:
        client.create_customer({"business_name": "B", "email": "ann@firm.example"})
    assert caught.value.status == 422
    assert caught.value.message == "Email has already been taken"


def test_users_come_with_their_emails(emu: EmulatorServer) -> None:
    emails = {user.email for user in client_for(emu).list_users()}
    assert {"alex@cybersuite.tech", "sam@cybersuite.tech"} <= emails


def test_wrong_token_fails_once_and_says_what_to_fix(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    secret = "wrong-token-do-not-print"
    client = client_for(emu, token=secret)
    with pytest.raises(SyncroAuthError) as caught:
        client.list_customers()
    text = str(caught.value)
    assert "syncro:apiToken" in text and "Not authorized" in text
    assert secret not in text and secret not in repr(client)
    # Remembered: the run's other resources do not each spend a request on it.
    with pytest.raises(SyncroAuthError):
        client.get_customer(30001)
    assert len(logged(control)) == 1


def test_missing_permission_is_an_auth_error_without_retries(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu, token=LIMITED)
    assert client.list_customers() == []
    with pytest.raises(SyncroAuthError, match="permissions"):
        client.create_customer({"business_name": "A", "email": "a@a.example"})
    assert [e["method"] for e in logged(control)] == ["GET", "POST"]


def test_429_and_503_are_retried_until_they_pass(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu, max_retries=8)
    control.post(
        "/faults",
        json={"seed": 7, "rules": [{"path": ".*", "rate_429": 0.2, "rate_5xx": 0.3}]},
    )
    for n in range(12):
        client.create_customer(new_customer(client, n))
    assert len(client.list_customers()) == 12
    faults = [e["fault"] for e in logged(control) if e["fault"]]
    assert faults, "the faults were injected"
    assert client.retries >= len(faults)


def test_a_429_storm_ends_with_a_rate_limit_error(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu, max_retries=2)
    control.post("/faults", json={"rules": [{"path": "/customers", "rate_429": 1.0}]})
    with pytest.raises(SyncroRateLimited, match="429"):
        client.list_customers()
    assert len(logged(control)) == 3  # the request and exactly max_retries retries


def test_lost_create_response_is_looked_up_not_repeated(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu)
    control.post(
        "/faults", json={"rules": [{"path": "/customers$", "method": "POST", "lost_response": 1}]}
    )
    made = client.create_customer({"business_name": "Smith Law", "email": "jane@smithlaw.com"})
    control.delete("/faults")
    assert [c.id for c in client.list_customers()] == [made.id]
    posts = [e for e in logged(control) if e["method"] == "POST"]
    assert len(posts) == 1


def test_create_answered_502_is_sent_again_only_when_the_lookup_proves_it_absent(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu)
    # Injected 5xx store nothing: the lookup finds nothing, so the POST is repeated.
    control.post(
        "/faults",
        json={
            "seed": 3,
            "rules": [
                {"path": "/customers$", "method": "POST", "rate_5xx": 0.6, "status_5xx": 502}
            ],
        },
    )
    for n in range(6):
        client.create_customer(new_customer(client, n))
    control.delete("/faults")
    emails = [c.email for c in client.list_customers()]
    assert sorted(emails) == sorted(new_customer(client, n)["email"] for n in range(6))
    assert any(e["status"] == 502 for e in logged(control))


def test_lost_admin_create_uses_the_callers_lookup(
    emu: EmulatorServer, control: httpx.Client
) -> None:
    client = client_for(emu)
    customer = client.create_customer({"business_name": "Smith Law", "email": "j@smithlaw.com"})
    control.post(
        "/faults",
        json={"rules": [{"path": "/email_rules$", "method": "POST", "lost_response": 1}]},
    )
    body = {
        "sender": "@smithlaw.com",
        "subject_filter": None,
        "customer_id": customer.id,
        "assignee_user_id": None,
        "mailbox_id": 201,
        "auto_create_contact": True,
        "position": 30,
    }

    def lookup():
        return next(
            (r for r in client.admin_list("email_rules") if r.sender == body["sender"]), None
        )

    rule = client.admin_create("email_rules", body, lookup=lookup)
    control.delete("/faults")
    assert [r.id for r in client.admin_list("email_rules")] == [rule.id]


def test_admin_objects_and_preferences(emu: EmulatorServer) -> None:
    client = client_for(emu)
    mailbox = client.admin_list("mailboxes")[0]
    assert mailbox.address == "help@cybersuite.tech"
    safer = client.admin_update(
        "mailboxes",
        mailbox.id,
        {"address": mailbox.address, "active": True, "auto_create": "only_existing"},
    )
    assert safer.auto_create == "only_existing"
    prefs = client.put_ticket_preferences(
        {"create_tickets_from_leads": True, "enable_recurring_tickets": True}
    )
    assert prefs == client.get_ticket_preferences()
    assert prefs.enable_recurring_tickets is True
    with pytest.raises(SyncroNotFound):
        client.admin_delete("email_rules", 999)


def test_pacer_never_lets_more_than_n_requests_into_a_minute() -> None:
    now = [0.0]
    pacer = Pacer(5, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    starts = []
    for _ in range(12):
        pacer.acquire()
        starts.append(now[0])
    assert starts == [0.0] * 5 + [60.0] * 5 + [120.0] * 2
    for i, start in enumerate(starts):
        in_window = [s for s in starts if start - 60 < s <= start]
        assert len(in_window) <= 5, i


def test_pacer_hold_makes_every_caller_wait() -> None:
    now = [100.0]
    pacer = Pacer(50, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    pacer.acquire()
    pacer.hold(2.5)
    pacer.acquire()
    assert now[0] == pytest.approx(102.5)


@pytest.mark.parametrize(
    "collection, body",
    [
        ("customers", {"business_name": "Smith Law", "email": "jane@smithlaw.com"}),
        (
            "email_rules",
            {
                "sender": "@smithlaw.com",
                "subject_filter": None,
                "customer_id": 1,
                "assignee_user_id": None,
                "mailbox_id": None,
                "auto_create_contact": True,
                "position": 30,
            },
        ),
        (
            "recurring_tickets",
            {
                "customer_id": 1,
                "subject": "[CS-0042] Monthly Report",
                "problem_type": "Deliverable",
                "user_id": 1001,
                "frequency": "monthly",
                "next_due": "2026-12-01",
                "lead_days": 5,
            },
        ),
    ],
)
def test_a_create_that_commits_after_the_client_gave_up_is_not_sent_again(
    emu: EmulatorServer, control: httpx.Client, collection: str, body: dict
) -> None:
    """Issue 14 item 3: the POST outlives the client's timeout and commits later; a
    lookup right after the timeout finds nothing, yet sending again duplicates it."""
    setup = client_for(emu)
    customer = setup.create_customer({"business_name": "Owner", "email": "o@owner.example"})
    setup.put_ticket_preferences(
        {"create_tickets_from_leads": True, "enable_recurring_tickets": True}
    )
    body = {**body, "customer_id": customer.id} if "customer_id" in body else body
    client = client_for(
        emu, timeout=0.4, lost_create_settle_seconds=3, lost_create_poll_seconds=0.5
    )
    path = f"/{collection}$"
    control.delete("/requests")
    control.post("/faults", json={"rules": [{"path": path, "method": "POST", "latency_ms": 1200}]})

    def lookup():
        return next(
            (o for o in client.admin_list(collection) if o.customer_id == customer.id), None
        )

    if collection == "customers":
        made = client.create_customer(body)
    else:
        made = client.admin_create(collection, body, lookup=lookup)
    time.sleep(1.5)  # whatever was still in flight has landed now
    control.delete("/faults")
    if collection == "customers":
        listed = [c for c in client.list_customers() if c.email == body["email"]]
    else:
        listed = client.admin_list(collection)
    assert [o.id for o in listed] == [made.id], "the late commit was duplicated"
    posts = [e for e in logged(control) if e["method"] == "POST" and e["path"].endswith(collection)]
    assert len(posts) == 1


class _Crafted:
    """A real HTTP server answering every request with one crafted response."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        import http.server
        import threading

        crafted = self
        self.requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                crafted.requests.append(f"{self.command} {self.path}")
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = _answer

            def log_message(self, *_args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def close(self) -> None:
        self.server.shutdown()


def test_a_truncated_json_answer_says_what_was_sent_what_came_back_and_what_to_do() -> None:
    """Issue 14 item 15: no bare `Unterminated string`, and no secret in the message."""
    server = _Crafted(200, b'{"customer": {"id": 12, "business_name": "Smi', "application/json")
    try:
        client = SyncroClient(server.base_url, TOKEN, backoff_base=0.01)
        body = {"business_name": "Smith", "properties": {"HUNT_A-KEY": "acct-secret-123"}}
        with pytest.raises(SyncroError) as caught:
            client.update_customer(12, body)
    finally:
        server.close()
    said = str(caught.value)
    assert "PUT /customers/12" in said and "not JSON" in said
    assert "properties (HUNT_A-KEY)" in said and '{"customer"' in said
    assert "pulumi refresh" in said
    assert "acct-secret-123" not in said and TOKEN not in said


def test_an_html_500_counts_the_attempts_really_sent() -> None:
    page = b"<html><body><h1>We're sorry, but something went wrong.</h1></body></html>"
    server = _Crafted(500, page, "text/html")
    try:
        client = SyncroClient(server.base_url, TOKEN, backoff_base=0.01)
        with pytest.raises(SyncroError) as caught:
            client.update_customer(12, {"business_name": "Smith"})
    finally:
        server.close()
    said = str(caught.value)
    assert len(server.requests) == 1
    assert "after 7 attempts" not in said and "not retried" in said
    assert "something went wrong" in said and "<html>" not in said
    assert "Sent: PUT /customers/12 with business_name" in said
