"""The transcription of T/CSSG 001.5-2020 Annex A: shipped and as printed."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rubricdsl import model as m
from rubricdsl.diagnostics import Severity, render
from rubricdsl.frontend import compile_bytes, compile_file

from .conftest import AS_PRINTED_RUBRIC, SHIPPED_RUBRIC, TESTS, assert_golden


def test_shipped_rubric_checks_clean_with_500_full_marks() -> None:
    compilation = compile_file(SHIPPED_RUBRIC)
    assert compilation.ok
    assert [d for d in compilation.diagnostics if d.severity is not Severity.INFO] == []
    rubric = compilation.rubric
    assert rubric.full_marks == 500 and rubric.pass_mark == 300
    assert (rubric.panel.low, rubric.panel.high, rubric.panel.method, rubric.panel.disagreement) == (5, 7, "median", 2)
    assert sum(s.points for s in rubric.sections) == 500
    assert [s.points for s in rubric.sections] == [45, 25, 120, 120, 70, 60, 60]


def test_shipped_rubric_has_every_table_item_and_requirement() -> None:
    rubric = compile_file(SHIPPED_RUBRIC).rubric
    assert [s.caption.split()[0] for s in rubric.sections] == [f"表A.{n}" for n in range(1, 8)]
    assert [len(s.items) for s in rubric.sections] == [8, 4, 5, 10, 8, 5, 4]
    requirements = [r for s in rubric.sections for i in s.items for r, _ in m.requirements_with_paths(i, "")]
    assert len(requirements) == 162
    assert sum(len(r.parts) for r in requirements) == 33
    assert [c.key for c in rubric.conditions] == [
        "self_assessed",
        "running_half_year",
        "self_check_passed",
        "no_major_incident",
    ]
    assert [c.advisory for c in rubric.conditions] == [False, False, False, True]


def test_every_printed_requirement_text_is_transcribed_verbatim() -> None:
    """Each requirement text, part label that is printed as a row, and award
    text occurs in the standard's text as it is printed (modulo the dump's
    page-break joins, which the rubric's comments name)."""
    standard = (TESTS.parent.parent / "shared" / "standard" / "t-cssg-001.5-2020-draft.txt")
    if not standard.exists():
        import pytest

        pytest.skip("the standard's text is not beside the repository")
    printed = "".join(standard.read_text(encoding="utf-8").split())
    rubric = compile_file(SHIPPED_RUBRIC).rubric
    texts = []
    for section in rubric.sections:
        for item in section.items:
            texts.append(item.title)
            texts += [t.text for t in item.tiers] + [c.text for c in item.choices]
            for group in item.groups:
                if group.heading:
                    texts.append(group.heading)
            for requirement, _ in m.requirements_with_paths(item, ""):
                texts.append(requirement.text)
                if requirement.rule is not None:
                    texts.append(requirement.rule.text)
    texts += [c.text for c in rubric.conditions]
    texts = [piece for t in texts for piece in PAGE_BREAK_JOINS.get(t, [t])]
    missing = [t for t in texts if "".join(t.split()) not in printed]
    assert missing == []


# Texts the dump breaks across a page (the table header repeats between the
# halves); the rubric joins them, each half is printed.
PAGE_BREAK_JOINS = {
    "完成培训计划量的50%以上,100%以下扣2分; 完成培训计划量的30%以上,50%以下扣3分； 完成培训计划量的 30%以下扣5 分。": [
        "完成培训计划量的50%以上,100%以下扣2分; 完成培训计划量的30%以上,50%",
        "以下扣3分； 完成培训计划量的 30%以下扣5 分。",
    ],
    "有数据共享和数据交换接口要求": ["有数据共享和数据交换接口要"],
}


def test_as_printed_fixture_gives_exactly_these_diagnostics() -> None:
    compilation = compile_bytes(
        AS_PRINTED_RUBRIC.read_bytes(), AS_PRINTED_RUBRIC.relative_to(TESTS.parent).as_posix()
    )
    text = "\n".join(render(d, compilation.source) for d in compilation.diagnostics) + "\n"
    assert_golden(TESTS / "golden" / "as-printed.txt", text)
    shown = [(d.code, d.span.line) for d in compilation.diagnostics if d.severity is not Severity.INFO]
    lines = compilation.source.splitlines()
    assert [code for code, _ in shown] == ["E302", "E301", "E301", "W404"]
    assert "full marks 500" in lines[shown[0][1] - 1]
    assert 'section basics "网格化服务管理标准化工作基本要求" points 50' in lines[shown[1][1] - 1]
    assert 'section posts "岗位工作标准" points 70' in lines[shown[2][1] - 1]
    assert 'item service_efficiency "服务效率" points 20' in lines[shown[3][1] - 1]


def _as_printed(rubric: m.Rubric) -> m.Rubric:
    """Undo every erratum of the shipped rubric: each records the printed value."""
    sections = []
    for section in rubric.sections:
        section_changes = {e.field: e.printed for e in section.errata if e.field == "points"}
        items = []
        for item in section.items:
            item_changes = {e.field: e.printed for e in item.errata if e.field == "points"}
            item = replace(item, errata=(), **item_changes)
            if item.key == "service_efficiency":
                item = replace(item, otherwise=None)  # made explicit in the shipped file
            items.append(item)
        sections.append(replace(section, items=tuple(items), errata=(), **section_changes))
    return replace(rubric, sections=tuple(sections), errata=())


def test_errata_record_exactly_the_differences_from_the_printed_table() -> None:
    shipped = compile_file(SHIPPED_RUBRIC).rubric
    printed = compile_file(AS_PRINTED_RUBRIC).rubric
    assert _as_printed(shipped) == printed
    records = {(r.path, r.erratum.field): (r.erratum.printed, r.used) for r in shipped.errata_records()}
    assert records == {
        ("basics", "points"): (Decimal(50), Decimal(45)),
        ("posts.big_data_posts", "points"): (Decimal(10), Decimal(5)),
        ("management", "numeral"): ("五", "四"),
    }
