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
        self.unique_name(data, current)
        for key in ("response_time_minutes", "resolution_time_minutes"):
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise Invalid(f"{key} must be a positive whole number of minutes")

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Refused while a contract uses the SLA."""
        return self.delete_unless_used(obj_id, "contracts", "sla_id", "SLA is used by a contract")
