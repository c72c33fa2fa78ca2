"""A small run of benchmarks/fuzz_frontend.py, so that CI fuzzes too.

The full run (10,000 mutants) is `python benchmarks/fuzz_frontend.py`.
"""

from __future__ import annotations

import pytest

from .conftest import ROOT, load_benchmark


@pytest.fixture(scope="module")
def fuzz_frontend():
    return load_benchmark("fuzz_frontend")


def test_mutants_give_a_model_or_diagnostics(fuzz_frontend) -> None:
    report = fuzz_frontend.fuzz(300, seed=20261127)
    assert not report.crashes, report.crashes[0][1]
    outcomes = {outcome for _, outcome in report.outcomes}
    # The mutants reach every outcome: the run is not vacuous.
    assert outcomes == {"clean", "errors", "syntax"}
    assert sum(report.outcomes.values()) == 300


def test_mutants_format_without_changing_meaning(fuzz_frontend) -> None:
    report = fuzz_frontend.fuzz(60, seed=5, with_fmt=True)
    assert not report.crashes, report.crashes[0][1]


def test_mutants_are_reproducible(fuzz_frontend) -> None:
    source = (ROOT / "rubrics" / "t-cssg-001.5-2020.rubric").read_text(encoding="utf-8")
    first = fuzz_frontend.make_mutant(3, 41, source)
    again = fuzz_frontend.make_mutant(3, 41, source)
    assert (first.recipe, first.data) == (again.recipe, again.data)
    assert first.data != source


def test_a_crash_is_reported(fuzz_frontend, monkeypatch) -> None:
    def explode(source, path="<string>"):
        raise RuntimeError("boom")

    monkeypatch.setattr(fuzz_frontend, "compile_source", explode)
    report = fuzz_frontend.fuzz(5, seed=1)
    crashed = sum(count for (kind, outcome), count in report.outcomes.items() if outcome == "crash" and kind == "text")
    assert crashed == len(report.crashes) > 0
    assert "RuntimeError: boom" in report.crashes[0][1]


def test_syntax_errors_late_in_a_file_cost_little() -> None:
    """Regression (found by the fuzzer): each syntax error tried its repairs
    on deep copies of everything parsed so far, so a section header moved
    into the rubric's header took some 300 times as long to parse as the
    whole file (seconds for the standard)."""
    import time

    from rubricdsl.parser import parse

    text = (ROOT / "rubrics" / "t-cssg-001.5-2020.rubric").read_text(encoding="utf-8")
    lines = text.split("\n")
    moved = next(number for number, line in enumerate(lines) if line.startswith("section implementation"))
    broken = "\n".join(lines[:20] + [lines[moved]] + lines[20:moved] + lines[moved + 1 :])

    def fastest(source: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            parse(source)
            times.append(time.perf_counter() - start)
        return min(times)

    assert parse(broken).rubric is None
    assert fastest(broken) < 30 * fastest(text)
