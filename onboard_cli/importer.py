"""`syncro-onboard import`: customer files for the organizations already in Syncro.

Each organization's record and custom field values are mapped onto the customer-file
contract (resources/spec.py); the result is validated by `CustomerSpec` itself before a
file is written. What cannot be read off Syncro (no CS Client ID, an unknown tier, no
domain, a free-mail address as the only domain hint, a domain two organizations claim)
is never guessed: the organization gets no file and its gaps are listed with their
fixes. EDR keys found in HUNT_A-KEY / HUNT_O-KEY go to the stack's secret config, never
into YAML.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from resources import catalog
from resources.spec import CustomerSpec, customer_files, format_validation_error
from resources.syncro import SyncroClient
from resources.syncro.models import Customer

PAGE_SIZE = 25  # Syncro's page size for customers


is_client_id = catalog.is_client_id  # contract 1: the one pattern and free-mail list
is_free_mail = catalog.is_free_mail


@dataclass
class Gap:
    """One thing the import could not infer, and how a person fixes it."""

    field: str
    problem: str
    fix: str

    def text(self) -> str:
        return f"{self.field}: {self.problem}. Fix: {self.fix}"


@dataclass
class Candidate:
    """One organization: the file it would become, or the gaps that stop it."""

    customer: Customer
    data: dict[str, Any] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    filename: str = ""
    edr_keys: tuple[str, str] | None = None
    skipped: str = ""  # why it is not a candidate at all (already described, archived)

    @property
    def label(self) -> str:
        name = self.customer.business_name or self.customer.email or "(no name)"
        return f"#{self.customer.id} {name}"

    @property
    def writable(self) -> bool:
        return not self.skipped and not self.gaps


@dataclass
class ImportPlan:
    candidates: list[Candidate]

    def writable(self) -> list[Candidate]:
        return [c for c in self.candidates if c.writable]

    def blocked(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.skipped and c.gaps]

    def skipped(self) -> list[Candidate]:
        return [c for c in self.candidates if c.skipped]


@dataclass
class Described:
    """What the customer files already claim (read leniently: a broken file still counts)."""

    client_ids: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    filenames: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, directory: Path) -> Described:
        found = cls()
        if not directory.is_dir():
            return found
        for path in customer_files(directory):
            found.filenames.add(path.name)
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            if not isinstance(data, dict):
                continue
            if isinstance(data.get("client_id"), str):
                found.client_ids[data["client_id"]] = path.name
            poc = data.get("main_poc")
            if isinstance(poc, dict) and isinstance(poc.get("email"), str):
                found.emails[poc["email"].lower()] = path.name
            for domain in data.get("domains") or []:
                if isinstance(domain, str):
                    found.domains[domain.lower()] = path.name
        return found


# --- fetching (paged, with a progress callback) --------------------------------------------


def fetch_organizations(
    client: SyncroClient, on_page: Callable[[int, int], None] | None = None
) -> list[Customer]:
    """Every organization, archived included, page by page (25 a page: 20 reads for 500)."""
    customers: list[Customer] = []
    page = 1
    while True:
        answer = client.request(
            "GET", "/customers", params={"include_disabled": "true", "page": page}
        )
        chunk = answer.get("customers") or []
        customers.extend(Customer.model_validate(item) for item in chunk)
        total = int((answer.get("meta") or {}).get("total_pages") or 1)
        if on_page:
            on_page(page, total)
        if page >= total or not chunk:
            return customers
        page += 1


def defined_fields(client: SyncroClient) -> set[str]:
    """Custom fields Syncro defines (one `GET /settings`): undefined ones hold no values."""
    return {f.name for f in client.customer_fields()}


# --- mapping one organization -------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "customer"


def _sla_override(text: str, tier: str) -> tuple[dict[str, int | None] | None, bool]:
    """The terms the SLA field states beyond the tier's: (override, understood)."""
    base = catalog.tier(tier).sla
    if not text or text == base.text():
        return None, True
    numbers = re.findall(r"(\d+)", text)
    notify = "customer notification" in text
    expected = 4 if notify else 3
    if len(numbers) != expected:
        return None, False
    values = [int(n) for n in numbers]
    terms = catalog.SlaTerms(
        notification_hours=values[0] if notify else None,
        acknowledgement_hours=values[-3],
        resolution_basic_hours=values[-2],
        resolution_complex_hours=values[-1],
    )
    if terms.text() != text:
        return None, False
    diff = {k: v for k, v in terms.as_dict().items() if base.as_dict()[k] != v}
    return diff or None, True


def _main_poc(customer: Customer, poc_field: str) -> tuple[str, str]:
    """Name and email of the main POC; the email is the record's (Syncro adopts by it)."""
    record_email = (customer.email or "").strip()
    name, address = email.utils.parseaddr(poc_field or "")
    if name and address.lower() == record_email.lower():
        return name.strip(), record_email
    full = " ".join(x for x in (customer.firstname, customer.lastname) if x).strip()
    return full or name.strip(), record_email


def map_organization(
    customer: Customer, fields_defined: set[str], account_manager: str | None
) -> Candidate:
    """One organization -> a customer-file mapping and its gaps (no I/O)."""
    props = {k: str(v).strip() for k, v in (customer.properties or {}).items() if v}
    c = Candidate(customer=customer)
    where = f"Syncro > Customers > {customer.business_name or customer.id} > custom field"

    def gap(name: str, problem: str, fix: str) -> None:
        c.gaps.append(Gap(name, problem, fix))

    def checked(key: str, label: str, valid: Callable[[str], bool], wanted: str, fix: str) -> str:
        """Custom field `label`'s value; a gap naming it and its fix when not `valid`."""
        value = props.get(label, "")
        if not valid(value):
            gap(key, f"{label} is {value or '(empty)'!r}{wanted}", f"set {where} '{label}' {fix}")
        return value

    for definition in catalog.CUSTOM_FIELDS:
        if definition.name not in fields_defined:
            gap(
                definition.name,
                "the custom field is not defined in Syncro, so it holds no value",
                "define it (Admin > Customers - Customer Custom Fields), fill it, import again",
            )
    name = (customer.business_name or "").strip()
    if not name:
        gap("name", "the organization has no business name", "set its Business Name in Syncro")
    client_id = checked(
        "client_id",
        catalog.FIELD_CLIENT_ID,
        is_client_id,
        ", not CS-####",
        "to the HubSpot cs_client_id (e.g. CS-0042)",
    )
    tier = checked(
        "tier",
        catalog.FIELD_TIER,
        catalog.TIERS.__contains__,
        f", not one of {', '.join(catalog.TIERS)}",
        "to the tier the customer signed",
    )
    platform = checked(
        "platform",
        catalog.FIELD_PLATFORM,
        catalog.PLATFORMS.__contains__,
        "",
        f"to one of {', '.join(catalog.PLATFORMS)}",
    )
    record_email = (customer.email or "").strip()
    email_domain = record_email.rpartition("@")[2].lower()
    domain = props.get(catalog.FIELD_PRIMARY_DOMAIN, "").lower()
    if not domain:
        if not email_domain:
            gap("domains", "no Primary Domain and no email", f"set {where} 'Primary Domain'")
        elif is_free_mail(email_domain):
            gap(
                "domains",
                f"no Primary Domain, and the email {record_email} is on free mail "
                f"({email_domain}), which says nothing about the customer's own domain",
                f"set {where} 'Primary Domain' to the domain the customer sends mail from",
            )
        else:
            domain = email_domain
            c.notes.append(f"domains: taken from the organization's email {record_email}")
    if domain and is_free_mail(domain):
        gap(
            "domains",
            f"Primary Domain {domain!r} is a free-mail domain",
            f"set {where} 'Primary Domain' to a domain the customer owns",
        )
    poc_name, poc_email = _main_poc(customer, props.get(catalog.FIELD_MAIN_POC, ""))
    if not record_email:
        gap("main_poc.email", "the organization has no email", "set its email in Syncro")
    if not poc_name:
        gap(
            "main_poc.name",
            "no Main POC name and no first/last name",
            f"set {where} 'Main POC' as 'Name <{record_email or 'email'}>'",
        )
    deal = checked(
        "hubspot_deal_id",
        catalog.FIELD_HUBSPOT_DEAL_ID,
        lambda v: re.fullmatch(r"[0-9]+", v) is not None,
        "",
        "to the deal's ID in HubSpot",
    )
    go_live = checked(
        "go_live",
        catalog.FIELD_GO_LIVE,
        lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v[:10]) is not None,
        "",
        "(YYYY-MM-DD)",
    )
    if not account_manager:
        gap(
            "account_manager",
            "Syncro keeps no account manager on an organization",
            "pass --account-manager <Syncro user email> (the assignee of its deliverables)",
        )
    sla_override = None
    if tier in catalog.TIERS:
        sla_override, understood = _sla_override(props.get(catalog.FIELD_SLA, ""), tier)
        if not understood:
            gap(
                "sla",
                f"the SLA field reads {props.get(catalog.FIELD_SLA)!r}, not the catalog's wording",
                "set it to the tier's text or write the terms under sla: in the file by hand",
            )
    account_key = props.get(catalog.FIELD_EDR_ACCOUNT_KEY, "")
    org_key = props.get(catalog.FIELD_EDR_ORG_KEY, "")
    if account_key and org_key:
        c.edr_keys = (account_key, org_key)
    else:
        missing = [
            n
            for n, v in (
                (catalog.FIELD_EDR_ACCOUNT_KEY, account_key),
                (catalog.FIELD_EDR_ORG_KEY, org_key),
            )
            if not v
        ]
        c.notes.append(
            f"EDR keys: {' and '.join(missing)} empty in Syncro. Fix: scripts/set-edr-keys "
            f"{client_id or 'CS-####'} <HUNT_A-KEY> <HUNT_O-KEY> <stack>"
        )
    c.data = {
        "name": name,
        "client_id": client_id,
        "tier": tier,
        "platform": platform,
        "domains": [domain] if domain else [],
        "main_poc": {"name": poc_name, "email": poc_email},
        "hubspot_deal_id": deal,
        "go_live": go_live[:10],
        "account_manager": account_manager or "",
    }
    if sla_override:
        c.data["sla"] = sla_override
    if customer.notes and customer.notes.strip():
        c.data["notes"] = customer.notes.strip()
    c.data["adopt"] = True
    if not c.gaps:
        # The contract itself has the last word: what it refuses is a gap, not a file.
        try:
            CustomerSpec.from_mapping(c.data, Path("<import>"))
        except ValidationError as exc:
            for line in format_validation_error(c.label, exc):
                c.gaps.append(Gap("file", line, "correct the value in Syncro, import again"))
    return c


# --- the whole tenant ---------------------------------------------------------------------


def plan_import(
    customers: Iterable[Customer],
    fields_defined: set[str],
    described: Described,
    account_manager: str | None,
) -> ImportPlan:
    """Map every organization; mark what is described already; find shared domains."""
    candidates: list[Candidate] = []
    for customer in customers:
        c = map_organization(customer, fields_defined, account_manager)
        cid, mail = c.data.get("client_id", ""), (customer.email or "").lower()
        if customer.disabled:
            c.skipped = "archived in Syncro (not a current customer): un-archive it to import it"
        elif cid and cid in described.client_ids:
            c.skipped = f"already described by customers/{described.client_ids[cid]}"
        elif mail and mail in described.emails:
            c.skipped = f"already described by customers/{described.emails[mail]}"
        candidates.append(c)
    _shared_domains([c for c in candidates if not c.skipped], described)
    _unique_client_ids([c for c in candidates if not c.skipped])
    taken = set(described.filenames)
    for c in candidates:
        if c.writable:
            c.filename = _filename(c, taken)
    return ImportPlan(candidates)


def _shared_domains(candidates: list[Candidate], described: Described) -> None:
    by_domain: dict[str, list[Candidate]] = {}
    for c in candidates:
        for domain in c.data.get("domains") or []:
            by_domain.setdefault(domain, []).append(c)
    for domain, claimants in by_domain.items():
        if domain in described.domains:
            problem = f"{domain!r} is already listed by customers/{described.domains[domain]}"
            fix = (
                "a domain opens tickets for one customer: fix its Primary Domain in Syncro or "
                "the other file"
            )
        elif len(claimants) > 1:
            others = ", ".join(c.label for c in claimants)
            problem = f"{domain!r} is claimed by {len(claimants)} organizations ({others})"
            fix = (
                "keep the domain on the one organization that owns it (Primary Domain), "
                "archive or merge the duplicate, import again"
            )
        else:
            continue
        _gap_for_each(claimants, "domains", problem, fix)


def _unique_client_ids(candidates: list[Candidate]) -> None:
    by_id: dict[str, list[Candidate]] = {}
    for c in candidates:
        if is_client_id(c.data.get("client_id", "")):
            by_id.setdefault(c.data["client_id"], []).append(c)
    for cid, owners in by_id.items():
        if len(owners) > 1:
            labels = ", ".join(c.label for c in owners)
            problem = f"{cid} is on {len(owners)} organizations ({labels})"
            fix = "give each organization its own CS Client ID"
            _gap_for_each(owners, "client_id", problem, fix)


def _gap_for_each(candidates: list[Candidate], name: str, problem: str, fix: str) -> None:
    for c in candidates:
        c.gaps.append(Gap(name, problem, fix))


def _filename(c: Candidate, taken: set[str]) -> str:
    base = _slug(c.data["name"])
    name = f"{base}.yaml"
    if name in taken:
        name = f"{base}-{c.data['client_id'].lower()}.yaml"
    taken.add(name)
    return name


def render_file(c: Candidate) -> str:
    """The YAML text of one customer file (quoted deal ID, the contract's key order)."""
    header = (
        f"# {c.data['name']}: imported from Syncro organization #{c.customer.id} by "
        "syncro-onboard import.\n# adopt: true takes over the existing record; fields: "
        "customers/README.md\n"
    )
    body = yaml.safe_dump(c.data, sort_keys=False, allow_unicode=True, default_flow_style=None)
    body = re.sub(
        r"^hubspot_deal_id: '?(\d+)'?$", r'hubspot_deal_id: "\1"', body, flags=re.MULTILINE
    )
    return header + body


def write_files(plan: ImportPlan, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for c in plan.writable():
        path = out / c.filename
        path.write_text(render_file(c), encoding="utf-8")
        written.append(path)
    return written


def edr_keys_to_store(plan: ImportPlan, already: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Keys of the organizations getting a file, unless the stack holds them already."""
    have = set(already)
    return {
        c.data["client_id"]: c.edr_keys
        for c in plan.writable()
        if c.edr_keys and c.data["client_id"] not in have
    }


def summary_counts(plan: ImportPlan) -> Mapping[str, int]:
    return {
        "organizations": len(plan.candidates),
        "files": len(plan.writable()),
        "blocked": len(plan.blocked()),
        "skipped": len(plan.skipped()),
    }
