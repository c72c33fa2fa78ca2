"""Records (rubricdsl/records.py) behave as the dataclasses they stand for,
though their methods are compiled together: the model's nodes (frozen, their
spans not counted), and every other record class of the package."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pkgutil
import re
import threading
from decimal import Decimal

import pytest

import rubricdsl
from rubricdsl import model as m
from rubricdsl import records
from rubricdsl.diagnostics import Span
from rubricdsl.records import record


def record_classes() -> list[type]:
    """Every dataclass of the package: each is a record."""
    found = {}
    for module_info in pkgutil.walk_packages(rubricdsl.__path__, "rubricdsl."):
        if module_info.name in ("rubricdsl.make_grammar_tables",):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                found[value.__module__ + "." + value.__qualname__] = value
    records.finish()
    return list(found.values())


def test_every_record_takes_its_fields_in_order_with_their_defaults() -> None:
    classes = record_classes()
    assert len(classes) > 40 and m.Note in classes and Span in classes
    for cls in classes:
        parameters = list(inspect.signature(cls).parameters.values())
        record_fields = dataclasses.fields(cls)
        assert [p.name for p in parameters] == [f.name for f in record_fields], cls
        for parameter, record_field in zip(parameters, record_fields):
            if record_field.default is not dataclasses.MISSING:
                assert parameter.default is record_field.default, (cls, record_field.name)
            elif record_field.default_factory is dataclasses.MISSING:
                assert parameter.default is inspect.Parameter.empty, (cls, record_field.name)


def test_a_frozen_record_cannot_be_changed() -> None:
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


def test_ordered_records_compare_by_their_fields_in_order() -> None:
    spans = [Span(2, 1, 2, 5), Span(1, 9, 1, 12), Span(1, 2, 3, 1)]
    assert sorted(spans) == [Span(1, 2, 3, 1), Span(1, 9, 1, 12), Span(2, 1, 2, 5)]
    assert Span(1, 1, 1, 1) <= Span(1, 1, 1, 1) < Span(1, 1, 1, 2) and Span(3, 1, 1, 1) >= Span(2, 9, 9, 9)
    with pytest.raises(TypeError):
        Span(1, 1, 1, 1) < (1, 1, 1, 1)  # noqa: B015


def test_a_changeable_record_takes_new_values_and_fresh_defaults_and_is_unhashable() -> None:
    @record
    class Shelf:
        label: str
        books: list = dataclasses.field(default_factory=list)

    first, second = Shelf("a"), Shelf("b")
    first.books.append("x")
    assert second.books == [] and first.books == ["x"]
    first.label = "c"
    assert first == Shelf("c", ["x"]) and first != Shelf("c")
    assert repr(first) == "test_a_changeable_record_takes_new_values_and_fresh_defaults_and_is_unhashable.<locals>.Shelf(label='c', books=['x'])"
    with pytest.raises(TypeError):
        hash(first)


def test_what_a_record_does_not_support_is_refused_when_the_class_is_made() -> None:
    """Refused at the class, as @dataclass refuses what it cannot do, and
    never later at the first record made anywhere (which would fail every
    record of the process)."""
    made_before = record(frozen=True)(type("MadeBefore", (), {"__annotations__": {"a": "int"}}))
    cases = {
        "plain or have defaults": {"__annotations__": {"a": "int"}, "a": dataclasses.field(default=0, init=False)},
        "follows a, which has one": {"__annotations__": {"a": "int", "b": "int"}, "a": 0},
        "no __post_init__": {"__annotations__": {"a": "int"}, "__post_init__": lambda self: None},
        "is given __repr__": {"__annotations__": {"a": "int"}, "__repr__": lambda self: "mine"},
        "is given __eq__, __hash__": {"__annotations__": {"a": "int"}, "__eq__": lambda self, other: True, "__hash__": lambda self: 7},
        "is not named __record_": {"__annotations__": {"__record_self__": "int"}},
    }
    for message, namespace in cases.items():
        with pytest.raises(TypeError, match=message):
            record(frozen=True)(type("Refused", (), namespace))
    with pytest.raises(TypeError, match="plain or have defaults"):
        record(type("Hashed", (), {"__annotations__": {"a": "int"}, "a": dataclasses.field(default=0, hash=False)}))
    with pytest.raises(TypeError, match="does not inherit"):
        record(type("Child", (made_before,), {"__annotations__": {"b": "int"}}))
    assert made_before(1).a == 1  # and the records made before are not harmed


def test_fields_named_as_the_initialisers_own_names_keep_their_values() -> None:
    """A field may be called self, values or MISSING: the initialisers'
    code names nothing a field can be called."""
    frozen = record(frozen=True)(type("Frozen", (), {"__annotations__": {"self": "int", "values": "tuple", "MISSING": "list"},
                                                     "MISSING": dataclasses.field(default_factory=list)}))
    changeable = record(type("Changeable", (), {"__annotations__": {"self": "int", "values": "tuple", "MISSING": "list"},
                                                "MISSING": dataclasses.field(default_factory=list)}))
    for cls in (frozen, changeable):
        made = cls(1, (2, 3), [4])
        assert (made.self, made.values, made.MISSING) == (1, (2, 3), [4])
        assert cls(self=5, values=()).MISSING == []


def test_a_record_made_while_others_are_being_finished_is_finished_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread makes a record class just as the unfinished records
    have been given their __init__ and before their list is emptied: the
    lock makes it wait, so its class is finished with the next record made
    (without the lock its class was dropped, and its first record recursed
    without end)."""
    give = records._give_initialisers
    late: list[type] = []
    threads: list[threading.Thread] = []

    def give_then_make_one_meanwhile(classes) -> None:
        give(classes)
        if not threads:
            threads.append(threading.Thread(target=lambda: late.append(
                record(frozen=True)(type("Late", (), {"__annotations__": {"a": "int"}})))))
            threads[0].start()
            threads[0].join(0.2)  # long enough to add its class, were nothing in its way

    monkeypatch.setattr(records, "_give_initialisers", give_then_make_one_meanwhile)
    first = record(frozen=True)(type("First", (), {"__annotations__": {"a": "int"}}))
    assert first(1).a == 1
    threads[0].join()
    assert late[0](2).a == 2


def test_the_initialisers_code_is_kept_and_read_back_without_compiling(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The initialisers of a batch of records compile once: the next run
    reads their code from the user's cache folder (any other text, another
    name, or an entry that is not code, compiles again), and what it reads
    makes records as the compiled code does."""
    import builtins

    from rubricdsl import user_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = "def made(a, b=2):\n    return (a, b)\n"
    fresh = user_cache.compiled_code("records", source, "<test initialisers>")
    (entry,) = (tmp_path / "rubricdsl").glob("records-*")
    compiled = []
    real_compile = builtins.compile
    monkeypatch.setattr(builtins, "compile", lambda *arguments, **options: compiled.append(arguments[1]) or real_compile(*arguments, **options))
    kept = user_cache.compiled_code("records", source, "<test initialisers>")
    assert compiled == [] and kept == fresh
    names: dict = {}
    exec(kept, names)
    assert names["made"](1) == (1, 2)
    user_cache.compiled_code("records", source + "\n", "<test initialisers>")
    user_cache.compiled_code("records", source, "<other initialisers>")
    assert compiled == ["<test initialisers>", "<other initialisers>"]
    user_cache.write_entry(tmp_path / "rubricdsl", entry.name, b"not marshal")
    assert user_cache.compiled_code("records", source, "<test initialisers>") == fresh
    assert compiled[-1] == "<test initialisers>"


def test_records_made_in_a_fresh_process_from_kept_code_are_the_same(tmp_path) -> None:
    """Two runs of a command, the second reading the kept initialisers:
    every record class of the package takes the same fields in the same
    order, with the same defaults."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from test_records import record_classes\n"
        "import inspect\n"
        "for cls in sorted(record_classes(), key=lambda c: c.__module__ + c.__qualname__):\n"
        "    print(cls.__qualname__, inspect.signature(cls.__init__))  # a default_factory's stand-in shows its address\n"
    )
    environment = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, cwd=rubricdsl.__path__[0] + "/..")
            for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    shown = [re.sub(r" at 0x[0-9a-f]+", "", run.stdout) for run in runs]
    assert shown[0] == shown[1] and shown[0].count("\n") > 40
    assert list((tmp_path / "rubricdsl").glob("records-*"))


def test_a_records_fields_are_those_dataclass_would_make() -> None:
    """The fields a record is given without dataclasses' processing say what
    @dataclass(init=False, repr=False, eq=False) says of the same class, and
    the class holds the same defaults; a ClassVar, an InitVar and a mutable
    default are refused as a record's fields."""

    def namespace() -> dict:
        return {
            "__annotations__": {"a": "int", "b": "str", "c": "list[str]", "d": "Span", "e": "dict"},
            "b": "x",
            "c": dataclasses.field(default_factory=list),
            "d": dataclasses.field(default=None, compare=False, repr=False),
            "e": dataclasses.field(default_factory=dict, metadata={"why": "a test"}),
        }

    made = record(frozen=True)(type("Made", (), namespace()))
    expected = dataclasses.dataclass(init=False, repr=False, eq=False)(type("Made", (), namespace()))
    attributes = ("name", "type", "default", "default_factory", "init", "repr", "hash", "compare", "metadata", "kw_only", "_field_type")
    assert [[getattr(f, a) for a in attributes] for f in dataclasses.fields(made)] == [
        [getattr(f, a) for a in attributes] for f in dataclasses.fields(expected)
    ]
    for name in "abcde":
        assert getattr(made, name, "absent") == getattr(expected, name, "absent"), name
    assert made.__match_args__ == expected.__match_args__ == ("a", "b", "c", "d", "e")
    assert made.__dataclass_params__.frozen is expected.__dataclass_params__.frozen is False
    assert dataclasses.asdict(made(1)) == {"a": 1, "b": "x", "c": [], "d": None, "e": {}}
    for refused in ("ClassVar[int]", "InitVar[int]"):
        with pytest.raises(TypeError, match="plain or have defaults"):
            record(type("Refused", (), {"__annotations__": {"a": refused}}))
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Refused", (), {"__annotations__": {"a": "list"}, "a": []}))
