"""`make runbook`: the full runbook from the stack's state as it is now, no program run.

`pulumi refresh` rewrites each resource's outputs (its status and evidence) but not the
stack outputs, so the `runbook` output is as old as the last `up`. This reads the state
(`pulumi stack export`) instead: the last ledger (`ui_ledger`), every UI-only object's
status and evidence from its own outputs, and `confirmations/<stack>.yaml` as it is now.

    pulumi stack export --stack prod | python -m resources.runbook_state --stack prod
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from resources import confirmations
from resources.ledger import Books, UiItem
from resources.objects.email_rule import EMAIL_RULE
from resources.objects.platform import (
    CUSTOM_FIELD_DEFINITION,
    SUPPORT_MAILBOX,
    TICKET_AUTOMATION,
    TICKET_PREFERENCES,
)
from resources.objects.recurring_ticket import RECURRING_TICKET
from resources.runbook import render_runbook, waiting

DECLARATIONS = {
    d.name: d
    for d in (
        EMAIL_RULE,
        RECURRING_TICKET,
        CUSTOM_FIELD_DEFINITION,
        SUPPORT_MAILBOX,
        TICKET_PREFERENCES,
        TICKET_AUTOMATION,
    )
}


def from_state(deployment: Mapping[str, Any], stack: str, confirmed: Mapping) -> tuple[str, int]:
    """(the full runbook, steps waiting) from an exported deployment."""
    resources = deployment.get("deployment", deployment).get("resources") or []
    root = next((r for r in resources if r["type"] == "pulumi:pulumi:Stack"), {})
    ledger = (root.get("outputs") or {}).get("ui_ledger") or {}
    statuses: dict[str, str | None] = {}
    evidence: dict[str, str | None] = {}
    for resource in resources:
        name = resource["type"].rsplit(":", 1)[-1]
        declaration = DECLARATIONS.get(name)
        outs = resource.get("outputs") or {}
        if declaration is None or declaration.status_key is None or outs.get("pending_removal"):
            continue
        key = declaration.status_key(outs)
        statuses[key] = outs.get("status")
        evidence[key] = outs.get("evidence")
    books = Books([UiItem.from_record(k, r) for k, r in ledger.items()], [])
    text = render_runbook(stack, books, statuses, evidence, confirmed)
    return text, waiting(books, statuses, confirmed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    deployment = json.load(sys.stdin)
    try:
        confirmed = confirmations.load(args.root, args.stack)
    except confirmations.ConfirmationsError as problem:
        print(problem, file=sys.stderr)
        return 2
    text, count = from_state(deployment, args.stack, confirmed)
    folder = args.root / "runbooks"
    folder.mkdir(exist_ok=True)
    (folder / f"{args.stack}.md").write_text(text)
    print(f"runbook: {count} steps wait for a person: runbooks/{args.stack}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
