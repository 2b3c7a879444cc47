"""Benchmarks of the onboarding program against the local Syncro emulator.

Every figure is printed as `name: value unit (target ...) holds/MISSED` and stored in
`bench/results.json`; bench/README.md explains each one and the scale factor F.

- API calls per onboarded customer / the minimum (api mode for every size, runbook
  mode at 50): an `up` that adds N-1 customers to a stack whose platform and first
  customer already exist, counted in the emulator's request log.
- Requests made by a no-change `pulumi preview` right after that `up`.
- `pulumi refresh`: organization reads per 25 organizations, and requests per resource.
- Under the real limit (emulator 180/min, client 170/min): 429s seen and throughput.
- Engine overhead: `pulumi preview` of 200 customers vs the same graph on a no-op provider.
- State bytes per resource; `make test` wall times (from env vars); emulator req/s.

Usage: .venv/bin/python bench/run.py [--sizes 10,50,200] [--scale 10] [--skip-real-limit]
(`make bench` runs the full set from the repository root.)
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as a script (bench/): the repository root makes `bench.common` and the project importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import public_api_figures  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH,
    CLIENT_BUDGET,
    FULL_SIZES,
    LONG,
    PREVIEW,
    PULUMI_EXTRA_ENV,
    REAL_LIMIT_CUSTOMERS,
    REFRESH,
    REPO,
    RUNBOOK_SIZE,
    SYNCRO_LIMIT,
    UP,
    BenchProject,
    Emulator,
    Figures,
    clock,
    custom_resources,
    customers,
    is_write,
    minimum_calls,
    org_reads,
    say,
    step,
    to_create,
    top_patterns,
)
from tests.pulumi_cli import PulumiRun, pulumi_env  # noqa: E402

# --- the runs ---------------------------------------------------------------------------


def onboarding_run(
    figures: Figures,
    work: Path,
    size: int,
    *,
    admin_mode: str,
    scale: float,
    latency_ms: int,
    engine_sizes: bool,
    keep_export: bool,
) -> dict[str, Any]:
    """Platform + customer 1, then add customers 2..size and count; preview; refresh."""
    tag = f"N={size}, {admin_mode}"
    say(
        f"\n== {tag}: emulator {int(SYNCRO_LIMIT * scale)}/min, client "
        f"{int(CLIENT_BUDGET * scale)}/min, {latency_ms} ms latency =="
    )
    emulator = Emulator(work / "emulator", int(SYNCRO_LIMIT * scale), latency_ms)
    outcome: dict[str, Any] = {}
    try:
        project = BenchProject(
            work / "project",
            emulator,
            admin_mode=admin_mode,
            requests_per_minute=int(CLIENT_BUDGET * scale),
            scale=scale,
        )
        specs = customers(size)
        project.add_customers(specs[:1])
        with step(f"{tag}: pulumi up: platform + customer 1", "about 5 s"):
            project.run(*UP)
        added = specs[1:]
        with step(
            f"{tag}: writing {len(added)} customer files + EDR secrets (one set-all)",
            "a few seconds",
        ):
            project.add_customers(added)
        emulator.clear_requests()
        # Measured here: 9 -> 7 s, 49 -> 1 min 17 s, 199 -> 10 min 30 s (grows ~ n^1.5).
        expect = f"about {clock(0.22 * len(added) ** 1.5)}"
        with step(f"{tag}: pulumi up adding customers 2..{size}", expect) as timing:
            project.run(*UP)
        log = emulator.requests()
        minimum = minimum_calls(added, admin_mode)
        writes = [e for e in log if is_write(e)]
        name = f"api calls / minimum, up adding {len(added)} customers ({tag})"
        figures.add(
            name,
            len(log) / minimum,
            "x",
            "<= 1.05",
            len(log) / minimum <= 1.05,
            f"pulumi {' '.join(UP)}  (after platform + customer 1; log cleared)",
            requests=len(log),
            minimum=minimum,
            writes=len(writes),
            extra=len(log) - minimum,
            up_seconds=round(timing["seconds"], 1),
            status_counts=dict(Counter(str(e["status"]) for e in log)),
            top_requests=top_patterns(log),
        )
        outcome["up_log"] = log
        if not engine_sizes:
            return outcome

        emulator.clear_requests()
        with step(f"{tag}: pulumi preview (no changes)", f"about {clock(max(3, size * 0.15))}"):
            preview = project.run(*PREVIEW)
        log = emulator.requests()
        figures.add(
            f"API calls of a no-change preview after up (N={size})",
            len(log),
            "requests",
            "0",
            len(log) == 0,
            f"pulumi {' '.join(PREVIEW)}",
            top_requests=top_patterns(log),
            changes_reported="no changes"
            if "to create" not in preview.stdout
            else preview.stdout[-400:],
        )

        emulator.clear_requests()
        with step(f"{tag}: pulumi refresh", f"about {clock(max(2, size * 0.03))}") as timing:
            project.run(*REFRESH)
        log = emulator.requests()
        export = json.loads(project.export())
        resources = custom_resources(export)
        orgs = [r for r in resources if r["type"].endswith(":Organization")]
        reads = org_reads(log)
        per_25 = reads / (len(orgs) / 25)
        # One request per started page of 25: below 25 organizations one read is the floor.
        floor = math.ceil(len(orgs) / 25) / (len(orgs) / 25)
        target = "<= 1" if floor <= 1 else f"<= {floor:g} (one request: all {len(orgs)} fit a page)"
        figures.add(
            f"refresh: organization reads per 25 organizations (N={size})",
            per_25,
            "GET /customers* per 25 orgs",
            target,
            per_25 <= max(1.0, floor),
            f"pulumi {' '.join(REFRESH)}",
            organizations=len(orgs),
            customer_reads=reads,
            refresh_seconds=round(timing["seconds"], 1),
            top_requests=top_patterns(
                [e for e in log if e["path"].startswith("/api/v1/customers")]
            ),
        )
        figures.add(
            f"refresh: requests per resource (N={size})",
            len(log) / len(resources),
            "requests/resource",
            "none (reported)",
            None,
            f"pulumi {' '.join(REFRESH)}",
            requests=len(log),
            resources=len(resources),
            top_requests=top_patterns(log),
        )
        if keep_export:
            raw = project.export()
            data = json.loads(raw)
            everything = data["deployment"]["resources"]
            per_resource = len(raw.encode()) / len(everything)
            by_type: dict[str, list[int]] = {}
            for r in everything:
                by_type.setdefault(r["type"], []).append(len(json.dumps(r).encode()))
            figures.add(
                f"state bytes per resource after up (N={size})",
                per_resource,
                "bytes",
                "<= 4096",
                per_resource <= 4096,
                "pulumi stack export --show-secrets=false  (bytes / resources in the deployment)",
                export_bytes=len(raw.encode()),
                resources=len(everything),
                custom_resources=len(resources),
                average_bytes_by_type={
                    t: round(statistics.mean(v)) for t, v in sorted(by_type.items())
                },
            )
            outcome["manifest"] = noop_manifest(json.loads(project.export(show_secrets=True)))
        return outcome
    finally:
        emulator.close()


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


def engine_overhead(
    figures: Figures, work: Path, size: int, manifest: dict[str, Any], repeats: int
) -> None:
    """Fresh-stack preview of `size` customers: the real program vs the no-op graph."""
    say(f"\n== engine overhead: pulumi preview of {size} customers, real vs no-op provider ==")
    emulator = Emulator(work / "emulator", 0, 0)
    try:
        real = BenchProject(work / "real", emulator)
        real.add_customers(customers(size))
        noop_root = work / "noop"
        noop_root.mkdir()
        for name in ("__main__.py", "noop_provider.py", "Pulumi.yaml"):
            shutil.copy(BENCH / "noop_program" / name, noop_root / name)
        (noop_root / ".venv").symlink_to(REPO / ".venv")
        (noop_root / "manifest.json").write_text(json.dumps(manifest))
        (noop_root / "state").mkdir()
        noop = PulumiRun(
            noop_root, pulumi_env(noop_root / "state", **PULUMI_EXTRA_ENV), policy_pack=None
        )
        noop.init()
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


def emulator_rps(figures: Figures) -> None:
    with step("bench/emulator_rps.py", "a few seconds"):
        proc = subprocess.run(
            [sys.executable, str(BENCH / "emulator_rps.py")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
    found = re.search(r"(\d+(?:\.\d+)?) req/s", proc.stdout)
    value = float(found.group(1)) if found and proc.returncode == 0 else None
    figures.add(
        "emulator GET /customers/{id} requests per second",
        value,
        "req/s",
        ">= 500",
        value is not None and value >= 500,
        ".venv/bin/python bench/emulator_rps.py",
        output=proc.stdout.strip() + proc.stderr.strip(),
    )


def seconds_from(raw: str | None) -> float | None:
    """`312`, `312.5`, `5m12s` or `5:12` -> seconds."""
    if not raw:
        return None
    raw = raw.strip()
    if re.fullmatch(r"\d+(\.\d+)?s?", raw):
        return float(raw.rstrip("s"))
    found = re.fullmatch(r"(\d+)(?:m|:)(\d+(?:\.\d+)?)s?", raw)
    return 60 * int(found.group(1)) + float(found.group(2)) if found else None


def make_test_times(figures: Figures) -> None:
    for which in ("cold", "warm"):
        var = f"BENCH_MAKE_TEST_{which.upper()}"
        value = seconds_from(os.environ.get(var))
        figures.add(
            f"make test wall time ({which})",
            value,
            "s",
            "none (reported)",
            None,
            "make test  (not run by the benchmark: measured by whoever runs it)",
            note=f"from ${var}" if value is not None else f"${var} not set: not measured here",
        )


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cli = subprocess.run(
        ["bash", "-c", f"source {REPO}/scripts/env.sh && pulumi version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "memory": memory,
        "python": platform.python_version(),
        "pulumi": cli,
    }


def public_api_only(out: Path) -> int:
    figures = Figures()
    public_api_figures.runbook_steps_per_customer(figures)
    public_api_figures.scheduler_figures(figures)
    result = {"figures": figures.figures, "machine": machine(), "details": figures.details}
    result["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    out.write_text(json.dumps(result, indent=2) + "\n")
    say(f"bench: {len(figures.figures)} figures written to {out.name}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10,50,200", help="customer set sizes, comma-separated (e.g. 10)"
    )
    parser.add_argument(
        "--scale", type=float, default=10, help="rate-limit scale factor F (emulator 180*F/min)"
    )
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--skip-real-limit", action="store_true", help="skip the 180/min run")
    parser.add_argument("--repeats", type=int, default=2, help="previews per engine-overhead side")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file (default bench/results.json "
        "for the full run, bench/results-quick.json otherwise)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--skip-checkpoints",
        action="store_true",
        help="PULUMI_SKIP_CHECKPOINTS=true for every CLI call (an experiment, not the default)",
    )
    parser.add_argument(
        "--only-public-api",
        action="store_true",
        help="only issue 13's figures (runbook steps, deliverable scheduler), about 1 minute",
    )
    args = parser.parse_args()
    if args.only_public_api:
        return public_api_only(args.out or BENCH / "results-quick.json")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) < 2:
        parser.error("--sizes needs sizes of at least 2 (customer 1 creates the platform)")
    if args.skip_checkpoints:
        PULUMI_EXTRA_ENV["PULUMI_SKIP_CHECKPOINTS"] = "true"
    full = tuple(sizes) == FULL_SIZES and not (args.skip_real_limit or args.skip_checkpoints)
    out = args.out or BENCH / ("results.json" if full else "results-quick.json")
    largest = max(sizes)
    runbook_size = RUNBOOK_SIZE if RUNBOOK_SIZE in sizes else min(sizes)
    started = time.monotonic()
    load_at_start = os.getloadavg()
    say(
        f"bench: sizes {sizes}, scale factor F={args.scale:g} (emulator "
        f"{int(SYNCRO_LIMIT * args.scale)}/min, client {int(CLIENT_BUDGET * args.scale)}/min), "
        f"{args.latency_ms} ms latency per request"
        + ("" if args.skip_real_limit else "; then a run under the real 180/min limit")
    )
    say("bench: the full run takes about 11 minutes on 2 idle cores (longer on a busy machine)")
    figures = Figures()
    work = Path(tempfile.mkdtemp(prefix="syncro-bench-"))
    try:
        say("\n== emulator requests per second ==")
        emulator_rps(figures)
        manifest = None
        run_onboarding = functools.partial(
            onboarding_run, figures, scale=args.scale, latency_ms=args.latency_ms
        )
        for size in sizes:
            outcome = run_onboarding(
                work / f"api-{size}",
                size,
                admin_mode="api",
                engine_sizes=True,
                keep_export=size == largest,
            )
            manifest = outcome.get("manifest", manifest)
        run_onboarding(
            work / f"runbook-{runbook_size}",
            runbook_size,
            admin_mode="runbook",
            engine_sizes=False,
            keep_export=False,
        )
        assert manifest is not None
        engine_overhead(figures, work / "engine", largest, manifest, args.repeats)
        if not args.skip_real_limit:
            real_limit_run(figures, work / "real-limit", args.latency_ms)
        make_test_times(figures)
        say("\n== what the public API does: runbook steps, deliverable scheduler ==")
        public_api_figures.runbook_steps_per_customer(figures)
        public_api_figures.scheduler_figures(figures)
    finally:
        if args.keep:
            say(f"bench: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "figures": figures.figures,
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale_factor": args.scale,
        "latency_ms": args.latency_ms,
        "sizes": sizes,
        "real_limit_run": not args.skip_real_limit,
        "skip_checkpoints": args.skip_checkpoints,
        "wall_seconds": round(time.monotonic() - started),
        # Other work on the machine skews the timed figures: the 1/5/15-minute load.
        "load_average_start": [round(x, 2) for x in load_at_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "details": figures.details,
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    missed = [f["name"] for f in figures.figures if f["holds"] is False]
    say(
        f"\nbench: {len(figures.figures)} figures in {clock(time.monotonic() - started)}, "
        f"written to {out.relative_to(REPO) if out.is_relative_to(REPO) else out}"
    )
    if missed:
        say("bench: missed targets:\n  " + "\n  ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
