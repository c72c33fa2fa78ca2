"""The model's nodes behave as frozen dataclasses whose spans do not count,
though their methods are made once for all classes (model._Node)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
from decimal import Decimal

import pytest

from rubricdsl import model as m
from rubricdsl.diagnostics import Span

NODE_CLASSES = m._Node.__subclasses__()


def test_every_node_class_takes_its_fields_in_order_with_their_defaults() -> None:
    for cls in NODE_CLASSES:
        parameters = list(inspect.signature(cls).parameters.values())
        node_fields = dataclasses.fields(cls)
        assert [p.name for p in parameters] == [f.name for f in node_fields], cls
        for parameter, node_field in zip(parameters, node_fields):
            expected = inspect.Parameter.empty if node_field.default is dataclasses.MISSING else node_field.default
            assert parameter.default is expected, (cls, node_field.name)


def test_a_node_cannot_be_changed() -> None:
    note = m.Note("text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.text = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del note.text
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.new_attribute = 1
    assert note.text == "text"


def test_spans_do_not_count_in_equality_hash_or_repr() -> None:
    here, there = Span(1, 1, 1, 9), Span(7, 3, 7, 11)
    first = m.Part("a", "Part a", here)
    second = m.Part("a", "Part a", span=there)
    assert first == second and hash(first) == hash(second)
    assert repr(first) == "Part(key='a', label='Part a')"
    assert first != m.Part("b", "Part a", here)
    assert first != m.Note("a", here)  # another class is never equal


def test_replace_and_copy_keep_every_field() -> None:
    level = m.Level("minor", Decimal("0.5"), "minor", Span(2, 1, 2, 5))
    replaced = dataclasses.replace(level, amount=Decimal(1))
    assert (replaced.key, replaced.amount, replaced.label, replaced.span) == ("minor", Decimal(1), "minor", level.span)
    copied = copy.deepcopy(level)
    assert copied == level and copied.span == level.span and copied is not level
    with pytest.raises(TypeError):
        m.Level("minor", Decimal(1))  # a field without a default is required
