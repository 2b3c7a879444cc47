"""One module per Syncro object kind, each one declaration plus its own behaviour.

See resources/objects/base.py for the descriptor (`ObjectType`) and docs/design.md
for the files a new kind touches.
"""

from resources.objects.base import (
    RUNBOOK_ID_PREFIX,
    Input,
    ObjectType,
    Status,
    SyncroResource,
    status_key,
)

__all__ = ["RUNBOOK_ID_PREFIX", "Input", "ObjectType", "Status", "SyncroResource", "status_key"]
