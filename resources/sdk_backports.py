"""A fix from a newer Pulumi Python SDK than the one we can pin (README, "Why Pulumi 3.188.0").

The 3.188 SDK records every `Output` it makes in `SETTINGS.outputs`, a `deque`, and
removes each one with `deque.remove` when it resolves: a scan of everything still
recorded. A first `up` of 400 customers makes about 145,000 Outputs, so the program
spent more than half its time in that scan and the time per customer grew with the
stack (bench/README.md, "First up at scale"). Pulumi made the record a set in
pulumi/pulumi#22946 (merged 2026-05, in releases our mirror does not serve). Remove this
module, and its call in `__main__.py`, once the pin moves past that release.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from pulumi.runtime.settings import SETTINGS


class OutputRecord:
    """What the SDK asks of `SETTINGS.outputs` (append, remove, popleft, len, clear), with
    a remove that costs O(1): a removed task stays in the order until `popleft` passes it.
    Order still matters to the SDK's final wait, which rotates through pending tasks."""

    def __init__(self, recorded: Iterable[Any] = ()) -> None:
        self._order: deque[Any] = deque()
        self._live: set[Any] = set()
        for task in recorded:
            self.append(task)

    def append(self, task: Any) -> None:
        self._live.add(task)
        self._order.append(task)

    def remove(self, task: Any) -> None:
        if task not in self._live:
            raise ValueError("not recorded")  # what deque.remove raises; the SDK expects it
        self._live.remove(task)

    def popleft(self) -> Any:
        while True:
            task = self._order.popleft()  # IndexError when empty, as a deque's
            if task in self._live:
                self._live.remove(task)
                return task

    def clear(self) -> None:
        self._order.clear()
        self._live.clear()

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[Any]:
        return (task for task in list(self._order) if task in self._live)


def record_outputs_in_a_set() -> None:
    """Swap the program's record of Outputs for an `OutputRecord` (idempotent)."""
    current = SETTINGS.outputs
    if not isinstance(current, OutputRecord):
        SETTINGS.outputs = OutputRecord(current)
