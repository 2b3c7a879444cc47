"""The pack judges the state a change produces (issue 14.1), not stale state.

Stack policies see resource *outputs*. A resource whose provider diff ignores an input
stays "unchanged" when only that input changes, keeps its old outputs, and the pack then
judges the old value (adding a domain was refused: "no Organization lists that domain").
So every input a stack policy reads must be compared by its provider's diff, or be part
of the resource's name (a change there is a different resource).
"""

from __future__ import annotations

import pytest

from resources.objects.base import Input
from resources.objects.contract import CONTRACT
from resources.objects.organization import ORGANIZATION
from resources.objects.policy_assignment import POLICY_ASSIGNMENT
from resources.providers.email_rule import EmailRuleProvider
from resources.providers.organization import OrganizationProvider
from resources.providers.platform import SupportMailboxProvider, TicketPreferencesProvider
from resources.providers.recurring_ticket import RecurringTicketProvider

# Inputs the stack policies (deliverables.py, mail.py) read, per provider; the keys in
# the resource name (client ID, domain, deliverable) are left out.
READ_BY_STACK_POLICIES = [
    (OrganizationProvider, ("domains", "tier")),
    (
        EmailRuleProvider,
        ("sender", "subject_filter", "position", "auto_create_contact", "customer_id"),
    ),
    (RecurringTicketProvider, ("assignee", "lead_days")),
    (SupportMailboxProvider, ("auto_create", "address")),
    (TicketPreferencesProvider, ("create_tickets_from_leads",)),
]


@pytest.mark.parametrize(("provider", "keys"), READ_BY_STACK_POLICIES)
def test_every_input_a_stack_policy_reads_is_in_the_diff(provider: type, keys: tuple) -> None:
    managed = getattr(provider, "declaration", provider).managed  # core: an ObjectType
    missing = [key for key in keys if key not in managed]
    assert missing == [], f"{provider.__name__}: a change to {missing} alone would go unjudged"


def test_a_domain_change_alone_updates_the_organization() -> None:
    olds = {
        "client_id": "CS-0107",
        "domains": ["acmedental.com"],
        "fields": {"Primary Domain": "acmedental.com"},
    }
    news = {**olds, "domains": ["acmedental.com", "acmedental.net"]}
    diff = OrganizationProvider().diff("30001", olds, news)
    assert diff.changes is True and not diff.replaces


def test_a_state_only_update_sends_nothing_to_syncro() -> None:
    """No client is configured: any request would fail, so passing proves none is made."""
    olds = {
        "client_id": "CS-0107",
        "business_name": "Acme Dental",
        "email": "jane@acmedental.com",
        "contact_name": "Jane Smith",
        "fields": {"Primary Domain": "acmedental.com"},
        "edr_keys": {"HUNT_A-KEY": "a", "HUNT_O-KEY": "o"},
        "notes": "",
        "domains": ["acmedental.com"],
        "syncro_id": 30001,
        "disabled": False,
        "missing_fields": [],
    }
    news = {**olds, "domains": ["acmedental.com", "acmedental.net"], "syncro_id": None}
    news.update(disabled=None, missing_fields=None)
    outs = OrganizationProvider().update("30001", olds, news).outs
    assert outs["domains"] == ["acmedental.com", "acmedental.net"]
    assert (outs["syncro_id"], outs["disabled"], outs["missing_fields"]) == (30001, False, [])


def test_judged_inputs_are_diffed_and_never_written() -> None:
    """What only the policy pack reads is declared once, `Input(judged=True)`."""
    judged = {
        d.name: tuple(i.name for i in d.inputs if i.judged)
        for d in (ORGANIZATION, POLICY_ASSIGNMENT, CONTRACT)
    }
    assert judged == {
        "Organization": ("tier", "domains", "sla_terms"),
        "PolicyAssignment": ("tier", "policy_kind"),
        "Contract": ("tier", "sla_name", "sla_terms"),
    }
    for declaration in (ORGANIZATION, POLICY_ASSIGNMENT, CONTRACT):
        names = judged[declaration.name]
        assert set(names) <= set(declaration.managed) - set(declaration.written)
    with pytest.raises(ValueError, match="judged input is diffed"):
        Input("tier", managed=False, judged=True)
