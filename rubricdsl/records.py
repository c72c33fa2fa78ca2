"""Record classes: dataclasses made without compiling a method each.

@dataclass writes each method of a class as source text and compiles it on
its own, as the class is made: for rubricdsl's classes, hundreds of
compilations and most of what every command spent importing rubricdsl.  A
record is given a dataclass's fields, set without dataclasses' own
processing of the class (_give_fields; nothing compiled).  Its
comparisons, hash and repr are shared functions reading the fields that
count through one operator.attrgetter, and a frozen record's __setattr__
and __delattr__ refuse; they compare, hash and show a record as
@dataclass's would.  Only __init__, which is made often and must be fast,
is written as @dataclass writes it, and compiled for every record not yet
given one in one compilation, the first time any of them is made (the code
kept in the user's cache folder, user_cache.compiled_code, for the next
run).  The
classes stay dataclasses: `dataclasses.fields`, `replace` and `asdict` work
on them.

What is supported is what rubricdsl uses, and the rest is refused when the
class is made: fields with a default or a default_factory (none without one
after one with one), compare=False and repr=False; no field(hash=...),
__post_init__, ClassVar, InitVar, init=False or kw_only fields; no method of those a
record is given written in its class; no record or dataclass as a base.
Unlike a dataclass: __dataclass_params__ says eq and frozen are False; the
class's signature is (*args, **kwargs) until its first instance is made (or
`finish()` runs); a repr has no guard against a record that holds itself.
"""

from __future__ import annotations

import dataclasses
import operator
import threading
from dataclasses import MISSING, FrozenInstanceError

# What @dataclass(init=False, repr=False, eq=False) says of a class, taken
# once from one it made: a record's class says the same.
# (A class with a __doc__: for one without, @dataclass makes its signature.)
_MADE = dataclasses.dataclass(init=False, repr=False, eq=False)(type("_Fields", (), {"__doc__": "_Fields"}))
_PARAMETERS = _MADE.__dataclass_params__
# What else this Python's @dataclass gives every such class (3.13: __replace__).
_ALSO_GIVEN = {
    name: value for name, value in vars(_MADE).items()
    if name not in ("__dataclass_fields__", "__dataclass_params__", "__match_args__", "__module__", "__dict__", "__weakref__", "__doc__")
}
_NOT_FIELDS = ("ClassVar", "typing.ClassVar", "InitVar", "dataclasses.InitVar")


def _give_fields(cls: type) -> None:
    """The class made a dataclass of its annotated fields, as
    @dataclass(init=False, repr=False, eq=False) makes it, without
    dataclasses' own processing, which looks up the text of every
    annotation for a ClassVar or an InitVar (a record has neither): a
    record took 44 microseconds to make with it, 29 without."""
    fields = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if text.startswith(_NOT_FIELDS) or annotation is dataclasses.InitVar or isinstance(annotation, dataclasses.InitVar):
            raise TypeError(f"{cls.__qualname__}.{name}: a record's fields are plain or have defaults")
        given = cls.__dict__.get(name, MISSING)
        found = given if isinstance(given, dataclasses.Field) else dataclasses.field(default=given)
        if found.default is not MISSING and type(found.default).__hash__ is None:
            raise ValueError(f"mutable default {type(found.default)} for field {name} is not allowed: use default_factory")
        found.name, found.type, found._field_type = name, annotation, dataclasses._FIELD
        if found.kw_only is MISSING:
            found.kw_only = False
        if isinstance(given, dataclasses.Field):  # the class holds the default, or nothing
            if found.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, found.default)
        fields[name] = found
    cls.__dataclass_fields__ = fields
    cls.__dataclass_params__ = _PARAMETERS
    for name, value in _ALSO_GIVEN.items():
        if name not in cls.__dict__:
            setattr(cls, name, value)
    if "__match_args__" not in cls.__dict__:
        cls.__match_args__ = tuple(fields)


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
        refused = _refused(cls)
        if refused:
            raise TypeError(f"{cls.__qualname__}: {refused}")
        if cls.__doc__ is None:
            cls.__doc__ = cls.__name__  # else @dataclass would build a signature to write one
        _give_fields(cls)
        fields = dataclasses.fields(cls)
        defaulted = None
        for found in fields:
            if not found.init or found.kw_only or isinstance(found.type, dataclasses.InitVar) or found.hash is not None:
                raise TypeError(f"{cls.__qualname__}.{found.name}: a record's fields are plain or have defaults")
            if found.name.startswith(_GENERATED):
                raise TypeError(f"{cls.__qualname__}.{found.name}: a record's field is not named {_GENERATED}...")
            if found.default is not MISSING or found.default_factory is not MISSING:
                defaulted = found.name
            elif defaulted is not None:
                raise TypeError(f"{cls.__qualname__}.{found.name}: a field without a default follows {defaulted}, which has one")
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


# What a record is given, which its class must not write itself.
_GIVEN = ("__init__", "__repr__", "__eq__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__", "__setattr__", "__delattr__")
# The names the initialisers' code uses besides the fields: no field's.
_GENERATED = "__record_"


def _refused(cls: type) -> str | None:
    """Why a class cannot be a record, or None."""
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        return "a record does not inherit from a record or a dataclass"
    written = [name for name in _GIVEN if name in vars(cls)]
    if written:
        return f"a record is given {', '.join(written)}: its class does not write them"
    if hasattr(cls, "__post_init__"):
        return "a record has no __post_init__"
    return None


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
    __setattr__ to bypass).  Every name the code uses but the fields starts
    with _GENERATED, which no field's does."""
    lines: list[str] = []
    names: dict[str, object] = {f"{_GENERATED}missing__": MISSING}
    for number, (cls, frozen) in enumerate(classes):
        parameters = [f"{_GENERATED}self__"]
        body = [f"    {_GENERATED}values__ = {_GENERATED}self__.__dict__"] if frozen else []
        for place, found in enumerate(dataclasses.fields(cls)):
            if found.default is not MISSING:
                default = f"{_GENERATED}default_{number}_{place}__"
                names[default] = found.default
                parameters.append(f"{found.name}={default}")
            elif found.default_factory is not MISSING:
                factory = f"{_GENERATED}factory_{number}_{place}__"
                names[factory] = found.default_factory
                parameters.append(f"{found.name}={_GENERATED}missing__")
                body.append(f"    if {found.name} is {_GENERATED}missing__: {found.name} = {factory}()")
            else:
                parameters.append(found.name)
            body.append(f"    {_GENERATED}values__[{found.name!r}] = {found.name}" if frozen else f"    {_GENERATED}self__.{found.name} = {found.name}")
        lines.append(f"def {_GENERATED}init_{number}__({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]))
    # Compiling them is most of a command's first record (3 ms for a
    # build's 41 classes): the code is kept in the user's cache folder.
    from .user_cache import compiled_code

    exec(compiled_code("records", "\n".join(lines), f"<{__name__} initialisers>"), names)  # noqa: S102
    for number, (cls, _) in enumerate(classes):
        initialiser = names[f"{_GENERATED}init_{number}__"]
        initialiser.__name__, initialiser.__qualname__, initialiser.__module__ = "__init__", f"{cls.__qualname__}.__init__", cls.__module__
        cls.__init__ = initialiser
