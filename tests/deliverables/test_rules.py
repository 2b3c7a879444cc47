"""The occurrence rules (resources/deliverables.py): pure, table-driven."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from resources import catalog
from resources.deliverables import (
    CATCH_UP_DAYS,
    Schedule,
    current,
    due_now,
    duplicates,
    infer_go_live,
    schedules_from_outputs,
    subject_key,
    window_start,
)

D = date.fromisoformat


def schedule(key: str, go_live: str, *, anchored: bool = True, client_id: str = "CS-0042"):
    item = next(d for d in catalog.DELIVERABLES if d.key == key)
    return Schedule(
        client_id=client_id,
        deliverable=key,
        frequency=item.frequency,
        first_due=catalog.first_due(D(go_live), item.frequency),
        lead_days=item.lead_days,
        go_live=D(go_live) if anchored else None,
    )


@pytest.mark.parametrize(
    ("key", "go_live", "today", "want_due"),
    [
        # Monthly Report, lead 5: occurrence 1 due 2026-02-15 opens 2026-02-10.
        ("monthly-report", "2026-01-15", "2026-02-09", None),
        ("monthly-report", "2026-01-15", "2026-02-10", "2026-02-15"),
        ("monthly-report", "2026-01-15", "2026-02-15", "2026-02-15"),
        # catch-up: up to 14 days past due it still opens, a day later it does not
        ("monthly-report", "2026-01-15", "2026-03-01", "2026-02-15"),
        ("monthly-report", "2026-01-15", "2026-03-02", None),
        ("monthly-report", "2026-01-15", "2026-03-10", "2026-03-15"),
        # due dates anchored on go-live: a 31st stays the month's end, not the 28th
        ("monthly-report", "2026-01-31", "2026-02-23", "2026-02-28"),
        ("monthly-report", "2026-01-31", "2026-03-26", "2026-03-31"),
        ("monthly-report", "2026-01-31", "2026-04-25", "2026-04-30"),
        # QBR quarterly lead 14; Compliance quarterly lead 10
        ("qbr", "2026-12-01", "2027-02-14", None),
        ("qbr", "2026-12-01", "2027-02-15", "2027-03-01"),
        ("compliance-posture", "2026-12-01", "2027-02-19", "2027-03-01"),
        ("compliance-posture", "2026-12-01", "2027-05-22", "2027-06-01"),
        # Tabletop yearly lead 30; Annual Renewal yearly lead 60
        ("tabletop-exercise", "2026-12-01", "2027-11-01", "2027-12-01"),
        ("tabletop-exercise", "2026-12-01", "2027-10-31", None),
        ("annual-renewal", "2026-12-01", "2027-10-02", "2027-12-01"),
        ("annual-renewal", "2026-12-01", "2027-12-15", "2027-12-01"),
        ("annual-renewal", "2026-12-01", "2027-12-16", None),
        # leap day go-live: the yearly one clamps to 28 February
        ("annual-renewal", "2028-02-29", "2029-01-01", "2029-02-28"),
    ],
)
def test_due_now(key: str, go_live: str, today: str, want_due: str | None) -> None:
    got = due_now(schedule(key, go_live), D(today))
    assert (got.due.isoformat() if got else None) == want_due
    if got:
        assert got.opens == got.due - timedelta(days=got.schedule.lead_days)
        assert got.opens <= D(today) <= got.due + timedelta(days=CATCH_UP_DAYS)


def test_without_go_live_due_dates_follow_first_due() -> None:
    s = schedule("monthly-report", "2026-01-31", anchored=False)
    assert [s.due(n) for n in (1, 2, 3)] == [D("2026-02-28"), D("2026-03-28"), D("2026-04-28")]
    anchored = schedule("monthly-report", "2026-01-31")
    assert [anchored.due(n) for n in (1, 2, 3)] == catalog.due_dates(D("2026-01-31"), "monthly", 3)


def test_every_occurrence_is_due_now_on_some_day_of_a_daily_run() -> None:
    """Run daily for three years: each occurrence appears, in order, none skipped."""
    for item in catalog.DELIVERABLES:
        s = schedule(item.key, "2026-01-31")
        seen: list[int] = []
        day = D("2026-01-31")
        while day < D("2029-01-31"):
            got = due_now(s, day)
            if got and (not seen or seen[-1] != got.number):
                seen.append(got.number)
                assert day == got.opens  # a daily run opens it on its open date
            day += timedelta(days=1)
        assert seen == list(range(1, len(seen) + 1))
        assert len(seen) == 36 // catalog.MONTHS_PER[item.frequency]


def test_far_past_go_live_opens_at_most_the_current_occurrence() -> None:
    """Issue 14 item 4: go_live 2016-12-15 must not open 129 tickets."""
    tier = catalog.tier("Sentinel")
    schedules = [schedule(d.key, "2016-12-15") for d in tier.deliverables]
    day, opened = D("2026-12-01"), set()
    for _ in range(40):
        for s in schedules:
            got = due_now(s, day)
            if got:
                assert got.number == current(s, day).number
                assert got.due >= day - timedelta(days=CATCH_UP_DAYS)
                opened.add((s.deliverable, got.due))
        day += timedelta(days=1)
    # The first run opens only occurrences still ahead (their windows are open), none of
    # the ten years behind: three tickets, not 129.
    first_run = [due_now(s, D("2026-12-01")) for s in schedules]
    assert [(o.schedule.deliverable, o.due.isoformat()) for o in first_run if o] == [
        ("qbr", "2026-12-15"),
        ("tabletop-exercise", "2026-12-15"),
        ("annual-renewal", "2026-12-15"),
    ]
    # Forty days of runs open exactly what fell due in those days, one per occurrence.
    assert opened == {(d.key, D("2026-12-15")) for d in tier.deliverables}


def test_subject_key_is_contract_five() -> None:
    got = due_now(schedule("qbr", "2026-12-01"), D("2027-02-20"))
    assert got is not None
    assert got.subject == "[CS-0042] QBR — due 2027-03-01"
    assert subject_key("CS-0001", "Monthly Report", D("2027-01-01")) == (
        "[CS-0001] Monthly Report — due 2027-01-01"
    )


def test_window_starts_a_day_before_the_earliest_open_date() -> None:
    a = due_now(schedule("monthly-report", "2026-12-01"), D("2027-01-01"))
    b = due_now(schedule("annual-renewal", "2026-01-01"), D("2027-01-01"))
    assert a and b
    assert window_start([a, b]) == b.opens - timedelta(days=1) == D("2026-11-01")
    assert window_start([]) is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"lead_days": 28}, "shorter than one monthly period"),
        ({"lead_days": -1}, "0 or more"),
        ({"frequency": "weekly"}, "unknown frequency"),
        ({"first_due": D("2026-02-16")}, "not one monthly period after go-live"),
    ],
)
def test_bad_schedules_are_refused(bad: dict, message: str) -> None:
    fields = {
        "client_id": "CS-0042",
        "deliverable": "monthly-report",
        "frequency": "monthly",
        "first_due": D("2026-02-15"),
        "lead_days": 5,
        "go_live": D("2026-01-15"),
        **bad,
    }
    with pytest.raises(ValueError, match=message):
        Schedule(**fields)


def test_duplicates_keep_the_lowest_id() -> None:
    t = lambda i, c, s: SimpleNamespace(id=i, customer_id=c, subject=s)  # noqa: E731
    got = duplicates([t(9, 1, "a"), t(3, 1, "a"), t(5, 1, "a"), t(4, 2, "a"), t(6, 1, "b")])
    assert {k: [x.id for x in v] for k, v in got.items()} == {(1, "a"): [5, 9]}


@pytest.mark.parametrize(
    "go_live", ["2026-01-31", "2026-01-30", "2026-01-28", "2028-02-29", "2026-03-31", "2026-12-15"]
)
def test_go_live_is_recovered_from_the_first_due_dates(go_live: str) -> None:
    pairs = [
        (d.frequency, catalog.first_due(D(go_live), d.frequency))
        for d in catalog.deliverables_for("Standard")
    ]
    assert infer_go_live(pairs) == D(go_live)


def test_schedules_from_the_stack_output() -> None:
    output = {
        "CS-0107": {
            "tier": "Standard",
            "organization_id": 30002.0,  # numbers may come back as floats
            "deliverables": [
                {
                    "deliverable": d.key,
                    "subject": "ignored",
                    "frequency": d.frequency,
                    "first_due": catalog.first_due(D("2026-01-31"), d.frequency).isoformat(),
                    "lead_days": d.lead_days,
                    "assignee": "Sam@CyberSuite.tech",
                }
                for d in catalog.deliverables_for("Standard")
            ],
        },
        "CS-0042": {"tier": "Defense", "organization_id": None, "deliverables": []},
    }
    got = schedules_from_outputs(output)
    assert [c.client_id for c in got] == ["CS-0042", "CS-0107"]
    acme = got[1]
    assert (acme.customer_id, acme.assignee, acme.user_id) == (30002, "sam@cybersuite.tech", None)
    assert [s.go_live for s in acme.schedules] == [D("2026-01-31")] * 2
    assert got[0].customer_id is None
