"""generated/<id>/sheet.md: the evaluator's paper sheet, laid out as Annex A.

One GitHub-flavoured Markdown table per section with the columns of the
standard's tables (评价项目 | 评价内容 | 评价要求 | 分值 | 扣分标准 | 得分), the
score column left blank to fill in; before them the eligibility checklist
(clause 6), after them the results (full marks, pass mark, grades), the
errata and the signature lines.

This module turns the model into rows of plain text; the template
(templates/sheet.md.j2) lays them out through the `md_table` and `md`
filters (markdown.py), which escape every text, so a `|` or a line break in
a rubric cannot break a table.
"""

from __future__ import annotations

from decimal import Decimal

from .. import model as m
from ..numbering import section_numeral
from ..numbers import decimal_text
from ..records import record
from ..words import labels
from . import BuildContext
from .markdown import Strong

Cells = tuple[str, ...]


@record(frozen=True)
class Table:
    """One table of the sheet: its heading, column names and rows."""

    heading: str
    header: Cells
    rows: tuple[Cells, ...]
    right: tuple[int, ...] = ()  # right-aligned (number) columns


points = decimal_text


def sheet_words(rubric: m.Rubric) -> dict[str, str]:
    """The labels of the rubric's language and the sheet's cell formats."""
    words = labels(rubric.language)
    return words


class _Sheet:
    def __init__(self, rubric: m.Rubric):
        self.rubric = rubric
        self.words = sheet_words(rubric)

    def with_notes(self, text: str, notes: tuple[m.Note, ...]) -> str:
        return "\n".join([text, *(f"{self.words['note']}{self.words['colon']}{note.text}" for note in notes)])

    def section_heading(self, section: m.Section) -> str:
        numeral = section_numeral(section.number, self.rubric.language)
        return section.caption or self.words["section_heading"].format(numeral=numeral, title=section.title)

    def conditions(self) -> Table:
        words = self.words
        rows = []
        for condition in self.rubric.conditions:
            text = condition.text
            if condition.advisory:
                text += "\n" + words["open"].strip() + words["advisory"] + words["close"]
            rows.append((condition.clause or "", self.with_notes(text, condition.notes), words["fulfilled_cell"]))
        return Table(words["conditions"], (words["col_clause"], words["col_condition"], words["col_fulfilled"]), tuple(rows))

    def section(self, section: m.Section) -> Table:
        words = self.words
        header = tuple(words[f"col_{name}"] for name in ("section", "item", "requirement", "points", "deduction", "score"))
        rows = _SectionRows(self, section).rows()
        subtotal = (Strong(words["subtotal"]), "", "", Strong(points(section.points)), "", "")
        return Table(self.section_heading(section), header, (*rows, subtotal), right=(3,))

    def scoring_rules(self) -> list[str]:
        """How the sheet is scored, as the rubric's clause 8 policies say."""
        words, rubric = self.words, self.rubric

        def rule(name: str) -> str:
            clause = rubric.policy_clause(name)
            cited = words["rule_clause"].format(clause=clause) if clause else ""
            return words[f"rule_{name}_{rubric.policy(name)}"].format(clause=cited, full_marks=points(rubric.full_marks))

        return [rule("not_applicable"), rule("nothing_met"), words["rule_absent"], words["rule_cap"]]

    def results(self) -> Table:
        words = self.words
        rows = [(self.section_heading(s), points(s.points), "") for s in self.rubric.sections]
        rows.append((Strong(words["total"]), Strong(points(self.rubric.full_marks)), ""))
        return Table(words["results"], (words["col_table"], words["col_full"], words["col_score"]), tuple(rows), right=(1, 2))

    def grades(self) -> Table:
        words = self.words
        rows = tuple((grade.label, points(grade.threshold)) for grade in self.rubric.grades)
        return Table(words["grades"], (words["col_grade"], words["col_threshold"]), rows, right=(1,))

    def place(self, path: str, sections: dict[str, m.Section]) -> str:
        """Where an erratum sits, as an evaluator finds it on the sheet, and
        its path; `sections` by key (at 300x, 2,100 of them, for each of
        1,800 errata)."""
        if not path:
            return self.words["whole_rubric"]
        section_key, _, rest = path.partition(".")
        section = sections[section_key]
        place = self.section_heading(section)
        if rest:
            item_key, _, _ = rest.partition(".")
            item = next(i for i in section.items if i.key == item_key)
            place += " " + self.words["item_cell"].format(number=item.number, title=item.title)
        return f"{place}\n{path}"

    def errata(self) -> Table:
        words = self.words
        sections = {section.key: section for section in self.rubric.sections}
        rows = tuple(
            (
                self.place(record.path, sections),
                words.get(f"field_{record.erratum.field}", record.erratum.field),
                _value(record.erratum.printed),
                _value(record.used),
                record.erratum.reason,
            )
            for record in self.rubric.errata_records()
        )
        header = (words["col_place"], words["col_field"], words["col_printed"], words["col_used"], words["col_reason"])
        return Table(words["errata"], header, rows)

    def signatures(self) -> Table:
        words = self.words
        count = self.rubric.panel.high if self.rubric.panel else 5
        rows = tuple((str(number), "", "", "") for number in range(1, count + 1))
        header = (words["col_number"], words["col_name"], words["col_affiliation"], words["col_signature"])
        return Table(words["signatures"], header, rows)


class _SectionRows:
    """The rows of one section's table.  The first row of the section and of
    each item carries the merged cells of the printed table (the section, the
    item and its points); the rows below leave them blank."""

    def __init__(self, sheet: _Sheet, section: m.Section):
        self.sheet = sheet
        self.words = sheet.words
        self.section = section
        self.found: list[Cells] = []
        self.pending_item: tuple[str, str] | None = None

    def row(self, requirement: str = "", deduction: str = "") -> None:
        section_cell = ""
        if not self.found:
            numeral = section_numeral(self.section.number, self.sheet.rubric.language)
            title = self.words["section_cell"].format(
                numeral=numeral, title=self.section.title, points=points(self.section.points)
            )
            section_cell = self.sheet.with_notes(title, self.section.notes)
        item_cell, points_cell = self.pending_item or ("", "")
        self.pending_item = None
        self.found.append((section_cell, item_cell, requirement, points_cell, deduction, ""))

    def item(self, item: m.Item) -> None:
        title = self.words["item_cell"].format(number=item.number, title=item.title)
        self.pending_item = (self.sheet.with_notes(title, item.notes), points(item.points))
        for measure in item.measures:
            self.row(self.words["measure_cell"].format(label=measure.label, unit=measure.unit))
        each_printed = False
        for requirement in item.requirements:
            deduction = ""
            if requirement.rule is not None and not requirement.rule_inherited:
                deduction = requirement.rule.text
            elif item.each is not None and not each_printed:
                # "每缺一项扣5分" is printed once, beside the item's first row.
                deduction, each_printed = item.each.text, True
            self.requirement(requirement, deduction)
        for group in item.groups:
            heading = self.words["group_cell"].format(
                heading=group.heading or self.words["group_unnamed"], points=points(group.points)
            )
            self.row(self.sheet.with_notes(heading, group.notes), group.each.text if group.each else "")
            for requirement in group.requirements:
                own = requirement.rule is not None and not requirement.rule_inherited
                self.requirement(requirement, requirement.rule.text if own else "")
        for award in (*item.tiers, *item.choices):
            self.row(award.text)
        if item.otherwise is not None:
            label = item.otherwise.label or self.words["otherwise"]
            self.row(self.words["otherwise_cell"].format(label=label, points=points(item.otherwise.points)))
        if self.pending_item is not None:  # an item with nothing inside still shows
            self.row()

    def requirement(self, requirement: m.Requirement, deduction: str) -> None:
        self.row(self.sheet.with_notes(requirement.text, requirement.notes), deduction)
        for part in requirement.parts:
            self.row(f"{self.words['part_marker']} {part.label}")

    def rows(self) -> list[Cells]:
        for item in self.section.items:
            self.item(item)
        if not self.found:
            self.row()
        return self.found


def _value(value) -> str:
    if value is None:
        return ""
    return points(value) if isinstance(value, Decimal) else str(value)


TEMPLATE = "sheet.md.j2"


def render(context: BuildContext) -> str:
    from .templating import render as render_template  # Jinja only to render: the workbook's reader needs none

    return render_template(TEMPLATE, **view(context))


def view(context: BuildContext) -> dict:
    rubric = context.rubric
    sheet = _Sheet(rubric)
    errata = sheet.errata()
    return dict(
        rubric=rubric,
        words=sheet.words,
        source_path=context.source_path,
        sha256=context.sha256,
        conditions=sheet.conditions() if rubric.conditions else None,
        sections=[sheet.section(section) for section in rubric.sections],
        results=sheet.results(),
        scoring_rules=sheet.scoring_rules(),
        full_marks=points(rubric.full_marks),
        pass_mark=points(rubric.pass_mark),
        grades=sheet.grades() if rubric.grades else None,
        errata=errata if errata.rows else None,
        signatures=sheet.signatures(),
    )
