"""The customer file contract: `customers/*.yaml` -> validated `CustomerSpec` objects.

Every problem in every file is collected and reported at once, before the program
registers a single resource: an engineer fixing a pull request should see the whole
list in one preview, and a half-valid folder must never half-onboard. Each message
names the file, the field, the offending value and a fix, because the reader is
whoever opened the pull request, not whoever wrote this module.

Choices the format leaves open (documented for users in customers/README.md):

- Domains are case-insensitive on the wire, so they are lower-cased rather than
  rejected; `SmithLaw.com` and `smithlaw.com` in one file are then duplicates.
- `hubspot_deal_id` must be quoted text. YAML turns an unquoted `0123` into 83 and
  `1_000` into 1000, so a number cannot be trusted to be the ID that was typed.
- `go_live` is read as text (YAML's own date parsing is switched off) so that an
  impossible date such as `2026-02-30` is reported here, with a fix, instead of
  crashing the YAML parser; `date` objects are accepted from Python callers.
- Files whose names start with a dot (editor backups) are ignored.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from resources import catalog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README_HINT = "customers/README.md"


class CustomerFileError(ValueError):
    """Every problem found in the customer files (and their stack secrets), one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        header = f"{count} {noun} in the customer files; nothing was sent to Syncro:"
        super().__init__("\n".join([header, *self.problems]))


# --- small helpers ----------------------------------------------------------------------


def _fail(message: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its own fix, picked up by the formatter."""
    return PydanticCustomError("customer_file", "{message}", {"message": message, "fix": fix})


def _show(value: Any) -> str:
    """The offending value as the reader typed it (short: messages must stay readable)."""
    if value is None:
        return "(empty)"
    if isinstance(value, date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: Any) -> str:
    """How YAML understood a value, in the words of someone who wrote the YAML."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, date):
        return "a date"
    return f"a {type(value).__name__}"


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def hostname_problem(name: str) -> str | None:
    """Why `name` (already lower-case) is not a registrable host name, or None if it is."""
    if not name:
        return "is empty"
    if any(ch.isspace() for ch in name):
        return "contains a space"
    if "://" in name or "/" in name:
        return "is a URL, not a domain"
    if name.startswith("@"):
        return "starts with '@'"
    if "@" in name:
        return "is an email address, not a domain"
    if name.endswith("."):
        return "ends with a dot"
    if len(name) > 253:
        return "is longer than 253 characters"
    labels = name.split(".")
    if len(labels) < 2:
        return "has no dot, so it is not a full domain name"
    for label in labels:
        if not _LABEL.match(label):
            return (
                f"has an invalid part {label!r} (letters, digits and inner hyphens only, "
                "1 to 63 characters)"
            )
    if not _TLD.match(labels[-1]):
        return f"ends in {labels[-1]!r}, which is not a top-level domain"
    return None


def email_problem(address: str) -> str | None:
    """Why `address` is not a usable email address, or None (no DNS: this runs offline)."""
    if any(ch.isspace() for ch in address):
        return "contains a space"
    local, at, host = address.rpartition("@")
    if not at or not local:
        return "is not an email address (no name@domain)"
    if not _LOCAL_PART.match(local):
        return f"has an invalid part before '@' ({local!r})"
    problem = hostname_problem(host.lower())
    if problem:
        return f"has a domain that {problem}"
    return None


def _suggest(value: str, choices: Iterable[str]) -> str:
    by_lower = {c.lower(): c for c in choices}
    if value.lower() in by_lower:
        return f" (did you mean {by_lower[value.lower()]!r}? the case matters)"
    close = difflib.get_close_matches(value, list(by_lower.values()), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- field validators -------------------------------------------------------------------


def _check_text(value: str, field: str, example: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise _fail(f"{_show(value)} is blank", f"set {field} to a value, e.g. {example}")
    if any(ord(ch) < 32 for ch in stripped):
        raise _fail(
            f"{_show(value)} contains a line break or control character",
            f"write {field} on one line, e.g. {example}",
        )
    return stripped


def _name(value: str) -> str:
    return _check_text(value, "name", "name: Smith Law LLP")


def _poc_name(value: str) -> str:
    return _check_text(value, "main_poc.name", "name: Jane Smith")


def _client_id(value: str) -> str:
    if not re.match(catalog.CLIENT_ID_PATTERN, value):
        raise _fail(
            f"{_show(value)} is not of the form CS-#### (four digits)",
            "set client_id to the HubSpot cs_client_id, e.g. CS-0042",
        )
    return value


def _tier(value: str) -> str:
    if value not in catalog.TIERS:
        raise _fail(
            f"{_show(value)} is not a tier{_suggest(value, catalog.TIERS)}",
            f"set tier to one of {', '.join(catalog.TIERS)}",
        )
    return value


def _platform(value: str) -> str:
    if value not in catalog.PLATFORMS:
        raise _fail(
            f"{_show(value)} is not a platform{_suggest(value, catalog.PLATFORMS)}",
            f"set platform to one of {', '.join(catalog.PLATFORMS)}",
        )
    return value


def _domain(value: str) -> str:
    domain = value.strip().lower()
    problem = hostname_problem(domain)
    if problem:
        example = domain.lstrip("@").rpartition("@")[2].rstrip(".") or "smithlaw.com"
        raise _fail(
            f"{_show(value)} {problem}",
            f"write the bare domain the customer sends mail from, e.g. {example!r}"
            if hostname_problem(example) is None
            else "write the bare domain the customer sends mail from, e.g. smithlaw.com",
        )
    if domain in catalog.FREE_MAIL_DOMAINS:
        raise _fail(
            f"{_show(value)} is a free-mail domain: a rule on it would route strangers' mail "
            "to this customer (Syncro refuses such rules)",
            "list only domains the customer owns; a POC on free mail goes in main_poc.email",
        )
    return domain


def _email_checker(field: str, example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        address = value.strip()
        problem = email_problem(address)
        if problem:
            raise _fail(f"{_show(value)} {problem}", f"set {field} to an email, e.g. {example}")
        return address

    return check


def _deal_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _fail(
            f"{_show(value)} is a YAML number, which can silently change digits (0123 reads as 83)",
            f'quote it: hubspot_deal_id: "{value}"',
        )
    if isinstance(value, str) and not re.fullmatch(r"[0-9]+", value):
        raise _fail(
            f"{_show(value)} is not a HubSpot deal ID (digits only)",
            'copy the deal ID from the deal URL in HubSpot, quoted, e.g. "18234567"',
        )
    return value


def _go_live(value: Any) -> Any:
    """Dates arrive as text (see the module docstring), or as `date` from Python callers."""
    fix = "set go_live to the go-live date as YYYY-MM-DD, e.g. go_live: 2026-12-01"
    if isinstance(value, datetime):
        raise _fail(f"{_show(value)} has a time of day", fix)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _fail(f"{_show(value)} is {_kind(value)}, not a date", fix)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if not match:
        raise _fail(f"{_show(value)} is not a date of the form YYYY-MM-DD", fix)
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise _fail(f"{_show(value)} is not a real date (there is no month {month})", fix)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _fail(
            f"{_show(value)} is not a real date ({calendar.month_name[month]} {year} has "
            f"{last} days)",
            fix,
        )
    return date(year, month, day)


ClientId = Annotated[StrictStr, AfterValidator(_client_id)]
Domain = Annotated[StrictStr, AfterValidator(_domain)]
PocEmail = Annotated[
    StrictStr, AfterValidator(_email_checker("main_poc.email", "jane@smithlaw.com"))
]
ManagerEmail = Annotated[
    StrictStr, AfterValidator(_email_checker("account_manager", "alex@cybersuite.tech"))
]
Hours = Annotated[StrictInt, Field(gt=0)]


# --- the models -------------------------------------------------------------------------


class MainPoc(BaseModel):
    """The customer's main point of contact: Syncro's customer name and unique email."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[StrictStr, AfterValidator(_poc_name)]
    email: PocEmail

    def text(self) -> str:
        return f"{self.name} <{self.email}>"


class SlaOverride(BaseModel):
    """Terms that differ from the tier's; whether they weaken it is the policy pack's call.

    `notification_hours: null` written explicitly means "no notification promise",
    which is different from leaving the key out (keep the tier's).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    notification_hours: Hours | None = None
    acknowledgement_hours: Hours | None = None
    resolution_basic_hours: Hours | None = None
    resolution_complex_hours: Hours | None = None

    def overrides(self) -> dict[str, int | None]:
        terms = self.model_dump(exclude_unset=True)
        # Only notification may be switched off; a null elsewhere means "keep the tier's".
        return {k: v for k, v in terms.items() if v is not None or k == "notification_hours"}


class CustomerSpec(BaseModel):
    """One customer file, validated. `source` is the file it came from (for messages)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[StrictStr, AfterValidator(_name)]
    client_id: ClientId
    tier: Annotated[StrictStr, AfterValidator(_tier)]
    platform: Annotated[StrictStr, AfterValidator(_platform)]
    domains: Annotated[list[Domain], Field(min_length=1)]
    main_poc: MainPoc
    hubspot_deal_id: Annotated[StrictStr, BeforeValidator(_deal_id)]
    go_live: Annotated[date, BeforeValidator(_go_live)]
    account_manager: ManagerEmail
    sla: SlaOverride | None = None
    notes: StrictStr | None = None
    adopt: StrictBool = False

    _source: Path = PrivateAttr(default=Path("<unsaved>"))

    @field_validator("domains")
    @classmethod
    def _no_repeats(cls, domains: list[str]) -> list[str]:
        seen: dict[str, int] = {}
        for index, domain in enumerate(domains):
            if domain in seen:
                raise _fail(
                    f"{_show(domain)} is listed twice (domains[{seen[domain]}] and "
                    f"domains[{index}])",
                    "list each domain once",
                )
            seen[domain] = index
        return domains

    @property
    def source(self) -> Path:
        return self._source

    @property
    def primary_domain(self) -> str:
        return self.domains[0]

    def effective_sla(self) -> catalog.SlaTerms:
        """The tier's terms with this customer's overrides laid over them."""
        base = catalog.tier(self.tier).sla
        return base.merged(self.sla.overrides()) if self.sla else base

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: Path) -> CustomerSpec:
        spec = cls.model_validate(data)
        spec._source = source
        return spec


ALLOWED_KEYS: tuple[str, ...] = tuple(CustomerSpec.model_fields)
SLA_KEYS: tuple[str, ...] = tuple(SlaOverride.model_fields)

# The generic fix for a field, used when pydantic itself rejects a value (wrong type,
# missing, ...). Validators above carry their own, more specific, fixes.
FIXES: dict[str, str] = {
    "name": "set name to the customer's exact billing/legal name, e.g. name: Smith Law LLP",
    "client_id": "set client_id to the HubSpot cs_client_id, e.g. CS-0042",
    "tier": f"set tier to one of {', '.join(catalog.TIERS)}",
    "platform": f"set platform to one of {', '.join(catalog.PLATFORMS)}",
    "domains": (
        "list every sending domain, primary first, e.g. domains: [smithlaw.com, smithlaw.legal]"
    ),
    "main_poc": (
        "give main_poc as a mapping, e.g. main_poc: {name: Jane Smith, email: jane@smithlaw.com}"
    ),
    "main_poc.name": "set main_poc.name to the contact's full name, e.g. name: Jane Smith",
    "main_poc.email": "set main_poc.email to the contact's email, e.g. jane@smithlaw.com",
    "hubspot_deal_id": 'set hubspot_deal_id to the HubSpot deal ID in quotes, e.g. "18234567"',
    "go_live": "set go_live to the go-live date as YYYY-MM-DD, e.g. go_live: 2026-12-01",
    "account_manager": (
        "set account_manager to the Syncro user's email, e.g. alex@cybersuite.tech"
    ),
    "sla": (
        "give sla as a mapping of only the terms that differ from the tier, e.g. "
        f"sla: {{acknowledgement_hours: 4}}; allowed terms: {', '.join(SLA_KEYS)}"
    ),
    "sla.*": (
        "give a whole number of hours greater than 0, e.g. 4 (notification_hours: null "
        "means no notification promise)"
    ),
    "notes": 'write notes as text, e.g. notes: "Closed on Fridays", or remove the line',
    "adopt": (
        "set adopt to true or false (true only to take over an organization that already "
        "exists in Syncro)"
    ),
}


def _field_name(loc: tuple[int | str, ...]) -> str:
    """('domains', 1) -> 'domains[1]'; ('main_poc', 'email') -> 'main_poc.email'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _fix_for(loc: tuple[int | str, ...]) -> str:
    keys = [str(p) for p in loc if not isinstance(p, int)]
    dotted = ".".join(keys)
    if dotted in FIXES:
        return FIXES[dotted]
    if keys and f"{keys[0]}.*" in FIXES:
        return FIXES[f"{keys[0]}.*"]
    return FIXES.get(keys[0] if keys else "", f"see {README_HINT}")


_SECRET_KEY = re.compile(r"key|secret|token|passw|hunt|edr|api|credential", re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[^\s]{16,}$")


def _looks_secret(key: str, value: Any) -> bool:
    """An unknown key is echoed back only when neither its name nor its value looks like a
    credential: error output ends up in CI logs, a pasted EDR key must not."""
    return bool(_SECRET_KEY.search(key)) or (
        isinstance(value, str) and bool(_TOKEN_LIKE.match(value.strip()))
    )


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    """(problem including the value, fix) for one pydantic error."""
    loc = tuple(error["loc"])
    value = error.get("input")
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "customer_file":
        return ctx["message"], ctx["fix"]
    if kind == "missing":
        return "(missing) the field is required", f"add it: {_fix_for(loc)}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = SLA_KEYS if len(loc) > 1 and loc[0] == "sla" else ALLOWED_KEYS
        if len(loc) > 1 and loc[0] == "main_poc":
            allowed = tuple(MainPoc.model_fields)
        hint = _suggest(key, allowed)
        fix = f"remove it or correct the spelling; allowed keys here: {', '.join(allowed)}"
        if _looks_secret(key, value):
            return (
                f"unknown key (value not shown: it may be a secret){hint}",
                f"{fix}. EDR keys and other secrets never go in a customer file: remove the "
                "line and run scripts/set-edr-keys CS-#### <HUNT_A-KEY> <HUNT_O-KEY> <stack>",
            )
        return f"unknown key (value {_show(value)}){hint}", fix
    if kind in ("string_type", "string_sub_type"):
        if value is None:
            return "(empty): no value is given", _fix_for(loc)
        return f"{_show(value)} is {_kind(value)}, not text", _fix_for(loc)
    if kind == "list_type":
        return f"{_show(value)} is {_kind(value)}, not a list", _fix_for(loc)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{_show(value)} is {_kind(value)}, not a mapping", _fix_for(loc)
    if kind == "too_short":
        return f"{_show(value)} is an empty list", _fix_for(loc)
    if kind == "bool_type":
        return f"{_show(value)} is {_kind(value)}, not true or false", _fix_for(loc)
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"{_show(value)} is {_kind(value)}, not a whole number", _fix_for(loc)
    if kind == "greater_than":
        return f"{_show(value)} is not greater than 0", _fix_for(loc)
    return f"{_show(value)} is not valid ({error['msg']})", _fix_for(loc)


def format_validation_error(display: str, exc: ValidationError) -> list[str]:
    """One message line per pydantic error: file, field, value, fix."""
    lines = []
    for error in exc.errors(include_url=False):
        problem, fix = _describe(error)
        field = _field_name(tuple(error["loc"])) or "(file)"
        lines.append(f"{display}: field '{field}': {problem}. Fix: {fix}.")
    return lines


# --- reading files ----------------------------------------------------------------------


class _DuplicateKey(yaml.constructor.ConstructorError):
    pass


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and refuses a key written twice.

    PyYAML would otherwise crash on `2026-02-30` with a bare ValueError, and would
    silently keep the last of two `tier:` lines: both deserve a message with a fix.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base constructor reports it
            if first is not None:
                raise _DuplicateKey(
                    None,
                    None,
                    f"key {key!r} appears twice (first on line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _display(path: Path, directory: Path) -> str:
    """The path as the reader knows it: relative to the project root when possible."""
    absolute = path.absolute()
    for base in (PROJECT_ROOT, directory.absolute().parent):
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def _parse(path: Path, display: str) -> tuple[Any, list[str]]:
    """The YAML document in `path`, or the problems that stop it being read."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            f"{display}: line {line}: byte {raw[exc.start]:#04x} is not UTF-8 text. "
            "Fix: save the file as UTF-8 (most editors: 'Save with encoding')."
        ]
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _DuplicateKey):
            fix = "keep one of the two lines"
        else:
            fix = (
                "correct the YAML there (indent with spaces, quote values that contain "
                "': ' or ' #')"
            )
        return None, [f"{display}: {where}not valid YAML: {problem}. Fix: {fix}."]
    if data is None:
        return None, [
            f"{display}: the file is empty. Fix: fill it in (every field is described in "
            f"{README_HINT}) or delete it."
        ]
    if not isinstance(data, dict):
        return None, [
            f"{display}: the file holds {_kind(data)}, not a mapping of fields. Fix: write "
            f"one 'key: value' per line ({', '.join(ALLOWED_KEYS)}); see {README_HINT}."
        ]
    return data, []


def customer_files(directory: Path) -> list[Path]:
    """Every customer file, in a stable order (sorted by file name)."""
    return sorted(
        p
        for pattern in ("*.yaml", "*.yml")
        for p in directory.glob(pattern)
        if p.is_file() and not p.name.startswith(".")
    )


def _cross_file(specs: list[CustomerSpec], displays: dict[int, str]) -> list[str]:
    """What only shows across files: two files claiming the same customer or domain."""
    problems: list[str] = []
    first_by: dict[str, dict[str, str]] = {
        "client_id": {},
        "domain": {},
        "name": {},
        "email": {},
    }

    def claim(kind: str, key: str, display: str) -> str | None:
        owner = first_by[kind].get(key)
        if owner is None:
            first_by[kind][key] = display
        return owner

    for spec in specs:
        display = displays[id(spec)]
        owner = claim("client_id", spec.client_id, display)
        if owner:
            problems.append(
                f"{display}: field 'client_id': {_show(spec.client_id)} is also used by "
                f"{owner}. Fix: each customer has its own HubSpot cs_client_id; keep one "
                "file per customer."
            )
        for index, domain in enumerate(spec.domains):
            owner = claim("domain", domain, display)
            if owner:
                problems.append(
                    f"{display}: field 'domains[{index}]': {_show(domain)} is also listed "
                    f"by {owner}. Fix: a domain belongs to one customer (its mail can open "
                    "tickets for only one); remove it from one of the two files."
                )
        owner = claim("name", spec.name.casefold(), display)
        if owner:
            problems.append(
                f"{display}: field 'name': {_show(spec.name)} is also the name in {owner}. "
                "Fix: two organizations cannot share a business name; merge the files or "
                "use each customer's exact legal name."
            )
        owner = claim("email", spec.main_poc.email.casefold(), display)
        if owner:
            problems.append(
                f"{display}: field 'main_poc.email': {_show(spec.main_poc.email)} is also "
                f"the main POC email in {owner}. Fix: Syncro identifies a customer by this "
                "email, so each customer needs its own main POC address."
            )
    return problems


def load_customers(directory: Path) -> list[CustomerSpec]:
    """Every customer file in `directory`, validated; raises one CustomerFileError for all."""
    directory = Path(directory)
    shown_dir = _display(directory, directory) + "/"
    if not directory.is_dir():
        raise CustomerFileError(
            [
                f"{shown_dir}: the customer folder does not exist. Fix: create it and add "
                f"one YAML file per customer (see {README_HINT})."
            ]
        )
    files = customer_files(directory)
    if not files:
        raise CustomerFileError(
            [
                f"{shown_dir}: no customer files (*.yaml or *.yml). Fix: add one file per "
                f"customer, e.g. customers/smith-law.yaml (see {README_HINT})."
            ]
        )
    problems: list[str] = []
    specs: list[CustomerSpec] = []
    displays: dict[int, str] = {}
    for path in files:
        display = _display(path, directory)
        data, found = _parse(path, display)
        problems.extend(found)
        if data is None:
            continue
        try:
            spec = CustomerSpec.from_mapping(data, path)
        except ValidationError as exc:
            problems.extend(format_validation_error(display, exc))
            continue
        specs.append(spec)
        displays[id(spec)] = display
    problems.extend(_cross_file(specs, displays))
    if problems:
        raise CustomerFileError(problems)
    return specs


# --- stack secrets ----------------------------------------------------------------------


def validate_edr_keys(
    specs: Iterable[CustomerSpec], edr_config: Mapping[str, Any] | None, stack: str
) -> None:
    """Every customer needs both EDR keys in the stack config before anything is applied.

    The keys are stack secrets (scripts/set-edr-keys), never YAML. Messages name the
    config path and the command to run, never a key's value.
    """
    config = edr_config or {}
    problems: list[str] = []
    for spec in specs:
        display = _display(spec.source, spec.source.parent)
        command = f"scripts/set-edr-keys {spec.client_id} <HUNT_A-KEY> <HUNT_O-KEY> {stack}"
        path = f"syncro:edrKeys.{spec.client_id}"
        entry = config.get(spec.client_id)
        if entry is None:
            what = f"has no EDR keys in stack '{stack}' ({path} is not set)"
        elif not isinstance(entry, Mapping):
            what = f"has malformed EDR keys in stack '{stack}' ({path} is not an object)"
        else:
            empty = [
                f"{path}.{part}"
                for part in ("account", "org")
                if not isinstance(entry.get(part), str) or not entry[part].strip()
            ]
            if not empty:
                continue
            what = f"has incomplete EDR keys in stack '{stack}' ({', '.join(empty)} missing)"
        problems.append(
            f"{display}: customer {spec.client_id} ({spec.name}) {what}. Fix: run {command}"
        )
    if problems:
        raise CustomerFileError(problems)
