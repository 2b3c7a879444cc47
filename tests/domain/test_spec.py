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
