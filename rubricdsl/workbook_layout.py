"""The scoring workbook's cells, decided from the scoring plan.

One description of workbook.xlsx serves both directions: the backend
(backends/workbook.py) writes it from its templates, and the reader
(workbook_reader.py) regenerates it in memory to know where every input
lies and what every protected cell must hold.  Nothing here imports a
spreadsheet library.

Arithmetic is done as the scorer does it, in integer units of 1/SCALE
point (plan.py): the hidden columns J (a rule's deduction), K (a score) and
L (applicable points) hold units, so every sum is a sum of integers below
2**53, which a spreadsheet's doubles hold exactly; the visible points are
units / SCALE, the double nearest the scorer's decimal.  A measured value
is compared with the rubric's bounds as typed, value against literal, so
29.999 < 30 and 59.99 < 60 hold as the plan's inclusive and exclusive
bounds say (two decimals of at most 15 significant digits are never the
same double).  The rescaled total of `policy not_applicable excluded` is
rounded half up in integer cents by an exact integer division (INT with a
correction), not by ROUND on a quotient that may lie a hair below .5.

Every text a formula compares or shows comes from the hidden sheet
`rubricdsl` (the drop-down options and the verdicts), so no formula holds
a string literal but "" and none exceeds a spreadsheet's limits (longer
than MAX_FORMULA, the workbook is refused).  Only
IF, AND, OR, MAX, SUM, INT, COUNTIF, COUNTBLANK and ISNUMBER are used:
Excel, WPS and LibreOffice all have them.
"""

# Annotations are evaluated, not kept as text (no `from __future__ import
# annotations`): typing.NamedTuple compiles each text annotation, which in
# the four modules of a build's NamedTuples cost 2-4 ms of its start-up.

from dataclasses import field
from decimal import Decimal
from typing import Callable, NamedTuple

from . import plan as p
from .numbering import section_numeral
from .numbers import decimal_text
from .findings import FINDINGS_FORMAT
from .records import record
from .words import labels

# /2: the hidden column N that the summary's 未评项目 sums (a /1 workbook has none).
WORKBOOK_FORMAT = "rubricdsl-workbook/2"
META_SHEET = "rubricdsl"
EXACT_LIMIT = 2**53  # every integer below it is a double
EVALUATOR_ROWS = 7

# The columns of Annex A, then the hidden unit columns.
COL_SECTION, COL_ITEM, COL_REQUIREMENT, COL_POINTS, COL_RULE, COL_INPUT, COL_DEDUCTED, COL_SCORE, COL_REMARK = range(9)
COL_DEDUCTION_UNITS, COL_SCORE_UNITS, COL_APPLICABLE_UNITS, COL_ANSWERS_TO_FIX, COL_UNASSESSED = 9, 10, 11, 12, 13
# The longest formula Excel opens (characters, without its "="); WPS and LibreOffice take it too.
MAX_FORMULA = 8192
# The inputs an assessed item needs answered (the reader takes none of them blank).
ANSWER_KINDS = ("answer", "part", "measure", "choice")


class WorkbookError(ValueError):
    """A rubric whose arithmetic a spreadsheet cannot do exactly."""


def column_letters(col: int) -> str:
    if col < 26:  # A to Z: nearly every cell the layout names
        return chr(65 + col)
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int, absolute: bool = False) -> str:
    """A cell's A1 address from 0-based row and column."""
    letters = chr(65 + col) if col < 26 else column_letters(col)  # half a million calls at 300x: one call fewer
    return f"${letters}${row + 1}" if absolute else f"{letters}{row + 1}"


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class Cell(NamedTuple):  # a tuple: a 300x rubric's workbook has half a million
    """One cell: `text` or `number` constants, a `formula` (with `expected`,
    its value from the scorer's result), or an `input` (what the evaluator
    fills, read back by `reads`)."""

    kind: str
    value: object = None  # constant, formula text (no "="), or an input's initial value
    style: str = "text"
    expected: Callable[[dict], object] | None = None  # formula: result -> cached value


class Validation(NamedTuple):  # tuples, as cells are: a 300x rubric has 70,000
    cell: tuple[int, int]
    kind: str  # list or decimal
    source: str = ""  # list: a range of the meta sheet
    low: Decimal | None = None
    high: Decimal | None = None
    message: str = ""  # decimal: what a value out of range is told, under `title`
    title: str = ""


class Input(NamedTuple):  # a tuple, without a __dict__: a 300x rubric has 150,000
    """Where findings find a value: `path` is its key path in the findings
    (items.basics.policy.requirements.has_policy), `kind` how the cell reads."""

    sheet: str
    row: int
    col: int
    kind: str  # status, group_status, answer, part, measure, choice, text, condition, evaluator
    path: str
    keys: tuple  # the path's keys: ("items", "basics.policy", "requirements", "has_policy")
    options: tuple[str, ...] = ()  # the drop-down's texts
    values: tuple = ()  # what each option means in the findings
    refs: tuple[str, ...] = ()  # the hidden sheet's cells of its options, which formulas compare it with

    @property
    def address(self) -> str:
        return f"{self.sheet}!{a1(self.row, self.col)}"


# Cells and inputs are made as the tuples they are, every field given: a
# NamedTuple's own constructor is a function of Python, two and a half times
# as slow (a 300x rubric's workbook makes 650,000 of them).
_tuple = tuple.__new__


@record
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: tuple[int, ...] = ()
    validations: list[Validation] = field(default_factory=list)
    conditional: list[tuple[str, str, str]] = field(default_factory=list)  # (range, formula, style)
    freeze: int = 0
    repeat_rows: tuple[int, int] | None = None
    hidden: bool = False
    landscape: bool = False
    heights: dict[int, float] = field(default_factory=dict)
    # Whether a build hands its rows to the writer as they are laid out (the
    # scoring sheet): a writer writes its rows before the other sheets'.
    streams: bool = False

    def put(self, row: int, col: int, cell: Cell) -> Cell:
        self.cells[(row, col)] = cell
        return cell

    def text(self, row: int, col: int, value: str, style: str = "text") -> None:
        self.cells[(row, col)] = _tuple(Cell, ("text", value, style, None))


@record
class Layout:
    plan: p.ScoringPlan
    words: dict[str, str]
    sheets: list[Sheet]
    inputs: list[Input]
    names: dict[str, str]  # defined name -> sheet!$A$1
    sha256: str


# ---------------------------------------------------------------------------
# What the scorer's result says each formula cell holds
# ---------------------------------------------------------------------------


def _units(plan: p.ScoringPlan, points) -> int:
    value = Decimal(points) * plan.scale
    assert value == value.to_integral_value()
    return int(value)


def _shown(plan: p.ScoringPlan, units: int):
    """Units as the number a points cell holds: an int when whole, else the
    float the spreadsheet computes as units / SCALE."""
    return units // plan.scale if units % plan.scale == 0 else units / plan.scale


class IndexedResult(dict):
    """A scorer's result with its sections and items found by key at once:
    every formula's expected value looks one up, so a search of the whole
    result each time would make the workbook quadratic in its items."""

    def __init__(self, result: dict):
        super().__init__(result)
        self.sections = {section["key"]: section for section in result["sections"]}
        self.items = {item["path"]: item for section in result["sections"] for item in section["items"]}


def indexed(result: dict) -> IndexedResult:
    return result if isinstance(result, IndexedResult) else IndexedResult(result)


def item_of(result: IndexedResult, path: str) -> dict:
    return result.items[path]


def section_of(result: IndexedResult, key: str) -> dict:
    return result.sections[key]


def group_of(result: dict, item_path: str, key: str) -> dict | None:
    for group in item_of(result, item_path)["groups"]:
        if group["key"] == key:
            return group
    return None


def _deducted_units(plan, deductions, path) -> int:
    return sum(_units(plan, d["amount"]) for d in deductions if d["path"] == path)


def _all_deductions(item: dict) -> list[dict]:
    return item["deductions"] or [d for g in item["groups"] for d in g["deductions"]]


# ---------------------------------------------------------------------------
# Building the layout
# ---------------------------------------------------------------------------


class _Builder:
    def __init__(self, plan: p.ScoringPlan, language: str, sha256: str, source: str, errata: list[tuple[str, str]], copy: str,
                 rows_final: Callable[[Sheet, int], None] | None = None):
        self.rows_final = rows_final
        self.source = source
        self.plan = plan
        self.language = language
        self.words = labels(language)
        self.sha256 = sha256
        self.errata = errata
        w = self.words
        self.cover = Sheet(w["wb_cover_sheet"] + copy, landscape=False)
        self.main = Sheet(w["wb_main_sheet"] + copy, landscape=True, streams=True)
        self.summary = Sheet(w["wb_summary_sheet"] + copy)
        self.meta = Sheet(META_SHEET, hidden=True)
        self.inputs: list[Input] = []
        self.names: dict[str, str] = {}
        self.lists_col = 3  # the meta sheet's option lists start at column D
        self.list_ranges: dict[tuple[str, ...], str] = {}  # a list's cell references -> its range, for data validation
        self.excluded = plan.not_applicable.value == "excluded"
        self.zero_rule = plan.nothing_met.value == "zero"
        self.item_rows: dict[str, int] = {}  # item path -> its row on the main sheet
        self.subtotal_rows: list[int] = []
        self.condition_cells: list[tuple[p.ConditionPlan, str]] = []
        self.group_status_cells: dict[str, str] = {}  # group key -> its status cell, for the current item
        self.making: tuple[str, str] | None = None  # ("item", "path 'title'") or a section, whose formulas are being written

    # -- the meta sheet: identity and every text formulas compare or show --

    def option_list(self, texts: tuple[str, ...]) -> tuple[str, ...]:
        """A column of the meta sheet; the absolute references of its cells
        (one tuple, which every drop-down of these options shares)."""
        col = self.lists_col
        self.lists_col += 1
        for row, text in enumerate(texts):
            self.meta.text(row, col, text)
        refs = tuple(f"{META_SHEET}!{a1(row, col, True)}" for row in range(len(texts)))
        self.list_ranges[refs] = f"={META_SHEET}!{a1(0, col, True)}:{a1(len(texts) - 1, col, True)}"
        return refs

    def list_range(self, refs: tuple[str, ...]) -> str:
        return self.list_ranges[refs]

    def build(self) -> Layout:
        w, plan = self.words, self.plan
        for row, (key, value) in enumerate(
            [
                ("format", WORKBOOK_FORMAT),
                ("rubric", plan.rubric_id),
                ("version", plan.version),
                ("content_hash", plan.content_hash),
                ("source_sha256", self.sha256),
                ("scale", str(plan.scale)),
                ("source", self.source),
            ]
        ):
            self.meta.text(row, 0, key)
            self.meta.text(row, 1, value)
        self.status = self.option_list((w["status_assessed"], w["status_not_applicable"], w["status_absent"]))
        self.met = self.option_list((w["met"], w["unmet"]))
        self.parts = self.option_list((w["wb_present"], w["missing"]))
        self.fulfilled = self.option_list((w["fulfilled"], w["not_fulfilled"]))
        verdict_texts = (w["passed"], w["failed"], w["eligible"], w["not_eligible"], w["result_provisional"])
        self.verdicts = self.option_list(verdict_texts + tuple(g.label for g in plan.grades))
        (self.incomplete,) = self.option_list((w["wb_incomplete"],))
        self.main_sheet()
        self.making = None  # the cover's and summary's formulas are the whole rubric's
        self.cover_sheet()
        self.summary_sheet()
        return Layout(plan, w, [self.cover, self.main, self.summary, self.meta], self.inputs, self.names, self.sha256)

    # -- helpers --

    def input(self, sheet: Sheet, row: int, col: int, kind: str, keys: tuple, style: str, options=(), values=(), refs=()):
        sheet.cells[(row, col)] = _tuple(Cell, ("input", None, style, None))
        path = ".".join(map(str, keys))
        self.inputs.append(_tuple(Input, (sheet.name, row, col, kind, path, keys, tuple(options), tuple(values), refs)))
        if refs:
            sheet.validations.append(Validation((row, col), "list", self.list_range(refs)))

    def formula(self, sheet: Sheet, row: int, col: int, text: str, expected, style: str = "formula"):
        if len(text) > MAX_FORMULA:  # a spreadsheet would refuse or "repair" the file: never written
            hidden = " (a hidden column)" if col in sheet.hidden_columns else ""
            problem = (f"the formula of {sheet.name}!{a1(row, col)}{hidden} would be {len(text):,} characters, "
                       f"more than a spreadsheet takes ({MAX_FORMULA:,})")
            if self.making is not None:
                kind, named = self.making
                problem = f"{kind} {named}: {problem}; split the {kind} into smaller ones"
            raise WorkbookError(problem)
        sheet.cells[(row, col)] = _tuple(Cell, ("formula", text, style, expected))

    def points_pair(self, row: int, units_col: int, shown_col: int, text: str, expected_units, style="formula"):
        """A units formula in a hidden column and its points beside the texts."""
        plan = self.plan
        self.formula(self.main, row, units_col, text, expected_units, "units")
        scale = "" if plan.scale == 1 else f"/{plan.scale}"
        self.formula(self.main, row, shown_col, f"{a1(row, units_col)}{scale}", lambda r, e=expected_units: _shown(plan, e(r)), style)

    # -- the scoring sheet (Annex A) --

    def main_sheet(self) -> None:
        w, plan, sheet = self.words, self.plan, self.main
        columns = ("col_section", "col_item", "col_requirement", "col_points", "col_deduction",
                   "col_assessment", "col_deducted", "col_score", "remark")
        sheet.text(0, 0, w["sheet"] + w["colon"] + plan.title, "title")
        sheet.merges.append((0, 0, 0, COL_REMARK))
        sheet.text(1, 0, w["wb_instructions"], "note")
        sheet.merges.append((1, 0, 1, COL_REMARK))
        sheet.heights[1] = 30
        for col, name in enumerate(columns):
            sheet.text(2, col, w[name], "header")
        sheet.text(2, COL_DEDUCTION_UNITS, "units", "header")
        sheet.text(2, COL_SCORE_UNITS, "units", "header")
        sheet.text(2, COL_APPLICABLE_UNITS, "units", "header")
        sheet.text(2, COL_ANSWERS_TO_FIX, "to fix", "header")
        sheet.text(2, COL_UNASSESSED, "unassessed", "header")
        sheet.widths = {0: 14, 1: 16, 2: 40, 3: 6, 4: 30, 5: 12, 6: 7, 7: 7, 8: 22, 9: 8, 10: 8, 11: 8, 12: 8, 13: 8}
        sheet.hidden_columns = (COL_DEDUCTION_UNITS, COL_SCORE_UNITS, COL_APPLICABLE_UNITS, COL_ANSWERS_TO_FIX, COL_UNASSESSED)
        sheet.freeze = 3
        sheet.repeat_rows = (2, 2)
        row = 3
        for number, section in enumerate(plan.sections, 1):
            row = self.section(section, number, row)
            if self.rows_final is not None:
                self.rows_final(sheet, row)
                self.inputs.clear()  # the finished items' (the cover's are made later)

    def section(self, section: p.SectionPlan, number: int, row: int) -> int:
        w, plan, sheet = self.words, self.plan, self.main
        numeral = section_numeral(number, self.language)
        heading = section.caption or w["section_heading"].format(numeral=numeral, title=section.title)
        sheet.text(row, 0, heading, "caption")
        sheet.merges.append((row, 0, row, COL_REMARK))
        row += 1
        first = row
        item_rows = []
        for item in section.items:
            item_rows.append(row)
            row = self.item(item, row)
        if row == first:  # a section without items still shows its line
            row += 1
        self.making = ("section", f"{section.key} '{section.title}'")
        sheet.text(first, COL_SECTION, w["section_cell"].format(numeral=numeral, title=section.title, points=section.points_text), "section")
        if row - 1 > first:
            sheet.merges.append((first, COL_SECTION, row - 1, COL_SECTION))
        sheet.text(row, COL_SECTION, w["subtotal"], "subtotal")
        sheet.merges.append((row, COL_SECTION, row, COL_REQUIREMENT))
        sheet.put(row, COL_POINTS, Cell("number", _shown(plan, section.points), "subtotal_number"))
        for col in (COL_RULE, COL_INPUT, COL_DEDUCTED, COL_REMARK):
            sheet.text(row, col, "", "subtotal")
        key = section.key
        units = "SUM(" + ",".join(a1(r, COL_SCORE_UNITS) for r in item_rows) + ")" if item_rows else "0"
        self.points_pair(
            row, COL_SCORE_UNITS, COL_SCORE, units,
            lambda r, key=key: _units(plan, section_of(r, key)["score"]), "subtotal_number",
        )
        if self.excluded:
            applicable = "SUM(" + ",".join(a1(r, COL_APPLICABLE_UNITS) for r in item_rows) + ")" if item_rows else "0"
            self.formula(sheet, row, COL_APPLICABLE_UNITS, applicable,
                         lambda r, key=key: _units(plan, section_of(r, key)["applicable_points"]), "units")
        self.names[f"s{number}_{_name_part(key)}"] = f"{quoted(sheet.name)}!{a1(row, COL_SCORE, True)}"
        self.subtotal_rows.append(row)
        return row + 2

    def item(self, item: p.ItemPlan, row: int) -> int:
        w, plan, sheet = self.words, self.plan, self.main
        path = ("items", item.path)
        top = row
        self.item_rows[item.path] = row
        self.making = ("item", f"{item.path} '{item.title}'")
        status_cell = a1(row, COL_INPUT, True)
        first_input = len(self.inputs)
        self.group_status_cells = {}
        sheet.text(row, COL_ITEM, w["item_cell"].format(number=item.number.split(".", 1)[1], title=item.title), "item")
        sheet.put(row, COL_POINTS, Cell("number", _shown(plan, item.points), "number"))
        sheet.text(row, COL_REQUIREMENT, w["wb_status_prompt"], "prompt")
        self.input(sheet, row, COL_INPUT, "status", (*path, "status"), "choice_input", self._status_texts(), ("assessed", "not_applicable", "absent"), self.status)
        self.input(sheet, row, COL_REMARK, "text", (*path, "remark"), "text_input")
        inherited = next((r.text for r in item.rules if r.inherited), "")
        sheet.text(row, COL_RULE, inherited)
        row += 1
        sheet.text(row, COL_REQUIREMENT, w["reason"], "prompt")
        self.input(sheet, row, COL_REMARK, "text", (*path, "reason"), "text_input")
        self.reason_check(row, status_cell)
        row += 1
        measures: dict[str, str] = {}
        for ms in item.measures:
            sheet.text(row, COL_REQUIREMENT, w["wb_measure"].format(label=ms.label, unit=ms.unit, low=decimal_text(ms.low), high=decimal_text(ms.high)), "prompt")
            self.input(sheet, row, COL_INPUT, "measure", (*path, "measures", ms.key), "number_input")
            sheet.validations.append(Validation((row, COL_INPUT), "decimal", low=ms.low, high=ms.high,
                                                message=w["out_of_range"].format(low=decimal_text(ms.low), high=decimal_text(ms.high)),
                                                title=w["wb_main_sheet"]))
            measures[ms.key] = a1(row, COL_INPUT)
            row += 1
        rules = {rule.key: rule for rule in (*item.rules, *(r for g in item.groups for r in g.rules))}
        answers = {answer.key: answer for answer in item.answers}
        if item.kind == "requirements":
            start = row
            unmet = []
            for key in item.requirement_keys:
                row, condition = self.requirement(item, key, rules.get(key), answers.get(key), measures, row)
                if condition:
                    unmet.append(condition)
            lost = f"SUM({a1(start, COL_DEDUCTION_UNITS)}:{a1(max(row - 1, start), COL_DEDUCTION_UNITS)})"
            assessed = self.capped_score(item.points, lost, unmet)
            self.item_score(item, top, status_cell, assessed, lost, (start, row))
        elif item.kind == "groups":
            group_rows = []
            for group in item.groups:
                group_rows.append(row)
                row = self.group(item, group, rules, answers, measures, status_cell, row)
            assessed = "SUM(" + ",".join(a1(r, COL_SCORE_UNITS) for r in group_rows) + ")"
            lost = "SUM(" + ",".join(a1(r, COL_DEDUCTION_UNITS) for r in group_rows) + ")"
            self.item_score(item, top, status_cell, assessed, lost, (top + 2, row), group_rows)
        else:
            row, assessed = self.award(item, measures, row)
            self.item_score(item, top, status_cell, assessed, None, (top + 2, row))
        if row - 1 > top:
            sheet.merges.append((top, COL_ITEM, row - 1, COL_ITEM))
            sheet.merges.append((top, COL_POINTS, row - 1, COL_POINTS))
        # An unassessed item's rows are grey until its status is chosen.
        sheet.conditional.append((f"{a1(top, COL_REQUIREMENT)}:{a1(row - 1, COL_REQUIREMENT)}", f"{status_cell}=\"\"", "unassessed"))
        self.answers_to_fix(top, status_cell, self.inputs[first_input:])
        # 1 while the item's status is blank: the summary counts them over one range, as a formula
        # naming every item's status cell would grow past MAX_FORMULA at some 400 items.
        self.formula(sheet, top, COL_UNASSESSED, f"0+({status_cell}=\"\")",
                     lambda r, path=item.path: int(item_of(r, path)["status"] == "not_assessed"), "units")
        section_number, item_number = item.number.split(".")
        self.names[f"i{section_number}_{item_number}_{_name_part(item.key)}"] = f"{quoted(sheet.name)}!{a1(top, COL_SCORE, True)}"
        return row

    def _status_texts(self) -> tuple[str, ...]:
        w = self.words
        return (w["status_assessed"], w["status_not_applicable"], w["status_absent"])

    def not_chosen(self, found: Input, cell: str) -> str:
        """Whether a drop-down's cell (`cell`: how the formula names it)
        holds none of its options: blank, or text typed or pasted over it
        ("不适用 " with its space).  Compared as the formulas compare, so
        whatever they do not take for an option is counted."""
        assert found.refs, f"the drop-down of {found.path} has no option cells"
        options = ",".join(f"{cell}={ref}" for ref in found.refs)
        return f"NOT(OR({options}))"

    def answers_to_fix(self, top: int, status_cell: str, inputs: list[Input]) -> None:
        """How many of an item's entries must be filled or corrected before
        its score stands (hidden column): a 评价方式 that is none of its
        options; once assessed, every answer it needs that is blank or none
        of its options, every measured value that is not a number.  Each
        such cell turns red, and while any is counted the verdict reads
        未完成: a blank is no answer, never "no deduction"."""
        sheet = self.main
        status, *inputs = inputs
        own = a1(status.row, status.col)
        wrong_status = f"AND({status_cell}<>\"\",{self.not_chosen(status, status_cell)})"
        sheet.conditional.append((own, f"AND({own}<>\"\",{self.not_chosen(status, own)})", "error"))
        by_guard: dict[str, list[str]] = {}
        for found in inputs:
            if found.kind not in ANSWER_KINDS:
                continue
            cell = a1(found.row, found.col)
            lacking = f"NOT(ISNUMBER({cell}))" if found.kind == "measure" else self.not_chosen(found, cell)
            group = found.keys[3].split(".")[0] if found.kind in ("answer", "part") else None
            guard = self.group_status_cells.get(group)
            by_guard.setdefault(guard or "", []).append(lacking)
            due = f"{status_cell}={self.status[0]}" + (f",OR({guard}=\"\",{guard}={self.status[0]})" if guard else "")
            sheet.conditional.append((cell, f"AND({due},{lacking})", "error"))
        terms = []
        for guard, lacking in by_guard.items():
            count = "+".join(lacking)
            terms.append(f"IF(OR({guard}=\"\",{guard}={self.status[0]}),{count},0)" if guard else count)
        assessed = f"IF({status_cell}={self.status[0]},{'+'.join(terms)},0)+" if terms else ""
        # "0+" makes a lone TRUE a number: a spreadsheet keeps IF's TRUE as TRUE, and SUM skips it.
        # Whenever the scorer gives a result, nothing was to fix.
        self.formula(sheet, top, COL_ANSWERS_TO_FIX, f"0+{assessed}{wrong_status}", lambda r: 0, "units")

    def reason_check(self, row: int, status_cell: str) -> None:
        """Not applicable needs its reason: the reason cell turns red while it is missing."""
        reason = a1(row, COL_REMARK)
        self.main.conditional.append((reason, f"AND({status_cell}={self.status[1]},ISBLANK({reason}))", "error"))

    def capped_score(self, points: int, lost: str, unmet: list[str]) -> str:
        """8.3 (扣完为止) and, by the rubric's policy, 8.2's zero rule."""
        capped = f"MAX(0,{points}-{lost})"
        if self.zero_rule and unmet:
            return f"IF(AND({','.join(unmet)}),0,{capped})"
        return capped

    def item_score(self, item, top, status_cell, assessed, lost, rows, group_rows=()):
        plan, sheet = self.plan, self.main
        not_applicable = 0 if self.excluded else item.points
        text = f"IF({status_cell}={self.status[0]},{assessed},IF({status_cell}={self.status[1]},{not_applicable},0))"
        path = item.path
        self.points_pair(top, COL_SCORE_UNITS, COL_SCORE, text, lambda r: _units(plan, item_of(r, path)["score"]))
        if lost is not None:
            scale = "" if plan.scale == 1 else f"/{plan.scale}"
            self.formula(
                sheet, top, COL_DEDUCTED, f"IF({status_cell}={self.status[0]},{lost},0){scale}",
                lambda r: _shown(plan, sum(_units(plan, d["amount"]) for d in _all_deductions(item_of(r, path)))), "deduction",
            )
            # 扣完为止: a capped item's score is marked.
            sheet.conditional.append((a1(top, COL_SCORE), f"AND({status_cell}={self.status[0]},{lost}>={item.points},{lost}>0)", "capped"))
        if self.excluded:
            if group_rows:
                assessed_applicable = "SUM(" + ",".join(a1(r, COL_APPLICABLE_UNITS) for r in group_rows) + ")"
            else:
                assessed_applicable = str(item.points)
            self.formula(
                sheet, top, COL_APPLICABLE_UNITS,
                f"IF({status_cell}={self.status[1]},0,IF({status_cell}={self.status[0]},{assessed_applicable},{item.points}))",
                lambda r: _units(plan, item_of(r, path)["applicable_points"]), "units",
            )

    def requirement(self, item, key, rule, answer, measures, row, group_path=None):
        """A requirement's rows: its answer, its parts, its deduction.
        Returns the next row and the rule's 'unmet' condition (zero rule)."""
        w, plan, sheet = self.words, self.plan, self.main
        path = ("items", item.path)
        text = rule.requirement_text if rule is not None else answer.text
        sheet.text(row, COL_REQUIREMENT, text)
        if rule is not None and not rule.inherited:
            sheet.text(row, COL_RULE, rule.text)
        self.input(sheet, row, COL_REMARK, "text", (*path, "requirement_remarks", key), "text_input")
        own = a1(row, COL_INPUT)
        unmet = None
        deduction = None
        if answer is not None and answer.kind == "met":
            self.input(sheet, row, COL_INPUT, "answer", (*path, "requirements", key), "choice_input", (w["met"], w["unmet"]), (True, False), self.met)
            if rule is not None:
                deduction = f"IF({own}={self.met[1]},{rule.amount},0)"
                unmet = f"{own}={self.met[1]}"
        elif answer is not None and answer.kind == "levels":
            texts = distinct((w["met"], *answer.labels), (None, *answer.keys))
            refs = self.option_list(texts)
            self.input(sheet, row, COL_INPUT, "answer", (*path, "requirements", key), "choice_input", texts, (True, *answer.keys), refs)
            amounts = {choice.key: choice.amount for choice in rule.choices}
            deduction = "0"
            for ref, level in reversed(list(zip(refs[1:], answer.keys))):
                deduction = f"IF({own}={ref},{amounts[level]},{deduction})"
            unmet = f"AND({own}<>\"\",{own}<>{refs[0]})"
        elif answer is not None and answer.kind == "parts":
            start = row + 1
            for part_key, label in zip(answer.keys, answer.labels):
                row += 1
                sheet.text(row, COL_REQUIREMENT, f"{w['part_marker']} {label}", "part")
                self.input(sheet, row, COL_INPUT, "part", (*path, "requirements", key, part_key), "choice_input",
                           (w["wb_present"], w["missing"]), (True, False), self.parts)
            span = f"{a1(start, COL_INPUT)}:{a1(row, COL_INPUT)}"
            if rule is not None:
                deduction = f"COUNTIF({span},{self.parts[1]})*{rule.amount}"
                unmet = f"COUNTIF({span},{self.parts[1]})={len(answer.keys)}"
            row -= len(answer.keys)
        elif rule is not None and rule.kind == "threshold":
            value = measures[rule.measure]
            condition = interval(rule.when, value)
            deduction = f"IF(AND(ISNUMBER({value}),{condition}),{rule.amount},0)"
            unmet = f"AND(ISNUMBER({value}),{condition})"
            sheet.text(row, COL_INPUT, w["decided_by_measure"], "prompt")
        elif rule is not None and rule.kind == "bands":
            value = measures[rule.measure]
            deduction = "0"
            for band in reversed(rule.choices):
                deduction = f"IF({interval(band.when, value)},{band.amount},{deduction})"
            deduction = f"IF(ISNUMBER({value}),{deduction},0)"
            unmet = f"AND(ISNUMBER({value}),OR({','.join(interval(b.when, value) for b in rule.choices)}))"
            sheet.text(row, COL_INPUT, w["decided_by_measure"], "prompt")
        if deduction is not None:
            rule_path = rule.path
            item_path = item.path
            self.points_pair(
                row, COL_DEDUCTION_UNITS, COL_DEDUCTED, deduction,
                lambda r: _deducted_units(plan, _all_deductions(item_of(r, item_path)), rule_path), "deduction",
            )
        row += 1 + (len(answer.keys) if answer is not None and answer.kind == "parts" else 0)
        return row, unmet if rule is not None else None

    def group(self, item, group, rules, answers, measures, status_cell, row):
        w, plan, sheet = self.words, self.plan, self.main
        path = ("items", item.path, "groups", group.key)
        top = row
        heading = w["group_cell"].format(heading=group.heading or w["group_unnamed"], points=plan.text(group.points))
        sheet.text(row, COL_REQUIREMENT, heading, "group")
        inherited = next((r.text for r in group.rules if r.inherited), "")
        sheet.text(row, COL_RULE, inherited, "group_text")
        gstatus = a1(row, COL_INPUT, True)
        self.group_status_cells[group.key] = gstatus
        self.input(sheet, row, COL_INPUT, "group_status", (*path, "status"), "choice_input", self._status_texts(),
                   ("assessed", "not_applicable", "absent"), self.status)
        row += 1
        sheet.text(row, COL_REQUIREMENT, w["reason"], "prompt")
        self.input(sheet, row, COL_REMARK, "text", (*path, "reason"), "text_input")
        self.reason_check(row, gstatus)
        row += 1
        start = row
        unmet = []
        prefix = group.key + "."
        for key in item.requirement_keys:
            if key.startswith(prefix):
                row, condition = self.requirement(item, key, rules.get(key), answers.get(key), measures, row)
                if condition:
                    unmet.append(condition)
        lost_range = f"SUM({a1(start, COL_DEDUCTION_UNITS)}:{a1(max(row - 1, start), COL_DEDUCTION_UNITS)})"
        assessed = self.capped_score(group.points, lost_range, unmet)
        not_applicable = 0 if self.excluded else group.points
        score = (
            f"IF({status_cell}<>{self.status[0]},0,IF(OR({gstatus}=\"\",{gstatus}={self.status[0]}),{assessed},"
            f"IF({gstatus}={self.status[1]},{not_applicable},0)))"
        )
        item_path, key = item.path, group.key

        def group_score(r):
            found = group_of(r, item_path, key) if item_of(r, item_path)["groups"] else None
            return 0 if found is None else _units(plan, found["score"])

        self.points_pair(top, COL_SCORE_UNITS, COL_SCORE, score, group_score)
        lost = f"IF(AND({status_cell}={self.status[0]},OR({gstatus}=\"\",{gstatus}={self.status[0]})),{lost_range},0)"

        def group_lost(r):
            found = group_of(r, item_path, key) if item_of(r, item_path)["groups"] else None
            return 0 if found is None else sum(_units(plan, d["amount"]) for d in found["deductions"])

        self.points_pair(top, COL_DEDUCTION_UNITS, COL_DEDUCTED, lost, group_lost, "deduction")
        if self.excluded:
            self.formula(
                sheet, top, COL_APPLICABLE_UNITS, f"IF({gstatus}={self.status[1]},0,{group.points})",
                # An item not assessed has no group rulings: each group counts its points.
                lambda r, points=group.points: _units(plan, group_of(r, item_path, key)["applicable_points"])
                if item_of(r, item_path)["groups"] else points,
                "units",
            )
        return row

    def award(self, item, measures, row):
        w, plan, sheet = self.words, self.plan, self.main
        path = ("items", item.path)
        if item.kind == "tiers":
            for tier in item.awards:
                sheet.text(row, COL_REQUIREMENT, tier.text)
                sheet.put(row, COL_DEDUCTED, Cell("text", "", "text"))
                row += 1
            score = str(item.otherwise.points)
            for tier in reversed(item.awards):
                value = measures[tier.when.measure]
                score = f"IF(AND(ISNUMBER({value}),{interval(tier.when, value)}),{tier.points},{score})"
        else:
            for choice in item.awards:
                sheet.text(row, COL_REQUIREMENT, choice.text)
                row += 1
            none_label = item.otherwise.label or w["choice_none"]
            texts = distinct(tuple(c.text for c in item.awards) + (none_label,), tuple(c.key for c in item.awards) + (None,))
            refs = self.option_list(texts)
            sheet.text(row, COL_REQUIREMENT, w["choose_one"], "prompt")
            self.input(sheet, row, COL_INPUT, "choice", (*path, "choice"), "choice_input", texts,
                       tuple(c.key for c in item.awards) + (None,), refs)
            own = a1(row, COL_INPUT)
            score = str(item.otherwise.points)
            for ref, choice in reversed(list(zip(refs, item.awards))):
                score = f"IF({own}={ref},{choice.points},{score})"
            row += 1
        if item.otherwise.line is not None:
            label = item.otherwise.label or w["otherwise"]
            sheet.text(row, COL_REQUIREMENT, w["otherwise_cell"].format(label=label, points=plan.text(item.otherwise.points)))
            row += 1
        return row, score

    # -- the cover --

    def cover_sheet(self) -> None:
        w, plan, sheet = self.words, self.plan, self.cover
        sheet.widths = {0: 16, 1: 60, 2: 14}
        sheet.text(0, 0, plan.title, "title")
        sheet.merges.append((0, 0, 0, 2))
        standards = " / ".join(plan.standards)
        sheet.text(1, 0, f"{w['standard']}{w['colon']}{standards}　{w['version']}{w['colon']}{plan.version}", "note")
        sheet.merges.append((1, 0, 1, 2))
        row = 3
        for label, key in ((w["organization"], "organization"), (w["evaluation_date"], "date"), (w["remarks"], "remarks")):
            sheet.text(row, 0, label, "header")
            self.input(sheet, row, 1, "text", (key,), "text_input")
            row += 1
        sheet.text(row - 2, 2, w["wb_date_format"], "note")
        sheet.text(row, 0, w["result_evaluators"], "header")
        for number in range(EVALUATOR_ROWS):
            self.input(sheet, row + number, 1, "evaluator", ("evaluators", number), "text_input")
        sheet.merges.append((row, 0, row + EVALUATOR_ROWS - 1, 0))
        row += EVALUATOR_ROWS + 1
        if plan.conditions:
            sheet.text(row, 0, w["col_clause"], "header")
            sheet.text(row, 1, w["col_condition"], "header")
            sheet.text(row, 2, w["col_fulfilled"], "header")
            row += 1
            for condition in plan.conditions:
                text = condition.text
                if condition.advisory:
                    text += "\n" + w["open"].strip() + w["advisory"] + w["close"]
                sheet.text(row, 0, condition.clause or "")
                sheet.text(row, 1, text)
                self.input(sheet, row, 2, "condition", ("conditions", condition.key), "choice_input",
                           (w["fulfilled"], w["not_fulfilled"]), (True, False), self.fulfilled)
                self.condition_cells.append((condition, f"{quoted(sheet.name)}!{a1(row, 2, True)}"))
                row += 1
            row += 1
        sheet.text(row, 0, w["scoring_rules"], "header")
        sheet.merges.append((row, 0, row, 2))
        row += 1
        for rule in self.scoring_rules():
            sheet.text(row, 0, rule)
            sheet.merges.append((row, 0, row, 2))
            row += 1
        if self.errata:
            row += 1
            sheet.text(row, 0, w["errata"], "header")
            sheet.merges.append((row, 0, row, 2))
            row += 1
            for place, entry in self.errata:
                sheet.text(row, 0, place)
                sheet.text(row, 1, entry)
                sheet.merges.append((row, 1, row, 2))
                row += 1

    def scoring_rules(self) -> list[str]:
        w, plan = self.words, self.plan

        def rule(name: str, value: str, clause) -> str:
            cited = w["rule_clause"].format(clause=clause) if clause else ""
            return w[f"rule_{name}_{value}"].format(clause=cited, full_marks=plan.text(plan.full_marks))

        return [
            rule("not_applicable", plan.not_applicable.value, plan.not_applicable.clause),
            rule("nothing_met", plan.nothing_met.value, plan.nothing_met.clause),
            w["rule_absent"],
            w["rule_cap"],
        ]

    # -- the summary --

    def summary_sheet(self) -> None:
        w, plan, sheet, main = self.words, self.plan, self.summary, self.main
        sheet.widths = {0: 44, 1: 10, 2: 16, 3: 16, 4: 16}
        sheet.text(0, 0, w["summary"] + w["colon"] + plan.title, "title")
        sheet.merges.append((0, 0, 0, 2))
        sheet.text(1, 0, w["col_table"], "header")
        sheet.text(1, 1, w["col_full"], "header")
        sheet.text(1, 2, w["col_score"], "header")
        row = 2
        here = quoted(main.name)
        for number, (section, subtotal) in enumerate(zip(plan.sections, self.subtotal_rows), 1):
            numeral = section_numeral(number, self.language)
            sheet.text(row, 0, section.caption or w["section_heading"].format(numeral=numeral, title=section.title))
            sheet.put(row, 1, Cell("number", _shown(plan, section.points), "number"))
            key = section.key
            self.formula(sheet, row, 2, f"{here}!{a1(subtotal, COL_SCORE, True)}",
                         lambda r, key=key: _shown(plan, _units(plan, section_of(r, key)["score"])))
            self.formula(sheet, row, 3, f"{here}!{a1(subtotal, COL_SCORE_UNITS, True)}",
                         lambda r, key=key: _units(plan, section_of(r, key)["score"]), "units")
            if self.excluded:
                self.formula(sheet, row, 4, f"{here}!{a1(subtotal, COL_APPLICABLE_UNITS, True)}",
                             lambda r, key=key: _units(plan, section_of(r, key)["applicable_points"]), "units")
            row += 1
        first, last = 2, row - 1
        raw = f"SUM({a1(first, 3)}:{a1(last, 3)})" if plan.sections else "0"
        sheet.text(row, 0, w["total"], "subtotal")
        sheet.put(row, 1, Cell("number", _shown(plan, plan.full_marks), "subtotal_number"))
        total_row = row
        # Hidden: the total in units x 100, which the pass mark and the grades compare.
        if self.excluded:
            applicable = f"SUM({a1(first, 4)}:{a1(last, 4)})"
            self.formula(sheet, row, 4, applicable, lambda r: _units(plan, r["applicable_points"]), "units")
            a = a1(row, 4)
            numerator = f"(200*{raw}*{plan.full_marks}+{a}*{plan.scale})"
            denominator = f"(2*{a}*{plan.scale})"
            quotient = f"INT({numerator}/{denominator})"
            cents = f"({quotient}-({quotient}*{denominator}>{numerator})+(({quotient}+1)*{denominator}<={numerator}))"
            self.formula(sheet, row, 5, f"IF({a}=0,0,{cents})", lambda r: 0 if _units(plan, r["applicable_points"]) == 0 else int(Decimal(r["total"]) * 100), "units")
            hundredths = f"IF({a}=0,{plan.full_marks * 100},{a1(row, 5)}*{plan.scale})"
            shown = f"IF({a}=0,{plan.full_marks}/{plan.scale},{a1(row, 5)}/100)"
        else:
            hundredths = f"{raw}*100"
            shown = raw if plan.scale == 1 else f"{raw}/{plan.scale}"
        self.formula(sheet, row, 3, hundredths, lambda r: int(Decimal(r["total"]) * plan.scale * 100), "units")
        self.formula(sheet, row, 2, shown, lambda r: _shown_total(plan, r), "subtotal_number")
        self.names["total"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
        t = a1(total_row, 3, True)
        row += 1
        # Under the total, the entries it still needs: while any is counted, verdicts read 未完成.
        sheet.text(row, 0, w["wb_answers_to_fix"])
        column = f"{here}!{a1(3, COL_ANSWERS_TO_FIX, True)}:{a1(max(self.item_rows.values(), default=3), COL_ANSWERS_TO_FIX, True)}"
        counted = [f"SUM({column})"] if self.item_rows else []
        for found in (found for found in self.inputs if found.kind == "condition"):
            cell, own = f"{quoted(found.sheet)}!{a1(found.row, found.col, True)}", a1(found.row, found.col)
            counted.append(f"AND({cell}<>\"\",{self.not_chosen(found, cell)})")
            self.cover.conditional.append((own, f"AND({own}<>\"\",{self.not_chosen(found, own)})", "error"))
        self.formula(sheet, row, 2, "0+" + "+".join(counted) if counted else "0", lambda r: 0, "number_formula")
        self.names["answers_to_fix"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
        to_fix_cell = a1(row, 2, True)
        sheet.conditional.append((a1(row, 2), f"{a1(row, 2)}>0", "error"))
        row += 1
        sheet.text(row, 0, w["wb_pass_mark"])
        sheet.put(row, 1, Cell("number", _shown(plan, plan.pass_mark), "number"))
        row += 1
        sheet.text(row, 0, w["wb_verdict"])
        self.formula(sheet, row, 2, f"IF({to_fix_cell}>0,{self.incomplete},IF({t}>={plan.pass_mark * 100},{self.verdicts[0]},{self.verdicts[1]}))",
                     lambda r: w["passed"] if r["passed"] else w["failed"], "verdict")
        self.names["pass"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
        row += 1
        sheet.text(row, 0, w["eligibility"])
        required = [cell for condition, cell in self.condition_cells if not condition.advisory]
        eligible = f"IF(AND({','.join(f'{cell}={self.fulfilled[0]}' for cell in required)}),{self.verdicts[2]},{self.verdicts[3]})" if required else self.verdicts[2]
        self.formula(sheet, row, 2, eligible, lambda r: w["eligible"] if r["eligible"] else w["not_eligible"], "verdict")
        self.names["eligible"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
        row += 1
        if plan.grades:
            sheet.text(row, 0, w["result_grade"])
            grade = '""'
            for number, g in enumerate(plan.grades):
                grade = f"IF({t}>={g.threshold * 100},{self.verdicts[5 + number]},{grade})"
            grade = f"IF({to_fix_cell}>0,{self.incomplete},{grade})"
            self.formula(sheet, row, 2, grade, lambda r: r["grade"]["label"] if r["grade"] else "", "verdict")
            self.names["grade"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
            row += 1
        sheet.text(row, 0, w["unassessed_items"])
        last_item = max(self.item_rows.values(), default=3)
        blanks = f"SUM({here}!{a1(3, COL_UNASSESSED, True)}:{a1(last_item, COL_UNASSESSED, True)})" if self.item_rows else "0"
        self.formula(sheet, row, 2, blanks, lambda r: len(r["not_assessed"]), "number_formula")
        self.names["not_assessed"] = f"{quoted(sheet.name)}!{a1(row, 2, True)}"
        unassessed = a1(row, 2)
        row += 1
        sheet.text(row, 0, w["wb_provisional"])
        unrecorded = [f"{cell}=\"\"" for _, cell in self.condition_cells]
        condition = f"OR({unassessed}>0,{','.join(unrecorded)})" if unrecorded else f"{unassessed}>0"
        self.formula(sheet, row, 2, f"IF({condition},{self.verdicts[4]},\"\")", lambda r: w["result_provisional"] if r["provisional"] else "", "verdict")
        sheet.hidden_columns = (3, 4, 5)


def _shown_total(plan: p.ScoringPlan, result: dict):
    total = Decimal(result["total"])
    return int(total) if total == total.to_integral_value() else float(total)


def _name_part(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in key)


def distinct(texts: tuple[str, ...], values: tuple) -> tuple[str, ...]:
    """Drop-down texts a spreadsheet tells apart (it compares text without
    case): numbered when two would read alike."""
    folded = [text.casefold() for text in texts]
    if len(set(folded)) == len(folded) and all(texts):
        return texts
    return tuple(f"{number}. {text}" for number, text in enumerate(texts, 1))


def interval(bound: p.Bound, value: str) -> str:
    """The plan's interval as a comparison of a measured cell, bounds as the
    plan gives them (inclusive or not)."""
    parts = []
    if bound.low is not None:
        parts.append(f"{value}{'>=' if bound.low_inclusive else '>'}{decimal_text(bound.low)}")
    if bound.high is not None:
        parts.append(f"{value}{'<=' if bound.high_inclusive else '<'}{decimal_text(bound.high)}")
    if not parts:
        return "TRUE"
    return parts[0] if len(parts) == 1 else f"AND({','.join(parts)})"


def layout(rubric, plan: p.ScoringPlan, sha256: str, source: str = "", copy: str = "",
           rows_final: Callable[[Sheet, int], None] | None = None) -> Layout:
    """The workbook of a checked rubric (its model for the language and the
    errata, its plan for everything scored); `source` and `sha256` name the
    .rubric it was made from (the hidden sheet's B7 and B5).  `copy` is
    appended to the names of the visible sheets, for several evaluators'
    sheets in one file (workbook.copies_bytes).

    `rows_final(sheet, row)`, when given, is called as each section of the
    scoring sheet is laid out: every row above `row` is final, and it may
    take those rows' cells, and the conditional formats and validations so
    far, out of the sheet (a build writes them then: a 300x rubric's half a
    million cells are never held at once).  Nothing is added to those rows
    afterwards: no cell, height, merged range or conditional format.  The
    inputs of those rows are not kept either: such a layout is for writing
    a blank workbook, not for reading one."""
    check_exact(plan)
    return _Builder(plan, rubric.language, sha256, source, errata(rubric), copy, rows_final).build()


def errata(rubric) -> list[tuple[str, str]]:
    """Each erratum as (where it sits, what was printed and what is used)."""
    from .backends.sheet import _Sheet

    sheet = _Sheet(rubric)
    words = sheet.words
    rows = []
    for where, field_name, printed, used, reason in sheet.errata().rows:
        place = where.rpartition("\n")[0] or where  # without the key path, which is not for evaluators
        entry = words["erratum_entry"].format(field=field_name, printed=printed, used=used)
        rows.append((place, f"{entry}{words['colon']}{reason}" if reason else entry))
    return rows


def check_exact(plan: p.ScoringPlan) -> None:
    """Refuse a rubric whose sums or bounds a spreadsheet's doubles cannot
    hold exactly (docs/workbook.md): a silently wrong workbook is worse than none."""
    largest = plan.full_marks * 100 * max(plan.scale, 1)
    if plan.not_applicable.value == "excluded":
        largest = max(largest, 200 * plan.full_marks * plan.full_marks + plan.full_marks * plan.scale)
    if largest >= EXACT_LIMIT:
        raise WorkbookError(
            f"its points need {len(str(plan.full_marks))} digits in units of 1/{plan.scale} point, "
            "more than a spreadsheet computes exactly (15 significant digits)"
        )
    for item in plan.items:
        for number in p.compared_numbers(item):
            digits = len(number.normalize().as_tuple().digits)
            if digits > 15:
                raise WorkbookError(
                    f"item {item.path} compares with {decimal_text(number)}, more digits than a spreadsheet holds (15)"
                )


def blank_findings(plan: p.ScoringPlan) -> dict:
    """The findings of a workbook before its cells are read: the header of
    this revision, nothing recorded (the empty workbook's cached values are
    the scorer's result of these, scored partial)."""
    return {
        "format": FINDINGS_FORMAT,
        "rubric": {"id": plan.rubric_id, "version": plan.version, "content_hash": plan.content_hash},
        "organization": "",
        "date": "",
        "evaluators": [],
        "remarks": "",
        "conditions": {},
        "items": {},
    }
