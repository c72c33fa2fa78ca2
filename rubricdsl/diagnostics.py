"""Diagnostics: source spans, the catalogue of codes, and how they are printed.

Every problem the front end finds is a `Diagnostic` with a code from
`CATALOGUE`, a severity, a span and a plain message.  Nothing here knows about
Lark or the model; the parser and the checks build diagnostics, the CLI renders
them.
"""

from __future__ import annotations

import enum
import unicodedata

from .records import record
from .terminal import printable


@record(frozen=True, order=True)
class Span:
    """A region of source text; lines and columns count from 1, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@record(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str


_CODES = [
    # E1xx: the text does not follow the grammar.
    Code("E101", Severity.ERROR, "syntax error"),
    Code("E102", Severity.ERROR, "unterminated or malformed text"),
    Code("E103", Severity.ERROR, "unknown escape in text"),
    Code("E104", Severity.ERROR, "file is not UTF-8 text"),
    Code("E105", Severity.ERROR, "number too long"),
    Code("E106", Severity.ERROR, "a JSON file where a rubric is expected"),
    # E2xx: names, keys and references.
    Code("E201", Severity.ERROR, "duplicate key"),
    Code("E202", Severity.ERROR, "unknown measure"),
    Code("E203", Severity.ERROR, "field given twice"),
    Code("E204", Severity.ERROR, "required field missing"),
    Code("E205", Severity.ERROR, "erratum names an unknown field"),
    Code("W206", Severity.WARNING, "erratum records no change"),
    Code("E207", Severity.ERROR, "erratum value of the wrong kind"),
    Code("E208", Severity.ERROR, "unknown policy"),
    Code("E209", Severity.ERROR, "unknown value of a policy"),
    Code("E210", Severity.ERROR, "a findings key that starts with _ (a note)"),
    Code("E211", Severity.ERROR, "unknown panel combining method"),
    # E3xx: points, totals and the result scale.
    Code("E301", Severity.ERROR, "section points differ from the sum of its items"),
    Code("E302", Severity.ERROR, "full marks differ from the sum of the sections"),
    Code("E303", Severity.ERROR, "item points differ from the sum of its groups"),
    Code("E304", Severity.ERROR, "pass mark outside 0..full marks"),
    Code("E305", Severity.ERROR, "grade threshold outside 0..full marks"),
    Code("E306", Severity.ERROR, "grades out of order"),
    Code("E307", Severity.ERROR, "panel size out of order"),
    Code("W308", Severity.WARNING, "empty section, item or group"),
    Code("E309", Severity.ERROR, "rubric without sections"),
    Code("E310", Severity.ERROR, "section with points but no items"),
    Code("E311", Severity.ERROR, "trimmed-mean for a panel that may have fewer than 3"),
    # E4xx: deduction rules and awards.
    Code("E401", Severity.ERROR, "deduction larger than its cap"),
    Code("E402", Severity.ERROR, "award above the item's points"),
    Code("E403", Severity.ERROR, "bounds overlap"),
    Code("W404", Severity.WARNING, "bounds leave a gap"),
    Code("E405", Severity.ERROR, "requirement has no deduction rule"),
    Code("E406", Severity.ERROR, "conflicting deduction rules"),
    Code("E407", Severity.ERROR, "bound outside the measure's range or empty"),
    Code("E408", Severity.ERROR, "award item mixes tiers and choices"),
    Code("E409", Severity.ERROR, "parts without a per-missing deduction"),
    Code("I410", Severity.INFO, "deductions can never reach the cap"),
]

CATALOGUE: dict[str, Code] = {code.code: code for code in _CODES}


@record(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    path: str = "<string>"

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            **self.span.to_json(),
        }


@record(frozen=True)
class Omitted:
    """Diagnostics of one code left unlisted after the first few of one
    place (the syntax errors of a file, the overlapping tiers of an item).
    A summary, never a diagnostic: it is printed as one line after the
    diagnostics, counted in the summary line, and never in JSON output."""

    code: str
    count: int
    what: str  # "syntax errors", "overlapping tiers in item 'i'"
    span: Span  # of the place they are in
    path: str = "<string>"

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def render(self) -> str:
        return printable(f"{self.path}:{self.span.line}:{self.span.column}: … and {self.count} more {self.what}")


def closest(word: str, candidates) -> str | None:
    """The candidate `word` most likely misspells, if any is close."""
    import difflib  # only needed when something is wrong

    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, candidates) -> str:
    match = closest(word, candidates)
    return f"; did you mean '{match}'?" if match else ""


def sort_key(diagnostic: Diagnostic):
    return (diagnostic.path, diagnostic.span, diagnostic.code)


def lines_at(source: str, numbers) -> dict[int, str]:
    """The lines numbered `numbers` (from 1) of `source`, as spans count
    them: the lexer counts line feeds only, so only a line feed ends a line
    (a form feed, U+2028 or U+0085 does not, as str.splitlines() would have
    it), and the carriage return of a CRLF is not part of its line.  Every
    line shown goes through here, so a span's line is the line echoed.  The
    rest of the source is not split: a big file is not copied to show a
    line of it.  A number past the last line is left out."""
    found: dict[int, str] = {}
    line, start = 1, 0
    for number in sorted(n for n in set(numbers) if n >= 1):
        while line < number:
            start = source.find("\n", start) + 1
            if start == 0:
                return found
            line += 1
        if start == len(source):  # nothing after the last line feed
            return found
        end = source.find("\n", start)
        text = source[start : end if end != -1 else len(source)]
        found[number] = text[:-1] if text.endswith("\r") else text
    return found


def line_and_column(source: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `source`, counted as the
    lexer counts them (source_lines)."""
    line_start = source.rfind("\n", 0, offset) + 1
    return source.count("\n", 0, offset) + 1, offset - line_start + 1


def render(diagnostic: Diagnostic, source: str | None, line: str | None = None) -> str:
    """`path:line:col: severity[CODE]: message`, the source line, carets;
    control characters shown escaped (terminal.printable), carets still
    under the span.  `line` is the span's line of `source` when the caller
    has it (render_all)."""
    span = diagnostic.span
    head = printable(
        f"{diagnostic.path}:{span.line}:{span.column}: "
        f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"
    )
    if source is None:
        return head
    if line is None:
        line = lines_at(source, (span.line,)).get(span.line)
    if line is None:
        return head
    text = line.expandtabs(1)
    last = span.end_column if span.end_line == span.line else len(text) + 1
    width = max(1, last - span.column)
    gutter = f"{span.line:>4} | "
    caret_pad = " " * len(gutter) + "".join(" " * _cells(ch) for ch in text[: span.column - 1])
    carets = "".join("^" * _cells(ch) for ch in text[span.column - 1 : span.column - 1 + width]) or "^"
    return f"{head}\n{gutter}{printable(text)}\n{caret_pad}{carets}"


def render_all(diagnostics, source: str | None) -> list[str]:
    """render() of each diagnostic of one source, which is read once for the
    lines of all of them: once each made many diagnostics cost quadratic time."""
    lines = lines_at(source, (d.span.line for d in diagnostics)) if source is not None else {}
    return [render(d, source, lines[d.span.line]) if d.span.line in lines else render(d, None) for d in diagnostics]


def _cells(ch: str) -> int:
    """Terminal cells `ch` takes as echoed: an escape's length, two for East
    Asian wide and full-width characters, else one."""
    shown = printable(ch)
    if shown != ch:
        return len(shown)
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def summary_line(diagnostics, omitted=()) -> str:
    """"3 errors, 1 warning": the diagnostics listed and those omitted, with
    how many of them were not listed."""
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    for summary in omitted:
        counts[summary.severity] += summary.count
    parts = [
        f"{counts[Severity.ERROR]} error{'s' if counts[Severity.ERROR] != 1 else ''}",
        f"{counts[Severity.WARNING]} warning{'s' if counts[Severity.WARNING] != 1 else ''}",
    ]
    if counts[Severity.INFO]:
        parts.append(f"{counts[Severity.INFO]} note{'s' if counts[Severity.INFO] != 1 else ''}")
    unlisted = sum(summary.count for summary in omitted)
    return ", ".join(parts) + (f" ({unlisted} not listed)" if unlisted else "")
