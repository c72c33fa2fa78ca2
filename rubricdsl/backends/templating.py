"""The one Jinja environment every generated file is written through.

StrictUndefined makes a missing value an error, not an empty string; HTML
templates are autoescaped, the others are not (Python and JSON values are
embedded through `pyrepr` and `tojson`, never as raw text).
"""

from __future__ import annotations

import marshal
import types
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Iterator

import jinja2
import jinja2.bccache

from .. import __version__
from ..user_cache import keyed_entry, python_build, read_marshalled, user_cache_folder, write_entry
from . import markdown, text


def _pyrepr(value) -> str:
    """A Python literal for a str, number, bool, None, list or dict."""
    if isinstance(value, Decimal):
        return repr(str(value))
    return repr(value)


class _TemplateCache(jinja2.BytecodeCache):
    """Compiled templates, each an entry of this user's cache folder
    (user_cache.py): checked whole before it is loaded, read at once and
    unmarshalled from bytes.  Jinja's own file cache reads each with
    marshal.load, a field at a time from the file (4.6 ms of a build's 19
    templates), after a pickle of its checksum.  An entry that cannot be
    written (a full disk, a read-only folder) costs time, not the build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Each environment's _settings, by the environment and the number of
        # its filters and tests: found at its first template, and again if
        # those change in number (finding them takes 70 µs).  The
        # environment is held with them, so its id is never another's.
        self._settings: dict[tuple[int, int, int], tuple[jinja2.Environment, str]] = {}

    def _settings_of(self, environment: jinja2.Environment) -> str:
        known = (id(environment), len(environment.filters), len(environment.tests))
        if known not in self._settings:
            self._settings[known] = (environment, _settings(environment))
        return self._settings[known][1]

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> jinja2.bccache.Bucket:
        # As Jinja's, with what else the code depends on kept in the bucket.
        escapes = environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape
        compiling = f"{self._settings_of(environment)}|escapes={bool(escapes)}".encode("utf-8")
        bucket = _Bucket(environment, self.get_cache_key(name, filename), self.get_source_checksum(source), compiling)
        self.load_bytecode(bucket)
        return bucket

    def _entry(self, bucket: _Bucket) -> str:
        """The entry's name: a key over what makes the code.  Jinja's key
        names the template and its checksum the text; the code depends too
        on Jinja (its release and the bytecode format its own cache is
        marked with), on Python, and on how the environment compiles it."""
        return keyed_entry("template", python_build(), _JINJA, bucket.compiling, bucket.key.encode("utf-8"), bucket.checksum.encode("utf-8"))

    def load_bytecode(self, bucket: _Bucket) -> None:
        code = read_marshalled(self.folder, self._entry(bucket))
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: _Bucket) -> None:
        write_entry(self.folder, self._entry(bucket), marshal.dumps(bucket.code), keep=TEMPLATES_KEPT)


class _Bucket(jinja2.bccache.Bucket):
    """Jinja's bucket, and how its environment compiles the template."""

    def __init__(self, environment: jinja2.Environment, key: str, checksum: str, compiling: bytes) -> None:
        super().__init__(environment, key, checksum)
        self.compiling = compiling


_JINJA = jinja2.__version__.encode("ascii") + b"\0" + jinja2.bccache.bc_magic
# The environment's settings that the code a template compiles to depends on.
_COMPILING_OPTIONS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string", "comment_start_string",
    "comment_end_string", "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
    "newline_sequence", "keep_trailing_newline", "optimized", "is_async", "sandboxed",
)


def _settings(environment: jinja2.Environment) -> str:
    """What the code of the environment's templates depends on besides
    whether each escapes: the settings above, its extensions, whether it
    finalizes, and which filters and tests take the context, the
    environment or the evaluation context (Jinja decides each call's
    arguments as it compiles)."""
    finalize = environment.finalize
    passed = [(kind, key, repr(getattr(function, "jinja_pass_arg", None)))
              for kind, functions in (("filter", environment.filters), ("test", environment.tests)) for key, function in functions.items()]
    return repr((
        [getattr(environment, option) for option in _COMPILING_OPTIONS], sorted(environment.extensions),
        None if finalize is None else repr(getattr(finalize, "jinja_pass_arg", None)), sorted(passed),
    ))


# Compiled templates kept: a build uses 19 and the reports 3 more, so two
# revisions of rubricdsl in use side by side each keep all of theirs.
TEMPLATES_KEPT = 128


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept in this user's cache folder: compiling the
    scorer's template costs more than rendering it.  Without a safe folder,
    templates are compiled every time."""
    folder = user_cache_folder()
    return None if folder is None else _TemplateCache(folder)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("rubricdsl.backends", "templates"),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's files: looked up without a stat of
        # the file each time (a 300x workbook renders thousands of blocks).
        auto_reload=False,
    )
    environment.filters["pyrepr"] = _pyrepr
    environment.filters["md"] = markdown.inline
    environment.filters["md_table"] = markdown.table
    environment.filters["md_comment"] = markdown.comment
    environment.filters["num"] = text.number
    environment.filters["one_line"] = text.one_line
    environment.filters["indented"] = text.indented
    environment.globals["columns"] = text.columns
    environment.globals["compiler_version"] = __version__
    return environment


ENVIRONMENT = _environment()


def render(template_name: str, **context) -> str:
    return ENVIRONMENT.get_template(template_name).render(**context)


def render_utf8(template_name: str, **context) -> bytes:
    """The same text as UTF-8: never also held whole as str, which takes up
    to four times the memory of UTF-8 (a 300x rubric's scorer is 40 MB)."""
    return b"".join(render_blocks(template_name, **context))


def render_blocks(template_name: str, **context) -> Iterator[bytes]:
    """The text as UTF-8, a block at a time as it is generated.  The pieces
    are taken and joined a block at a time by islice and str.join, not one
    by one in Python: a workbook's sheet is tens of thousands of them.  512
    at a time: a piece can be a section's JSON (17 KB), and a build writes
    each block as it comes, so a block is all of a file that is held."""
    pieces = ENVIRONMENT.get_template(template_name).generate(**context)
    while block := list(islice(pieces, 512)):
        yield "".join(block).encode("utf-8")
