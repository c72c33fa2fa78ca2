"""Every command on mutants of the shipped rubric: an answer, never a crash.

A fixed budget of benchmarks/fuzz_commands.py, so that CI fuzzes every
command; the large run is `python benchmarks/fuzz_commands.py` (10,000
mutants).
"""

from __future__ import annotations

import pytest

from .conftest import ROOT, load_benchmark


@pytest.fixture(scope="module")
def fuzz_commands():
    return load_benchmark("fuzz_commands")


def test_every_command_answers_every_mutant(fuzz_commands) -> None:
    report = fuzz_commands.fuzz(40, seed=20261201)
    assert not report.crashes, report.crashes[:5]
    assert report.cases == 40
    # Not vacuous: some mutants build (and their scorer.py runs), some do not.
    assert report.exits["build"].get(0) and report.exits["build"].get(1)
    assert report.exits["scorer.py"].get(True)
    assert set(report.exits) >= {"check", "fmt --check", "inspect", "diff --findings", "score", "score --batch"}


def test_a_crash_is_reported(fuzz_commands, monkeypatch, tmp_path) -> None:
    from rubricdsl import cli

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "compile_bytes", explode)
    report = fuzz_commands.Report()
    fuzz_commands.run_mutant(0, (ROOT / "rubrics" / "t-cssg-001.5-2020.rubric").read_text(encoding="utf-8"), report, tmp_path)
    assert report.crashes and "boom" in report.crashes[0][2]
