"""generated/<id>/sheet.md: Annex A as GitHub-flavoured Markdown.

The sheet is read back with markdown-it-py (tables on, HTML on, as GitHub
renders it): every table row has the header's number of cells, and every
rubric text comes back from its cell exactly as the rubric wrote it, however
hostile.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubricdsl import model as m
from rubricdsl.backends import BuildContext, sheet
from rubricdsl.backends.markdown import comment, inline
from rubricdsl.frontend import compile_file, compile_source

from .conftest import SHIPPED_RUBRIC

import markdown_it  # noqa: E402  (a test extra: pip install -e .[test])


def parser():
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def inline_text(token) -> str:
    """The text an inline token shows; a <br> is a line break.  Markup other
    than the sheet's own (emphasis, links, HTML) fails: rubric texts are plain."""
    shown = []
    for child in token.children:
        if child.type in ("text", "text_special"):
            shown.append(child.content)
        elif child.type == "softbreak" or (child.type == "html_inline" and child.content == "<br>"):
            shown.append("\n")
        elif child.type == "code_inline":  # the sheet's own: an erratum's path
            shown.append(child.content)
        elif child.type in ("strong_open", "strong_close"):  # the sheet's own: subtotals
            continue
        else:
            raise AssertionError(f"markup {child.type} {child.content!r} in {token.content!r}")
    return "".join(shown)


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cell texts, the header row first."""
    found, rows, row = [], None, None
    for token in parser().parse(markdown):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(inline_text(token))
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            found.append(rows)
            rows = None
    return found


def raw_cell_counts(markdown: str) -> list[int]:
    """Cells per table line, counted in the source (markdown-it pads short
    rows, so the source itself must be checked)."""
    counts = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            unescaped = re.sub(r"\\.", "", line)
            counts.append(unescaped.count("|") - 1)
    return counts


def render(compilation, path="rubrics/x.rubric") -> str:
    assert compilation.ok, compilation.diagnostics
    return sheet.render(BuildContext.of(compilation, path))


@pytest.fixture(scope="module")
def shipped():
    compilation = compile_file(SHIPPED_RUBRIC)
    return compilation, render(compilation, "rubrics/t-cssg-001.5-2020.rubric")


# ---- the escaping filter ------------------------------------------------

@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("有组织方针、符合组织实际", "有组织方针、符合组织实际"),
        ("a | b", "a \\| b"),
        ("*强调* _下划线_", "\\*强调\\* \\_下划线\\_"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("`code`", "\\`code\\`"),
        ("&amp; &lt;", "\\&amp; \\&lt;"),
        ("back\\slash", "back\\\\slash"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("~~strike~~ $x$", "\\~\\~strike\\~\\~ \\$x\\$"),
        ("line one\nline two", "line one<br>line two"),
        ("crlf\r\nand cr\rend", "crlf<br>and cr<br>end"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("8.2 本评分标准", "8.2 本评分标准"),
        ("GB/T 1.1要求", "GB/T 1.1要求"),
        ("a\n# b\n3. c", "a<br>\\# b<br>3\\. c"),
    ],
)
def test_inline_escapes_exactly_what_markdown_would_read(text: str, escaped: str) -> None:
    assert inline(text) == escaped


def cell_round_trip(text: str) -> str:
    table = f"| a | b |\n| --- | --- |\n| x | {inline(text)} |\n"
    return tables(table)[0][1][1]


@pytest.mark.parametrize(
    "text",
    [
        "a | b || c",
        "<script>alert(1)</script>",
        "</script><img src=x onerror=alert(1)>",
        "**bold** and *it* and _it_ and __b__",
        "`tick` ``double`` ```",
        "&amp; &#60; &copy;",
        "trailing backslash \\",
        "[a](b) ![i](j) <http://x> www.example.com",
        "# h\n> quote\n- li\n1. ol\n---\n===",
        "~~s~~ $m$ \\| escaped already",
        "一、有体系表，层次清楚｜全角竖线",
    ],
)
def test_hostile_text_survives_a_table_cell(text: str) -> None:
    assert cell_round_trip(text) == text


# Text as a rubric can hold it: no leading or trailing blanks (a table cell
# trims them) and no control characters other than the line break.
rubric_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u00a0\u3000")
    | st.sampled_from("|\\`*_[]<>&~$#-+=.)!\n0123456789"),
    min_size=1,
    max_size=40,
).map(lambda text: "\n".join(line.strip() for line in text.split("\n")).strip()).filter(bool)


def list_item_round_trip(text: str) -> str:
    tokens = parser().parse(f"- {inline(text)}\n")
    assert [t.type for t in tokens] == [
        "bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close", "bullet_list_close",
    ], text
    return inline_text(tokens[3])


@settings(max_examples=400, deadline=None)
@given(rubric_text)
def test_any_text_survives_a_table_cell_and_a_list_item(text: str) -> None:
    assert cell_round_trip(text) == text
    assert list_item_round_trip(text) == text


def test_table_lays_out_escaped_cells_and_refuses_a_ragged_row() -> None:
    from rubricdsl.backends.markdown import Strong, table

    assert table([("a|b", Strong("5")), (Strong(""), "x\ny")], ("k", "v"), right=(1,)) == (
        "| k | v |\n| --- | ---: |\n| a\\|b | **5** |\n|  | x<br>y |"
    )
    with pytest.raises(ValueError, match="a row of 3 cells in a table of 2 columns"):
        table([("a", "b", "c")], ("k", "v"))


def test_comment_never_closes_the_comment() -> None:
    assert "--" not in comment("a--b---c-->")
    assert "\n" not in comment("a\nb")
    assert comment("rubrics/t-cssg-001.5-2020.rubric") == "rubrics/t-cssg-001.5-2020.rubric"


# ---- the shipped rubric's sheet -------------------------------------------

COLUMNS = ["评价项目", "评价内容", "评价要求", "分值", "扣分标准", "得分"]


def test_every_table_row_has_as_many_cells_as_its_header(shipped) -> None:
    _, markdown = shipped
    found = tables(markdown)
    for table in found:
        assert len({len(row) for row in table}) == 1, table[0]
    # the source too: a line with a cell too many would be cut silently
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    counts = raw_cell_counts(markdown)
    assert len(lines) == sum(len(t) + 1 for t in found)  # + the delimiter rows
    widths = [len(t[0]) for t in found for _ in range(len(t) + 1)]
    assert counts == widths


def test_one_table_per_section_with_the_columns_of_annex_a(shipped) -> None:
    compilation, markdown = shipped
    section_tables = [t for t in tables(markdown) if t[0] == COLUMNS]
    rubric = compilation.rubric
    assert len(section_tables) == len(rubric.sections) == 7
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert [s.caption for s in rubric.sections] == [h for h in headings if h.startswith("表A.")]
    for section, table in zip(rubric.sections, section_tables):
        first = table[1]
        assert first[0] == f"{section_numeral(section)}、{section.title}（{sheet.points(section.points)}分）"
        assert table[-1] == ["小计", "", "", sheet.points(section.points), "", ""]
        assert all(row[5] == "" for row in table[1:])  # 得分 is left to fill in
        item_rows = [row for row in table[1:-1] if row[1]]
        assert [row[1] for row in item_rows] == [f"{item.number}、{item.title}" for item in section.items]
        assert [row[3] for row in item_rows] == [sheet.points(item.points) for item in section.items]


def section_numeral(section: m.Section) -> str:
    from rubricdsl.numbering import section_numeral as numeral

    return numeral(section.number, "zh")


def test_every_requirement_part_award_and_deduction_text_is_a_whole_cell(shipped) -> None:
    compilation, markdown = shipped
    cells = [cell for table in tables(markdown) for row in table for cell in row]
    requirement_cells = [row[2] for table in tables(markdown) for row in table]
    deduction_cells = [row[4] for table in tables(markdown) if table[0] == COLUMNS for row in table]
    rubric = compilation.rubric
    expected_texts = 0
    for section in rubric.sections:
        for item in section.items:
            for requirement, _ in m.requirements_with_paths(item, item.key):
                assert requirement.text in requirement_cells
                expected_texts += 1
                for part in requirement.parts:
                    assert f"· {part.label}" in requirement_cells
                if requirement.rule is not None:
                    assert requirement.rule.text in deduction_cells
            for award in (*item.tiers, *item.choices):
                assert award.text in requirement_cells
            if item.each:
                assert item.each.text in deduction_cells
            for measure in item.measures:
                assert f"测量值：{measure.label} ＿＿＿＿ {measure.unit}" in requirement_cells
    assert expected_texts == 162
    for condition in rubric.conditions:
        assert any(cell.startswith(condition.text) for cell in cells)


def test_results_errata_conditions_and_signatures(shipped) -> None:
    compilation, markdown = shipped
    rubric = compilation.rubric
    found = tables(markdown)
    conditions = next(t for t in found if t[0] == ["条款", "条件", "是否满足"])
    assert [row[0] for row in conditions[1:]] == ["6.1", "6.2", "6.2", "6.3"]
    assert conditions[4][1].endswith("（建议性，不满足时仅提示）")
    results = next(t for t in found if t[0] == ["评分表", "满分", "得分"])
    assert results[1:] == [[s.caption, sheet.points(s.points), ""] for s in rubric.sections] + [["总分", "500", ""]]
    assert "满分：500分" in markdown and "合格分数线：300分（总分大于或等于 300 分为合格）" in markdown
    assert "评价结论：☐ 合格　☐ 不合格" in markdown
    assert "评价等级" not in markdown  # the standard defines no grades
    errata = next(t for t in found if t[0] == ["位置", "项目", "印刷值", "采用值", "理由"])
    assert [row[1:4] for row in errata[1:]] == [["分值", "50", "45"], ["序号", "五", "四"], ["分值", "10", "5"]]
    assert errata[1][0] == "表A.1 网格化治理标准化工作基本要求\nbasics"
    assert errata[3][4] == rubric.sections[4].items[7].errata[0].reason
    signatures = next(t for t in found if t[0] == ["序号", "姓名", "单位/职务", "签字"])
    assert [row[0] for row in signatures[1:]] == ["1", "2", "3", "4", "5", "6", "7"]  # panel 5 to 7
    assert markdown.rstrip().endswith("日期：＿＿＿＿年＿＿月＿＿日")


def test_header_names_generator_source_hash_and_version_without_a_time(shipped) -> None:
    compilation, markdown = shipped
    first = markdown.splitlines()[0]
    assert first.startswith("<!-- Generated by rubricdsl ") and first.endswith("-->")
    assert "rubrics/t-cssg-001.5-2020.rubric" in first and compilation.sha256 in first
    from rubricdsl import __version__

    assert f"rubricdsl {__version__} " in first
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", markdown.split("-->")[0])
    assert markdown == render(compile_file(SHIPPED_RUBRIC), "rubrics/t-cssg-001.5-2020.rubric")


# ---- a hostile rubric ----------------------------------------------------

HOSTILE = '''
rubric hostile-1
  title "Hostile | *title* <script>alert(1)</script>"
  version "1"
  language "en"
  full marks 10
  pass at 5
  grade good "Good | *very*" at 8
  note "# not a heading\\n1. not a list"

condition c1 "a | b <b>bold</b>"
  clause "6.1"

section s1 "Sec | `tick`" points 10
  caption "Table | 1"
  item i1 "Item *one*" points 10
    req r1 "pipe | star * under_score <img src=x onerror=alert(1)> `code` &amp; \\\\ back"
      deduct 2 "deduct | 2 ~~strike~~ [link](http://x)"
    req r2 """
      line one
      - line two | with pipe
      """
      deduct each 1 "each | part"
      part p1 "part *1* </script>"
      part p2 "1. part two"
'''


def test_hostile_texts_stay_intact_in_every_cell() -> None:
    compilation = compile_source(HOSTILE, "hostile.rubric")
    markdown = render(compilation, "rubrics/hostile--1.rubric")
    rubric = compilation.rubric
    found = tables(markdown)
    section = next(t for t in found if t[0] == ["Area", "Item", "Requirement", "Points", "Deduction", "Score"])
    requirement = rubric.sections[0].items[0].requirements
    assert [row[2] for row in section[1:]] == [
        requirement[0].text,
        "line one\n- line two | with pipe",
        "· part *1* </script>",
        "· 1. part two",
        "",
    ]
    assert section[1][0] == "1. Sec | `tick` (10 points)"
    assert section[1][1] == "1. Item *one*"
    assert section[1][4] == "deduct | 2 ~~strike~~ [link](http://x)"
    assert section[2][4] == "each | part"
    assert {len(row) for table in found for row in table} <= {2, 3, 4, 5, 6}
    for table in found:
        assert len({len(row) for row in table}) == 1
    assert raw_cell_counts(markdown) == [len(t[0]) for t in found for _ in range(len(t) + 1)]
    grades = next(t for t in found if t[0] == ["Grade", "From"])
    assert grades[1] == ["Good | *very*", "8"]
    conditions = next(t for t in found if t[0] == ["Clause", "Condition", "Fulfilled"])
    assert conditions[1][1] == "a | b <b>bold</b>"
    tokens = parser().parse(markdown)
    headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "Scoring sheet: Hostile | *title* <script>alert(1)</script>"
    assert "Table | 1" in headings
    notes = [inline_text(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert notes[0] == "# not a heading\n1. not a list"
    assert len(notes) == 1 + 4  # the note, then the four scoring rules
    assert not any(t.type == "html_block" for t in tokens[1:])  # only the header comment is HTML
    assert "hostile-\u20101.rubric" in markdown.splitlines()[0]


def test_the_sheet_states_the_rubrics_own_scoring_rules() -> None:
    shipped = sheet.render(BuildContext.of(compile_file(SHIPPED_RUBRIC), "r.rubric"))
    assert "- 应有的评价内容（或分组）各项要求均未满足的，得 0 分（8.2）。" in shipped
    assert "- 经评估组界定不适用的评价内容（或分组）按满分计（8.2）。" in shipped
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    excluded = source.replace('policy not_applicable full clause "8.2"', 'policy not_applicable excluded')
    excluded = excluded.replace('policy nothing_met zero clause "8.2"', "")
    compilation = compile_source(excluded, "r.rubric")
    assert compilation.ok
    text = sheet.render(BuildContext.of(compilation, "r.rubric"))
    assert "不计入应得分，总分按实得分÷应得分×500 分折算，四舍五入保留两位小数。" in text
    assert "各项评价要求按扣分标准扣分。" in text and "均未满足的，得 0 分" not in text


BLOCK_STARTS = [
    "    four spaces: an indented code block",
    "\\t\\ttabs",
    "   # a heading after spaces",
    "> a quote",
    "    > a quote after four spaces",
    "- a list",
    "1. an ordered list",
    "2) an ordered list",
    "```fence",
    "~~~fence",
    "| a | table |",
    "  ---",
    "<div>html</div>",
]


def test_no_block_markdown_from_rubric_text_at_the_start_of_a_line() -> None:
    notes = "".join(f'  note "{text}"\n' for text in BLOCK_STARTS)
    compilation = compile_source(
        'rubric blocks\n  title "    Title"\n  version "1"\n  language "en"\n  full marks 10\n  pass at 5\n'
        f"{notes}"
        'section s "    Section" points 10\n  caption "    Caption"\n'
        '  item i "    Item" points 10\n    note "    a note of an item"\n'
        '    req r "    Requirement"\n      deduct 10 "    Deduction"\n'
    )
    markdown = render(compilation)
    html = parser().render(markdown)
    for tag in ("<pre", "<code", "<blockquote", "<ol", "<hr", "<div", "<table>\n<thead>\n<tr>\n<th>a"):
        assert tag not in html, tag
    assert html.count("<h1>") == 1
    tokens = parser().parse(markdown)
    notes_shown = [inline_text(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert notes_shown[: len(compilation.rubric.notes)] == [note.text for note in compilation.rubric.notes]
    headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "Scoring sheet:     Title" and "    Caption" in headings
