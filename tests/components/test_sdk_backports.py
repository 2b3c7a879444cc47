"""The Output record swapped into the 3.188 SDK keeps what the SDK relies on."""

import asyncio

import pytest
from pulumi.runtime.settings import SETTINGS

from resources.sdk_backports import OutputRecord, record_outputs_in_a_set


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
        import pulumi

        record_outputs_in_a_set()
        record_outputs_in_a_set()  # idempotent
        assert isinstance(SETTINGS.outputs, OutputRecord)
        before = len(SETTINGS.outputs)
        output = pulumi.Output.from_input("value").apply(str.upper)
        pending = len(SETTINGS.outputs)
        assert await output.future() == "VALUE"
        await asyncio.sleep(0)
        return pending - before, len(SETTINGS.outputs) - before

    made, left = asyncio.run(scenario())
    assert made >= 1 and left == 0
