"""Stack settings: every syncro: key checked before any resource, EDR keys typed under the
catalog's field names, the new tier ids and deliverables mode with file/field/fix errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config

from resources import catalog
from resources.settings import (
    STORED_EDR_KEY_NAMES,
    StackConfigError,
    StackSettings,
    parse_edr_keys,
)

SECRET_A = "acct-k3y-value"
SECRET_O = "org-k3y-value"


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def stack_config() -> Iterator[dict[str, str]]:
    """The stack config StackSettings.load() reads, as the engine hands it over (text)."""
    pulumi.runtime.set_mocks(_Mocks(), project="syncro-onboarding", stack="prod", preview=True)
    values = {
        "syncro:baseUrl": "https://msp.syncromsp.com/api/v1",
        "syncro:apiToken": "t0ken",
        "syncro:edrKeys": json.dumps({"CS-0042": {"account": SECRET_A, "org": SECRET_O}}),
    }
    yield values
    runtime_config.set_all_config({})


def load(values: dict[str, str], **extra: Any) -> StackSettings:
    merged = {
        **values,
        **{f"syncro:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()},
    }
    runtime_config.set_all_config(merged, ["syncro:apiToken", "syncro:edrKeys"])
    return StackSettings.load()


def problems(values: dict[str, str], **extra: Any) -> str:
    with pytest.raises(StackConfigError) as caught:
        load(values, **extra)
    return str(caught.value)


def test_defaults(stack_config: dict[str, str]) -> None:
    settings = load(stack_config)
    assert settings.admin_mode == "runbook"
    assert settings.deliverables_mode == "scheduler"
    assert settings.tier_policy_id("Defense") is None
    assert settings.tier_sla_id("Defense") is None


def test_edr_keys_come_back_typed_under_the_catalog_names(stack_config: dict[str, str]) -> None:
    settings = load(stack_config)
    assert dict(settings.edr_keys["CS-0042"].values) == {
        "HUNT_A-KEY": SECRET_A,
        "HUNT_O-KEY": SECRET_O,
    }
    assert SECRET_A not in repr(settings.edr_keys)
    assert tuple(STORED_EDR_KEY_NAMES) == catalog.EDR_KEY_FIELDS
    assert tuple(STORED_EDR_KEY_NAMES.values()) == ("account", "org")


def test_tier_ids_and_deliverables(stack_config: dict[str, str]) -> None:
    settings = load(
        stack_config,
        tierPolicies={"Defense": 4101, "Sentinel": "4102"},
        tierSlas={"Standard": 7},
        deliverables="syncro",
    )
    assert settings.tier_policy_id("Defense") == 4101
    assert settings.tier_policy_id("Sentinel") == 4102
    assert settings.tier_policy_id("Standard") is None
    assert settings.tier_sla_id("Standard") == 7
    assert settings.deliverables_mode == "syncro"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"tierPolicies": {"Gold": 1}}, "syncro:tierPolicies.Gold is not a tier"),
        ({"tierPolicies": {"Defense": 0}}, "syncro:tierPolicies.Defense is 0"),
        ({"tierPolicies": {"Defense": "x1"}}, "syncro:tierPolicies.Defense is 'x1'"),
        ({"tierPolicies": {"Defense": True}}, "syncro:tierPolicies.Defense is True"),
        ({"tierPolicies": [1, 2]}, "syncro:tierPolicies is not an object"),
        ({"tierSlas": {"Sentinel": -3}}, "syncro:tierSlas.Sentinel is -3"),
        ({"deliverables": "cron"}, "syncro:deliverables is 'cron'"),
        ({"adminMode": "automatic"}, "syncro:adminMode is 'automatic'"),
    ],
)
def test_bad_setting_names_file_key_and_fix(
    stack_config: dict[str, str], extra: dict[str, Any], expected: str
) -> None:
    message = problems(stack_config, **extra)
    line = next(line for line in message.splitlines() if expected in line)
    assert line.startswith("Pulumi.prod.yaml: "), line
    assert "Fix: pulumi config" in line, line


@pytest.mark.parametrize(
    ("raw", "gap"),
    [
        ({"CS-0042": "flat"}, "syncro:edrKeys.CS-0042 is not an object"),
        ({"CS-0042": {"account": SECRET_A}}, "syncro:edrKeys.CS-0042.org missing"),
        (
            {"CS-0042": {"account": " ", "org": 5}},
            "syncro:edrKeys.CS-0042.account, syncro:edrKeys.CS-0042.org missing",
        ),
    ],
)
def test_edr_key_gaps_name_paths_never_values(raw: dict[str, Any], gap: str) -> None:
    keys, gaps = parse_edr_keys(raw)
    assert keys == {}
    assert gaps == {"CS-0042": gap}
    assert SECRET_A not in gap
