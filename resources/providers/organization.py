"""The Syncro customer ("organization") and its custom field values: always the public API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from resources.catalog import FIELD_CLIENT_ID
from resources.providers.base import SyncroProvider, listing
from resources.syncro import SyncroNotFound


class OrganizationExists(Exception):
    """The customer is already in Syncro and the file did not ask to adopt it."""


class OrganizationProvider(SyncroProvider):
    # What Syncro stores. `tier`, `domains` and `sla_terms` are inputs for the policy
    # pack; Syncro sees them only through `fields`, so a change to them alone (say, a
    # second domain removed) is no reason to write the organization. It is a reason to
    # update the state, though: the pack's stack policies judge outputs, and an
    # "unchanged" organization would be judged on its old domains (issue 14.1).
    written = ("business_name", "email", "contact_name", "fields", "edr_keys", "notes")
    managed = (*written, "tier", "domains", "sla_terms")
    replace_on = ("client_id",)
    required = ("client_id", "business_name", "email", "fields")

    # --- mapping --------------------------------------------------------------------------
    @staticmethod
    def _managed_properties(props: Mapping[str, Any]) -> dict[str, str]:
        return {**dict(props["fields"]), **dict(props.get("edr_keys") or {})}

    @staticmethod
    def _record(props: Mapping[str, Any]) -> dict[str, Any]:
        first, _, last = str(props.get("contact_name") or "").partition(" ")
        return {
            "business_name": props["business_name"],
            "email": props["email"],
            "firstname": first,
            "lastname": last,
            "notes": props.get("notes") or "",
            # Email-only customers: no SMS, no marketing; we never create a portal user.
            "get_sms": False,
            "get_marketing": False,
        }

    def _outs(self, props: Mapping[str, Any], customer: Any) -> dict[str, Any]:
        stored = customer.properties or {}
        wanted_edr = dict(props.get("edr_keys") or {})
        wanted = {**dict(props["fields"]), **wanted_edr}
        # Keys Syncro dropped: it keeps no value for a custom field it does not define
        # (runbook mode, before a person has typed the definitions in).
        missing = sorted(k for k in wanted if k not in stored)
        seen = {k: stored[k] for k in wanted if k in stored}
        if missing:
            # Writing those again would be dropped again, so while a field is undefined
            # the wanted value stands in for it. Once the definition exists, the next
            # refresh shows the gap and `up` writes the value.
            defined = {field.name for field in listing.all(self.client, "defined_fields")}
            seen.update({k: wanted[k] for k in missing if k not in defined})
        return {
            **props,
            "business_name": customer.business_name,
            "email": customer.email,
            "notes": customer.notes if customer.notes is not None else props.get("notes"),
            "fields": {k: v for k, v in seen.items() if k not in wanted_edr},
            "edr_keys": {k: v for k, v in seen.items() if k in wanted_edr},
            "syncro_id": int(customer.id),
            "disabled": bool(customer.disabled),
            # Named, never valued: EDR key names are not secret, their values are.
            "missing_fields": missing,
        }

    def _existing(self, props: Mapping[str, Any]) -> tuple[Any | None, str]:
        """The Syncro customer this resource would collide with, and why."""
        customers = listing.all(self.client, "customers")
        email = str(props["email"]).lower()
        name = str(props["business_name"]).strip().lower()
        for customer in customers:
            if str(customer.email or "").lower() == email:
                return customer, f"the same email {props['email']}"
        for customer in customers:
            if str(customer.business_name or "").strip().lower() == name:
                return customer, f"the same business name {props['business_name']!r}"
        return None, ""

    @staticmethod
    def _is_ours(customer: Any, props: Mapping[str, Any]) -> bool:
        """A record already carrying this CS Client ID is this customer: a run that
        crashed (or lost the response) after Syncro stored it. Adopting it is how a
        re-run converges without a duplicate and without asking for `adopt: true`."""
        return (customer.properties or {}).get(FIELD_CLIENT_ID) == props["client_id"]

    def _write(self, customer_id: int, props: Mapping[str, Any]) -> Any:
        """Read-modify-write: properties we do not manage survive (PUT may replace the map)."""
        current = self.client.get_customer(customer_id)
        properties = {**(current.properties or {}), **self._managed_properties(props)}
        return self.client.update_customer(
            customer_id, {**self._record(props), "properties": properties}
        )

    # --- lifecycle ------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        existing, why = self._existing(props)
        if existing is not None and not (props.get("adopt") or self._is_ours(existing, props)):
            raise OrganizationExists(
                f"{props['client_id']}: organization {props['business_name']!r} already exists "
                f"in Syncro as customer #{existing.id} ({why}). Fix: add `adopt: true` to the "
                "customer file to manage that record, or correct the name or main_poc email."
            )
        if existing is not None:
            customer = self._write(int(existing.id), props)
        else:
            customer = self.client.create_customer(
                {**self._record(props), "properties": self._managed_properties(props)}
            )
            listing.note_new_customer(self.client, int(customer.id))
        listing.remember(self.client, "customers", customer)
        return CreateResult(id_=str(customer.id), outs=self._outs(props, customer))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        customer = listing.get(self.client, "customers", int(id_))
        if customer is None:
            try:
                customer = self.client.get_customer(int(id_))
            except SyncroNotFound:
                return ReadResult(id_=None, outs={})  # deleted out of band: up recreates it
        return ReadResult(id_=id_, outs=self._outs(props, customer))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if all(olds.get(key) == news.get(key) for key in self.written):
            # Only what the policy pack reads changed: new state, no request to Syncro.
            kept = {key: olds.get(key) for key in ("syncro_id", "disabled", "missing_fields")}
            return UpdateResult(outs={**news, **kept})
        customer = self._write(int(id_), news)
        listing.remember(self.client, "customers", customer)
        return UpdateResult(outs=self._outs(news, customer))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Syncro archives a customer that has tickets instead of deleting it; we let it."""
        try:
            outcome = self.client.delete_customer(int(id_))
        except SyncroNotFound:
            outcome = "already gone"
        listing.drop(self.client, "customers", int(id_))
        if "disabled" in outcome.lower() or "archiv" in outcome.lower():
            # Shown by the CLI under this resource: the record was kept, not deleted.
            pulumi.log.warn(
                f"{props.get('client_id')}: Syncro archived organization #{id_} "
                f"({props.get('business_name')!r}) instead of deleting it because it has "
                "tickets; its history is kept. Syncro says: " + outcome
            )


class Organization(Resource, module="syncro", name="Organization"):
    """A Syncro customer with the MSP's standard custom fields; EDR keys stay secret."""

    syncro_id: pulumi.Output[int]
    disabled: pulumi.Output[bool]
    missing_fields: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        client_id: str,
        business_name: str,
        email: str,
        contact_name: str,
        tier: str,
        domains: list[str],
        fields: dict[str, str],
        sla_terms: dict[str, Any],
        edr_keys: pulumi.Input[dict[str, str]],
        notes: str,
        adopt: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "client_id": client_id,
            "business_name": business_name,
            "email": email,
            "contact_name": contact_name,
            "tier": tier,
            "domains": domains,
            "fields": fields,
            "sla_terms": sla_terms,
            "edr_keys": edr_keys,
            "notes": notes,
            "adopt": adopt,
            "portal_user": False,
            "syncro_id": None,
            "disabled": None,
            "missing_fields": None,
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["edr_keys"])
        super().__init__(
            OrganizationProvider(), resource_name, props, pulumi.ResourceOptions.merge(secret, opts)
        )
