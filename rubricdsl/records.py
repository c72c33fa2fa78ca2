"""Record classes: dataclasses whose methods are compiled together.

@dataclass writes each method of a class as source text and compiles it on
its own, as the class is made: for rubricdsl's classes, hundreds of
compilations and 40% of what every command spends importing rubricdsl.  A
record is made a dataclass of fields only (nothing compiled) and given a
stand-in __init__; its methods, written as @dataclass writes them
(__init__, __repr__, __eq__, __hash__ for a frozen record, the orderings,
a frozen record's __setattr__ and __delattr__), are compiled for every
record not yet finished in one compilation, the first time any of them is
made.  The classes stay dataclasses: `dataclasses.fields`, `replace` and
`asdict` work on them.

What is supported is what rubricdsl uses: fields with a default or a
default_factory, compare=False and repr=False; no __post_init__, InitVar,
init=False or kw_only fields (refused when the class is made).
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import MISSING, FrozenInstanceError

_fields_only = dataclasses.dataclass(init=False, repr=False, eq=False)


class _Unfinished:
    """The records made and not yet given their methods.  Classes are
    process-wide, as the import system that makes them is: so is this list,
    and a lock lets the first records of two threads finish it once."""

    def __init__(self) -> None:
        self.classes: list[tuple[type, bool, bool]] = []  # (class, frozen, order)
        self.lock = threading.Lock()

    def add(self, cls: type, frozen: bool, order: bool) -> None:
        with self.lock:
            self.classes.append((cls, frozen, order))

    def finish(self) -> None:
        with self.lock:
            if self.classes:
                _give_methods(self.classes)
                self.classes = []


_UNFINISHED = _Unfinished()


def finish() -> None:
    """Give every record made so far its methods now (as its first instance
    would): for code that inspects a class before making one."""
    _UNFINISHED.finish()


def record(cls: type | None = None, *, frozen: bool = False, order: bool = False):
    """@record, @record(frozen=True), @record(frozen=True, order=True): as
    @dataclass with the same arguments."""

    def make(cls: type) -> type:
        if cls.__doc__ is None:
            cls.__doc__ = cls.__name__  # else @dataclass would build a signature to write one
        cls = _fields_only(cls)
        for found in dataclasses.fields(cls):
            if not found.init or found.kw_only or isinstance(found.type, dataclasses.InitVar):
                raise TypeError(f"{cls.__qualname__}.{found.name}: a record's fields are plain or have defaults")
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__qualname__}: a record has no __post_init__")

        def stand_in(self, *args, **kwargs):
            _UNFINISHED.finish()
            cls.__init__(self, *args, **kwargs)

        stand_in.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = stand_in
        _UNFINISHED.add(cls, frozen, order)
        return cls

    return make if cls is None else make(cls)


def _give_methods(classes: list[tuple[type, bool, bool]]) -> None:
    """Every method of these records, written and compiled at once."""
    lines: list[str] = []
    names: dict[str, object] = {"MISSING": MISSING, "FrozenInstanceError": FrozenInstanceError}
    made: list[tuple[type, str, list[str]]] = []
    for number, (cls, frozen, order) in enumerate(classes):
        prefix = f"_r{number}_"
        fields = dataclasses.fields(cls)
        parameters, body = ["self"], ["    values = self.__dict__"] if frozen else []
        for place, found in enumerate(fields):
            if found.default is not MISSING:
                names[f"{prefix}default_{place}"] = found.default
                parameters.append(f"{found.name}={prefix}default_{place}")
            elif found.default_factory is not MISSING:
                names[f"{prefix}factory_{place}"] = found.default_factory
                parameters.append(f"{found.name}=MISSING")
                body.append(f"    if {found.name} is MISSING: {found.name} = {prefix}factory_{place}()")
            else:
                parameters.append(found.name)
            body.append(f"    values[{found.name!r}] = {found.name}" if frozen else f"    self.{found.name} = {found.name}")
        lines.append(f"def {prefix}__init__({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]))
        methods = ["__init__", "__repr__", "__eq__"]

        shown = ", ".join(f"{found.name}={{self.{found.name}!r}}" for found in fields if found.repr)
        lines.append(f"def {prefix}__repr__(self):\n    return f'{{self.__class__.__qualname__}}({shown})'")
        compared = "".join(f"self.{found.name}," for found in fields if found.compare)
        other = compared.replace("self.", "other.")
        lines.append(
            f"def {prefix}__eq__(self, other):\n"
            f"    if other.__class__ is self.__class__:\n        return ({compared}) == ({other})\n"
            "    return NotImplemented"
        )
        if order:
            for method, operator in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
                lines.append(
                    f"def {prefix}{method}(self, other):\n"
                    f"    if other.__class__ is self.__class__:\n        return ({compared}) {operator} ({other})\n"
                    "    return NotImplemented"
                )
                methods.append(method)
        if frozen:
            lines.append(f"def {prefix}__hash__(self):\n    return hash(({compared}))")
            lines.append(
                f"def {prefix}__setattr__(self, name, value):\n"
                "    raise FrozenInstanceError(f'cannot assign to field {name!r}')"
            )
            lines.append(
                f"def {prefix}__delattr__(self, name):\n"
                "    raise FrozenInstanceError(f'cannot delete field {name!r}')"
            )
            methods += ["__hash__", "__setattr__", "__delattr__"]
        made.append((cls, prefix, methods))
    exec(compile("\n".join(lines), f"<{__name__} methods>", "exec"), names)  # noqa: S102
    for cls, prefix, methods in made:
        for method in methods:
            function = names[prefix + method]
            function.__name__, function.__qualname__, function.__module__ = method, f"{cls.__qualname__}.{method}", cls.__module__
            setattr(cls, method, function)
        if "__hash__" not in methods:
            cls.__hash__ = None  # equal by value and changeable: unhashable, as a dataclass is
