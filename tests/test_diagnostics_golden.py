"""Every diagnostic code, one case per file: tests/golden/diagnostics/CODE_case.rubric
and beside it CODE_case.txt, the rendered diagnostics with carets."""

from __future__ import annotations

from pathlib import Path

import pytest

from rubricdsl.diagnostics import CATALOGUE, render
from rubricdsl.frontend import compile_bytes

from .conftest import ROOT, assert_golden

CASES = sorted((Path(__file__).parent / "golden" / "diagnostics").glob("*.rubric"))


def rendered(case: Path) -> tuple[str, list[str]]:
    compilation = compile_bytes(case.read_bytes(), case.name)
    text = "\n".join(render(d, compilation.source) for d in compilation.diagnostics)
    return text + "\n", [d.code for d in compilation.diagnostics]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_diagnostics(case: Path) -> None:
    text, codes = rendered(case)
    expected_code = case.stem.split("_", 1)[0]
    assert expected_code in codes, f"{case.name} should produce {expected_code}, got {codes}"
    assert_golden(case.with_suffix(".txt"), text)


def test_every_code_has_a_case_and_a_readme_entry() -> None:
    covered = {case.stem.split("_", 1)[0] for case in CASES}
    assert covered == set(CATALOGUE)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if f"`{code}`" not in readme]
    assert not missing, f"README documents no example for {missing}"
