"""Hostile findings never crash, never hang, and read the same everywhere.

A hypothesis-driven run of benchmarks/fuzz_findings.py's generator:
findings shaped as the shipped rubric or MINI asks, with hostile values
at random places, scored by the scorer in process, by `rubricdsl score`
(CliRunner) and by the batch's reader.  Only a result or FindingsError
(exit 2) is allowed, each case within 2 s, and when accepted all three
agree.  The large run (10,000 cases) is `python benchmarks/fuzz_findings.py`.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT, load_benchmark


@pytest.fixture(scope="module")
def fuzz_findings():
    return load_benchmark("fuzz_findings")


@pytest.fixture(scope="module")
def targets(fuzz_findings, tmp_path_factory):
    return fuzz_findings.targets(tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), which=st.integers(min_value=0, max_value=1))
def test_hostile_findings_are_scored_or_refused_alike(fuzz_findings, targets, tmp_path, rng, which) -> None:
    target = targets[which]
    data, partial = fuzz_findings.hostile_case(rng, target)
    start = time.perf_counter()
    fuzz_findings.check(target, data, partial, tmp_path)
    # A guard against hangs only (minutes, not seconds): how fast a case is
    # belongs to benchmarks/fuzz_findings.py, on a machine that is not
    # running the rest of the suite beside it.
    assert time.perf_counter() - start < 10 * fuzz_findings.HANG_SECONDS


def test_a_run_of_the_benchmark_finds_nothing(fuzz_findings) -> None:
    report = fuzz_findings.fuzz(300, seed=20261127, cli_every=0)
    assert not report.crashes, report.crashes[0][2]
    assert not report.hangs
    assert report.outcomes.get("scored", 0) > 30 and report.outcomes.get("refused", 0) > 30
