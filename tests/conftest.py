"""Shared test helpers: paths and golden-file comparison.

Set UPDATE_GOLDEN=1 to rewrite golden files from the current output (then
read the diff before committing it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
