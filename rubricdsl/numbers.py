"""The one way rubricdsl prints a number it holds as a Decimal.

5, 0.5, 120, 0.0000001: the digits as an editor writes them, never 5.0,
1.2E+2 or 1E-7.  Every sheet, diagnostic, diff and plan prints through it;
the generated scorer, which must stand alone, has the same rule in
scorer_runtime._shown, and a test holds the two to each other.
"""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal) -> str:
    if value.is_zero():
        return "0"  # not -0
    return format(value.normalize(), "f")
