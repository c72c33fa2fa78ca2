"""`rubricdsl score` and `rubricdsl template` without the command line.

The semantics are not here: `load_scorer` runs the very scorer.py that
`rubricdsl build` writes as a module in memory, so the command and the
generated file cannot differ.  This module reads findings files
(one, a panel of several, or a batch folder or JSON Lines file), builds the
blank findings template, and writes the batch summary.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import json
import linecache
import os
import shutil
import sys
import tempfile
import types
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

import orjson

from . import batch_summary, scorer_cache
from . import model as m
from .findings import FINDINGS_FORMAT, NOTE_PREFIX
from .files import TEMPORARY_MARK, write_atomically, write_together
from .frontend import Compilation
from .plan import ItemPlan, Rule, ScoringPlan, decimal_text, lower
from .records import record


# ---------------------------------------------------------------------------
# The scorer, compiled in memory
# ---------------------------------------------------------------------------


def scorer_source(compilation: Compilation, source_path: str) -> str:
    from .backends import BuildContext
    from .backends import scorer

    return scorer.render(BuildContext.of(compilation, source_path))


def load_scorer(compilation: Compilation, source_path: str) -> types.ModuleType:
    """The generated scorer of a checked rubric as a module, not written
    anywhere: the code of the scorer.py that `rubricdsl build` writes.  Its
    rubric's part is rendered and compiled once for a rubric, its path, this
    rubricdsl and this Python, then kept compiled in the user's cache folder
    (rubricdsl/scorer_cache.py); a run that finds it there neither renders
    nor compiles it."""
    rubric = compilation.rubric
    assert rubric is not None
    filename = scorer_cache.filename(rubric.id, source_path)
    part, code = scorer_cache.compiled(
        scorer_cache.inputs_key(compilation, filename),
        filename,
        lambda: scorer_cache.rubric_part(scorer_source(compilation, source_path), filename),
    )
    return scorer_cache.module(part, code, rubric.id, filename)


# ---------------------------------------------------------------------------
# Reading findings
# ---------------------------------------------------------------------------


class InputError(Exception):
    """Findings that cannot be scored; `messages` says why, each naming the
    file (and line) and the key."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def _prefixed(name: str, messages: list[str]) -> list[str]:
    return [text if text.startswith(name + ":") else f"{name}: {text}" for text in messages]


def read_findings(scorer: types.ModuleType, path: str, *, stdin_name: str = "<stdin>") -> dict:
    """One findings file ('-' is stdin, called `stdin_name`) as a dict;
    InputError if unreadable or not JSON."""
    name = stdin_name if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise InputError([f"{path}: is a folder, not a findings file"]) from None
    except OSError as error:
        raise InputError([f"{name}: cannot read: {error.strerror}"]) from None
    try:
        return scorer.parse_findings(data, name)
    except scorer.FindingsError as error:
        raise InputError(_prefixed(name, error.errors)) from None


class PanelProblems(InputError):
    """Findings that do not make a panel: the same file or findings twice,
    or one evaluator in two files."""


def is_workbook(path: str) -> bool:
    """A findings argument that is a scoring workbook (docs/workbook.md)."""
    return path.lower().endswith(".xlsx")


class WorkbookDisagrees(InputError):
    """A workbook whose own formulas computed other values than the scorer."""


def score_workbook(scorer: types.ModuleType, path: str, rubric: m.Rubric, *, partial: bool, rescore: bool = False):
    """A filled workbook's findings and their result; InputError naming the
    cells (sheet!A1) when it cannot be scored, WorkbookDisagrees when its
    cached formula values are not the scorer's."""
    from . import workbook_reader

    try:
        reading = workbook_reader.read(path, rubric, lower(rubric))
    except workbook_reader.WorkbookProblem as error:
        raise InputError(error.messages) from None
    try:
        result = scorer.score(reading.findings, partial=partial, rescore=rescore)
    except scorer.FindingsError as error:
        messages = []
        for message in error.errors:
            key, _, problem = message.partition(": ")
            cell = reading.cell_of(key)
            messages.append(f"{path}: {cell} ({key}): {problem}" if cell else f"{path}: {message}")
        raise InputError(messages) from None
    disagreements = workbook_reader.cached_disagreements(reading, result)
    if disagreements:
        raise WorkbookDisagrees([f"{path}: {text}" for text in disagreements])
    return reading.findings, result


def score_files(
    scorer: types.ModuleType,
    paths: list[str],
    *,
    partial: bool,
    rescore: bool = False,
    stdin_name: str = "<stdin>",
    rubric: m.Rubric | None = None,
) -> list[dict]:
    """Every file read and scored; InputError listing the problems of all
    of them when any has one (so nothing is reported half).  Several files
    are a panel: PanelProblems when one is given twice, two hold the same
    findings or name the same evaluator.  A path ending in .xlsx is a
    scoring workbook of `rubric`."""
    results, problems, named = [], [], []
    disagreements = []
    for path in paths:
        name = stdin_name if path == "-" else path
        try:
            if rubric is not None and is_workbook(path):
                findings, result = score_workbook(scorer, path, rubric, partial=partial, rescore=rescore)
                results.append(result)
                named.append((name, findings))
                continue
            document = read_findings(scorer, path, stdin_name=stdin_name)
            if isinstance(document, dict) and document.get("format") == scorer.PANEL_FILE_FORMAT:
                # The official input of a panel (docs/panel.md): its agreed findings, scored alone.
                if len(paths) > 1:
                    problems.append(f"{name}: a panel file is scored alone; its members are in it")
                    continue
                refused = scorer.panel_file_options(partial, rescore)
                if refused:
                    problems += _prefixed(name, refused)
                    continue
                results.append(scorer.agreed_result(document))
                continue
            # A member file (docs/panel.md) is findings with a digest: checked, then scored alike.
            findings, _ = scorer.without_digest(document)
            results.append(scorer.score(findings, partial=partial, rescore=rescore))
            named.append((name, findings))
        except WorkbookDisagrees as error:
            disagreements += error.messages
        except InputError as error:
            problems += error.messages
        except scorer.FindingsError as error:
            problems += _prefixed(name, error.errors)
        except scorer.PanelFileError as error:
            problems += _prefixed(name, error.problems) + [f"{name}: `rubricdsl panel verify` lists what is wrong with a panel file"]
    if disagreements and not problems:
        raise WorkbookDisagrees(disagreements)
    if problems:
        raise InputError(problems)
    if len(named) > 1:
        panel = scorer.same_files(paths) or scorer.check_panel(named)
        if panel:
            raise PanelProblems(panel)
    return results


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------


# A batch is cut into parts, each a byte range of a JSON Lines file or a run
# of a folder's files, so that --jobs can score them in worker processes.
# A worker writes each summary row as CSV and JSON text, which crosses back
# to the parent far faster than a dict; the parent puts each row's source
# ("line 17", counted over the whole batch) in front, a part at a time.

PART_BYTES = 4 << 20
PART_FILES = 64


@record(frozen=True)
class Part:
    path: str  # the JSON Lines file, or the folder
    start: int = 0  # byte range of the file
    end: int = 0
    files: tuple[str, ...] = ()  # names of the folder's files


@record
class ScoredPart:
    """A part's rows as a worker scored them, in order: (line number in the
    part, or file name; the CSV line after its source cell; the JSON object's
    members after its source, up to its closing brace; the problems), the
    cells None for a rejected record."""

    first_line: int  # lines of the batch before this part (0 in a folder)
    rows: list[tuple[int | str, str | None, bytes | None, list[str] | None]]

    def source(self, where: int | str) -> str:
        """A row's source: "line 17" of a JSON Lines file, or a file name."""
        return where if type(where) is str else f"line {self.first_line + where}"

    def error(self, where: int | str, problems: list[str]) -> str:
        """A rejected record's first problem, its source named."""
        source = self.source(where)
        named = [f"{source}{text}" if text.startswith(":") else f"{source}: {text}" for text in problems]
        return named[0] + (f" (and {len(named) - 1} more)" if len(named) > 1 else "")


@contextlib.contextmanager
def standard_input_file() -> Iterator[Path]:
    """Standard input copied to a temporary file, removed afterwards: a
    batch read from a pipe is then cut into byte ranges for the worker
    processes as a JSON Lines file is, and never held in memory whole."""
    with tempfile.TemporaryDirectory(prefix="rubricdsl-stdin-") as folder:
        path = Path(folder) / "stdin.jsonl"
        with open(path, "wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
        yield path


def _batch_folder(path: Path) -> tuple[list[Path], list[str]]:
    """A batch folder's findings files (named *.json, in any case: 单位A.JSON
    too) and the names of its other files (hidden ones aside), in one
    listing: a folder may hold 100,000 files."""
    findings, others = [], []
    with os.scandir(path) as entries:
        for entry in entries:
            if not entry.is_file():
                continue
            if entry.name.lower().endswith(".json"):
                findings.append(Path(entry.path))
            elif not entry.name.startswith("."):
                others.append(entry.name)
    return sorted(findings), sorted(others)


def batch_files(path: Path) -> list[Path]:
    """The findings files of a batch folder (none for a JSON Lines file)."""
    return _batch_folder(path)[0] if path.is_dir() else []


def batch_others(path: Path) -> list[str]:
    """The names of a batch folder's other files, which it does not score
    (a workbook, a note), so that none is skipped unsaid."""
    return _batch_folder(path)[1] if path.is_dir() else []


def batch_parts(path: Path) -> list[Part]:
    """The parts of a folder of *.json files (by name) or a JSON Lines file,
    each JSON Lines part ending just after a line break."""
    if path.is_dir():
        files, others = _batch_folder(path)
        names = [file.name for file in files]
        if not names:
            held = f"; it holds other files: {', '.join(others[:3])}{', …' if len(others) > 3 else ''}" if others else ""
            raise InputError([f"{path}: no findings files (*.json) to score{held}; a workbook is scored alone: "
                              "rubricdsl score RUBRIC FILE.xlsx"])
        return [Part(str(path), files=tuple(names[i : i + PART_FILES])) for i in range(0, len(names), PART_FILES)]
    try:
        size = path.stat().st_size
        stream = open(path, "rb")
    except FileNotFoundError:
        raise InputError([f"{path}: no such file or folder"]) from None
    except OSError as error:
        raise InputError([f"{path}: cannot read: {error.strerror}"]) from None
    parts, start = [], 0
    with stream:
        while start < size:
            stream.seek(min(start + PART_BYTES, size))
            stream.readline()
            end = min(stream.tell(), size)
            parts.append(Part(str(path), start, end))
            start = end
    return parts


_worker: BoundReader | None = None


def _start_worker(reader: BoundReader | FastReader, scorer: tuple[str, str, str] | None, partial: bool, rescore: bool) -> None:
    """A worker's reader: the parent's own, inherited when the worker is a
    fork of it, else bound to the scorer compiled from its source again."""
    global _worker
    # What the worker inherits or builds now lives as long as it does: the
    # collector need not look at it again, and looks at the short-lived
    # records' objects only every 100,000 allocations (they hold no cycles,
    # and are freed as soon as they are scored).
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    _worker = reader if scorer is None else reader.bind(scorer_cache.scorer_module(*scorer), partial, rescore)


# A record is decoded by msgspec into the rubric's own Structs
# (batch_summary: every key, type and choice of the rubric's findings, and
# nothing else), each measured value read with the scorer's own number
# reader (float_hook: the scorer's exact Decimal, or its _Unreadable
# refusal of a number beyond MAX_DIGITS or MAX_EXPONENT, counted on the
# text before any conversion).  No number is ever a float, so a measured
# value on a bound is compared as the scorer compares it.  The summarizer
# written with the Structs then checks what the types leave (the keys an
# item's status asks for, dates, blank names and reasons, the measures'
# ranges) and sums the record.
#
# A record so read holds exactly the keys findings have, each value of the
# type the scorer takes: no note (a key starting with '_', perhaps written
# as \u005f, is a key no Struct names), no member file's digest, no text
# with a lone surrogate and no NaN (msgspec refuses both), no value nested
# anywhere but in a measured value (which must then be a number), no
# integer but a measured value in range (a rubric's bounds have at most 10
# whole digits).  A key given twice keeps its last value, as the scorer's
# reader keeps it.  Anything the Structs refuse or the summarizer raises at
# goes the longer way below: decoded into dicts (what msgspec refuses there,
# a lone surrogate, NaN, an integer of thousands of digits, anything that
# is not JSON, goes to the scorer's own reader, which words it), checked by
# the scorer's own checks.
#
# The scorer's own reader also refuses, wherever they stand, values nested
# deeper than MAX_NESTING and integers of more than MAX_DIGITS digits, which
# msgspec reads.  Both can stand only where the scorer looks at nothing, in
# notes or in a partial file's item of status null.  A long integer shows
# in the bytes: a run of more than 40 digits; only records that may hold a
# note or such an item are walked for the rest.

# Digits and the point as 0, e and E as e, signs as -, all else a space.
_NUMBER_SHAPES = bytes(
    ord("0") if chr(byte) in "0123456789." else ord("e") if chr(byte) in "eE" else ord("-") if chr(byte) in "+-" else ord(" ")
    for byte in range(256)
)
_LONG_NUMBER = b"0" * 40


def _may_hold_a_long_integer(data: bytes) -> bool:
    """Whether JSON text may hold an integer the scorer's reader refuses;
    true of some texts that hold none, never false of one that does."""
    return _LONG_NUMBER in data.translate(_NUMBER_SHAPES)


@record(frozen=True)
class FastReader:
    """How a batch reads a rubric's records, made from its scoring plan;
    plain data, so that it travels to the worker processes."""

    readers: tuple[str, str]  # batch_summary's source for complete findings, and for --partial

    @classmethod
    def of(cls, rubric: m.Rubric) -> FastReader:
        """The reader for a rubric, from its scoring plan."""
        plan = lower(rubric)
        return cls((batch_summary.source(plan, partial=False), batch_summary.source(plan, partial=True)))

    def bind(self, scorer: types.ModuleType, partial: bool, rescore: bool) -> BoundReader:
        """The reader with its scorer, its Structs and its summarizer
        compiled, for one batch in one process."""
        import msgspec  # only when a batch runs

        namespace = dict(vars(scorer))
        filename = f"<rubricdsl batch reader of {scorer.RUBRIC_ID}{' for partial findings' if partial else ''}>"
        text = self.readers[partial]
        linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
        # Not this module's `from __future__ import annotations`: msgspec
        # reads the Structs' annotations as the types they are.
        exec(compile(text, filename, "exec", dont_inherit=True), namespace)
        typed = msgspec.json.Decoder(namespace[batch_summary.FINDINGS_TYPE], float_hook=scorer._read_float)
        untyped = msgspec.json.Decoder(float_hook=scorer._read_float)
        return BoundReader(scorer, typed.decode, namespace[batch_summary.FUNCTION], untyped.decode, partial, rescore)


@record(frozen=True)
class BoundReader:
    """A FastReader with its scorer, Structs and summarizer, in one
    process, for a batch scored with the given options."""

    scorer: types.ModuleType
    read: Callable[[bytes], object]  # msgspec into the rubric's Structs, numbers as the scorer reads them
    summarizer: Callable[[object, bool], dict]  # of what `read` gives
    decode: Callable[[bytes], object]  # msgspec into dicts and lists, numbers as the scorer reads them
    partial: bool
    rescore: bool

    def summary(self, data: bytes) -> dict:
        """A record's summary; raises the scorer's FindingsError (a parse
        problem starts with ':', its source filled in by the caller)."""
        try:
            return self.summarizer(self.read(data), self.rescore)
        except Exception:  # msgspec's DecodeError or ValidationError, RecursionError when deep, _Invalid
            return self.handed_over(data)

    def handed_over(self, data: bytes) -> dict:
        """The summary of a record that the rubric's Structs refuse or
        their summarizer raises at, by the scorer's own checks."""
        try:
            findings = self.decode(data)
        except Exception:
            return self._own_summary(data)
        if b'"digest"' in data:
            return self._own_summary(data)
        summary = self._checked_summary(findings, data)
        return self._own_summary(data) if summary is None else summary

    def _own_summary(self, data: bytes) -> dict:
        """The summary by the scorer's own reader and checks; a member file
        (docs/panel.md) has its digest checked over the numbers read
        exactly, then is scored as a file of its own is."""
        scorer = self.scorer
        findings, _ = scorer.without_digest(scorer.parse_findings(data, ""))
        return scorer.summarize(findings, partial=self.partial, rescore=self.rescore)

    def _checked_summary(self, findings, data: bytes) -> dict | None:
        """The summary of a decoded record by the scorer's own checks, or
        None: ask the scorer's own reader."""
        scorer, partial = self.scorer, self.partial
        if _may_hold_a_long_integer(data):
            return None
        try:
            # Findings that the scorer's fast path reads as they are hold
            # exactly the keys findings have, each value of the type it
            # checks: no note, and nothing nested where it does not look
            # but in a partial file's items of status null.
            checked, plain = scorer._assess(findings, partial, self.rescore), True
        except Exception:
            try:
                # Notes (keys starting with '_', which the scorer ignores
                # wherever they stand) are what valid findings hold that its
                # fast path does not read; without them it reads them, as
                # the scorer's own _checked does after validate() found no
                # problem, which a record with one problem more or less
                # than a note's need not wait for.
                checked, plain = scorer._assess(scorer._without_notes(findings), partial, self.rescore), False
            except Exception:
                try:
                    checked, plain = scorer._checked(findings, partial, self.rescore), False
                except scorer.FindingsError:
                    return None
        may_hide = (not plain and (b'"_' in data or b"\\u" in data)) or (partial and b"null" in data)
        if may_hide and scorer._unreadable(findings):
            return None
        return scorer._summary(findings, checked)


_YES_NO = {True: "yes", False: "no"}


def summary_csv_cells(summary: dict) -> str:
    """A summary's CSV line after its source cell (the cells as _cell
    writes them; an int score, the most common, written at once)."""
    grade = summary["grade"]
    total = summary["total"]
    cells = [_csv_cell(summary["organization"]), _csv_cell(summary["date"]), str(total) if type(total) is int else _cell(total)]
    cells += [str(score) if type(score) is int else _cell(score) for score in summary["sections"].values()]
    cells += (
        _YES_NO[summary["passed"]],
        _csv_cell(grade["key"]) if grade else "",
        _YES_NO[summary["eligible"]],
        str(summary["not_assessed"]),
        _YES_NO[summary["provisional"]],
        "\n",
    )
    return ",".join(cells)


def summary_json_fields(summary: dict) -> bytes:
    """A summary as a JSON object (the parent adds its source)."""
    return orjson.dumps(summary, default=_exact_number)


def score_part(part: Part, reader: BoundReader | None = None):
    """(lines in the part, the rows of ScoredPart) for one part."""
    if reader is None:  # in a worker process
        reader = _worker
    if part.files:
        return 0, _scored_files(part, reader)
    with open(part.path, "rb") as stream:
        stream.seek(part.start)
        data = stream.read(part.end - part.start)
    scorer = reader.scorer
    scored = []
    append = scored.append
    # BoundReader.summary, its common way taken here without a call, on
    # each line as a view of the part (msgspec reads a view; splitting the
    # part into bytes objects would copy every line).
    read, summarize, rescore = reader.read, reader.summarizer, reader.rescore
    view, find, size = memoryview(data), data.find, len(data)
    number = start = 0
    while start < size:
        end = find(b"\n", start)
        if end < 0:
            end = size  # the last line of a file that does not end with a line break
        first, start = start, end + 1
        number += 1
        try:
            summary = summarize(read(view[first:end]), rescore)
        except Exception:
            record = data[first:end]
            if record.isspace() or not record:
                continue  # a blank line is no record
            try:
                summary = reader.handed_over(record)
            except scorer.FindingsError as error:
                append((number, None, None, error.errors))
                continue
        append((number, summary_csv_cells(summary), summary_json_fields(summary)[1:], None))
    return number, scored


def _scored_files(part: Part, reader: BoundReader) -> list:
    """The rows of a part of a batch folder, one a file."""
    scored = []
    for name in part.files:
        try:
            data = (Path(part.path) / name).read_bytes()
        except OSError as error:
            scored.append((name, None, None, [f"cannot read: {error.strerror}"]))
            continue
        try:
            summary = reader.summary(data)
        except reader.scorer.FindingsError as error:
            scored.append((name, None, None, error.errors))
            continue
        scored.append((name, summary_csv_cells(summary), summary_json_fields(summary)[1:], None))
    return scored


def _scored_parts(part_results) -> Iterator[ScoredPart]:
    """The parts' rows with their place in the whole batch."""
    offset = 0
    for count, scored in part_results:
        yield ScoredPart(offset, scored)
        offset += count


def _cell(value) -> str:
    """A score or a yes/no as the summary's CSV shows it."""
    if type(value) is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def summary_columns(rubric: m.Rubric) -> list[str]:
    return (
        ["source", "organization", "date", "total"]
        + [section.key for section in rubric.sections]
        + ["passed", "grade", "eligible", "not_assessed", "provisional", "error"]
    )


# A spreadsheet opening the CSV would run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """A text as a spreadsheet must show it, never run it: one that starts
    like a formula (=HYPERLINK(…), an organisation's name typed in by
    anyone) gets a leading ' (the JSON summary keeps the text as given)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_cell(text: str) -> str:
    """A text cell as the csv module writes it, shown as text by a
    spreadsheet: quoted when it holds a separator, a quote or a line break
    (four searches of a short text are quicker than one of a regular
    expression)."""
    text = spreadsheet_text(text)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _exact_number(value):
    """orjson's fallback for a Decimal score: the float that prints its
    exact digits (scores have far fewer than 15)."""
    if isinstance(value, Decimal):
        as_float = float(value)
        if Decimal(repr(as_float)) == value:
            return as_float
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


BATCH_FORMAT = "rubricdsl-batch/1"


def is_batch_summary(path: Path) -> bool:
    """Whether a file is a batch summary that `score --batch` wrote (its
    first bytes are the format marker), so that replacing it loses nothing
    a person wrote."""
    try:
        with open(path, "rb") as stream:
            start = stream.read(64)
    except OSError:
        return False
    return start.startswith(b'{"format":"' + BATCH_FORMAT.encode("ascii"))


# ---------------------------------------------------------------------------
# The blank findings file
# ---------------------------------------------------------------------------


def _note(key: str) -> str:
    return NOTE_PREFIX + key


def _rule_help(plan: ScoringPlan, rule: Rule) -> str:
    if rule.kind == "levels":
        levels = ", ".join(f'"{c.key}" {c.label} (-{plan.text(c.amount)})' for c in rule.choices)
        return f"true if met, else the level that applies: {levels}. {rule.text}"
    if rule.kind == "parts":
        return f"each part: true (present) or false (missing, -{plan.text(rule.amount)} each). {rule.text}"
    return f"true (met) or false (unmet, -{plan.text(rule.amount)}). {rule.text}"


def template(rubric: m.Rubric) -> dict:
    """A blank findings file: every key the rubric asks for, null where an
    evaluator must answer, and beside each key a note (a key starting with
    '_', which the scorer ignores) with its text.  Read off the scoring
    plan, as the scorer is."""
    plan = lower(rubric)
    conditions: dict = {}
    for condition in plan.conditions:
        clause = f"{condition.clause} " if condition.clause else ""
        advisory = " Advisory: an unmet one warns, it does not bar." if condition.advisory else ""
        conditions[_note(condition.key)] = f"{clause}{condition.text} true (fulfilled) or false.{advisory}"
        conditions[condition.key] = None
    items: dict = {}
    for section in plan.sections:
        for item in section.items:
            items[_note(item.path)] = f"{item.number} {section.title} / {item.title} ({item.points_text} points)"
            items[item.path] = _blank_item(plan, item)
    return {
        _note("findings"): f"Findings for {plan.rubric_id} ({plan.version}): {plan.title}. Replace every null; "
        "keys starting with _ are notes that the scorer ignores. Format: docs/findings.md.",
        "format": FINDINGS_FORMAT,
        "rubric": {"id": plan.rubric_id, "version": plan.version, "content_hash": plan.content_hash},
        "organization": "",
        "date": "",
        "evaluators": [],
        "remarks": "",
        "conditions": conditions,
        "items": items,
    }


def _blank_item(plan: ScoringPlan, item: ItemPlan) -> dict:
    rules = {rule.key: rule for rule in item.rules + tuple(r for g in item.groups for r in g.rules)}
    found: dict = {
        _note("status"): '"assessed"; "not_applicable" (8.2: write "reason": "..." and remove the answers); '
        '"absent" (8.2: 0 points; remove the answers)',
        "status": None,
        _note("remark"): "扣分说明: the evidence seen for the item, whatever its status; never scored",
        "remark": "",
    }
    if item.answers:
        answers: dict = {}
        for answer in item.answers:
            answers[_note(answer.key)] = f"{answer.text} | {_rule_help(plan, rules[answer.key])}"
            if answer.kind == "parts":
                answers[answer.key] = {}
                for key, label in zip(answer.keys, answer.labels):
                    answers[answer.key][_note(key)] = label
                    answers[answer.key][key] = None
            else:
                answers[answer.key] = None
        found["requirements"] = answers
    if item.groups:
        rulings: dict = {}
        for group in item.groups:
            heading = f" {group.heading}" if group.heading else ""
            rulings[_note(group.key)] = (
                f"group{heading} ({plan.text(group.points)} points): \"assessed\"; \"not_applicable\" (8.2: write "
                '"reason": "..." and remove its requirements); "absent" (8.2: 0 points; remove its requirements)'
            )
            rulings[group.key] = {"status": "assessed"}
        found["groups"] = rulings
    if item.measures:
        measures: dict = {}
        for measure in item.measures:
            decides = [r for r in rules.values() if r.measure == measure.key]
            scored = "".join(f" | decides {r.key}: {r.requirement_text} ({r.text})" for r in decides)
            if item.kind == "tiers":
                scored += " | awards: " + "; ".join(award.text for award in item.awards)
            measures[_note(measure.key)] = (
                f"{measure.label}: a number from {decimal_text(measure.low)} to {decimal_text(measure.high)}"
                f"{' ' + measure.unit if measure.unit else ''}{scored}"
            )
            measures[measure.key] = None
        found["measures"] = measures
    if item.kind == "choices":
        listed = "; ".join(f'"{a.key}" {a.text} ({plan.text(a.points)})' for a in item.awards)
        otherwise = item.otherwise.label if item.otherwise and item.otherwise.label else "none"
        found[_note("choice")] = f"the one reached: {listed}; or null: {otherwise}"
        found["choice"] = None
    found[_note("requirement_remarks")] = "扣分说明 of each requirement; never scored"
    found["requirement_remarks"] = {key: "" for key in item.requirement_keys}
    return found


def template_text(rubric: m.Rubric) -> str:
    return json.dumps(template(rubric), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

MAX_LISTED = 50


def listed(messages: list[str], total: int | None = None) -> str:
    """Problems one a line, at most MAX_LISTED of them; `total`: how many
    there are when `messages` holds only the first ones."""
    shown = messages[:MAX_LISTED]
    more = (len(messages) if total is None else total) - len(shown)
    lines = [f"  {message}" for message in shown]
    if more:
        lines.append(f"  … and {more} more")
    return "\n".join(lines)


def write_text(path: str, text: str) -> None:
    """Write to a file (atomically), or to stdout for '-'; OSError is the
    caller's."""
    if path == "-":
        stream = sys.stdout
        stream.write(text)
        stream.flush()
        return
    write_atomically(Path(path), text)


def run_batch(
    scorer: types.ModuleType,
    source_text: str,
    source: Path,
    *,
    partial: bool,
    progress=None,
    rescore: bool = False,
    reader: FastReader,
    jobs: int = 1,
) -> Iterator[ScoredPart]:
    """Every record of a batch scored, in order, the bad ones kept as rows
    with their problems; InputError at once when the batch cannot be read.
    The parts are yielded as they are scored, so that no more than a few
    are held at a time.  With jobs > 1, parts are scored
    by that many worker processes, each running `source_text` (the
    scorer's source).  `progress(results, count)`, when given, wraps the
    parts' results as they arrive (the command line's progress bar)."""
    parts = batch_parts(source)
    bound = reader.bind(scorer, partial, rescore)
    if jobs > 1 and len(parts) > 1:
        return _pooled_parts(parts, jobs, bound, (source_text, scorer.RUBRIC_ID, scorer.SOURCE_PATH), reader, progress)
    results = (score_part(part, bound) for part in parts)
    return _scored_parts(progress(results, len(parts)) if progress else results)


def _workers_fork() -> bool:
    """Whether worker processes start as forks of this one (Linux), so that
    they inherit what it has compiled; else (spawn, forkserver) they start
    afresh."""
    import multiprocessing

    return multiprocessing.get_start_method() == "fork"


def _pooled_parts(parts: list[Part], jobs: int, bound: BoundReader, scorer: tuple, reader: FastReader, progress) -> Iterator[ScoredPart]:
    import multiprocessing

    # A forked worker starts with the parent's reader, its scorer and
    # summarizer compiled; any other compiles them again from their sources.
    if _workers_fork():
        initargs = (bound, None, bound.partial, bound.rescore)
    else:
        initargs = (reader, scorer, bound.partial, bound.rescore)
    with multiprocessing.Pool(jobs, _start_worker, initargs) as pool:
        results = pool.imap(score_part, parts)
        yield from _scored_parts(progress(results, len(parts)) if progress else results)


@record
class BatchTally:
    """What a batch came to: its rows, those scored, the rejected ones and
    the first MAX_LISTED problems (a batch of bad records is not held)."""

    count: int = 0
    scored: int = 0
    rejected: int = 0
    first_errors: list[str] = field(default_factory=list)


class _Spool:
    """An unnamed temporary file that a batch's output is streamed into,
    beside its target (for '-', in the temporary folder), until the batch
    is done and the output is written in place from it.  Unnamed, a killed
    run leaves nothing behind; an OSError names the target."""

    def __init__(self, target: str | Path):
        self.target = str(target)
        folder = None if self.target == "-" else Path(target).resolve().parent
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            self.stream = tempfile.TemporaryFile(
                dir=folder, prefix=f".{Path(target).name}{TEMPORARY_MARK}", suffix=".tmp"
            )
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.target) from None

    def write(self, data: bytes) -> None:
        try:
            self.stream.write(data)
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.target) from None

    def copy_to(self, stream) -> None:
        """Everything written, from its start, into a binary stream."""
        try:
            self.stream.flush()
            self.stream.seek(0)
        except OSError as error:
            raise OSError(error.errno, error.strerror, self.target) from None
        shutil.copyfileobj(self.stream, stream, 1 << 20)

    def copy_text_to(self, stream) -> None:
        """Everything written, decoded as UTF-8, into a text stream."""
        self.stream.flush()
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding="utf-8", newline="")
        while chunk := text.read(1 << 20):
            stream.write(chunk)
        stream.flush()
        text.detach()

    def close(self) -> None:
        self.stream.close()


_CSV_CHUNK = 1 << 16  # characters of CSV gathered before they are hashed and spooled


def write_batch(
    parts: Iterator[ScoredPart],
    rubric: m.Rubric,
    scorer: types.ModuleType,
    *,
    source: str,
    csv_path: str,
    summary_path: Path | None,
    run_id: str,
) -> BatchTally:
    """Stream a batch's rows into its CSV (to `csv_path`, '-' for stdout)
    and its JSON summary, then write both as one unit: the CSV renamed into
    place first and the summary last, so a summary whose csv_sha256 is the
    CSV's seals a complete pair.  The summary names the run and records the
    sha256 of the CSV written with it, so a pair of files from two runs (a
    run killed between its two renames) can be told from a pair that
    belongs together.  The rows go to temporary files as they come, so the
    memory a batch takes does not grow with its size.  OSError (naming the
    user's file) is the caller's."""
    tally = BatchTally()
    csv_hash = hashlib.sha256()
    spools: list[_Spool] = []
    try:
        csv_spool = _Spool(csv_path)
        spools.append(csv_spool)
        if summary_path is not None:
            rows_spool, errors_spool = _Spool(summary_path), _Spool(summary_path)
            spools += (rows_spool, errors_spool)
        dumps = orjson.dumps
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(summary_columns(rubric))
        blanks = [""] * (len(summary_columns(rubric)) - 2)  # all but source and error

        def spool_csv() -> None:
            data = text.getvalue().encode("utf-8")
            csv_hash.update(data)
            csv_spool.write(data)
            text.seek(0)
            text.truncate()

        write = text.write
        for part in parts:
            json_rows = []
            for where, cells, json_members, problems in part.rows:
                if problems is None:
                    # "line 17" needs no quotes in CSV nor escapes in JSON.
                    if type(where) is str:
                        write(_csv_cell(where) + "," + cells)
                        json_rows.append(b'{"source":' + dumps(where) + b"," + json_members)
                    else:
                        number = part.first_line + where
                        write(f"line {number},{cells}")
                        json_rows.append(b'{"source":"line %d",%b' % (number, json_members))
                    continue
                source, error = part.source(where), part.error(where, problems)
                writer.writerow([spreadsheet_text(source), *blanks, spreadsheet_text(error)])
                tally.rejected += 1
                if len(tally.first_errors) < MAX_LISTED:
                    tally.first_errors.append(error)
                if summary_path is not None:
                    errors_spool.write((b",\n  " if tally.rejected > 1 else b"") + dumps({"source": source, "message": error}))
            tally.count += len(part.rows)
            if json_rows and summary_path is not None:
                rows_spool.write((b",\n  " if tally.scored else b"") + b",\n  ".join(json_rows))
            tally.scored += len(json_rows)
            if text.tell() > _CSV_CHUNK:
                spool_csv()
        spool_csv()

        files: list[tuple[Path, object]] = []
        if summary_path is not None:
            head = {
                "format": BATCH_FORMAT,
                "run": run_id,
                "csv_sha256": csv_hash.hexdigest(),
                "rubric": {"id": scorer.RUBRIC_ID, "version": scorer.RUBRIC_VERSION, "source_sha256": scorer.SOURCE_SHA256},
                "source": source,
                "count": tally.count,
                "scored": tally.scored,
            }

            def write_summary(stream) -> None:
                stream.write(dumps(head)[:-1] + b',\n "rows": [')
                rows_spool.copy_to(stream)
                stream.write(b'],\n "errors": [')
                errors_spool.copy_to(stream)
                stream.write(b"]}\n")

            files.append((summary_path, write_summary))
        if csv_path == "-":
            csv_spool.copy_text_to(sys.stdout)
        else:
            files.insert(0, (Path(csv_path), csv_spool.copy_to))
        write_together(files)
    finally:
        for spool in spools:
            spool.close()
    return tally
