"""model.json and findings.schema.json are rendered from their JSON in
pieces (export.indented_json_pieces) and the pages embed theirs in pieces
(form.script_json_pieces): joined, the pieces are exactly the text written
whole, at every depth they are cut at."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rubricdsl.backends.form import script_json, script_json_pieces
from rubricdsl.export import indented_json, indented_json_pieces

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.text(),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=30
)


@settings(max_examples=300)
@given(VALUES, st.integers(min_value=0, max_value=3))
def test_indented_pieces_join_to_the_whole_text(value, depth: int) -> None:
    assert "".join(indented_json_pieces(value, depth)) == indented_json(value)


@settings(max_examples=300)
@given(st.dictionaries(st.text(max_size=4), VALUES, max_size=5))
def test_script_pieces_join_to_the_whole_text(value: dict) -> None:
    assert "".join(script_json_pieces(value)) == str(script_json(value))
    # an iterator is written as the list of what it yields
    lazy = {key: iter(entry) if isinstance(entry, list) else entry for key, entry in value.items()}
    assert "".join(script_json_pieces(lazy)) == str(script_json(value))


def test_the_pages_plan_pieces_are_the_whole_plans_json() -> None:
    from rubricdsl.backends import BuildContext
    from rubricdsl.frontend import compile_file
    from rubricdsl.plan import plan_json

    from .conftest import SHIPPED_RUBRIC

    context = BuildContext.of(compile_file(str(SHIPPED_RUBRIC)), "rubrics/t-cssg-001.5-2020.rubric")
    assert len(context.page_plan_json) > 3  # in pieces: a head and each section
    assert "".join(context.page_plan_json) == str(script_json(plan_json(context.plan, context.sha256)))


def test_a_key_that_is_not_a_string_is_written_as_the_whole_text_writes_it() -> None:
    assert "".join(script_json_pieces({1: 2, "a": [3]})) == str(script_json({1: 2, "a": [3]})) == '{"1":2,"a":[3]}'
