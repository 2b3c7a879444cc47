"""The syncro-onboarding policy pack: every policy, in the order the engine lists them.

Each policy is declared next to its validator (name, level, description, config
settings with their catalog defaults): sla.py, deliverables.py, organization.py,
mail.py, policy_set.py. What they share (unknown-safe props, messages, `declare`) is common.py,
whose docstring says what pulumi-policy hands a validator. The resource properties
they read are the contract in docs/design.md.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from policies.common import (
    CONTACT,
    CONTRACT,
    EMAIL_RULE,
    ORGANIZATION,
    POLICY_ASSIGNMENT,
    RECURRING_TICKET,
    SUPPORT_MAILBOX,
    TICKET_PREFERENCES,
    UNKNOWN,
    plain,
)
from policies.deliverables import TIER_DELIVERABLES
from policies.mail import EMAIL_ROUTING, SAFE_INTAKE
from policies.organization import (
    DEPLOYMENT_KEYS_SECRET,
    MAIN_CONTACT_DOMAIN,
    NO_PORTAL_USER,
    REQUIRED_ORG_FIELDS,
)
from policies.policy_set import POLICY_SET, TIER_IDS_CONFIGURED
from policies.sla import DEFENSE_PLUS_CONTRACT, DEFENSE_PLUS_SLA, SUPPORT_SLA_TARGETS

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    DEFENSE_PLUS_SLA,
    TIER_DELIVERABLES,
    REQUIRED_ORG_FIELDS,
    MAIN_CONTACT_DOMAIN,
    DEPLOYMENT_KEYS_SECRET,
    EMAIL_ROUTING,
    NO_PORTAL_USER,
    SAFE_INTAKE,
    SUPPORT_SLA_TARGETS,
    DEFENSE_PLUS_CONTRACT,
    POLICY_SET,
    TIER_IDS_CONFIGURED,
]

POLICY_NAMES: tuple[str, ...] = tuple(p.name for p in POLICIES)

__all__ = [
    "CONTACT",
    "CONTRACT",
    "EMAIL_RULE",
    "ORGANIZATION",
    "POLICY_ASSIGNMENT",
    "POLICIES",
    "POLICY_NAMES",
    "RECURRING_TICKET",
    "SUPPORT_MAILBOX",
    "TICKET_PREFERENCES",
    "UNKNOWN",
    "plain",
]
