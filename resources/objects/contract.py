"""The customer's contract carrying the tier's SLA (Syncro: Contracts, SLAs).

Public API (newest spec): `POST /contracts {customer_id, name, sla_id, apply_to_all,
start_date}`; tickets of the customer then carry the SLA. SLAs are defined in the UI
once per tier, their ids in stack config `syncro:tierSlas`; without one the contract
is made without an SLA and stays `pending` until the id is configured. The SLA custom
field keeps the human-readable terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.objects.base import Input, Status, customer_object, optional_int, resource_class
from resources.providers.base import AdminObjectProvider
from resources.providers.ownership import moved_away
from resources.syncro.models import CONTRACTS, ContractRequest

CONTRACT = customer_object(
    "Contract",
    "contract",
    (
        Input("tier", judged=True, required=True),
        Input("name", required=True),
        Input("sla_name", judged=True),
        Input("sla_id"),  # int from syncro:tierSlas.<Tier>, or None
        Input("sla_terms", judged=True),
        Input("start_date", required=True),
    ),
    collection=CONTRACTS,
    doc="The customer's contract: the tier's SLA on all its tickets.",
)


class ContractProvider(AdminObjectProvider):
    declaration = CONTRACT
    identified_by = ("customer_id", "name")
    echoed = ("name", "sla_id", "start_date", "customer_id")

    def body(self, props: Mapping[str, Any]) -> ContractRequest:
        return ContractRequest(
            customer_id=int(props["customer_id"]),
            name=props["name"],
            sla_id=optional_int(props.get("sla_id")),
            apply_to_all=True,
            start_date=props["start_date"],
        )

    def observed(self, obj: Any, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().observed(obj, props), "status": self._status(obj.sla_id, props)}

    @staticmethod
    def _status(sla_id: int | None, props: Mapping[str, Any]) -> str:
        """APPLIED when the contract carries the tier's SLA (`sla_id`: the one it carries)."""
        wanted = optional_int(props.get("sla_id"))
        return (Status.APPLIED if wanted is not None and sla_id == wanted else Status.PENDING).value

    def _written(self, outs: dict[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs of a create or update: the contract carries what the body sent."""
        return {**outs, "status": self._status(optional_int(props.get("sla_id")), props)}

    def owned_elsewhere(self, obj: Any, props: Mapping[str, Any]) -> str | None:
        return moved_away(self.session, props, obj.customer_id)

    def api_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        id_, outs = super().api_create(props)
        return id_, self._written(outs, props)

    def api_update(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return self._written(super().api_update(id_, props), props)

    # api_read is the base one: the contract out of one paged `GET /contracts` for the
    # whole refresh (Syncro's list has no customer filter; 50 a page), not a GET per id.


Contract = resource_class(CONTRACT, ContractProvider)
