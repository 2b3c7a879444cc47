"""A person following a runbook page in Syncro's web UI, played on the emulator's
person's surface (`/_person/v1`): every step is read from the page (`parse_steps`) and
done exactly as written; confirm commands are run as printed. Used by the runbook-mode
end-to-end test and by the README's walkthrough:

    .venv/bin/python -m tests.runbook_person runbooks/trial.md \
        --person-url http://127.0.0.1:8795/_person/v1 --person-token trial-person \
        --api-url http://127.0.0.1:8795/api/v1 --token trial-token [--confirm]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from resources.runbook import ParsedStep, parse_steps

REPO_ROOT = Path(__file__).resolve().parents[1]
FIELD_TYPES = {"Text": "text", "Drop Down": "dropdown", "Date": "date"}
AUTO_CREATE = {"Never": "never", "Always": "always", "Only for existing Customers": "only_existing"}


class Person:
    """Works in Syncro's web UI (here the emulator's UI stand-in) from the page's words only."""

    def __init__(self, root: Path, person_url: str, person_token: str, api_url: str, token: str):
        self.root = root  # the project folder holding confirmations/
        self.person_url, self.person_token = person_url, person_token
        self.api_url, self.token = api_url, token

    def _ui(self, method: str, path: str, **kwargs: Any) -> Any:
        with httpx.Client(
            base_url=self.person_url,
            headers={"Authorization": f"Bearer {self.person_token}"},
            timeout=30,
        ) as http:
            reply = http.request(method, f"/{path}", **kwargs)
            reply.raise_for_status()
            return reply.json() if reply.content else None

    def list(self, collection: str) -> list[dict]:
        return self._ui("GET", collection)[collection]

    def _user_id(self, email: str) -> int:
        with httpx.Client(
            base_url=self.api_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        ) as http:
            for entry in http.get("/users").json()["users"]:
                user_id = entry[0] if isinstance(entry, list) else entry["id"]
                user = http.get(f"/users/{user_id}").json()["user"]
                if user["email"] == email:
                    return int(user_id)
        raise AssertionError(f"no Syncro user {email}")

    @staticmethod
    def _customer_id(text: str) -> int:
        found = re.search(r"Syncro customer id (\d+)", text)
        assert found, f"the runbook names no customer id: {text}"
        return int(found.group(1))

    def perform(self, step: ParsedStep) -> None:
        kind = step.key.split(":", 1)[0]
        v = step.values
        if step.verb == "Delete":
            collection = {"rule": "email_rules", "deliverable": "recurring_tickets"}[kind]
            label, field = (
                ("From email domain", "sender") if kind == "rule" else ("Subject", "subject")
            )
            needle = v.get(f"Find it by {label}") or next(iter(v.values()))
            for obj in self._ui("GET", collection)[collection]:
                if obj[field] == needle:
                    self._ui("DELETE", f"{collection}/{obj['id']}")
            return
        if kind == "field":
            answers = v.get("Answers, in this order", "")
            method, path = "POST", "customer_fields"
            body = {
                "name": v["Name"],
                "field_type": FIELD_TYPES[v["Field type"]],
                "answers": [a for a in answers.split(", ") if a],
            }
        elif kind == "mailbox":
            (box,) = [
                m for m in self._ui("GET", "mailboxes")["mailboxes"] if m["address"] == v["Address"]
            ]
            method, path = "PUT", f"mailboxes/{box['id']}"
            body = {
                "address": v["Address"],
                "active": v["Active"] == "ON",
                "auto_create": AUTO_CREATE[v["Automatically Create Tickets"]],
            }
        elif kind == "preferences":
            method, path = "PUT", "ticket_preferences"
            body = {
                "create_tickets_from_leads": v["Create Tickets from Leads (If Valid)"] == "ON",
                "enable_recurring_tickets": v["Enable Recurring Tickets"] == "ON",
            }
        elif kind == "automation":
            method, path = "POST", "ticket_automations"
            body = {
                "name": v["Name"],
                "kind": step.key.split(":", 1)[1],
                "subject_template": v["Email subject"],
                "body_template": step.body,
                "notify": [a for a in v.get("Notify", "").split(", ") if a],
            }
        elif kind == "rule":
            method, path = "POST", "email_rules"
            body = {
                "sender": v["From email domain"],
                "subject_filter": None if v["Subject filter"] == "(empty)" else v["Subject filter"],
                "customer_id": self._customer_id(v["Assign to Organization"]),
                "assignee_user_id": None,
                "mailbox_id": None,
                "auto_create_contact": v["Auto Create Contact Under Above Customer"] == "ON",
                "position": int(v["Position"]),
            }
        elif kind == "deliverable":
            method, path = "POST", "recurring_tickets"
            body = {
                "customer_id": self._customer_id(v["Customer"]),
                "subject": v["Subject"],
                "problem_type": v["Issue Type"],
                "user_id": self._user_id(v["Assignee"]),
                "frequency": v["Frequency"].lower(),
                "next_due": v["Next due date"],
                "lead_days": int(v["Lead days"].split(" ", 1)[0]),
            }
        else:
            raise AssertionError(f"a step the person cannot follow: {step}")
        self._ui(method, path, json=body)

    def confirm(self, step: ParsedStep) -> None:
        assert step.confirm, f"{step.key} has no confirm command"
        item = step.confirm.split("ITEM=", 1)[1]
        stack = re.search(r"STACK=(\S+)", step.confirm).group(1)
        done = subprocess.run(
            [
                str(REPO_ROOT / ".venv/bin/python"),
                "-m",
                "resources.confirmations",
                "--stack",
                stack,
                "--by",
                "pat@cybersuite.tech",
                "--root",
                str(self.root),
                item,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--person-url", required=True)
    parser.add_argument("--person-token", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--confirm", action="store_true", help="run each confirm command too")
    parser.add_argument("--only-pending", action="store_true", help="skip steps done already")
    args = parser.parse_args(argv)
    person = Person(args.root, args.person_url, args.person_token, args.api_url, args.token)
    text = args.page.read_text()
    for step in parse_steps(text):
        head = next(line for line in text.splitlines() if line.startswith(f"{step.number}. "))
        if args.only_pending and "(status: `pending" not in head:
            continue
        person.perform(step)
        print(f"done: {step.number}. {step.verb} {step.key}")
        if args.confirm and step.confirm:
            person.confirm(step)
            print(f"      {step.confirm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
