"""The Output record and final wait swapped into the 3.188 SDK keep what the SDK relies on."""

import asyncio
from collections import deque

import pulumi
import pulumi.runtime.stack
import pytest
from pulumi.runtime.settings import SETTINGS

from resources import sdk_backports
from resources.sdk_backports import OutputRecord


@pytest.fixture(autouse=True)
def fresh_sdk_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test installs into a fresh record; the SDK's own is put back afterwards."""
    monkeypatch.setattr(SETTINGS, "outputs", deque())
    monkeypatch.setattr(pulumi.runtime.stack, "wait_for_rpcs", sdk_backports.SDK_WAIT_FOR_RPCS)


def run(scenario):
    """`asyncio.run` on a loop of its own, without unsetting the thread's event loop
    (the mocks tests that follow on this worker ask for it)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(scenario)
    finally:
        left = asyncio.all_tasks(loop)  # as asyncio.run: cancel what a scenario left pending
        for task in left:
            task.cancel()
        if left:
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.close()


def test_it_behaves_like_the_deque_the_sdk_used():
    record = OutputRecord(["a", "b"])
    record.append("c")
    assert len(record) == 3 and list(record) == ["a", "b", "c"]
    record.remove("b")
    with pytest.raises(ValueError):
        record.remove("b")  # the SDK's cleanup catches exactly this
    assert record.popleft() == "a"
    record.append("a")  # the final wait puts a pending task back at the end
    assert list(record) == ["c", "a"] and len(record) == 2
    assert [record.popleft(), record.popleft()] == ["c", "a"]
    with pytest.raises(IndexError):
        record.popleft()
    record.append("d")
    record.clear()
    assert len(record) == 0


def test_a_removal_costs_the_same_at_any_size():
    record = OutputRecord(range(200_000))
    for n in range(200_000):  # a deque would scan up to 200,000 entries each time
        record.remove(n)
    assert len(record) == 0


def test_outputs_made_after_the_swap_are_recorded_and_cleared_when_resolved():
    async def scenario() -> tuple[int, int]:
        sdk_backports.install()
        sdk_backports.install()  # idempotent
        assert isinstance(SETTINGS.outputs, OutputRecord)
        assert pulumi.runtime.stack.wait_for_rpcs is sdk_backports.wait_for_rpcs
        before = len(SETTINGS.outputs)
        output = pulumi.Output.from_input("value").apply(str.upper)
        pending = len(SETTINGS.outputs)
        assert await output.future() == "VALUE"
        await asyncio.sleep(0)
        return pending - before, len(SETTINGS.outputs) - before

    made, left = run(scenario())
    assert made >= 1 and left == 0


def test_the_final_wait_sleeps_until_outputs_resolve_instead_of_spinning():
    """The SDK's wait ran the event loop once per look (`asyncio.sleep(0)`); this one is
    woken only when a recorded task settles."""

    async def scenario() -> tuple[int, float]:
        sdk_backports.install()
        loop = asyncio.get_running_loop()
        slow = loop.create_future()
        loop.call_later(0.3, slow.set_result, "late")
        output = pulumi.Output.from_input(slow).apply(str.upper)
        turns = 0
        original = loop._run_once  # type: ignore[attr-defined]

        def counted() -> None:
            nonlocal turns
            turns += 1
            original()

        loop._run_once = counted  # type: ignore[attr-defined]
        started = loop.time()
        try:
            await sdk_backports.wait_for_rpcs()
        finally:
            loop._run_once = original  # type: ignore[attr-defined]
        assert await output.future() == "LATE"
        return turns, loop.time() - started

    turns, took = run(scenario())
    assert took >= 0.25  # it did wait for the slow Output
    assert turns < 100, f"{turns} turns of the event loop in 0.3 s: it spins"


def test_the_final_wait_raises_the_first_output_that_failed():
    async def scenario() -> None:
        sdk_backports.install()
        loop = asyncio.get_running_loop()
        never = loop.create_future()  # pending for ever: the failure must not wait for it
        pulumi.Output.from_input(never).apply(str)

        def fail(_: str) -> str:
            raise ValueError("the customer file names no domain")

        broken = loop.create_future()
        loop.call_later(0.05, broken.set_result, "x")
        pulumi.Output.from_input(broken).apply(fail)
        await asyncio.wait_for(sdk_backports.wait_for_rpcs(), timeout=5)

    with pytest.raises(ValueError, match="names no domain"):
        run(scenario())
