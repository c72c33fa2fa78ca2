"""One way to print a number: rubricdsl.numbers and the standalone scorer's
copy of the rule agree on every Decimal."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rubricdsl import scorer_runtime
from rubricdsl.numbers import decimal_text

DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-10**9, max_value=10**9)


@given(DECIMALS)
def test_the_scorer_prints_numbers_as_the_compiler_does(value: Decimal) -> None:
    assert scorer_runtime._shown(value) == decimal_text(value)


def test_no_exponent_and_no_trailing_zeros() -> None:
    assert [decimal_text(Decimal(text)) for text in ("5.0", "1.2E+2", "1E-7", "0.50", "-0")] == [
        "5", "120", "0.0000001", "0.5", "0"
    ]
