"""The customer file contract: every broken input gets a message with file, field,
value and fix; the sample files load cleanly."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from resources import catalog
from resources.settings import edr_key_problems, parse_edr_keys
from resources.spec import CustomerFileError, CustomerSpec, load_customers
from tests.domain.test_catalog import FREE_MAIL_BEYOND_THE_TWENTY

REPO = Path(__file__).resolve().parents[2]

VALID = """\
name: Smith Law LLP
client_id: CS-0042
tier: Defense
platform: M365
domains: [smithlaw.com, smithlaw.legal]
main_poc: {name: Jane Smith, email: jane@smithlaw.com}
hubspot_deal_id: "18234567"
go_live: 2026-12-01
account_manager: alex@cybersuite.tech
"""


def with_line(key: str, value: str | None) -> str:
    """VALID with the line for `key` replaced (value None: the line removed) or added."""
    lines = [line for line in VALID.splitlines() if not line.startswith(f"{key}:")]
    if value is not None:
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def problems_for(tmp_path: Path, files: dict[str, str | bytes]) -> str:
    folder = write(tmp_path / "customers", files)
    with pytest.raises(CustomerFileError) as caught:
        load_customers(folder)
    return str(caught.value)


# (key to change, new YAML value (None = remove), field in the message, value shown)
FIELD_CASES: list[tuple[str, str | None, str, str]] = [
    ("client_id", "CS-42", "client_id", "'CS-42'"),
    ("client_id", "cs-0042", "client_id", "'cs-0042'"),
    ("client_id", "42", "client_id", "42"),
    ("client_id", None, "client_id", "(missing)"),
    ("tier", "Gold", "tier", "'Gold'"),
    ("tier", "defense", "tier", "'defense'"),
    ("platform", "Office 365", "platform", "'Office 365'"),
    ("domains", "[]", "domains", "an empty list"),
    ("domains", "smithlaw.com", "domains", "'smithlaw.com'"),
    ("domains", "[gmail.com]", "domains[0]", "'gmail.com'"),
    ("domains", "[smithlaw.com, '@smithlaw.legal']", "domains[1]", "'@smithlaw.legal'"),
    ("domains", "['https://smithlaw.com']", "domains[0]", "'https://smithlaw.com'"),
    ("domains", "[smithlaw]", "domains[0]", "'smithlaw'"),
    ("domains", "['smith law.com']", "domains[0]", "'smith law.com'"),
    ("domains", "[-smithlaw.com]", "domains[0]", "'-smithlaw.com'"),
    ("domains", "[jane@smithlaw.com]", "domains[0]", "'jane@smithlaw.com'"),
    ("domains", "[smithlaw.com, SmithLaw.COM]", "domains", "'smithlaw.com'"),
    ("name", "'   '", "name", "'   '"),
    ("name", None, "name", "(missing)"),
    ("name", "", "name", "(empty)"),
    ("name", '"Smith\\nLaw"', "name", "'Smith\\nLaw'"),
    ("main_poc", "Jane Smith", "main_poc", "'Jane Smith'"),
    (
        "main_poc",
        "{name: Jane Smith, email: jane smith@smithlaw.com}",
        "main_poc.email",
        "'jane smith@smithlaw.com'",
    ),
    ("main_poc", "{name: Jane Smith, email: jane}", "main_poc.email", "'jane'"),
    ("main_poc", "{name: Jane Smith}", "main_poc.email", "(missing)"),
    (
        "main_poc",
        "{name: Jane Smith, email: jane@smithlaw.com, phone: 555}",
        "main_poc.phone",
        "unknown key (its value, a number, is not shown)",
    ),
    ("hubspot_deal_id", "18234567", "hubspot_deal_id", "18234567"),
    ("hubspot_deal_id", '"18-234567"', "hubspot_deal_id", "'18-234567'"),
    ("go_live", "2026-02-30", "go_live", "'2026-02-30'"),
    ("go_live", "'2027-02-29'", "go_live", "'2027-02-29'"),
    ("go_live", "2026-13-01", "go_live", "'2026-13-01'"),
    ("go_live", "next week", "go_live", "'next week'"),
    ("go_live", "2026-12-01 09:00:00", "go_live", "'2026-12-01 09:00:00'"),
    ("account_manager", "alex", "account_manager", "'alex'"),
    ("account_manager", "[alex@cybersuite.tech]", "account_manager", "a list of 1 item, not text"),
    ("colour", "red", "colour", "its value, text of 3 characters, is not shown"),
    ("domain", "smithlaw.com", "domain", "text of 12 characters"),
    ("adopt", "'yes'", "adopt", "'yes'"),
    ("notes", "5", "notes", "5"),
    ("sla", "{acknowledgement_hours: 0}", "sla.acknowledgement_hours", "0"),
    ("sla", "{acknowledgement_hours: '4'}", "sla.acknowledgement_hours", "'4'"),
    ("sla", "{ack_hours: 4}", "sla.ack_hours", "unknown key (its value, a number, is not shown)"),
    ("sla", "fast", "sla", "'fast'"),
]


@pytest.mark.parametrize(("key", "value", "field", "shown"), FIELD_CASES)
def test_field_problem_names_file_field_value_and_fix(
    tmp_path: Path, key: str, value: str | None, field: str, shown: str
) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": with_line(key, value)})
    lines = [line for line in message.splitlines() if f"field '{field}'" in line]
    assert lines, message
    line = lines[0]
    assert line.startswith("customers/smith-law.yaml: "), line
    assert shown in line, line
    assert "Fix: " in line, line


def test_the_brief_example_message(tmp_path: Path) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": with_line("client_id", "CS-42")})
    assert (
        "customers/smith-law.yaml: field 'client_id': 'CS-42' is not of the form CS-#### "
        "(four digits). Fix: set client_id to the HubSpot cs_client_id, e.g. CS-0042."
    ) in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("tier", "defense", "did you mean 'Defense'"),
        ("domain", "smithlaw.com", "did you mean 'domains'"),
        ("go_live", "2026-02-30", "February 2026 has 28 days"),
        ("hubspot_deal_id", "18234567", 'quote it: hubspot_deal_id: "18234567"'),
        ("domains", "[gmail.com]", "free-mail"),
        ("colour", "red", "allowed keys here: name, client_id, tier"),
        ("tier", "Gold", "one of Standard, Defense, Sentinel"),
        ("platform", "gsuite", "one of M365, Google Workspace"),
    ],
)
def test_fix_is_specific(tmp_path: Path, key: str, value: str, expected: str) -> None:
    assert expected in problems_for(tmp_path, {"x.yaml": with_line(key, value)})


# (file content, text the message must contain besides the file name and 'Fix:')
FILE_CASES: list[tuple[str, str | bytes, str]] = [
    ("malformed", VALID + "domains: [a.com\n", "line 11"),
    ("bad indentation", VALID + "  tier: Defense\n", "line 10"),
    ("tab indentation", "name: x\n\tclient_id: CS-0042\n", "line 2"),
    ("a list", "- name: Smith Law LLP\n", "holds a list of 1 item, not a mapping"),
    ("a string", "just text\n", "holds text, not a mapping"),
    ("empty", "", "the file is empty"),
    ("only comments", "# to do\n", "the file is empty"),
    ("not utf-8", "name: Café\n".encode("latin-1") + VALID[14:].encode(), "not UTF-8"),
    ("duplicate key", VALID + "tier: Sentinel\n", "key 'tier' appears twice (first on line 3)"),
    ("two documents", VALID + "---\n" + VALID, "not valid YAML"),
]


@pytest.mark.parametrize(
    ("case", "content", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_file_problem(tmp_path: Path, case: str, content: str | bytes, expected: str) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": content})
    (line,) = [line for line in message.splitlines() if line.startswith("customers/")]
    assert line.startswith("customers/smith-law.yaml: "), line
    assert expected in line, line
    assert "Fix: " in line, line


def test_every_problem_in_every_file_in_one_error(tmp_path: Path) -> None:
    message = problems_for(
        tmp_path,
        {
            "a.yaml": with_line("tier", "Gold").replace("CS-0042", "CS-1"),
            "b.yml": "",
            "c.yaml": "name: [\n",
        },
    )
    lines = message.splitlines()
    assert lines[0].startswith("4 problems")
    assert [line.split(":")[0] for line in lines[1:]] == [
        "customers/a.yaml",
        "customers/a.yaml",
        "customers/b.yml",
        "customers/c.yaml",
    ]


def other(client_id: str, domain: str, name: str, email: str) -> str:
    return (
        VALID.replace("CS-0042", client_id)
        .replace("[smithlaw.com, smithlaw.legal]", f"[{domain}]")
        .replace("Smith Law LLP", name)
        .replace("jane@smithlaw.com", email)
    )


@pytest.mark.parametrize(
    ("second", "field", "shown"),
    [
        (other("CS-0042", "acme.com", "Acme", "a@acme.com"), "client_id", "'CS-0042'"),
        (
            other("CS-0107", "smithlaw.legal", "Acme", "a@acme.com"),
            "domains[0]",
            "'smithlaw.legal'",
        ),
        (other("CS-0107", "acme.com", "smith law llp", "a@acme.com"), "name", "'smith law llp'"),
        (
            other("CS-0107", "acme.com", "Acme", "Jane@SmithLaw.com"),
            "main_poc.email",
            "'jane@smithlaw.com'",
        ),
    ],
)
def test_two_files_claiming_the_same_thing_name_both(
    tmp_path: Path, second: str, field: str, shown: str
) -> None:
    message = problems_for(tmp_path, {"a-smith.yaml": VALID, "b-other.yaml": second})
    (line,) = message.splitlines()[1:]
    assert line.startswith(f"customers/b-other.yaml: field '{field}': {shown}"), line
    assert "customers/a-smith.yaml" in line
    assert "Fix: " in line


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CustomerFileError, match="does not exist. Fix: "):
        load_customers(tmp_path / "customers")


def test_empty_folder(tmp_path: Path) -> None:
    folder = write(tmp_path / "customers", {"README.md": "# docs\n", ".draft.yaml": "x: ["})
    with pytest.raises(CustomerFileError, match=r"customers/: no customer files .*Fix: "):
        load_customers(folder)


def test_reads_yaml_and_yml_sorted_and_ignores_other_files(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "customers",
        {
            "z-smith.yaml": VALID,
            "a-acme.yml": other("CS-0107", "acme.com", "Acme", "a@acme.com"),
            "README.md": "not a customer",
            ".backup.yaml": "broken: [",
        },
    )
    specs = load_customers(folder)
    assert [s.client_id for s in specs] == ["CS-0107", "CS-0042"]
    assert specs[1].source == folder / "z-smith.yaml"


def test_normalisation_and_defaults(tmp_path: Path) -> None:
    text = with_line("domains", "[SmithLaw.com, smithlaw.LEGAL]").replace(
        "Smith Law LLP", "'  Smith Law LLP  '"
    )
    (spec,) = load_customers(write(tmp_path / "customers", {"s.yaml": text}))
    assert spec.domains == ["smithlaw.com", "smithlaw.legal"]
    assert spec.primary_domain == "smithlaw.com"
    assert spec.name == "Smith Law LLP"
    assert spec.go_live == date(2026, 12, 1)
    assert spec.adopt is False
    assert spec.notes is None
    assert spec.effective_sla() == catalog.tier("Defense").sla


def test_quoted_go_live_and_python_date_are_the_same(tmp_path: Path) -> None:
    (spec,) = load_customers(
        write(tmp_path / "customers", {"s.yaml": with_line("go_live", "'2026-12-01'")})
    )
    direct = CustomerSpec.model_validate({**yaml.safe_load(VALID), "go_live": date(2026, 12, 1)})
    assert spec.go_live == direct.go_live == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("sla", "expected"),
    [
        ("{acknowledgement_hours: 4}", catalog.SlaTerms(1, 4, 48, 72)),
        ("{notification_hours: null}", catalog.SlaTerms(None, 24, 48, 72)),
        ("{resolution_complex_hours: 96}", catalog.SlaTerms(1, 24, 48, 96)),
        ("{}", catalog.SlaTerms(1, 24, 48, 72)),
    ],
)
def test_partial_sla_overrides_fall_back_to_the_tier(
    tmp_path: Path, sla: str, expected: catalog.SlaTerms
) -> None:
    (spec,) = load_customers(write(tmp_path / "customers", {"s.yaml": with_line("sla", sla)}))
    assert spec.effective_sla() == expected


def test_samples_load_cleanly() -> None:
    specs = load_customers(REPO / "customers")
    assert {s.client_id: s.tier for s in specs} == {
        "CS-0042": "Defense",
        "CS-0107": "Standard",
        "CS-0213": "Sentinel",
    }
    smith = next(s for s in specs if s.client_id == "CS-0042")
    assert smith.domains == ["smithlaw.com", "smithlaw.legal"]
    acme = next(s for s in specs if s.client_id == "CS-0107")
    assert (acme.platform, acme.domains) == ("Google Workspace", ["acmedental.com"])


def test_sample_paths_are_shown_relative_to_the_project(tmp_path: Path) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": ""})
    assert "customers/smith-law.yaml:" in message
    assert str(tmp_path) not in message


# --- EDR keys -----------------------------------------------------------------------------

SECRET = "acct-s3cret-value"


def validate_edr_keys(specs: list[CustomerSpec], config: Any, stack: str) -> None:
    """What StackSettings.require_edr_keys does with the stored syncro:edrKeys."""
    keys, gaps = parse_edr_keys(config)
    problems = edr_key_problems(specs, keys, gaps, stack)
    if problems:
        raise CustomerFileError(problems)


def smith(tmp_path: Path) -> list[CustomerSpec]:
    return load_customers(write(tmp_path / "customers", {"smith-law.yaml": VALID}))


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, "syncro:edrKeys.CS-0042 is not set"),
        ({}, "syncro:edrKeys.CS-0042 is not set"),
        ({"CS-0042": SECRET}, "is not an object"),
        ({"CS-0042": {"account": SECRET}}, "syncro:edrKeys.CS-0042.org missing"),
        ({"CS-0042": {"account": SECRET, "org": "  "}}, "syncro:edrKeys.CS-0042.org missing"),
        ({"CS-0042": {"account": "", "org": SECRET}}, "syncro:edrKeys.CS-0042.account missing"),
    ],
)
def test_missing_edr_keys_name_the_command_never_the_key(
    tmp_path: Path, config: dict[str, Any] | None, expected: str
) -> None:
    with pytest.raises(CustomerFileError) as caught:
        validate_edr_keys(smith(tmp_path), config, "prod")
    message = str(caught.value)
    assert "customers/smith-law.yaml" in message
    assert expected in message
    assert "Fix: run scripts/set-edr-keys CS-0042 <HUNT_A-KEY> <HUNT_O-KEY> prod" in message
    assert SECRET not in message


def test_complete_edr_keys_pass(tmp_path: Path) -> None:
    config = {"CS-0042": {"account": SECRET, "org": SECRET}, "CS-9999": {}}
    validate_edr_keys(smith(tmp_path), config, "local")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("hunt_a_key", "'plain'"),
        ("edr", "{account: plain}"),
        ("comment", "'Zx81Qw9LmP0aB7cD2eF4'"),
    ],
)
def test_unknown_key_that_may_hold_a_secret_is_not_echoed(
    tmp_path: Path, key: str, value: str
) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": with_line(key, value)})
    line = next(line for line in message.splitlines() if f"field '{key}'" in line)
    assert "is not shown" in line, line
    assert "plain" not in line and "Zx81Qw9LmP0aB7cD2eF4" not in line, line
    assert "scripts/set-edr-keys" in line, line


# --- hostile and hurried input (issue 14 items 4, 5, 8-11) ----------------------------------

DOCKER_SECRET = "ZG9ja2VyOnMzY3JldC1wYXNzd29yZA=="


def lines_for(message: str, field: str) -> list[str]:
    return [line for line in message.splitlines() if f"field '{field}'" in line]


def test_secret_bearing_unknown_key_is_described_not_echoed(tmp_path: Path) -> None:
    text = with_line("custom_fields", "{HUNT_A-KEY: acct-9f8e7d, HUNT_O-KEY: org-1a2b3c}")
    message = problems_for(tmp_path, {"smith-law.yaml": text})
    (line,) = lines_for(message, "custom_fields")
    assert "a mapping of 2 keys" in line, line
    assert "acct-9f8e7d" not in message and "org-1a2b3c" not in message, message
    assert "scripts/set-edr-keys" in line, line


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        ("tier", "'Zx81Qw9LmP0aB7cD2eF4'", "Zx81Qw9LmP0aB7cD2eF4"),  # a key pasted in a field
        ("domains", "{primary: acct-77aa}", "acct-77aa"),  # a mapping where a list belongs
        ("main_poc", "[jane, hunter2-pass]", "hunter2-pass"),  # a list where a mapping belongs
    ],
)
def test_values_that_may_be_secret_are_described_by_type_and_size(
    tmp_path: Path, key: str, value: str, secret: str
) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": with_line(key, value)})
    assert lines_for(message, key), message
    assert secret not in message, message


def test_a_link_out_of_customers_is_refused_unread(tmp_path: Path) -> None:
    outside = tmp_path / "home" / ".docker" / "config.json"
    outside.parent.mkdir(parents=True)
    outside.write_text(f'{{"auths": {{"registry": {{"auth": "{DOCKER_SECRET}"}}}}}}')
    folder = write(tmp_path / "customers", {"smith-law.yaml": VALID})
    (folder / "docker.yaml").symlink_to(outside)
    with pytest.raises(CustomerFileError) as caught:
        load_customers(folder)
    message = str(caught.value)
    (line,) = message.splitlines()[1:]
    assert line.startswith("customers/docker.yaml: is a symbolic link"), line
    assert "Fix: " in line
    assert DOCKER_SECRET not in message and "auths" not in message, message
    assert str(outside) not in message


def test_a_link_within_customers_is_refused_too(tmp_path: Path) -> None:
    folder = write(tmp_path / "customers", {"smith-law.yaml": VALID})
    (folder / "copy.yaml").symlink_to(folder / "smith-law.yaml")
    with pytest.raises(CustomerFileError, match=r"customers/copy.yaml: is a symbolic link"):
        load_customers(folder)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    folder = write(tmp_path / "customers", {"smith-law.yaml": VALID})
    os.mkfifo(folder / "pipe.yaml")
    with pytest.raises(CustomerFileError, match=r"customers/pipe.yaml: is not a regular file"):
        load_customers(folder)


ALIAS_BOMB = (
    "name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"n{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
    + "client_id: *i\n"
)


@pytest.mark.parametrize(
    "content",
    [
        VALID.replace("name: Smith Law LLP", "name: &n Smith Law LLP"),
        VALID + "notes: *nowhere\n",
        ALIAS_BOMB,
    ],
    ids=["anchor", "alias", "alias-bomb"],
)
def test_anchors_and_aliases_are_refused_fast(tmp_path: Path, content: str) -> None:
    import time

    assert len(ALIAS_BOMB) < 800
    started = time.monotonic()
    message = problems_for(tmp_path, {"smith-law.yaml": content})
    assert time.monotonic() - started < 2
    (line,) = message.splitlines()[1:]
    assert "anchors and aliases" in line and "Fix: " in line, line
    assert len(message) < 1000


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (VALID + "notes: '" + "x" * (70 * 1024) + "'\n", "larger than 64 KiB"),
        ("name: " + "[" * 500 + "]" * 500 + "\n", "nested more than"),
    ],
    ids=["big-file", "deep-nesting"],
)
def test_file_sizes_are_bounded(tmp_path: Path, content: str, expected: str) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": content})
    (line,) = message.splitlines()[1:]
    assert expected in line and "Fix: " in line, line
    assert len(message) < 1000


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("name", "'" + "S" * 121 + "'", "longer than 120 characters"),
        ("notes", "'" + "n" * 4001 + "'", "longer than 4000 characters"),
        ("hubspot_deal_id", '"' + "1" * 21 + '"', "1 to 20 digits"),
        (
            "domains",
            "[" + ", ".join(f"d{i}.smithlaw.com" for i in range(51)) + "]",
            "at most 50",
        ),
    ],
)
def test_every_size_is_bounded(tmp_path: Path, key: str, value: str, expected: str) -> None:
    message = problems_for(tmp_path, {"smith-law.yaml": with_line(key, value)})
    (line,) = lines_for(message, key)
    assert expected in line and "Fix: " in line, line
    assert len(line) < 600, line


def test_problems_per_file_are_capped(tmp_path: Path) -> None:
    text = VALID + "".join(f"extra{i}: {i}\n" for i in range(500))
    message = problems_for(tmp_path, {"smith-law.yaml": text})
    assert len(message.splitlines()) == 1 + 20 + 1
    assert "480 more problems not listed" in message


@pytest.mark.parametrize(
    "client_id",
    [
        "CS-\uff10\uff1042",  # CS-００42, full-width digits
        "CS-\u0660\u0660\u0664\u0662",  # CS-٠٠٤٢, Arabic-Indic digits
        "CS-0042\n",  # `$` takes a trailing newline
    ],
    ids=["full-width", "arabic-indic", "trailing-newline"],
)
def test_lookalike_client_ids_are_refused(tmp_path: Path, client_id: str) -> None:
    text = with_line("client_id", json_string(client_id))
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "client_id")
    assert "not of the form CS-####" in line and "Fix: " in line, line


def json_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON is YAML), escapes and all."""
    import json

    return json.dumps(text)


@pytest.mark.parametrize(
    "name",
    ["Smith\u2028Law", "Smith Law\u2028", "Smith\u0085Law", "Smith\x7fLaw", "Smith\u202eLaw"],
    ids=["U+2028", "U+2028-at-end", "U+0085", "DEL", "bidi-override"],
)
@pytest.mark.parametrize("field", ["name", "main_poc.name"])
def test_names_with_line_separators_or_hidden_characters_fail(
    tmp_path: Path, name: str, field: str
) -> None:
    if field == "name":
        text = with_line("name", json_string(name))
    else:
        poc = "{name: " + json_string(name) + ", email: jane@smithlaw.com}"
        text = with_line("main_poc", poc)
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), field)
    assert "line break, control or invisible character (U+" in line, line
    assert "Fix: " in line


@pytest.mark.parametrize("domain", FREE_MAIL_BEYOND_THE_TWENTY)
def test_free_mail_beyond_the_twenty_is_refused(tmp_path: Path, domain: str) -> None:
    text = with_line("domains", f"[smithlaw.com, {domain}]")
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "domains[1]")
    assert "free-mail" in line and "Fix: " in line, line


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("jane@smithlaw.local", "special-use"),
        ("jane@smithlaw.test", "special-use"),
        ("jané@smithlaw.com", "Internationalized characters"),
        ('"jane"@smithlaw.com', "Quoting"),
    ],
)
def test_email_syntax_is_email_validators(tmp_path: Path, email: str, expected: str) -> None:
    text = with_line("account_manager", json_string(email))
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "account_manager")
    assert expected in line and "Fix: " in line, line


def load_one(tmp_path: Path, text: str) -> CustomerSpec:
    (spec,) = load_customers(write(tmp_path / "customers", {"smith-law.yaml": text}))
    return spec


def test_identities_are_normalised_the_way_syncro_compares_them(tmp_path: Path) -> None:
    text = (
        with_line("account_manager", "Sam@CyberSuite.tech")
        .replace("jane@smithlaw.com", "Jane.Smith@SmithLaw.COM")
        .replace("[smithlaw.com, smithlaw.legal]", "[SmithLaw.com, Müller-Recht.de]")
    )
    spec = load_one(tmp_path, text)
    assert spec.account_manager == "sam@cybersuite.tech"
    assert spec.main_poc.email == "jane.smith@smithlaw.com"
    assert spec.domains == ["smithlaw.com", "xn--mller-recht-thb.de"]


def test_a_unicode_domain_and_its_ascii_form_are_one_domain(tmp_path: Path) -> None:
    text = with_line("domains", "[müller.de, xn--mller-kva.de]")
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "domains")
    assert "listed twice" in line, line


def months_ahead(months: int) -> str:
    from resources.spec import today

    return catalog.add_months(today(), months).isoformat()


@pytest.mark.parametrize(
    "go_live",
    ["9999-12-01", "2126-12-01", "far-ahead", "\uff12\uff10\uff12\uff16-12-01", "0000-01-01"],
)
def test_go_live_beyond_the_window_or_out_of_range_is_refused(tmp_path: Path, go_live: str) -> None:
    if go_live == "far-ahead":
        go_live = months_ahead(catalog.GO_LIVE_MAX_MONTHS_AHEAD + 1)
    text = with_line("go_live", json_string(go_live))
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "go_live")
    assert "Fix: " in line, line


def test_go_live_window_message(tmp_path: Path) -> None:
    text = with_line("go_live", "9999-12-01")
    (line,) = lines_for(problems_for(tmp_path, {"smith-law.yaml": text}), "go_live")
    assert f"more than {catalog.GO_LIVE_MAX_MONTHS_AHEAD} months ahead" in line, line
    assert "check the year" in line, line


def test_go_live_within_the_window_or_years_back_is_legal(tmp_path: Path) -> None:
    ahead = months_ahead(catalog.GO_LIVE_MAX_MONTHS_AHEAD)
    assert load_one(tmp_path, with_line("go_live", ahead)).go_live.isoformat() == ahead
    assert load_one(tmp_path / "b", with_line("go_live", "2016-12-15")).go_live == date(
        2016, 12, 15
    )


def test_a_python_date_beyond_the_window_is_refused_too() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="months ahead"):
        CustomerSpec.model_validate({**yaml.safe_load(VALID), "go_live": date(9999, 12, 1)})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Smith\u2028Law", "U+2028"),
        ("Smith\u2029Law", "U+2029"),
        ("Smith\u0085Law", "U+0085"),
        ("Smith\x7fLaw", "U+007F"),
        ("Smith\u200bLaw", "U+200B"),
    ],
)
def test_raw_hidden_characters_in_the_file_name_their_line(
    tmp_path: Path, raw: str, code: str
) -> None:
    """Typed into the file itself rather than escaped: YAML would read U+2028 as a line
    break, so the character is named with its line and column before parsing."""
    message = problems_for(tmp_path, {"smith-law.yaml": VALID.replace("Smith Law LLP", raw)})
    (line,) = message.splitlines()[1:]
    assert line.startswith(f"customers/smith-law.yaml: line 1, column 12: character {code}"), line
    assert "Fix: " in line


def test_the_readme_states_the_catalog_limits() -> None:
    readme = (REPO / "customers" / "README.md").read_text(encoding="utf-8")
    assert f"**{catalog.GO_LIVE_MAX_MONTHS_AHEAD} months**" in readme
    assert f"at most {catalog.MAX_NAME_LENGTH} characters" in readme
    assert f"at most {catalog.MAX_NOTES_LENGTH} characters" in readme
    assert f"1 to {catalog.MAX_DOMAINS} domain names" in readme
    assert f"1 to {catalog.MAX_DEAL_ID_DIGITS} digits" in readme
    assert f"At most {catalog.MAX_CUSTOMER_FILE_BYTES // 1024} KiB per file" in readme
    assert catalog.GO_LIVE_EARLIEST.isoformat() in readme
