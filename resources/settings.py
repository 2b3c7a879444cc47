"""The program's view of the stack config (`syncro:` namespace), read once in __main__.

Every setting is checked here, before any resource is registered, so a bad stack
file stops the run with the key and the command that fixes it and no API call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.config import get_config

from resources.spec import email_problem

SYNCRO_REQUESTS_PER_MINUTE = 180  # Syncro's documented limit per IP
PLACEHOLDER = re.compile(r"YOUR-SUBDOMAIN", re.IGNORECASE)


class StackConfigError(Exception):
    """Problems in `Pulumi.<stack>.yaml`, one per line, each with its fix."""


@dataclass(frozen=True)
class StackSettings:
    stack: str
    admin_mode: str
    support_mailbox: str
    staff_alert_to: tuple[str, ...]
    protect_organizations: bool
    edr_keys: dict[str, Any]
    """Plain values, held only to validate before any API call; the program wraps each
    customer's keys in a secret before they reach a resource."""

    @classmethod
    def load(cls) -> StackSettings:
        stack = pulumi.get_stack()
        config = pulumi.Config("syncro")
        where = f"Pulumi.{stack}.yaml"
        problems: list[str] = []

        def problem(key: str, what: str, fix: str) -> None:
            problems.append(f"{where}: syncro:{key} {what}. Fix: {fix}")

        admin_mode = config.get("adminMode") or "runbook"
        if admin_mode not in ("api", "runbook"):
            problem(
                "adminMode",
                f"is {admin_mode!r}, not 'api' or 'runbook'",
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
        edr_keys = _json(get_config("syncro:edrKeys")) or {}
        if not isinstance(edr_keys, dict):
            problem(
                "edrKeys",
                "is not an object keyed by client ID",
                f"pulumi config rm syncro:edrKeys --stack {stack}, then "
                f"scripts/set-edr-keys CS-#### <HUNT_A-KEY> <HUNT_O-KEY> {stack}",
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
        )

    def edr_keys_for(self, client_id: str) -> pulumi.Output[dict[str, str]]:
        keys = self.edr_keys[client_id]
        return pulumi.Output.secret({"HUNT_A-KEY": keys["account"], "HUNT_O-KEY": keys["org"]})


def _json(raw: str | None) -> Any:
    """Stack config arrives as text; structured values as JSON."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
