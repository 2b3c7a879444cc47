"""Whose a Syncro record is: the CS Client ID custom field says it, not the state file.

Two rules follow (issue 14 items 2 and 6):
- before writing, the record must be the customer's: an organization whose CS Client
  ID names another customer is never written, nor a rule or schedule for it;
- a delete never removes or archives an object another resource of the stack now has
  (a create of this run adopted it, or Syncro shows it belongs elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.catalog import FIELD_CLIENT_ID
from resources.providers.session import Session
from resources.syncro.models import Customer


class NotThisCustomer(Exception):
    """The record the state names belongs to another customer: nothing was written."""


def client_id_of(customer: Customer | None) -> str | None:
    """The CS Client ID a record carries (None before the field is defined or written)."""
    if customer is None:
        return None
    value = (customer.properties or {}).get(FIELD_CLIENT_ID)
    return str(value) if value else None


def refuse_if_not_theirs(customer: Customer, client_id: str, what: str) -> None:
    """Stop before writing `what` onto a record that carries another CS Client ID."""
    other = client_id_of(customer)
    if other is None or other == client_id:
        return
    raise NotThisCustomer(
        f"{client_id}: the state says {what} belongs to Syncro organization #{customer.id}, "
        f"but that record is {other} ({customer.business_name!r}); nothing was written. "
        "Fix: if the state was edited by hand, restore it (`pulumi stack export` of a good "
        f"copy, then `pulumi stack import`); or drop the wrong resources of {client_id} "
        "(`pulumi state delete <urn>`) and run `pulumi up` again so it finds its own record."
    )


def check_customer_of(session: Session, props: Mapping[str, Any], what: str) -> None:
    """Before writing an object for `props["customer_id"]`: that customer is this client's."""
    customer_id = props.get("customer_id")
    if not isinstance(customer_id, int | float) or session.is_new_customer(customer_id):
        return
    customer = session.customer(int(customer_id))
    if customer is not None:
        refuse_if_not_theirs(customer, str(props["client_id"]), what)


def moved_away(session: Session, props: Mapping[str, Any], obj_customer_id: Any) -> str | None:
    """Why an object of this customer is not this resource's to delete any more, if so."""
    customer_id = props.get("customer_id")
    if not isinstance(customer_id, int | float):
        return None
    if obj_customer_id is not None and int(obj_customer_id) != int(customer_id):
        return f"it now belongs to organization #{obj_customer_id}"
    other = client_id_of(session.customer(int(customer_id)))
    if other is not None and other != props.get("client_id"):
        return f"its organization #{int(customer_id)} is now managed as {other}"
    return None


def same_identity(wanted: Any, seen: Any) -> Any:
    """What Syncro has, unless it is the wanted email or domain in other case: Syncro
    compares those without regard to case, so `Sam@CyberSuite.tech` is no drift."""
    if seen is None or seen == "":
        return wanted
    if isinstance(wanted, str) and isinstance(seen, str) and wanted.lower() == seen.lower():
        return wanted
    return seen
