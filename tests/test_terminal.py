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
