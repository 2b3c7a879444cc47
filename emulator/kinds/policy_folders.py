"""Policy folders (newest spec): a root per customer, policies inherited down the tree."""

from __future__ import annotations

from typing import Any

from emulator.kinds.base import GetList, Invalid, Kind, Missing, Query, as_int, blank

SHOWN = ("id", "name", "parent_id", "partial_policy_id", "effective_policy_id")


class PolicyFolders(Kind):
    """`/policy_folders`: listed per customer (customer_id required); folders are made
    under a parent of the same customer; a folder with children cannot be deleted."""

    name = "policy_folders"
    singular = "policy_folder"
    id_base = 601
    writable = {"customer_id": None, "name": None, "parent_id": None, "partial_policy_id": None}
    timestamps = True

    def effective(self, folder: dict[str, Any]) -> int | None:
        """The folder's own policy, else the nearest ancestor's."""
        seen: set[int] = set()
        current: dict[str, Any] | None = folder
        while current is not None and current["id"] not in seen:
            if current.get("partial_policy_id") is not None:
                return int(current["partial_policy_id"])
            seen.add(current["id"])
            current = self.store.get(self.name, current.get("parent_id") or 0)
        return None

    def out(self, f: dict[str, Any]) -> dict[str, Any]:
        """The spec's fields (no customer_id: folders are listed per customer)."""
        return {
            "id": f["id"],
            "name": f.get("name"),
            "parent_id": f.get("parent_id"),
            "partial_policy_id": f.get("partial_policy_id"),
            "effective_policy_id": self.effective(f),
            "created_at": f.get("created_at"),
            "updated_at": f.get("updated_at"),
        }

    def list(self, q: Query, getlist: GetList) -> list[dict[str, Any]]:
        """One customer's folders (an unknown or missing customer is a 404)."""
        customer_id = as_int(q.get("customer_id"))
        if customer_id is None or not self.store.get("customers", customer_id):
            raise Missing("Customer not found")
        return [self.out(f) for f in self.store.all(self.name) if f["customer_id"] == customer_id]

    def create_root(self, customer: dict[str, Any], name: str) -> dict[str, Any]:
        """The folder Syncro makes with every organization, named for it."""
        now = self.account.now()
        return self.store.insert(
            self.name,
            {
                "customer_id": customer["id"],
                "name": name,
                "parent_id": None,
                "partial_policy_id": None,
                "created_at": now,
                "updated_at": now,
            },
        )

    def root_of(self, customer_id: int) -> dict[str, Any] | None:
        """A customer's root folder."""
        return next(
            (
                f
                for f in self.store.all(self.name)
                if f["customer_id"] == customer_id and f.get("parent_id") is None
            ),
            None,
        )

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Customer, name and parent required on create; the parent is the same
        customer's and not the folder itself or below it; the policy exists."""
        if current is not None:
            data["customer_id"] = current["customer_id"]  # not writable after create
        for key in ("customer_id", "parent_id", "partial_policy_id"):
            data[key] = as_int(data.get(key))
        if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
            raise Missing("Customer not found")
        if blank(data.get("name")):
            raise Invalid("Name is required")
        data["name"] = data["name"].strip()
        is_root = current is not None and current.get("parent_id") is None
        if is_root and "parent_id" in body and data["parent_id"] is not None:
            raise Invalid("The root folder cannot be moved")
        if not is_root:
            self._check_parent(data, current)
        # An id naming no policy is kept as given (whether Syncro checks is unverified:
        # policies have no public list, so the program cannot look first either).
        policy = data.get("partial_policy_id")
        if body.get("partial_policy_id") not in (None, "") and (policy is None or policy <= 0):
            raise Invalid("Partial policy is invalid")

    def _check_parent(self, data: dict[str, Any], current: dict[str, Any] | None) -> None:
        if data["parent_id"] is None:
            raise Invalid("Parent is required")
        parent = self.store.get(self.name, data["parent_id"])
        if parent is None or parent["customer_id"] != data["customer_id"]:
            raise Invalid("Parent folder must belong to the same customer")
        walk: dict[str, Any] | None = parent
        while current is not None and walk is not None:
            if walk["id"] == current["id"]:
                raise Invalid("A folder cannot be moved into itself or one of its children")
            walk = self.store.get(self.name, walk.get("parent_id") or 0)

    def delete(self, obj_id: int) -> dict[str, Any]:
        """Refused while the folder has children, and for a customer's root."""
        with self.store.tx():
            current = self.get(obj_id)
            if any(f.get("parent_id") == obj_id for f in self.store.all(self.name)):
                raise Invalid("Cannot delete a folder with child folders")
            if current.get("parent_id") is None:
                raise Invalid("Cannot delete the root folder")
            self.store.delete(self.name, obj_id)
        return current
