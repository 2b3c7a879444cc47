"""The tier's RMM policy on the organization's root policy folder (SOP Part A step 6).

Public API (newest spec): Syncro makes a root folder (`parent_id: null`) with every
organization; `PUT /policy_folders/{id}` with `partial_policy_id` assigns the policy and
the answer's `effective_policy_id` shows it took. Policies cannot be listed by API:
their ids come from stack config `syncro:tierPolicies` (copied from the UI); without
one the assignment stays `pending` and the runbook says where to find the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.objects.base import Input, Status, customer_object, optional_int, resource_class
from resources.providers.base import AdminObjectProvider
from resources.providers.ownership import check_customer_of
from resources.syncro import SyncroNotFound
from resources.syncro.models import POLICY_FOLDERS, PolicyFolder, PolicyFolderRequest

POLICY_ASSIGNMENT = customer_object(
    "PolicyAssignment",
    "policy",
    (
        Input("tier", judged=True, required=True),
        Input("policy_kind", judged=True),
        Input("partial_policy_id"),  # int from syncro:tierPolicies.<Tier>, or None
    ),
    outputs=("syncro_id", "effective_policy_id", "status"),
    collection=POLICY_FOLDERS,
    doc="The tier's policy set on the organization's root policy folder.",
)


class RootMissing(ValueError):
    """Syncro shows no root policy folder for the organization."""


class PolicyAssignmentProvider(AdminObjectProvider):
    declaration = POLICY_ASSIGNMENT

    def _root(self, props: Mapping[str, Any], *, fresh: bool = False) -> PolicyFolder:
        folders = self.session.of_customer(POLICY_FOLDERS, int(props["customer_id"]))
        if fresh:
            folders.forget()
        root = folders.find(lambda f: f.parent_id is None)
        if root is None:
            raise RootMissing(
                f"{props['client_id']}: Syncro shows no root policy folder for organization "
                f"#{int(props['customer_id'])} (GET /policy_folders?customer_id=). Fix: open "
                "the organization's Policies tab once in Syncro, then run `pulumi up` again."
            )
        return root

    def _outs(self, folder: PolicyFolder, props: Mapping[str, Any]) -> dict[str, Any]:
        wanted = optional_int(props.get("partial_policy_id"))
        seen = wanted is not None and folder.effective_policy_id == wanted
        return {
            "syncro_id": folder.id,
            "partial_policy_id": folder.partial_policy_id,
            "effective_policy_id": folder.effective_policy_id,
            # Verified only by the answer's effective policy; no id configured: pending.
            "status": (Status.VERIFIED if seen else Status.PENDING).value,
        }

    def _assign(self, props: Mapping[str, Any]) -> dict[str, Any]:
        check_customer_of(self.session, props, "this policy folder")
        root = self._root(props)
        wanted = optional_int(props.get("partial_policy_id"))
        if wanted is None and root.partial_policy_id is None:
            return self._outs(root, props)  # nothing to assign yet; nothing written
        answer = self.client.update_of(
            POLICY_FOLDERS,
            root.id,
            PolicyFolderRequest(name=root.name or props["client_id"], partial_policy_id=wanted),
        )
        self.session.of_customer(POLICY_FOLDERS, int(props["customer_id"])).remember(answer)
        return self._outs(answer, props)

    def api_create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        outs = self._assign(props)
        return str(outs["syncro_id"]), outs

    def api_update(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        return self._assign(props)

    def api_read(self, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            return self._outs(self._root(props, fresh=True), props)
        except (SyncroNotFound, RootMissing):
            return None  # the organization (and its folders) is gone: up recreates it

    def api_delete(self, id_: str, props: Mapping[str, Any]) -> None:
        """Leave the folder (Syncro's own, made with the organization) and its policy:
        taking a customer's policy set away is a person's decision, and the folder may
        be another resource's by now (a renamed client ID)."""


PolicyAssignment = resource_class(POLICY_ASSIGNMENT, PolicyAssignmentProvider)
