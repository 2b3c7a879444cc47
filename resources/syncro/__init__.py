"""The Syncro API client: httpx + pydantic, paced, retrying, no Pulumi in it."""

from resources.syncro.client import SyncroClient, admin_url_for
from resources.syncro.errors import (
    SyncroApiError,
    SyncroAuthError,
    SyncroBadAnswer,
    SyncroError,
    SyncroNotFound,
    SyncroOutcomeUnknown,
    SyncroRateLimited,
    SyncroUnavailable,
    SyncroValidationError,
)
from resources.syncro.pacer import Pacer

__all__ = [
    "Pacer",
    "SyncroApiError",
    "SyncroAuthError",
    "SyncroBadAnswer",
    "SyncroClient",
    "SyncroError",
    "SyncroNotFound",
    "SyncroOutcomeUnknown",
    "SyncroRateLimited",
    "SyncroUnavailable",
    "SyncroValidationError",
    "admin_url_for",
]
