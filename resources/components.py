"""The two components: the stack's Syncro platform setup, and one customer's onboarding.

They only compose resources from plans that resources/domain.py computed; what
each object holds is decided there, from the tier catalog.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from resources.domain import CustomerPlan, PlatformPlan
from resources.providers.email_rule import EmailRule
from resources.providers.organization import Organization
from resources.providers.platform import (
    CustomFieldDefinition,
    SupportMailbox,
    TicketAutomation,
    TicketPreferences,
)
from resources.providers.recurring_ticket import RecurringTicket


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Platform(pulumi.ComponentResource):
    """Custom field definitions, the safe support mailbox, preferences, automations."""

    def __init__(
        self,
        name: str,
        plan: PlatformPlan,
        *,
        admin_mode: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("syncro:onboarding:Platform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.fields = [
            CustomFieldDefinition(
                f"field-{slug(field.name)}",
                name=field.name,
                field_type=field.field_type,
                answers=list(field.answers),
                admin_mode=admin_mode,
                opts=child,
            )
            for field in plan.custom_fields
        ]
        self.mailbox = SupportMailbox(
            "support-mailbox",
            address=plan.mailbox_address,
            auto_create=plan.mailbox_auto_create,
            admin_mode=admin_mode,
            opts=child,
        )
        # The mailbox is made safe before leads may turn into tickets: an unknown
        # sender must never create an organization, not even for a moment.
        self.preferences = TicketPreferences(
            "ticket-preferences",
            create_tickets_from_leads=plan.create_tickets_from_leads,
            enable_recurring_tickets=plan.enable_recurring_tickets,
            admin_mode=admin_mode,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.mailbox]),
        )
        self.automations = [
            TicketAutomation(
                f"automation-{automation.kind}",
                name=automation.name,
                kind=automation.kind,
                subject_template=automation.subject_template,
                body_template=automation.body_template,
                notify=list(automation.notify),
                admin_mode=admin_mode,
                opts=child,
            )
            for automation in plan.automations
        ]
        self.statuses: dict[str, pulumi.Output[str]] = {
            **{
                f"field:{f.name}": r.status
                for f, r in zip(plan.custom_fields, self.fields, strict=True)
            },
            "mailbox": self.mailbox.status,
            "preferences": self.preferences.status,
            **{
                f"automation:{a.kind}": r.status
                for a, r in zip(plan.automations, self.automations, strict=True)
            },
        }
        self.register_outputs({"statuses": self.statuses})


class CustomerOnboarding(pulumi.ComponentResource):
    """One customer: the organization, one email rule per domain, the tier's deliverables."""

    def __init__(
        self,
        plan: CustomerPlan,
        *,
        edr_keys: pulumi.Input[dict[str, str]],
        platform: Platform,
        admin_mode: str,
        mailbox_address: str,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        org_plan = plan.organization
        super().__init__("syncro:onboarding:CustomerOnboarding", plan.client_id, None, opts)
        self.organization = Organization(
            plan.client_id,
            client_id=plan.client_id,
            business_name=org_plan.business_name,
            email=org_plan.email,
            contact_name=org_plan.contact_name,
            tier=org_plan.tier,
            domains=list(org_plan.domains),
            fields=dict(org_plan.fields),
            sla_terms=dict(org_plan.sla_terms),
            edr_keys=edr_keys,
            notes=org_plan.notes or "",
            adopt=org_plan.adopt,
            # Custom field values are dropped by Syncro unless the field is defined.
            opts=pulumi.ResourceOptions(parent=self, depends_on=platform.fields, protect=protect),
        )
        customer_id = self.organization.syncro_id
        self.email_rules = {
            rule.domain: EmailRule(
                f"{plan.client_id}-rule-{rule.domain}",
                client_id=plan.client_id,
                domain=rule.domain,
                sender=rule.sender,
                subject_filter=rule.subject_filter,
                position=rule.position,
                auto_create_contact=rule.auto_create_contact,
                mailbox=mailbox_address,
                mailbox_id=platform.mailbox.syncro_id,
                customer_id=customer_id,
                admin_mode=admin_mode,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.mailbox]),
            )
            for rule in plan.email_rules
        }
        self.deliverables = {
            item.key: RecurringTicket(
                f"{plan.client_id}-{item.key}",
                client_id=plan.client_id,
                deliverable=item.key,
                subject=item.subject,
                problem_type=item.problem_type,
                frequency=item.frequency,
                first_due=item.first_due.isoformat(),
                lead_days=item.lead_days,
                assignee=item.assignee,
                customer_id=customer_id,
                admin_mode=admin_mode,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.preferences]),
            )
            for item in plan.deliverables
        }
        self.statuses: dict[str, pulumi.Output[str]] = {
            **{
                f"rule:{plan.client_id}:{domain}": rule.status
                for domain, rule in self.email_rules.items()
            },
            **{
                f"deliverable:{plan.client_id}:{key}": ticket.status
                for key, ticket in self.deliverables.items()
            },
        }
        self.plan = plan
        # The summary is built once for the whole stack (see `report`): a per-customer
        # Output.all over nested dicts cost the SDK about 50 Outputs a customer.
        self.register_outputs({})

    def summary(
        self, organization_id: Any, rule_ids: Mapping[str, Any], statuses: Mapping[str, str]
    ) -> dict[str, Any]:
        """What the `customers` stack output says of this customer, from resolved values."""
        org_plan = self.plan.organization
        return {
            "business_name": org_plan.business_name,
            "tier": org_plan.tier,
            "organization_id": organization_id,
            "email_rules": dict(rule_ids),
            "deliverables": [
                {
                    "deliverable": item.key,
                    "subject": item.subject,
                    "frequency": item.frequency,
                    "first_due": item.first_due.isoformat(),
                    "lead_days": item.lead_days,
                    "assignee": item.assignee,
                }
                for item in self.plan.deliverables
            ],
            "status": {key: statuses[key] for key in self.statuses},
        }


@dataclass(frozen=True)
class OnboardingReport:
    """Every customer's summary, every object's status and every organization id, resolved."""

    customers: dict[str, dict[str, Any]]
    statuses: dict[str, str]
    organization_ids: dict[str, Any]


def report(
    platform: Platform, customers: Mapping[str, CustomerOnboarding]
) -> pulumi.Output[OnboardingReport]:
    """One Output over a flat list of every id and status the stack outputs need.

    Nested dicts of Outputs make the SDK wrap every key and value in Outputs of its
    own, and it tracks each Output in a list it scans linearly; one flat Output.all
    keeps a 200-customer preview close to the engine's own cost (bench/README.md).
    """
    statuses = {
        **platform.statuses,
        **{key: status for c in customers.values() for key, status in c.statuses.items()},
    }
    org_ids = {cid: customer.organization.syncro_id for cid, customer in customers.items()}
    rule_ids = {
        (cid, domain): rule.syncro_id
        for cid, customer in customers.items()
        for domain, rule in customer.email_rules.items()
    }

    def build(resolved: list[Any]) -> OnboardingReport:
        ids_from = len(statuses)  # `flat` below: statuses, then org ids, then rule ids
        rules_from = ids_from + len(org_ids)
        got_statuses = dict(zip(statuses, resolved[:ids_from], strict=True))
        got_org_ids = dict(zip(org_ids, resolved[ids_from:rules_from], strict=True))
        got_rule_ids = dict(zip(rule_ids, resolved[rules_from:], strict=True))
        return OnboardingReport(
            customers={
                cid: customer.summary(
                    got_org_ids[cid],
                    {d: got_rule_ids[(cid, d)] for d in customer.email_rules},
                    got_statuses,
                )
                for cid, customer in customers.items()
            },
            statuses=got_statuses,
            organization_ids=got_org_ids,
        )

    flat = [*statuses.values(), *org_ids.values(), *rule_ids.values()]
    return pulumi.Output.all(*flat).apply(build)
