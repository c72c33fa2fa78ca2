"""Small text helpers the templates share: result numbers as printed, and
columns that line up in a terminal with CJK text."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from ..numbers import decimal_text

TEXT_WIDTH = 78


def number(value) -> str:
    """A result number as printed: 41, 431.5."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def display_width(text: str) -> int:
    """Terminal cells: CJK wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def columns(left: str, right: str, width: int = TEXT_WIDTH) -> str:
    """`left` and `right` on one line, `right` ending at `width` cells."""
    gap = width - display_width(left) - display_width(right)
    return f"{left}{' ' * max(2, gap)}{right}"


def one_line(text: str) -> str:
    """A text on one line of the text sheet (its line breaks as ' / ')."""
    return " / ".join(text.splitlines()) if text else ""


def indented(text: str, indent: str) -> str:
    """A text of several lines printed whole: every line after the first
    starts with `indent`, under the first."""
    return ("\n" + indent).join(text.splitlines()) if text else ""
