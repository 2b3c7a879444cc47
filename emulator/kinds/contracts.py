"""Contracts: a customer's agreement, optionally carrying an SLA for all its tickets."""

from __future__ import annotations

from datetime import date
from typing import Any

from emulator.clock import parse_day
from emulator.kinds.base import Invalid, Kind, as_bool, as_int

WRITABLE: dict[str, Any] = {
    "customer_id": None,
    "name": None,
    "contract_amount": None,
    "description": None,
    "start_date": None,
    "end_date": None,
    "primary_contact": None,
    "status": "Opportunity",
    "likelihood": 0,
    "apply_to_all": False,
    "sla_id": None,
    "tag_list": [],
}


class Contracts(Kind):
    """`/contracts` (flat objects, 422 as `{"record", "errors"}` like contacts)."""

    name = "contracts"
    singular = "contract"
    id_base = 81001
    writable = WRITABLE
    timestamps = True

    def out(self, c: dict[str, Any]) -> dict[str, Any]:
        """The spec's fields; the covered-item lists stay empty (no products here)."""
        return {
            "id": c.get("id"),
            "account_id": 1,
            **{k: c.get(k) for k in WRITABLE if k != "tag_list"},
            "created_at": c.get("created_at"),
            "updated_at": c.get("updated_at"),
            "tag_list": list(c.get("tag_list") or []),
            "non_billable_product_ids": [],
            "schedule_ids": [],
            "product_price_overrides": [],
        }

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Customer required and existing; dates as YYYY-MM-DD; the SLA an id (one naming
        no SLA is kept as given, as on tickets)."""
        data["customer_id"] = as_int(data.get("customer_id"))
        data["apply_to_all"] = as_bool(data.get("apply_to_all"))
        data["likelihood"] = as_int(data.get("likelihood")) or 0
        raw_sla = data.get("sla_id")
        data["sla_id"] = None if raw_sla in (None, "") else as_int(raw_sla)
        if raw_sla not in (None, "") and data["sla_id"] is None:
            data["sla_id"] = 0  # not a number: refused below
        record = self.out({**data, "id": current["id"] if current else None})
        if data["customer_id"] is None:
            raise Invalid("Customer can't be blank", record=record)
        if not self.store.get("customers", data["customer_id"]):
            raise Invalid("Customer must exist", record=record)
        for key in ("start_date", "end_date"):
            if data.get(key) in (None, ""):
                data[key] = None
                continue
            day = parse_day(data[key])
            if day is None:
                raise Invalid(f"{key.replace('_', ' ').capitalize()} is invalid", record=record)
            data[key] = day.isoformat()
        if data["start_date"] and data["end_date"] and data["end_date"] < data["start_date"]:
            raise Invalid("End date must be after the start date", record=record)
        if data["sla_id"] is not None and data["sla_id"] <= 0:
            raise Invalid("Sla is invalid", record=record)
        tags = data.get("tag_list") or []
        data["tag_list"] = [str(t) for t in tags] if isinstance(tags, list) else []

    def covering(self, customer_id: int, day: date) -> dict[str, Any] | None:
        """The customer's first (lowest id) apply-to-all contract with an SLA in force on
        `day` (no start date: from the start; no end date: open-ended)."""
        for contract in self.store.all(self.name):
            if contract.get("customer_id") != customer_id or not contract.get("apply_to_all"):
                continue
            if contract.get("sla_id") is None:
                continue
            start, end = parse_day(contract.get("start_date")), parse_day(contract.get("end_date"))
            if (start is None or start <= day) and (end is None or day <= end):
                return contract
        return None
