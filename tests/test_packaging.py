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
    assert any(name.startswith("rubricdsl/backends/templates/") for name in names)

    # A venv that sees this interpreter's lark/jinja2/click but gets rubricdsl
    # only from the wheel; it runs from a folder that is not the checkout.
    environment = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        cwd=tmp_path,
    )
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
