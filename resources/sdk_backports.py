"""Two fixes from a newer Pulumi Python SDK than the one we can pin (README, "Why Pulumi
3.188.0"). Remove this module, and its call in `__main__.py`, once the pin moves past both.

1. The record of Outputs. The 3.188 SDK records every `Output` it makes in
   `SETTINGS.outputs`, a `deque`, and removes each one with `deque.remove` when it
   resolves: a scan of everything still recorded. A first `up` of 400 customers makes
   about 145,000 Outputs, so the program spent more than half its time in that scan and
   the time per customer grew with the stack (bench/README.md, "First up at scale").
   Pulumi made the record a set in pulumi/pulumi#22946.
2. The final wait. Once the program's code has run, the SDK waits for every Output by
   rotating through the pending ones with `asyncio.sleep(0)` between looks: the program
   process spins a whole core for as long as the engine works, which on a 2-core machine
   is half of what the engine, the providers and the policy pack could use. Pulumi made it
   block in pulumi/pulumi#22411 (`asyncio.wait`). Here the record itself says when a task
   settles, so the wait sleeps until one does and costs O(1) per task, not a pass over
   all pending tasks each time one settles.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import pulumi.runtime.stack
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager

SDK_WAIT_FOR_RPCS = pulumi.runtime.stack.wait_for_rpcs


class OutputRecord:
    """What the SDK asks of `SETTINGS.outputs` (append, remove, popleft, len, clear), with
    a remove that costs O(1): a removed task stays in the order until `popleft` passes it.

    It also watches each task it records, for the final wait: `next_settled()` gives a
    recorded task that has finished, and `settled()` sleeps until one does."""

    def __init__(self, recorded: Iterable[Any] = ()) -> None:
        self._order: deque[Any] = deque()
        self._live: set[Any] = set()
        self._watched: set[Any] = set()
        self._settled: deque[Any] = deque()
        self._settled_since_look = False
        self._waiter: asyncio.Future[None] | None = None
        for task in recorded:
            self.append(task)

    def append(self, task: Any) -> None:
        if task not in self._watched and hasattr(task, "add_done_callback"):
            self._watched.add(task)  # one callback per task, however often it is recorded
            task.add_done_callback(self._on_settled)
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
        self._settled.clear()

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[Any]:
        return (task for task in list(self._order) if task in self._live)

    def _on_settled(self, task: Any) -> None:
        self._watched.discard(task)
        self._settled.append(task)
        self._settled_since_look = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def next_settled(self) -> Any | None:
        """A recorded task that has finished, taken out of the record; None if none has.
        (The SDK removes a task that succeeded itself; one that failed it leaves.)"""
        while self._settled:
            task = self._settled.popleft()
            if task in self._live:
                self._live.remove(task)
                return task
        return None

    async def settled(self) -> None:
        """Until a recorded task finishes (at once if one did since the last call)."""
        # A flag and a future, not an asyncio.Event: no wake-up is lost between a look
        # and the wait, and nothing is bound to one event loop (tests run several).
        if not self._settled_since_look:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._settled_since_look = False


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """The SDK's `pulumi.runtime.stack.wait_for_rpcs` (3.188), blocking where it spun.

    The RPC loop is the SDK's own: it already awaits each RPC in turn. The Output loop
    takes each recorded task as it finishes and sleeps while none has; like the SDK's, it
    raises the first that failed and ends when none is left, and new RPCs start a round."""
    record = SETTINGS.outputs
    if not isinstance(record, OutputRecord):  # the SDK's mocks put a plain deque back
        return await SDK_WAIT_FOR_RPCS(await_all_outstanding_tasks)
    rpc_manager = _get_rpc_manager()
    while True:
        while len(rpc_manager.rpcs) > 0:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(
                        rpc_manager.exception_traceback,
                    )
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)

        if await_all_outstanding_tasks:
            while len(record) != 0:
                finished = record.next_settled()
                if finished is None:
                    await record.settled()
                else:
                    await finished  # at once; raises if it failed, as the SDK's loop does

        if len(rpc_manager.rpcs) == 0:
            break


def install() -> None:
    """Both fixes, before the program makes its first Output (idempotent)."""
    current = SETTINGS.outputs
    if not isinstance(current, OutputRecord):
        SETTINGS.outputs = OutputRecord(current)
    # `run_pulumi_func` looks the name up when the program's code has returned.
    pulumi.runtime.stack.wait_for_rpcs = wait_for_rpcs
