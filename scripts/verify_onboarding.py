"""The SOP's end-to-end check, against the local emulator after `pulumi up`.

For every onboarded customer and each of its domains, send a test email into the
emulator's inbound pipeline and check what Syncro would do: a ticket opens on
the right organization, the sender becomes a contact under it, and the branded
acknowledgement carries the ticket number. Prints a summary table; exits 1 on
any failure.

Usage: python scripts/verify_onboarding.py --outputs outputs.json [--emulator URL]
(URL defaults to $EMULATOR_URL, which scripts/env.sh sets from EMULATOR_PORT.)
(`outputs.json` is `pulumi stack output --json`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import httpx

CHECK_SENDER = "onboarding-check"


def verify(outputs: dict, emulator: str, mailbox: str) -> list[dict]:
    rows = []
    with httpx.Client(base_url=emulator, timeout=30) as http:
        for client_id, customer in sorted(outputs["customers"].items()):
            for domain in customer["email_rules"]:
                sender = f"{CHECK_SENDER}@{domain}"
                reply = http.post(
                    "/_emulator/inbound-email",
                    json={
                        "from": sender,
                        "to": mailbox,
                        "subject": f"Onboarding check for {client_id} from {domain}",
                        "body": "Sent by make demo to prove routing works.",
                    },
                )
                reply.raise_for_status()
                got = reply.json()
                ack = got.get("acknowledgement") or {}
                number = got.get("ticket_number")
                ack_text = f"{ack.get('subject', '')} {ack.get('body', '')}"
                problems = []
                if got.get("outcome") != "ticket":
                    problems.append(f"outcome {got.get('outcome')!r}, expected a ticket")
                if got.get("customer_id") != customer["organization_id"]:
                    problems.append(
                        f"ticket on customer {got.get('customer_id')}, "
                        f"expected {customer['organization_id']}"
                    )
                if not got.get("contact_id"):
                    problems.append("no contact for the sender")
                if number is None or str(number) not in ack_text:
                    problems.append("acknowledgement lacks the ticket number")
                rows.append(
                    {
                        "client_id": client_id,
                        "organization": customer["business_name"],
                        "tier": customer["tier"],
                        "domain": domain,
                        "ticket": number,
                        "contact": "created" if got.get("contact_created") else "existing",
                        "deliverables": len(customer["deliverables"]),
                        "result": "OK" if not problems else "FAIL: " + "; ".join(problems),
                    }
                )
    return rows


def table(rows: list[dict]) -> str:
    headers = list(rows[0]) if rows else ["result"]
    widths = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in headers}
    line = " | ".join(h.ljust(widths[h]) for h in headers)
    out = [line, "-+-".join("-" * widths[h] for h in headers)]
    out += [" | ".join(str(r[h]).ljust(widths[h]) for h in headers) for r in rows]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=Path, required=True)
    # EMULATOR_URL: this checkout's emulator, as scripts/env.sh chooses its port.
    default_url = os.environ.get("EMULATOR_URL", "http://127.0.0.1:8787")
    parser.add_argument("--emulator", default=default_url)
    parser.add_argument("--mailbox", default="help@cybersuite.tech")
    args = parser.parse_args()
    outputs = json.loads(args.outputs.read_text())
    rows = verify(outputs, args.emulator, args.mailbox)
    print(table(rows))
    failed = [r for r in rows if r["result"] != "OK"]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
