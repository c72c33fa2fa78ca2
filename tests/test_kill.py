"""A build and a batch killed (SIGKILL) at random moments leave nothing torn,
mixed or stray (benchmarks/kill_build.py, a few rounds of each), and a build
that runs out of disk space leaves the previous outputs as they were."""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_build import ID, snapshot

KILLS = 10  # of each: about 20 s; the benchmark runs 200


def kill_script():
    spec = importlib.util.spec_from_file_location("kill_build", ROOT / "benchmarks" / "kill_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("what", ["kill_builds", "kill_batches"])
def test_kills_leave_nothing_torn_mixed_or_stray(what: str, tmp_path: Path) -> None:
    script = kill_script()
    counts = getattr(script, what)(KILLS, tmp_path, random.Random(20260101))
    clean = "clean after the next build" if what == "kill_builds" else "clean after the next batch"
    assert counts[clean] == KILLS
    assert counts["kills: write phase"] + counts["kills: uniform"] + counts["kills: finished"] == KILLS


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def test_a_build_that_fills_the_disk_leaves_the_previous_outputs(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    # Room for one rubric's outputs (as generated/ holds them) and half
    # again: a second revision's folder does not fit beside the first.
    outputs = sum(path.stat().st_size for path in (ROOT / "generated" / ID).iterdir())
    if not _mount_tmpfs(disk, f"{outputs * 3 // 2 // 1024}k"):
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        (disk / "rubrics").mkdir()
        rubric = disk / "rubrics" / "r.rubric"
        shutil.copy(ROOT / "rubrics" / f"{ID}.rubric", rubric)
        command = [sys.executable, "-m", "rubricdsl.cli", "build"]
        first = subprocess.run(command, cwd=disk, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        before = snapshot(disk / "generated")
        # A second revision's folder does not fit beside the first.
        rubric.write_text(rubric.read_text(encoding="utf-8").replace("  title ", '  title "R2"\n  note ', 1), encoding="utf-8")
        second = subprocess.run(command, cwd=disk, capture_output=True, text=True)
        assert second.returncode == 2
        assert second.stderr.startswith(f"Error: cannot write generated/{ID}/")
        assert second.stderr.endswith(": No space left on device; the previous outputs are as they were\n")
        assert ".new-" not in second.stderr and ".tmp" not in second.stderr
        assert snapshot(disk / "generated") == before
        assert sorted(p.name for p in (disk / "generated").iterdir()) == [".rubricdsl-manifest.json", ID]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
