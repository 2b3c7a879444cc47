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
from resources.objects.base import SyncroResource
from resources.objects.contact import Contact
from resources.objects.contract import Contract
from resources.objects.email_rule import EmailRule
from resources.objects.organization import Organization
from resources.objects.platform import (
    CustomFieldDefinition,
    SupportMailbox,
    TicketAutomation,
    TicketPreferences,
)
from resources.objects.policy_assignment import PolicyAssignment
from resources.objects.recurring_ticket import RecurringTicket


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
            CustomFieldDefinition.register(
                f"field-{slug(field.name)}", field, admin_mode=admin_mode, opts=child
            )
            for field in plan.custom_fields
        ]
        self.mailbox = SupportMailbox.register(
            "support-mailbox",
            address=plan.mailbox_address,
            active=True,
            auto_create=plan.mailbox_auto_create,
            admin_mode=admin_mode,
            opts=child,
        )
        # The mailbox is made safe before leads may turn into tickets: an unknown
        # sender must never create an organization, not even for a moment.
        self.preferences = TicketPreferences.register(
            "ticket-preferences",
            plan,
            admin_mode=admin_mode,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.mailbox]),
        )
        self.automations = [
            TicketAutomation.register(
                f"automation-{automation.kind}", automation, admin_mode=admin_mode, opts=child
            )
            for automation in plan.automations
        ]
        self.statuses = statuses_of(
            [*self.fields, self.mailbox, self.preferences, *self.automations]
        )
        self.register_outputs({"statuses": self.statuses})


class CustomerOnboarding(pulumi.ComponentResource):
    """One customer: the organization, one email rule per domain, the tier's deliverables,
    and through the public API its policy set, its SLA contract and its main contact."""

    def __init__(
        self,
        plan: CustomerPlan,
        *,
        edr_keys: pulumi.Input[dict[str, str]],
        platform: Platform,
        admin_mode: str,
        mailbox_address: str,
        protect: bool,
        tier_policy_id: int | None = None,
        tier_sla_id: int | None = None,
        deliverables_mode: str = "scheduler",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("syncro:onboarding:CustomerOnboarding", plan.client_id, None, opts)
        self.organization = Organization.register(
            plan.client_id,
            plan.organization,
            edr_keys=edr_keys,
            portal_user=False,
            # Custom field values are dropped by Syncro unless the field is defined.
            opts=pulumi.ResourceOptions(parent=self, depends_on=platform.fields, protect=protect),
        )
        # The id, not the syncro_id output: both are the customer's id, but a preview of an
        # organization update knows the id and not the outputs, and an unknown customer_id
        # made every child look changed ("~4" previewed, "~1" done).
        customer_id = self.organization.id.apply(int)
        self.email_rules = {
            rule.domain: EmailRule.register(
                f"{plan.client_id}-rule-{rule.domain}",
                rule,
                mailbox=mailbox_address,
                mailbox_id=platform.mailbox.syncro_id,
                customer_id=customer_id,
                admin_mode=admin_mode,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.mailbox]),
            )
            for rule in plan.email_rules
        }
        self.deliverables = {
            item.key: RecurringTicket.register(
                f"{plan.client_id}-{item.key}",
                item,
                deliverable=item.key,
                customer_id=customer_id,
                opened_by=deliverables_mode,
                admin_mode=admin_mode,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.preferences]),
            )
            for item in plan.deliverables
        }
        # Syncro's public API, written in both admin modes: one per customer each.
        public = (
            ("policy", PolicyAssignment, plan.policy, {"partial_policy_id": tier_policy_id}),
            ("contract", Contract, plan.contract, {"sla_id": tier_sla_id}),
            ("contact", Contact, plan.contact, {"portal_user": False}),
        )
        self.policy, self.contract, self.contact = (
            kind.register(
                f"{plan.client_id}-{suffix}",
                item,
                customer_id=customer_id,
                opts=pulumi.ResourceOptions(parent=self),
                **extra,
            )
            if item is not None
            else None
            for suffix, kind, item, extra in public
        )
        self.children: list[SyncroResource] = [
            *self.email_rules.values(),
            *self.deliverables.values(),
            *(r for r in (self.policy, self.contract, self.contact) if r is not None),
        ]
        self.statuses = statuses_of(self.children)
        self.plan = plan
        self.deliverables_mode = deliverables_mode
        # The summary is built once for the whole stack (see `report`): a per-customer
        # Output.all over nested dicts cost the SDK about 50 Outputs a customer.
        self.register_outputs({})

    def user_id(self) -> pulumi.Output[Any] | None:
        """The account manager's Syncro user id, as the first scheduled deliverable found
        it (every deliverable of a customer has the same assignee); None without one."""
        if self.deliverables_mode != "scheduler" or not self.deliverables:
            return None
        return next(iter(self.deliverables.values())).user_id  # type: ignore[attr-defined]

    def summary(
        self,
        organization_id: Any,
        ids: Mapping[str, Any],
        statuses: Mapping[str, str],
        user_id: Any = None,
    ) -> dict[str, Any]:
        """What the `customers` stack output says of this customer, from resolved values.

        `ids` and `statuses` are keyed by status key (`SyncroResource.status_key`);
        `user_id` (the account manager's, when known) spares the scheduler a lookup."""
        org_plan = self.plan.organization
        known_user = {"user_id": int(user_id)} if isinstance(user_id, int | float) else {}
        return {
            "business_name": org_plan.business_name,
            "tier": org_plan.tier,
            "organization_id": organization_id,
            "email_rules": {
                domain: ids[rule.status_key] for domain, rule in self.email_rules.items()
            },
            **{
                name: ids[resource.status_key]
                for name, resource in (
                    ("policy_folder_id", self.policy),
                    ("contract_id", self.contract),
                    ("contact_id", self.contact),
                )
                if resource is not None
            },
            "deliverables": [
                {
                    "deliverable": item.key,
                    "subject": item.subject,
                    "frequency": item.frequency,
                    "first_due": item.first_due.isoformat(),
                    "lead_days": item.lead_days,
                    "assignee": item.assignee,
                    **known_user,
                }
                for item in self.plan.deliverables
            ],
            "status": {key: statuses[key] for key in self.statuses},
        }


def statuses_of(resources: list[SyncroResource]) -> dict[str, pulumi.Output[str]]:
    """Each resource's status under its declared status key, in the given order."""
    return {r.status_key: r.status for r in resources if r.status_key}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OnboardingReport:
    """Every customer's summary, every object's status and every organization id, resolved."""

    customers: dict[str, dict[str, Any]]
    statuses: dict[str, str]
    organization_ids: dict[str, Any]


def report(
    platform: Platform, customers: Mapping[str, CustomerOnboarding]
) -> pulumi.Output[OnboardingReport]:
    """One Output over every id and status the stack outputs need, in three flat maps.

    Nested dicts of Outputs make the SDK wrap every key and value in Outputs of its
    own, and it tracks each Output in a list it scans linearly; a few flat
    `Output.all(**map)` keep a 200-customer preview close to the engine's own cost
    (bench/README.md).
    """
    statuses = {
        **platform.statuses,
        **{key: status for c in customers.values() for key, status in c.statuses.items()},
    }
    org_ids = {cid: customer.organization.syncro_id for cid, customer in customers.items()}
    ids = {
        resource.status_key: resource.syncro_id
        for customer in customers.values()
        for resource in customer.children
    }
    user_ids = {
        cid: found
        for cid, customer in customers.items()
        if (found := customer.user_id()) is not None
    }

    def build(resolved: dict[str, dict[str, Any]]) -> OnboardingReport:
        # An empty `Output.all()` resolves to a list: dict() makes every map a map.
        got_statuses, got_org_ids = dict(resolved["statuses"]), dict(resolved["org_ids"])
        got_user_ids = dict(resolved["user_ids"])
        return OnboardingReport(
            customers={
                cid: customer.summary(
                    got_org_ids[cid], dict(resolved["ids"]), got_statuses, got_user_ids.get(cid)
                )
                for cid, customer in customers.items()
            },
            statuses=got_statuses,
            organization_ids=got_org_ids,
        )

    return pulumi.Output.all(
        statuses=pulumi.Output.all(**statuses),
        org_ids=pulumi.Output.all(**org_ids),
        ids=pulumi.Output.all(**ids),
        user_ids=pulumi.Output.all(**user_ids),
    ).apply(build)
