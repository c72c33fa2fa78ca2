"""Record classes: dataclasses made without compiling a method each.

@dataclass writes each method of a class as source text and compiles it on
its own, as the class is made: for rubricdsl's classes, hundreds of
compilations and most of what every command spent importing rubricdsl.  A
record is made a dataclass of fields only (nothing compiled).  Its
comparisons, hash and repr are shared functions reading the fields that
count through one operator.attrgetter, and a frozen record's __setattr__
and __delattr__ refuse; they behave as @dataclass's.  Only __init__, which
is made often and must be fast, is written as @dataclass writes it, and
compiled for every record not yet given one in one compilation, the first
time any of them is made.  The classes stay dataclasses:
`dataclasses.fields`, `replace` and `asdict` work on them.

What is supported is what rubricdsl uses: fields with a default or a
default_factory, compare=False and repr=False; no __post_init__, InitVar,
init=False or kw_only fields (refused when the class is made).
"""

from __future__ import annotations

import dataclasses
import operator
import threading
from dataclasses import MISSING, FrozenInstanceError

_fields_only = dataclasses.dataclass(init=False, repr=False, eq=False)


class _Unfinished:
    """The records made and not yet given their __init__.  Classes are
    process-wide, as the import system that makes them is: so is this list,
    and a lock lets the first records of two threads finish it once."""

    def __init__(self) -> None:
        self.classes: list[tuple[type, bool]] = []  # (class, frozen)
        self.lock = threading.Lock()

    def add(self, cls: type, frozen: bool) -> None:
        with self.lock:
            self.classes.append((cls, frozen))

    def finish(self) -> None:
        with self.lock:
            if self.classes:
                _give_initialisers(self.classes)
                self.classes = []


_UNFINISHED = _Unfinished()


def finish() -> None:
    """Give every record made so far its __init__ now (as its first instance
    would): for code that inspects a class before making one."""
    _UNFINISHED.finish()


def record(cls: type | None = None, *, frozen: bool = False, order: bool = False):
    """@record, @record(frozen=True), @record(frozen=True, order=True): as
    @dataclass with the same arguments."""

    def make(cls: type) -> type:
        if cls.__doc__ is None:
            cls.__doc__ = cls.__name__  # else @dataclass would build a signature to write one
        cls = _fields_only(cls)
        fields = dataclasses.fields(cls)
        for found in fields:
            if not found.init or found.kw_only or isinstance(found.type, dataclasses.InitVar):
                raise TypeError(f"{cls.__qualname__}.{found.name}: a record's fields are plain or have defaults")
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__qualname__}: a record has no __post_init__")
        _give_comparisons(cls, tuple(found.name for found in fields if found.compare), frozen, order)
        shown = tuple(found.name for found in fields if found.repr)
        cls.__repr__ = lambda self: f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"
        if frozen:
            cls.__setattr__, cls.__delattr__ = _refuse_to_assign, _refuse_to_delete

        def stand_in(self, *args, **kwargs):
            _UNFINISHED.finish()
            cls.__init__(self, *args, **kwargs)

        stand_in.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = stand_in
        _UNFINISHED.add(cls, frozen)
        return cls

    return make if cls is None else make(cls)


def _give_comparisons(cls: type, compared: tuple[str, ...], frozen: bool, order: bool) -> None:
    """__eq__ (and __hash__ when frozen; the orderings when ordered) over
    the tuple of the fields that count, as @dataclass compares."""
    if len(compared) > 1:
        values = operator.attrgetter(*compared)  # a tuple of them, in C
    elif compared:
        name = compared[0]

        def values(self):
            return (getattr(self, name),)
    else:

        def values(self):
            return ()

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    cls.__eq__ = __eq__
    cls.__hash__ = (lambda self: hash(values(self))) if frozen else None  # changeable: unhashable, as a dataclass is
    if order:
        for method in (operator.lt, operator.le, operator.gt, operator.ge):
            setattr(cls, f"__{method.__name__}__", _ordering(values, method))


def _ordering(values, method):
    def compare(self, other):
        if other.__class__ is self.__class__:
            return method(values(self), values(other))
        return NotImplemented

    return compare


def _refuse_to_assign(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_to_delete(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _give_initialisers(classes: list[tuple[type, bool]]) -> None:
    """An __init__ for each record, as @dataclass writes it, compiled in one
    go; a frozen record's fills the instance's __dict__ directly (no
    __setattr__ to bypass)."""
    lines: list[str] = []
    names: dict[str, object] = {"MISSING": MISSING}
    for number, (cls, frozen) in enumerate(classes):
        prefix = f"_r{number}_"
        parameters, body = ["self"], ["    values = self.__dict__"] if frozen else []
        for place, found in enumerate(dataclasses.fields(cls)):
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
        lines.append(f"def {prefix}init({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]))
    exec(compile("\n".join(lines), f"<{__name__} initialisers>", "exec"), names)  # noqa: S102
    for number, (cls, _) in enumerate(classes):
        initialiser = names[f"_r{number}_init"]
        initialiser.__name__, initialiser.__qualname__, initialiser.__module__ = "__init__", f"{cls.__qualname__}.__init__", cls.__module__
        cls.__init__ = initialiser
