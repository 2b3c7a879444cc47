"""The SOP's kickoff check, against the local emulator after `pulumi up`.

For every onboarded customer and each of its domains, send a test email from a
*fresh* address (one no contact and no customer uses, new on every run) into the
emulator's inbound pipeline and check what Syncro would do: the email rule, not an
earlier routing step, wins it; a ticket opens on the right organization; the sender
becomes a contact under it; the acknowledgement carries the ticket number. Then the
main contact mails in too: that must open a ticket on the organization as well, but
Syncro matches it by the customer's own email before any rule, so it proves nothing
about the rules (and `refresh` never counts it as a rule's evidence). Prints a
summary table; exits 1 on any failure.

Usage: python scripts/verify_onboarding.py --outputs outputs.json [--emulator URL]
(URL defaults to $EMULATOR_URL, which scripts/env.sh sets from EMULATOR_PORT.)
(`outputs.json` is `pulumi stack output --json`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resources.deliverables import Schedule, schedules_from_outputs  # noqa: E402

CHECK_SENDER = "onboarding-check"


def _mail(http: httpx.Client, sender: str, mailbox: str, subject: str) -> dict:
    reply = http.post(
        "/_emulator/inbound-email",
        json={
            "from": sender,
            "to": mailbox,
            "subject": subject,
            "body": "Sent by the kickoff check to prove routing works.",
        },
    )
    reply.raise_for_status()
    return reply.json()


def _problems(got: dict, organization_id: int, *, by_rule: bool) -> list[str]:
    ack = got.get("acknowledgement") or {}
    number = got.get("ticket_number")
    problems = []
    if got.get("outcome") != "ticket":
        problems.append(f"outcome {got.get('outcome')!r}, expected a ticket")
    if got.get("customer_id") != organization_id:
        problems.append(f"ticket on customer {got.get('customer_id')}, expected {organization_id}")
    if by_rule and got.get("matched_by") != "email_rule":
        problems.append(f"won by {got.get('matched_by')!r}, not by the email rule")
    if by_rule and not got.get("contact_created"):
        problems.append("no contact created for the sender")
    if number is None or str(number) not in f"{ack.get('subject', '')} {ack.get('body', '')}":
        problems.append("acknowledgement lacks the ticket number")
    return problems


def verify(outputs: dict, emulator: str, mailbox: str) -> list[dict]:
    run = uuid.uuid4().hex[:8]
    rows = []
    with httpx.Client(base_url=emulator, timeout=30) as http:
        for client_id, customer in sorted(outputs["customers"].items()):
            if customer.get("removed"):
                continue
            senders = [
                (f"{CHECK_SENDER}-{run}@{domain}", True) for domain in customer["email_rules"]
            ]
            if customer.get("main_contact"):
                senders.append((customer["main_contact"], False))
            for sender, by_rule in senders:
                got = _mail(http, sender, mailbox, f"Kickoff check for {client_id} from {sender}")
                problems = _problems(got, customer["organization_id"], by_rule=by_rule)
                rows.append(
                    {
                        "client_id": client_id,
                        "organization": customer["business_name"],
                        "sender": sender,
                        "proves": "email rule" if by_rule else "main contact (no rule)",
                        "matched_by": got.get("matched_by"),
                        "ticket": got.get("ticket_number"),
                        "lead": got.get("lead_id"),
                        "result": "OK" if not problems else "FAIL: " + "; ".join(problems),
                    }
                )
    return rows


def _first(got: httpx.Response, plural: str) -> list[dict]:
    got.raise_for_status()
    body = got.json()
    return body.get(plural, []) if isinstance(body, dict) else body


def _one(api: httpx.Client, path: str, object_id: object) -> dict | None:
    """One object by id (contracts and contacts answer flat objects), None when unset."""
    if not isinstance(object_id, int | float):
        return None
    got = api.get(f"{path}/{int(object_id)}")
    got.raise_for_status()
    return got.json()


def _next_occurrence(schedules: tuple[Schedule, ...], today: date) -> tuple[str, date, date]:
    """The deliverable whose next ticket opens first: (subject, opens on, due)."""
    upcoming = []
    for schedule in schedules:
        n = 1
        while schedule.due(n) < today:
            n += 1
        occurrence = schedule.occurrence(n)
        upcoming.append((occurrence.due - timedelta(days=schedule.lead_days), occurrence))
    opens, occurrence = min(upcoming, key=lambda pair: (pair[0], pair[1].subject))
    return occurrence.subject, opens, occurrence.due


def summary(outputs: dict, api_url: str, token: str, today: date) -> list[dict]:
    """What Syncro's public API shows of the objects issue 13 made per customer."""
    rows = []
    headers = {"Authorization": f"Bearer {token}"}
    plans = {c.client_id: c for c in schedules_from_outputs(outputs["customers"])}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as api:
        for client_id, customer in sorted(outputs["customers"].items()):
            if customer.get("removed"):
                continue
            org = customer["organization_id"]
            folders = _first(
                api.get("/policy_folders", params={"customer_id": org}), "policy_folders"
            )
            root = next((f for f in folders if f.get("parent_id") is None), {})
            # By the ids the stack exported: GET /contracts takes no customer filter in
            # Syncro's spec, so a list would read every customer's contracts.
            contract = _one(api, "/contracts", customer.get("contract_id"))
            contact = _one(api, "/contacts", customer.get("contact_id"))
            tickets = _first(api.get("/tickets", params={"customer_id": org}), "tickets")
            subject, opens, due = _next_occurrence(plans[client_id].schedules, today)
            opened = next((t for t in tickets if t.get("subject") == subject), None)
            main = customer.get("main_contact")
            rows.append(
                {
                    "client_id": client_id,
                    "policy folder": f"{root.get('id')} policy {root.get('effective_policy_id')}",
                    "contract / SLA": (
                        f"{contract.get('name')} (sla {contract.get('sla_id')})"
                        if contract and contract.get("customer_id") == org
                        else "none"
                    ),
                    "main contact": (
                        f"{contact['id']} {contact['email']}"
                        if contact and contact.get("email") == main
                        else "none"
                    ),
                    "first deliverable": f"{subject}: "
                    + (
                        f"ticket {opened['number']} open"
                        if opened
                        else f"opens {opens.isoformat()} (lead time before {due.isoformat()})"
                    ),
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
    token = os.environ.get("SYNCRO_API_TOKEN")
    if token:  # the objects made through the public API, read back through it
        with httpx.Client(base_url=args.emulator, timeout=30) as http:
            today = date.fromisoformat(http.get("/_emulator/clock").json()["now"])
        print(table(summary(outputs, f"{args.emulator}/api/v1", token, today)) + "\n")
    rows = verify(outputs, args.emulator, args.mailbox)
    print(table(rows))
    failed = [r for r in rows if r["result"] != "OK"]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
