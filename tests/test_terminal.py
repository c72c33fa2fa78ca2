"""terminal.printable: control characters and bidi overrides shown escaped."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubricdsl.terminal import printable

BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]


@pytest.mark.parametrize(
    "text, shown",
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("a\x00b\x7fc\x9bd", "a\\x00b\\x7fc\\x9bd"),
        ("carriage\rreturn", "carriage\\x0dreturn"),
        ("abc\u202edef\u2066x\u2069", "abc\\u202edef\\u2066x\\u2069"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("标准化方针、目标 “(50分)” é ⏎", "标准化方针、目标 “(50分)” é ⏎"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


@given(st.text())
def test_nothing_unsafe_gets_through(text: str) -> None:
    shown = printable(text)
    for ch in shown:
        assert ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ord(ch) not in BIDI)
    # Safe text is left alone.
    if all(ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ord(ch) not in BIDI) for ch in text):
        assert shown == text


def test_the_standalone_scorer_keeps_the_same_rule() -> None:
    """scorer.py stands alone, so its runtime keeps its own copy."""
    from rubricdsl import scorer_runtime

    every = "".join(map(chr, range(0x3000)))
    assert scorer_runtime.printable(every) == printable(every)


def test_the_standalone_scorer_text_cannot_drive_the_terminal(tmp_path) -> None:
    import json
    import subprocess
    import sys

    from .conftest import ROOT
    from .scoring_helpers import fixture_findings

    findings = fixture_findings()
    findings["organization"] = "某中心\x1b[2J\u202e"
    findings["items"]["basics.policy"]["remark"] = "见\x1b]0;title\x07记录"
    path = tmp_path / "f.json"
    path.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    scorer = ROOT / "generated" / "t-cssg-001.5-2020" / "scorer.py"
    done = subprocess.run([sys.executable, str(scorer), str(path)], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    assert "某中心\\x1b[2J\\u202e" in done.stdout and "见\\x1b]0;title\\x07记录" in done.stdout
