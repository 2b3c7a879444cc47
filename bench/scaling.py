"""First `up` at scale (issue 16, item 1): seconds per customer at N = 50, 100, 200, 400.

For each N: a fresh emulator (rate limit 180*F a minute, 50 ms latency, as bench/run.py
runs it) and a fresh project holding N new customers, then `make up` itself in that
project (the repository's Makefile and scripts linked: `scripts/select-stack
--clear-pending`, then `pulumi up --yes --policy-pack policies --suppress-outputs`, in the
environment `make up` gives it, the checkpoint setting included). Then the same graph on
the no-op provider (bench/noop_program, built from this stack's export), `pulumi up` on a
fresh stack with the same checkpoint setting: the engine's floor at that N.

Figures: seconds per customer at each N (real and no-op), and seconds per customer at
the largest N / at the smallest (target <= 1.5).

Usage: .venv/bin/python bench/scaling.py [--sizes 50,100] [--checkpoints every-step]
(`--checkpoints every-step` runs `make up SKIP_CHECKPOINTS=false`: the engine's default,
a checkpoint after every step, for the before/after comparison in bench/README.md.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from bench.common import BenchProject, Emulator, Figures, clock, say, step  # noqa: E402
from bench.engine_figures import noop_manifest, noop_project  # noqa: E402

SIZES = (50, 100, 200, 400)
TARGET = 1.5
# What `make up` is run with: its default (the lever, Makefile SKIP_CHECKPOINTS) or the
# engine's default of a checkpoint after every step.
CHECKPOINT_MODES = {"make-default": None, "every-step": "false"}
FOR_MAKE = ("Makefile", "scripts", "requirements.txt", "policies")


def make_up(project: BenchProject, emulator: Emulator, skip_checkpoints: str | None) -> str:
    """`make up` in the bench project, as an operator runs it (bootstrap already done)."""
    cmd = ["make", "--no-print-directory", "-o", "bootstrap", "up", "STACK=local"]
    if skip_checkpoints is not None:
        cmd.append(f"SKIP_CHECKPOINTS={skip_checkpoints}")
    done = subprocess.run(
        cmd,
        cwd=project.root,
        env={**project.pulumi.env, "EMULATOR_PORT": str(emulator.server.port)},
        capture_output=True,
        text=True,
        timeout=common.LONG,
    )
    out = done.stdout + done.stderr
    if done.returncode != 0:
        raise AssertionError(f"make up exited {done.returncode}\n{out[-4000:]}")
    return out


def checkpoint_env(skip_checkpoints: str | None) -> dict[str, str]:
    """The PULUMI_SKIP_CHECKPOINTS that `make up` (with this override) gives the CLI."""
    show = "bench-show-checkpoints: ; @echo $(SKIP_CHECKPOINTS)"
    cmd = ["make", "--no-print-directory", "-s", "--eval", show, "bench-show-checkpoints"]
    if skip_checkpoints is not None:
        cmd.append(f"SKIP_CHECKPOINTS={skip_checkpoints}")
    value = subprocess.run(cmd, cwd=common.REPO, capture_output=True, text=True, check=True).stdout
    return {"PULUMI_SKIP_CHECKPOINTS": value.strip()}


def real_up(
    work: Path, size: int, *, scale: float, latency_ms: int, skip_checkpoints: str | None
) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """`make up` of `size` new customers on a fresh stack: seconds, details, export."""
    emulator = Emulator(work / "emulator", int(common.SYNCRO_LIMIT * scale), latency_ms)
    try:
        project = BenchProject(
            work / "project",
            emulator,
            requests_per_minute=int(common.CLIENT_BUDGET * scale),
            scale=scale,
        )
        for name in FOR_MAKE:
            (project.root / name).symlink_to(common.REPO / name)
        project.add_customers(common.customers(size))
        emulator.clear_requests()
        load = os.getloadavg()
        # Measured on 2 busy cores, checkpoints at the end: 50 -> 25 s, 400 -> 5 min 18 s
        # (with a checkpoint per step 100 took 4 min 33 s).
        expect = f"about {clock(0.5 * size if size <= 200 else 0.8 * size)}"
        with step(f"N={size}: make up (fresh stack, {size} customers)", expect):
            started = time.monotonic()
            make_up(project, emulator, skip_checkpoints)
            seconds = time.monotonic() - started
        requests = emulator.requests()
        export = json.loads(project.export(show_secrets=True))
    finally:
        emulator.close()
    details = {
        "seconds": round(seconds, 1),
        "resources": len(common.custom_resources(export)),
        "requests": len(requests),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    return seconds, details, export


def noop_up(work: Path, export: dict[str, Any], env_extra: dict[str, str]) -> float:
    """`pulumi up` of the same graph on the no-op provider, fresh stack: seconds."""
    # No policy pack: the pack's policies judge the real program's resources.
    noop = noop_project(work / "noop", noop_manifest(export), **env_extra)
    with step("same graph, no-op provider: pulumi up", "about 60% of the real up"):
        started = time.monotonic()
        noop("up", "--yes", "--suppress-outputs", timeout=common.LONG)
        return time.monotonic() - started


def scaling_figures(
    figures: Figures,
    work: Path,
    *,
    sizes: tuple[int, ...] = SIZES,
    scale: float = 10,
    latency_ms: int = 50,
    checkpoints: str = "make-default",
) -> None:
    """The figures above, into `figures` (bench/run.py calls this with its own work dir)."""
    skip = CHECKPOINT_MODES[checkpoints]
    env_extra = checkpoint_env(skip)
    how = (
        "make up" if skip is None else f"make up SKIP_CHECKPOINTS={skip}"
    ) + f" (PULUMI_SKIP_CHECKPOINTS={env_extra['PULUMI_SKIP_CHECKPOINTS'] or 'unset'})"
    say(
        f"\n== first up at scale: N = {', '.join(map(str, sizes))}; {how}; emulator "
        f"{int(common.SYNCRO_LIMIT * scale)}/min, client {int(common.CLIENT_BUDGET * scale)}/min, "
        f"{latency_ms} ms latency =="
    )
    per_customer: dict[int, float] = {}
    for size in sorted(sizes):
        where = work / f"scaling-{size}"
        seconds, details, export = real_up(
            where, size, scale=scale, latency_ms=latency_ms, skip_checkpoints=skip
        )
        noop_seconds = noop_up(where, export, env_extra)
        per_customer[size] = seconds / size
        figures.add(
            f"first up of {size} customers: seconds per customer ({checkpoints})",
            seconds / size,
            "s/customer",
            "none (reported)",
            None,
            f"{how} on a fresh stack with {size} customer files",
            **details,
            noop_seconds=round(noop_seconds, 1),
        )
        figures.add(
            f"first up of {size} customers, no-op provider: seconds per customer ({checkpoints})",
            noop_seconds / size,
            "s/customer",
            "none (reported)",
            None,
            "pulumi up --yes --suppress-outputs on a fresh stack of bench/noop_program "
            f"(the same graph), PULUMI_SKIP_CHECKPOINTS={env_extra['PULUMI_SKIP_CHECKPOINTS']}",
            seconds=round(noop_seconds, 1),
            real_over_noop=round(seconds / noop_seconds, 2),
        )
        shutil.rmtree(where, ignore_errors=True)
    small, large = min(per_customer), max(per_customer)
    if small == large:
        return
    ratio = per_customer[large] / per_customer[small]
    figures.add(
        f"first up: seconds per customer at N={large} / at N={small} ({checkpoints})",
        ratio,
        "x",
        f"<= {TARGET}",
        ratio <= TARGET,
        how,
        seconds_per_customer={str(n): round(v, 3) for n, v in per_customer.items()},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--checkpoints", choices=sorted(CHECKPOINT_MODES), default="make-default")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    sizes = tuple(sorted({int(s) for s in args.sizes.split(",") if s.strip()}))
    figures = Figures()
    work = Path(tempfile.mkdtemp(prefix="syncro-scaling-"))
    started = time.monotonic()
    load = os.getloadavg()
    try:
        scaling_figures(
            figures,
            work,
            sizes=sizes,
            scale=args.scale,
            latency_ms=args.latency_ms,
            checkpoints=args.checkpoints,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"scaling: {len(figures.figures)} figures in {clock(time.monotonic() - started)}")
    if args.out:
        result = {
            "figures": figures.figures,
            "details": figures.details,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_start": [round(x, 2) for x in load],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
