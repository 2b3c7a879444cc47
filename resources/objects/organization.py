"""The Syncro customer ("organization") and its custom field values: always the public API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from resources.catalog import FIELD_CLIENT_ID
from resources.objects.base import Input, ObjectType, resource_class, status_key
from resources.providers.base import SyncroProvider
from resources.providers.ownership import client_id_of, refuse_if_not_theirs, same_identity
from resources.syncro import SyncroNotFound
from resources.syncro.models import CUSTOMERS, Customer, CustomerRequest

ORGANIZATION = ObjectType(
    name="Organization",
    # `tier`, `domains` and `sla_terms` are judged: Syncro sees them only through
    # `fields`, so a change to them alone (say, a second domain removed) updates the
    # state for the policy pack without writing the organization.
    inputs=(
        Input("client_id", managed=False, replace=True, required=True),
        Input("business_name", required=True),
        Input("email", required=True),
        Input("contact_name"),
        Input("tier", judged=True),
        Input("domains", judged=True),
        Input("fields", required=True),
        Input("sla_terms", judged=True),
        Input("edr_keys", secret=True),
        Input("notes"),
        Input("adopt", managed=False),
        Input("portal_user", managed=False),  # always False: customers are email-only
    ),
    outputs=("syncro_id", "disabled", "missing_fields"),
    collection=CUSTOMERS,
    public_api=True,
    status_key=lambda p: status_key("organization"),
    doc="A Syncro customer with the MSP's standard custom fields; EDR keys stay secret.",
)


class OrganizationExists(Exception):
    """The customer is already in Syncro and the file did not ask to adopt it."""


class OrganizationArchived(Exception):
    """The customer's record is archived in Syncro: a person re-enables it in the UI."""


class OrganizationProvider(SyncroProvider):
    declaration = ORGANIZATION

    # --- mapping --------------------------------------------------------------------------
    @staticmethod
    def _managed_properties(props: Mapping[str, Any]) -> dict[str, str]:
        return {**dict(props["fields"]), **dict(props.get("edr_keys") or {})}

    @staticmethod
    def _request(props: Mapping[str, Any], properties: dict[str, str]) -> CustomerRequest:
        first, _, last = str(props.get("contact_name") or "").partition(" ")
        return CustomerRequest(
            business_name=props["business_name"],
            email=props["email"],
            firstname=first,
            lastname=last,
            notes=props.get("notes") or "",
            # Email-only customers: no SMS, no marketing; we never create a portal user.
            get_sms=False,
            get_marketing=False,
            properties=properties,
        )

    def _outs(self, props: Mapping[str, Any], customer: Customer) -> dict[str, Any]:
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
            defined = {field.name for field in self.session.defined_fields.all()}
            seen.update({k: wanted[k] for k in missing if k not in defined})
        return {
            **props,
            "business_name": customer.business_name,
            "email": same_identity(props.get("email"), customer.email),
            "notes": customer.notes if customer.notes is not None else props.get("notes"),
            "fields": {k: v for k, v in seen.items() if k not in wanted_edr},
            "edr_keys": {k: v for k, v in seen.items() if k in wanted_edr},
            "syncro_id": int(customer.id),
            "disabled": bool(customer.disabled),
            # Named, never valued: EDR key names are not secret, their values are.
            "missing_fields": missing,
        }

    def _existing(self, props: Mapping[str, Any]) -> tuple[Customer | None, str]:
        """The Syncro customer this resource would collide with, and why."""
        customers = self.session.customers.all()
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
    def _is_ours(customer: Customer, props: Mapping[str, Any]) -> bool:
        """A record already carrying this CS Client ID is this customer: a run that
        crashed (or lost the response) after Syncro stored it. Adopting it is how a
        re-run converges without a duplicate and without asking for `adopt: true`."""
        return (customer.properties or {}).get(FIELD_CLIENT_ID) == props["client_id"]

    def _write(
        self, customer_id: int, props: Mapping[str, Any], *, adopting: bool = False
    ) -> Customer:
        """Read-modify-write: properties we do not manage survive (PUT may replace the map).

        The record must be this customer's (its CS Client ID), unless the file adopts it."""
        current = self.client.get_customer(customer_id)
        if current.disabled:
            # The published API has no re-enable (the newest spec's customer body has no
            # `disabled`): writing an archived record would report "applied" for a
            # customer whose mail and deliverables stay dead.
            raise OrganizationArchived(
                f"{props['client_id']}: Syncro organization #{customer_id} "
                f"({current.business_name!r}) is archived; nothing was written. Fix: in "
                f"Syncro open Customers > {current.business_name} > Actions > Re-Enable, "
                "then run `pulumi up` again."
            )
        if adopting:
            previous = client_id_of(current)
            if previous not in (None, props["client_id"]):
                pulumi.log.warn(
                    f"{props['client_id']}: adopting organization #{customer_id}, which was "
                    f"{previous}; from now on it is {props['client_id']}, and the resource of "
                    f"{previous} leaves it in Syncro."
                )
        else:
            refuse_if_not_theirs(current, str(props["client_id"]), "this organization")
        properties = {**(current.properties or {}), **self._managed_properties(props)}
        return self.client.update_customer(customer_id, self._request(props, properties))

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
            customer = self._write(int(existing.id), props, adopting=True)
        else:
            customer = self.client.create_customer(
                self._request(props, self._managed_properties(props))
            )
            self.session.note_new_customer(int(customer.id))
        self.session.customers.remember(customer)
        self.session.claim(CUSTOMERS.plural, int(customer.id), props["client_id"])
        return CreateResult(id_=str(customer.id), outs=self._outs(props, customer))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        customer = self.session.customers.get(int(id_))
        if customer is None:
            try:
                customer = self.client.get_customer(int(id_))
            except SyncroNotFound:
                return ReadResult(id_=None, outs={})  # deleted out of band: up recreates it
        return ReadResult(id_=id_, outs=self._outs(props, customer))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if all(olds.get(key) == news.get(key) for key in self.declaration.written):
            # Only what the policy pack reads changed: new state, no request to Syncro.
            kept = {key: olds.get(key) for key in self.declaration.outputs}
            return UpdateResult(outs={**news, **kept})
        customer = self._write(int(id_), news)
        self.session.customers.remember(customer)
        return UpdateResult(outs=self._outs(news, customer))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Syncro archives a customer that has tickets instead of deleting it; we let it.

        Never a record another resource of the stack has now: one a create of this run
        adopted, or one whose CS Client ID names another customer."""
        customer = self.session.customer(int(id_))
        if customer is None:
            return  # already gone
        mine = props.get("client_id")
        claimed = self.session.claimed_by(CUSTOMERS.plural, int(id_))
        owner = claimed if claimed not in (None, mine) else client_id_of(customer)
        if owner not in (None, mine):
            pulumi.log.warn(
                f"{mine}: left organization #{id_} in Syncro: it is {owner} now; only "
                f"{mine}'s resource is gone from the stack."
            )
            return
        try:
            outcome = self.client.delete_customer(int(id_))
        except SyncroNotFound:
            outcome = "already gone"
        self.session.customers.drop(int(id_))
        if "disabled" in outcome.lower() or "archiv" in outcome.lower():
            # Shown by the CLI under this resource: the record was kept, not deleted.
            pulumi.log.warn(
                f"{props.get('client_id')}: Syncro archived organization #{id_} "
                f"({props.get('business_name')!r}) instead of deleting it because it has "
                "tickets; its history is kept. Syncro says: " + outcome
            )


Organization = resource_class(ORGANIZATION, OrganizationProvider)
