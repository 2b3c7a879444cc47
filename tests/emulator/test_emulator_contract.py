"""Contract tests: the emulator's answers against Syncro's published OpenAPI document.

For every path and method the emulator serves that the spec documents, each documented
response (200, and the 401/404/422 error bodies) is produced for real and compared with
the spec's example: the envelope keys must be identical and every field of the example
object must exist in the answer with the same JSON type (null in the example matches
anything, and a null answer matches an example string or number: optional scalars are
nullable in the spec's schemas). Cases are derived from the spec, and a test fails when
the spec documents a served operation no case covers, so the contract cannot shrink.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer
from tests.emulator.conftest import LIMITED, TOKEN

SPEC_PATH = (
    Path(__file__).resolve().parents[2].parent / "shared/reference/syncro-api-v1-swagger.json"
)
# Paths of the spec the emulator serves (everything else in the spec is out of scope).
SERVED = (
    "/customers",
    "/customers/{id}",
    "/contacts",
    "/contacts/{id}",
    "/tickets",
    "/tickets/{id}",
    "/tickets/{id}/comments",
    "/tickets/{id}/comment",
    "/tickets/settings",
    "/leads",
    "/leads/{id}",
    "/users",
    "/users/{id}",
    "/me",
    "/settings",
    "/contracts",
    "/contracts/{id}",
    "/portal_users",
    "/portal_users/{id}",
)
# Example fields the emulator deliberately answers as null or leaves out, with the reason.
ALLOWED_GAPS = {
    "longitud": "typo in the spec's GET /contacts/{id} schema; the field is `longitude`",
    "ticket_type": "the emulated account defines no ticket types",
}


@cache
def spec() -> dict[str, Any]:
    """The reference spec (fails loudly when the shared reference is missing)."""
    return json.loads(SPEC_PATH.read_text())


def documented(path: str, method: str, status: str) -> Any:
    """The response example for an operation and status, synthesised from a schema if the
    spec gives only a schema; None when the spec documents no body."""
    response = spec()["paths"][path][method]["responses"].get(status) or {}
    for media in (response.get("content") or {}).values():
        if "example" in media:
            return media["example"]
        if media.get("examples"):
            return next(iter(media["examples"].values()))["value"]
        if "schema" in media:
            return from_schema(media["schema"])
    return None


def from_schema(schema: dict[str, Any]) -> Any:
    """A representative value for a schema (types only matter)."""
    kind = schema.get("type")
    if schema.get("nullable"):
        return None
    if kind == "object":
        return {k: from_schema(v) for k, v in (schema.get("properties") or {}).items()}
    return {"integer": 0, "number": 0.5, "string": "", "boolean": False, "array": []}.get(kind)


def json_type(value: Any) -> str:
    """JSON type names (bool is not a number; int and float are both numbers)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


def compare(example: Any, actual: Any, where: str, problems: list[str]) -> None:
    """Collect every field-name or type difference between an example and an answer."""
    if example is None:
        return
    if actual is None:
        # Optional scalars are null until set (the spec's schemas mark them nullable);
        # objects, arrays and booleans always come back with their type.
        nullable_scalar = json_type(example) in ("string", "number")
        if not nullable_scalar and where.rsplit(".", 1)[-1] not in ALLOWED_GAPS:
            problems.append(f"{where}: null, example has {json_type(example)}")
        return
    if json_type(example) != json_type(actual):
        problems.append(f"{where}: {json_type(actual)}, example has {json_type(example)}")
        return
    if isinstance(example, dict) and where.endswith((".params", ".properties")):
        return  # request echoes and custom-field maps: only the type is contractual
    if isinstance(example, dict):
        for key, value in example.items():
            if key not in actual:
                if key not in ALLOWED_GAPS:
                    problems.append(f"{where}.{key}: missing")
                continue
            compare(value, actual[key], f"{where}.{key}", problems)
    elif isinstance(example, list) and example and actual:
        compare(example[0], actual[0], f"{where}[0]", problems)


class World:
    """Objects every case can refer to, created through the public API."""

    def __init__(self, emu: EmulatorServer) -> None:
        self.emu = emu
        self.http = httpx.Client(
            base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        self.limited = httpx.Client(
            base_url=emu.base_url, headers={"Authorization": f"Bearer {LIMITED}"}, timeout=10
        )
        self.customer = self.post("/customers", business_name="Walkin", email="w@walkin.com")[
            "customer"
        ]
        self.contact = self.post(
            "/contacts", customer_id=self.customer["id"], name="Boba Fett", email="b@walkin.com"
        )
        self.ticket = self.post(
            "/tickets",
            customer_id=self.customer["id"],
            contact_id=self.contact["id"],
            subject="Some major problem",
            user_id=1001,
            due_date="2026-02-01",
            comments_attributes=[{"subject": "Initial", "body": "Body", "hidden": True}],
        )["ticket"]
        self.lead = self.post("/leads", email="susy@ratke.com", first_name="Susy")["lead"]
        self.contract = self.post(
            "/contracts", customer_id=self.customer["id"], name="Support Tier 1"
        )
        self.portal_user = self.portal("katelyn@okuneva.name")
        self.serial = 0
        # The object each `{id}` path answers with 200 (users: the account's first).
        self.made = {
            "/customers/{id}": self.customer["id"],
            "/contacts/{id}": self.contact["id"],
            "/tickets/{id}": self.ticket["id"],
            "/leads/{id}": self.lead["id"],
            "/users/{id}": 1001,
            "/contracts/{id}": self.contract["id"],
            "/portal_users/{id}": self.portal_user["id"],
        }

    def post(self, path: str, **body: Any) -> Any:
        reply = self.http.post(path, json=body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def portal(self, email: str) -> dict[str, Any]:
        return self.post(
            "/portal_users",
            customer_id=self.customer["id"],
            email=email,
            password="pw",
            password_confirmation="pw",
        )

    def throwaway_customer(self) -> int:
        self.serial += 1
        email = f"gone{self.serial}@gone.com"
        return self.post("/customers", business_name="Gone", email=email)["customer"]["id"]


Case = Callable[[World], httpx.Response]
CASES: dict[tuple[str, str, str], Case] = {
    ("/customers", "get", "200"): lambda w: w.http.get("/customers"),
    ("/customers", "post", "200"): lambda w: w.http.post(
        "/customers", json={"business_name": "Real Business"}
    ),
    ("/customers", "post", "422"): lambda w: w.http.post(
        "/customers",
        json={"business_name": "Real Business", "firstname": "F", "email": "it is not an email"},
    ),
    ("/customers/{id}", "delete", "200"): lambda w: w.http.delete(
        f"/customers/{w.throwaway_customer()}"
    ),
    ("/contacts", "get", "200"): lambda w: w.http.get(
        "/contacts", params={"customer_id": w.customer["id"]}
    ),
    ("/contacts", "post", "200"): lambda w: w.http.post(
        "/contacts", json={"customer_id": w.customer["id"], "name": "Han", "email": "h@w.com"}
    ),
    ("/contacts", "post", "401"): lambda w: w.limited.post(
        "/contacts", json={"customer_id": w.customer["id"], "name": "Han"}
    ),
    ("/contacts", "post", "404"): lambda w: w.http.post(
        "/contacts", json={"customer_id": 999999, "name": "Han"}
    ),
    ("/contacts", "post", "422"): lambda w: w.http.post(
        "/contacts", json={"customer_id": w.customer["id"], "name": "Bad Email", "email": "xxx"}
    ),
    ("/contacts/{id}", "put", "401"): lambda w: w.limited.put(
        f"/contacts/{w.contact['id']}", json={"name": "X"}
    ),
    ("/contacts/{id}", "delete", "200"): lambda w: w.http.delete(
        f"/contacts/{w.post('/contacts', customer_id=w.customer['id'], name='Tmp')['id']}"
    ),
    ("/contacts/{id}", "delete", "401"): lambda w: w.limited.delete(f"/contacts/{w.contact['id']}"),
    ("/tickets", "get", "200"): lambda w: w.http.get("/tickets"),
    ("/tickets", "post", "200"): lambda w: w.http.post(
        "/tickets",
        json={
            "customer_id": w.customer["id"],
            "subject": "Ticket Subject",
            "user_id": 1001,
            "comments_attributes": [{"subject": "Comment Subject", "body": "Comment Body"}],
        },
    ),
    ("/tickets", "post", "422"): lambda w: w.http.post("/tickets", json={"subject": "No customer"}),
    ("/tickets/{id}", "delete", "200"): lambda w: w.http.delete(
        f"/tickets/{w.post('/tickets', customer_id=w.customer['id'], subject='x')['ticket']['id']}"
    ),
    ("/tickets/{id}/comments", "get", "200"): lambda w: w.http.get(
        f"/tickets/{w.ticket['id']}/comments"
    ),
    ("/tickets/{id}/comment", "post", "200"): lambda w: w.http.post(
        f"/tickets/{w.ticket['id']}/comment",
        json={"subject": "Comment Subject", "body": "Comment Body", "tech": "Joe", "hidden": True},
    ),
    ("/tickets/{id}/comment", "post", "422"): lambda w: w.http.post(
        f"/tickets/{w.ticket['id']}/comment", json={"body": "no subject"}
    ),
    ("/tickets/settings", "get", "200"): lambda w: w.http.get("/tickets/settings"),
    ("/leads", "get", "200"): lambda w: w.http.get("/leads"),
    ("/leads", "post", "200"): lambda w: w.http.post(
        "/leads", json={"email": "walkin@somedomain.com", "first_name": "Susy"}
    ),
    ("/leads", "post", "422"): lambda w: w.http.post("/leads", json={"email": "nope"}),
    ("/users", "get", "200"): lambda w: w.http.get("/users"),
    ("/me", "get", "200"): lambda w: w.http.get("/me"),
    ("/settings", "get", "200"): lambda w: w.http.get("/settings"),
    ("/contracts", "get", "200"): lambda w: w.http.get("/contracts"),
    ("/contracts", "post", "200"): lambda w: w.http.post(
        "/contracts",
        json={"customer_id": w.customer["id"], "name": "Support", "start_date": "2026-01-01"},
    ),
    ("/contracts", "post", "422"): lambda w: w.http.post(
        "/contracts", json={"name": "No Customer", "description": "No Customer"}
    ),
    ("/contracts/{id}", "delete", "200"): lambda w: w.http.delete(
        f"/contracts/{w.post('/contracts', customer_id=w.customer['id'], name='Tmp')['id']}"
    ),
    ("/portal_users", "get", "200"): lambda w: w.http.get(
        "/portal_users", params={"customer_id": w.customer["id"]}
    ),
    ("/portal_users", "post", "200"): lambda w: w.http.post(
        "/portal_users",
        json={"customer_id": w.customer["id"], "email": "new@walkin.com", "portal_group_id": 4},
    ),
    ("/portal_users", "post", "422"): lambda w: w.http.post(
        "/portal_users",
        json={
            "customer_id": w.customer["id"],
            "password": "does not match",
            "password_confirmation": "confirmation",
        },
    ),
    ("/portal_users/{id}", "delete", "200"): lambda w: w.http.delete(
        f"/portal_users/{w.portal('tmp@walkin.com')['id']}"
    ),
}

# PUT bodies for the world's object of each `{id}` path, by the status they must get.
EDITS: dict[tuple[str, str], dict[str, Any]] = {
    ("/customers/{id}", "200"): {"notes": "updated"},
    ("/customers/{id}", "422"): {"email": "not an email"},
    ("/contacts/{id}", "200"): {"name": "Boba Fett", "phone": "555"},
    ("/contacts/{id}", "422"): {"name": "Boba", "customer_id": None},
    ("/tickets/{id}", "200"): {"status": "In Progress"},
    ("/tickets/{id}", "422"): {"subject": ""},
    ("/leads/{id}", "200"): {"status": "Won"},
    ("/leads/{id}", "422"): {"email": "nope"},
    ("/contracts/{id}", "200"): {"description": "Contract Description"},
    ("/contracts/{id}", "422"): {"customer_id": None},
    ("/portal_users/{id}", "200"): {"portal_group_id": 4},
    ("/portal_users/{id}", "422"): {
        "password": "does not match",
        "password_confirmation": "the confirmation",
    },
}


def alike(op: tuple[str, str, str]) -> Case | None:
    """The cases every `{id}` path has alike: GET of the world's object answers 200, a
    PUT of an EDITS body the status it is listed under, any method on an id nobody made
    404."""
    path, method, status = op
    if "{id}" not in path:
        return None
    if (method, status) == ("get", "200"):
        return lambda w: w.http.get(path.format(id=w.made[path]))
    if method == "put" and (path, status) in EDITS:
        return lambda w: w.http.put(path.format(id=w.made[path]), json=EDITS[(path, status)])
    if status == "404":
        body = {"name": "X"} if method == "put" else None
        return lambda w: w.http.request(method.upper(), path.format(id=999999), json=body)
    return None


def case_for(op: tuple[str, str, str]) -> Case | None:
    return CASES.get(op) or alike(op)


# Spec responses no request can produce against the emulator, with the reason.
NOT_REPRODUCED = {
    ("/contacts", "get", "401"): "the read-only token may read; Syncro's 'View Detail' is finer",
    ("/contacts/{id}", "get", "401"): "the read-only token may read",
}


def spec_operations() -> list[tuple[str, str, str]]:
    """Every (path, method, status) the spec documents for the served paths."""
    found = []
    for path in SERVED:
        for method, operation in spec()["paths"][path].items():
            for status in operation.get("responses", {}):
                found.append((path, method, status))
    return found


def test_every_documented_response_of_a_served_path_has_a_case() -> None:
    missing = [op for op in spec_operations() if not case_for(op) and op not in NOT_REPRODUCED]
    assert missing == []


def test_reference_spec_is_the_expected_document() -> None:
    assert spec()["openapi"] == "3.0.0"
    assert "180 requests per minute" in spec()["info"]["description"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One emulator and one set of objects for all cases (keeps the suite fast)."""
    db = tmp_path_factory.mktemp("contract") / "syncro.db"
    with EmulatorServer(
        db_path=db, token=TOKEN, rate_limit_per_minute=0, limited_token=LIMITED
    ) as server:
        yield World(server)


def reproduced() -> list[tuple[str, str, str]]:
    """Every case: the table's, and the spec's `{id}` operations that are alike."""
    alike_ops = [op for op in spec_operations() if op not in CASES and alike(op)]
    return sorted({*CASES, *alike_ops})


@pytest.mark.parametrize("op", reproduced(), ids=lambda op: f"{op[1].upper()} {op[0]} {op[2]}")
def test_answer_matches_spec_example(world: World, op: tuple[str, str, str]) -> None:
    path, method, status = op
    case = case_for(op)
    assert case is not None
    reply = case(world)
    assert reply.status_code == int(status), reply.text
    example = documented(path, method, status)
    if example is None:
        # The spec documents no body: Syncro still answers JSON, so at least that holds.
        assert isinstance(reply.json(), dict)
        return
    actual = reply.json()
    assert json_type(actual) == json_type(example)
    if isinstance(example, dict) and "id" not in example:
        # An envelope ({"customer": ...}, {"customers": [...], "meta": ...}, errors):
        # exactly the documented keys. Flat objects (contacts) are checked field by field.
        assert sorted(actual) == sorted(example), "envelope keys differ"
    problems: list[str] = []
    compare(example, actual, "$", problems)
    assert problems == []
