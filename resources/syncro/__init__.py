"""The Syncro API client: httpx + pydantic, paced, retrying, no Pulumi in it."""

from resources.syncro import errors
from resources.syncro.client import SyncroClient, admin_url_for
from resources.syncro.errors import *  # noqa: F403 - the error classes (errors.__all__)
from resources.syncro.pacer import Pacer

__all__ = ["Pacer", "SyncroClient", "admin_url_for", *errors.__all__]
