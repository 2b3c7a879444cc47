"""Service level agreements: defined in Syncro's UI only (Admin > SLAs)."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind


class Slas(Kind):
    """Name, description, time to first response and to resolution (minutes)."""

    name = "slas"
    singular = "sla"
    surface = "ui"
    id_base = 801
    writable = {
        "name": None,
        "description": None,
        "response_time_minutes": None,
        "resolution_time_minutes": None,
    }

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """A unique name and two positive whole numbers of minutes."""
        name = data["name"].strip() if isinstance(data.get("name"), str) else ""
        if not name:
            raise Invalid("Name can't be blank")
        own_id = current["id"] if current else None
        if any(
            s["name"].lower() == name.lower() and s["id"] != own_id
            for s in self.store.all(self.name)
        ):
            raise Invalid("Name has already been taken")
        data["name"] = name
        for key in ("response_time_minutes", "resolution_time_minutes"):
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise Invalid(f"{key} must be a positive whole number of minutes")

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Refused while a contract uses the SLA."""
        with self.store.tx():
            current = self.get(obj_id)
            if any(c.get("sla_id") == obj_id for c in self.store.all("contracts")):
                raise Invalid("SLA is used by a contract")
            self.store.delete(self.name, obj_id)
        return current
