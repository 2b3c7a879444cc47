"""Schemathesis against the emulator, from Syncro's published spec (the reference copy
beside the repository): a bounded run (fixed seed, 25 examples per operation) over every
operation the emulator serves, asserting no server error and that each response
conforms to the spec's schemas.

Random path ids almost never name an object, so a third of the generated ids are
replaced by a real one of the right kind (a fresh one for DELETE): the validation and
update paths get fuzzed too, not only the 404. The reference spec gives response schemas
for only one served operation (GET /contacts/{id}); the other answers' shapes are checked
against the spec's examples in test_emulator_contract.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from emulator.spec_paths import REFERENCE_SPEC
from emulator.testing import EmulatorServer
from tests.emulator.conftest import TOKEN

# The last test reads what the fuzzing left in the module's emulator: under `make test`
# the whole file runs on one worker, in order (xdist_group).
pytestmark = pytest.mark.xdist_group("schemathesis-run")

# The spec's operations the emulator serves (its public routes; see test_emulator_strict).
SERVED = {
    "/customers": ("GET", "POST"),
    "/customers/{id}": ("GET", "PUT", "DELETE"),
    "/contacts": ("GET", "POST"),
    "/contacts/{id}": ("GET", "PUT", "DELETE"),
    "/tickets": ("GET", "POST"),
    "/tickets/{id}": ("GET", "PUT", "DELETE"),
    "/tickets/{id}/comments": ("GET",),
    "/tickets/{id}/comment": ("POST",),
    "/tickets/settings": ("GET",),
    "/leads": ("GET", "POST"),
    "/leads/{id}": ("GET", "PUT"),
    "/users": ("GET",),
    "/users/{id}": ("GET",),
    "/me": ("GET",),
    "/settings": ("GET",),
    "/contracts": ("GET", "POST"),
    "/contracts/{id}": ("GET", "PUT", "DELETE"),
    "/portal_users": ("GET", "POST"),
    "/portal_users/{id}": ("PUT", "DELETE"),
}
EXAMPLES_PER_OPERATION = 25
SEED = 20261201

schema = schemathesis.openapi.from_path(REFERENCE_SPEC).include(
    lambda ctx: ctx.operation.method.upper() in SERVED.get(ctx.operation.path, ())
)


class Objects:
    """Real objects of each kind, made through the public API."""

    def __init__(self, emu: EmulatorServer) -> None:
        self.http = httpx.Client(
            base_url=emu.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        self.serial = 0
        self.stable: dict[str, int] = {}

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        reply = self.http.post(path, json=body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def make(self, path: str) -> int:
        """A fresh object behind `path` (`/customers/{id}` ...), its id."""
        self.serial += 1
        n = self.serial
        customer = self.http.post(
            "/customers", json={"business_name": f"Fuzz {n}", "email": f"f{n}@fuzz.example"}
        ).json()["customer"]["id"]
        if path.startswith("/customers"):
            return customer
        if path.startswith("/contacts"):
            return self.post("/contacts", customer_id=customer, name="C")["id"]
        if path.startswith("/tickets"):
            return self.post("/tickets", customer_id=customer, subject="T")["ticket"]["id"]
        if path.startswith("/leads"):
            return self.post("/leads", email=f"l{n}@fuzz.example")["lead"]["id"]
        if path.startswith("/contracts"):
            return self.post("/contracts", customer_id=customer, name="K")["id"]
        if path.startswith("/portal_users"):
            return self.post("/portal_users", customer_id=customer, email=f"p{n}@fuzz.example")[
                "id"
            ]
        return 1001  # users


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    db = tmp_path_factory.mktemp("fuzz") / "syncro.db"
    with EmulatorServer(db_path=db, token=TOKEN, rate_limit_per_minute=0) as emu:
        yield emu


@pytest.fixture(scope="module")
def objects(server: EmulatorServer) -> Iterator[Objects]:
    made = Objects(server)
    yield made
    made.http.close()


def point_at_real_objects(case: schemathesis.Case, objects: Objects) -> None:
    """Replace a third of the generated ids by a real object's (fresh for DELETE)."""
    params = case.path_parameters or {}
    raw = params.get("id")
    if isinstance(raw, int) and raw % 3 == 0:
        path = case.operation.path
        if case.method.upper() == "DELETE" or path not in objects.stable:
            objects.stable[path] = objects.make(path)
        params["id"] = objects.stable[path]
        if case.method.upper() == "DELETE":
            del objects.stable[path]


def test_every_served_operation_is_fuzzed() -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = {(op.path, op.method.upper()) for op in operations}
    wanted = {(path, method) for path, methods in SERVED.items() for method in methods}
    assert fuzzed == wanted


@schema.parametrize()
@hypothesis.seed(SEED)
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_emulator_conforms_to_the_spec(
    case: schemathesis.Case, server: EmulatorServer, objects: Objects
) -> None:
    point_at_real_objects(case, objects)
    case.call_and_validate(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_reference_spec_is_beside_the_repository() -> None:
    assert Path(REFERENCE_SPEC).is_file(), f"{REFERENCE_SPEC} missing: CI has ../shared"


def test_the_run_reached_real_objects(server: EmulatorServer) -> None:
    """Runs after the fuzzing (file order): it was not all 404s and refusals."""
    assert server.emulator is not None
    log = server.emulator.log.since(0)
    statuses: dict[tuple[str, int], int] = {}
    for entry in log:
        key = (entry["method"], entry["status"])
        statuses[key] = statuses.get(key, 0) + 1
    assert len(log) > 500, len(log)
    for method in ("GET", "PUT", "POST", "DELETE"):
        assert statuses.get((method, 200), 0) > 10, statuses
    assert all(status < 500 for _, status in statuses), statuses
