"""No input makes the front end crash: only a model or diagnostics come out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubricdsl.frontend import compile_bytes, compile_source
from rubricdsl.parser import _keyword_literals

from .conftest import SHIPPED_RUBRIC

SHIPPED = SHIPPED_RUBRIC.read_text(encoding="utf-8")
SHIPPED_LINES = SHIPPED.splitlines(keepends=True)

KEYWORDS = sorted(set(_keyword_literals().values()))
TOKENS = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(["a", "b1", "rate", "t-cssg", "_x", "0", "5", "0.5", "100", "<", "<=", ">=", ">"]),
    st.text(max_size=6).map(lambda t: '"' + t.replace('"', "").replace("\\", "").replace("\n", "") + '"'),
    st.sampled_from(['"""long\n  text"""', "# comment\n", "\n", '"\\q"', '"open', "\ufeff", "\t"]),
)


def assert_well_formed(compilation) -> None:
    lines = compilation.source.splitlines() or [""]
    for diagnostic in compilation.diagnostics:
        assert 1 <= diagnostic.span.line <= len(lines) + 1, diagnostic
        assert diagnostic.span.column >= 1, diagnostic
        assert diagnostic.message
    if compilation.rubric is None:
        assert compilation.errors, "no model and no error"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    assert_well_formed(compile_source(text))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    assert_well_formed(compile_bytes(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    text = 'rubric demo title "D" version "1" full marks 10 pass at 6 ' + " ".join(tokens)
    assert_well_formed(compile_source(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_standard(data: st.DataObject) -> None:
    lines = list(SHIPPED_LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "swap"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            column = data.draw(st.integers(0, len(lines[index])))
            junk = data.draw(st.text(max_size=5))
            lines[index] = lines[index][:column] + junk + lines[index][column:]
        elif action == "truncate":
            lines = lines[: index + 1]
            lines[-1] = lines[-1][: data.draw(st.integers(0, len(lines[-1])))]
        else:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            break
    assert_well_formed(compile_source("".join(lines)))
