"""What a person confirms that Syncro's public API cannot show, kept in a reviewable file.

`confirmations/<stack>.yaml` lists, per item, the fingerprint of the configuration the
person saw in Syncro's web UI, who confirmed it and when. A confirmation counts only
while its fingerprint is the item's current one: change the mailbox's settings in the
code and the old confirmation no longer covers it. Removals are confirmed the same way
(the fingerprint of the removal step).

    python -m resources.confirmations --stack prod mailbox@1a2b3c4d [--by me@msp.example]

(`make confirm STACK=prod ITEM=mailbox@1a2b3c4d` runs it) appends one entry; commit
the file in a pull request so the confirmation is reviewed like any other change.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

FOLDER = "confirmations"


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    fingerprint: str
    by: str
    at: str
    note: str | None = None

    def text(self) -> str:
        return f"confirmed by {self.by} at {self.at}"


class ConfirmationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirmations: list[Confirmation] = []


class ConfirmationsError(ValueError):
    """A confirmations file that cannot be read: names the file, the entry and the fix."""


def fingerprint(values: Mapping[str, Any]) -> str:
    """Eight hex digits of the configuration a person is asked to type (stable JSON)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def removal_fingerprint(item_fingerprint: str) -> str:
    return fingerprint({"remove": item_fingerprint})


def path_for(root: Path, stack: str) -> Path:
    return root / FOLDER / f"{stack}.yaml"


def load(root: Path, stack: str) -> dict[tuple[str, str], Confirmation]:
    """Confirmations by (key, fingerprint); an absent file confirms nothing."""
    path = path_for(root, stack)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
        parsed = ConfirmationsFile.model_validate(data)
    except yaml.YAMLError as problem:
        raise ConfirmationsError(f"{path}: not valid YAML ({problem}). Fix the file.") from None
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfirmationsError(
            f"{path}: {where}: {first['msg']}. Fix: each entry under `confirmations:` has "
            "key, fingerprint, by, at (and an optional note); write them with "
            f"`make confirm STACK={stack} ITEM=<key>@<fingerprint>`."
        ) from None
    return {(c.key, c.fingerprint): c for c in parsed.confirmations}


def who() -> str:
    """The confirming person: git's user.email, else the login name."""
    try:
        email = subprocess.run(
            ["git", "config", "user.email"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        email = ""
    return email or os.environ.get("USER") or getpass.getuser()


def add(
    root: Path, stack: str, key: str, item_fingerprint: str, by: str, note: str | None = None
) -> Confirmation:
    """Append one confirmation (the file keeps every earlier one: it is the record)."""
    path = path_for(root, stack)
    load(root, stack)  # a broken file is reported before it is extended
    entry = Confirmation(
        key=key,
        fingerprint=item_fingerprint,
        by=by,
        at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        note=note,
    )
    data = yaml.safe_load(path.read_text()) if path.exists() else None
    data = data or {}
    data.setdefault("confirmations", []).append(entry.model_dump(exclude_none=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Stack {stack}: what a person confirmed in Syncro's web UI that the public API\n"
        "# cannot show. Written by `make confirm`; reviewed in pull requests.\n"
    )
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record a confirmation for a runbook item.")
    parser.add_argument("--stack", required=True)
    parser.add_argument("item", help="<key>@<fingerprint>, exactly as the runbook prints it")
    parser.add_argument("--by", default=None, help="who confirms (default: git user.email)")
    parser.add_argument("--note", default=None)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    key, sep, item_fingerprint = args.item.rpartition("@")
    if not sep or not key or len(item_fingerprint) != 8:
        print(
            f"item {args.item!r} must be <key>@<fingerprint> as the runbook prints it, "
            "e.g. mailbox@1a2b3c4d",
            file=sys.stderr,
        )
        return 2
    try:
        entry = add(args.root, args.stack, key, item_fingerprint, args.by or who(), args.note)
    except ConfirmationsError as problem:
        print(problem, file=sys.stderr)
        return 2
    print(f"{key}: {entry.text()} ({path_for(args.root, args.stack)}); commit it for review")
    return 0


if __name__ == "__main__":
    sys.exit(main())
