"""The main contact as a Syncro End User (never a portal user: customers are email-only).

Public API: `POST /contacts {customer_id, name, email, enable_portal_user: false}`, so
mail from the main contact routes to the organization. `GET /portal_users?customer_id=`
shows whether the customer has a portal login (it should have none); that endpoint
needs Syncro's Global Admin permission, and a token without it gets 401: then the
output says the check could not be made, never that there is none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from resources.objects.base import Input, customer_object, resource_class
from resources.providers.base import AdminObjectProvider
from resources.providers.ownership import check_customer_of, moved_away
from resources.syncro import SyncroAuthError, SyncroNotFound
from resources.syncro.models import CONTACTS, PORTAL_USERS, ContactRequest

NOT_CHECKED_NEW = "not checked yet: organization created by this run (pulumi refresh checks)"

CONTACT = customer_object(
    "Contact",
    "contact",
    (
        Input("name", required=True),
        Input("email", required=True),
        Input("portal_user", managed=False),  # always False
    ),
    outputs=("syncro_id", "status", "portal_users"),
    collection=CONTACTS,
    doc="The main contact: an End User of the organization, no portal login.",
)


class ContactProvider(AdminObjectProvider):
    declaration = CONTACT
    echoed = ("name", "email", "customer_id")

    def _contacts(self, props: Mapping[str, Any]):  # noqa: ANN202 - a Cache of Contact
        """This customer's contacts only (`GET /contacts?customer_id=`)."""
        return self.session.of_customer(CONTACTS, int(props["customer_id"]))

    def body(self, props: Mapping[str, Any]) -> ContactRequest:
        return ContactRequest(
            customer_id=int(props["customer_id"]), name=props["name"], email=props["email"]
        )

    def same_object(self, obj: Any, props: Mapping[str, Any]) -> bool:
        return str(obj.email or "").lower() == str(props["email"]).lower()

    def portal_users(self, props: Mapping[str, Any], *, whole_account: bool = False) -> str:
        """What GET /portal_users says of this customer, in words. `whole_account`
        (refresh): out of one list of every portal user, shared by all contacts."""
        customer_id = int(props["customer_id"])
        try:
            if whole_account:
                found = self.session.portal_users.of_customer(customer_id)
            else:
                found = self.client.list_of(PORTAL_USERS, probe=True, customer_id=customer_id)
        except SyncroNotFound:
            return "not checked: Syncro knows no such customer"
        except SyncroAuthError:
            return (
                "not checked: the API token lacks Syncro's Global Admin permission "
                "(GET /portal_users answered 401); look under the customer's Portal Users"
            )
        if not found:
            return "none"
        return "PORTAL USER PRESENT (customers are email-only): " + ", ".join(
            str(p.email) for p in found
        )

    def api_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        check_customer_of(self.session, props, "this contact")
        contacts = self._contacts(props)
        existing = (
            None
            if self.session.is_new_customer(props.get("customer_id"))
            else contacts.find(lambda c: self.same_object(c, props))
        )
        if existing is not None:
            obj = self.client.update_of(CONTACTS, existing.id, self.body(props))
        else:

            def lookup() -> Any:
                contacts.forget()
                return contacts.find(lambda c: self.same_object(c, props))

            obj = self.client.create_of(CONTACTS, self.body(props), lookup=lookup)
        contacts.remember(obj)
        self.session.contacts.remember(obj)
        self.session.claim(CONTACTS.plural, obj.id, self._label(props))
        # An organization this run created has no portal login unless someone adds one
        # meanwhile: refresh checks (one list for all), not a request per new customer.
        portal = (
            NOT_CHECKED_NEW
            if self.session.is_new_customer(props.get("customer_id"))
            else self.portal_users(props)
        )
        return str(obj.id), {"syncro_id": obj.id, "portal_users": portal}

    def api_update(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        check_customer_of(self.session, props, "this contact")
        obj = self.client.update_of(CONTACTS, int(id_), self.body(props))
        self._contacts(props).remember(obj)
        self.session.contacts.remember(obj)
        return {"syncro_id": obj.id, "portal_users": self.portal_users(props)}

    def api_read(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        """Out of one paged `GET /contacts` (every contact) for the whole refresh."""
        obj = self.session.contacts.get(int(id_))
        if obj is None:
            return None
        portal = self.portal_users(props, whole_account=True)
        return {**self.observed(obj, props), "portal_users": portal}

    def api_delete(self, id_: str, props: Mapping[str, Any]) -> None:
        owner = self.session.claimed_by(CONTACTS.plural, int(id_))
        if owner not in (None, self._label(props)) or moved_away(self.session, props, None):
            return
        with contextlib.suppress(SyncroNotFound):
            self.client.delete_of(CONTACTS, int(id_))
        self.session.contacts.drop(int(id_))


Contact = resource_class(CONTACT, ContactProvider)
