"""generated/<id>/workbook.xlsx: the scoring workbook for Excel, WPS and LibreOffice.

workbook_layout.py decides every cell from the scoring plan; this module only
writes that layout with XlsxWriter, which is imported here, when a workbook
is written, so that `rubricdsl check` never loads it.  An .xlsx is a zip of
XML, not text, so it is the one generated file that no Jinja template
writes.  The bytes are reproducible: XlsxWriter writes its zip entries with
a fixed date, and the document's creation date is fixed below.

Formula cells hold the scorer's values as their cached values: of the empty
workbook for the build, of the findings for `rubricdsl score --format xlsx`.
"""

from __future__ import annotations

import datetime
import io

from ..workbook_layout import Input, Layout, WorkbookError, blank_findings, layout
from . import BuildContext

MAX_CELL_TEXT = 32767  # Excel's limit; XlsxWriter would cut a longer text silently
# A fixed creation date: two builds write the same bytes.
CREATED = datetime.datetime(2020, 1, 1)

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


def render(context: BuildContext) -> bytes:
    scorer = context.scorer
    sheet_layout = layout(context.rubric, context.plan, context.sha256, context.source_path)
    return workbook_bytes(sheet_layout, None, scorer.score(blank_findings(sheet_layout.plan), partial=True))


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
    """Display width in column units: a CJK character takes about two."""
    return sum(2.2 if ord(ch) > 0x2E7F else 1.2 for ch in text)


def _heights(sheet) -> dict[int, float]:
    """Row heights that show every wrapped text whole: spreadsheets do not
    grow a row for text written by a program, so a long 评价要求 would be
    cut off on screen and on paper."""
    spans = {(r, c): (lr, lc) for r, c, lr, lc in sheet.merges}
    lines: dict[int, int] = {}
    for (row, col), cell in sheet.cells.items():
        if cell.kind != "text" or not cell.value:
            continue
        last_row, last_col = spans.get((row, col), (row, col))
        if last_row != row:
            continue  # merged down: the rows below give it room
        width = sum(sheet.widths.get(c, 8.43) for c in range(col, last_col + 1)) - 1
        count = sum(max(1, -(-int(_width(part)) // max(int(width), 1))) for part in cell.value.split("\n"))
        lines[row] = max(lines.get(row, 1), count)
    return {row: LINE_HEIGHT * count for row, count in lines.items() if count > 1}


def _lean_worksheet_class():
    """XlsxWriter's worksheet without its formula rewriting: it runs some
    thirty regular expressions over every formula to prefix Excel 365's
    functions (_xlfn.XLOOKUP), which the workbook never uses (a test holds
    its formulas to IF, AND, OR, MAX, SUM, INT, COUNTIF, ISNUMBER, ISBLANK);
    they were half the build's time for the workbook."""
    from xlsxwriter.worksheet import Worksheet

    class LeanWorksheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            return formula[1:] if formula.startswith("=") else formula

    return LeanWorksheet


def workbook_bytes(sheet_layout: Layout, findings: dict | None, result: dict | None) -> bytes:
    """The workbook, its inputs filled from `findings` (None: blank), its
    formula cells caching the values of `result` (None: 0, for a
    spreadsheet to recalculate)."""
    return copies_bytes([(sheet_layout, findings, result)])


def copies_bytes(copies: list[tuple[Layout, dict | None, dict | None]]) -> bytes:
    """One file holding several filled copies of a rubric's workbook, each
    laid out with its own sheet names (layout's `copy`), sharing the first's
    hidden sheet; named ranges only for a single copy.  A spreadsheet spends
    most of its time per file, not per sheet, so the LibreOffice proof
    recalculates many findings per file this way."""
    import xlsxwriter

    first = copies[0][0]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": CREATED, "title": first.plan.title, "comments": f"rubricdsl {first.plan.rubric_id} {first.plan.version}"})
    book.set_calc_mode("auto")
    styles = {name: book.add_format(spec) for name, spec in _STYLES.items()}
    conditional = {name: book.add_format(spec) for name, spec in _CONDITIONAL.items()}
    lean = _lean_worksheet_class()
    visible = [(sheet, sheet_layout, findings, result) for sheet_layout, findings, result in copies for sheet in sheet_layout.sheets if not sheet.hidden]
    hidden = [(sheet, first, None, None) for sheet in first.sheets if sheet.hidden]
    inputs = {(found.sheet, found.row, found.col): found for sheet_layout, _, _ in copies for found in sheet_layout.inputs}
    for sheet, sheet_layout, findings, result in visible + hidden:
        _write_sheet(book.add_worksheet(sheet.name, worksheet_class=lean), sheet, sheet_layout, findings, result, styles, conditional, inputs)
    if len(copies) == 1:
        for name, ref in first.names.items():
            book.define_name(name, "=" + ref)
    book.close()
    return out.getvalue()


def _write_sheet(page, sheet, sheet_layout, findings, result, styles, conditional, inputs) -> None:
    for col, width in sheet.widths.items():
        page.set_column(col, col, width, None, {"hidden": col in sheet.hidden_columns})
    for col in sheet.hidden_columns:
        if col not in sheet.widths:
            page.set_column(col, col, 8, None, {"hidden": True})
    for row, height in {**_heights(sheet), **sheet.heights}.items():
        page.set_row(row, height)
    merged = {}
    for first_row, first_col, last_row, last_col in sheet.merges:
        merged[(first_row, first_col)] = (last_row, last_col)
    for (row, col), cell in sorted(sheet.cells.items()):
        style = styles[cell.style]
        if (row, col) in merged:
            last_row, last_col = merged.pop((row, col))
            if cell.kind == "text":
                page.merge_range(row, col, last_row, last_col, cell.value, style)
                continue
            page.merge_range(row, col, last_row, last_col, "", style)
        if cell.kind == "text":
            page.write_string(row, col, cell.value, style)
        elif cell.kind == "number":
            page.write_number(row, col, cell.value, style)
        elif cell.kind == "formula":
            cached = 0 if result is None else cell.expected(result)
            if isinstance(cached, bool):
                cached = "TRUE" if cached else "FALSE"
            page.write_formula(row, col, "=" + cell.value, style, cached)
        else:
            value = None if findings is None else input_value(findings, inputs[(sheet.name, row, col)])
            if value is None:
                page.write_blank(row, col, None, style)
            elif isinstance(value, str):
                if len(value) > MAX_CELL_TEXT:
                    found = inputs[(sheet.name, row, col)]
                    raise WorkbookError(
                        f"{found.path} holds {len(value)} characters, more than a spreadsheet cell holds ({MAX_CELL_TEXT}): "
                        "it would be cut off"
                    )
                page.write_string(row, col, value, style)
            else:
                page.write_number(row, col, float(value) if not isinstance(value, int) else value, style)
    for validation in sheet.validations:
        row, col = validation.cell
        if validation.kind == "list":
            options = {"validate": "list", "source": validation.source}
        else:
            options = {
                "validate": "decimal", "criteria": "between",
                "minimum": float(validation.low), "maximum": float(validation.high),
                "error_title": sheet_layout.words["wb_main_sheet"], "error_message": validation.message[:255],
            }
        page.data_validation(row, col, row, col, options)
    for cells, formula, style in sheet.conditional:
        page.conditional_format(cells, {"type": "formula", "criteria": "=" + formula, "format": conditional[style]})
    if sheet.freeze:
        page.freeze_panes(sheet.freeze, 0)
    if sheet.repeat_rows:
        page.repeat_rows(*sheet.repeat_rows)
    page.set_paper(9)
    if sheet.landscape:
        page.set_landscape()
    page.fit_to_pages(1, 0)
    page.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    page.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True, "format_rows": True})
    if sheet.hidden:
        page.hide()
