"""A filled scoring workbook read back as findings.

Standard library only (zipfile and ElementTree): an .xlsx is a zip of XML,
and the layout of workbook.xlsx is ours (workbook_layout.py), so the reader
regenerates it in memory from the rubric and knows where every input lies
and what every other cell must hold.  It reads what Excel, WPS and
LibreOffice save: shared or inline strings, numbers, booleans, formulas
with or without their cached values.

Three refusals, each naming the cell (sheet!A1):
- a workbook of another rubric, version or content (the hidden sheet
  `rubricdsl` says which), or no rubricdsl workbook at all;
- a protected cell edited: every cell that is not an input must hold the
  text, number or formula the backend writes for this rubric;
- a value an input cannot hold (a typed-over drop-down): the same checks and
  messages as a findings file, each naming its cell.
And one alarm: a formula's cached value (present once Excel or LibreOffice
recalculated) that differs from the Python scorer's.
"""

from __future__ import annotations

import datetime
import re
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal

from .records import record
from .workbook_layout import META_SHEET, WORKBOOK_FORMAT, Cell, Input, Layout, a1, blank_findings, indexed, layout

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_MAIN = "{%s}" % _NS["m"]
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")
# Formulas are compared without the spelling a spreadsheet may change when
# it saves them: spaces, quotes around sheet names, case, _xlfn. prefixes.
_STRING = re.compile(r'"(?:[^"]|"")*"')


class WorkbookProblem(Exception):
    """The workbook cannot be read as findings; `messages` name the cells."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@record
class Found:
    """A cell as the file holds it: its value (str, float, bool, or None)
    and its formula (None for a constant)."""

    value: object
    formula: str | None
    error: bool = False
    percent: bool = False  # shown as a percentage: 92.5% typed is held as 0.925


@record
class Reading:
    findings: dict
    layout: Layout
    cells: dict[str, dict[tuple[int, int], Found]]

    def cell_of(self, path: str) -> str | None:
        """The sheet!A1 of the input nearest to a findings key path."""
        inputs = {found.path: found for found in self.layout.inputs}
        while path:
            if path in inputs:
                return inputs[path].address
            if path == "evaluators":
                return inputs["evaluators.0"].address
            if path.count(".") == 2 and path.startswith("items.") and path + ".status" in inputs:
                return inputs[path + ".status"].address
            path = path.rpartition(".")[0]
        return None


def normalized(formula: str) -> str:
    text = formula.lstrip("=")
    pieces = []
    last = 0
    for match in _STRING.finditer(text):
        pieces.append(_plain(text[last:match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_plain(text[last:]))
    return "".join(pieces)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("'", "").replace("_XLFN.", "").upper() if text else text


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _texts(element) -> str:
    """A string item's text; _xHHHH_ is how the format writes a character
    XML cannot hold (a control character), and _x005F_ a literal '_'."""
    text = "".join(t.text or "" for t in element.iter(_MAIN + "t"))
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


_REFERENCE = re.compile(r"(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![0-9A-Za-z_(])")


def _shifted(formula: str, rows: int, cols: int) -> str:
    """A shared formula as a cell `rows` below and `cols` right of its
    master holds it: relative references move, $-fixed ones stay (Excel
    may save a run of alike formulas as one shared formula)."""

    def shift(match: re.Match) -> str:
        col_fixed, letters, row_fixed, digits = match.groups()
        col = _column_number(letters) + (0 if col_fixed else cols)
        row = int(digits) - 1 + (0 if row_fixed else rows)
        return f"{col_fixed}{a1(0, col).rstrip('0123456789')}{row_fixed}{row + 1}"

    pieces, last = [], 0
    for match in _STRING.finditer(formula):
        pieces.append(_REFERENCE.sub(shift, formula[last:match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_REFERENCE.sub(shift, formula[last:]))
    return "".join(pieces)


# Excel's built-in number formats that show a percentage.
_PERCENT_FORMATS = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.')


def _percent_styles(data: bytes | None) -> set[int]:
    """The cell styles (indexes of cellXfs) whose number format shows a
    percentage: a built-in one or a custom code with % outside quotes."""
    if data is None:
        return set()
    styles = ET.fromstring(data)
    formats = set(_PERCENT_FORMATS)
    for found in styles.iter(_MAIN + "numFmt"):
        if "%" in _QUOTED.sub("", found.get("formatCode", "")):
            formats.add(int(found.get("numFmtId", "-1")))
    cell_styles = styles.find(_MAIN + "cellXfs")
    if cell_styles is None:
        return set()
    return {index for index, xf in enumerate(cell_styles.findall(_MAIN + "xf")) if int(xf.get("numFmtId", "0")) in formats}


def _sheet_cells(data: bytes, shared: list[str], percent_styles: set[int] = frozenset()) -> dict[tuple[int, int], Found]:
    cells = {}
    masters: dict[str, tuple[tuple[int, int], str]] = {}
    for c in ET.fromstring(data).iter(_MAIN + "c"):
        match = _CELL_REF.fullmatch(c.get("r", ""))
        if match is None:
            continue
        where = (int(match.group(2)) - 1, _column_number(match.group(1)))
        kind = c.get("t", "n")
        f = c.find(_MAIN + "f")
        v = c.find(_MAIN + "v")
        raw = None if v is None else (v.text or "")
        value: object = None
        error = False
        if kind == "s" and raw is not None:
            value = shared[int(raw)]
        elif kind == "inlineStr":
            inline = c.find(_MAIN + "is")
            value = _texts(inline) if inline is not None else ""
        elif kind in ("str", "d"):
            value = raw
        elif kind == "b" and raw is not None:
            value = raw.strip() in ("1", "true", "TRUE")
        elif kind == "e":
            value, error = raw, True
        elif raw not in (None, ""):
            value = float(raw)
        formula = None if f is None else (f.text or "")
        if formula is not None and f.get("t") == "shared":
            if formula:
                masters[f.get("si", "")] = (where, formula)
            elif f.get("si", "") in masters:
                (row, col), master = masters[f.get("si", "")]
                formula = _shifted(master, where[0] - row, where[1] - col)
        cells[where] = Found(value, formula, error, int(c.get("s", "0")) in percent_styles)
    return cells


def read_cells(path: str) -> dict[str, dict[tuple[int, int], Found]]:
    """Every cell of every sheet of an .xlsx, by sheet name."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            book = ET.fromstring(archive.read("xl/workbook.xml"))
            rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target") for rel in rels}
            shared = []
            if "xl/sharedStrings.xml" in names:
                shared = [_texts(si) for si in ET.fromstring(archive.read("xl/sharedStrings.xml")).findall(_MAIN + "si")]
            percent_styles = _percent_styles(archive.read("xl/styles.xml") if "xl/styles.xml" in names else None)
            sheets = {}
            for sheet in book.iter(_MAIN + "sheet"):
                target = targets.get(sheet.get("{%s}id" % _NS["r"]), "")
                target = target.lstrip("/")
                member = target if target.startswith("xl/") else "xl/" + target
                sheets[sheet.get("name")] = _sheet_cells(archive.read(member), shared, percent_styles)
            return sheets
    except FileNotFoundError:
        raise WorkbookProblem([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise WorkbookProblem([f"{path}: is a folder, not a workbook"]) from None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError, IndexError):
        raise WorkbookProblem([f"{path}: not an .xlsx workbook (or a damaged one)"]) from None
    except OSError as error:
        raise WorkbookProblem([f"{path}: cannot read: {error.strerror}"]) from None


def _constant_differs(expected: Cell, found: Found | None) -> bool:
    if expected.kind == "text":
        value = "" if found is None or found.value is None else found.value
        return found is not None and found.formula is not None or value != expected.value
    if expected.kind == "number":
        return found is None or found.formula is not None or found.value != float(expected.value)
    return found is None or found.formula is None or normalized(found.formula) != normalized(expected.value)


def _identity(path: str, cells: dict, plan) -> list[str]:
    meta = cells.get(META_SHEET)
    if meta is None:
        return [f"{path}: not a rubricdsl scoring workbook (it has no sheet '{META_SHEET}')"]
    value = {key: (meta.get((row, 1)) or Found(None, None)).value for row, key in enumerate(("format", "rubric", "version", "content_hash"))}
    if value["format"] != WORKBOOK_FORMAT:
        if isinstance(value["format"], str) and value["format"].startswith("rubricdsl-workbook/"):
            return [
                f"{path}: {META_SHEET}!B1: a {value['format']} workbook, of another version of rubricdsl; this one reads "
                f"{WORKBOOK_FORMAT}: score it with the rubricdsl that wrote it, or copy its entries into a new one "
                "from `rubricdsl template --format xlsx`"
            ]
        return [f"{path}: {META_SHEET}!B1: not a {WORKBOOK_FORMAT} workbook"]
    if value["rubric"] != plan.rubric_id or value["version"] != plan.version:
        return [
            f"{path}: a workbook of rubric {value['rubric']!r} version {value['version']!r} "
            f"({META_SHEET}!B2:B3), not of {plan.rubric_id!r} version {plan.version!r}"
        ]
    if value["content_hash"] != plan.content_hash:
        return [
            f"{path}: {META_SHEET}!B4: a workbook of another content of this rubric ({value['content_hash']}; "
            f"this one is {plan.content_hash}): write a new one with `rubricdsl template --format xlsx`"
        ]
    return []


def read(path: str, rubric, plan) -> Reading:
    """The findings a workbook holds; WorkbookProblem naming the cells
    when it is another rubric's or its protected cells were edited."""
    return reading_of(read_cells(path), path, rubric, plan)


def reading_of(cells: dict, path: str, rubric, plan, copy: str = "") -> Reading:
    """read() of cells already read; `copy` names one copy of several in
    one file (workbook.copies_bytes)."""
    problems = _identity(path, cells, plan)
    if problems:
        raise WorkbookProblem(problems)
    # Which .rubric file made it (path and SHA-256) is said, not checked:
    # the content hash above is what must match.
    named = [cells[META_SHEET].get((row, 1)) for row in (4, 6)]
    sha, source = (found.value if found is not None and isinstance(found.value, str) else "" for found in named)
    expected = layout(rubric, plan, sha, source, copy)
    inputs = {(found.sheet, found.row, found.col) for found in expected.inputs}
    edited = []
    for sheet in expected.sheets:
        found_cells = cells.get(sheet.name)
        if found_cells is None:
            raise WorkbookProblem([f"{path}: the sheet '{sheet.name}' is missing"])
        for where, cell in sheet.cells.items():
            if cell.kind != "input" and _constant_differs(cell, found_cells.get(where)):
                edited.append(f"{sheet.name}!{a1(*where)}")
        for where, found in found_cells.items():
            if where not in sheet.cells and (found.formula is not None or found.value not in (None, "")):
                edited.append(f"{sheet.name}!{a1(*where)}")
    if edited:
        shown = ", ".join(edited[:10]) + (f" and {len(edited) - 10} more" if len(edited) > 10 else "")
        raise WorkbookProblem([
            f"{path}: protected cells were edited: {shown}; only the white input cells may change "
            "(start again from `rubricdsl template --format xlsx`, or undo the edits)"
        ])
    return Reading(_findings(expected, cells), expected, cells)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    return value


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _number(value):
    """A measured value as the scorer reads a JSON number: the shortest
    repr of the double the spreadsheet holds (29.999 stays 29.999)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


_UNREADABLE = object()
_BLANK_CHOICE = object()  # a choice cell left blank: no answer, unlike the option "none reached"


def _option(found: Input, value):
    """The meaning of a drop-down's text, or _UNREADABLE."""
    if value is None or value == "":
        return None
    # Exactly the option, as the formulas compare it: "不适用 " is none.
    text = _text(value)
    for option, meaning in zip(found.options, found.values):
        if option == text:
            return meaning
    return _UNREADABLE


# The date serials of 1900-03-01 and 9999-12-31: before the first, Excel's
# serials count a 29 February 1900 that never was; after the last, none.
_FIRST_SERIAL, _LAST_SERIAL = 61, 2958465


def _date(value) -> str | None:
    """A date as typed (text), or a date serial a spreadsheet made of it;
    _UNREADABLE for a number that is no date (20261127 typed as a number)."""
    if isinstance(value, float):
        if not _FIRST_SERIAL <= value < _LAST_SERIAL + 1:
            return _UNREADABLE
        return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))).isoformat()
    return _text(value)


def _findings(expected: Layout, cells) -> dict:
    plan = expected.plan
    findings = blank_findings(plan)
    unreadable: list[str] = []
    by_item: dict[str, list[tuple[Input, object]]] = {}
    for found in expected.inputs:
        cell = cells[found.sheet].get((found.row, found.col))
        value = None if cell is None else cell.value
        if cell is not None and cell.formula is not None:
            # An answer is typed or chosen; a formula could change it after the sheet is signed.
            unreadable.append(f"{found.address}: holds a formula (={cell.formula}); type or choose the answer itself")
            continue
        if found.kind == "measure" and cell is not None and cell.percent and isinstance(value, float):
            typed = format((Decimal(repr(value)) * 100).normalize(), "f")
            unreadable.append(f"{found.address}: {typed}% was typed as a percentage (held as {_number_text(value)});"
                              f" type the number {typed}")
            continue
        if found.kind == "choice" and value in (None, ""):
            value = _BLANK_CHOICE
        elif found.options:
            meaning = _option(found, value)
            if meaning is _UNREADABLE:
                unreadable.append(f"{found.address}: {_text(value)!r} is not one of: {', '.join(found.options)}")
                continue
            value = meaning
        if found.kind == "evaluator":
            text = _text(value)
            if text and text.strip():
                findings["evaluators"].append(text)
        elif found.kind == "condition":
            if value is not None:
                findings["conditions"][found.path.split(".", 1)[1]] = value
        elif found.path in ("organization", "remarks"):
            findings[found.path] = _text(value) or ""
        elif found.path == "date":
            date = _date(value)
            if date is _UNREADABLE:
                unreadable.append(f"{found.address}: {_text(value)} is a number, not a date; type the date as YYYY-MM-DD")
                continue
            findings["date"] = date or ""
        else:
            section, item = found.path.split(".")[1:3]
            by_item.setdefault(f"{section}.{item}", []).append((found, value))
    if unreadable:
        raise WorkbookProblem(unreadable)
    for item in plan.items:
        findings["items"][item.path] = _item(item, by_item.get(item.path, []))
    return findings


def _item(item, inputs: list[tuple[Input, object]]) -> dict:
    """An item's findings: what the cells hold, blanks as null where an
    answer is due (so the scorer names what is missing) and left out where
    none is (a group ruled out, an item not assessed)."""
    prefix = f"items.{item.path}."
    values = {found.path[len(prefix):]: (found, value) for found, value in inputs}
    status = values["status"][1]
    result: dict = {"status": status}
    remark = _text(values["remark"][1])
    if remark:
        result["remark"] = remark
    remarks = {}
    for key, (found, value) in values.items():
        if key.startswith("requirement_remarks."):
            text = _text(value)
            if text:
                remarks[key[len("requirement_remarks."):]] = text
    if remarks:
        result["requirement_remarks"] = remarks
    if status == "not_applicable":
        result["reason"] = _text(values["reason"][1])
    elif values["reason"][1] not in (None, ""):
        result["reason"] = _text(values["reason"][1])
    assessed = status == "assessed"
    rulings = {}
    for group in item.groups:
        ruling = values[f"groups.{group.key}.status"][1]
        reason = _text(values[f"groups.{group.key}.reason"][1])
        if ruling in (None, "assessed"):
            if reason:
                rulings[group.key] = {"status": "assessed", "reason": reason}
            continue
        rulings[group.key] = {"status": ruling} if ruling == "absent" and not reason else {"status": ruling, "reason": reason}
    if rulings:
        result["groups"] = rulings
    ruled_out = tuple(key + "." for key in rulings if rulings[key]["status"] != "assessed")
    requirements: dict = {}
    for answer in item.answers:
        due = assessed and not answer.key.startswith(ruled_out)
        if answer.kind == "parts":
            parts = {part: values[f"requirements.{answer.key}.{part}"][1] for part in answer.keys}
            if due or any(v is not None for v in parts.values()):
                requirements[answer.key] = parts
        else:
            value = values[f"requirements.{answer.key}"][1]
            if due or value is not None:
                requirements[answer.key] = value
    if requirements or (assessed and item.answers):
        result["requirements"] = requirements
    measures = {}
    for ms in item.measures:
        value = values[f"measures.{ms.key}"][1]
        if assessed or value is not None:
            measures[ms.key] = _number(value)
    if measures:
        result["measures"] = measures
    if item.kind == "choices":
        choice = values["choice"][1]
        # A blank choice of an assessed item is left out, so the scorer names it missing.
        if choice is not _BLANK_CHOICE and (assessed or choice is not None):
            result["choice"] = choice
    return result


def cached_disagreements(reading: Reading, result: dict) -> list[str]:
    """Every formula cell whose cached value (a spreadsheet's own
    calculation) differs from what the Python scorer gives."""
    found_problems = []
    scored = indexed(result)
    for sheet in reading.layout.sheets:
        found_cells = reading.cells[sheet.name]
        for where, cell in sheet.cells.items():
            if cell.kind != "formula":
                continue
            found = found_cells.get(where)
            if found is None or found.value is None:
                continue  # never calculated: nothing to compare
            wanted = cell.expected(scored)
            if not _same(found.value, wanted):
                shown = _text(found.value) if not found.error else found.value
                found_problems.append(f"{sheet.name}!{a1(*where)}: the workbook shows {shown}, the scorer gives {_text(wanted) if not isinstance(wanted, int) else wanted}")
    return found_problems


def _same(value, wanted) -> bool:
    if isinstance(wanted, str):
        return (value if isinstance(value, str) else None) == wanted
    if isinstance(value, bool) or not isinstance(value, float):
        return False
    return Decimal(repr(value)) == Decimal(repr(float(wanted))) if isinstance(wanted, float) else value == wanted
