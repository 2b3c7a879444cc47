"""The program's view of the stack config (`syncro:` namespace), read once in __main__."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.config import get_config


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
        config = pulumi.Config("syncro")
        admin_mode = config.get("adminMode") or "runbook"
        if admin_mode not in ("api", "runbook"):
            raise pulumi.RunError(
                f"stack config syncro:adminMode is {admin_mode!r}. Fix: "
                "pulumi config set syncro:adminMode runbook   (or api, for the emulator)"
            )
        # The raw getter: Config.get_object would warn that a secret is read in plaintext.
        raw_edr = get_config("syncro:edrKeys")
        return cls(
            stack=pulumi.get_stack(),
            admin_mode=admin_mode,
            support_mailbox=config.get("supportMailbox") or "help@cybersuite.tech",
            staff_alert_to=tuple(config.get_object("staffAlertTo") or ("noc@cybersuite.tech",)),
            protect_organizations=config.get_bool("protectOrganizations") or False,
            edr_keys=json.loads(raw_edr) if raw_edr else {},
        )

    def edr_keys_for(self, client_id: str) -> pulumi.Output[dict[str, str]]:
        keys = self.edr_keys[client_id]
        return pulumi.Output.secret({"HUNT_A-KEY": keys["account"], "HUNT_O-KEY": keys["org"]})
