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

from __future__ import annotations

import io
import re
import zipfile
from itertools import groupby
from operator import itemgetter
from typing import Iterator, NamedTuple

from ..workbook_layout import Input, Layout, WorkbookError, a1, column_letters, indexed, layout
from . import BuildContext

MAX_CELL_TEXT = 32767  # Excel's limit: a longer text would be cut off
# A fixed creation date: two builds write the same bytes.
CREATED = "2020-01-01T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

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
    result = context.blank_result  # before the layout: the scorer need not share memory with it
    sheet_layout = layout(context.rubric, context.plan, context.sha256, context.source_path)
    return workbook_bytes(sheet_layout, None, result)


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


def _heights(sheet) -> dict[int, float]:
    """Row heights that show every wrapped text whole: spreadsheets do not
    grow a row for text written by a program, so a long 评价要求 would be
    cut off on screen and on paper."""
    spans = {(r, c): (lr, lc) for r, c, lr, lc in sheet.merges}
    widths = sheet.widths
    hidden = frozenset(sheet.hidden_columns)  # what no one sees grows no row
    width_of: dict[tuple[int, int], int] = {}  # the characters of 1.2 units a line of these columns holds
    lines: dict[int, int] = {}
    for where, (kind, text, _, _) in sheet.cells.items():
        if kind != "text" or not text:
            continue
        row, col = where
        if col in hidden:
            continue
        span = spans.get(where)
        if span is None:
            last_col = col
        else:
            last_row, last_col = span
            if last_row != row:
                continue  # merged down: the rows below give it room
        width = width_of.get((col, last_col))
        if width is None:
            width = width_of[col, last_col] = max(int(sum(widths.get(c, 8.43) for c in range(col, last_col + 1)) - 1), 1)
        if "\n" in text:
            count = sum(max(1, -(-int(_width(part)) // width)) for part in text.split("\n"))
        else:
            count = max(1, -(-int(_width(text)) // width))
        if count > 1 and count > lines.get(row, 1):
            lines[row] = count
    return {row: LINE_HEIGHT * count for row, count in lines.items()}


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
    from .templating import render_blocks

    first = copies[0][0]
    formats, strings = _Formats(), _Strings()
    visible = [(sheet, sheet_layout, findings, None if result is None else indexed(result))
               for sheet_layout, findings, result in copies for sheet in sheet_layout.sheets if not sheet.hidden]
    hidden = [(sheet, first, None, None) for sheet in first.sheets if sheet.hidden]
    # The inputs to fill, by where they are (a blank copy's cells are blank: a 300x rubric has 150,000).
    inputs = {(found.sheet, found.row, found.col): found
              for sheet_layout, findings, _ in copies if findings is not None for found in sheet_layout.inputs}
    sheets = [sheet for sheet, _, _, _ in visible + hidden]
    sheet_views = [
        _sheet_view(sheet, sheet_layout, findings, result, formats, strings, inputs, selected=number == 0)
        for number, (sheet, sheet_layout, findings, result) in enumerate(visible + hidden)
    ]
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
    parts += [(f"xl/worksheets/sheet{number}.xml", "sheet.xml.j2", view) for number, view in enumerate(sheet_views, 1)]
    parts += [
        ("xl/workbook.xml", "workbook.xml.j2", {"sheets": sheets, "names": names}),
        # Taken once the sheets before them are written, which use them.
        ("xl/sharedStrings.xml", "shared_strings.xml.j2", strings.view),
        ("xl/styles.xml", "styles.xml.j2", formats.view),
        ("xl/theme/theme1.xml", "theme1.xml", {}),
        ("docProps/core.xml", "core.xml.j2", {
            "title": first.plan.title, "description": f"rubricdsl {first.plan.rubric_id} {first.plan.version}", "created": CREATED}),
        ("docProps/app.xml", "app.xml.j2", {"sheets": sheets, "ranges": ranges}),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, template, view in parts:
            entry = zipfile.ZipInfo(filename, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # as on Unix, where ZipInfo's default is 0 on Windows: the same bytes everywhere
            entry.external_attr = 0o600 << 16
            # Level 1: twice as fast as the default, the file a fifth larger.
            # (ZipInfo's compress_level, public from Python 3.13, is
            # _compresslevel before; writestr sets the same.)
            entry._compresslevel = 1
            # Each part deflated as it is rendered: a 300x rubric's sheet is
            # 73 MB of XML, never held whole.
            try:
                with archive.open(entry, "w") as part:
                    for block in render_blocks("workbook/" + template, **(view() if callable(view) else view)):
                        part.write(block)
            except (RuntimeError, zipfile.LargeZipFile):  # the size a part is begun without, once over 2 GiB
                raise WorkbookError(f"its {filename} would be over 2 GiB, more than a spreadsheet opens") from None
    return out.getvalue()


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


def _sheet_view(sheet, sheet_layout, findings, result, formats: _Formats, strings: _Strings, inputs, selected: bool) -> dict:
    """What sheet.xml.j2 writes for one sheet: its rows of cells (made as
    the template takes them: a 300x rubric's sheet has half a million),
    columns, merged ranges, conditional formats and data validation."""
    heights = {**_heights(sheet), **sheet.heights}
    # Where each row's cells are, (row, col) in order: the layout's own
    # keys, grouped without a call of Python per cell.
    by_row = {row: list(keys) for row, keys in groupby(sorted(sheet.cells), itemgetter(0))}
    bounds = {row: (keys[0][1], keys[-1][1]) for row, keys in by_row.items()}  # each row's first and last used column
    last_col = max([high for _, high in bounds.values()] + [merge[3] for merge in sheet.merges], default=0)
    letters = [column_letters(col) for col in range(last_col + 1)]
    # The merged ranges that start at a cell, each of whose cells is written
    # (blank but for the first), as spreadsheets draw a range's borders.
    anchors = {(first_row, first_col): (last_row, last_col) for first_row, first_col, last_row, last_col in sheet.merges
               if (first_row, first_col) in sheet.cells}
    merges = [f"{a1(row, col)}:{a1(*anchors[row, col])}" for row, col in sorted(anchors)]
    anchor_rows = {row for row, _ in anchors}
    # Rows merged into, and `spans`, the columns used in each block of 16
    # rows (a hint spreadsheets write).
    for (row, col), (last_row, last_col) in anchors.items():
        for merged_row in range(row, last_row + 1):
            low, high = bounds.get(merged_row, (col, last_col))
            bounds[merged_row] = (min(low, col), max(high, last_col))
    spans: dict[int, tuple[int, int]] = {}
    for row, (low, high) in bounds.items():
        block = spans.get(row // 16)
        spans[row // 16] = (low, high) if block is None else (min(block[0], low), max(block[1], high))
    span_texts = {block: f"{low + 1}:{high + 1}" for block, (low, high) in spans.items()}
    # The used range, as XlsxWriter counted it: every cell, every row given
    # a height (from column A, or from the first hidden column), and the
    # hidden columns.
    used_rows = set(bounds) | set(heights)
    used_cols = {col for pair in bounds.values() for col in pair} | set(sheet.hidden_columns)
    if heights and not sheet.hidden_columns:
        used_cols.add(0)
    dimension = "A1"
    if used_rows:
        top, bottom, left, right = min(used_rows), max(used_rows), min(used_cols), max(used_cols)
        dimension = a1(top, left) if (top, left) == (bottom, right) else f"{a1(top, left)}:{a1(bottom, right)}"

    def rows(xml: dict[str, str]) -> Iterator[str]:
        """The XML of every used row, in order, each row and cell written
        with its format from sheet.xml.j2 (`xml`), so the XML stays in the
        template.  A cell's shape: string (a shared string), number, blank,
        formula, or text_formula (a formula whose cached value is text; a
        formula's is a number or "", which need no escaping)."""
        string_cell, number_cell, blank_cell = xml["string"], xml["number"], xml["blank"]
        formula_cell, text_formula_cell = xml["formula"], xml["text_formula"]
        cells = sheet.cells
        merged_below: dict[int, dict[int, str]] = {}  # the blank cells of ranges from rows above
        style_of: dict[str, int] = {}  # the format of each style name, looked up once per sheet
        add_string = strings.add
        for row in sorted(used_rows):
            here = merged_below.pop(row, None)
            in_order = here is None  # else the blanks from above come first
            if in_order:
                here = {}
            number = str(row + 1)
            anchored = row in anchor_rows
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
            pixels = int(heights[row] * 4 / 3 + 0.5) if row in heights else 20
            spans = span_texts.get(row // 16)
            attributes = (
                xml["spans"] % spans if spans else "",
                # 20 pixels (15 points) is the default height
                xml["height"] % f"{pixels * 0.75:.16g}" if pixels != 20 else "",
            )
            if not here:
                yield xml["empty_row"] % (number, *attributes)
            else:
                written = "".join(here.values() if in_order else [here[col] for col in sorted(here)])
                yield xml["row"] % (number, *attributes, written)

    # Made when the template reaches them, after the rows: not held while
    # the rows are written (a 300x rubric has 110,000 rules and 70,000 checks).
    def highlights(xml: dict[str, str]) -> Iterator[str]:
        """The XML of each range's conditional formats, its rules in order."""
        rules = sheet.conditional
        formats_used = [formats.highlight(style) for _, _, style in rules]  # numbered in the order of the rules
        by_range: dict[str, list[int]] = {}
        for number, (cells, _, _) in enumerate(rules):
            by_range.setdefault(cells, []).append(number)
        for cells, numbers in by_range.items():
            written = [xml["rule"] % (formats_used[n], n + 1, _escaped(rules[n][1])) for n in numbers]
            yield xml["range"] % (cells, "".join(written))

    def validations(xml: dict[str, str]) -> Iterator[str]:
        """The XML of each data validation: a drop-down's list, or a measured value's range."""
        title = _escaped(sheet_layout.words["wb_main_sheet"])
        for validation in sheet.validations:
            cell = a1(*validation.cell)
            if validation.kind == "list":
                yield xml["list"] % (cell, _escaped(validation.source.lstrip("=")))
            else:
                yield xml["decimal"] % (title, _escaped(validation.message[:255]), cell, float(validation.low), float(validation.high))

    return {
        "dimension": dimension, "selected": selected, "freeze": sheet.freeze, "columns": _columns(sheet), "rows": rows,
        "merges": merges, "highlights": highlights,
        "validations": validations, "validation_count": len(sheet.validations), "landscape": sheet.landscape,
    }


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
