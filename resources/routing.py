"""Syncro's inbound-mail routing: the one implementation (stdlib only).

Syncro turns every email that reaches a support mailbox into a lead and gives it to
the first of these that matches the sender (syncro-api-notes.md, the SOP):

1. a **contact** with the sender's email: the contact's customer (rules are not
   evaluated at all);
2. else a **customer** whose own email is the sender's: that customer;
3. else the **email rules**, top-down by ``(position, id)``, first match wins. A rule's
   sender ``"@domain"`` matches every address at exactly that domain (not its
   subdomains), ``"user@domain"`` only that address; an optional subject filter must
   also occur in the subject. A rule bound to a mailbox sees only that mailbox's mail.

Addresses and domains compare case-insensitively (Syncro lowercases emails); a subject
filter is a case-insensitive "contains" match (our documented guess: emulator quirks).

API (used by resources/domain.py, resources/runbook.py, the policy pack, the CLI):

* ``Rule(sender, subject_filter=None, position=30, id=None, key="", mailbox_id=None,
  customer=None, ref=None)``: ``id`` is Syncro's rule id, ``None`` before the rule
  exists; ``key`` is a stable name standing in for the id until then (e.g.
  ``"CS-0042:smithlaw.com"``); ``customer`` is whatever the caller routes to;
  ``ref`` carries the caller's own object back (not compared).
* ``order(rules) -> list[Rule]``: evaluation order. Existing rules by id; a rule not
  created yet runs after every existing rule of its position (Syncro ids only grow),
  and among themselves new rules are ordered by ``key`` so the order is stable.
* ``matches(rule, sender, subject="", mailbox_id=None) -> bool`` and
  ``covers(earlier, later) -> bool`` (``earlier`` matches every mail ``later`` does).
* ``route(sender, subject, contacts, customers, rules, mailbox_id=None) -> Route``:
  ``contacts`` and ``customers`` map an email address to the customer it routes to;
  the answer says what matched (``Route.matched_by``: ``"contact"``,
  ``"customer_email"``, ``"email_rule"`` or ``None``), the rule, and why.
* ``shadowed(rules) -> list[Shadow]``: each rule that can never match because an
  earlier rule matches all its mail. Two rules at one position whose relative order is
  not decided yet (neither exists in Syncro) count as shadowing either way round
  (``Shadow.same_position``): whichever Syncro numbers first would win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_POSITION = 30  # catalog.RULE_POSITION_DOMAIN; kept literal to stay import-free

MatchedBy = Literal["contact", "customer_email", "email_rule"]


@dataclass(frozen=True)
class Rule:
    """One email rule as Syncro evaluates it."""

    sender: str
    subject_filter: str | None = None
    position: int = DEFAULT_POSITION
    id: int | None = None
    key: str = ""
    mailbox_id: int | None = None
    customer: Any = None
    ref: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Route:
    """Where one mail goes: `customer` is None when nothing matched (the lead stays New)."""

    customer: Any
    matched_by: MatchedBy | None
    rule: Rule | None
    reason: str


@dataclass(frozen=True)
class Shadow:
    """`later` can never match: `earlier` runs first and matches all of its mail."""

    earlier: Rule
    later: Rule
    same_position: bool


def normalize(address: str) -> str:
    return address.strip().lower()


def _sort_key(rule: Rule) -> tuple[int, int, int, str]:
    # Syncro numbers rules in creation order, so a rule not created yet gets an id above
    # every existing one: it runs after all existing rules of its position.
    if rule.id is None:
        return (rule.position, 1, 0, rule.key)
    return (rule.position, 0, rule.id, rule.key)


def order(rules: Iterable[Rule]) -> list[Rule]:
    """The rules in Syncro's evaluation order (first match wins)."""
    return sorted(rules, key=_sort_key)


def _order_decided(a: Rule, b: Rule) -> bool:
    """Whether Syncro's order of a and b is known now (not two future ids at one position)."""
    return a.position != b.position or a.id is not None or b.id is not None


def _sender_matches(rule_sender: str, address: str) -> bool:
    wanted, got = normalize(rule_sender), normalize(address)
    if wanted.startswith("@"):
        return got.rpartition("@")[2] == wanted[1:] and not got.startswith("@")
    return got == wanted


def _subject_matches(subject_filter: str | None, subject: str) -> bool:
    return not subject_filter or subject_filter.lower() in (subject or "").lower()


def matches(rule: Rule, sender: str, subject: str = "", mailbox_id: int | None = None) -> bool:
    """Whether `rule` takes a mail from `sender` with `subject` (arriving at `mailbox_id`)."""
    if rule.mailbox_id is not None and mailbox_id is not None and rule.mailbox_id != mailbox_id:
        return False
    return _sender_matches(rule.sender, sender) and _subject_matches(rule.subject_filter, subject)


def _sender_covers(earlier: str, later: str) -> bool:
    a, b = normalize(earlier), normalize(later)
    if a == b:
        return True
    return a.startswith("@") and not b.startswith("@") and b.rpartition("@")[2] == a[1:]


def _subject_covers(earlier: str | None, later: str | None) -> bool:
    # No filter matches every subject; filter X matches every subject filter Y matches
    # when X occurs inside Y (contains, case-insensitive).
    if not earlier:
        return True
    if not later:
        return False
    return earlier.lower() in later.lower()


def covers(earlier: Rule, later: Rule) -> bool:
    """Whether `earlier` matches every mail `later` matches."""
    if earlier.mailbox_id is not None and earlier.mailbox_id != later.mailbox_id:
        return False
    return _sender_covers(earlier.sender, later.sender) and _subject_covers(
        earlier.subject_filter, later.subject_filter
    )


def _lookup(table: Mapping[str, Any], address: str) -> tuple[bool, Any]:
    wanted = normalize(address)
    for email, customer in table.items():
        if normalize(email) == wanted:
            return True, customer
    return False, None


def route(
    sender: str,
    subject: str,
    contacts: Mapping[str, Any],
    customers: Mapping[str, Any],
    rules: Iterable[Rule],
    mailbox_id: int | None = None,
) -> Route:
    """Where Syncro sends a mail from `sender`: contact, customer email, then rules."""
    found, customer = _lookup(contacts, sender)
    if found:
        return Route(customer, "contact", None, f"{normalize(sender)} is a contact")
    found, customer = _lookup(customers, sender)
    if found:
        return Route(customer, "customer_email", None, f"{normalize(sender)} is a customer's email")
    for rule in order(rules):
        if matches(rule, sender, subject, mailbox_id):
            where = f"rule {rule.sender} at position {rule.position}"
            if rule.subject_filter:
                where += f" with subject filter {rule.subject_filter!r}"
            return Route(rule.customer, "email_rule", rule, f"first match: {where}")
    return Route(None, None, None, f"no contact, customer email or rule matches {sender}")


def shadowed(rules: Iterable[Rule]) -> list[Shadow]:
    """Every (earlier, later) pair where `later` can never match; any input order."""
    ordered = order(rules)
    found: list[Shadow] = []
    for i, earlier in enumerate(ordered):
        for later in ordered[i + 1 :]:
            tie = not _order_decided(earlier, later)
            if covers(earlier, later):
                found.append(Shadow(earlier, later, earlier.position == later.position))
            elif tie and covers(later, earlier):
                found.append(Shadow(later, earlier, True))
    return found
