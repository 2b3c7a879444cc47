"""RMM policies: made in Syncro's UI only (Policies tab); the public API has no list."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind


class Policies(Kind):
    """A named policy; its id is what `PUT /policy_folders/{id}` takes as
    `partial_policy_id`. Refused deletion while a folder uses it."""

    name = "policies"
    singular = "policy"
    surface = "ui"
    id_base = 701
    writable = {"name": None, "description": None}

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """A unique name."""
        name = data["name"].strip() if isinstance(data.get("name"), str) else ""
        if not name:
            raise Invalid("Name can't be blank")
        own_id = current["id"] if current else None
        if any(
            p["name"].lower() == name.lower() and p["id"] != own_id
            for p in self.store.all(self.name)
        ):
            raise Invalid("Name has already been taken")
        data["name"] = name

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Refused while a policy folder uses the policy."""
        with self.store.tx():
            current = self.get(obj_id)
            if any(f.get("partial_policy_id") == obj_id for f in self.store.all("policy_folders")):
                raise Invalid("Policy is assigned to a policy folder")
            self.store.delete(self.name, obj_id)
        return current
