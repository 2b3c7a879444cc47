"""Policy folders (newer spec versions)."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import GetList, Invalid, Kind, Query, as_int, blank

KEYS = ("id", "customer_id", "name", "parent_id", "partial_policy_id")


class PolicyFolders(Kind):
    """`/policy_folders`: a name is required; references must exist."""

    name = "policy_folders"
    singular = "policy_folder"
    id_base = 601
    writable = {"customer_id": None, "name": None, "parent_id": None, "partial_policy_id": None}

    def out(self, f: dict[str, Any]) -> dict[str, Any]:
        """`{id, customer_id, name, parent_id, partial_policy_id}`."""
        return {k: f.get(k) for k in KEYS}

    def list(self, q: Query, getlist: GetList) -> list[dict[str, Any]]:
        """Optionally for one customer."""
        items = self.store.all(self.name)
        if q.get("customer_id") not in (None, ""):
            wanted = as_int(q.get("customer_id"))
            items = [f for f in items if f.get("customer_id") == wanted]
        return [self.out(f) for f in items]

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Name required; customer and parent must exist."""
        for key in ("customer_id", "parent_id", "partial_policy_id"):
            data[key] = as_int(data.get(key))
        errors = []
        if blank(data.get("name")):
            errors.append("Name can't be blank")
        if data.get("customer_id") and not self.store.get("customers", data["customer_id"]):
            errors.append("Customer must exist")
        if data.get("parent_id") and not self.store.get(self.name, data["parent_id"]):
            errors.append("Parent must exist")
        if errors:
            raise Invalid(errors)
