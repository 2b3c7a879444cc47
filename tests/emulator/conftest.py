"""Fixtures for the emulator's tests: a live server per test, real HTTP through httpx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.emulators import emulator_fixture, http

TOKEN = "emu-test-token"
LIMITED = "emu-limited-token"


emu = emulator_fixture(TOKEN, LIMITED)


@pytest.fixture
def api(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Authenticated client on the public API."""
    yield from http(emu.base_url, TOKEN)


@pytest.fixture
def admin(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Authenticated client on the UI-only admin surface."""
    yield from http(emu.admin_url, TOKEN)


@pytest.fixture
def control(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """Unauthenticated client on the root (control surface and page)."""
    yield from http(emu.root_url)


def make_customer(api: httpx.Client, name: str, email: str, **extra: object) -> dict:
    """Create a customer and return it (fails the test on anything but 200)."""
    reply = api.post("/customers", json={"business_name": name, "email": email, **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()["customer"]


def post_for(client: httpx.Client, path: str, org: dict, **fields: object) -> httpx.Response:
    """POST one object of the customer `org`: its `customer_id` and `fields`."""
    return client.post(path, json={"customer_id": org["id"], **fields})


def email_rule_body(customer_id: int, sender: str, **extra: object) -> dict:
    """What a person types into Admin > Email Rules: all mail from `sender` to the customer."""
    return {
        "sender": sender,
        "subject_filter": None,
        "customer_id": customer_id,
        "assignee_user_id": None,
        "mailbox_id": None,
        "auto_create_contact": True,
        "position": 30,
        **extra,
    }


@pytest.fixture
def person(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """A person in Syncro's web UI: the person's surface with the person's own token."""
    yield from http(emu.person_url, emu.person_token)
