"""The real Pulumi CLI and engine run a named dynamic resource through its whole life."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.pulumi_cli import REPO_ROOT, PulumiRun, pulumi_env

TINY = Path(__file__).parent / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> PulumiRun:
    work = tmp_path / "program"
    shutil.copytree(TINY, work)
    yaml = work / "Pulumi.yaml"
    yaml.write_text(yaml.read_text().replace("VENV_PLACEHOLDER", str(REPO_ROOT / ".venv")))
    (tmp_path / "state").mkdir()
    (tmp_path / "files").mkdir()
    # Without the policy pack on purpose: this is a one-resource test program, not the
    # onboarding project, and the pack's policies judge only Syncro resource types.
    run = PulumiRun(work, pulumi_env(tmp_path / "state"), policy_pack=None)
    run.init()
    run("config", "set", "engine:dir", str(tmp_path / "files"))
    return run


@pytest.mark.slow
def test_up_preview_refresh_destroy(tiny: PulumiRun, tmp_path: Path) -> None:
    files = tmp_path / "files"

    tiny("up", "--yes", "--skip-preview")
    notes = tiny.resources(":Note")
    assert [r["type"] for r in notes] == ["pulumi-python:dynamic/engine:Note"]
    assert notes[0]["outputs"]["size"] == len("hello from the engine")
    assert (files / "hello.txt").read_text() == "hello from the engine"

    tiny("preview", "--expect-no-changes")

    # Out-of-band edit: refresh reads it into state, up puts the desired text back.
    (files / "hello.txt").write_text("edited by hand")
    tiny("refresh", "--yes")
    assert tiny.resources(":Note")[0]["outputs"]["text"] == "edited by hand"
    tiny("up", "--yes", "--skip-preview")
    assert (files / "hello.txt").read_text() == "hello from the engine"

    tiny("destroy", "--yes")
    assert tiny.resources(":Note") == []
    assert not (files / "hello.txt").exists()
