"""generated/<id>/workbook.xlsx: the scoring workbook for Excel, WPS and LibreOffice.

workbook_layout.py decides every cell from the scoring plan; this module
turns that layout into the parts of an .xlsx (Office Open XML: a zip of XML
files), each rendered from its Jinja template in templates/workbook/, and
zips them with the standard library.  No spreadsheet library is loaded, so
`rubricdsl check` and `build` pay for none.  The bytes are reproducible:
every zip entry carries the same date (1980-01-01, as spreadsheets write
it) and the document's creation date is fixed.

The parts say what XlsxWriter 3 wrote for the same layout, which Excel, WPS
and LibreOffice open (docs/workbook.md): shared strings in the order
first written, cell formats numbered in the order first used, alike
formats shared.

Formula cells hold the scorer's values as their cached values: of the empty
workbook for the build, of the findings for `rubricdsl score --format xlsx`.
"""

# Annotations are evaluated, not kept as text (no `from __future__ import
# annotations`): typing.NamedTuple compiles each text annotation, which in
# the four modules of a build's NamedTuples cost 2-4 ms of its start-up.

import re
from bisect import bisect_left
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Iterator, NamedTuple

from ..workbook_layout import Input, Layout, Validation, WorkbookError, a1, column_letters, indexed, layout
from . import BuildContext
from .zip_parts import Archive, Deflated, TooLarge

MAX_CELL_TEXT = 32767  # Excel's limit: a longer text would be cut off
# A fixed creation date: two builds write the same bytes.
CREATED = "2020-01-01T00:00:00Z"

_STYLES = {
    "title": {"bold": True, "font_size": 14, "valign": "vcenter"},
    "note": {"font_size": 9, "text_wrap": True, "valign": "top", "font_color": "#444444"},
    "header": {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"},
    "caption": {"bold": True, "font_size": 12, "bg_color": "#EDEDED", "border": 1},
    "section": {"bold": True, "border": 1, "text_wrap": True, "valign": "top"},
    "item": {"border": 1, "text_wrap": True, "valign": "top"},
    "text": {"border": 1, "text_wrap": True, "valign": "top"},
    "prompt": {"border": 1, "text_wrap": True, "valign": "top", "italic": True, "font_color": "#555555"},
    "part": {"border": 1, "text_wrap": True, "valign": "top", "indent": 1},
    "group": {"border": 1, "text_wrap": True, "valign": "top", "bold": True},
    "group_text": {"border": 1, "text_wrap": True, "valign": "top", "bold": True},
    "number": {"border": 1, "valign": "top", "align": "center"},
    "formula": {"border": 1, "valign": "top", "align": "center"},
    # A deduction of 0 shows blank: the rows that lost points stand out.
    "deduction": {"border": 1, "valign": "top", "align": "center", "num_format": "General;-General;;@"},
    "number_formula": {"border": 1, "valign": "top", "align": "center"},
    "units": {},
    "verdict": {"border": 1, "bold": True, "align": "center"},
    "subtotal": {"bold": True, "border": 1, "bg_color": "#F2F2F2"},
    "subtotal_number": {"bold": True, "border": 1, "bg_color": "#F2F2F2", "align": "center"},
    "choice_input": {"border": 1, "locked": False, "bg_color": "#FFFFFF", "valign": "top", "text_wrap": True},
    "number_input": {"border": 1, "locked": False, "bg_color": "#FFFFFF", "valign": "top"},
    "text_input": {"border": 1, "locked": False, "bg_color": "#FFFFFF", "valign": "top", "text_wrap": True, "num_format": "@"},
}
_CONDITIONAL = {
    "unassessed": {"font_color": "#808080"},
    "error": {"bg_color": "#FFC7CE"},
    "capped": {"bg_color": "#FFEB9C", "bold": True},
}
_VERTICAL = {"top": "top", "vcenter": "center"}


def render(context: BuildContext) -> bytes:
    """The blank workbook of a build, the scoring sheet's rows written as
    they are laid out (layout's `rows_final`)."""
    result = indexed(context.blank_result)  # before the layout: the scorer need not share memory with it
    book = _Book()

    def rows_final(sheet, row: int) -> None:
        writer = book.writers.get(sheet.name)
        if writer is None:
            writer = book.writers[sheet.name] = _SheetWriter(sheet, None, result, book, {})
        writer.take(row - row % 16, consume=True)  # whole blocks of 16 rows: `spans` is said of each

    sheet_layout = layout(context.rubric, context.plan, context.sha256, context.source_path, rows_final=rows_final)
    return book.bytes([(sheet_layout, None, result)])


def _at(findings: dict, keys: tuple):
    value = findings
    for part in keys:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
        if value is None:
            return None
    return value


def input_value(findings: dict, found: Input):
    """What the findings hold for one input cell, as the cell shows it, or None."""
    if found.kind == "choice":
        item = _at(findings, found.keys[:-1])
        if isinstance(item, dict) and item.get("status") == "assessed" and item.get("choice", "") is None:
            # "None reached" is an assessed item's answer, shown as its option; a blank cell is no answer.
            return found.options[found.values.index(None)]
    value = _at(findings, found.keys)
    if value is None:
        return None
    if found.options:
        for text, meaning in zip(found.options, found.values):
            if meaning == value and type(meaning) is type(value):
                return text
        return None
    if found.kind == "group_status":
        return None
    return value


LINE_HEIGHT = 14.5  # points per line of 11-point text


def _width(text: str) -> float:
    """Display width in column units: a CJK character takes about two
    (2.2, others 1.2)."""
    if text.isascii():
        return 1.2 * len(text)
    return 1.2 * len(text) + sum(map(_WIDE_FROM.__lt__, text))  # the characters after it, counted in C


_WIDE_FROM = "\u2e7f"


def _lines(text: str, width: int) -> int:
    """How many lines a wrapped text takes in `width` column units:
    spreadsheets do not grow a row for text written by a program, so a long
    评价要求 would be cut off on screen and on paper."""
    if "\n" in text:
        return sum(max(1, -(-int(_width(part)) // width)) for part in text.split("\n"))
    return max(1, -(-int(_width(text)) // width))


def workbook_bytes(sheet_layout: Layout, findings: dict | None, result: dict | None) -> bytes:
    """The workbook, its inputs filled from `findings` (None: blank), its
    formula cells caching the values of `result` (None: 0, for a
    spreadsheet to recalculate)."""
    return copies_bytes([(sheet_layout, findings, result)])


# ---------------------------------------------------------------------------
# Cell formats (xl/styles.xml)
# ---------------------------------------------------------------------------


class _Format(NamedTuple):
    """One <xf> of styles.xml: indexes into its fonts, fills and number formats."""

    number_format: int  # 0 (General) or 164 + its index in number_formats
    font: int
    fill: int  # 0 none; 2 + its index in fills
    border: int  # 0 none, 1 thin on every side
    alignment: tuple  # the <alignment> attributes, in the order spreadsheets write them
    locked: bool


class _Formats:
    """The workbook's cell formats, numbered in the order first used, alike
    styles sharing one; format 0 is the default."""

    def __init__(self) -> None:
        default_font = (False, False, 11, None)
        self.fonts = [default_font]
        self.fills: list[str] = []
        self.number_formats: list[str] = []
        self.formats = [_Format(0, 0, 0, 0, (), True)]
        self.bordered = False
        self._by_style: dict[str, int] = {}
        self._by_spec: dict[tuple, int] = {}
        self.highlights: list[dict] = []
        self._highlight_index: dict[str, int] = {}

    def index(self, style: str) -> int:
        found = self._by_style.get(style)
        if found is None:
            spec = _STYLES[style]
            key = tuple(sorted(spec.items()))
            found = self._by_spec.get(key)
            if found is None:
                found = self._by_spec[key] = len(self.formats)
                self.formats.append(self._format(spec))
            self._by_style[style] = found
        return found

    def _format(self, spec: dict) -> _Format:
        font = (spec.get("bold", False), spec.get("italic", False), spec.get("font_size", 11), _rgb(spec.get("font_color")))
        if font not in self.fonts:
            self.fonts.append(font)
        fill = 0
        if "bg_color" in spec:
            color = _rgb(spec["bg_color"])
            if color not in self.fills:
                self.fills.append(color)
            fill = 2 + self.fills.index(color)
        number_format = 0
        if "num_format" in spec:
            if spec["num_format"] not in self.number_formats:
                self.number_formats.append(spec["num_format"])
            number_format = 164 + self.number_formats.index(spec["num_format"])
        alignment = []
        if spec.get("align") == "center":
            alignment.append(("horizontal", "center"))
        if "valign" in spec:
            alignment.append(("vertical", _VERTICAL[spec["valign"]]))
        if spec.get("indent"):
            alignment.append(("indent", spec["indent"]))
        if spec.get("text_wrap"):
            alignment.append(("wrapText", 1))
        self.bordered = self.bordered or bool(spec.get("border"))
        return _Format(number_format, self.fonts.index(font), fill, 1 if spec.get("border") else 0, tuple(alignment), spec.get("locked", True))

    def highlight(self, style: str) -> int:
        """A conditional format's <dxf>, numbered in the order first used."""
        if style not in self._highlight_index:
            spec = _CONDITIONAL[style]
            self._highlight_index[style] = len(self.highlights)
            self.highlights.append({"bold": spec.get("bold", False), "color": _rgb(spec.get("font_color")), "fill": _rgb(spec.get("bg_color"))})
        return self._highlight_index[style]

    def view(self) -> dict:
        fonts = [{"bold": bold, "italic": italic, "size": size, "color": color} for bold, italic, size, color in self.fonts]
        return {
            "number_formats": self.number_formats, "fonts": fonts, "fills": self.fills, "bordered": self.bordered,
            "formats": [f._asdict() for f in self.formats], "highlights": self.highlights,
        }


def _rgb(color: str | None) -> str | None:
    return None if color is None else color.lstrip("#").upper()


# ---------------------------------------------------------------------------
# Shared strings (xl/sharedStrings.xml)
# ---------------------------------------------------------------------------

_ESCAPED = re.compile(r"_x[0-9a-fA-F]{4}_")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


class _Strings:
    """Every text cell's string, each once, in the order first written."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def view(self) -> dict:
        """Each string as written, and whether it keeps its spaces at either end (xml:space)."""
        strings = [_encoded(text) for text in self.index]
        return {"strings": [(text, text[:1].isspace() or text[-1:].isspace()) for text in strings], "count": self.count}


def _encoded(text: str) -> str:
    """A text as a string item holds it: a character XML cannot hold (a
    control character) as _xHHHH_, and a literal _xHHHH_ with its '_' as
    _x005F_, as spreadsheets write them (workbook_reader decodes both)."""
    if "_x" in text:
        text = _ESCAPED.sub(lambda match: "_x005F" + match.group(0), text)
    return _NOT_IN_XML.sub(lambda match: f"_x{ord(match.group(0)):04X}_", text)


# ---------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------


def copies_bytes(copies: list[tuple[Layout, dict | None, dict | None]]) -> bytes:
    """One file holding several filled copies of a rubric's workbook, each
    laid out with its own sheet names (layout's `copy`), sharing the first's
    hidden sheet; named ranges only for a single copy.  A spreadsheet spends
    most of its time per file, not per sheet, so the LibreOffice proof
    recalculates many findings per file this way."""
    return _Book().bytes(copies)


class _Book:
    """One workbook being written: its cell formats and shared strings,
    numbered in the order first written, and its sheets' writers by name
    (the scoring sheet's made while a build lays it out)."""

    def __init__(self) -> None:
        self.formats, self.strings = _Formats(), _Strings()
        self.writers: dict[str, _SheetWriter] = {}

    def bytes(self, copies: list[tuple[Layout, dict | None, dict | None]]) -> bytes:
        from .templating import render_blocks

        first = copies[0][0]
        visible = [(sheet, sheet_layout, findings, None if result is None else indexed(result))
                   for sheet_layout, findings, result in copies for sheet in sheet_layout.sheets if not sheet.hidden]
        hidden = [(sheet, first, None, None) for sheet in first.sheets if sheet.hidden]
        # The inputs to fill, by where they are (a blank copy's cells are blank: a 300x rubric has 150,000).
        inputs = {(found.sheet, found.row, found.col): found
                  for sheet_layout, findings, _ in copies if findings is not None for found in sheet_layout.inputs}
        sheets = [sheet for sheet, _, _, _ in visible + hidden]
        named = [sheet.name for sheet in sheets]
        if len(set(named)) != len(named):
            raise WorkbookError(f"two of its sheets would be named {next(n for n in named if named.count(n) > 1)!r}: give each copy its own name")
        # The rows of the sheets a build streams come first, as a build writes them, so that
        # the same layout makes the same bytes however it was written.
        for sheet, sheet_layout, findings, result in sorted(visible + hidden, key=lambda entry: not entry[0].streams):
            writer = self.writers.get(sheet.name)
            if writer is None:
                writer = self.writers[sheet.name] = _SheetWriter(sheet, findings, result, self, inputs)
            writer.take(None, consume=False)
        writers = [self.writers[sheet.name] for sheet in sheets]
        names = []
        if len(copies) == 1:
            names = [{"name": name, "sheet": None, "ref": ref} for name, ref in first.names.items()]
        for number, sheet in enumerate(sheets):
            if sheet.repeat_rows:
                top, bottom = sheet.repeat_rows
                names.append({"name": "_xlnm.Print_Titles", "sheet": number, "ref": f"{_sheet_reference(sheet.name)}!${top + 1}:${bottom + 1}"})
        # Sorted as Excel sorts them: by name without the _xlnm. prefix, case ignored.
        names.sort(key=lambda name: name["name"].replace("_xlnm.", "").lower() + "::" + name["ref"].lstrip("'").lower())
        ranges = [
            name["ref"].split("!", 1)[0] + "!" + name["name"][len("_xlnm."):] if name["name"].startswith("_xlnm.") else name["name"]
            for name in names
        ]
        parts = [("[Content_Types].xml", "content_types.xml.j2", {"sheets": sheets}), ("_rels/.rels", "package.rels.j2", {}),
                 ("xl/_rels/workbook.xml.rels", "workbook.rels.j2", {"sheets": sheets})]
        parts += [(f"xl/worksheets/sheet{number}.xml", "sheet.xml.j2", writer.view(selected=number == 1))
                  for number, writer in enumerate(writers, 1)]
        held = {f"xl/worksheets/sheet{number}.xml": writer.held() for number, writer in enumerate(writers, 1)}
        parts += [
            ("xl/workbook.xml", "workbook.xml.j2", {"sheets": sheets, "names": names}),
            ("xl/sharedStrings.xml", "shared_strings.xml.j2", self.strings.view()),
            ("xl/styles.xml", "styles.xml.j2", self.formats.view()),
            ("xl/theme/theme1.xml", "theme1.xml", {}),
            ("docProps/core.xml", "core.xml.j2", {
                "title": first.plan.title, "description": f"rubricdsl {first.plan.rubric_id} {first.plan.version}", "created": CREATED}),
            ("docProps/app.xml", "app.xml.j2", {"sheets": sheets, "ranges": ranges}),
        ]
        archive = Archive()
        for filename, template, view in parts:
            blocks = render_blocks("workbook/" + template, **view)
            try:
                archive.add(filename, _with_held(blocks, held[filename]) if filename in held else blocks)
            except TooLarge as error:
                what = f"its {error.name}" if error.name else "the workbook"
                raise WorkbookError(f"{what} would be over 2 GiB, more than a spreadsheet opens") from None
        return archive.bytes()


_NEEDS_QUOTES = re.compile(r"[^\w.]|^[\d.]")
_LIKE_A_REFERENCE = re.compile(r"[A-Z]{1,3}\d+$|R\d|R?C\d|(R|C|RC)$")


def _sheet_reference(name: str) -> str:
    """A sheet's name as a reference spells it: quoted when it holds more
    than word characters and dots, or could be read as a cell (A1, R1C1),
    as XlsxWriter quoted it."""
    if _NEEDS_QUOTES.search(name) or _LIKE_A_REFERENCE.match(name.upper()):
        return "'" + name.replace("'", "''") + "'"
    return name


def _number(value) -> str:
    return f"{value:.16G}"


class _SheetWriter:
    """One sheet's rows, conditional formats and data validations as XML,
    written a block of rows at a time as they are final (a build writes the
    scoring sheet's while it is laid out) and held deflated until the sheet
    is written; and what the sheet's head and tail say of them: the used
    range and the merged ranges.  Formula cells cache `result`'s values
    (None: 0); inputs are filled from `findings` (None: blank), found in
    `inputs` by (sheet, row, column)."""

    def __init__(self, sheet, findings, result, book: _Book, inputs: dict) -> None:
        self.sheet, self.findings, self.result, self.inputs = sheet, findings, result, inputs
        self.formats, self.strings = book.formats, book.strings
        self.rows, self.highlights, self.validations = Deflated(), Deflated(), Deflated()
        self.validation_count = 0
        self.rule_count = 0  # the conditional formats written, numbered in order (their priority)
        self.next_row = 0  # every row above it is written
        # Each merged range that starts at a cell, its last cell by its first, until its row is written.
        self.anchors: dict[tuple[int, int], tuple[int, int]] = {}
        self.merges: list[tuple[tuple[int, int], str]] = []  # every such range written, as "A1:B2", by its first cell
        self.merged_below: dict[int, dict[int, str]] = {}  # the blank cells of ranges from rows above, by row
        self.covered: dict[int, tuple[int, int]] = {}  # rows below next_row a range covers: their first and last column
        self.letters: list[str] = []
        self.style_of: dict[str, int] = {}  # the format of each style name, looked up once per sheet
        self.width_of: dict[tuple[int, int], int] = {}
        # The used range so far, as XlsxWriter counted it: every cell, every row
        # given a height (from column A, or from the first hidden column), and
        # the hidden columns (view).
        self.used_rows: tuple[int, int] | None = None
        self.used_cols: tuple[int, int] | None = None
        self.any_height = False

    def take(self, limit: int | None, consume: bool) -> None:
        """Writes the rows from next_row up to `limit` (None: all that are
        left), and the conditional formats and validations laid out so far.
        `consume`: takes what is written out of the sheet (its cells, row
        heights, rules, validations and merged ranges); the layout adds
        nothing more to those rows (an AssertionError says so if it does)."""
        from .templating import render_blocks

        sheet, cells = self.sheet, self.sheet.cells
        every = sorted(cells)
        # What the layout hands over is final: nothing is added to rows already written.
        late = [row for row, _ in every[:bisect_left(every, (self.next_row,))]] + [row for row in sheet.heights if row < self.next_row]
        later_merges = []  # ranges whose first cell may still come, in rows not yet written
        for merge in sheet.merges:
            first_row, first_col, last_row, last_col = merge
            if first_row < self.next_row:
                late.append(first_row)
            elif (first_row, first_col) in cells:
                self.anchors[first_row, first_col] = (last_row, last_col)
            elif limit is not None and first_row >= limit:
                later_merges.append(merge)
        assert not late, f"the layout added to rows already written: {sorted(set(late))[:5]}"
        keys = every if limit is None else every[:bisect_left(every, (limit,))]
        self._extend_letters(max(max(map(itemgetter(1), keys), default=0), max(map(itemgetter(1), self.anchors.values()), default=0)))
        for block in render_blocks("workbook/sheet_rows.xml.j2", rows=partial(self._rows, keys, limit)):
            self.rows.write(block)
        for block in render_blocks("workbook/sheet_highlights.xml.j2", ranges=partial(self._highlights, sheet.conditional)):
            self.highlights.write(block)
        for block in render_blocks("workbook/sheet_validations.xml.j2", validations=partial(self._validations, sheet.validations)):
            self.validations.write(block)
        self.validation_count += len(sheet.validations)
        if consume:
            for where in keys:
                del cells[where]
            for row in [row for row in sheet.heights if limit is None or row < limit]:
                del sheet.heights[row]
            sheet.merges[:] = later_merges
            sheet.conditional.clear()
            sheet.validations.clear()
        if limit is not None:
            self.next_row = limit

    def view(self, selected: bool) -> dict:
        """What sheet.xml.j2 writes, once every row is taken."""
        sheet = self.sheet
        dimension = "A1"
        if self.used_rows is not None:
            top, bottom = self.used_rows
            cols = [*(self.used_cols or ()), *sheet.hidden_columns] + ([0] if self.any_height and not sheet.hidden_columns else [])
            left, right = min(cols), max(cols)
            dimension = a1(top, left) if (top, left) == (bottom, right) else f"{a1(top, left)}:{a1(bottom, right)}"
        return {
            "dimension": dimension, "selected": selected, "freeze": sheet.freeze, "columns": _columns(sheet),
            # What the writer holds deflated goes into the part as it is, where
            # the template writes its mark (_with_held).
            **{name: [_held_mark(name)] for name in _HELD},
            "merges": [ref for _, ref in sorted(self.merges)],
            "validation_count": self.validation_count, "landscape": sheet.landscape,
        }

    def held(self) -> dict[str, Deflated]:
        """What view() marks, by name: the rows, conditional formats and
        validations written so far, deflated."""
        return {name: getattr(self, name) for name in _HELD}

    def _extend_letters(self, last_col: int) -> None:
        while len(self.letters) <= last_col:
            self.letters.append(column_letters(len(self.letters)))

    def _rows(self, keys: list[tuple[int, int]], limit: int | None, xml: dict[str, str]) -> Iterator[str]:
        """The XML of every used row of this take, in order, each row and
        cell written with its format from sheet_rows.xml.j2 (`xml`), so the
        XML stays in the templates.  A cell's shape: string (a shared
        string), number, blank, formula, or text_formula (a formula whose
        cached value is text; a formula's is a number or "", which need no
        escaping)."""
        sheet, cells, letters, result, findings = self.sheet, self.sheet.cells, self.letters, self.result, self.findings
        string_cell, number_cell, blank_cell = xml["string"], xml["number"], xml["blank"]
        formula_cell, text_formula_cell = xml["formula"], xml["text_formula"]
        # Where each row's cells are, (row, col) in order: the layout's own
        # keys, grouped without a call of Python per cell.
        by_row = {row: list(row_keys) for row, row_keys in groupby(keys, itemgetter(0))}
        bounds = {row: (row_keys[0][1], row_keys[-1][1]) for row, row_keys in by_row.items()}  # each row's first and last used column
        # The merged ranges that start at a cell of these rows, each of whose
        # cells is written (blank but for the first), as spreadsheets draw a
        # range's borders; the rows they cover (and `spans`, the columns used
        # in each block of 16 rows, a hint spreadsheets write).
        anchors = {}
        for where in [where for where in self.anchors if where[0] in by_row]:
            anchors[where] = self.anchors.pop(where)
            self.merges.append((where, f"{a1(*where)}:{a1(*anchors[where])}"))
        for (row, col), (last_row, last_col) in anchors.items():
            for merged_row in range(row, last_row + 1):
                covered = bounds if limit is None or merged_row < limit else self.covered
                low, high = covered.get(merged_row, (col, last_col))
                covered[merged_row] = (min(low, col), max(high, last_col))
        for row in [row for row in self.covered if limit is None or row < limit]:
            col, last_col = self.covered.pop(row)
            low, high = bounds.get(row, (col, last_col))
            bounds[row] = (min(low, col), max(high, last_col))
        # The heights the layout gives, and (found below) those that show
        # every wrapped text whole: a range's text where it starts, unless it
        # is merged down (the rows below give it room); no hidden column's.
        given = {row: height for row, height in sheet.heights.items() if limit is None or row < limit}
        spans: dict[int, tuple[int, int]] = {}
        for row, (low, high) in bounds.items():
            block = spans.get(row // 16)
            spans[row // 16] = (low, high) if block is None else (min(block[0], low), max(block[1], high))
        span_texts = {block: f"{low + 1}:{high + 1}" for block, (low, high) in spans.items()}
        used_rows = sorted(set(bounds) | set(given))
        self.used_rows = _extent(self.used_rows, used_rows)
        self.used_cols = _extent(self.used_cols, [col for pair in bounds.values() for col in pair])
        hidden, widths, width_of = frozenset(sheet.hidden_columns), sheet.widths, self.width_of
        merged_below, style_of, formats, inputs = self.merged_below, self.style_of, self.formats, self.inputs
        add_string = self.strings.add
        anchor_rows = {row for row, _ in anchors}
        for row in used_rows:
            here = merged_below.pop(row, None)
            in_order = here is None  # else the blanks from above come first
            if in_order:
                here = {}
            number = str(row + 1)
            anchored = row in anchor_rows
            lines = 1
            for where in by_row.get(row, ()):
                kind, value, style_name, expected = cells[where]
                col = where[1]
                style = style_of.get(style_name)
                if style is None:
                    style = style_of[style_name] = formats.index(style_name)
                ref = letters[col] + number
                anchor = anchors.get(where) if anchored else None
                if anchor is not None:
                    last_row, last_col = anchor
                    for merged_row in range(row, last_row + 1):
                        merged = here if merged_row == row else merged_below.setdefault(merged_row, {})
                        for merged_col in range(col, last_col + 1):
                            merged[merged_col] = blank_cell % (f"{letters[merged_col]}{merged_row + 1}", style)
                if kind == "text":
                    if anchor is not None and value == "":
                        continue  # a merged range's empty text stays a blank cell
                    here[col] = string_cell % (ref, style, add_string(value))
                    if value and col not in hidden and (anchor is None or anchor[0] == row):
                        last_col = col if anchor is None else anchor[1]
                        width = width_of.get((col, last_col))
                        if width is None:
                            width = width_of[col, last_col] = max(int(sum(widths.get(c, 8.43) for c in range(col, last_col + 1)) - 1), 1)
                        count = _lines(value, width)
                        if count > lines:
                            lines = count
                elif kind == "formula":
                    cached = 0 if result is None else expected(result)
                    if isinstance(cached, bool):
                        cached = "TRUE" if cached else "FALSE"
                    if isinstance(cached, str) and cached != "":
                        here[col] = text_formula_cell % (ref, style, _escaped(value), _escaped(cached))
                    else:
                        here[col] = formula_cell % (ref, style, _escaped(value), cached)
                elif kind == "number":
                    here[col] = number_cell % (ref, style, _number(value))
                elif findings is None:
                    here[col] = blank_cell % (ref, style)
                else:
                    here[col] = _input_cell(findings, inputs[(sheet.name, row, col)], ref, style, add_string, xml)
            height = given.get(row)
            if height is None and lines > 1:
                height = LINE_HEIGHT * lines
            if height is not None:
                self.any_height = True
            pixels = int(height * 4 / 3 + 0.5) if height is not None else 20
            row_spans = span_texts.get(row // 16)
            attributes = (
                xml["spans"] % row_spans if row_spans else "",
                # 20 pixels (15 points) is the default height
                xml["height"] % f"{pixels * 0.75:.16g}" if pixels != 20 else "",
            )
            if not here:
                yield xml["empty_row"] % (number, *attributes)
            else:
                written = "".join(here.values() if in_order else [here[col] for col in sorted(here)])
                yield xml["row"] % (number, *attributes, written)

    def _highlights(self, rules: list[tuple[str, str, str]], xml: dict[str, str]) -> Iterator[str]:
        """The XML of each range's conditional formats, its rules in order."""
        first = self.rule_count
        self.rule_count += len(rules)
        formats_used = [self.formats.highlight(style) for _, _, style in rules]  # numbered in the order of the rules
        by_range: dict[str, list[int]] = {}
        for number, (cells, _, _) in enumerate(rules):
            by_range.setdefault(cells, []).append(number)
        for cells, numbers in by_range.items():
            written = [xml["rule"] % (formats_used[n], first + n + 1, _escaped(rules[n][1])) for n in numbers]
            yield xml["range"] % (cells, "".join(written))

    def _validations(self, validations: list[Validation], xml: dict[str, str]) -> Iterator[str]:
        """The XML of each data validation: a drop-down's list, or a measured value's range."""
        for validation in validations:
            cell = a1(*validation.cell)
            if validation.kind == "list":
                yield xml["list"] % (cell, _escaped(validation.source.lstrip("=")))
            else:
                yield xml["decimal"] % (_escaped(validation.title), _escaped(validation.message[:255]), cell,
                                        float(validation.low), float(validation.high))


# What a sheet's writer holds deflated until its part is written: its
# attributes and the sheet template's values of the same names.
_HELD = ("rows", "highlights", "validations")


def _held_mark(name: str) -> str:
    """Where a sheet's template puts one of its held pieces: NUL, which no
    XML holds, around its name."""
    return f"\0{name}\0"


_HELD_MARKS = re.compile(b"\\x00(" + b"|".join(name.encode("ascii") for name in _HELD) + b")\\x00")


def _with_held(blocks: Iterator[bytes], held: dict[str, Deflated]) -> Iterator:
    """A sheet part's text, each held piece in the place of its mark.  Every
    piece that holds text is placed, once: one the template did not mark
    would be lost."""
    placed = set()
    for block in blocks:
        for number, piece in enumerate(_HELD_MARKS.split(block)):
            if number % 2:
                name = piece.decode("ascii")
                if name in placed:
                    raise RuntimeError(f"the sheet's template marks its {name} twice")
                placed.add(name)
                yield held[name]
            elif piece:
                yield piece
    unplaced = [name for name, piece in held.items() if piece.size and name not in placed]
    if unplaced:  # not an assert: it would be gone under python -O, and the text with it
        raise RuntimeError(f"the sheet's template wrote no place for its {', '.join(unplaced)}")


def _extent(extent: tuple[int, int] | None, values: list[int]) -> tuple[int, int] | None:
    """The lowest and highest of an extent so far and of `values`."""
    if not values:
        return extent
    low, high = min(values), max(values)
    return (low, high) if extent is None else (min(extent[0], low), max(extent[1], high))


def _input_cell(findings: dict, found: Input, ref: str, style: int, add_string, xml: dict[str, str]) -> str:
    """An input cell's XML, filled from `findings`."""
    value = input_value(findings, found)
    if value is None:
        return xml["blank"] % (ref, style)
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            raise WorkbookError(
                f"{found.path} holds {len(value)} characters, more than a spreadsheet cell holds ({MAX_CELL_TEXT}): "
                "it would be cut off"
            )
        return xml["string"] % (ref, style, add_string(value))
    return xml["number"] % (ref, style, _number(float(value) if not isinstance(value, int) else value))


def _escaped(text) -> str:
    """A text as XML holds it between tags, escaped as Jinja's `e` filter
    escapes (the same bytes as the rest of the sheet's texts)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def _columns(sheet) -> list[dict]:
    """The <col> ranges: alike neighbouring columns in one, widths as
    spreadsheets store them (whole pixels of a 7-pixel digit, 5 of padding)."""
    widths = dict(sheet.widths)
    for col in sheet.hidden_columns:
        widths.setdefault(col, 8)
    columns: list[dict] = []
    for col in sorted(widths):
        pixels = int(widths[col] * 7 + 0.5) + 5 if widths[col] >= 1 else int(widths[col] * 12 + 0.5)
        width = f"{(pixels * 256 // 7) / 256.0:.16g}"
        hidden = col in sheet.hidden_columns
        if columns and columns[-1]["last"] == col and columns[-1]["width"] == width and columns[-1]["hidden"] == hidden:
            columns[-1]["last"] = col + 1
        else:
            columns.append({"first": col + 1, "last": col + 1, "width": width, "hidden": hidden})
    return columns
