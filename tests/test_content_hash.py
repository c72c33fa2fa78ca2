"""The content hash is taken of the canonical JSON that json.JSONEncoder
(ensure_ascii=False, sort_keys=True, compact) writes of the model without
its places, whatever encoder export.py uses for it: findings name the hash,
so a change of encoder must not change one byte of it."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rubricdsl.export import _PLACES, _canonical_pieces

KEYS = st.one_of(st.sampled_from(sorted(_PLACES) + ["key", "points", "text", "é", "点"]), st.text(max_size=4))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    # tiny floats are where orjson and json write a float differently
    st.floats(allow_nan=False, allow_infinity=False, min_value=-(10**10), max_value=10**10),
    st.sampled_from([1e-05, 0.0001, 1.5e-07, -3e-12, 0.1, 2.675]),
    st.text(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=30)


def _reference(value) -> bytes:
    def stripped(v):
        if isinstance(v, dict):
            return {k: stripped(e) for k, e in v.items() if k not in _PLACES}
        if isinstance(v, list):
            return [stripped(e) for e in v]
        return v

    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    return encode(stripped(value)).encode("utf-8")


@settings(max_examples=400)
@given(VALUES)
def test_the_canonical_text_is_what_json_writes(value) -> None:
    assert b"".join(_canonical_pieces(value, depth=2)) == _reference(value)


def test_a_tiny_float_is_written_as_its_repr() -> None:
    model = {"sections": [{"amount": 1e-05, "line": 3, "items": [{"amount": 1.5e-07}]}], "source": "x"}
    assert b"".join(_canonical_pieces(model, depth=2)) == b'{"sections":[{"amount":1e-05,"items":[{"amount":1.5e-07}]}]}'
