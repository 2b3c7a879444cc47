"""Bad input, nothing touched: a corpus of broken customer files and stack configs.

For each case both `pulumi preview` and `pulumi up` fail with a message naming the
file, the field and the fix, and the emulator's request log shows zero API calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from resources import catalog
from tests.domain.test_catalog import FREE_MAIL_BEYOND_THE_TWENTY
from tests.project import Project, customer_yaml, edr_secrets

pytestmark = pytest.mark.slow

TOKEN = "bad-input-token-1c9e"
GOOD = "smith-law.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    arrange: Callable[[Project], None]
    expect: tuple[str, ...]
    """Substrings of the error: where (file or config key), the field, the fix."""
    never: tuple[str, ...] = ()
    """Substrings that must appear nowhere in the output (secrets, a linked file's content)."""
    max_seconds: float = 120.0
    """Per command: a hostile file must be refused as fast as any other."""


def write(filename: str, text: str | bytes) -> Callable[[Project], None]:
    def arrange(project: Project) -> None:
        path = project.customers / filename
        path.write_bytes(text if isinstance(text, bytes) else text.encode())

    return arrange


def customer(filename: str = GOOD, **changes: object) -> Callable[[Project], None]:
    def arrange(project: Project) -> None:
        # A tuple of domains also shapes the POC email; anything else is written verbatim.
        shaping = {k: v for k, v in changes.items() if k in ("client_id", "name")}
        if isinstance(changes.get("domains"), tuple):
            shaping["domains"] = changes["domains"]
        spec = customer_yaml(**shaping)
        spec.update({k: v for k, v in changes.items() if k not in shaping})
        for key in [k for k, v in changes.items() if v is DROP]:
            spec.pop(key)
        project.write_customer(filename, spec)

    return arrange


def both(*steps: Callable[[Project], None]) -> Callable[[Project], None]:
    def arrange(project: Project) -> None:
        for step in steps:
            step(project)

    return arrange


def config(key: str, value: str) -> Callable[[Project], None]:
    return lambda project: project.config(key, value)


def remove_config(key: str) -> Callable[[Project], None]:
    return lambda project: project.pulumi("config", "rm", key)


def link_outside(filename: str, content: str) -> Callable[[Project], None]:
    """A customer 'file' that is a symbolic link to a file outside customers/."""

    def arrange(project: Project) -> None:
        target = project.root / "runner-home" / ".docker" / "config.json"
        target.parent.mkdir(parents=True)
        target.write_text(content)
        (project.customers / filename).symlink_to(target)

    return arrange


DOCKER_AUTH = "ZG9ja2VyOnJ1bm5lci1zM2NyZXQ="
LEAKED_A = "acct-LEAK-9f8e7d6c"
LEAKED_O = "org-LEAK-1a2b3c4d"
# 700 bytes that expand to 9**9 (387 million) strings if aliases were followed.
ALIAS_BOMB = (
    "name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"n{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
    + "client_id: *i\n"
)
TOO_FAR = catalog.add_months(
    datetime.now(UTC).date(), catalog.GO_LIVE_MAX_MONTHS_AHEAD + 1
).isoformat()
DROP = object()
F = f"customers/{GOOD}"
SECOND = customer(
    "acme.yaml",
    client_id="CS-0107",
    name="Acme Dental",
    domains=("acmedental.com",),
)

HOSTILE_CASES = [
    Case(
        "symlink-out-of-customers",
        both(
            customer(),
            link_outside("docker.yaml", f'{{"auths": {{"r": {{"auth": "{DOCKER_AUTH}"}}}}}}'),
        ),
        ("customers/docker.yaml", "symbolic link", "Fix"),
        never=(DOCKER_AUTH, "auths", "runner-home"),
    ),
    Case(
        "alias-bomb",
        write(GOOD, ALIAS_BOMB),
        (F, "anchors and aliases", "Fix"),
        never=("lol', 'lol",),
        max_seconds=60,
    ),
    *(
        Case(f"client-id-{label}", customer(client_id=cid), (F, "'client_id'", "CS-####", "Fix"))
        for label, cid in (
            ("full-width-digits", "CS-\uff10\uff1042"),
            ("arabic-indic-digits", "CS-\u0660\u0660\u0664\u0662"),
            ("trailing-newline", "CS-0042\n"),
        )
    ),
    *(
        Case(f"name-with-{code}", customer(name=f"Smith{char}Law LLP"), (F, "'name'", code, "Fix"))
        for code, char in (("U+2028", "\u2028"), ("U+0085", "\u0085"), ("U+007F", "\x7f"))
    ),
    Case(
        "free-mail-beyond-the-twenty",
        customer(domains=("smithlaw.com", *FREE_MAIL_BEYOND_THE_TWENTY)),
        (F, *(f"'domains[{i}]'" for i in range(1, 13)), "free-mail", "Fix"),
    ),
    Case(
        "secret-in-unknown-key",
        customer(custom_fields={"HUNT_A-KEY": LEAKED_A, "HUNT_O-KEY": LEAKED_O}),
        (F, "'custom_fields'", "unknown key", "scripts/set-edr-keys", "Fix"),
        never=(LEAKED_A, LEAKED_O),
    ),
    Case(
        "go-live-year-9999",
        customer(go_live="9999-12-01"),
        (F, "'go_live'", "months ahead", "Fix"),
        never=("out of range",),
    ),
    Case(
        "go-live-beyond-the-window",
        customer(go_live=TOO_FAR),
        (F, "'go_live'", f"more than {catalog.GO_LIVE_MAX_MONTHS_AHEAD} months ahead", "Fix"),
    ),
    Case(
        "oversized-file",
        write(GOOD, "notes: '" + "x" * (catalog.MAX_CUSTOMER_FILE_BYTES + 1) + "'\n"),
        (F, "larger than", "Fix"),
    ),
]

CASES = [
    Case(
        "malformed-yaml", write(GOOD, "name: [Smith\ntier: Defense\n"), (F, "not valid YAML", "Fix")
    ),
    Case("tab-indented", write(GOOD, "main_poc:\n\tname: Jane\n"), (F, "YAML", "Fix")),
    Case("unknown-key", customer(colour="blue"), (F, "'colour'", "unknown key", "Fix")),
    Case("misspelt-key", customer(teir="Defense"), (F, "'teir'", "Fix")),
    Case(
        "wrong-type-domains", customer(domains={"primary": "smithlaw.com"}), (F, "'domains'", "Fix")
    ),
    Case("wrong-type-main-poc", customer(main_poc="Jane"), (F, "'main_poc'", "Fix")),
    Case("missing-field", customer(account_manager=DROP), (F, "'account_manager'", "Fix")),
    Case("bad-client-id", customer(client_id="CS-42"), (F, "'client_id'", "CS-####", "Fix")),
    Case("unknown-tier", customer(tier="Gold"), (F, "'tier'", "'Gold'", "Fix")),
    Case("unknown-platform", customer(platform="Exchange"), (F, "'platform'", "Fix")),
    Case("invalid-domain", customer(domains=("smith law.com",)), (F, "'domains[0]'", "Fix")),
    Case(
        "duplicate-domain-in-file",
        customer(domains=("smithlaw.com", "SmithLaw.com")),
        (F, "'domains", "Fix"),
    ),
    Case("free-mail-domain", customer(domains=("gmail.com",)), (F, "'domains[0]'", "free-mail")),
    Case("no-domains", customer(domains=[]), (F, "'domains'", "Fix")),
    Case(
        "same-domain-two-files",
        both(customer(), customer("acme.yaml", client_id="CS-0107", name="Acme Dental")),
        ("customers/acme.yaml", "'domains[0]'", "also listed", "Fix"),
    ),
    Case(
        "same-client-id-two-files",
        both(customer(), customer("acme.yaml", name="Acme Dental", domains=("acmedental.com",))),
        ("customers/acme.yaml", "'client_id'", "Fix"),
    ),
    Case("empty-name", customer(name="  "), (F, "'name'", "Fix")),
    Case(
        "poc-email-with-space",
        customer(main_poc={"name": "Jane Smith", "email": "jane smith@smithlaw.com"}),
        (F, "'main_poc.email'", "space", "Fix"),
    ),
    Case("impossible-go-live", customer(go_live="2026-02-30"), (F, "'go_live'", "Fix")),
    Case("go-live-not-a-date", customer(go_live="next week"), (F, "'go_live'", "Fix")),
    Case("deal-id-not-digits", customer(hubspot_deal_id="18-234"), (F, "'hubspot_deal_id'", "Fix")),
    Case(
        "account-manager-not-email",
        customer(account_manager="alex"),
        (F, "'account_manager'", "Fix"),
    ),
    Case("duplicate-yaml-key", write(GOOD, "name: A\nname: B\n"), (F, "name", "Fix")),
    Case("top-level-list", write(GOOD, "- name: A\n"), (F, "not a mapping", "Fix")),
    Case("empty-file", write(GOOD, ""), (F, "empty", "Fix")),
    Case("non-utf8", write(GOOD, "name: Caf\xe9 Law\n".encode("latin-1")), (F, "UTF-8", "Fix")),
    Case(
        "empty-customers-folder", lambda project: None, ("customers/", "no customer files", "Fix")
    ),
    Case(
        "missing-edr-secret",
        both(customer(), SECOND),
        ("customers/acme.yaml", "syncro:edrKeys.CS-0107", "scripts/set-edr-keys CS-0107"),
    ),
    Case(
        "half-edr-secret",
        both(
            customer(),
            SECOND,
            lambda p: p.config("syncro:edrKeys.CS-0107.account", "acct-x", secret=True, path=True),
        ),
        ("customers/acme.yaml", "syncro:edrKeys.CS-0107.org", "scripts/set-edr-keys"),
    ),
    Case(
        "bad-admin-mode",
        both(customer(), config("syncro:adminMode", "automatic")),
        ("Pulumi.local.yaml", "syncro:adminMode", "Fix: pulumi config set syncro:adminMode"),
    ),
    Case(
        "placeholder-base-url",
        both(customer(), config("syncro:baseUrl", "https://YOUR-SUBDOMAIN.syncromsp.com/api/v1")),
        ("Pulumi.local.yaml", "syncro:baseUrl", "Fix"),
    ),
    Case(
        "missing-api-token",
        both(customer(), remove_config("syncro:apiToken")),
        ("Pulumi.local.yaml", "syncro:apiToken", "pulumi config set --secret syncro:apiToken"),
    ),
    Case(
        "rate-above-syncro-limit",
        both(customer(), config("syncro:requestsPerMinute", "500")),
        ("Pulumi.local.yaml", "syncro:requestsPerMinute", "180", "Fix"),
    ),
    Case(
        "tier-policy-unknown-tier",
        both(customer(), lambda p: p.config("syncro:tierPolicies.Gold", "4101", path=True)),
        ("Pulumi.local.yaml", "syncro:tierPolicies.Gold is not a tier", "Fix: pulumi config rm"),
    ),
    Case(
        "tier-sla-not-an-id",
        both(customer(), lambda p: p.config("syncro:tierSlas.Defense", "fast", path=True)),
        ("Pulumi.local.yaml", "syncro:tierSlas.Defense", "not a Syncro SLA id", "Fix"),
    ),
    Case(
        "deliverables-mode-unknown",
        both(customer(), config("syncro:deliverables", "cron")),
        ("Pulumi.local.yaml", "syncro:deliverables", "Fix: pulumi config set syncro:deliverables"),
    ),
    Case(
        "support-mailbox-not-email",
        both(customer(), config("syncro:supportMailbox", "helpdesk")),
        ("Pulumi.local.yaml", "syncro:supportMailbox", "Fix"),
    ),
]


CASES += HOSTILE_CASES


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("bad-input") / "syncro.db"
    with EmulatorServer(db_path=db, token=TOKEN, rate_limit_per_minute=0) as emu:
        yield emu


@pytest.fixture(scope="module")
def starting_stack(emulator, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The stack every case starts from: a valid customer's EDR keys exist in each case;
    the case breaks something else. Copied per case (three CLI runs saved each time)."""
    project = Project(tmp_path_factory.mktemp("bad-input-start") / "project", emulator)
    project.pulumi("config", "set-all", "--path", *edr_secrets("CS-0042"))  # one CLI run
    return project


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25 + len(HOSTILE_CASES)
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_stops_preview_and_up_before_any_api_call(
    case: Case, tmp_path: Path, starting_stack: Project
) -> None:
    project = Project.copy_of(starting_stack, tmp_path / "project")
    case.arrange(project)
    project.clear_requests()
    for command in (("preview",), ("up", "--yes", "--skip-preview")):
        started = time.monotonic()
        done = project.pulumi(*command, check=False)
        took = time.monotonic() - started
        out = done.stdout + done.stderr
        assert done.returncode != 0, f"{command[0]} accepted {case.name}"
        missing = [text for text in case.expect if text not in out]
        assert missing == [], f"{command[0]}: {missing} not in:\n{out}"
        assert "Traceback" not in out, out
        leaked = [text for text in case.never if text in out]
        assert leaked == [], f"{command[0]} printed {leaked}:\n{out}"
        assert took < case.max_seconds, f"{command[0]} took {took:.0f} s"
    assert project.request_count() == 0, "bad input reached Syncro"
    made = [r["type"] for r in project.pulumi.resources("") if r["type"] != "pulumi:pulumi:Stack"]
    assert made == [], "nothing may be half-made"
