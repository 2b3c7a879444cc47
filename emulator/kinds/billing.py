"""Invoices and estimates, modelled only so far as Syncro's archive-instead-of-delete
needs them: a customer with any of them keeps its history (it is archived).

They are made on the person's surface (a person raising them in the UI); the public API's
invoice and estimate endpoints are not emulated.
"""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import Invalid, Kind, as_int, blank


class _CustomerDocument(Kind):
    """A numbered document for a customer."""

    surface = "person"
    writable = {"customer_id": None, "number": None, "total": "0.00"}
    timestamps = True

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """The customer must exist; the number defaults to the id's sequence."""
        data["customer_id"] = as_int(data.get("customer_id"))
        if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
            raise Invalid("Customer must exist")
        if data.get("number") is not None and blank(str(data["number"])):
            raise Invalid("Number can't be blank")
        data["total"] = str(data.get("total") or "0.00")


class Invoices(_CustomerDocument):
    """Invoices (Invoices tab)."""

    name = "invoices"
    singular = "invoice"
    id_base = 91001


class Estimates(_CustomerDocument):
    """Estimates (Estimates tab)."""

    name = "estimates"
    singular = "estimate"
    id_base = 92001
