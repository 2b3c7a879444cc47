"""A dynamic provider that accepts everything, changes nothing and talks to nobody.

It lives in its own module, as the real providers live in `resources/providers/`, so
dill pickles it by reference (module and class name) into each resource's state,
exactly as it does the real ones; the provider process imports it from the program
directory.
"""

from __future__ import annotations

import uuid
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=uuid.uuid4().hex, outs={**props, "syncro_id": 1})

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False)
