"""A pull request's preview: one customer added to a stack of N (bench/README.md).

The real side reuses the N-customer stack that bench/run.py has just built with `up`
(no second build): a customer file N+1 and its EDR keys are added and `pulumi preview`
runs with the policy pack, as `make preview` runs it. The no-op side is the same graph
served by bench/noop_program: its state is built once with `pulumi up` of the no-op
program under PULUMI_SKIP_CHECKPOINTS=true (a throwaway stack of a provider that does
nothing, so per-step crash safety buys nothing there; it saves minutes), then one
customer's resources are cloned under the new client ID and previewed. Both sides run
the same command, policy pack on (the pack judges the no-op graph's resources too: same
types, same inputs), so the ratio is what our providers and program cost; the pack's own
share is reported from one more preview of each side without it. Previews alternate and
the best of each side is kept.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bench.common import (
    LONG,
    PULUMI_EXTRA_ENV,
    REPO,
    BenchProject,
    Emulator,
    Figures,
    clock,
    customer,
    say,
    step,
    to_create,
)
from bench.engine_figures import noop_project
from tests.pulumi_cli import PulumiRun, pulumi_env

# As `make preview` runs it (the Makefile's POLICY and --diff), outputs kept quiet.
PR_PREVIEW = ("preview", "--diff", "--suppress-outputs")
COMPONENT = "syncro:onboarding:CustomerOnboarding"


def with_one_more_customer(
    manifest: dict[str, Any], template_client_id: str, new_client_id: str
) -> dict[str, Any]:
    """The manifest plus a copy of one customer (component and children) renamed to
    `new_client_id`: indices inside the copy point at the copy, the rest (platform
    mailbox, fields, preferences) stay shared, as a new customer's would."""
    entries = manifest["resources"]
    last = next(
        i
        for i, e in enumerate(entries)
        if e["type"] == COMPONENT and e["name"] == template_client_id
    )
    old_id = template_client_id
    members = [last] + [i for i, e in enumerate(entries) if e["parent"] == last]
    moved = {old: len(entries) + n for n, old in enumerate(members)}
    added = []
    for old in members:
        # Its client ID and its domains (bench/common.py `customer`: firm<number>...), so
        # the policy pack sees a customer of its own, as the real side's new file is.
        text = json.dumps(entries[old]).replace(old_id, new_client_id)
        text = text.replace(f"firm{old_id[3:]}", f"firm{new_client_id[3:]}")
        entry = json.loads(text)
        entry["parent"] = moved.get(entry["parent"], entry["parent"])
        entry["depends_on"] = [moved.get(i, i) for i in entry["depends_on"]]
        entry["refs"] = {k: [moved.get(i, i), out] for k, (i, out) in entry["refs"].items()}
        added.append(entry)
    return {"resources": [*copy.deepcopy(entries), *added]}


def noop_stack(root: Path, manifest: dict[str, Any], size: int) -> Path:
    """A no-op project whose state holds `manifest`, built without checkpoints."""
    build = noop_project(root, manifest, PULUMI_SKIP_CHECKPOINTS="true")
    with step(
        f"no-op stack of {size} customers: pulumi up, PULUMI_SKIP_CHECKPOINTS=true",
        f"about {clock(max(5, size * 0.2))}",
    ):
        build("up", "--yes", "--skip-preview", "--suppress-outputs", timeout=LONG)
    return root


def preview_run(root: Path, env: dict[str, str], *, policy_pack: bool) -> PulumiRun:
    return PulumiRun(root, env, policy_pack=str(REPO / "policies") if policy_pack else None)


def pr_preview_figures(
    figures: Figures,
    work: Path,
    project: BenchProject,
    emulator: Emulator,
    manifest: dict[str, Any],
    size: int,
    repeats: int,
) -> None:
    """Preview of customer size+1 on the size-customer stack: real (policy pack on) vs no-op."""
    say(f"\n== a pull request's preview: 1 customer added to {size}, real vs no-op ==")
    new = customer(size + 1)
    # Customers n and n - 9 have the same tier and number of domains (bench/common.py
    # `customer`): the no-op side adds a copy of that one, the same resources as the new.
    template = customer(max(1, size - 8))["client_id"]
    noop_root = noop_stack(work / "noop", manifest, size)
    noop_env = pulumi_env(noop_root / "state", **PULUMI_EXTRA_ENV)
    (work / "noop" / "manifest.json").write_text(
        json.dumps(with_one_more_customer(manifest, template, new["client_id"]))
    )
    project.add_customers([new])
    real = preview_run(project.root, project.pulumi.env, policy_pack=True)
    noop = preview_run(noop_root, noop_env, policy_pack=True)
    sides = (("real, policy pack on", real), ("no-op, policy pack on", noop))
    times: dict[str, list[float]] = {label: [] for label, _ in sides}
    creates: dict[str, int | None] = {}
    emulator.clear_requests()
    for attempt in range(1, repeats + 1):
        for label, run in sides:
            expect = f"about {clock(max(3, size * 0.12))}"
            with step(f"PR preview {label} #{attempt}", expect) as timing:
                out = run(*PR_PREVIEW, timeout=LONG)
            times[label].append(timing["seconds"])
            creates[label] = to_create(out.stdout)
    without_pack: dict[str, float] = {}
    for label, root, env in (
        ("real", project.root, project.pulumi.env),
        ("no-op", noop_root, noop_env),
    ):
        with step(f"PR preview {label}, without the policy pack (its share)", "as above") as t:
            preview_run(root, env, policy_pack=False)(*PR_PREVIEW, timeout=LONG)
        without_pack[label] = round(t["seconds"], 1)
    api_calls = len(emulator.requests())
    best_real, best_noop = min(times["real, policy pack on"]), min(times["no-op, policy pack on"])
    ratio = best_real / best_noop
    command = (
        f"pulumi {' '.join(PR_PREVIEW)} --policy-pack policies on the {size}-customer stack "
        f"+ customer {new['client_id']}, vs bench/noop_program (same graph + 1, same flags)"
    )
    figures.add(
        f"PR preview: 1 customer added to {size}, real / no-op provider (policy pack on both)",
        ratio,
        "x",
        "<= 1.3",
        ratio <= 1.3,
        command,
        seconds={label: [round(t, 1) for t in ts] for label, ts in times.items()},
        without_policy_pack_seconds=without_pack,
        resources_to_create=creates,
        api_calls_during_real_previews=api_calls,
        noop_state="built by `pulumi up` of bench/noop_program, PULUMI_SKIP_CHECKPOINTS=true",
    )
    figures.add(
        f"PR preview wall time, real program with the policy pack ({size} + 1 customers)",
        best_real,
        "s",
        "none (reported)",
        None,
        command,
    )
    figures.add(
        f"PR preview wall time, no-op provider with the policy pack ({size} + 1 customers)",
        best_noop,
        "s",
        "none (reported)",
        None,
        command,
    )
