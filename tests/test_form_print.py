"""The form's printed sheet, as an evaluator prints it to sign and file.

The standard's form, filled in by importing a findings file, is printed to
PDF by headless Chromium (A4, as Ctrl+P prints it) and read back with
pdftotext; every page is saved as PNG (pdftoppm) in tests/artifacts/ for a
person to look at.  Locally the tests skip without Chromium or poppler-utils;
with CI=true they fail.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rubricdsl.frontend import compile_file
from rubricdsl.plan import lower
from rubricdsl.scoring import template

from .browser import require
from .conftest import SHIPPED_RUBRIC
from .test_form_browser import (  # noqa: F401
    ARTIFACTS, all_met, article, browser, by_css, downloads, import_file, printed_text, shipped, text_of, type_date, type_into,
)

NAMES = ["张三", "李四", "王五", "赵六", "孙七"]
ORGANIZATION = "某市网格化服务管理中心"
# Three lines, the first longer than the reason field is wide.
REASON = (
    "本级为县级网格化服务管理中心，按照本市机构编制方案不单独设置大数据岗位，相关数据工作由市级大数据中心统一承担，"
    "本中心仅负责数据采集与上报。\n"
    "依据：市编办〔2025〕12号文件第三条。\n"
    "评估组现场核实：无此岗位设置。"
)
REMARKS = "上午查阅文件32份\n下午现场检查\n访谈工作人员5人\n复核台账\n第五行：评价结束"
REMARK = "目标未成文，仅口头说明。\n见访谈记录第3页。"
ITEM_REMARK = "培训台账齐全，\n抽查三人均能说明培训内容。"
# A filled standard sheet is a cover (result, conditions, signatures,
# remarks, errata) and about 240 table rows (44 items, 5 groups, 162
# requirements, the tiers and choices to reach), some 40 rows to an A4 page
# at 9 pt: 8 pages (the screen form printed on 14).  A blank sheet lists
# every part and level to tick by hand: one page more.
MOST_PAGES = 8
MOST_BLANK_PAGES = 9


def pdftool(name: str) -> str:
    found = shutil.which(name)
    require(found is not None, f"{name} (apt package poppler-utils)")
    return found


def filled_findings() -> dict:
    """Every item assessed and met, but one requirement unmet, one item not
    applicable with a long reason of three lines, five evaluators, remarks of
    five lines."""
    compilation = compile_file(SHIPPED_RUBRIC)
    plan = lower(compilation.rubric)
    findings = template(compilation.rubric)
    highest = {item.path: {m.key: int(m.high) for m in item.measures} for s in plan.sections for item in s.items}
    first_award = {item.path: item.awards[0].key for s in plan.sections for item in s.items if item.kind == "choices"}

    def met(value):
        if isinstance(value, dict):
            return {key: met(inner) for key, inner in value.items() if not key.startswith("_")}
        return True if value is None else value

    items = {}
    for path, finding in findings["items"].items():
        if path.startswith("_"):
            continue
        filled = {"status": "assessed"}
        if "requirements" in finding:
            filled["requirements"] = met(finding["requirements"])
        if "groups" in finding:
            filled["groups"] = met(finding["groups"])
        if "measures" in finding:
            filled["measures"] = highest[path]
        if "choice" in finding:
            filled["choice"] = first_award[path]
        items[path] = filled
    items["basics.policy"]["requirements"]["has_objectives"] = False
    items["posts.big_data_posts"] = {"status": "not_applicable", "reason": REASON}
    findings.update(
        organization=ORGANIZATION,
        date="2026-12-01",
        evaluators=NAMES,
        remarks=REMARKS,
        conditions={key: True for key in findings["conditions"] if not key.startswith("_")},
        items=items,
    )
    del findings["_findings"]
    return findings


def print_pdf(driver, name: str) -> list[str]:
    """The page printed to A4 PDF, saved with a PNG of every page; the text of each page."""
    pdftotext, pdftoppm = pdftool("pdftotext"), pdftool("pdftoppm")
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    subprocess.run([pdftoppm, "-png", "-r", "80", str(path), str(ARTIFACTS / name)], check=True)
    text = subprocess.run([pdftotext, "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    """Text read back from a PDF (in the order it was drawn) without spaces or line breaks."""
    return re.sub(r"\s+", "", text)


def test_a_filled_form_prints_a_sheet_to_sign_and_file(browser, shipped, tmp_path) -> None:
    path, scorer = shipped
    findings = filled_findings()
    # A remark on a requirement and one on an item, read back by the import.
    findings["items"]["basics.policy"]["requirement_remarks"] = {"has_objectives": REMARK}
    findings["items"]["basics.training"]["remark"] = ITEM_REMARK
    file = tmp_path / "findings.json"
    file.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    browser.get(path.as_uri())
    import_file(browser, file)
    assert text_of(browser, "#unassessed-count") == "0"
    total = text_of(browser, "#total-score")
    assert total == str(scorer.score(findings)["total"]) == "498"

    pages = print_pdf(browser, "form-print-filled")
    first, everything = flat(pages[0]), flat("".join(pages))
    assert len(pages) <= MOST_PAGES
    for number, page in enumerate(pages, 1):
        assert f"第{number}页共{len(pages)}页" in flat(page), f"page {number} has no page number"
        assert ORGANIZATION in flat(page), f"page {number} does not name the organisation"
    # The result and the signatures, with the names entered, on the first page.
    assert "总分498/500" in first
    assert "评价结论合格（合格分数线300）" in first
    assert "评价资格具备评价条件" in first
    assert "表A.1网格化治理标准化工作基本要求4543" in first  # the subtotal of the table
    assert "序号姓名单位/职务签字" + "".join(f"{n}{name}" for n, name in enumerate(NAMES, 1)) in first
    assert "评价人员" + "、".join(NAMES) in first
    assert "评价日期2026年12月1日" in first
    assert flat(REMARKS) in first
    # The errata, whole.
    assert "勘误" in first
    for erratum in compile_file(SHIPPED_RUBRIC).rubric.errata_records():
        assert flat(erratum.erratum.reason) in everything
    assert "表A.1网格化治理标准化工作基本要求：分值印为50，采用45" in everything
    # Every text whole: the not-applicable reason, the remark.
    assert flat(REASON) in everything
    assert flat(REMARK) in everything
    assert flat(ITEM_REMARK) in everything
    # the requirement's remark on its own row, after its deduction
    assert "没有目标扣2分不符合−2" + flat(REMARK) in everything
    # No controls on paper.
    assert "导出" not in everything and "本项全部符合" not in everything
    # On screen, the errata are beside the notes.
    errata = by_css(browser, "#errata-title").find_element("xpath", "..")
    browser.execute_script("arguments[0].scrollIntoView()", errata)
    assert errata.is_displayed() and "分值印为 50，采用 45" in errata.text


def test_a_blank_form_prints_a_paper_sheet_to_fill_by_hand(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    pages = print_pdf(browser, "form-print-blank")
    first, everything = flat(pages[0]), flat("".join(pages))
    assert len(pages) <= MOST_BLANK_PAGES
    assert "总分＿＿＿/500" in first
    assert "☐合格☐不合格" in first
    # Rows to sign for the largest panel (panel 5 to 7), no names.
    assert "序号姓名单位/职务签字1234567" in first
    for number, page in enumerate(pages, 1):
        assert f"第{number}页共{len(pages)}页" in flat(page)
        assert "被评价单位：＿＿" in flat(page)
    # Boxes to tick where the screen has controls, blanks where it has fields.
    assert "有组织方针、符合组织实际没有方针扣2分☐符合☐不符合" in everything
    assert "☐有组织机构图☐组织机构图全面" in everything
    assert "全员培训计划完成率＿＿＿%" in everything  # a measure decides it
    assert "得分＿＿＿/5" in everything
    # Begun, the sheet's result is provisional (no condition ticked yet), never final.
    all_met(browser, "basics.policy")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert "评价结论暂定：不具备评价条件（尚未评完）（合格分数线300）" in printed_text(browser)  # as on screen
    assert "未评项目43" in printed_text(browser)


def test_an_english_rubric_prints_in_english(browser, tmp_path) -> None:
    """tests/fixtures/rubrics/names.rubric is in English, with grades; the
    organisation holds what would end a CSS string."""
    from rubricdsl.backends import BuildContext, form

    from .test_names import NAMES, SOURCE_PATH

    page = tmp_path / "names.html"
    page.write_text(form.render(BuildContext.of(compile_file(NAMES), SOURCE_PATH)), encoding="utf-8")
    browser.get(page.as_uri())
    organization = 'Acme "North" \\ Co; }'
    type_into(browser, by_css(browser, "#field-organization"), organization)
    type_date(browser, by_css(browser, "#field-date"), "2026", "12", "01")
    pages = print_pdf(browser, "form-print-english")
    for number, page_text in enumerate(pages, 1):
        assert f"Page{number}of{len(pages)}" in flat(page_text)
        assert flat(f"Organisation: {organization}") in flat(page_text)
    first = flat(pages[0])
    assert "Dateofevaluation1December2026" in first
    assert "Grade＿＿＿" in first and "Total＿＿＿/100" in first
    assert "RequirementDeductionFindingLostRemarks" in flat("".join(pages))
