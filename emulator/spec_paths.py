"""Which requests Syncro's published API serves: the check behind strict mode's promise.

`requests_outside_spec(requests)` takes the emulator's request log (`GET
/_emulator/requests`, or `EmulatorServer.emulator.log.since(0)`) and returns every
request the program made (public or admin surface; the person's surface stands for the
web UI and is not the program) whose method and path match no operation of the spec.

The spec is the reference copy beside the repository
(`../shared/reference/syncro-api-v1-swagger.json`, the 110-path version) plus the paths
the newest published version (advenimus/syncromsp-mcp docs/swagger.json at 61fbd894,
125 paths; it could be read but not copied) adds, listed below with their methods.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SPEC = REPO_ROOT.parent / "shared" / "reference" / "syncro-api-v1-swagger.json"
API_PREFIX = "/api/v1"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Operations of the newest spec (61fbd894) that the reference copy lacks, as read from it
# (shared/reference/README.md lists the added paths; methods from the spec text and
# shared/syncro-api-notes.md). Only
# paths are data here: the emulator serves policy folders; the rest are listed so a
# program request to them is not reported as outside Syncro's API.
NEWER_OPERATIONS: dict[str, tuple[str, ...]] = {
    "/policy_folders": ("get", "post"),
    "/policy_folders/{id}": ("get", "put", "delete"),
    "/ticket_blueprints": ("get",),
    "/ticket_blueprints/{id}/apply": ("post",),
}


@cache
def _load(spec_file: str) -> dict[str, frozenset[str]]:
    document = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    return {
        path: frozenset(m for m in item if m in HTTP_METHODS)
        for path, item in (document.get("paths") or {}).items()
    }


def spec_operations(spec_file: Path | str | None = None) -> dict[str, frozenset[str]]:
    """Path template -> methods (lower case) of the spec, newer operations included.

    Reading the spec file fails loudly (FileNotFoundError) when it is missing."""
    operations = dict(_load(str(spec_file or REFERENCE_SPEC)))
    for path, methods in NEWER_OPERATIONS.items():
        operations[path] = operations.get(path, frozenset()) | frozenset(methods)
    return operations


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


def in_spec(method: str, path: str, spec_file: Path | str | None = None) -> bool:
    """Whether `METHOD /api/v1/...` is an operation of Syncro's published API."""
    if not path.startswith(API_PREFIX + "/"):
        return False
    relative = path[len(API_PREFIX) :].rstrip("/") or "/"
    wanted = method.lower()
    # A literal path wins over a template (`/tickets/settings` vs `/tickets/{id}`).
    operations = spec_operations(spec_file)
    if relative in operations:
        return wanted in operations[relative]
    return any(
        wanted in methods and _pattern(template).match(relative)
        for template, methods in operations.items()
        if "{" in template
    )


def requests_outside_spec(
    requests: Iterable[Mapping[str, Any]], spec_file: Path | str | None = None
) -> list[str]:
    """`"METHOD /path"` for each program request (not the person's surface) that Syncro's
    published API does not serve, in log order (duplicates kept: each is a request)."""
    outside = []
    for entry in requests:
        if entry.get("surface") == "person":
            continue
        method, path = str(entry.get("method", "")).upper(), str(entry.get("path", ""))
        if not in_spec(method, path, spec_file):
            outside.append(f"{method} {path}")
    return outside
