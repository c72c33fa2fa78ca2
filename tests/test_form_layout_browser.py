"""The form on screen in headless Chromium: the status bar on a desktop and
on a tablet (touch, no keyboard), 下一个未评, the sticky table headings,
the wide row-per-requirement layout, the summary's coherence, deduction
lines that name their requirement, and what a screen reader is given.

Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import copy
import json
import time
from decimal import Decimal

import pytest

from .browser import chromium
from .scoring_helpers import complete_findings, shipped as shipped_compilation
from .test_form_browser import (
    all_met,
    answer,
    article,
    by_css,
    choose,
    click_label,
    control,
    page_number,
    screenshot,
    shipped,  # noqa: F401 (a fixture)
    text_of,
)

TABLET = {"width": 768, "height": 1024}
ITEMS = 44


@pytest.fixture
def desktop():
    with chromium(width=1366, height=768) as driver:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}
        )
        yield driver


@pytest.fixture
def tablet():
    """768×1024 with touch and no keyboard in use: every action is a tap."""
    with chromium(width=768, height=1024) as driver:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(TABLET, deviceScaleFactor=1, mobile=True))
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        yield driver


def tap(driver, element) -> None:
    """A finger on the element's centre: touch events, the click the browser makes of them."""
    box = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]", element
    )
    point = {"x": box[0], "y": box[1]}
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def on_screen_and_uncovered(driver, element) -> bool:
    """Within the viewport, and the topmost thing at its centre."""
    return driver.execute_script(
        "const e = arguments[0], r = e.getBoundingClientRect();"
        "if (r.top < 0 || r.bottom > innerHeight || r.width === 0) return false;"
        "const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        "return hit === e || e.contains(hit);",
        element,
    )


def focused_item(driver) -> str | None:
    return driver.execute_script(
        "const a = document.activeElement.closest('article.item'); return a ? a.id.slice(5) : null"
    )


def import_findings(driver, tmp_path, findings: dict, name: str = "findings.json") -> None:
    path = tmp_path / name
    path.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    by_css(driver, "#import-file").send_keys(str(path))
    # The page reads the file asynchronously: wait for its message or its question.
    deadline = time.monotonic() + 5
    while not text_of(driver, "#message") and by_css(driver, "#ask").get_attribute("open") is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if by_css(driver, "#ask").get_attribute("open") is not None:  # over work, the page asks first
        answer(driver, "替换本页的评价")
    assert text_of(driver, "#message").startswith("已导入"), text_of(driver, "#message")


# ---- always on screen -------------------------------------------------------------


def test_the_total_stays_on_screen_on_a_tablet_at_table_a3(tablet, shipped) -> None:
    path, _ = shipped
    tablet.get(path.as_uri())
    first_of_a3 = by_css(tablet, "#section-provision article.item")
    tablet.execute_script("arguments[0].scrollIntoView({block: 'center'})", first_of_a3)
    assert tablet.execute_script("return scrollY") > 5000  # far down the page
    for selector in ("#bar-total", "#bar-verdict", "#bar-progress", "#next-unassessed"):
        assert on_screen_and_uncovered(tablet, by_css(tablet, selector)), selector
    assert text_of(tablet, "#bar-progress") == f"已评 0/{ITEMS}"
    # the table's heading is on screen too, under the bar
    heading = by_css(tablet, "#section-provision .table-head h2")
    assert on_screen_and_uncovered(tablet, heading) and heading.text.startswith("表A.3")

    # an answer by tap changes the figures in the bar
    button = first_of_a3.find_element("css selector", "button[data-all-met]")
    tablet.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    tap(tablet, button)
    assert page_number(tablet, "#bar-total") == page_number(tablet, "#total-score") == Decimal(10)
    assert text_of(tablet, "#bar-progress") == f"已评 1/{ITEMS}"
    assert text_of(tablet, "#bar-verdict") == "暂定：不具备评价条件（尚未评完）"
    screenshot(tablet, "form-tablet-a3.png")

    # 下一个未评 by tap: the next item of A.3, below the sticky heading, and the total still shown
    tap(tablet, by_css(tablet, "#next-unassessed"))
    second = tablet.find_elements("css selector", "#section-provision article.item")[1]
    assert focused_item(tablet) == second.get_attribute("id")[len("item-"):]
    assert on_screen_and_uncovered(tablet, second.find_element("css selector", "h3"))
    assert on_screen_and_uncovered(tablet, by_css(tablet, "#bar-total"))
    screenshot(tablet, "form-tablet-next-unassessed.png")


def test_a_desktop_shows_the_bar_and_the_paper_columns(desktop, shipped) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    platform = article(desktop, "management.platform")
    desktop.execute_script("arguments[0].scrollIntoView({block: 'start'})", platform)
    choose(desktop, "management.platform", "databases.street", "false")
    assert on_screen_and_uncovered(desktop, by_css(desktop, "#bar-total"))
    assert on_screen_and_uncovered(desktop, by_css(desktop, "#section-management .table-head h2"))
    # one row per requirement: its answers and its result beside its text, not under it
    row = by_css(desktop, "#item-management\\.platform fieldset.requirement:has(input[data-requirement='databases.street'])")
    text, answers, result = (row.find_element("css selector", s).rect for s in ("legend", ".answers", ".result"))
    assert answers["x"] > text["x"] + text["width"] - 1 and abs(answers["y"] - text["y"]) < 12
    assert result["x"] > answers["x"] and abs(result["y"] - text["y"]) < 12
    columns = platform.find_element("css selector", ".requirement-columns")
    assert columns.is_displayed() and columns.text.split() == ["评价要求", "扣分标准", "符合/不符合", "扣分", "说明"]
    screenshot(desktop, "form-desktop-1366.png")
    desktop.get(path.as_uri())
    screenshot(desktop, "form-desktop-1366-top.png")


def test_a_tablet_keeps_the_stacked_layout(tablet, shipped) -> None:
    path, _ = shipped
    tablet.get(path.as_uri())
    row = by_css(tablet, "#item-basics\\.policy fieldset.requirement")
    text, answers = (row.find_element("css selector", s).rect for s in ("legend", ".answers"))
    assert answers["y"] >= text["y"] + text["height"] - 1
    assert not by_css(tablet, "#item-basics\\.policy .requirement-columns").is_displayed()
    screenshot(tablet, "form-tablet-top.png")


# ---- 下一个未评 ------------------------------------------------------------------------


def test_next_unassessed_goes_in_order_wraps_and_says_when_none_is_left(desktop, shipped, tmp_path) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    order = desktop.execute_script("return [...document.querySelectorAll('article.item')].map(a => a.id.slice(5))")
    assert len(order) == ITEMS
    next_button = by_css(desktop, "#next-unassessed")
    next_button.click()
    assert focused_item(desktop) == order[0]
    # the focus is on the first unanswered control, the item under the sticky heading
    assert desktop.switch_to.active_element.get_attribute("data-requirement") == "has_policy"
    all_met(desktop, order[0])
    all_met(desktop, order[2])
    desktop.execute_script("arguments[0].querySelector('input').focus()", article(desktop, order[0]))
    next_button.click()
    assert focused_item(desktop) == order[1]
    next_button.click()
    assert focused_item(desktop) == order[3]  # order[2] is assessed
    # from the last item, round to the first one not assessed
    desktop.execute_script("arguments[0].scrollIntoView(); arguments[0].querySelector('input').focus()", article(desktop, order[-1]))
    next_button.click()
    assert focused_item(desktop) == order[1]

    findings = complete_findings(shipped_compilation()[0].rubric)
    import_findings(desktop, tmp_path, findings)
    assert text_of(desktop, "#bar-progress") == f"已评 {ITEMS}/{ITEMS}"
    next_button.click()
    assert text_of(desktop, "#bar-note") == "全部项目均已评价"


# ---- the summary agrees with itself -----------------------------------------------------


def summary(driver) -> tuple[str, str, str]:
    verdict = by_css(driver, "#verdict")
    classes = verdict.get_attribute("class").split()
    kind = next(c for c in ("neutral", "provisional", "passed", "failed") if c in classes)
    assert (text_of(driver, "#bar-verdict"), by_css(driver, "#bar-verdict").get_attribute("class")) == (
        verdict.text.strip(),
        verdict.get_attribute("class"),
    )
    return verdict.text.strip(), kind, text_of(driver, "#eligibility")


def test_a_blank_form_opens_neutral(desktop, shipped) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    assert summary(desktop) == ("尚未评价", "neutral", "—")
    assert desktop.find_elements("css selector", "#eligibility-problems li") == []
    assert "neutral" in by_css(desktop, "#eligibility").get_attribute("class")
    assert text_of(desktop, "#bar-progress") == f"已评 0/{ITEMS}"
    assert page_number(desktop, "#bar-total") == 0
    # red appears nowhere on a blank form's summary
    reds = desktop.execute_script(
        "return [...document.querySelectorAll('#summary *, #status-bar *')]"
        ".filter(e => getComputedStyle(e).color === 'rgb(164, 14, 38)').map(e => e.outerHTML)"
    )
    assert reds == []


def findings_case(eligible: bool, passed: bool, provisional: bool) -> dict:
    findings = complete_findings(shipped_compilation()[0].rubric)
    findings = copy.deepcopy(findings)
    if not eligible:
        findings["conditions"]["self_assessed"] = False
    if not passed:
        # every item of 表A.3, 表A.4 and 表A.5 absent: 500 - 120 - 120 - 70 = 190
        for key in list(findings["items"]):
            if key.split(".")[0] in ("management", "posts", "provision"):
                findings["items"][key] = {"status": "absent"}
    if provisional:
        del findings["items"]["performance.brand"]
    return findings


@pytest.mark.parametrize(
    ("eligible", "passed", "provisional", "expected"),
    [
        (True, True, False, ("合格", "passed", "具备评价条件")),
        (True, False, False, ("不合格", "failed", "具备评价条件")),
        (False, True, False, ("不具备评价条件", "failed", "不具备评价条件")),
        (False, False, False, ("不具备评价条件", "failed", "不具备评价条件")),
        (True, True, True, ("暂定：合格（尚未评完）", "provisional", "具备评价条件")),
        (True, False, True, ("暂定：不合格（尚未评完）", "provisional", "具备评价条件")),
        (False, True, True, ("暂定：不具备评价条件（尚未评完）", "provisional", "不具备评价条件")),
    ],
)
def test_the_verdict_eligibility_and_provisional_state_agree(
    desktop, shipped, tmp_path, eligible, passed, provisional, expected
) -> None:
    path, scorer = shipped
    findings = findings_case(eligible, passed, provisional)
    assert findings["conditions"].get("self_assessed", True) is eligible
    result = scorer.score(findings, partial=provisional)
    assert (result["passed"], result["eligible"], result["provisional"]) == (passed, eligible, provisional)
    desktop.get(path.as_uri())
    import_findings(desktop, tmp_path, findings)
    assert summary(desktop) == expected
    assert page_number(desktop, "#bar-total") == Decimal(result["total"])
    # 合格 is never shown beside 不具备评价条件
    if not eligible:
        assert "合格" not in text_of(desktop, "#verdict").replace("不合格", "")


# ---- deduction lines ------------------------------------------------------------------------


def test_each_deduction_line_names_its_requirement(desktop, shipped) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    all_met(desktop, "management.platform")
    choose(desktop, "management.platform", "databases.city", "false")
    choose(desktop, "management.platform", "databases.street", "false")
    lines = [li.text for li in article(desktop, "management.platform").find_elements("css selector", ".deductions li")]
    assert lines == [
        "−3 有数据库要求 · 1 有市级城市运行数据库要求：每缺一项扣3分",
        "−3 有数据库要求 · 3 有街(镇)城市运行数据库要求：每缺一项扣3分",
    ]
    all_met(desktop, "basics.planning")
    choose(desktop, "basics.planning", "standards_plans", "false")
    choose(desktop, "basics.planning", "research_plans", "false")
    lines = [li.text for li in article(desktop, "basics.planning").find_elements("css selector", ".deductions li")]
    assert lines == ["−1 有完整的标准制修订计划、标准实施计划：没有扣1分", "−1 有科研项目计划、采标计划：没有扣1分"]
    # a requirement ending in a full stop is named without it before the colon
    all_met(desktop, "basics.organization")
    click_label(desktop, control(desktop, "basics.organization", requirement="organization_chart", part="chart_accurate"))
    line = article(desktop, "basics.organization").find_element("css selector", ".deductions li").text
    assert line == (
        "−1 有完善的组织机构图(其中包括标准化机构图),机构图与组织实际现状相符：没有组织机构图扣1分,组织机构图不全面,"
        "机构设置与图不符或机构没有纳入管理规范扣1分,没有标准化管理机构扣1分（缺：组织机构图全面，机构设置与图相符，机构纳入管理规范）"
    )


# ---- screen readers -----------------------------------------------------------------------------


def test_every_table_and_item_is_in_the_accessibility_tree_on_load(desktop, shipped) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    nodes = desktop.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    headings = {
        node["name"]["value"]
        for node in nodes
        if not node.get("ignored") and node.get("role", {}).get("value") == "heading" and "name" in node
    }
    tables = desktop.execute_script("return [...document.querySelectorAll('.table-head h2')].map(h => h.textContent)")
    assert [t.split(" ")[0] for t in tables] == [f"表A.{n}" for n in range(1, 8)]
    assert [t for t in tables if t not in headings] == []
    # each table is a named region of the tree, not only a heading
    regions = {
        node["name"]["value"]
        for node in nodes
        if not node.get("ignored") and node.get("role", {}).get("value") == "region" and "name" in node
    }
    assert set(tables) <= regions
    item_titles = desktop.execute_script("return [...document.querySelectorAll('article.item h3')].map(h => h.textContent)")
    assert len(item_titles) == ITEMS
    missing = [title for title in item_titles if title not in headings]
    assert missing == []
    # the four items titled 1、体系结构 are told apart by their table
    assert sorted(t for t in item_titles if t.endswith("1、体系结构")) == [
        "表A.2 1、体系结构", "表A.3 1、体系结构", "表A.4 1、体系结构", "表A.5 1、体系结构",
    ]


def test_score_changes_are_announced_politely_once_the_evaluator_pauses(desktop, shipped) -> None:
    path, _ = shipped
    desktop.get(path.as_uri())
    announcer = by_css(desktop, "#score-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    # the bar itself is no live region: it would speak at every keystroke
    assert by_css(desktop, "#status-bar").get_attribute("aria-live") is None
    all_met(desktop, "basics.policy")
    choose(desktop, "basics.policy", "has_policy", "false")
    assert desktop.execute_script("return arguments[0].textContent", announcer) == ""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not desktop.execute_script("return arguments[0].textContent", announcer):
        time.sleep(0.1)
    total = text_of(desktop, "#total-score")
    assert desktop.execute_script("return arguments[0].textContent", announcer) == (
        f"总分 {total} / 500，暂定：不具备评价条件（尚未评完），已评 1/{ITEMS}"
    )
