"""The generated scorer as a module in memory, made fast and kept exact.

A generated scorer.py is the rubric's part (constants, tables, one function
per item) followed by rubricdsl/scorer_runtime.py inlined verbatim.  In
memory, the rubric's part is compiled from that very text, and the runtime
runs as the code the import system loads for scorer_runtime.py (the .pyc of
the user's install), which is the inlined text's code: the one difference
in the text, its placeholder block, assigns nothing after a rubric's part.

The compiled rubric's part is kept in the user's cache folder
(user_cache.py) as `scorer-<key>`, so that the next run on the same rubric
neither renders nor compiles it.  The key is a SHA-256 over everything that
makes the code: either the rendered text itself (when the caller has it),
or, so as not to render at all, what the text is rendered from (the
rubric's model, its text's SHA-256, the name it is scored under, every file
of this package, Jinja's version); and always the Python that compiled it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import linecache
import marshal
import os
import re
import types
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .user_cache import keyed_entry, python_build, read_marshalled, user_cache_folder, write_entry

if TYPE_CHECKING:
    from .frontend import Compilation


def filename(rubric_id: str, source_path: str) -> str:
    """The name the rubric's part is compiled under (tracebacks show it)."""
    return f"<rubricdsl scorer of {rubric_id} from {source_path}>"


def rubric_part(source: str, name: str) -> str:
    """The part of a generated scorer's source before its inlined runtime,
    which must be this rubricdsl's runtime, verbatim; ValueError if not."""
    return source[: rubric_part_end(source, name)]


def rubric_part_end(source: str | bytes, name: str) -> int:
    """Where the rubric's part of a generated scorer's source (its text,
    or its UTF-8 bytes) ends (see rubric_part), found without copying it."""
    from .backends.scorer import RUNTIME_MARKER, runtime_text

    marker_line, inlined = RUNTIME_MARKER + "\n", runtime_text()
    if isinstance(source, bytes):
        marker_line, inlined = marker_line.encode("utf-8"), inlined.encode("utf-8")
    marker = source.find(marker_line)
    if marker < 0 or len(source) - marker - len(marker_line) != len(inlined) or not source.endswith(inlined):
        raise ValueError(f"{name}: not a scorer of this rubricdsl (its runtime differs)")
    return marker


def scorer_module(source: str, rubric_id: str, source_path: str) -> types.ModuleType:
    """Run a generated scorer's source as a module: its rubric's part
    compiled (or found compiled in the user's cache folder, keyed by that
    very text), then the runtime it inlines as rubricdsl/scorer_runtime.py's
    own code.  ValueError if the source inlines another runtime."""
    name = filename(rubric_id, source_path)
    part = rubric_part(source, name)
    part, code = compiled(source_key(part, name), name, lambda: part, holding=part)
    return module(part, code, rubric_id, name)


def scorer_module_for_blank_findings(source: bytes, rubric_id: str, source_path: str) -> types.ModuleType:
    """The scorer module as scorer_module makes it from a generated
    scorer's UTF-8 text, but each item's scoring function compiled only
    when it is first called.  A build scores only blank findings (the
    workbook's cached values), for which no item is assessed and no item's
    function runs: compiling them all was most of a large rubric's build (a
    100x rubric's 14 MB scorer: 2.5 s and 550 MB).  What is compiled at
    once, the constants and tables, holds a blank line for every line of
    those functions, so that lines keep their numbers.  The functions are
    cut from `source` when called, and its lines given to linecache then:
    nothing of its size is copied before."""
    name = filename(rubric_id, source_path)
    part_end = rubric_part_end(source, name)
    tables, functions = [], []
    end = lines = 0  # where the last function ended, and the lines before it
    for function, start, block_end in _item_functions(source, part_end):
        lines += source.count(b"\n", end, start)
        block_lines = source.count(b"\n", start, block_end)
        functions.append((function, start, block_end, lines))
        tables += (source[end:start], b"\n" * block_lines)
        lines += block_lines
        end = block_end
    tables.append(source[end:part_end])
    text = b"".join(tables).decode("utf-8")
    _, code = compiled(source_key(text, name), name, lambda: text, holding=text)

    lines_given = False  # to linecache, for the tracebacks of what runs from now on

    def compile_item(start: int, end: int, lines_before: int) -> types.CodeType:
        nonlocal lines_given
        if not lines_given:  # this scorer's own, whatever another scorer of the name gave before
            _register_lines(source[:part_end].decode("utf-8"), name)
            lines_given = True
        return _shifted(compile(source[start:end], name, "exec", dont_inherit=True), lines_before)

    def give_stand_ins(namespace: dict) -> None:
        for function, start, block_end, lines_before in functions:
            namespace[function] = _compiled_when_called(function, partial(compile_item, start, block_end, lines_before), namespace)

    return module(text, code, rubric_id, name, before=give_stand_ins, register_lines=False)


def blank_result(source: bytes, rubric_id: str, source_path: str, findings: dict) -> dict:
    """What the generated scorer (`source`, its UTF-8 text) gives for the
    blank `findings`, scored partial: the workbook's cached values.  Kept in
    the user's cache folder as `result-<key>`, plain values marshalled
    (never code), the key a SHA-256 over the scorer's whole text, the
    findings and the Python, and over the code that scores in memory and
    is not that text: scorer_runtime.py whole (the text inlines it without
    its placeholder block) and this module.  A build of a rubric built
    before runs no scorer (at 1x 5-7 ms, at 100x 0.3 s).  A result holding
    a value marshal does not keep as it is (a Decimal) is scored every time."""
    name = filename(rubric_id, source_path)
    folder = user_cache_folder()
    entry = None
    if folder is not None:
        entry = keyed_entry("result", b"rubricdsl blank result/1", python_build(), name.encode("utf-8", "surrogatepass"),
                            json.dumps(findings, ensure_ascii=False).encode("utf-8"), source, _scoring_code_digest())
        kept = read_marshalled(folder, entry)
        # Of this rubric's revision, as a result says: not another entry's content.
        if isinstance(kept, dict) and isinstance(kept.get("rubric"), dict) and all(
            kept["rubric"].get(field) == findings["rubric"][field] for field in ("id", "version", "content_hash")
        ):
            return kept
    result = scorer_module_for_blank_findings(source, rubric_id, source_path).score(findings, partial=True)
    if entry is not None:
        try:
            write_entry(folder, entry, marshal.dumps(result))
        except ValueError:  # unmarshallable: a Decimal, or an object of a class of its own
            pass
    return result


@lru_cache(maxsize=1)
def _scoring_code_digest() -> bytes:
    """SHA-256 of the code that scores in memory besides a scorer's text,
    read once a process: scorer_runtime.py whole and this module."""
    from .backends.scorer import runtime_path

    digest = hashlib.sha256()
    for path in (runtime_path(), Path(__file__)):
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


# A generated scorer's item functions: `def item_...(found):` at the start of
# a line, its body indented up to the next line that starts with anything
# but a blank (scorer.py.j2 writes no text literal over several lines).
_ITEM_FUNCTION = re.compile(rb"def (item_\w+)\(found\):$", re.M)
# Every byte but the blanks of a regular expression's \s as "x".
_NOT_BLANK_AS_X = bytes(byte if byte in b" \t\n\r\f\v" else ord("x") for byte in range(256))


def _item_functions(source: bytes, end: int) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each item function in source[:end], its end
    the start of the next line that starts with anything but a blank.
    Found with bytes.find, which a 100x rubric's 12 MB of functions pass
    through ten times faster than a regular expression tried at every line."""
    position = 0
    while (start := source.find(b"def item_", position, end)) >= 0:
        position = start + 1
        if start and source[start - 1] != ord("\n"):
            continue  # not at the start of a line
        found = _ITEM_FUNCTION.match(source, start, end)
        if found is None:
            continue
        position = found.end()
        # Its body ends at the next "def" at the latest: only up to there are its lines' first bytes looked at.
        following = source.find(b"\ndef ", position, end)
        marks = source[position : end if following < 0 else following + 2].translate(_NOT_BLANK_AS_X)
        top_level = marks.find(b"\nx")
        yield found.group(1).decode("ascii"), start, end if top_level < 0 else position + top_level + 1


def _compiled_when_called(function: str, compile_item: Callable[[], types.CodeType], namespace: dict) -> Callable:
    """A stand-in for an item's scoring function: compiles it on its first
    call, into the scorer's namespace, and calls it."""
    compiled_function = None

    def stand_in(found):
        nonlocal compiled_function
        if compiled_function is None:
            exec(compile_item(), namespace)
            compiled_function = namespace[function]
        return compiled_function(found)

    stand_in.__name__ = stand_in.__qualname__ = function
    return stand_in


def _shifted(code: types.CodeType, lines: int) -> types.CodeType:
    """Code compiled from a block of text, numbered as the lines of the
    whole text (its nested code too, whose line numbers count from their
    own first line)."""
    constants = tuple(_shifted(value, lines) if isinstance(value, types.CodeType) else value for value in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=constants)


def compiled(entry: str | None, name: str, make_part: Callable[[], str], *, holding: str | None = None) -> tuple[str, types.CodeType]:
    """(the rubric's part, its code): from the cache `entry` (source_key,
    inputs_key) when it is whole and of that shape (and holds the text
    `holding`, when given), else made by `make_part`, compiled as
    scorer.py's own text is (no __future__ flags of this module) and kept
    for the next run.  No entry: made and compiled, not kept."""
    folder = user_cache_folder() if entry is not None else None
    kept = _read(folder, entry) if folder is not None else None
    if kept is not None and (holding is None or kept[0] == holding):
        return kept
    part = make_part()
    code = compile(part, name, "exec", dont_inherit=True)
    if folder is not None:
        write_entry(folder, entry, marshal.dumps((part, code)))
    return part, code


def module(part: str, code: types.CodeType, rubric_id: str, name: str, *,
           before: Callable[[dict], None] | None = None, register_lines: bool = True) -> types.ModuleType:
    """The scorer module: the rubric's part run (after `before` fills its
    namespace, if given), then the runtime's code.  The rubric's part is
    registered with linecache (unless the caller does it later), so that a
    traceback from inside it shows the generated lines; the runtime's
    tracebacks and coverage name scorer_runtime.py."""
    from .backends.scorer import runtime_code

    if register_lines:
        _register_lines(part, name)
    scorer = types.ModuleType(f"rubricdsl_scorer_{rubric_id}")
    scorer.__file__ = name
    if before is not None:
        before(scorer.__dict__)
    exec(code, scorer.__dict__)
    exec(runtime_code(), scorer.__dict__)
    return scorer


def _register_lines(part: str, name: str) -> None:
    linecache.cache[name] = (len(part), None, part.splitlines(keepends=True), name)


def python_key() -> bytes:
    """What makes compiled code besides its text: the Python that compiles
    it (its bytecode and marshal format), under this cache's format."""
    return b"rubricdsl scorer code/1\0" + python_build()


def source_key(part: str, name: str) -> str:
    """The entry of a rubric's part by its text."""
    return keyed_entry("scorer", python_key(), name.encode("utf-8", "surrogatepass"), part.encode("utf-8", "surrogatepass"))


def inputs_key(compilation: Compilation, name: str) -> str | None:
    """The entry of a rubric's part by what renders it, without rendering it:
    the rubric's model, the SHA-256 of its text (which the scorer names),
    the name it is scored under, and this package and Jinja.  The model is
    taken whole, not as the text it was parsed from: a caller may hand over
    a model it changed (dataclasses.replace), and the model's equality and
    repr leave out the source lines that the scorer cites."""
    assert compilation.rubric is not None
    model = model_digest(compilation.rubric)
    if model is None:
        return None
    return keyed_entry(
        "scorer", python_key(), b"inputs", model, compilation.sha256.encode("ascii"), name.encode("utf-8", "surrogatepass"), package_digest()
    )


def model_digest(rubric) -> bytes | None:
    """SHA-256 of every field of every node of a model, spans included: its
    pickled bytes, which are only ever written, for this digest (nothing
    anywhere is unpickled).  Models equal in every field but built with
    other sharing of equal nodes hash apart: a cache miss, never a wrong hit."""
    import pickle  # only to write bytes; see above

    try:
        return hashlib.sha256(pickle.dumps(rubric, protocol=5)).digest()
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None  # a model made otherwise than by the front end: no key, no cache


@lru_cache(maxsize=1)
def package_digest() -> bytes:
    """SHA-256 over every file of this package (templates and tables too)
    and Jinja's __init__.py (which holds its version), read once a process:
    any change to any of them makes another scorer."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    files = [(name, package / name) for name in package_files(package)]
    jinja = importlib.util.find_spec("jinja2")
    if jinja is not None and jinja.origin:
        files.append(("jinja2/__init__.py", Path(jinja.origin)))
    for name, path in files:
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode("utf-8", "surrogatepass") + data)
    return digest.digest()


def package_files(package: Path) -> list[str]:
    """The package's files, relative to it, in a fixed order; not the .pyc
    files that Python writes as it imports."""
    found = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        found += sorted(os.path.relpath(os.path.join(folder, name), package) for name in names)
    return found


def _read(folder: Path, entry: str) -> tuple[str, types.CodeType] | None:
    """A kept (rubric's part, its code), or None when the entry is absent,
    not whole (user_cache.read_entry), or not of that shape."""
    kept = read_marshalled(folder, entry)
    if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], str) and isinstance(kept[1], types.CodeType)):
        return None
    return kept
