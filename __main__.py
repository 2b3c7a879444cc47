"""Onboard every customer under customers/ into Syncro. Only loads, validates and wires."""

from pathlib import Path

import pulumi

from resources import confirmations, runbook_stack, sdk_backports
from resources.components import CustomerOnboarding, Platform, report
from resources.domain import plan_all, plan_platform
from resources.settings import StackConfigError, StackSettings
from resources.spec import CustomerFileError, load_customers

sdk_backports.install()  # before the first Output: see the module

try:
    settings = StackSettings.load()
    specs = load_customers(Path(__file__).parent / "customers")
    settings.require_edr_keys(specs)
    confirmed = confirmations.load(Path(__file__).parent, settings.stack)
except (StackConfigError, CustomerFileError, confirmations.ConfirmationsError) as problem:
    # Before any resource is registered: one bad file stops the run, nothing half-made.
    raise pulumi.RunError(str(problem)) from None

platform_plan = plan_platform(settings.support_mailbox, settings.staff_alert_to)
platform = Platform("syncro", platform_plan, admin_mode=settings.admin_mode)
customer_plans = plan_all(specs)
customers = {
    plan.client_id: CustomerOnboarding(
        plan,
        edr_keys=settings.edr_keys_for(plan.client_id),
        platform=platform,
        admin_mode=settings.admin_mode,
        mailbox_address=settings.support_mailbox,
        protect=settings.protect_organizations,
        tier_policy_id=settings.tier_policy_id(plan.organization.tier),
        tier_sla_id=settings.tier_sla_id(plan.organization.tier),
        deliverables_mode=settings.deliverables_mode,
    )
    for plan in customer_plans
}

pulumi.export("admin_mode", settings.admin_mode)
# One Output over every id and status: cheap for the SDK even at hundreds of customers.
onboarding = report(platform, customers)
# The runbook: whole stack, this change, steps waiting, and the ledger the next run reads.
runbook_stack.export(
    Path(__file__).parent,
    settings.stack,
    settings.admin_mode,
    platform,
    platform_plan,
    customer_plans,
    customers,
    onboarding,
    confirmed,
    deliverables_mode=settings.deliverables_mode,
)
