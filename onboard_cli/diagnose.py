"""`syncro-onboard diagnose SENDER`: the SOP's "Test email didn't open a ticket" list.

Checks, in the SOP's order; each is `pass`, `fail` or `unknown` (the API cannot show it):

a. the support mailbox exists and is active (the admin surface where there is one; else
   only a lead that reached it shows it works);
b. the forwarder allowlists the sender and c. the forwarding string is right: Syncro's
   API shows neither, so both are inferred from leads arriving at all;
d. "Create Tickets from Leads (If Valid)" (the admin surface where there is one; else
   inferred from leads that stayed New although a rule matched them);
e. which rule matches this sender in Syncro's order (contact email, customer email, email
   rules top-down by (position, id), first match) and whether an earlier, broader rule
   shadows the customer's own.

Routing is contract 2's one implementation (resources/routing.py): `route` for which
rule wins, `shadowed` for the customer's own rule that an earlier, broader one hides.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from resources import routing
from resources.syncro import SyncroClient, SyncroError
from resources.syncro.models import EmailRule, Lead

LEAD_PAGES = 4
CONTACT_PAGES = 20
MAILBOX_UI = "Admin > Emails/SMS - Mailboxes"
PREFERENCES_UI = "Admin > Tickets - Preferences"
RULES_UI = "Admin > Emails/SMS - Mailboxes > Email Rules"


@dataclass
class Check:
    key: str
    title: str
    result: str  # pass | fail | unknown
    detail: str
    fix: str = ""


@dataclass
class Diagnosis:
    sender: str
    checks: list[Check] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if c.result == "fail"), None)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


# Fields an EmailRule (Syncro's record) and a routing.Rule (contract 2) name alike.
SHARED_RULE_FIELDS = ("sender", "subject_filter", "position", "id", "mailbox_id")


def as_rule(rule: EmailRule) -> routing.Rule:
    """A Syncro email rule in contract 2's terms (routes to its customer id)."""
    shared = {name: getattr(rule, name) for name in SHARED_RULE_FIELDS}
    return routing.Rule(**shared, customer=rule.customer_id, ref=rule)


def rule_matches(rule: EmailRule, address: str) -> bool:
    return routing.matches(as_rule(rule), address)


# --- reads ---------------------------------------------------------------------------------


def _pages(client: SyncroClient, path: str, key: str, pages: int, **params: Any) -> list[dict]:
    items: list[dict] = []
    for page in range(1, pages + 1):
        answer = client.request("GET", path, params={**params, "page": page})
        items += answer.get(key) or []
        if page >= int((answer.get("meta") or {}).get("total_pages") or 1):
            break
    return items


def _admin(client: SyncroClient, admin_mode: str, kind: str) -> list[Any] | None:
    """An admin collection where this Syncro has the surface (api mode), else None."""
    if admin_mode != "api" or client.admin_url is None:
        return None
    try:
        return client.admin_list(kind)
    except SyncroError:
        return None


def _expected_rules(outputs: dict[str, Any]) -> list[EmailRule]:
    """The stack's rules (runbook mode: Syncro's API cannot list rules)."""
    rules = []
    for summary in (outputs.get("customers") or {}).values():
        for n, (domain, rule_id) in enumerate((summary.get("email_rules") or {}).items()):
            rules.append(
                EmailRule(
                    id=int(rule_id) if isinstance(rule_id, int) else n,
                    sender=f"@{domain}",
                    customer_id=summary.get("organization_id"),
                    position=30,
                )
            )
    return rules


def _owner_of(customer_id: Any, outputs: dict[str, Any]) -> str:
    for cid, summary in (outputs.get("customers") or {}).items():
        if summary.get("organization_id") == customer_id:
            return f"{cid} ({summary.get('business_name')})"
    return f"organization #{customer_id}"


def diagnose(
    client: SyncroClient,
    sender: str,
    outputs: dict[str, Any],
    admin_mode: str,
    support_mailbox: str,
) -> Diagnosis:
    start = client.requests_sent
    address = sender.strip().lower()
    only_domain = "@" not in address or address.startswith("@")
    domain = address.lstrip("@") if only_domain else _domain(address)
    d = Diagnosis(sender=sender)
    leads = [Lead.model_validate(x) for x in _pages(client, "/leads", "leads", LEAD_PAGES)]
    mine = [
        x
        for x in leads
        if (_domain(x.email or "") == domain if only_domain else (x.email or "").lower() == address)
    ]
    at_mailbox = [x for x in leads if x.mailbox_id is not None]
    d.leads = [
        {
            "id": x.id,
            "email": x.email,
            "status": x.status,
            "ticket_id": x.ticket_id,
            "organization": _owner_of(x.customer_id, outputs) if x.customer_id else None,
        }
        for x in mine
    ]

    # (a) mailbox
    mailboxes = _admin(client, admin_mode, "mailboxes")
    if mailboxes is not None:
        box = next((m for m in mailboxes if m.address.lower() == support_mailbox.lower()), None)
        if box is None:
            d.checks.append(
                Check(
                    "mailbox",
                    "support mailbox exists and is active",
                    "fail",
                    f"no mailbox {support_mailbox}",
                    f"add it in {MAILBOX_UI} (make up does in api mode)",
                )
            )
        elif not box.active:
            d.checks.append(
                Check(
                    "mailbox",
                    "support mailbox exists and is active",
                    "fail",
                    f"mailbox {support_mailbox} (#{box.id}) is inactive",
                    f"switch it on in {MAILBOX_UI}",
                )
            )
        elif box.auto_create == "never":
            d.checks.append(
                Check(
                    "mailbox",
                    "support mailbox exists and is active",
                    "fail",
                    f"{support_mailbox} never creates tickets (auto_create never)",
                    f"set 'Automatically Create Tickets' to 'Only for existing "
                    f"Customers' in {MAILBOX_UI}",
                )
            )
        else:
            d.checks.append(
                Check(
                    "mailbox",
                    "support mailbox exists and is active",
                    "pass",
                    f"{support_mailbox} (#{box.id}) active, auto_create {box.auto_create}",
                )
            )
    elif at_mailbox:
        d.checks.append(
            Check(
                "mailbox",
                "support mailbox exists and is active",
                "pass",
                f"lead #{at_mailbox[0].id} reached it (newest lead)",
            )
        )
    else:
        d.checks.append(
            Check(
                "mailbox",
                "support mailbox exists and is active",
                "unknown",
                f"cannot be seen through the API: check {MAILBOX_UI}",
            )
        )

    # (b) forwarder allowlist, (c) forwarding string: only leads arriving show them
    arrived = "any lead" if not mine else f"{len(mine)} lead(s) from {sender}"
    for key, title, fix in (
        (
            "forwarder",
            "forwarder allowlists the sender",
            "allowlist the sender's domain on the mail forwarder (Exchange/Google transport rule)",
        ),
        (
            "forwarding",
            "forwarding string is right",
            f"forward to {support_mailbox} exactly as {MAILBOX_UI} shows it",
        ),
    ):
        if mine:
            d.checks.append(Check(key, title, "pass", f"inferred: {arrived} arrived"))
        elif d.checks[0].result == "fail":
            d.checks.append(
                Check(key, title, "unknown", "nothing can arrive while the mailbox fails", fix)
            )
        elif leads:
            d.checks.append(
                Check(
                    key,
                    title,
                    "fail",
                    f"inferred: other leads arrive, none from {sender} among the "
                    f"{LEAD_PAGES * 25} newest",
                    fix,
                )
            )
        else:
            d.checks.append(
                Check(
                    key,
                    title,
                    "unknown",
                    "no lead arrived at all: cannot be seen through the API",
                    fix,
                )
            )

    # (d) master switch
    prefs = None
    if admin_mode == "api" and client.admin_url:
        try:
            prefs = client.get_ticket_preferences()
        except SyncroError:
            prefs = None
    rules_raw = _admin(client, admin_mode, "email_rules")
    rules = list(rules_raw) if rules_raw is not None else _expected_rules(outputs)
    stuck = [
        x
        for x in mine
        if (x.status or "New") == "New"
        and not x.ticket_id
        and any(rule_matches(r, x.email or "") for r in rules)
    ]
    switch = "Create Tickets from Leads (If Valid)"
    if prefs is not None and not prefs.create_tickets_from_leads:
        d.checks.append(
            Check(
                "master_switch", switch, "fail", "switched off", f"switch it on in {PREFERENCES_UI}"
            )
        )
    elif stuck:
        d.checks.append(
            Check(
                "master_switch",
                switch,
                "fail",
                f"inferred: lead #{stuck[0].id} matched a rule but stayed New",
                f"switch it on in {PREFERENCES_UI}",
            )
        )
    elif prefs is not None:
        d.checks.append(Check("master_switch", switch, "pass", "switched on"))
    else:
        d.checks.append(
            Check(
                "master_switch",
                switch,
                "unknown",
                f"no matched lead stayed New; cannot be seen through the API: "
                f"check {PREFERENCES_UI}",
            )
        )

    # (e) rule
    customers = {
        (c.email or "").lower(): c.id
        for c in (client.list_customers(email=address) if not only_domain else [])
        if (c.email or "").lower() == address
    }
    contacts = (
        {}
        if only_domain
        else {
            (c.get("email") or "").lower(): c.get("customer_id")
            for c in _pages(client, "/contacts", "contacts", CONTACT_PAGES)
            if (c.get("email") or "").lower() == address
        }
    )
    probe = address if not only_domain else f"test@{domain}"
    mailbox_id = next(
        (m.id for m in mailboxes or [] if m.address.lower() == support_mailbox.lower()), None
    )
    candidates = [as_rule(r) for r in rules]
    found = routing.route(probe, "", contacts, customers, candidates, mailbox_id)
    source = "Syncro's rules" if rules_raw is not None else "the stack's rules (not readable)"
    title = "a rule matches the sender (Syncro's order)"
    if found.matched_by in ("contact", "customer_email"):
        d.checks.append(
            Check(
                "rule",
                title,
                "pass",
                f"{found.reason}, before any rule: tickets go to "
                f"{_owner_of(found.customer, outputs)}",
            )
        )
    elif found.rule is not None:
        what = found.rule
        hidden = sorted(
            (
                s.later
                for s in routing.shadowed(candidates)
                if s.earlier == what
                and s.later.customer != what.customer
                and routing.matches(s.later, probe, "", mailbox_id)
            ),
            key=lambda r: r.sender.startswith("@"),  # the exact address rule first
        )
        if hidden:
            victim = hidden[0]
            d.checks.append(
                Check(
                    "rule",
                    title,
                    "fail",
                    f"rule #{victim.id} ({victim.sender} -> "
                    f"{_owner_of(victim.customer, outputs)}) "
                    f"is shadowed by rule #{what.id} ({what.sender} -> "
                    f"{_owner_of(what.customer, outputs)}, position {what.position}), which "
                    "comes first and catches all its mail",
                    f"move or narrow rule #{what.id} in {RULES_UI} "
                    "(exact addresses before domains)",
                )
            )
        else:
            d.checks.append(
                Check(
                    "rule",
                    title,
                    "pass",
                    f"rule #{what.id} {what.sender} -> "
                    f"{_owner_of(what.customer, outputs)}: {found.reason} ({source})",
                )
            )
    else:
        known = sorted({r.sender.lstrip("@") for r in rules if r.sender.startswith("@")})
        close = difflib.get_close_matches(domain, known, n=1, cutoff=0.6)
        if close:
            owner = next(r.customer_id for r in rules if r.sender == "@" + close[0])
            detail = (
                f"no rule matches @{domain}; the sender looks like @{close[0]} "
                f"({_owner_of(owner, outputs)}), another domain"
            )
            fix = (
                f"if {domain} is that customer's, add it to domains: in its customer file and "
                "make up; else send the test from the customer's own domain"
            )
        else:
            detail = f"no rule matches @{domain} ({source})"
            fix = (
                "add the domain to its customer's file (domains:) and make up; if the file "
                f"lists it already, the rule is missing in Syncro: make up, or {RULES_UI}"
            )
        d.checks.append(Check("rule", title, "fail", detail, fix))
    d.requests = client.requests_sent - start
    return d
