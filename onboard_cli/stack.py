"""The stack `syncro-onboard` works on: its config, its outputs, and a client built from them.

Config and outputs come from the real Pulumi CLI (`pulumi config --json --show-secrets`,
`pulumi stack output --json`), in the offline environment of scripts/env.sh, so the tool
reads exactly what `make up` reads. The values are checked by the program's own
`resources.settings.StackSettings.load` (fed the same config map), so a bad stack file
stops here with the same message, before any request. The API token stays inside the
httpx client's headers; nothing here prints, logs or repr()s it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime import config as pulumi_config
from pulumi.runtime import settings as pulumi_settings

from resources.settings import StackSettings
from resources.syncro import SyncroClient

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_SCRIPT = REPO_ROOT / "scripts" / "env.sh"
EDR_CONFIG_KEY = "syncro:edrKeys"
# The stored names under syncro:edrKeys.<CID>; resources/settings.py maps them to
# catalog.EDR_KEY_FIELDS (HUNT_A-KEY, HUNT_O-KEY).
EDR_SLOTS = ("account", "org")


class StackError(Exception):
    """The stack cannot be read (no such stack, no CLI, bad config): message has the fix."""


@dataclass
class PulumiCli:
    """The real `pulumi` binary, run in `project_dir` with scripts/env.sh's environment.

    `env` replaces that environment (tests pass their own, with the state in tmp).
    """

    project_dir: Path
    env: dict[str, str] | None = None

    def run(
        self, stack: str, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = ["pulumi", *args, "--stack", stack, "--non-interactive"]
        if self.env is not None:
            env = self.env
        else:
            env = {**os.environ, "STACK": stack}
            command = ["bash", "-c", f'source "{ENV_SCRIPT}" && exec "$@"', "pulumi", *command]
        try:
            proc = subprocess.run(
                command,
                cwd=self.project_dir,
                env=env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except FileNotFoundError as exc:
            raise StackError(
                "the pulumi CLI is not installed. Fix: make cli (scripts/install-pulumi)"
            ) from exc
        if check and proc.returncode != 0:
            # The CLI's own message (it never echoes secret values back).
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise StackError(f"pulumi {args[0]} on stack '{stack}' failed: {detail[0]}")
        return proc


@dataclass
class Stack:
    """One stack's settings, as the program sees them. The token is never shown."""

    name: str
    pulumi: PulumiCli
    base_url: str
    requests_per_minute: float
    settings: StackSettings
    _token: str = field(repr=False)
    edr_key_owners: frozenset[str] = frozenset()
    public_config: dict[str, Any] = field(default_factory=dict, repr=False)
    """`pulumi config --json` entries that are not secret (the scheduler's settings)."""

    @classmethod
    def load(cls, name: str, pulumi: PulumiCli) -> Stack:
        raw = json.loads(pulumi.run(name, "config", "--json", "--show-secrets").stdout or "{}")
        flat = {key: str(entry.get("value", "")) for key, entry in raw.items()}
        secret_keys = [key for key, entry in raw.items() if entry.get("secret")]
        # The program's validation, fed this map: same checks, same messages.
        pulumi_config.set_all_config(flat, secret_keys)
        pulumi_settings._set_stack(name)
        try:
            settings = StackSettings.load()
        except Exception as problem:
            raise StackError(str(problem)) from None
        rpm = float(flat.get("syncro:requestsPerMinute") or 170)
        owners = frozenset((raw.get(EDR_CONFIG_KEY) or {}).get("objectValue") or {})
        return cls(
            name=name,
            pulumi=pulumi,
            base_url=flat["syncro:baseUrl"],
            requests_per_minute=rpm,
            settings=settings,
            _token=flat["syncro:apiToken"],
            edr_key_owners=owners,
            public_config={k: v for k, v in raw.items() if not v.get("secret")},
        )

    def client(self, **overrides: Any) -> SyncroClient:
        """The program's client: the stack's pacing budget, retries, never the token shown."""
        options: dict[str, Any] = {"requests_per_minute": self.requests_per_minute}
        options.update(overrides)
        client = SyncroClient(self.base_url, self._token, **options)
        return client

    def outputs(self) -> dict[str, Any]:
        """The stack outputs (secrets stay `[secret]`); {} for a stack never brought up."""
        proc = self.pulumi.run(self.name, "stack", "output", "--json", check=False)
        if proc.returncode != 0:
            return {}
        try:
            return json.loads(proc.stdout or "{}")
        except ValueError:
            return {}

    def store_edr_keys(
        self,
        keys: Mapping[str, tuple[str, str]],
        on_stored: Callable[[str], None] | None = None,
    ) -> list[str]:
        """Store `{client_id: (HUNT_A-KEY, HUNT_O-KEY)}` in this stack's secret config."""
        return store_edr_keys(self.pulumi, self.name, keys, on_stored)


def store_edr_keys(
    pulumi: PulumiCli,
    stack: str,
    keys: Mapping[str, tuple[str, str]],
    on_stored: Callable[[str], None] | None = None,
) -> list[str]:
    """`syncro:edrKeys.<CID>.account|org`, encrypted: the one implementation, used by
    `syncro-onboard import` and scripts/set-edr-keys (`syncro-onboard set-edr-keys`).

    Each value reaches `pulumi config set --secret --path <key>` on stdin, never on its
    command line: argv is readable by every user of the machine (`ps`, /proc/PID/cmdline).
    `config set-all` would take them all in one call, but only as argv. The cost is one
    CLI run per value (about 0.3 s, the passphrase key derivation). Returns the client IDs
    stored, in order; `on_stored(client_id)` after each."""
    stored = []
    for client_id, values in sorted(keys.items()):
        for slot, value in zip(EDR_SLOTS, values, strict=True):
            key = f"{EDR_CONFIG_KEY}.{client_id}.{slot}"
            pulumi.run(stack, "config", "set", "--secret", "--path", key, stdin=value)
        stored.append(client_id)
        if on_stored:
            on_stored(client_id)
    return stored
