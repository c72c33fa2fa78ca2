"""A plain (non-editable) install finds the grammar and the templates."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from .conftest import ROOT, SHIPPED_RUBRIC


def test_wheel_ships_grammar_and_templates_and_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    (wheel,) = wheels.glob("rubricdsl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rubricdsl/grammar/rubric.lark" in names
    # The parser's tables: without them a clean rubric could not be parsed.
    assert {"rubricdsl/grammar_tables.py", "rubricdsl/grammar_tables_lark.py"} <= set(names)
    assert any(name.startswith("rubricdsl/backends/templates/") for name in names)

    # A venv that sees nothing of this interpreter's packages: rubricdsl comes
    # from the wheel, and its dependencies as a user gets them, from the
    # package registry (pip's cache makes a second run quick).  The pip doing
    # the installing is this interpreter's (`pip --python`), so the venv needs
    # no pip of its own.  It runs from a folder that is not the checkout.
    environment = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--find-links", str(wheels), str(wheel)],
        check=True,
        cwd=tmp_path,
    )
    # The test runner's own packages are out of the venv's sight.
    assert subprocess.run([python, "-c", "import pytest"], capture_output=True, cwd=tmp_path).returncode != 0
    where = subprocess.run(
        [python, "-c", "import rubricdsl.parser as p; print(p.grammar_path())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(str(environment)), where
    checked = subprocess.run(
        [python, "-m", "rubricdsl.cli", "check", str(SHIPPED_RUBRIC)], capture_output=True, text=True, cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stderr
