"""Table tests for resources/routing.py: Syncro's inbound order and rule shadowing."""

from __future__ import annotations

import pytest

from resources.routing import Rule, covers, matches, order, route, shadowed


def r(sender: str, position: int = 30, subject: str | None = None, **kw: object) -> Rule:
    customer = kw.pop("customer", sender.rpartition("@")[2])
    return Rule(sender, subject, position, customer=customer, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "sender", "subject", "expected"),
    [
        (r("@a.com"), "bob@a.com", "", True),
        (r("@a.com"), "BOB@A.COM", "", True),  # case-insensitive
        (r("@A.com"), "bob@a.com", "", True),
        (r("@a.com"), "bob@mail.a.com", "", False),  # not subdomains
        (r("@a.com"), "bob@aa.com", "", False),
        (r("@a.com"), "bob@a.com.evil.net", "", False),
        (r("bob@a.com"), "bob@a.com", "", True),
        (r("bob@a.com"), "amy@a.com", "", False),
        (r("@a.com", subject="Invoice"), "bob@a.com", "Your INVOICE 42", True),
        (r("@a.com", subject="Invoice"), "bob@a.com", "Quote", False),
        (r("@a.com", subject="Invoice"), "bob@a.com", "", False),
        (r("@a.com", subject=""), "bob@a.com", "anything", True),  # empty filter = none
    ],
)
def test_matches(rule: Rule, sender: str, subject: str, expected: bool) -> None:
    assert matches(rule, sender, subject) is expected


def test_mailbox_bound_rule_sees_only_its_mailbox() -> None:
    rule = r("@a.com", mailbox_id=7)
    assert matches(rule, "bob@a.com", "", mailbox_id=7)
    assert not matches(rule, "bob@a.com", "", mailbox_id=8)
    assert matches(r("@a.com"), "bob@a.com", "", mailbox_id=8)  # unbound: every mailbox


def test_order_by_position_then_id_then_new_rules_by_key() -> None:
    rules = [
        r("@new-b.com", 30, key="CS-0002:b"),
        r("@new-a.com", 30, key="CS-0001:a"),
        r("@old.com", 30, id=9),
        r("@older.com", 30, id=3),
        r("ceo@x.com", 10, id=50),
        r("@x.com", 20, subject="Invoice"),
    ]
    assert [x.sender for x in order(rules)] == [
        "ceo@x.com",
        "@x.com",
        "@older.com",  # existing rules by id
        "@old.com",
        "@new-a.com",  # rules not created yet run after them, by key
        "@new-b.com",
    ]


ACME, SMITH, OTHER = "Acme", "Smith", "Other"
CONTACTS = {"Jane@SmithLaw.com": SMITH, "pat@partner.org": ACME}
CUSTOMERS = {"office@acmedental.com": ACME}
RULES = [
    r("@smithlaw.com", 30, id=2, customer=SMITH),
    r("@acmedental.com", 30, id=1, customer=ACME),
    r("ceo@acmedental.com", 10, id=5, customer=OTHER),
    r("@acmedental.com", 20, subject="urgent", id=6, customer=OTHER),
]


@pytest.mark.parametrize(
    ("sender", "subject", "customer", "matched_by", "rule_sender"),
    [
        # A contact wins before anything else, rules are not evaluated.
        ("jane@smithlaw.com", "hi", SMITH, "contact", None),
        ("pat@partner.org", "hi", ACME, "contact", None),
        # The customer's own email next.
        ("OFFICE@acmedental.com", "urgent", ACME, "customer_email", None),
        # Then rules by position: the exact address at 10 before the domain at 30.
        ("ceo@acmedental.com", "hello", OTHER, "email_rule", "ceo@acmedental.com"),
        ("bob@acmedental.com", "URGENT: down", OTHER, "email_rule", "@acmedental.com"),
        ("bob@acmedental.com", "hello", ACME, "email_rule", "@acmedental.com"),
        ("amy@smithlaw.com", "", SMITH, "email_rule", "@smithlaw.com"),
        # Nothing matches: the lead stays new.
        ("x@gmail.com", "hi", None, None, None),
        ("x@mail.smithlaw.com", "hi", None, None, None),
    ],
)
def test_route(
    sender: str,
    subject: str,
    customer: str | None,
    matched_by: str | None,
    rule_sender: str | None,
) -> None:
    found = route(sender, subject, CONTACTS, CUSTOMERS, RULES)
    assert found.customer == customer
    assert found.matched_by == matched_by
    assert (found.rule.sender if found.rule else None) == rule_sender
    assert found.reason


def test_route_reason_names_the_rule() -> None:
    found = route("bob@acmedental.com", "urgent", {}, {}, RULES)
    assert (
        found.reason
        == "first match: rule @acmedental.com at position 20 with subject filter 'urgent'"
    )


def test_first_match_wins_on_equal_position_by_id() -> None:
    rules = [r("@a.com", 30, id=8, customer="late"), r("@a.com", 30, id=4, customer="early")]
    assert route("bob@a.com", "", {}, {}, rules).customer == "early"


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        (r("@a.com"), r("bob@a.com"), True),
        (r("bob@a.com"), r("@a.com"), False),
        (r("@a.com"), r("@a.com", subject="Invoice"), True),
        (r("@a.com", subject="Invoice"), r("@a.com"), False),
        (r("@a.com", subject="inv"), r("@a.com", subject="Invoice"), True),
        (r("@a.com"), r("@mail.a.com"), False),
        (r("@a.com", mailbox_id=1), r("@a.com"), False),  # bound: not all mailboxes' mail
        (r("@a.com"), r("@a.com", mailbox_id=1), True),
    ],
)
def test_covers(earlier: Rule, later: Rule, expected: bool) -> None:
    assert covers(earlier, later) is expected


def s(sender: str, position: int = 30, subject: str | None = None, **kw: object) -> Rule:
    return Rule(sender, subject, position, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rules", "pairs"),
    [
        # Exact address before its domain: both fire.
        ([s("ceo@a.com", 10), s("@a.com")], []),
        # Domain before an exact address: the address rule never fires.
        ([s("@a.com", 10), s("ceo@a.com", 30)], [("@a.com", "ceo@a.com", False)]),
        # The same sender twice at one position, neither created: whichever is first.
        (
            [s("@a.com", key="CS-0001:a"), s("@a.com", key="CS-0002:a")],
            [("@a.com", "@a.com", True)],
        ),
        # Same position, order not decided yet: the broader one shadows whichever way.
        ([s("@a.com", key="A"), s("bob@a.com", key="B")], [("@a.com", "bob@a.com", True)]),
        ([s("bob@a.com", key="A"), s("@a.com", key="B")], [("@a.com", "bob@a.com", True)]),
        # Same position, order decided by ids: the narrower first rule fires for bob.
        ([s("bob@a.com", id=1), s("@a.com", id=2)], []),
        ([s("@a.com", id=1), s("bob@a.com", id=2)], [("@a.com", "bob@a.com", True)]),
        # An existing rule runs before a new one at its position.
        ([s("@a.com", key="A"), s("bob@a.com", id=9)], []),
        # Case does not matter.
        ([s("@A.com", 10), s("bob@a.COM")], [("@A.com", "bob@a.COM", False)]),
        # A domain does not cover its subdomain, nor another domain.
        ([s("@a.com", 10), s("@mail.a.com"), s("@b.com")], []),
        # Subject filters.
        ([s("@a.com", 20, "Invoice"), s("@a.com")], []),
        ([s("@a.com", 10), s("@a.com", 20, "Invoice")], [("@a.com", "@a.com", False)]),
        ([s("@a.com", 10, "inv"), s("@a.com", 20, "Invoice")], [("@a.com", "@a.com", False)]),
        ([s("@a.com", 10, "Invoice"), s("@a.com", 20, "Quote")], []),
    ],
)
def test_shadowed(rules: list[Rule], pairs: list[tuple[str, str, bool]]) -> None:
    for given in (rules, list(reversed(rules))):  # any input order
        found = shadowed(given)
        assert [(x.earlier.sender, x.later.sender, x.same_position) for x in found] == pairs


def test_shadowed_rule_never_routes() -> None:
    rules = [s("@a.com", 10, customer="broad"), s("bob@a.com", 30, customer="narrow")]
    (shadow,) = shadowed(rules)
    assert route(shadow.later.sender, "", {}, {}, rules).customer == "broad"
