"""The compiler front end in one call: text -> parse -> model -> checks.

Backends and the CLI start here.  A `Compilation` holds everything that was
found, diagnostics sorted by place, and the model only when it could be built.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import checks
from .diagnostics import Diagnostic, Omitted, Severity, sort_key
from .model import Rubric
from .parser import Comment, parse, parse_bytes
from .records import record


@record(frozen=True)
class Compilation:
    path: str
    source: str
    rubric: Rubric | None
    diagnostics: tuple[Diagnostic, ...]
    comments: tuple[Comment, ...]
    # Diagnostics counted but not listed, after the first few of a kind in
    # one place: summaries, not diagnostics.
    omitted: tuple[Omitted, ...] = ()

    @functools.cached_property
    def sha256(self) -> str:
        """SHA-256 of the source file's bytes (UTF-8; generated files name it)."""
        import hashlib  # not needed by `check`

        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when the rubric was built and has no errors."""
        return self.rubric is not None and not self.errors


def _finish(parsed) -> Compilation:
    diagnostics = list(parsed.diagnostics)
    omitted = list(parsed.omitted)
    if parsed.rubric is not None:
        found, more = checks.check(parsed.rubric, parsed.path)
        diagnostics += found
        omitted += more
    return Compilation(
        path=parsed.path,
        source=parsed.source,
        rubric=parsed.rubric,
        diagnostics=tuple(sorted(diagnostics, key=sort_key)),
        comments=parsed.comments,
        omitted=tuple(sorted(omitted, key=lambda summary: (summary.span, summary.code))),
    )


def compile_source(source: str, path: str = "<string>") -> Compilation:
    return _finish(parse(source, path))


def compile_bytes(data: bytes, path: str = "<bytes>") -> Compilation:
    """Compile file contents; bytes that are not UTF-8 give diagnostic E104."""
    return _finish(parse_bytes(data, path))


def compile_file(path: str | Path) -> Compilation:
    """Compile a file; OSError (missing, unreadable) is the caller's to report."""
    return compile_bytes(Path(path).read_bytes(), str(path))
