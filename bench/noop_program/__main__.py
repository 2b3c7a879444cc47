"""The onboarding program's resource graph, served by a provider that does nothing.

`bench/run.py` writes `manifest.json` next to this file from a real stack's export:
every component and dynamic resource with its type, name, parent, inputs,
dependencies and secret outputs. This program registers the same graph (same
types, names, input shapes, component parents, `depends_on`, an Organization's
`syncro_id` feeding its rules' and tickets' `customer_id`) with a dynamic provider
that performs no I/O, so `pulumi preview` of it is the engine's floor for that graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import sdk_backports  # resources/sdk_backports.py, copied beside this file by the bench
from noop_provider import NoopProvider
from pulumi.dynamic import Resource

sdk_backports.install()

SECRET_SIG = "4dabf18193072939515e22adb298388d"


_classes: dict[str, type[Resource]] = {}


def dynamic_class(type_token: str) -> type[Resource]:
    """`pulumi-python:dynamic/syncro:Organization` -> a Resource subclass of that type."""
    if type_token not in _classes:
        module_part, name = type_token.split(":", 1)[1].rsplit(":", 1)
        module = module_part.split("/", 1)[1] if "/" in module_part else ""

        class Noop(Resource, module=module, name=name):
            def __init__(self, resource_name: str, props: dict[str, Any], opts: Any) -> None:
                super().__init__(NoopProvider(), resource_name, props, opts)

        _classes[type_token] = Noop
    return _classes[type_token]


def unwrap(value: Any) -> Any:
    """Exported secrets (`{sig, plaintext}`) become secret Outputs again."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) and "plaintext" in value:
            return pulumi.Output.secret(json.loads(value["plaintext"]))
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


manifest = json.loads((Path(__file__).parent / "manifest.json").read_text())
made: list[Any] = []
for entry in manifest["resources"]:
    parent = made[entry["parent"]] if entry["parent"] is not None else None
    depends_on = [made[i] for i in entry["depends_on"]]
    if entry["kind"] == "component":
        component = pulumi.ComponentResource(
            entry["type"], entry["name"], None, pulumi.ResourceOptions(parent=parent)
        )
        component.register_outputs({})
        made.append(component)
        continue
    props = {k: unwrap(v) for k, v in entry["inputs"].items()}
    for key, (index, output) in entry["refs"].items():
        props[key] = getattr(made[index], output)
    for output in entry["outputs"]:
        props.setdefault(output, None)
    opts = pulumi.ResourceOptions(
        parent=parent,
        depends_on=depends_on,
        additional_secret_outputs=entry["additional_secret_outputs"] or None,
    )
    made.append(dynamic_class(entry["type"])(entry["name"], props, opts))
