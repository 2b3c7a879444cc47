"""The runner against the in-process emulator: request budget, idempotence, races."""

from __future__ import annotations

import contextlib
import math
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from resources import catalog
from resources.deliverables import schedules_from_outputs
from resources.scheduler import Scheduler
from tests.deliverables.conftest import Control, make_sla, new_client, onboard

D = date.fromisoformat


def by_kind(entries: list[dict]) -> Counter:
    """`GET /tickets`, `POST /tickets`, `GET /users`, ... from the emulator's request log."""
    kinds: Counter = Counter()
    for e in entries:
        path = e["path"].removeprefix("/api/v1")
        parts = path.split("/")
        kinds[f"{e['method']} /{parts[1]}{'/{id}' if len(parts) > 2 else ''}"] += 1
    return kinds


def customers_for(count: int, go_live: date) -> list[tuple[str, str, date]]:
    return [
        (f"CS-{n:04d}", catalog.TIERS[n % 3], go_live + timedelta(days=n % 28))
        for n in range(1, count + 1)
    ]


def test_request_budget_for_200_customers(emu, client, control: Control) -> None:
    output = onboard(client, customers_for(200, D("2026-01-01")))
    scheduler = Scheduler(client, schedules_from_outputs(output), say=lambda _line: None)
    today = D("2026-03-20")
    control.set_clock(today)
    first = scheduler.run(today)
    assert first.opened and not first.errors

    # Nothing due: every occurrence of the window already has its ticket.
    seq = control.seq()
    quiet = scheduler.run(today)
    entries = control.requests_since(seq)
    n = quiet.plan.tickets_in_window
    assert not quiet.opened and n > 100
    assert len(entries) == quiet.requests <= 1 + math.ceil(n / 25)
    assert set(by_kind(entries)) == {"GET /tickets"}
    print(f"\n200 customers, nothing due: {len(entries)} requests, {n} tickets in window")

    # k due: k tickets of the window are gone (deleted by hand, say).
    k = 7
    for _, ticket_id in list(quiet.plan.existing.items())[:k]:
        client.request("DELETE", f"/tickets/{ticket_id}")
    seq = control.seq()
    again = scheduler.run(today)
    entries = control.requests_since(seq)
    kinds = by_kind(entries)
    n_after = again.plan.tickets_in_window + k
    assert len(again.opened) == k and not again.removed
    assert kinds["POST /tickets"] == k
    # the listing and the re-check after creating; without the account manager's user id
    # in the outputs (a stack exported before it was) the fallback costs GET /users +
    # GET /users/{id}, once per run (with it: test_k_due_with_user_ids_in_the_outputs...)
    assert kinds["GET /tickets"] <= 1 + math.ceil(n_after / 25)
    assert kinds["GET /users"] + kinds["GET /users/{id}"] == 2
    assert len(entries) <= 1 + math.ceil(n_after / 25) + k + 2
    assert control.outside_spec() == []
    print(f"200 customers, {k} due: {len(entries)} requests ({dict(kinds)}), {n_after} in window")


def test_k_due_with_user_ids_in_the_outputs_is_that_plus_k(emu, client, control) -> None:
    output = onboard(client, customers_for(200, D("2026-01-01")), user_id=1001)
    scheduler = Scheduler(client, schedules_from_outputs(output), say=lambda _line: None)
    today = D("2026-03-20")
    control.set_clock(today)
    seq = control.seq()
    result = scheduler.run(today)
    entries = control.requests_since(seq)
    k = len(result.opened)
    n_after = result.plan.tickets_in_window + k
    assert k > 0 and not result.errors
    assert len(entries) == result.requests <= 1 + math.ceil(n_after / 25) + k
    print(f"\n200 customers, k={k} due, user ids known: {len(entries)} requests")


def test_ticket_fields_follow_contract_five(emu, client, control) -> None:
    output = onboard(client, [("CS-0042", "Defense", D("2026-12-01"))])
    sla_id = make_sla(emu)
    scheduler = Scheduler(
        client, schedules_from_outputs(output), tier_slas={"Defense": sla_id}, say=lambda _l: None
    )
    control.set_clock(D("2027-02-15"))
    result = scheduler.run(D("2027-02-15"))
    # on 2027-02-15 the QBR due 2027-03-01 opens (and February's report, 14 days late)
    [ticket] = [t for _, t in result.opened if "QBR" in (t.subject or "")]
    stored = client.request("GET", f"/tickets/{ticket.id}")["ticket"]
    assert stored["subject"] == "[CS-0042] QBR — due 2027-03-01"
    assert stored["due_date"][:10] == "2027-03-01"
    assert stored["user_id"] == 1001
    assert stored["problem_type"] == catalog.DELIVERABLE_PROBLEM_TYPE
    assert stored["customer_id"] == output["CS-0042"]["organization_id"]
    listed = client.request("GET", "/tickets", params={"customer_id": stored["customer_id"]})
    assert listed["tickets"][0]["sla_id"] == sla_id
    assert control.outside_spec() == []


def test_two_machines_racing_leave_one_ticket(emu, control) -> None:
    """No shared lock: A plans, B runs and creates, then A creates the same occurrences;
    A's re-check finds B's lower ids and deletes its own tickets."""
    with new_client(emu) as a_client, new_client(emu) as b_client:
        output = onboard(a_client, [("CS-0001", "Standard", D("2026-01-01"))])
        customers = schedules_from_outputs(output)
        a = Scheduler(a_client, customers, say=lambda _l: None)
        b = Scheduler(b_client, customers, say=lambda _l: None)
        today = D("2026-01-27")
        control.set_clock(today)
        a_plan = a.plan(today)
        b_result = b.run(today)
        a_result = a.apply(a_plan)
        assert len(b_result.opened) == len(a_result.opened) == 1
        assert [t.id for t in a_result.removed] == [a_result.opened[0][1].id]
        tickets = a_client.list_tickets()
        assert [t.id for t in tickets] == [b_result.opened[0][1].id]


def test_a_lost_post_response_is_looked_up_not_repeated(emu, client, control) -> None:
    output = onboard(client, [("CS-0001", "Standard", D("2026-01-01"))])
    control.http.post(
        "/faults",
        json={"rules": [{"path": "^/api/v1/tickets$", "method": "POST", "lost_response": 1.0}]},
    ).raise_for_status()
    control.set_clock(D("2026-01-27"))
    result = Scheduler(client, schedules_from_outputs(output), say=lambda _l: None).run(
        D("2026-01-27")
    )
    control.http.delete("/faults")
    assert len(result.opened) == 1 and not result.errors
    assert len(client.list_tickets()) == 1


class Rendezvous(Scheduler):
    """Waits after its listing for the other run to list too (for at most 0.3 s): without
    the lock both runs would then create the same tickets; with it the wait times out."""

    barrier = threading.Barrier(2)

    def plan(self, today: date):
        planned = super().plan(today)
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait(timeout=0.3)
        return planned


def test_a_run_after_missed_days_opens_what_came_due_and_nothing_older(emu, client, control):
    output = onboard(
        client,
        [("CS-0001", "Standard", D("2026-10-20")), ("CS-0002", "Sentinel", D("2016-12-15"))],
    )
    scheduler = Scheduler(client, schedules_from_outputs(output), say=lambda _l: None)
    control.set_clock(D("2026-12-01"))  # no run since 2026-11-01
    result = scheduler.run(D("2026-12-01"))
    opened = sorted(t.subject or "" for _, t in result.opened)
    assert opened == [
        # CS-0001's November report (due 2026-11-20, opened 2026-11-15) comes late
        "[CS-0001] Monthly Report — due 2026-11-20",
        # go-live ten years back: three tickets whose windows are open, not 129
        "[CS-0002] Annual Renewal + Delta — due 2026-12-15",
        "[CS-0002] QBR — due 2026-12-15",
        "[CS-0002] Tabletop Exercise — due 2026-12-15",
    ]


def test_a_simulated_year(emu, client, control: Control, tmp_path: Path) -> None:
    """365 emulated days, the runner once a day, three runs on one day and two
    concurrent runs on another: exactly the catalog's count per customer."""
    go_lives = [D("2026-01-15"), D("2026-01-31")]
    plan = [
        (f"CS-{n:04d}", tier, go_lives[n % 2])
        for n, tier in enumerate([t for t in catalog.TIERS for _ in range(2)], start=1)
    ]
    output = onboard(client, plan)
    customers = schedules_from_outputs(output)
    lock = tmp_path / "deliverables.lock"
    quiet = {"say": lambda _line: None}
    start = D("2026-01-31")
    three_runs, concurrent = D("2026-04-10"), D("2026-06-25")
    runs = total_requests = 0
    for offset in range(365):
        today = start + timedelta(days=offset)
        control.set_clock(today)
        assert control.today() == today
        if today == concurrent:
            results: list = []

            def run_once(day: date = today, out: list = results) -> None:
                with new_client(emu) as own:
                    out.append(Rendezvous(own, customers, lock_path=lock, **quiet).run(day))

            threads = [threading.Thread(target=run_once) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            # the lock made the second wait; it then found everything open
            assert sorted(len(r.opened) for r in results)[0] == 0
            assert sum(len(r.opened) for r in results) > 0
            assert not any(r.removed or r.errors for r in results)
            runs += 2
            continue
        for run in range(3 if today == three_runs else 1):
            result = Scheduler(client, customers, lock_path=lock, **quiet).run(today)
            assert not result.errors and not result.removed
            k = len(result.opened)
            in_window = result.plan.tickets_in_window + k
            users = 2 if k else 0  # GET /users + GET /users/1001, only when opening
            assert result.requests <= 1 + math.ceil(in_window / 25) + k + users
            total_requests += result.requests
            if today == three_runs:
                assert bool(result.opened) == (run == 0)  # runs two and three open nothing
            runs += 1

    tickets = client.list_tickets()
    per_key = Counter((t.customer_id, t.subject) for t in tickets)
    duplicates = sum(count - 1 for count in per_key.values())
    missing, counts = 0, {}
    for client_id, tier, go_live in plan:
        org_id = output[client_id]["organization_id"]
        expected = {
            f"[{client_id}] {d.title} — due {due.isoformat()}"
            for d in catalog.deliverables_for(tier)
            for due in catalog.due_dates(
                go_live, d.frequency, 12 // catalog.MONTHS_PER[d.frequency]
            )
        }
        got = {s for (cid, s) in per_key if cid == org_id}
        missing += len(expected - got)
        assert got == expected, client_id
        counts[client_id] = len(got)
    want = {
        cid: sum(12 // catalog.MONTHS_PER[d.frequency] for d in catalog.deliverables_for(tier))
        for cid, tier, _ in plan
    }
    assert counts == want
    assert (missing, duplicates) == (0, 0)
    assert control.outside_spec() == []
    print(
        f"\nyear: {runs} runs, {total_requests} requests in the sequential runs, "
        f"{len(tickets)} tickets, per customer {counts}, 0 missing, 0 duplicates"
    )
