"""The engine figures of bench/run.py: a fresh-stack preview against the no-op provider
(bench/noop_program) and the run under Syncro's real limit (split from run.py).
"""

from __future__ import annotations

import json
import shutil
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    CLIENT_BUDGET,
    LONG,
    PREVIEW,
    PULUMI_EXTRA_ENV,
    REAL_LIMIT_CUSTOMERS,
    REPO,
    SYNCRO_LIMIT,
    UP,
    BenchProject,
    Emulator,
    Figures,
    clock,
    customers,
    say,
    step,
    to_create,
)
from tests.pulumi_cli import PulumiRun, pulumi_env


def noop_manifest(export: dict[str, Any]) -> dict[str, Any]:
    """Components and dynamic resources of a real stack, for bench/noop_program."""
    kept = [
        r
        for r in export["deployment"]["resources"]
        if r["type"].startswith(("pulumi-python:dynamic", "syncro:onboarding:"))
    ]
    index = {r["urn"]: i for i, r in enumerate(kept)}
    entries = []
    for r in kept:
        custom = r["type"].startswith("pulumi-python:dynamic")
        inputs = {k: v for k, v in (r.get("inputs") or {}).items() if k != "__provider"}
        outputs = r.get("outputs") or {}
        refs: dict[str, list[Any]] = {}
        for key, urns in (r.get("propertyDependencies") or {}).items():
            deps = [u for u in urns if u in index]
            if len(deps) != 1 or key not in inputs:
                continue
            dep_outputs = kept[index[deps[0]]].get("outputs") or {}
            match = next((o for o, v in dep_outputs.items() if v == inputs[key]), None)
            if match is not None:
                refs[key] = [index[deps[0]], match]
        entries.append(
            {
                "kind": "custom" if custom else "component",
                "type": r["type"],
                "name": r["urn"].split("::")[-1],
                "parent": index.get(r.get("parent") or ""),
                "inputs": inputs,
                "outputs": sorted(set(outputs) - set(inputs) - {"__provider"}),
                "refs": refs,
                "depends_on": [index[u] for u in r.get("dependencies") or [] if u in index],
                "additional_secret_outputs": r.get("additionalSecretOutputs") or [],
            }
        )
    return {"resources": entries}


def noop_project(root: Path, manifest: dict[str, Any], **env: str) -> PulumiRun:
    """A copy of bench/noop_program serving `manifest`, with its own state and stack."""
    root.mkdir(parents=True)
    for name in ("__main__.py", "noop_provider.py", "Pulumi.yaml"):
        shutil.copy(BENCH / "noop_program" / name, root / name)
    # The same SDK backport as the real program's, so both sides pay the same SDK costs.
    shutil.copy(REPO / "resources" / "sdk_backports.py", root / "sdk_backports.py")
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "manifest.json").write_text(json.dumps(manifest))
    (root / "state").mkdir()
    noop = PulumiRun(
        root, pulumi_env(root / "state", **{**PULUMI_EXTRA_ENV, **env}), policy_pack=None
    )
    noop.init()
    return noop


def engine_overhead(
    figures: Figures, work: Path, size: int, manifest: dict[str, Any], repeats: int
) -> None:
    """Fresh-stack preview of `size` customers: the real program vs the no-op graph."""
    say(f"\n== engine overhead: pulumi preview of {size} customers, real vs no-op provider ==")
    emulator = Emulator(work / "emulator", 0, 0)
    try:
        real = BenchProject(work / "real", emulator)
        real.add_customers(customers(size))
        noop = noop_project(work / "noop", manifest)
        times: dict[str, list[float]] = {"real": [], "noop": []}
        creates: dict[str, int | None] = {}
        emulator.clear_requests()
        for attempt in range(1, repeats + 1):
            for label, run in (("real", real.pulumi), ("noop", noop)):
                with step(
                    f"preview {label} #{attempt}", f"about {clock(max(3, size * 0.1))}"
                ) as timing:
                    out = run(*PREVIEW, timeout=LONG)
                times[label].append(timing["seconds"])
                creates[label] = to_create(out.stdout)
        api_calls = len(emulator.requests())
    finally:
        emulator.close()
    best_real, best_noop = min(times["real"]), min(times["noop"])
    ratio = best_real / best_noop
    figures.add(
        f"engine overhead: preview of {size} customers, real / no-op provider",
        ratio,
        "x",
        "<= 1.3",
        ratio <= 1.3,
        f"pulumi {' '.join(PREVIEW)} on a fresh stack, real program vs bench/noop_program "
        f"(best of {repeats} each)",
        real_seconds=[round(t, 1) for t in times["real"]],
        noop_seconds=[round(t, 1) for t in times["noop"]],
        resources_to_create=creates,
        api_calls_during_real_previews=api_calls,
    )
    figures.add(
        f"preview wall time, real program, fresh stack, {size} customers",
        best_real,
        "s",
        "none (reported)",
        None,
        f"pulumi {' '.join(PREVIEW)}",
    )
    figures.add(
        f"preview wall time, no-op provider, same graph ({size} customers)",
        best_noop,
        "s",
        "none (reported)",
        None,
        f"pulumi {' '.join(PREVIEW)} in a copy of bench/noop_program",
    )


def real_limit_run(figures: Figures, work: Path, latency_ms: int) -> None:
    """50 customers on a fresh stack under Syncro's real limit: no 429, and the rate."""
    say(
        f"\n== real limit: emulator {SYNCRO_LIMIT}/min, client {CLIENT_BUDGET}/min, "
        f"{REAL_LIMIT_CUSTOMERS} customers in api mode: this takes a few minutes "
        "(the rate limit, not the machine, sets the pace) =="
    )
    emulator = Emulator(work / "emulator", SYNCRO_LIMIT, latency_ms)
    try:
        project = BenchProject(work / "project", emulator)
        project.add_customers(customers(REAL_LIMIT_CUSTOMERS))
        emulator.clear_requests()
        with step(
            f"pulumi up: platform + {REAL_LIMIT_CUSTOMERS} customers at 170/min", "about 2-3 min"
        ):
            project.run(*UP)
        log = emulator.requests()
    finally:
        emulator.close()
    refused = sum(1 for e in log if e["status"] == 429)
    figures.add(
        f"real limit: 429 responses, up of {REAL_LIMIT_CUSTOMERS} customers",
        refused,
        "responses",
        "0",
        refused == 0,
        f"pulumi {' '.join(UP)}  (emulator --rate-limit 180, syncro:requestsPerMinute 170)",
        requests=len(log),
    )
    admitted = sorted(
        datetime.fromisoformat(e["time"]).timestamp() for e in log if e["status"] != 429
    )
    busy = admitted[-1] - admitted[0]
    full_windows = int(busy // 60)
    if full_windows:
        counts = [
            sum(1 for t in admitted if admitted[0] + 60 * k <= t < admitted[0] + 60 * (k + 1))
            for k in range(full_windows)
        ]
        per_minute = statistics.mean(counts)
    else:
        counts = []
        per_minute = len(admitted) / (busy / 60) if busy else float(len(admitted))
    peak, lo = 0, 0
    for hi, t in enumerate(admitted):
        while t - admitted[lo] >= 60:
            lo += 1
        peak = max(peak, hi - lo + 1)
    share = per_minute / SYNCRO_LIMIT
    figures.add(
        "real limit: throughput while bound / 180 per minute",
        share,
        "of the allowed rate",
        ">= 0.9",
        share >= 0.9,
        f"pulumi {' '.join(UP)}  (same run; full 60 s windows from the first request)",
        requests=len(log),
        busy_seconds=round(busy, 1),
        requests_per_full_minute=counts,
        peak_requests_in_any_60s=peak,
        overall_per_minute=round(len(admitted) / (busy / 60), 1) if busy else None,
    )
