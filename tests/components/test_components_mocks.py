"""The components under Pulumi's mocks: what each customer registers, and how it nests."""

from __future__ import annotations

from datetime import date

import pulumi
import pytest

from resources import catalog
from resources.domain import plan_customer, plan_platform
from resources.spec import CustomerSpec


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources.append(args)
        outputs = dict(args.inputs)
        if args.typ.endswith(":Organization"):
            outputs["syncro_id"] = 4242
            return "4242", outputs  # the provider's id is the customer's id
        outputs.setdefault("status", "applied")
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def recorder() -> Recorder:
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


def spec(tier: str) -> CustomerSpec:
    return CustomerSpec.model_validate(
        {
            "name": "Smith Law LLP",
            "client_id": "CS-0042",
            "tier": tier,
            "platform": "M365",
            "domains": ["smithlaw.com", "smithlaw.legal"],
            "main_poc": {"name": "Jane Smith", "email": "jane@smithlaw.com"},
            "hubspot_deal_id": "18234567",
            "go_live": date(2026, 12, 1),
            "account_manager": "alex@cybersuite.tech",
        }
    )


@pytest.mark.parametrize("tier", catalog.TIERS)
@pulumi.runtime.test
def test_customer_registers_org_rules_and_tier_deliverables(recorder: Recorder, tier: str):
    from resources.components import CustomerOnboarding, Platform, report

    platform = Platform("syncro", plan_platform("help@cybersuite.tech", ()), admin_mode="api")
    customer = CustomerOnboarding(
        plan_customer(spec(tier)),
        edr_keys=pulumi.Output.secret({"HUNT_A-KEY": "a", "HUNT_O-KEY": "o"}),
        platform=platform,
        admin_mode="api",
        mailbox_address="help@cybersuite.tech",
        protect=False,
    )

    def check(onboarding):
        summary = onboarding.customers["CS-0042"]
        by_type: dict[str, list] = {}
        for r in recorder.resources:
            by_type.setdefault(r.typ.rsplit(":", 1)[-1], []).append(r)
        assert len(by_type["Organization"]) == 1
        org = by_type["Organization"][0]
        assert org.typ == "pulumi-python:dynamic/syncro:Organization"
        assert org.inputs["fields"]["MSP Plan Tier"] == tier
        assert org.inputs["portal_user"] is False
        assert sorted(r.inputs["sender"] for r in by_type["EmailRule"]) == [
            "@smithlaw.com",
            "@smithlaw.legal",
        ]
        keys = sorted(r.inputs["deliverable"] for r in by_type["RecurringTicket"])
        assert keys == sorted(d.key for d in catalog.deliverables_for(tier))
        assert {r.inputs["assignee"] for r in by_type["RecurringTicket"]} == {
            "alex@cybersuite.tech"
        }
        assert len(by_type["CustomFieldDefinition"]) == len(catalog.CUSTOM_FIELDS)
        assert summary["organization_id"] == 4242
        assert summary["tier"] == tier
        assert summary["email_rules"] == {
            "smithlaw.com": None,
            "smithlaw.legal": None,
        }  # the mocks give no syncro_id to rules
        assert set(summary["status"]) == {
            *(f"rule:CS-0042:{d}" for d in ("smithlaw.com", "smithlaw.legal")),
            *(f"deliverable:CS-0042:{d.key}" for d in catalog.deliverables_for(tier)),
            "policy:CS-0042",
            "contract:CS-0042",
            "contact:CS-0042",
        }
        # Issue 13 through the public API, per contract 3.
        (policy,) = by_type["PolicyAssignment"]
        assert policy.inputs["tier"] == tier and policy.inputs["customer_id"] == 4242
        (contract,) = by_type["Contract"]
        assert contract.inputs["start_date"] == "2026-12-01"
        assert contract.inputs["sla_terms"] == org.inputs["sla_terms"]
        (contact,) = by_type["Contact"]
        assert contact.inputs["email"] == "jane@smithlaw.com"
        assert contact.inputs["portal_user"] is False
        assert onboarding.organization_ids == {"CS-0042": 4242}
        assert set(summary["status"].values()) == {"applied"}
        assert set(onboarding.statuses) >= set(summary["status"]) | {"mailbox", "preferences"}

    return report(platform, {"CS-0042": customer}).apply(check)
