"""Customer custom field definitions (UI only: Admin > Customers - Custom Fields)."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind

FIELD_TYPES = ("text", "date", "dropdown")


class CustomerFields(Kind):
    """A rename carries stored values along; names are unique (case-insensitive)."""

    name = "customer_fields"
    singular = "customer_field"
    surface = "ui"
    id_base = 101
    writable = {"name": None, "field_type": "text", "answers": []}

    def out(self, f: dict[str, Any]) -> dict[str, Any]:
        """`{id, name, field_type, answers}` (design contract)."""
        return {
            "id": f["id"],
            "name": f["name"],
            "field_type": f["field_type"],
            "answers": list(f.get("answers") or []),
        }

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Validate, then move stored values when the name changes."""
        name = self.unique_name(data, current)
        field_type = data.get("field_type") or "text"
        if field_type not in FIELD_TYPES:
            raise Invalid(f"Field type must be one of {', '.join(FIELD_TYPES)}")
        answers = data.get("answers") or []
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise Invalid("Answers must be a list of strings")
        data.update(field_type=field_type, answers=answers)
        if current and current["name"] != name:
            for customer in self.store.all("customers"):
                props = customer.get("properties") or {}
                if current["name"] in props:
                    props[name] = props.pop(current["name"])
                    self.store.put("customers", customer)
