"""The program's view of the stack config (`syncro:` namespace), read once in __main__.

Every setting is checked here, before any resource is registered, so a bad stack
file stops the run with the key and the command that fixes it and no API call.

EDR keys are checked here and nowhere else, and leave this module under the catalog's
field names (`HUNT_A-KEY`, `HUNT_O-KEY`). The stack config keeps storing them as
`syncro:edrKeys.<CID>.account|org` (existing stacks and scripts/set-edr-keys write
those); STORED_EDR_KEY_NAMES is the one place that maps the two.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.config import get_config

from resources import catalog
from resources.customer_files import display
from resources.identity import email_problem
from resources.spec import CustomerFileError, CustomerSpec

SYNCRO_REQUESTS_PER_MINUTE = 180  # Syncro's documented limit per IP
PLACEHOLDER = re.compile(r"YOUR-SUBDOMAIN", re.IGNORECASE)


# Catalog field name -> the name under syncro:edrKeys.<CID> in the stack config.
STORED_EDR_KEY_NAMES: dict[str, str] = {
    catalog.FIELD_EDR_ACCOUNT_KEY: "account",
    catalog.FIELD_EDR_ORG_KEY: "org",
}
assert tuple(STORED_EDR_KEY_NAMES) == catalog.EDR_KEY_FIELDS


class StackConfigError(Exception):
    """Problems in `Pulumi.<stack>.yaml`, one per line, each with its fix."""


@dataclass(frozen=True)
class EdrKeys:
    """One customer's EDR deployment keys, plain: held only until wrapped in a secret."""

    values: Mapping[str, str] = field(repr=False)
    """catalog.EDR_KEY_FIELDS -> key."""

    def __repr__(self) -> str:
        return "EdrKeys(<secret>)"


def parse_edr_keys(raw: Any) -> tuple[dict[str, EdrKeys], dict[str, str]]:
    """Stored config -> (complete keys by client ID, what is wrong by client ID).

    What is wrong names config paths only, never a value."""
    complete: dict[str, EdrKeys] = {}
    gaps: dict[str, str] = {}
    for client_id, entry in (raw or {}).items():
        path = f"syncro:edrKeys.{client_id}"
        if not isinstance(entry, Mapping):
            gaps[client_id] = f"{path} is not an object"
            continue
        empty = [
            f"{path}.{stored}"
            for stored in STORED_EDR_KEY_NAMES.values()
            if not isinstance(entry.get(stored), str) or not entry[stored].strip()
        ]
        if empty:
            gaps[client_id] = f"{', '.join(empty)} missing"
            continue
        values = {name: entry[stored] for name, stored in STORED_EDR_KEY_NAMES.items()}
        complete[client_id] = EdrKeys(values)
    return complete, gaps


def edr_key_problems(
    specs: Iterable[CustomerSpec],
    keys: Mapping[str, EdrKeys],
    gaps: Mapping[str, str],
    stack: str,
) -> list[str]:
    """One line per customer without both keys: its file, the config path, the command."""
    problems = []
    for spec in specs:
        if spec.client_id in keys:
            continue
        path = f"syncro:edrKeys.{spec.client_id}"
        gap = gaps.get(spec.client_id)
        if gap is None:
            what = f"has no EDR keys in stack '{stack}' ({path} is not set)"
        elif gap.endswith("not an object"):
            what = f"has malformed EDR keys in stack '{stack}' ({gap})"
        else:
            what = f"has incomplete EDR keys in stack '{stack}' ({gap})"
        command = f"scripts/set-edr-keys {spec.client_id} <HUNT_A-KEY> <HUNT_O-KEY> {stack}"
        problems.append(
            f"{display(spec.source, spec.source.parent)}: customer {spec.client_id} "
            f"({spec.name}) {what}. Fix: run {command}"
        )
    return problems


def tier_ids(raw: Any, key: str, what: str, stack: str) -> tuple[dict[str, int], list[str]]:
    """`syncro:<key>` (tierPolicies, tierSlas): an optional object tier -> Syncro id (an
    integer > 0). Pure, so a tool reading `pulumi config --json` checks it the same way."""
    if raw is None:
        return {}, []
    example = f"pulumi config set --path 'syncro:{key}.Defense' <{what} id> --stack {stack}"
    if not isinstance(raw, dict):
        return {}, [f"syncro:{key} is not an object of tier -> {what} id. Fix: {example}"]
    ids: dict[str, int] = {}
    problems: list[str] = []
    for tier_name, value in raw.items():
        if tier_name not in catalog.TIERS:
            problems.append(
                f"syncro:{key}.{str(tier_name)[:40]} is not a tier (tiers: "
                f"{', '.join(catalog.TIERS)}). Fix: pulumi config rm --path "
                f"'syncro:{key}.{str(tier_name)[:40]}' --stack {stack}"
            )
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,12}", value) and int(value):
            ids[tier_name] = int(value)
        elif isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems.append(
                f"syncro:{key}.{tier_name} is {repr(value)[:40]}, not a Syncro {what} id "
                f"(a whole number > 0). Fix: {example.replace('Defense', tier_name)}"
            )
        else:
            ids[tier_name] = value
    return ids, problems


@dataclass(frozen=True)
class StackSettings:
    stack: str
    admin_mode: str
    support_mailbox: str
    staff_alert_to: tuple[str, ...]
    protect_organizations: bool
    edr_keys: dict[str, EdrKeys]
    """Complete keys by client ID, plain: the program wraps each customer's in a secret
    (edr_keys_for) before it reaches a resource."""
    edr_key_gaps: dict[str, str]
    """Client ID -> which stored keys are missing or malformed (paths, never values)."""
    tier_policies: dict[str, int]
    tier_slas: dict[str, int]
    deliverables_mode: str
    """catalog.DELIVERABLES_MODES: who opens each deliverable ticket."""

    @classmethod
    def load(cls) -> StackSettings:
        stack = pulumi.get_stack()
        config = pulumi.Config("syncro")
        where = f"Pulumi.{stack}.yaml"
        problems: list[str] = []

        def problem(key: str, what: str, fix: str) -> None:
            problems.append(f"{where}: syncro:{key} {what}. Fix: {fix}")

        admin_mode = config.get("adminMode") or catalog.DEFAULT_ADMIN_MODE
        if admin_mode not in catalog.ADMIN_MODES:
            problem(
                "adminMode",
                f"is {admin_mode[:40]!r}, not {' or '.join(map(repr, catalog.ADMIN_MODES))}",
                f"pulumi config set syncro:adminMode runbook --stack {stack} "
                "(or api where an admin surface exists, as in the emulator)",
            )
        base_url = config.get("baseUrl") or ""
        if not re.match(r"^https?://[^/\s]+/api/v1/?$", base_url) or PLACEHOLDER.search(base_url):
            problem(
                "baseUrl",
                f"is {base_url or '(not set)'!r}, not a Syncro API address",
                "pulumi config set syncro:baseUrl "
                f"https://<your-subdomain>.syncromsp.com/api/v1 --stack {stack}",
            )
        # Only whether it is set: the value is read by the provider process, never here.
        if not get_config("syncro:apiToken"):
            problem(
                "apiToken",
                "is not set",
                f"pulumi config set --secret syncro:apiToken <token> --stack {stack} "
                "(Syncro: Admin > API Tokens)",
            )
        support_mailbox = config.get("supportMailbox") or "help@cybersuite.tech"
        if email_problem(support_mailbox):
            problem(
                "supportMailbox",
                f"is {support_mailbox!r}: {email_problem(support_mailbox)}",
                f"pulumi config set syncro:supportMailbox help@yourmsp.com --stack {stack}",
            )
        staff = _json(get_config("syncro:staffAlertTo")) or ["noc@cybersuite.tech"]
        if (
            not isinstance(staff, list)
            or not staff
            or any(not isinstance(x, str) or email_problem(x) for x in staff)
        ):
            problem(
                "staffAlertTo",
                f"is {staff!r}, not a list of staff emails",
                "pulumi config set --path 'syncro:staffAlertTo[0]' noc@yourmsp.com "
                f"--stack {stack}",
            )
        rpm = _json(get_config("syncro:requestsPerMinute"))
        if rpm is not None and (
            isinstance(rpm, bool)
            or not isinstance(rpm, int | float)
            or not 0 < rpm <= SYNCRO_REQUESTS_PER_MINUTE
        ):
            problem(
                "requestsPerMinute",
                f"is {rpm!r}; Syncro allows {SYNCRO_REQUESTS_PER_MINUTE} requests a minute per IP",
                f"pulumi config set syncro:requestsPerMinute 170 --stack {stack}",
            )
        protect = _json(get_config("syncro:protectOrganizations"))
        if protect is not None and not isinstance(protect, bool):
            problem(
                "protectOrganizations",
                f"is {protect!r}, not true or false",
                f"pulumi config set syncro:protectOrganizations true --stack {stack}",
            )
        # The raw getter: Config.get_object would warn that a secret is read in plaintext.
        raw_edr_keys = _json(get_config("syncro:edrKeys")) or {}
        if not isinstance(raw_edr_keys, dict):
            raw_edr_keys = {}
            problem(
                "edrKeys",
                "is not an object keyed by client ID",
                f"pulumi config rm syncro:edrKeys --stack {stack}, then "
                f"scripts/set-edr-keys CS-#### <HUNT_A-KEY> <HUNT_O-KEY> {stack}",
            )
        edr_keys, edr_key_gaps = parse_edr_keys(raw_edr_keys)
        tier_policies, found = tier_ids(
            _json(get_config("syncro:tierPolicies")), "tierPolicies", "policy", stack
        )
        problems.extend(f"{where}: {line}" for line in found)
        tier_slas, found = tier_ids(_json(get_config("syncro:tierSlas")), "tierSlas", "SLA", stack)
        problems.extend(f"{where}: {line}" for line in found)
        deliverables_mode = config.get("deliverables") or catalog.DEFAULT_DELIVERABLES_MODE
        if deliverables_mode not in catalog.DELIVERABLES_MODES:
            problem(
                "deliverables",
                f"is {deliverables_mode[:40]!r}, not "
                f"{' or '.join(map(repr, catalog.DELIVERABLES_MODES))}",
                f"pulumi config set syncro:deliverables {catalog.DEFAULT_DELIVERABLES_MODE} "
                f"--stack {stack} (our daily scheduler opens each deliverable ticket; "
                "'syncro' uses Syncro's own recurring tickets)",
            )
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            header = f"{count} in the stack config; nothing was sent to Syncro:"
            raise StackConfigError("\n".join([header, *problems]))
        return cls(
            stack=stack,
            admin_mode=admin_mode,
            support_mailbox=support_mailbox,
            staff_alert_to=tuple(staff),
            protect_organizations=bool(protect),
            edr_keys=edr_keys,
            edr_key_gaps=edr_key_gaps,
            tier_policies=tier_policies,
            tier_slas=tier_slas,
            deliverables_mode=deliverables_mode,
        )

    def require_edr_keys(self, specs: Iterable[CustomerSpec]) -> None:
        """Every customer needs both EDR keys before anything is applied; the message
        names the file, the config path and the command, never a key."""
        problems = edr_key_problems(specs, self.edr_keys, self.edr_key_gaps, self.stack)
        if problems:
            raise CustomerFileError(problems)

    def edr_keys_for(self, client_id: str) -> pulumi.Output[dict[str, str]]:
        """The customer's keys under catalog.EDR_KEY_FIELDS, as a secret."""
        return pulumi.Output.secret(dict(self.edr_keys[client_id].values))

    def tier_policy_id(self, tier: str) -> int | None:
        """The Syncro policy id from syncro:tierPolicies.<tier>, or None when unset."""
        return self.tier_policies.get(tier)

    def tier_sla_id(self, tier: str) -> int | None:
        """The Syncro SLA id from syncro:tierSlas.<tier>, or None when unset."""
        return self.tier_slas.get(tier)


def _json(raw: str | None) -> Any:
    """Stack config arrives as text; structured values as JSON."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
