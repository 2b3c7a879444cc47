"""Suite-wide: the order tests start in, so that parallel workers finish together.

`make test` runs the suite on every core (pytest-xdist, `-n logical --dist loadgroup`): the
workers take tests one at a time from one queue, in the order collected here. A few
end-to-end files take most of the time, so the longest files go first and the short
tests fill in at the end (longest-processing-time-first; without it one worker may
start a two-minute file when the other has nothing left). A file's length is the sum of
its tests' durations in the last runs, kept in pytest's cache
(`.pytest_cache/v/syncro/durations`); a test never timed counts by its marker. Tests of
one file keep pytest's order, so a module-scoped fixture is built once per worker.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from _pytest.nodeid import NodeId

CACHE_KEY = "syncro/durations"
# A guess for a test that never ran here: the CLI-driven ones take seconds, the rest not.
UNTIMED_SECONDS = {"slow": 20.0, "fast": 0.3}


def base_nodeid(nodeid: str) -> str:
    """The node id without the `@group` suffix that `--dist loadgroup` adds."""
    at = nodeid.rfind("@")
    return nodeid[:at] if at > nodeid.rfind("]") else nodeid


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    number_repeated_ids(items)
    cache = getattr(config, "cache", None)  # None under `-p no:cacheprovider`
    if cache is not None:
        longest_files_first(cache, items)


def rename(item: pytest.Item, nodeid: str) -> None:
    # pytest 9 keeps the id in `_id`; xdist 3.8's own `@group` suffix writes `_nodeid`,
    # which pytest 9 no longer reads (its groups would be ignored without this).
    item._id = NodeId.parse(nodeid)  # type: ignore[attr-defined]


def number_repeated_ids(items: list[pytest.Item]) -> None:
    """Schemathesis gives every operation's test one node id; xdist's group scheduler
    keys work by node id and would run only the first: `id[2]`, `id[3]`... And the
    `xdist_group` suffix (`id@name`) that `--dist loadgroup` schedules by."""
    count: dict[str, int] = defaultdict(int)
    for item in items:
        nodeid = item.nodeid
        count[nodeid] += 1
        if count[nodeid] > 1:
            nodeid = f"{nodeid}[{count[nodeid]}]"
        group = item.get_closest_marker("xdist_group")
        if group is not None and getattr(item.config.option, "loadgroup", False):
            nodeid = f"{nodeid}@{group.args[0] if group.args else group.kwargs['name']}"
        if nodeid != item.nodeid:
            rename(item, nodeid)


def longest_files_first(cache: pytest.Cache, items: list[pytest.Item]) -> None:
    timed: dict[str, float] = cache.get(CACHE_KEY, {})
    per_file: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        nodeid = base_nodeid(item.nodeid)
        first_seen.setdefault(file_of(nodeid), index)
        if nodeid in seen:
            continue
        seen.add(nodeid)
        kind = "slow" if item.get_closest_marker("slow") else "fast"
        per_file[file_of(nodeid)] += timed.get(nodeid, UNTIMED_SECONDS[kind])
    # Stable: a file's tests stay in the order pytest collected them.
    items.sort(
        key=lambda item: (
            -per_file[file_of(base_nodeid(item.nodeid))],
            first_seen[file_of(base_nodeid(item.nodeid))],
        )
    )


class Durations:
    """Each test's setup + call + teardown seconds, saved when the session ends."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[base_nodeid(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        cache = getattr(session.config, "cache", None)
        if cache is None or not self.seconds:
            return
        timed: dict[str, float] = cache.get(CACHE_KEY, {})
        timed.update({nodeid: round(s, 3) for nodeid, s in self.seconds.items()})
        cache.set(CACHE_KEY, timed)


def pytest_configure(config: pytest.Config) -> None:
    # One writer: the controller (or a run without workers) sees every worker's reports;
    # a worker (it has `workerinput`) would race it.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Durations(), "syncro-durations")
