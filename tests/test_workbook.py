"""The scoring workbook: its formulas per rule shape, reproducible bytes,
reading a filled workbook back as findings, and every refusal.  LibreOffice
recalculating random workbooks is tests/test_workbook_libreoffice.py."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from rubricdsl import model as m
from rubricdsl.backends import BuildContext, workbook, zip_parts
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.plan import Bound, lower
from rubricdsl.workbook_layout import (
    COL_ANSWERS_TO_FIX, COL_DEDUCTION_UNITS, COL_INPUT, COL_SCORE_UNITS, COL_UNASSESSED, WORKBOOK_FORMAT, WorkbookError, a1, interval, layout, quoted,
)
from rubricdsl.workbook_layout import quoted as quote
from rubricdsl.workbook_reader import read_cells, reading_of

from .conftest import ROOT, SHIPPED_RUBRIC
from .scoring_helpers import FIXTURE, MINI, changed, compiled, complete_findings, mini_scorer

RUBRIC = str(SHIPPED_RUBRIC)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rubricdsl.cli", *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd)


def mini_layout(**changes):
    compilation = compiled(MINI)
    rubric = compilation.rubric
    if changes:
        import dataclasses

        rubric = dataclasses.replace(rubric, **changes)
    return layout(rubric, lower(rubric), compilation.sha256)


def formula_of(sheet_layout, item_path: str, text: str, col: int) -> str:
    """The formula in column `col` of the row of item `item_path` whose 评价要求 is `text`."""
    sheet = sheet_layout.sheets[1]
    top = next(found.row for found in sheet_layout.inputs if found.path == f"items.{item_path}.status")
    for (row, column), cell in sorted(sheet.cells.items()):
        if row >= top and column == 2 and cell.value == text:
            return sheet.cells[(row, col)].value
    raise KeyError(text)


def item_formula(sheet_layout, item_path: str) -> str:
    found = next(found for found in sheet_layout.inputs if found.path == f"items.{item_path}.status")
    return sheet_layout.sheets[1].cells[(found.row, COL_SCORE_UNITS)].value


# ---- the formulas, per rule shape (units: MINI has SCALE 10) -------------------


def test_a_met_rule_deducts_its_amount_when_unmet() -> None:
    sheet_layout = mini_layout()
    assert sheet_layout.plan.scale == 10
    # "deduct 1.5" is 15 units, when the answer is the meta sheet's 不符合 / unmet.
    formula = formula_of(sheet_layout, "a.fixed", "two", COL_DEDUCTION_UNITS)
    assert re.fullmatch(r"IF\(F\d+=rubricdsl!\$E\$2,15,0\)", formula), formula


def test_levels_deduct_the_chosen_levels_amount() -> None:
    formula = formula_of(mini_layout(), "a.levels", "table", COL_DEDUCTION_UNITS)
    assert re.fullmatch(r"IF\((F\d+)=rubricdsl!\$(\w)\$2,50,IF\(\1=rubricdsl!\$\2\$3,30,0\)\)", formula), formula


def test_parts_deduct_per_missing_part() -> None:
    formula = formula_of(mini_layout(), "a.parts", "docs", COL_DEDUCTION_UNITS)
    assert re.fullmatch(r"COUNTIF\(F(\d+):F(\d+),rubricdsl!\$F\$2\)\*10", formula), formula
    first, last = map(int, re.findall(r"F(\d+)", formula))
    assert last - first == 2  # parts a, b, c


def test_bands_and_thresholds_compare_with_the_plans_bounds() -> None:
    sheet_layout = mini_layout()
    bands = formula_of(sheet_layout, "a.measured", "plan completed", COL_DEDUCTION_UNITS)
    measure = re.search(r"ISNUMBER\((F\d+)\)", bands).group(1)
    assert bands == (
        f"IF(ISNUMBER({measure}),IF(AND({measure}>=50,{measure}<100),20,IF(AND({measure}>=30,{measure}<50),30,"
        f"IF({measure}<30,50,0))),0)"
    )
    threshold = formula_of(sheet_layout, "a.measured", "participation 80+", COL_DEDUCTION_UNITS)
    assert threshold == f"IF(AND(ISNUMBER({measure}),{measure}<80),10,0)"


def test_interval_bounds_keep_their_inclusiveness_and_digits() -> None:
    bound = Bound("m", Decimal("29.999"), True, Decimal("59.99"), False, "")
    assert interval(bound, "F9") == "AND(F9>=29.999,F9<59.99)"
    assert interval(Bound("m", None, False, Decimal("90"), True, ""), "F9") == "F9<=90"
    assert interval(Bound("m", Decimal("0.5"), False, None, False, ""), "F9") == "F9>0.5"


def test_an_item_is_capped_at_its_points_and_scored_by_its_status() -> None:
    formula = item_formula(mini_layout(), "a.fixed")
    status = re.match(r"IF\((\$F\$\d+)=", formula).group(1)
    assert formula == (
        f"IF({status}=rubricdsl!$D$1,MAX(0,50-SUM({formula.split('SUM(')[1].split(')')[0]})),"
        f"IF({status}=rubricdsl!$D$2,50,0))"
    )


def test_the_zero_rule_and_excluded_policies_change_the_formulas() -> None:
    policies = (m.Policy("nothing_met", "zero", "8.2"), m.Policy("not_applicable", "excluded", "8.2"))
    sheet_layout = mini_layout(policies=policies)
    formula = item_formula(sheet_layout, "a.fixed")
    # Nothing met: 0 whatever the deductions; not applicable: 0, left out of the maximum.
    assert re.search(r"IF\(AND\(F\d+=rubricdsl!\$E\$2,F\d+=rubricdsl!\$E\$2,F\d+=rubricdsl!\$E\$2\),0,MAX\(0,50-SUM", formula)
    assert formula.endswith("IF($F$%s=rubricdsl!$D$2,0,0))" % re.match(r"IF\(\$F\$(\d+)", formula).group(1))
    summary = sheet_layout.sheets[2]
    cents = [cell.value for cell in summary.cells.values() if cell.kind == "formula" and "INT(" in cell.value]
    assert cents and "ROUND" not in cents[0]  # exact integer rounding, not ROUND on a float quotient


def test_groups_have_their_own_caps_and_the_item_sums_them() -> None:
    sheet_layout = mini_layout()
    formula = item_formula(sheet_layout, "a.grouped")
    assert re.fullmatch(r"IF\((\$F\$\d+)=rubricdsl!\$D\$1,SUM\(K\d+,K\d+\),IF\(\1=rubricdsl!\$D\$2,50,0\)\)", formula), formula
    sheet = sheet_layout.sheets[1]
    group_rows = [int(r) - 1 for r in re.findall(r"K(\d+)", formula)]
    first = sheet.cells[(group_rows[0], COL_SCORE_UNITS)].value
    assert "MAX(0,25-SUM(" in first and ",25," in first  # 2.5 points: its own cap, and full when not applicable


def test_awards_take_the_first_tier_that_holds_or_the_otherwise() -> None:
    sheet_layout = mini_layout()
    tiers = item_formula(sheet_layout, "b.tiers")
    assert re.search(r"IF\(AND\(ISNUMBER\((F\d+)\),\1>=90\),200,IF\(AND\(ISNUMBER\(\1\),AND\(\1>=80,\1<90\)\),150,", tiers), tiers
    choices = item_formula(sheet_layout, "b.brand")
    assert re.search(r"IF\((F\d+)=rubricdsl!\$\w\$1,100,IF\(\1=rubricdsl!\$\w\$2,50,10\)\)", choices), choices


def test_named_ranges_for_the_total_the_verdict_sections_and_items() -> None:
    names = mini_layout().names
    assert {"total", "pass", "eligible", "grade", "not_assessed", "s1_a", "s2_b", "i1_1_fixed", "i2_2_brand"} <= set(names)


def test_only_functions_every_spreadsheet_has() -> None:
    allowed = {"IF", "AND", "OR", "NOT", "MAX", "SUM", "INT", "COUNTIF", "ISNUMBER", "ISBLANK"}
    for sheet_layout in (mini_layout(policies=(m.Policy("not_applicable", "excluded", None),)), workbook_layout_of_shipped()):
        for sheet in sheet_layout.sheets:
            texts = [cell.value for cell in sheet.cells.values() if cell.kind == "formula"]
            texts += [formula for _, formula, _ in sheet.conditional]
            for text in texts:
                assert set(re.findall(r"([A-Z]+)\(", text)) <= allowed, text
                assert len(text) < 8000


def workbook_layout_of_shipped():
    compilation = compile_file(SHIPPED_RUBRIC)
    return layout(compilation.rubric, lower(compilation.rubric), compilation.sha256)


def test_a_rubric_a_spreadsheet_cannot_compute_exactly_is_refused() -> None:
    source = MINI.replace("deduct 1.5", "deduct 1.0000000000000001").replace("points 5\n    req one", "points 5\n    req one", 1)
    compilation = compile_source(source.replace("full marks 60", "full marks 60"), "long.rubric")
    if not compilation.ok:
        pytest.skip("the edited rubric does not check")
    with pytest.raises(WorkbookError, match="15 significant digits"):
        layout(compilation.rubric, lower(compilation.rubric), compilation.sha256)


def test_the_unassessed_items_are_counted_over_one_range_however_many_there_are() -> None:
    sheet_layout = mini_layout()
    main, summary = sheet_layout.sheets[1], sheet_layout.sheets[2]
    statuses = [found for found in sheet_layout.inputs if found.kind == "status"]
    for found in statuses:
        assert main.cells[(found.row, COL_UNASSESSED)].value == f'0+($F${found.row + 1}="")'
    counted = next(cell.value for cell in summary.cells.values() if cell.kind == "formula" and f"${a1(0, COL_UNASSESSED)[0]}$" in cell.value)
    assert counted == f"SUM({quoted(main.name)}!$N$4:$N${statuses[-1].row + 1})"


def test_a_formula_longer_than_a_spreadsheet_takes_is_refused_naming_its_cell(tmp_path) -> None:
    # One section of 1,500 items: its subtotal would name 1,500 score cells.
    items = "".join(f'  item i{n} "I{n}" points 1\n    req r "R"\n      deduct 1 "no R: -1"\n' for n in range(1500))
    rubric = tmp_path / "wide.rubric"
    header = 'rubric wide\n  title "Wide"\n  version "1"\n  language "zh"\n  full marks 1500\n  pass at 1\n\n'
    rubric.write_text(f'{header}section s "S" points 1500\n{items}', encoding="utf-8")
    checked = compile_source(rubric.read_text(encoding="utf-8"), str(rubric))
    assert checked.ok, [d.message for d in checked.diagnostics]
    done = run("build", str(rubric), "-o", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "cannot write workbook.xlsx: section s 'S': the formula of 评分表!K4505 (a hidden column) would be" in done.stderr
    assert "more than a spreadsheet takes (8,192); split the section into smaller ones" in done.stderr
    assert "Traceback" not in done.stderr
    # One item of 200 requirements: the count of its answers still to fix would name each of them.
    requirements = "".join(f'    req r{n} "R{n}"\n      deduct 1 "no R{n}: -1"\n' for n in range(200))
    rubric.write_text(f'{header}section s "S" points 1500\n  item many "Many" points 1500\n{requirements}', encoding="utf-8")
    done = run("build", str(rubric), "-o", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "cannot write workbook.xlsx: item s.many 'Many': the formula of 评分表!M5 (a hidden column) would be" in done.stderr
    assert "split the item into smaller ones" in done.stderr
    assert not any((tmp_path / "out").rglob("*"))  # nothing written


# ---- the generated file ----------------------------------------------------------


def test_two_builds_write_the_same_bytes_with_fixed_dates(tmp_path) -> None:
    compilation = compile_file(SHIPPED_RUBRIC)
    context = BuildContext.of(compilation, "rubrics/t-cssg-001.5-2020.rubric")
    first, second = workbook.render(context), workbook.render(context)
    assert first == second
    path = tmp_path / "w.xlsx"
    path.write_bytes(first)
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2020-01-01T00:00:00Z" in core
    assert (SHIPPED_RUBRIC.parent.parent / "generated" / "t-cssg-001.5-2020" / "workbook.xlsx").read_bytes() == first


def test_check_does_not_load_the_spreadsheet_libraries() -> None:
    code = (
        "import sys\nfrom rubricdsl.cli import main\n"
        f"try:\n    main(['check', {RUBRIC!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('xlsxwriter', 'openpyxl', 'zipfile')))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip().splitlines()[-1] == "[]", completed.stdout + completed.stderr


# ---- reading back ------------------------------------------------------------------


def test_a_filled_workbook_scores_as_its_findings(tmp_path) -> None:
    filled = tmp_path / "filled.xlsx"
    done = run("score", RUBRIC, str(FIXTURE), "--format", "xlsx", "-o", str(filled))
    assert done.returncode == 0, done.stderr
    from_json = json.loads(run("score", RUBRIC, str(FIXTURE), "--format", "json").stdout)
    read_back = run("score", RUBRIC, str(filled), "--format", "json")
    assert read_back.returncode == 0, read_back.stderr
    result = json.loads(read_back.stdout)
    assert result["warnings"] == []  # the workbook names the rubric's content hash
    from_json.pop("warnings"), result.pop("warnings")
    assert result == from_json


def test_the_blank_template_is_the_generated_workbook_and_scores_partial(tmp_path) -> None:
    blank = tmp_path / "blank.xlsx"
    # Named as the build names it (relative to the project), it is the build's bytes.
    assert run("template", "rubrics/t-cssg-001.5-2020.rubric", "--format", "xlsx", "-o", str(blank), cwd=ROOT).returncode == 0
    assert blank.read_bytes() == (SHIPPED_RUBRIC.parent.parent / "generated" / "t-cssg-001.5-2020" / "workbook.xlsx").read_bytes()
    result = run("score", RUBRIC, str(blank), "--partial", "--format", "json")
    assert result.returncode == 0, result.stderr  # its cached values are the scorer's for the empty workbook
    assert json.loads(result.stdout)["total"] == 0
    complete = run("score", RUBRIC, str(blank))
    assert complete.returncode == 2
    assert "封面!B4 (organization)" in complete.stderr and "评分表!F5 (items.basics.policy.status)" in complete.stderr


def rewritten(source: Path, target: Path, member: str, change) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(info, data)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("filled") / "filled.xlsx"
    assert run("score", RUBRIC, str(FIXTURE), "--format", "xlsx", "-o", str(path)).returncode == 0
    return path


def test_a_workbook_of_another_format_says_which_and_what_to_do(filled, tmp_path) -> None:
    older = tmp_path / "older.xlsx"
    rewritten(filled, older, "xl/sharedStrings.xml", lambda xml: xml.replace(WORKBOOK_FORMAT, "rubricdsl-workbook/1"))
    done = run("score", RUBRIC, str(older))
    assert done.returncode == 2 and done.stdout == ""
    assert f"rubricdsl!B1: a rubricdsl-workbook/1 workbook, of another version of rubricdsl; this one reads {WORKBOOK_FORMAT}" in done.stderr
    assert "protected cells" not in done.stderr


def test_an_edited_formula_is_refused_naming_the_cell(filled, tmp_path) -> None:
    edited = tmp_path / "edited.xlsx"
    rewritten(filled, edited, "xl/worksheets/sheet2.xml", lambda xml: re.sub(r'(<c r="K5"[^>]*><f>)', r"\g<1>1+", xml, count=1))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2
    assert "protected cells were edited: 评分表!K5;" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_cached_value_that_is_not_the_scorers_is_reported(filled, tmp_path) -> None:
    edited = tmp_path / "stale.xlsx"
    # H5 caches the item's score; write another number there.
    rewritten(filled, edited, "xl/worksheets/sheet2.xml", lambda xml: re.sub(r'(<c r="H5"[^>]*><f>[^<]*</f><v>)[^<]*', r"\g<1>99", xml, count=1))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2
    assert "disagree with the scorer" in done.stderr and "评分表!H5: the workbook shows 99" in done.stderr


def test_a_typed_over_drop_down_names_its_cell(filled, tmp_path) -> None:
    edited = tmp_path / "typed.xlsx"
    # F7 holds has_policy's 符合 as a shared string: type "yes" over it.
    rewritten(filled, edited, "xl/worksheets/sheet2.xml",
              lambda xml: re.sub(r'<c r="F7"( s="\d+")? t="s"><v>\d+</v></c>', r'<c r="F7"\1 t="inlineStr"><is><t>yes</t></is></c>', xml))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2
    assert "评分表!F7: 'yes' is not one of: 符合, 不符合" in done.stderr


def test_another_rubrics_workbook_is_refused(tmp_path) -> None:
    mini = tmp_path / "mini.rubric"
    mini.write_text(MINI, encoding="utf-8")
    other = tmp_path / "mini.xlsx"
    assert run("template", str(mini), "--format", "xlsx", "-o", str(other)).returncode == 0
    done = run("score", RUBRIC, str(other), "--partial")
    assert done.returncode == 2
    assert "a workbook of rubric 'mini-1' version '1' (rubricdsl!B2:B3), not of 't-cssg-001.5-2020'" in done.stderr
    not_a_workbook = tmp_path / "x.xlsx"
    not_a_workbook.write_text("no zip", encoding="utf-8")
    done = run("score", RUBRIC, str(not_a_workbook))
    assert done.returncode == 2 and "not an .xlsx workbook" in done.stderr


def test_xlsx_output_needs_a_file_and_one_findings(tmp_path) -> None:
    assert "give -o FILE.xlsx" in run("template", RUBRIC, "--format", "xlsx").stderr
    assert "give -o FILE.xlsx" in run("score", RUBRIC, str(FIXTURE), "--format", "xlsx").stderr


DUPLICATES = """rubric dup-1
  title "D"
  version "1"
  language "en"
  full marks 10
  pass at 5

section s "S" points 10
  item i "I" points 10
    group a "A" points 5
      deduct each 1 "each"
      req r "r"
    group b "B" points 5
      deduct each 1 "each"
      req r "r"
"""


def test_groups_with_alike_requirements_keep_their_own_rules() -> None:
    """Requirements compare by value without their spans: two groups' `req r "r"`
    under the same rule must still be two rules (found by the LibreOffice test)."""
    from .scoring_helpers import scorer_for

    compilation = compiled(DUPLICATES, "dup.rubric")
    assert [[rule.path for rule in group.rules] for group in lower(compilation.rubric).items[0].groups] == [["s.i.a.r"], ["s.i.b.r"]]
    findings = {
        "format": "rubricdsl-findings/1", "rubric": {"id": "dup-1", "version": "1"}, "organization": "x", "date": "2026-01-01",
        "evaluators": ["a"], "remarks": "", "conditions": {},
        "items": {"s.i": {"status": "assessed", "requirements": {"a.r": False, "b.r": True}}},
    }
    groups = scorer_for(DUPLICATES, "dup.rubric").score(findings)["sections"][0]["items"][0]["groups"]
    assert [(group["key"], group["score"]) for group in groups] == [("a", 4), ("b", 5)]


def test_a_shared_formula_excel_saved_reads_as_the_formula_of_its_cell() -> None:
    from rubricdsl.workbook_reader import _shifted

    assert _shifted("IF(F7=rubricdsl!$E$2,20,0)", 1, 0) == "IF(F8=rubricdsl!$E$2,20,0)"
    assert _shifted('SUM(J7:J9)+IF($F$5="",K3,0)', 2, 1) == 'SUM(K9:K11)+IF($F$5="",L5,0)'


def test_remarks_keep_control_characters_and_a_text_too_long_for_a_cell_is_refused(tmp_path) -> None:
    findings = json.loads(FIXTURE.read_text(encoding="utf-8"))
    findings["items"]["basics.policy"]["remark"] = "见附件\x07 _x0041_ 第3页"
    source = tmp_path / "f.json"
    source.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    filled = tmp_path / "filled.xlsx"
    assert run("score", RUBRIC, str(source), "--format", "xlsx", "-o", str(filled)).returncode == 0
    result = json.loads(run("score", RUBRIC, str(filled), "--format", "json").stdout)
    assert result["sections"][0]["items"][0]["remark"] == "见附件\x07 _x0041_ 第3页"
    findings["items"]["basics.policy"]["remark"] = "长" * 40000
    source.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    done = run("score", RUBRIC, str(source), "--format", "xlsx", "-o", str(tmp_path / "long.xlsx"))
    assert done.returncode == 2 and "items.basics.policy.remark holds 40000 characters" in done.stderr
    assert not (tmp_path / "long.xlsx").exists()


def test_remarks_that_look_like_markup_or_have_spaces_at_their_ends_read_back_unchanged(tmp_path) -> None:
    """XlsxWriter wrote a text of the form <r>…</r> into the workbook as
    raw XML, so such a remark was silently lost; the workbook now holds
    every text as text."""
    from rubricdsl import workbook_reader
    from rubricdsl.scoring import load_scorer

    compilation = compile_file(SHIPPED_RUBRIC)
    rubric, plan = compilation.rubric, lower(compilation.rubric)
    scorer = load_scorer(compilation, RUBRIC)
    findings = json.loads(FIXTURE.read_text(encoding="utf-8"))
    remarks = ["<r>见附件</r>", " 前有空格", "后有空格 ", "A & B <C> \"引号\" '单引号'", "第一行\n第二行", "\t制表符"]
    for remark, key in zip(remarks, findings["items"]):
        findings["items"][key]["remark"] = remark
    findings["organization"] = "<r>单位</r> & 分局 "
    path = tmp_path / "filled.xlsx"
    path.write_bytes(workbook.workbook_bytes(layout(rubric, plan, compilation.sha256), findings, scorer.score(findings)))
    reading = workbook_reader.read(str(path), rubric, plan)
    assert [reading.findings["items"][key].get("remark") for key in list(findings["items"])[: len(remarks)]] == remarks
    assert reading.findings["organization"] == "<r>单位</r> & 分局 "
    assert workbook_reader.cached_disagreements(reading, scorer.score(reading.findings)) == []


def test_the_parts_are_well_formed_and_hold_the_workbooks_protection_validation_names_and_print_setup() -> None:
    from xml.etree import ElementTree

    sheet_layout = workbook_layout_of_shipped()
    data = workbook.workbook_bytes(sheet_layout, None, None)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: ElementTree.fromstring(archive.read(name)) for name in archive.namelist()}
    types = {override.get("PartName") for override in parts["[Content_Types].xml"] if override.get("PartName")}
    assert types == {"/" + name for name in parts if not name.endswith(".rels") and name != "[Content_Types].xml"}
    book = parts["xl/workbook.xml"]
    sheets = book.find(f"{main}sheets")
    assert [(s.get("name"), s.get("state")) for s in sheets] == [(s.name, "hidden" if s.hidden else None) for s in sheet_layout.sheets]
    defined = {d.get("name"): d.text for d in book.find(f"{main}definedNames")}
    assert defined.pop("_xlnm.Print_Titles") == "评分表!$3:$3"
    assert defined == sheet_layout.names
    formats = parts["xl/styles.xml"].find(f"{main}cellXfs")
    unlocked = {number for number, xf in enumerate(formats) if xf.find(f"{main}protection") is not None}
    for number, sheet in enumerate(sheet_layout.sheets, 1):
        root = parts[f"xl/worksheets/sheet{number}.xml"]
        protection = root.find(f"{main}sheetProtection")
        assert protection.get("sheet") == "1" and protection.get("password") is None
        cells = {c.get("r"): int(c.get("s")) for c in root.iter(f"{main}c")}
        inputs = {a1(found.row, found.col) for found in sheet_layout.inputs if found.sheet == sheet.name}
        assert {ref for ref, style in cells.items() if style in unlocked} == inputs  # only the input cells are unlocked
        checks = root.find(f"{main}dataValidations")
        assert (0 if checks is None else len(checks)) == len(sheet.validations)
        rules = [rule for block in root.iter(f"{main}conditionalFormatting") for rule in block]
        assert [rule.find(f"{main}formula").text for rule in rules] == [formula for _, formula, _ in sheet.conditional]
        setup = root.find(f"{main}pageSetup")
        assert (setup.get("paperSize"), setup.get("fitToHeight"), setup.get("orientation")) == (
            "9", "0", "landscape" if sheet.landscape else "portrait")
        pane = root.find(f"{main}sheetViews/{main}sheetView/{main}pane")
        assert (pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == str(sheet.freeze)) == bool(sheet.freeze)
        hidden = {col for element in root.iter(f"{main}col") if element.get("hidden") == "1"
                  for col in range(int(element.get("min")) - 1, int(element.get("max")))}
        assert hidden == set(sheet.hidden_columns)
        merged = {m.get("ref") for m in root.iter(f"{main}mergeCell")}
        assert merged == {f"{a1(r, c)}:{a1(lr, lc)}" for r, c, lr, lc in sheet.merges}
        formulas = {c.get("r"): c.find(f"{main}f").text for c in root.iter(f"{main}c") if c.find(f"{main}f") is not None}
        assert formulas == {a1(r, c): cell.value for (r, c), cell in sheet.cells.items() if cell.kind == "formula"}


@pytest.mark.parametrize("serial", ["20261127", "-5", "0"])
def test_a_date_typed_as_a_number_that_is_no_date_is_refused_naming_its_cell(filled, tmp_path, serial) -> None:
    edited = tmp_path / "date.xlsx"
    # 封面!B5 holds the date as a shared string: type a number over it.
    rewritten(filled, edited, "xl/worksheets/sheet1.xml",
              lambda xml: re.sub(r'<c r="B5"( s="\d+")? t="s"><v>\d+</v></c>', rf'<c r="B5"\1><v>{serial}</v></c>', xml))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"封面!B5: {serial} is a number, not a date; type the date as YYYY-MM-DD" in done.stderr


def test_a_date_serial_reads_as_its_date(filled, tmp_path) -> None:
    edited = tmp_path / "date.xlsx"
    # 46353 is 2026-11-27, as Excel stores a date typed into a cell.
    rewritten(filled, edited, "xl/worksheets/sheet1.xml",
              lambda xml: re.sub(r'<c r="B5"( s="\d+")? t="s"><v>\d+</v></c>', r'<c r="B5"\1><v>46353</v></c>', xml))
    done = run("score", RUBRIC, str(edited), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["date"] == "2026-11-27"


# ---- a blank answer is no answer ----------------------------------------------------


def test_an_items_answers_to_fix_are_counted_and_the_verdicts_wait_for_them() -> None:
    sheet_layout = mini_layout()
    main, summary = sheet_layout.sheets[1], sheet_layout.sheets[2]
    cells = {found.path: a1(found.row, found.col) for found in sheet_layout.inputs}

    def to_fix(item_path: str) -> str:
        found = next(found for found in sheet_layout.inputs if found.path == f"items.{item_path}.status")
        return main.cells[(found.row, COL_ANSWERS_TO_FIX)].value

    def chosen_from(cell: str) -> str:
        return rf"NOT\(OR\({cell}=rubricdsl!\$\w\$1(,{cell}=rubricdsl!\$\w\$\d)*\)\)"

    status = cells["items.a.fixed.status"].replace("F", "$F$")
    fixed = to_fix("a.fixed")
    # A count, never a lone TRUE; the answers once assessed; a status that is none of its options at any time.
    assert fixed.startswith(f"0+IF({status}=rubricdsl!$D$1,"), fixed
    assert all(re.search(chosen_from(cells[f"items.a.fixed.requirements.{key}"]), fixed) for key in ("one", "two", "three"))
    assert re.search(rf"\+AND\({re.escape(status)}<>\"\",{chosen_from(re.escape(status))}\)$", fixed), fixed
    parts = to_fix("a.parts")
    assert all(re.search(chosen_from(cells[f"items.a.parts.requirements.docs.{key}"]), parts) for key in "abc")
    assert f"NOT(ISNUMBER({cells['items.a.measured.measures.completion']}))" in to_fix("a.measured")
    assert re.search(chosen_from(cells["items.b.brand.choice"]), to_fix("b.brand"))
    # A group's answers count only while the group is assessed (blank or 评价), not ruled out.
    g1 = next(a1(found.row, found.col, True) for found in sheet_layout.inputs if found.path == "items.a.grouped.groups.g1.status")
    assert f"IF(OR({g1}=\"\",{g1}=rubricdsl!$D$1),NOT(OR({cells['items.a.grouped.requirements.g1.p']}=" in to_fix("a.grouped")
    row = int(sheet_layout.names["answers_to_fix"].split("!$C$")[1]) - 1
    total = summary.cells[(row, 2)].value
    conditions = [found for found in sheet_layout.inputs if found.kind == "condition"]
    assert total.startswith("0+SUM(") and len(conditions) == 2 and all(
        f"{quote(found.sheet)}!{a1(found.row, found.col, True)}<>\"\"" in total for found in conditions)
    verdict = summary.cells[(int(sheet_layout.names["pass"].split("!$C$")[1]) - 1, 2)].value
    grade = summary.cells[(int(sheet_layout.names["grade"].split("!$C$")[1]) - 1, 2)].value
    to_fix_ref = sheet_layout.names["answers_to_fix"].split("!")[1]
    assert verdict.startswith(f"IF({to_fix_ref}>0,rubricdsl!") and grade.startswith(f"IF({to_fix_ref}>0,rubricdsl!")


def test_a_blank_choice_is_no_answer_and_none_reached_is_written_as_its_option(tmp_path) -> None:
    compilation = compiled(MINI)
    rubric, plan = compilation.rubric, lower(compilation.rubric)
    scorer = mini_scorer()
    sheet_layout = layout(rubric, plan, compilation.sha256)
    findings = complete_findings(rubric)  # b.brand assessed, no choice reached
    result = scorer.score(findings)
    path = tmp_path / "none.xlsx"
    path.write_bytes(workbook.workbook_bytes(sheet_layout, findings, result))
    choice = next(found for found in sheet_layout.inputs if found.path == "items.b.brand.choice")
    cells = read_cells(str(path))
    assert cells[choice.sheet][(choice.row, choice.col)].value == "none: 1"
    reading = reading_of(cells, path.name, rubric, plan)
    assert reading.findings["items"]["b.brand"]["choice"] is None and scorer.score(reading.findings)["total"] == result["total"]
    blank = changed(findings, "b.brand")
    del blank["items"]["b.brand"]["choice"]
    path.write_bytes(workbook.workbook_bytes(sheet_layout, blank, None))
    reading = reading_of(read_cells(str(path)), path.name, rubric, plan)
    assert "choice" not in reading.findings["items"]["b.brand"]
    with pytest.raises(scorer.FindingsError, match=r"items\.b\.brand\.choice: missing"):
        scorer.score(reading.findings)


def _input_cell(path: str) -> str:
    found = next(found for found in workbook_layout_of_shipped().inputs if found.path == path)
    return a1(found.row, found.col)


def _with_cell(ref: str, replacement: str):
    """A rewrite of one cell of a sheet's XML (its style kept), for rewritten()."""
    def change(xml: str) -> str:
        changed, count = re.subn(rf'<c r="{ref}"( s="\d+")?[^>]*?(/>|>.*?</c>)',
                                 lambda m: replacement.format(ref=ref, style=m.group(1) or ""), xml, count=1)
        assert count == 1
        return changed
    return change


def test_an_option_with_a_space_is_none_of_the_options(filled, tmp_path) -> None:
    # The formulas compare exactly: "不适用 " is no 不适用 to them, so it is none to the reader either.
    edited = tmp_path / "space.xlsx"
    rewritten(filled, edited, "xl/worksheets/sheet2.xml",
              _with_cell("F7", '<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">符合 </t></is></c>'))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2 and "评分表!F7: '符合 ' is not one of: 符合, 不符合" in done.stderr


def test_a_formula_in_an_answer_cell_is_refused(filled, tmp_path) -> None:
    # An answer a formula gives could change after the sheet is signed (TODAY()).
    edited = tmp_path / "formula.xlsx"
    rewritten(filled, edited, "xl/worksheets/sheet2.xml", _with_cell(
        "F7", '<c r="{ref}"{style} t="str"><f>IF(TODAY()&gt;DATE(2026,12,2),"不符合","符合")</f><v>符合</v></c>'))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2
    assert '评分表!F7: holds a formula (=IF(TODAY()>DATE(2026,12,2),"不符合","符合")); type or choose the answer itself' in done.stderr


def test_a_measure_typed_as_a_percentage_is_refused(filled, tmp_path) -> None:
    # 92.5% typed is held as 0.925 in a percent format: read as 0.925 it would score the wrong band.
    ref = _input_cell("items.basics.training.measures.completion")
    with zipfile.ZipFile(filled) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    count = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))
    stage = tmp_path / "styled.xlsx"
    rewritten(filled, stage, "xl/styles.xml", lambda xml: re.sub(
        r'<cellXfs count="(\d+)">(.*?)</cellXfs>',
        lambda m: f'<cellXfs count="{count + 1}">{m.group(2)}<xf numFmtId="10" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs>',
        xml, count=1, flags=re.S))
    edited = tmp_path / "percent.xlsx"
    rewritten(stage, edited, "xl/worksheets/sheet2.xml", _with_cell(ref, f'<c r="{{ref}}" s="{count}"><v>0.925</v></c>'))
    done = run("score", RUBRIC, str(edited))
    assert done.returncode == 2
    assert f"评分表!{ref}: 92.5% was typed as a percentage (held as 0.925); type the number 92.5" in done.stderr


def test_a_part_too_large_for_a_zip_without_zip64_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part is deflated into the archive as it renders, without zip64: one
    over 2 GiB is refused, and the build names the part and its limit (here
    the limit made small)."""
    context = BuildContext.of(compile_file(RUBRIC), "rubrics/t-cssg-001.5-2020.rubric")
    monkeypatch.setattr(zip_parts, "LIMIT", 100_000)
    with pytest.raises(WorkbookError, match=r"its xl/worksheets/sheet2\.xml would be over 2 GiB"):
        workbook.render(context)


def test_each_cells_shape_is_written_as_spreadsheets_write_it() -> None:
    """Each shape of cell the sheet template writes in one piece: a shared
    string, a number, a blank input, a formula (its text escaped, its
    numeric cached value as is), a formula cached as text (t="str"), the
    blank cells of a merged range, and a row's spans and height."""
    sheet_layout = mini_layout()
    result = mini_scorer().score(complete_findings(compiled(MINI).rubric))
    with zipfile.ZipFile(io.BytesIO(workbook.workbook_bytes(sheet_layout, None, result))) as archive:
        main = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
        summary = archive.read("xl/worksheets/sheet3.xml").decode("utf-8")
    cells = re.findall(r"<c [^>]*/>|<c .*?</c>", main)
    assert '<c r="A1" s="1" t="s"><v>' in main  # the title: a shared string
    assert '<c r="B1" s="1"/>' in cells  # the rest of its merged range: blank, in its format
    top = next(found.row for found in sheet_layout.inputs if found.kind == "status") + 1  # the first item's row
    assert re.search(rf'<c r="F{top}" s="\d+"/>', main)  # its 评价方式, not filled in
    assert re.search(rf'<c r="D{top}" s="\d+"><v>\d+</v></c>', main)  # its points: a number
    # A formula holds its text escaped and its numeric cached value unquoted.
    assert re.search(rf'<c r="K{top}" s="\d+"><f>IF\(\$F\${top}=rubricdsl!\$D\$1,[^<]*</f><v>\d+</v></c>', main)
    assert "&lt;&gt;&#34;&#34;" in main and '<>""' not in main
    verdict = re.search(r'<c r="C\d+" s="\d+" t="str"><f>IF\([^<]*</f><v>([^<]*)</v></c>', summary)
    assert verdict is not None and verdict.group(1) in (sheet_layout.words["passed"], sheet_layout.words["failed"])
    assert re.search(r'<row r="2" spans="1:14" ht="30" customHeight="1">', main)
    assert re.search(r'<row r="1" spans="1:14">', main)
    # Every cell is one of those shapes, in its row's order.
    shapes = re.compile(r'<c r="[A-Z]+\d+" s="\d+"( t="(s|str)")?(/>|><v>[^<]*</v></c>|><f>[^<]*</f><v>[^<]*</v></c>)')
    assert all(shapes.fullmatch(cell) for cell in cells)
    for row in re.findall(r"<row [^>]*>(.*?)</row>", main):
        columns = re.findall(r'<c r="([A-Z])\d+"', row)  # MINI's sheets stay within A to Z
        assert columns == sorted(set(columns))


def test_text_widths_count_the_wide_characters_as_one_by_one() -> None:
    """_width counts the characters after U+2E7F in C or skips ASCII text
    at once; the counts are those of the character loop it replaced."""
    import random

    rng = random.Random("widths")
    alphabet = "aZ 0.;\u00e9\u2014\u201c\u2026\u2e7f\u2e80\u3000\u4e00\u8bc4\uff08\uff1a\U0001f600"
    texts = ["", "plain", "评价要求", "\u2e7f\u2e80", "“引号”—…"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(500)]
    for text in texts:
        assert workbook._width(text) == 1.2 * len(text) + sum(ch > "\u2e7f" for ch in text), text


def _written_rows(sheet) -> dict[str, str]:
    """Each row's attributes as the sheet's writer writes them, by number."""
    import zlib

    book = workbook._Book()
    writer = book.writers[sheet.name] = workbook._SheetWriter(sheet, None, None, book, {})
    writer.take(None, consume=False)
    text = zlib.decompressobj(-15).decompress(b"".join(writer.rows.finish().chunks)).decode("utf-8")
    return dict(re.findall(r'<row r="(\d+)"([^>]*?)/?>', text))


def test_a_text_in_a_hidden_column_grows_no_row() -> None:
    from rubricdsl.workbook_layout import Sheet

    sheet = Sheet("s", widths={0: 8, 1: 8}, hidden_columns=(1,))
    sheet.text(0, 1, "a header much wider than its column")
    sheet.text(1, 0, "a text much wider than its column")
    rows = _written_rows(sheet)
    assert "ht=" not in rows["1"] and 'ht="' in rows["2"]


def test_a_row_is_as_high_as_its_longest_wrapped_text_unless_the_layout_says_otherwise() -> None:
    """Lines counted where a merged range starts, over its columns; none for
    a range merged down (the rows below give it room); a height the layout
    gives wins."""
    from rubricdsl.workbook_layout import Sheet

    sheet = Sheet("s", widths={0: 10, 1: 10, 2: 10})
    sheet.text(0, 0, "x" * 20)  # 24 units in 9: three lines
    sheet.text(0, 1, "x" * 8)  # one line
    sheet.text(1, 0, "x" * 20)  # across A:B, 19 units: two lines
    sheet.merges.append((1, 0, 1, 1))
    sheet.text(2, 0, "x" * 40)  # merged down: no height of its own
    sheet.merges.append((2, 0, 3, 0))
    sheet.text(4, 0, "x" * 40)
    sheet.heights[4] = 30  # the layout's own
    sheet.text(5, 0, "短\n" * 2 + "x")  # three lines of one
    rows = _written_rows(sheet)
    heights = {row: re.search(r'ht="([^"]+)"', attributes) for row, attributes in rows.items()}
    shown = {row: float(found.group(1)) if found else None for row, found in heights.items()}
    assert shown == {"1": 43.5, "2": 29.25, "3": None, "4": None, "5": 30.0, "6": 43.5}


def test_a_build_writes_the_scoring_sheet_as_it_lays_it_out_in_the_bytes_of_the_whole_layout(monkeypatch) -> None:
    """A build hands the scoring sheet's rows to the writer a section at a
    time and lets them go (a 300x rubric's half a million cells are never
    held at once): the file is byte for byte the one written from the
    layout made whole, for the standard, a rubric 10x its size (sections
    whose merged ranges cross the blocks of 16 rows written at a time) and
    random rubrics of every rule shape."""
    from .test_workbook_libreoffice import rubrics

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import synthetic_rubric
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    compilations = [compilation for _, compilation, _ in rubrics()] + [compile_source(synthetic_rubric(10), "x10.rubric")]
    held: list[int] = []
    take = workbook._SheetWriter.take

    def counted_take(self, limit, consume):
        if consume:
            held.append(len(self.sheet.cells))
        return take(self, limit, consume)

    monkeypatch.setattr(workbook._SheetWriter, "take", counted_take)
    for compilation in compilations:
        assert compilation.ok, [d.message for d in compilation.errors]
        held.clear()
        streamed = workbook.render(BuildContext.of(compilation, "rubrics/r.rubric"))
        context = BuildContext.of(compilation, "rubrics/r.rubric")
        whole = layout(context.rubric, context.plan, context.sha256, context.source_path)
        assert len(held) == len(context.plan.sections)  # one take a section
        if len(whole.sheets[1].cells) > 1000:  # the standard's 1,800, the 10x rubric's 17,000
            assert max(held) < len(whole.sheets[1].cells) / 2  # a section and a block of 16 rows at most
        assert streamed == workbook.workbook_bytes(whole, None, context.blank_result)


def test_a_build_renders_the_scorer_once_and_lets_its_text_go_after_the_blank_result_is_made(monkeypatch, tmp_path) -> None:
    from rubricdsl import build as building
    from rubricdsl.backends import templating

    rendered = []
    render_utf8 = templating.render_utf8

    def counted(name, **context):
        rendered.append(name)
        return render_utf8(name, **context)

    monkeypatch.setattr(templating, "render_utf8", counted)
    compilation = compile_file(SHIPPED_RUBRIC)
    plan = building.plan([(SHIPPED_RUBRIC, compilation)], tmp_path / "out")
    contexts = set()
    for path, blocks in plan.files.items():
        contexts.add(id(blocks.args[1]))
        context = blocks.args[1]
        assert b"".join(blocks()) == (ROOT / "generated" / "t-cssg-001.5-2020" / path.name).read_bytes(), path.name
        if path.name == "scorer.py":
            assert "scorer_utf8" not in context.__dict__ and "blank_result" in context.__dict__
    assert len(contexts) == 1 and rendered.count("scorer.py.j2") == 1
    assert "blank_result" not in context.__dict__  # let go once the workbook is written


def test_a_formulas_text_is_escaped_as_jinjas_e_filter_escapes_it() -> None:
    import random

    from markupsafe import escape

    rng = random.Random("escaped")
    alphabet = "&<>\"'amp;#x_ 评\U0001f600\n\t"
    texts = ["", "&amp;", "<>", "\"'", "IF(A1<>\"\",1,0)"] + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(2000)]
    for text in texts:
        assert workbook._escaped(text) == str(escape(text)), text


def test_parts_of_text_and_held_deflated_pieces_read_back_whole_with_their_crc() -> None:
    """A part made of pieces deflated by the archive and pieces deflated
    before (Deflated, written in blocks that split characters), in any
    order, empty ones too: zipfile reads each part back whole and checks
    its CRC-32 (testzip), and every entry says what the parts' entries said
    when zipfile wrote them: its date, made on Unix, mode 0600."""
    import random

    rng = random.Random("held")
    expected, archive = {}, zip_parts.Archive()
    for number in range(40):
        pieces, text = [], b""
        for _ in range(rng.randrange(0, 8)):
            data = "".join(rng.choice("a评\U0001f600<") * rng.randrange(0, 3000) for _ in range(rng.randrange(0, 5))).encode()
            if rng.random() < 0.5:
                pieces.append(data)
            else:
                held = zip_parts.Deflated()
                cut = sorted(rng.randrange(len(data) + 1) for _ in range(3))
                for start, end in zip([0, *cut], [*cut, len(data)]):
                    held.write(data[start:end])
                pieces.append(held)
            text += data
        name = f"part{number}.xml"
        archive.add(name, pieces)
        expected[name] = text
    with zipfile.ZipFile(io.BytesIO(archive.bytes())) as read:
        assert read.testzip() is None
        assert {name: read.read(name) for name in read.namelist()} == expected
        assert {(info.date_time, info.create_system, info.external_attr >> 16, info.compress_type) for info in read.infolist()} == {
            ((1980, 1, 1, 0, 0, 0), 3, 0o600, zipfile.ZIP_DEFLATED)}


def test_crc32_combine_is_zlibs() -> None:
    import os
    import zlib

    for second in (0, 1, 7, (1 << 20) - 1, 1 << 20, (1 << 20) + 3, 2_500_001):
        for first in (b"", b"x", os.urandom(999)):
            data = os.urandom(second)
            assert zip_parts.crc32_combine(zlib.crc32(first), zlib.crc32(data), second) == zlib.crc32(first + data)


def test_an_archive_over_the_limit_is_refused_as_a_whole_and_a_part_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(zip_parts, "LIMIT", 1000)
    archive = zip_parts.Archive()
    archive.add("a.bin", [os.urandom(600)])  # deflated, still about 600 bytes: it fits
    with pytest.raises(zip_parts.TooLarge) as refused:
        archive.add("b.bin", [os.urandom(600)])  # it fits, the archive with it does not
    assert refused.value.name is None
    with pytest.raises(zip_parts.TooLarge) as refused:
        zip_parts.Archive().add("c.bin", [os.urandom(600), os.urandom(600)])
    assert refused.value.name == "c.bin"


def test_a_held_piece_is_not_written_to_once_finished() -> None:
    held = zip_parts.Deflated()
    held.write(b"<row/>")
    held.finish()
    with pytest.raises(RuntimeError, match="after it was finished"):
        held.write(b"<row/>")
    assert (held.size, zlib_inflated(held)) == (6, b"<row/>")


def zlib_inflated(held: zip_parts.Deflated) -> bytes:
    import zlib

    return zlib.decompressobj(-15).decompress(b"".join(held.chunks))


def test_a_sheet_piece_the_template_does_not_place_is_refused_not_lost() -> None:
    held = {"rows": zip_parts.Deflated(), "highlights": zip_parts.Deflated(), "validations": zip_parts.Deflated()}
    held["validations"].write(b"<dataValidation/>")
    with pytest.raises(RuntimeError, match="no place for its validations"):
        list(workbook._with_held(iter([b"<sheetData>\x00rows\x00</sheetData>"]), held))
    assert list(workbook._with_held(iter([b"<a>\x00rows\x00</a>\x00validations\x00"]), held))[-1] is held["validations"]


def test_rows_added_to_after_they_are_written_are_refused() -> None:
    """What the layout hands a writer is final: a cell or height put in a row
    already written would be lost or out of order, so it is refused."""
    from rubricdsl.workbook_layout import Sheet

    for late in ("cell", "height", "merge"):
        sheet = Sheet("s", streams=True)
        for row in range(20):
            sheet.text(row, 0, f"row {row}")
        writer = workbook._SheetWriter(sheet, None, None, workbook._Book(), {})
        writer.take(16, consume=True)
        if late == "cell":
            sheet.text(3, 1, "late")
        elif late == "height":
            sheet.heights[3] = 40
        else:
            sheet.merges.append((3, 0, 3, 2))
        with pytest.raises(AssertionError, match="rows already written"):
            writer.take(None, consume=False)


def test_copies_of_one_name_are_refused() -> None:
    sheet_layout = mini_layout()
    with pytest.raises(WorkbookError, match="two of its sheets would be named"):
        workbook.copies_bytes([(sheet_layout, None, None), (mini_layout(), None, None)])
