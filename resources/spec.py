"""The customer file contract: `customers/*.yaml` -> validated `CustomerSpec` objects.

Every problem in every file is collected and reported at once, before the program
registers a single resource: an engineer fixing a pull request should see the whole
list in one preview, and a half-valid folder must never half-onboard. Each message
names the file, the field, the offending value (when it is safe to print:
resources/spec_messages.py) and a fix, because the reader is whoever opened the pull
request, not whoever wrote this module. Files are read by resources/customer_files.py
(no links, no aliases, bounded sizes); identities are normalised by
resources/identity.py.

Choices the format leaves open (documented for users in customers/README.md):

- Domains and emails are case-insensitive on the wire, so they are lower-cased (and
  domains IDNA-encoded) rather than rejected; `SmithLaw.com` and `smithlaw.com` in one
  file are then duplicates.
- `hubspot_deal_id` must be quoted text. YAML turns an unquoted `0123` into 83 and
  `1_000` into 1000, so a number cannot be trusted to be the ID that was typed.
- `go_live` is read as text (YAML's own date parsing is switched off) so that an
  impossible date such as `2026-02-30` is reported here, with a fix, instead of
  crashing the YAML parser; `date` objects are accepted from Python callers. It may
  lie at most catalog.GO_LIVE_MAX_MONTHS_AHEAD months ahead.
- Files whose names start with a dot (editor backups) are ignored.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

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

from resources import catalog
from resources.customer_files import README_HINT, customer_files, display, read_customer_file
from resources.identity import (
    IdentityError,
    hidden_character,
    hostname_problem,
    normalise_domain,
    normalise_email,
)
from resources.spec_messages import describe, field_name, fix_for, suggest, unknown_key
from resources.spec_messages import fail as _fail
from resources.spec_messages import kind as _kind
from resources.spec_messages import show as _show

__all__ = [
    "CustomerFileError",
    "CustomerSpec",
    "MainPoc",
    "SlaOverride",
    "customer_files",
    "format_validation_error",
    "load_customers",
]

MAX_PROBLEMS_PER_FILE = 20


class CustomerFileError(ValueError):
    """Every problem found in the customer files (and their stack secrets), one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        header = f"{count} {noun} in the customer files; nothing was sent to Syncro:"
        super().__init__("\n".join([header, *self.problems]))


def today() -> date:
    """The day go-live windows are measured from (UTC, like the scheduler)."""
    return datetime.now(UTC).date()


# --- field validators -------------------------------------------------------------------


def _check_text(value: str, field: str, example: str) -> str:
    """One line of text: no line break, control, format or separator character anywhere
    (U+2028, U+0085 and DEL included), at most catalog.MAX_NAME_LENGTH characters."""
    bad = hidden_character(value)
    if bad:
        raise _fail(
            f"{_show(value)} contains a line break, control or invisible character ({bad})",
            f"write {field} on one line in plain characters, e.g. {example}",
        )
    stripped = unicodedata.normalize("NFC", value.strip())
    if not stripped:
        raise _fail(f"{_show(value)} is blank", f"set {field} to a value, e.g. {example}")
    if len(stripped) > catalog.MAX_NAME_LENGTH:
        raise _fail(
            f"{_show(value)} is longer than {catalog.MAX_NAME_LENGTH} characters",
            f"shorten {field}, e.g. {example}",
        )
    return stripped


def _name(value: str) -> str:
    return _check_text(value, "name", "name: Smith Law LLP")


def _poc_name(value: str) -> str:
    return _check_text(value, "main_poc.name", "name: Jane Smith")


def _notes(value: str) -> str:
    bad = hidden_character(value, allow="\n\t")
    if bad:
        raise _fail(
            f"{_show(value)} contains a control or invisible character ({bad})",
            "write notes in plain text (line breaks are fine)",
        )
    if len(value) > catalog.MAX_NOTES_LENGTH:
        raise _fail(
            f"{_show(value)} is longer than {catalog.MAX_NOTES_LENGTH} characters",
            "keep notes short; long procedures belong in the MSP's documentation",
        )
    return value


def _client_id(value: str) -> str:
    if not catalog.is_client_id(value):
        detail = ""
        if not value.isascii():
            detail = " and holds characters other than ASCII (full-width or Arabic-Indic digits?)"
        elif value != value.strip():
            detail = " and has a space or line break around it"
        raise _fail(
            f"{_show(value)} is not of the form CS-#### (four digits){detail}",
            "set client_id to the HubSpot cs_client_id, e.g. CS-0042",
        )
    return value


def _one_of(field: str, choices: tuple[str, ...]) -> AfterValidator:
    """A validator: the value is one of the catalog's `choices` (else: the nearest one)."""

    def check(value: str) -> str:
        if value not in choices:
            raise _fail(
                f"{_show(value)} is not a {field}{suggest(value, choices)}",
                f"set {field} to one of {', '.join(choices)}",
            )
        return value

    return AfterValidator(check)


def _domain(value: str) -> str:
    try:
        domain = normalise_domain(value)
    except IdentityError as exc:
        example = value.strip().lower().lstrip("@").rpartition("@")[2].rstrip(".")
        if hostname_problem(example) is not None:
            example = "smithlaw.com"
        raise _fail(
            f"{_show(value)} {exc.problem}",
            f"write the bare domain the customer sends mail from, e.g. {example!r}",
        ) from None
    if catalog.is_free_mail(domain):
        raise _fail(
            f"{_show(value)} is a free-mail or throwaway-mail domain: a rule on it would route "
            "strangers' mail to this customer (Syncro refuses such rules)",
            "list only domains the customer owns; a POC on free mail goes in main_poc.email",
        )
    return domain


def _email_checker(field: str, example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return normalise_email(value)
        except IdentityError as exc:
            raise _fail(
                f"{_show(value)} {exc.problem}", f"set {field} to an email, e.g. {example}"
            ) from None

    return check


def _deal_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _fail(
            f"{_show(value)} is a YAML number, which can silently change digits (0123 reads as 83)",
            f'quote it: hubspot_deal_id: "{str(value)[: catalog.MAX_DEAL_ID_DIGITS]}"',
        )
    if isinstance(value, str) and not re.fullmatch(
        rf"[0-9]{{1,{catalog.MAX_DEAL_ID_DIGITS}}}", value
    ):
        raise _fail(
            f"{_show(value)} is not a HubSpot deal ID (1 to {catalog.MAX_DEAL_ID_DIGITS} "
            "digits 0-9)",
            'copy the deal ID from the deal URL in HubSpot, quoted, e.g. "18234567"',
        )
    return value


_GO_LIVE_FIX = "set go_live to the go-live date as YYYY-MM-DD, e.g. go_live: 2026-12-01"


def _go_live_text(value: str) -> date:
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", value.strip())
    if not match:
        raise _fail(f"{_show(value)} is not a date of the form YYYY-MM-DD", _GO_LIVE_FIX)
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise _fail(f"{_show(value)} is not a real date (there is no month {month})", _GO_LIVE_FIX)
    if year < catalog.GO_LIVE_EARLIEST.year:
        raise _fail(
            f"{_show(value)} is before {catalog.GO_LIVE_EARLIEST.isoformat()}, surely a typo",
            _GO_LIVE_FIX,
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _fail(
            f"{_show(value)} is not a real date ({calendar.month_name[month]} {year} has "
            f"{last} days)",
            _GO_LIVE_FIX,
        )
    return date(year, month, day)


def _go_live(value: Any) -> Any:
    """Dates arrive as text (see the module docstring), or as `date` from Python callers.
    Every date is checked against the window, so none can overflow a due-date sum."""
    if isinstance(value, datetime):
        raise _fail(f"{_show(value)} has a time of day", _GO_LIVE_FIX)
    if isinstance(value, str):
        value = _go_live_text(value)
    if not isinstance(value, date):
        raise _fail(f"{_show(value)} is {_kind(value)}, not a date", _GO_LIVE_FIX)
    latest = catalog.add_months(today(), catalog.GO_LIVE_MAX_MONTHS_AHEAD)
    if value > latest:
        raise _fail(
            f"{_show(value)} is more than {catalog.GO_LIVE_MAX_MONTHS_AHEAD} months ahead "
            f"(latest accepted today: {latest.isoformat()}), which looks like a typo",
            "check the year; a go-live that far ahead is added when it is planned, "
            f"at most {catalog.GO_LIVE_MAX_MONTHS_AHEAD} months before",
        )
    if value < catalog.GO_LIVE_EARLIEST:
        raise _fail(
            f"{_show(value)} is before {catalog.GO_LIVE_EARLIEST.isoformat()}, surely a typo",
            _GO_LIVE_FIX,
        )
    return value


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
    tier: Annotated[StrictStr, _one_of("tier", catalog.TIERS)]
    platform: Annotated[StrictStr, _one_of("platform", catalog.PLATFORMS)]
    domains: Annotated[list[Domain], Field(min_length=1, max_length=catalog.MAX_DOMAINS)]
    main_poc: MainPoc
    hubspot_deal_id: Annotated[StrictStr, BeforeValidator(_deal_id)]
    go_live: Annotated[date, BeforeValidator(_go_live)]
    account_manager: ManagerEmail
    sla: SlaOverride | None = None
    notes: Annotated[StrictStr, AfterValidator(_notes)] | None = None
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
POC_KEYS: tuple[str, ...] = tuple(MainPoc.model_fields)

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


def format_validation_error(display: str, exc: ValidationError) -> list[str]:
    """One message line per pydantic error: file, field, value (when safe), fix."""
    lines = []
    for error in exc.errors(include_url=False, include_context=True):
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            allowed = {"sla": SLA_KEYS, "main_poc": POC_KEYS}.get(str(loc[0]), ALLOWED_KEYS)
            if len(loc) == 1:
                allowed = ALLOWED_KEYS
            problem, fix = unknown_key(str(loc[-1]), error.get("input"), allowed)
        else:
            problem, fix = describe(error, fix_for(loc, FIXES, f"see {README_HINT}"))
        lines.append(f"{display}: field '{field_name(loc) or '(file)'}': {problem}. Fix: {fix}.")
    return lines


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
        # Full-width or composed lookalikes of one name are one name.
        owner = claim("name", unicodedata.normalize("NFKC", spec.name).casefold(), display)
        if owner:
            problems.append(
                f"{display}: field 'name': {_show(spec.name)} is also the name in {owner}. "
                "Fix: two organizations cannot share a business name; merge the files or "
                "use each customer's exact legal name."
            )
        owner = claim("email", spec.main_poc.email, display)
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
    shown_dir = display(directory, directory) + "/"
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
        shown = display(path, directory)
        data, found = read_customer_file(path, directory, shown, ALLOWED_KEYS)
        problems.extend(found)
        if data is None:
            continue
        try:
            spec = CustomerSpec.from_mapping(data, path)
        except ValidationError as exc:
            lines = format_validation_error(shown, exc)
            if len(lines) > MAX_PROBLEMS_PER_FILE:
                more = len(lines) - MAX_PROBLEMS_PER_FILE
                lines = lines[:MAX_PROBLEMS_PER_FILE] + [
                    f"{shown}: {more} more problems not listed. Fix: correct the ones above "
                    f"first (every field is described in {README_HINT})."
                ]
            problems.extend(lines)
            continue
        specs.append(spec)
        displays[id(spec)] = shown
    problems.extend(_cross_file(specs, displays))
    if problems:
        raise CustomerFileError(problems)
    return specs
