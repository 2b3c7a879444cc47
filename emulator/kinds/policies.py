"""RMM policies: made in Syncro's UI only (Policies tab); the public API has no list."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Kind


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
        self.unique_name(data, current)

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Refused while a policy folder uses the policy."""
        return self.delete_unless_used(
            obj_id, "policy_folders", "partial_policy_id", "Policy is assigned to a policy folder"
        )
