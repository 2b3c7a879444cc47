"""Mail intake: `email-routing` and `safe-intake`.

Which rule catches which mail, and which rule can never fire, is resources/routing.py's
decision (the one implementation of Syncro's order); these policies only say what a
stack's rules must look like. Free mail is `catalog.is_free_mail`, plus any domains a
stack adds with `freeMailDomains` (a stack can add free-mail domains, never allow one).
"""

from __future__ import annotations

from collections import defaultdict

from pulumi_policy import ReportViolation, StackValidationArgs

from policies.common import (
    CUSTOMER_FILE,
    EMAIL_RULE,
    ORGANIZATION,
    SUPPORT_MAILBOX,
    TICKET_PREFERENCES,
    UNKNOWN,
    Setting,
    StackItem,
    declare,
    domain_of,
    domains_of,
    is_int,
    stack_items,
    violation,
)
from resources import catalog, routing

FREE_MAIL = Setting(
    "freeMailDomains",
    sorted(catalog.FREE_MAIL_DOMAINS),
    "free-mail domains besides catalog.is_free_mail's that may never get a rule",
)
# Mailbox settings under which mail from an unknown sender never creates a customer.
SAFE_AUTO_CREATE: tuple[str, ...] = ("only_existing", "never")
SAFE = Setting("safeAutoCreate", SAFE_AUTO_CREATE, "allowed SupportMailbox auto_create values")


def validate_email_routing(args: StackValidationArgs, report: ReportViolation) -> None:
    extra_free_mail = {str(d).lower() for d in FREE_MAIL.read(args)}

    def is_free_mail(domain: str) -> bool:
        return catalog.is_free_mail(domain) or domain.lower() in extra_free_mail

    orgs = stack_items(args, ORGANIZATION)
    rules = stack_items(args, EMAIL_RULE)

    owners: dict[str, list[StackItem]] = defaultdict(list)  # domain -> organizations
    all_domains_known = True
    for org in orgs:
        domains = domains_of(org.props)
        if domains is None or not isinstance(org.client_id, str):
            all_domains_known = False
            continue
        for domain in domains:
            if not isinstance(domain, str):
                all_domains_known = False
                continue
            owners[domain.lower()].append(org)

    rules_by_domain: dict[str, list[StackItem]] = defaultdict(list)
    for rule in rules:
        domain = rule.props.get("domain", UNKNOWN)
        if isinstance(domain, str):
            rules_by_domain[domain.lower()].append(rule)

    # Every domain: not free mail, one owner, exactly one rule, assigned to that owner.
    for domain, claimants in sorted(owners.items()):
        org = claimants[0]
        cid = org.label()
        if is_free_mail(domain):
            report(
                violation(
                    cid,
                    f"domain {domain} is a free-mail provider; a rule on it would route "
                    "strangers' mail to this customer",
                    f"remove {domain} from domains: in {CUSTOMER_FILE} (a main_poc email there "
                    "is fine)",
                ),
                org.urn,
            )
        if len({c.client_id for c in claimants}) > 1:
            names = ", ".join(sorted({c.label() for c in claimants}))
            report(
                violation(
                    cid,
                    f"domain {domain} is listed by several organizations ({names}); its mail "
                    "can open tickets for only one",
                    f"keep {domain} in exactly one customer file",
                ),
                org.urn,
            )
            continue
        found = rules_by_domain.get(domain, [])
        # The domain's catch-all rules: `@domain` without a subject filter. Exact-address
        # rules and subject-filtered rules for the domain may exist besides (they are
        # checked for shadowing below), but exactly one rule must take all the rest.
        if all(_rule_shape_known(r) for r in found):
            catch_all = [r for r in found if _is_catch_all(r)]
            if not catch_all:
                report(
                    violation(
                        cid,
                        f"domain {domain} has no `@{domain}` EmailRule, so mail from it opens "
                        f"no ticket for {cid}",
                        "let CustomerOnboarding create the `@domain` rule (resources/domain.py "
                        "plan_email_rules)",
                    ),
                    org.urn,
                )
            elif len(catch_all) > 1:
                report(
                    violation(
                        cid,
                        f"domain {domain} has {len(catch_all)} EmailRules for all of its mail "
                        f"({', '.join(sorted(r.name for r in catch_all))}); it needs exactly one",
                        "remove the extra rules so one rule routes the domain",
                    ),
                    org.urn,
                )
        for rule in found:
            _check_rule(rule, domain, org, report)

    # Rules for no listed domain, and rules on free-mail domains.
    for rule in rules:
        cid = rule.label()
        domain = rule.props.get("domain", UNKNOWN)
        sender = rule.props.get("sender", UNKNOWN)
        for name in {d for d in (domain, domain_of(sender)) if isinstance(d, str)}:
            if is_free_mail(name) and name.lower() not in owners:
                report(
                    violation(
                        cid,
                        f"EmailRule {rule.name!r} matches free-mail "
                        f"domain {name.lower()}; it would route strangers' mail to {cid}",
                        "remove the rule; free-mail domains never get a rule",
                    ),
                    rule.urn,
                )
        if (
            all_domains_known
            and isinstance(domain, str)
            and domain.lower() not in owners
            and not is_free_mail(domain)
        ):
            report(
                violation(
                    cid,
                    f"EmailRule {rule.name!r} routes {domain} but no Organization lists that "
                    "domain",
                    f"add {domain} to the customer's domains: or remove the rule",
                ),
                rule.urn,
            )

    # Shadowing: resources/routing.py decides (Syncro's (position, id) order).
    for shadow in routing.shadowed(r for r in map(_routing_rule, rules) if r is not None):
        first, second = shadow.earlier.ref, shadow.later.ref
        where = "at the same position as" if shadow.same_position else "after"
        report(
            violation(
                second.label(),
                f"EmailRule {second.name!r} (sender {shadow.later.sender}, position "
                f"{shadow.later.position}) can never fire: it runs {where} "
                f"{first.name!r} (sender {shadow.earlier.sender}, position "
                f"{shadow.earlier.position}) of {first.label()}, which matches every mail it "
                "matches",
                "give exact-address rules position "
                f"{catalog.RULE_POSITION_ADDRESS} and bare-domain rules "
                f"{catalog.RULE_POSITION_DOMAIN} (catalog RULE_POSITION_*), and keep one rule "
                "per sender",
            ),
            second.urn,
        )


def _routing_rule(rule: StackItem) -> routing.Rule | None:
    """The rule as Syncro evaluates it, or None while its shape is unknown (preview)."""
    sender = rule.props.get("sender", UNKNOWN)
    position = rule.props.get("position", UNKNOWN)
    subject = rule.props.get("subject_filter")
    if not isinstance(sender, str) or not is_int(position) or subject is UNKNOWN:
        return None
    syncro_id = rule.props.get("syncro_id")
    return routing.Rule(
        sender=sender,
        subject_filter=subject or None,
        position=position,
        id=syncro_id if is_int(syncro_id) else None,
        key=f"{rule.client_id}:{rule.props.get('domain')}:{rule.name}",
        ref=rule,
    )


def _rule_shape_known(rule: StackItem) -> bool:
    return (
        rule.props.get("sender", UNKNOWN) is not UNKNOWN
        and rule.props.get("subject_filter") is not UNKNOWN
    )


def _is_catch_all(rule: StackItem) -> bool:
    sender = rule.props.get("sender")
    is_address = isinstance(sender, str) and not sender.startswith("@")
    return not is_address and not rule.props.get("subject_filter")


def _check_rule(rule: StackItem, domain: str, org: StackItem, report: ReportViolation) -> None:
    cid = org.label()
    sender = rule.props.get("sender", UNKNOWN)
    if sender is not UNKNOWN and domain_of(sender) != domain:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} has sender {sender!r}, which is neither "
                f"'@{domain}' nor an address at {domain}",
                "route the whole domain: sender = '@' + domain (resources/domain.py "
                "plan_email_rules)",
            ),
            rule.urn,
        )
    if rule.client_id is not UNKNOWN and rule.client_id != org.client_id:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} is assigned to {rule.client_id!r}, "
                f"not to {cid}, which lists the domain",
                f"create the rule under {cid}'s CustomerOnboarding",
            ),
            rule.urn,
        )
    customer_id = rule.props.get("customer_id")
    syncro_id = org.props.get("syncro_id")
    if (
        customer_id not in (None, UNKNOWN)
        and syncro_id not in (None, UNKNOWN)
        and customer_id != syncro_id
    ):
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} opens tickets on Syncro customer "
                f"#{customer_id}, not on {cid}'s organization #{syncro_id}",
                "set the rule's customer_id from the Organization's syncro_id "
                "(pulumi refresh, then pulumi up)",
            ),
            rule.urn,
        )
    auto = rule.props.get("auto_create_contact", UNKNOWN)
    if auto is not UNKNOWN and auto is not True:
        report(
            violation(
                cid,
                f"EmailRule {rule.name!r} for {domain} does not create the sender as a contact "
                "(auto_create_contact is not true), so new staff at the customer get no ticket",
                "set auto_create_contact=True (resources/domain.py EmailRulePlan)",
            ),
            rule.urn,
        )


EMAIL_ROUTING = declare(
    "email-routing",
    "Every organization domain has exactly one `@domain` EmailRule, assigned to that "
    "organization, never on free mail and never shadowed by an earlier rule.",
    validate_email_routing,
    stack=True,
    settings=(FREE_MAIL,),
)


def validate_safe_intake(args: StackValidationArgs, report: ReportViolation) -> None:
    safe = [str(v) for v in SAFE.read(args)]
    preferences = stack_items(args, TICKET_PREFERENCES)
    leads_on = [p for p in preferences if p.props.get("create_tickets_from_leads") is True]
    if not leads_on:
        return
    mailboxes = stack_items(args, SUPPORT_MAILBOX)
    label = "platform"
    if not mailboxes:
        report(
            violation(
                label,
                "create_tickets_from_leads is on but this stack manages no SupportMailbox, so "
                "nothing keeps unknown senders from becoming customers",
                "manage the support mailbox in the Platform component with "
                f"auto_create={safe[0]!r}",
            ),
            leads_on[0].urn,
        )
        return
    for mailbox in mailboxes:
        mode = mailbox.props.get("auto_create", UNKNOWN)
        if mode is UNKNOWN or mode in safe:
            continue
        address = mailbox.props.get("address", mailbox.name)
        report(
            violation(
                label,
                f"SupportMailbox {address!s} has auto_create {mode!r} while "
                "create_tickets_from_leads is on: mail from any unknown sender would become "
                "a new customer with a ticket",
                f"set auto_create to {' or '.join(repr(s) for s in safe)} "
                "(resources/domain.py PlatformPlan.mailbox_auto_create)",
            ),
            mailbox.urn,
        )


SAFE_INTAKE = declare(
    "safe-intake",
    "While leads become tickets, every support mailbox creates tickets only for "
    "existing customers.",
    validate_safe_intake,
    stack=True,
    settings=(SAFE,),
)
