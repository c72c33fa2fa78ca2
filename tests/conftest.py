"""Shared test helpers: paths and golden-file comparison.

Set UPDATE_GOLDEN=1 to rewrite golden files from the current output (then
read the diff before committing it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The suite keeps compiled code (the scorer's, Jinja's) in a cache folder of
# its own, made private by mkdtemp, never in the user's: a run neither
# depends on what the user's commands kept nor prunes it.  Set before
# rubricdsl is imported (its template environment finds the folder then).
TEST_CACHE_HOME = tempfile.mkdtemp(prefix="rubricdsl-test-cache-")
os.environ["XDG_CACHE_HOME"] = TEST_CACHE_HOME


def pytest_unconfigure(config) -> None:
    shutil.rmtree(TEST_CACHE_HOME, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SHIPPED_RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
AS_PRINTED_RUBRIC = TESTS / "fixtures" / "as-printed" / "t-cssg-001.5-2020.rubric"


def assert_golden(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path.relative_to(ROOT)} is missing; run with UPDATE_GOLDEN=1 to create it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path.relative_to(ROOT)} (UPDATE_GOLDEN=1 rewrites it)"


def load_benchmark(name: str):
    """A script of benchmarks/ as a module, for the tests that run a fixed
    budget of it (registered in sys.modules, as dataclasses need)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_in(cwd: Path, *args: str):
    """`rubricdsl ARGS` run in the folder cwd, as a user there would."""
    from click.testing import CliRunner

    from rubricdsl.cli import main

    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
