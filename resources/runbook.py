"""The runbook: what a person types into Syncro's web UI for the objects its API lacks.

In `runbook` mode the program writes none of these objects; these pages are then the
only way they come to exist. Two pages come from one ledger (resources/ledger.py):
the *change runbook* (what this `up` or `preview` asks: additions, changes old -> new,
removals) and the *full runbook* (every object, its status and its evidence). Each
step is one numbered item whose `- Label: value` lines hold every value verbatim as a
code span, so a person can copy them and a machine can follow them (`parse_steps`).
Pure and deterministic; nothing in it is secret (EDR key values never reach a plan).

UI paths and labels are the ones Syncro's documentation and the onboarding SOP use;
where no source names a path, the page says so instead of guessing one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from resources.confirmations import Confirmation
from resources.ledger import Books, Change, UiItem, effective_status
from resources.text import md_code, md_text

PATH_FIELDS = "Admin > Customers - Customer Custom Fields"
PATH_MAILBOXES = "Admin > Emails/SMS - Mailboxes"
PATH_PREFERENCES = "Admin > Tickets - Preferences"
PATH_EMAIL_RULES = "Admin > Emails/SMS - Mailboxes > Email Rules"
PATH_RECURRING = "Tickets > Recurring Tickets"
PATH_AUTOMATIONS = "Admin > Ticket Automations"

DONE = ("verified", "confirmed", "applied")
FIND_BY = ("From email domain", "Subject", "Name", "Address")
"""The value that identifies an object on its Syncro page, for a removal step."""
"""Statuses that ask nothing more of a person."""


# --- status keys (contract 4) -------------------------------------------------------------


def status_key_field(name: str) -> str:
    return f"field:{name}"


def status_key_mailbox() -> str:
    return "mailbox"


def status_key_preferences() -> str:
    return "preferences"


def status_key_automation(kind: str) -> str:
    return f"automation:{kind}"


def status_key_rule(client_id: str, domain: str) -> str:
    return f"rule:{client_id}:{domain}"


def status_key_deliverable(client_id: str, key: str) -> str:
    return f"deliverable:{client_id}:{key}"


# --- markdown helpers -------------------------------------------------------------------


def code(text: str) -> str:
    """`text` as an inline code span a person copies verbatim (resources/text.py)."""
    return md_code(text)


def uncode(span: str) -> str:
    """The value inside a `code` span (the inverse, for `parse_steps`)."""
    match = re.fullmatch(r"(`+)( ?)(.*?)\2\1", span.strip(), re.S)
    return match.group(3) if match else span.strip()


def block(text: str, indent: str) -> list[str]:
    """`text` as a fenced code block inside a list item, so templates stay verbatim."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [
        f"{indent}{fence}text",
        *(f"{indent}{line}" for line in text.split("\n")),
        indent + fence,
    ]


# --- what each section says ---------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    title: str
    path: str
    why: str
    verify: str


SECTION_TEXT = {
    "fields": Section(
        "Customer custom fields",
        PATH_FIELDS,
        "Syncro drops a customer's custom field value when the field is not defined, so "
        "define every field first, with the name exactly as shown (the program writes the "
        "values under these names through the API).",
        "refresh marks a field `verified` once `GET /settings` lists a customer custom field "
        "with this exact name.",
    ),
    "mailbox": Section(
        "Support mailbox",
        PATH_MAILBOXES,
        "Before the ticket preferences: with leads turning into tickets, a mailbox that "
        "creates tickets for anybody turns every unknown sender (spam included) into a new "
        'organization; "Only for existing Customers" lets only known senders and email-rule '
        "domains open tickets.",
        "the public API cannot show mailbox settings. Check the page, then record it with "
        "the step's confirm command (status `confirmed`).",
    ),
    "preferences": Section(
        "Ticket preferences",
        PATH_PREFERENCES,
        "Leads from the mailbox become tickets only with the first switch on; recurring "
        "tickets can be created only with the second. The Issue Types the recurring tickets "
        "use are listed in the same page's Ticket Issue Types section. Scroll down and "
        "click Save.",
        "the public API cannot show these switches. Check the page, then record it with the "
        "step's confirm command.",
    ),
    "automations": Section(
        "Ticket automations",
        PATH_AUTOMATIONS,
        "Automation type: **Ticket Created** (it runs as each ticket is created). Syncro "
        'offers the "Ticket Created" type only on its **Team plan** (on other plans only '
        '"Hourly" exists, which would acknowledge up to an hour late). Keep the `{{...}}` '
        "tags as they are: Syncro fills them in. Do this before any test email: the kickoff "
        "check expects the acknowledgement.",
        "the public API cannot show automations. Check the page, then record it with the "
        "step's confirm command.",
    ),
    "rules": Section(
        "Email rules",
        PATH_EMAIL_RULES,
        "Syncro matches an inbound email to a contact first, then to a customer's own "
        "email, and only then runs the rules, lowest position first (first match wins). "
        "Mail from each domain then opens a ticket on its organization and creates the "
        "sender as a contact there.",
        "refresh marks a rule `verified` only from a lead that the rule itself must have "
        "won: sent from an address at the domain that is neither a contact nor a customer's "
        "email, Won, with a ticket on the organization (the kickoff check below sends one). "
        "A mail from the main contact proves nothing: Syncro matches it to the customer "
        "without any rule.",
    ),
    "recurring": Section(
        "Recurring tickets",
        PATH_RECURRING,
        "One schedule per deliverable the customer's tier owes, assigned to the account "
        "manager. Copy each subject exactly: refresh recognises the tickets by it. Syncro "
        "creates recurring tickets once a day at 5 a.m. PST (6 a.m. PT during daylight "
        'saving time); "Enable Recurring Tickets" must be on.',
        "refresh marks a schedule `verified` once a ticket with this subject, created by a "
        "recurring schedule, exists on the customer (after its first run, which may be "
        "months away); until then, record it with the step's confirm command.",
    ),
}
ORDER = ("fields", "mailbox", "preferences", "automations", "rules", "recurring")


def _rule_order_note(items: Sequence[UiItem]) -> str:
    rules = [i for i in items if i.section == "rules" and not i.removal]
    positions = {i.values.get("Position") for i in rules}
    if len(positions) <= 1:
        return (
            f"Every rule here has position {next(iter(positions), '-')} and names a "
            "different domain, so no two can match the same mail: their order among "
            "themselves does not matter."
        )
    return "Positions differ: keep them as shown, Syncro runs the lowest position first."


# --- steps --------------------------------------------------------------------------------


@dataclass
class _Page:
    stack: str
    statuses: Mapping[str, str | None] | None
    evidence: Mapping[str, str | None]
    confirmed: Mapping[tuple[str, str], Confirmation]
    lines: list[str]
    step: int = 0

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def status(self, item: UiItem) -> tuple[str, str | None]:
        reported = (self.statuses or {}).get(item.key)
        status, why = effective_status(item, reported, self.confirmed)
        return status, why or self.evidence.get(item.key)

    def item(self, verb: str, item: UiItem, details: Sequence[str], *, confirm: bool) -> None:
        self.step += 1
        marker = f"{self.step}. "
        indent = " " * len(marker)
        suffix = ""
        if self.statuses is not None:
            status, why = self.status(item)
            suffix = f" (status: `{status}`" + (f"; {md_text(why)}" if why else "") + ")"
        title = f"{marker}{verb} {md_text(item.title)}{suffix}"
        self.add(title, f"{indent}- Key: {code(item.key)}")
        self.add(*(f"{indent}- {line}" for line in details))
        if confirm:
            self.add(f"{indent}- {self.confirm_command(item)}")

    def confirm_command(self, item: UiItem) -> str:
        command = f"make confirm STACK={self.stack} ITEM={item.key}@{item.step_fingerprint}"
        return f"Confirm when done: {code(command)}"


def _value_lines(item: UiItem) -> list[str]:
    return [
        f"{label}: {code(value)}" if label != "Email body" else "Email body: type it exactly:"
        for label, value in item.values.items()
    ]


def _typed_step(page: _Page, verb: str, item: UiItem) -> None:
    confirm = item.section in ("mailbox", "preferences", "automations", "recurring")
    page.item(
        verb,
        item,
        [f"Where: **{SECTION_TEXT[item.section].path}**", *_value_lines(item)],
        confirm=confirm,
    )


def _removal_step(page: _Page, item: UiItem) -> None:
    where = SECTION_TEXT[item.section].path
    # The ledger comes back through the stack outputs with its keys sorted: name the
    # identifying label, never "the first one".
    label = next((name for name in FIND_BY if name in item.values), next(iter(sorted(item.values))))
    find = (label, item.values[label])
    page.item(
        "Delete",
        item,
        [
            f"Where: **{where}**",
            f"Find it by {find[0]}: {code(find[1])}",
            "Syncro's public API cannot show that it is gone: it stays `pending-removal` "
            "until you confirm the deletion",
        ],
        confirm=True,
    )


def _change_step(page: _Page, change: Change) -> None:
    item = change.item
    details = [f"Where: **{SECTION_TEXT[item.section].path}**"]
    details += [f"{label}: {code(old)} -> {code(new)}" for label, old, new in change.moved()]
    page.item("Change", item, details, confirm=item.section != "rules" and item.section != "fields")


# --- pages ------------------------------------------------------------------------------


def render_changes(
    stack: str, books: Books, *, dry_run: bool, confirmed: Mapping | None = None
) -> str:
    """The change runbook: only what this change asks of a person, in the SOP's order."""
    page = _Page(stack, None, {}, confirmed or {}, [])
    verb = "preview" if dry_run else "up"
    page.add(f"# Syncro runbook: what this {verb} asks (stack `{stack}`)", "")
    if not books.changes:
        page.add("Nothing: this change needs no step in Syncro's web UI.", "")
        return "\n".join(page.lines)
    page.add(
        "Work through the steps in order in Syncro's web UI, signed in as an admin; type "
        "each value exactly as shown. Additions first, then changes, then removals. "
        f"Everything waiting, with statuses: `runbooks/{stack}.md`.",
        "",
    )
    for kind, title in (("add", "Additions"), ("change", "Changes"), ("remove", "Removals")):
        group = [c for c in books.changes if c.kind == kind]
        if not group:
            continue
        page.add("", f"## {title}", "")
        for change in group:
            if kind == "add":
                _typed_step(page, "Add", change.item)
                _extra(page, change.item)
            elif kind == "change":
                _change_step(page, change)
            else:
                _removal_step(page, change.item)
    page.add("", *_kickoff(stack, books.items), "")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(page.lines))


def _extra(page: _Page, item: UiItem) -> None:
    """A template body as a fenced block under its step, verbatim."""
    body = item.values.get("Email body")
    if body is not None:
        page.add("", *block(body, " " * (len(str(page.step)) + 2)), "")


def waiting(
    books: Books,
    statuses: Mapping[str, str | None],
    confirmed: Mapping[tuple[str, str], Confirmation],
) -> int:
    """How many steps still wait for a person (pending, pending-removal)."""
    return sum(
        1
        for item in books.items
        if effective_status(item, statuses.get(item.key), confirmed)[0] not in DONE
    )


def render_runbook(
    stack: str,
    books: Books,
    statuses: Mapping[str, str | None] | None = None,
    evidence: Mapping[str, str | None] | None = None,
    confirmed: Mapping[tuple[str, str], Confirmation] | None = None,
) -> str:
    """The full runbook: every UI-only object with its status, then removals waiting."""
    confirmed = confirmed or {}
    page = _Page(stack, statuses, evidence or {}, confirmed, [])
    for section in ORDER:
        items = [i for i in books.items if i.section == section and not i.removal]
        text = SECTION_TEXT[section]
        page.add("", f"## {ORDER.index(section) + 1}. {text.title}", "", f"Where: **{text.path}**")
        page.add("", text.why, "")
        if section == "rules" and items:
            page.add(_rule_order_note(books.items), "")
        page.add(f"Verification: {text.verify}", "")
        if not items:
            page.add("(Nothing in this stack.)")
        for item in items:
            _typed_step(page, "Add", item)
            _extra(page, item)
    removals = books.removals()
    page.add("", "## 7. Removals waiting", "")
    if not removals:
        page.add("(None.)")
    for item in removals:
        _removal_step(page, item)
    counts: dict[str, int] = {}
    if statuses is not None:
        for item in books.items:
            status = page.status(item)[0]
            counts[status] = counts.get(status, 0) + 1
    progress = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    header = [
        f"# Syncro runbook: stack `{stack}`",
        "",
        "Generated from `customers/*.yaml`, the stack's state and "
        f"`confirmations/{stack}.yaml` by every `pulumi up` and `preview` and by "
        f"`make runbook STACK={stack}`; do not edit it by hand. What the last change asked: "
        f"`runbooks/{stack}.changes.md`.",
        "",
        "Syncro's public API cannot create the objects below: they exist only in Syncro's "
        "web UI. Signed in as a Syncro admin, work through the numbered steps in order and "
        "type every value exactly as shown.",
        "",
        "Statuses: `pending` = not done, or done but not yet seen; `verified` = refresh saw "
        "it through the public API (the evidence is named); `confirmed` = a person recorded "
        "it in the confirmations file (who and when are named); `pending-removal` = still to "
        "be deleted in Syncro; `applied` = the program wrote it (api mode).",
    ]
    if progress:
        header += ["", f"Progress: {progress} (of {len(books.items)} objects)."]
    page.add("", *_kickoff(stack, books.items), "", *_loop(stack), "")
    return re.sub(r"\n{3,}", "\n\n", "\n".join([*header, *page.lines]))


def _kickoff(stack: str, items: Sequence[UiItem]) -> list[str]:
    domains = [
        i.values["From email domain"] for i in items if i.section == "rules" and not i.removal
    ]
    if not domains:
        return []
    return [
        "## Kickoff check (after the automations exist)",
        "",
        "Send one email to the support mailbox from a fresh address at each domain ("
        + ", ".join(code(d) for d in domains)
        + "), one that no contact and no customer uses (for example `kickoff-<today>@` the "
        "domain), and one from each customer's main contact. The fresh mail must come back "
        "with the acknowledgement and its ticket number, open a ticket on the right "
        "organization and create the sender as a contact there; `make refresh "
        f"STACK={stack}` then marks each rule `verified` from its own lead. The main "
        "contact's mail must open a ticket too, but Syncro matches it to the customer's own "
        "email before any rule runs, so it proves nothing about the rules. Against the "
        "emulator, `.venv/bin/python scripts/verify_onboarding.py --outputs <outputs.json>` "
        "sends all of them.",
    ]


def _loop(stack: str) -> list[str]:
    return [
        "## When you are done",
        "",
        f"1. `make confirm STACK={stack} ITEM=...` for each step that says so (commit "
        f"`confirmations/{stack}.yaml` in a pull request).",
        f"2. `make refresh STACK={stack}`: reads Syncro back and writes this page again.",
        f"3. `make up STACK={stack}`: writes the custom field values Syncro dropped before "
        "their definitions existed, and drops confirmed removals from the books.",
    ]


# --- following the runbook by machine -----------------------------------------------------


@dataclass(frozen=True)
class ParsedStep:
    number: int
    verb: str
    key: str
    where: str
    values: dict[str, str]
    changes: dict[str, tuple[str, str]]
    confirm: str | None
    body: str | None


def parse_steps(markdown: str) -> list[ParsedStep]:
    """Every numbered step of a runbook page, its values read back from the code spans."""
    steps: list[ParsedStep] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        head = re.match(r"^(\d+)\. (Add|Change|Delete) ", lines[i])
        if not head:
            i += 1
            continue
        values: dict[str, str] = {}
        changes: dict[str, tuple[str, str]] = {}
        key = where = ""
        confirm = body = None
        i += 1
        while i < len(lines) and not re.match(r"^(\d+)\. |^#", lines[i]):
            line = lines[i].strip()
            if line.startswith("```"):
                fence = line.split("text")[0]
                j = i + 1
                while lines[j].strip() != fence:
                    j += 1
                indent = len(lines[i]) - len(lines[i].lstrip())
                body = "\n".join(row[indent:] for row in lines[i + 1 : j])
                i = j + 1
                continue
            item = re.match(r"^- ([^:]+): (.*)$", line)
            if item:
                label, rest = item.groups()
                arrow = re.fullmatch(r"(`+.*?`+) -> (`+.*?`+)", rest)
                if label == "Key":
                    key = uncode(rest)
                elif label == "Where":
                    where = rest.strip("*")
                elif label == "Confirm when done":
                    confirm = uncode(rest)
                elif arrow:
                    changes[label] = (uncode(arrow.group(1)), uncode(arrow.group(2)))
                elif rest.startswith("`"):
                    values[label] = uncode(rest)
            i += 1
        steps.append(
            ParsedStep(
                int(head.group(1)), head.group(2), key, where, values, changes, confirm, body
            )
        )
    return steps


__all__ = [
    "PATH_AUTOMATIONS",
    "PATH_EMAIL_RULES",
    "PATH_FIELDS",
    "PATH_MAILBOXES",
    "PATH_PREFERENCES",
    "PATH_RECURRING",
    "ParsedStep",
    "parse_steps",
    "render_changes",
    "render_runbook",
    "status_key_automation",
    "status_key_deliverable",
    "status_key_field",
    "status_key_mailbox",
    "status_key_preferences",
    "status_key_rule",
    "waiting",
]
