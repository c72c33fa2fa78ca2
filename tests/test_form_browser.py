"""The form in headless Chromium, used as an evaluator would use it.

Opened from file://, filled by clicking and typing (and by keyboard alone
for some controls), exported through a real download, and the exported
findings scored by the Python scorer: its total must be the page's.  Saving
across a reload, importing (and refusing another rubric's file), the print
stylesheet, hostile texts, and axe-core with zero violations.

Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
Locally the tests skip without Chromium, chromedriver, selenium or axe-core;
with CI=true they fail.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from rubricdsl.backends import BuildContext, form
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.scoring import load_scorer

from rubricdsl.export import content_hash

from .browser import axe_source, chromium
from .conftest import ROOT, SHIPPED_RUBRIC
from .test_form_scoring import PYTHON_SCORER_IS_NEW

ARTIFACTS = ROOT / "tests" / "artifacts"
SOURCE_PATH = "rubrics/t-cssg-001.5-2020.rubric"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped rubric's form as the current code renders it, and its scorer."""
    compilation = compile_file(SHIPPED_RUBRIC)
    path = tmp_path_factory.mktemp("form") / "form.html"
    path.write_text(form.render(BuildContext.of(compilation, SOURCE_PATH)), encoding="utf-8")
    return path, load_scorer(compilation, SOURCE_PATH)


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads):
    with chromium(download_dir=downloads) as driver:
        yield driver


def exported_findings(scorer, data: bytes) -> dict:
    """An exported file as the Python scorer scores it: its digest (every
    export is a member file, docs/panel.md) checked and taken off."""
    findings, digest = scorer.without_digest(scorer.parse_findings(data))
    assert digest is not None
    return findings


def for_python_scorer(findings: dict) -> dict:
    """Exported findings as the Python scorer reads them: they name the
    rubric's content hash; a scorer before docs/findings.md's content hash
    (PYTHON_SCORER_IS_NEW) does not know the key yet."""
    assert findings["rubric"]["content_hash"] == content_hash(compile_file(SHIPPED_RUBRIC).rubric)
    if not PYTHON_SCORER_IS_NEW:
        del findings["rubric"]["content_hash"]
    return findings


# ---- acting as an evaluator -------------------------------------------------


def by_css(driver, selector):
    return driver.find_element("css selector", selector)


def article(driver, path):
    return driver.find_element("id", f"item-{path}")


def click_label(driver, control) -> None:
    """Click the visible label of a control, as a person does."""
    label = by_css(driver, f"label[for='{control.get_attribute('id')}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
    label.click()


def control(driver, path, value=None, **data):
    """The input of item `path` with these data-* attributes (and value)."""
    selector = f"input[data-item='{path}']" + "".join(f"[data-{key}='{wanted}']" for key, wanted in data.items())
    return by_css(driver, selector + (f"[value='{value}']" if value is not None else ""))


def choose(driver, path, requirement, value) -> None:
    click_label(driver, by_css(driver, f"input[data-item='{path}'][data-requirement='{requirement}'][value='{value}']"))


def all_met(driver, path) -> None:
    button = article(driver, path).find_element("css selector", "button[data-all-met]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def type_into(driver, element, text: str) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    element.send_keys(text)


def type_date(driver, element, year: str, month: str, day: str) -> None:
    """A date field takes its parts in the order of the browser's locale."""
    order = driver.execute_script(
        "return new Intl.DateTimeFormat(navigator.language, {year: 'numeric', month: '2-digit', day: '2-digit'})"
        ".formatToParts(new Date(2026, 10, 27)).filter(p => p.type !== 'literal').map(p => p.type)"
    )
    parts = {"year": year, "month": month, "day": day}
    type_into(driver, element, "".join(parts[name] for name in order))


def page_number(driver, selector) -> Decimal:
    return Decimal(by_css(driver, selector).text.strip())


def text_of(driver, selector) -> str:
    return by_css(driver, selector).text.strip()


def wait_for_download(folder: Path, timeout: float = 10.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.suffix == ".json"]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no download in {folder}: {list(folder.iterdir())}")


def severe_console_errors(driver) -> list:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, name: str, element=None) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if element is not None:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
        element.screenshot(str(path))
    else:
        driver.save_screenshot(str(path))
    return path


def printed_text(driver) -> str:
    """The printed sheet's text (in print media), without spaces or line breaks:
    built as printing builds it, on beforeprint (the media query's change
    event would come later)."""
    driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    return "".join(by_css(driver, "#print-sheet").text.split())


def run_axe(driver) -> list:
    driver.execute_script(axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
    )
    assert isinstance(result, list), result
    return [(v["id"], v["help"], [node["target"] for node in v["nodes"][:3]]) for v in result]


def fill_as_an_evaluator(driver) -> None:
    """A whole evaluation: header, conditions, every item."""
    type_into(driver, by_css(driver, "#field-organization"), "某市网格化服务管理中心")
    type_date(driver, by_css(driver, "#field-date"), "2026", "11", "27")
    type_into(driver, by_css(driver, "#field-evaluators"), "张三\n李四\n")
    type_into(driver, by_css(driver, "#field-remarks"), "现场考核 | 上午")

    conditions = driver.find_elements("css selector", "input[data-condition]")
    for box in conditions[:3]:
        click_label(driver, box)
    # the advisory condition stays unticked: a warning, still eligible

    for item in driver.find_elements("css selector", "article.item"):
        if item.find_elements("css selector", "button[data-all-met]"):
            all_met(driver, item.get_attribute("id")[len("item-"):])

    # 表A.1 item 1: one requirement unmet (−2)
    choose(driver, "basics.policy", "has_objectives", "false")
    # item 2: the chart is there but not accurate (−1 for the missing part)
    click_label(driver, control(driver, "basics.organization", requirement="organization_chart", part="chart_accurate"))
    # item 4: 45% of the training plan done: the 30–50 band (−3)
    type_into(driver, control(driver, "basics.training", measure="completion"), "45")
    # 表A.2 item 1: by keyboard, from 符合 to the second failure level (−3)
    met = by_css(driver, "input[data-item='foundation.structure'][data-requirement='table'][value='true']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", met)
    met.send_keys("\ue014")  # ArrowRight: no_table
    driver.switch_to.active_element.send_keys("\ue014")  # ArrowRight: unclear
    # 表A.4 item 6: one platform requirement missing in one group (−3)
    choose(driver, "management.platform", "databases.street", "false")
    # 表A.5: one item ruled not applicable, one absent
    click_label(driver, control(driver, "posts.big_data_posts", status="not_applicable"))
    type_into(driver, control(driver, "posts.big_data_posts", reason="1"), "本级不设大数据岗位")
    click_label(driver, control(driver, "posts.grid_posts", status="absent"))
    # 表A.6 item 1: exactly 80% takes part: no deduction
    type_into(driver, control(driver, "implementation.promotion_training", measure="participation"), "80")
    # 表A.7: measured values and choices
    type_into(driver, control(driver, "performance.service_quality", measure="satisfaction"), "90")
    type_into(driver, control(driver, "performance.service_efficiency", measure="time_saved"), "9.99")
    click_label(driver, control(driver, "performance.brand", choice="provincial"))
    # the condition by keyboard: Tab from the third box to the fourth, then Space
    conditions[2].send_keys("\ue004")  # Tab
    focused = driver.switch_to.active_element
    assert focused.get_attribute("data-condition") == "no_major_incident"
    focused.send_keys(" ")
    focused.send_keys(" ")  # and off again: left unticked on purpose
    # the last item by keyboard only: Tab into its choices, arrows to "none reached"
    gold = control(driver, "performance.social_benefit", choice="marked")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", gold)
    gold.send_keys(" ")
    for _ in range(2):  # 显著提高 -> 提高10%以上 -> none reached
        driver.switch_to.active_element.send_keys("\ue015")  # ArrowDown
    assert driver.switch_to.active_element.get_attribute("data-choice") == ""


# ---- the tests ---------------------------------------------------------------


def test_an_evaluator_fills_exports_and_the_scorer_agrees(browser, shipped, downloads) -> None:
    path, scorer = shipped
    browser.get(path.as_uri())
    assert text_of(browser, "#unassessed-count") == "44"
    fill_as_an_evaluator(browser)

    assert text_of(browser, "#unassessed-count") == "0"
    assert text_of(browser, "#verdict") == "合格"
    assert text_of(browser, "#eligibility") == "具备评价条件"
    page_total = page_number(browser, "#total-score")
    # −2 −1 −3 (A.1), −3 (A.2), −3 and a 10-point item absent (A.4/A.5),
    # 9.99% saves too little time: 0 of 20, provincial brand 5 of 10, no
    # social benefit 0 of 10: 500 − 6 − 3 − 3 − 10 − 20 − 5 − 10
    assert page_total == Decimal(443)
    policy = article(browser, "basics.policy")
    assert policy.find_element("css selector", ".item-score").text == "得分 3 / 5"
    assert "没有目标扣2分" in policy.find_element("css selector", ".deductions").text
    training = article(browser, "basics.training")
    assert "完成培训计划量的30%以上" in training.find_element("css selector", ".deductions").text
    assert "全员培训计划完成率 45%" in training.find_element("css selector", ".deductions").text
    structure = article(browser, "foundation.structure")
    assert "（层次不清，结构不合理）" in structure.find_element("css selector", ".deductions").text

    by_css(browser, "#export-button").click()
    exported = wait_for_download(downloads)
    assert exported.name == "t-cssg-001.5-2020_某市网格化服务管理中心_2026-11-27.json"
    assert text_of(browser, "#message") == f"已导出 {exported.name}"  # complete: no "partial" warning
    findings = for_python_scorer(exported_findings(scorer, exported.read_bytes()))
    assert scorer.validate(findings) == []  # a complete file, exactly docs/findings.md
    result = scorer.score(findings)
    assert Decimal(result["total"]) == page_total
    assert [Decimal(s["score"]) for s in result["sections"]] == [
        Decimal(cell.text) for cell in browser.find_elements("css selector", "#section-totals td:last-child")
    ]
    assert findings["evaluators"] == ["张三", "李四"]
    assert findings["date"] == "2026-11-27"
    assert findings["conditions"] == {
        "self_assessed": True, "running_half_year": True, "self_check_passed": True, "no_major_incident": False,
    }
    assert findings["items"]["posts.big_data_posts"] == {"status": "not_applicable", "reason": "本级不设大数据岗位"}
    assert findings["items"]["posts.grid_posts"] == {"status": "absent"}
    assert findings["items"]["foundation.structure"]["requirements"]["table"] == "unclear"
    assert findings["items"]["performance.social_benefit"] == {"status": "assessed", "choice": None}
    assert findings["items"]["basics.training"]["measures"] == {"completion": 45}
    assert result["advisory_unmet"] == ["no_major_incident"] and result["eligible"] is True
    assert severe_console_errors(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "form-top.png")
    screenshot(browser, "form-basics.png", by_css(browser, "#section-basics"))
    screenshot(browser, "form-posts.png", by_css(browser, "#section-posts"))
    screenshot(browser, "form-performance.png", by_css(browser, "#section-performance"))
    # On paper: the printed sheet (tests/test_form_print.py prints it to PDF), not the controls.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = browser.execute_script("return ['.toolbar', '.layout'].map(s => getComputedStyle(document.querySelector(s)).display)")
    assert hidden == ["none"] * 2
    printed = printed_text(browser)
    assert "总分443/500" in printed and "评价日期2026年11月27日" in printed
    assert "序号姓名单位/职务签字1张三2李四345" in printed  # the names entered, rows for the panel's least
    assert "完成培训计划量的30%以上,50%以下扣3分；" in printed and "全员培训计划完成率45%不符合−3" in printed


def test_progress_survives_a_reload(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    type_into(browser, by_css(browser, "#field-organization"), "某区中心")
    all_met(browser, "basics.policy")
    choose(browser, "basics.policy", "has_policy", "false")
    click_label(browser, control(browser, "basics.organization", requirement="organization_chart", part="chart_exists"))
    type_into(browser, control(browser, "basics.training", measure="completion"), "50")
    click_label(browser, control(browser, "posts.grid_posts", status="not_applicable"))
    assert "请填写不适用的理由" in article(browser, "posts.grid_posts").text
    before = page_number(browser, "#total-score")
    assert before == Decimal(3)  # basics.policy 5 − 2; the rest not finished

    browser.refresh()
    assert text_of(browser, "#message") == "已恢复上次保存的评价记录"
    assert by_css(browser, "#field-organization").get_attribute("value") == "某区中心"
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert control(browser, "basics.organization", requirement="organization_chart", part="chart_exists").is_selected()
    assert control(browser, "basics.training", measure="completion").get_attribute("value") == "50"
    assert control(browser, "posts.grid_posts", status="not_applicable").is_selected()
    assert page_number(browser, "#total-score") == before
    assert text_of(browser, "#unassessed-count") == "43"


def test_import_refuses_another_rubric_and_restores_an_export(browser, shipped, downloads, tmp_path) -> None:
    path, scorer = shipped
    browser.get(path.as_uri())
    all_met(browser, "basics.policy")
    choose(browser, "basics.policy", "measurable_objectives", "false")
    click_label(browser, control(browser, "performance.brand", choice="national"))
    by_css(browser, "#export-button").click()
    exported = wait_for_download(downloads)
    assert "尚有 42 个项目未评完" in text_of(browser, "#message")
    partial = for_python_scorer(exported_findings(scorer, exported.read_bytes()))
    assert scorer.validate(partial, partial=True) == []
    assert set(partial["items"]) == {"basics.policy", "performance.brand"}
    total = page_number(browser, "#total-score")
    assert Decimal(scorer.score(partial, partial=True)["total"]) == total == Decimal(14)

    other = tmp_path / "other.json"
    foreign = dict(partial, rubric={"id": "t-cssg-001.4-2020", "version": "2020-draft"})
    other.write_text(json.dumps(foreign, ensure_ascii=False), encoding="utf-8")
    by_css(browser, "#import-file").send_keys(str(other))
    assert text_of(browser, "#message") == (
        "此文件属于评分表 t-cssg-001.4-2020（版本 2020-draft），与本表 t-cssg-001.5-2020（版本 2020-draft）不符，未导入。"
    )
    assert page_number(browser, "#total-score") == total

    older = tmp_path / "older.json"
    older.write_text(json.dumps(dict(partial, rubric={"id": "t-cssg-001.5-2020", "version": "2019"})), encoding="utf-8")
    by_css(browser, "#import-file").send_keys(str(older))
    assert "版本 2019" in text_of(browser, "#message") and "未导入" in text_of(browser, "#message")

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    by_css(browser, "#import-file").send_keys(str(broken))
    assert text_of(browser, "#message") == "文件无法导入：文件不是有效的 JSON"

    by_css(browser, "#reset-button").click()
    answer(browser, "清空")
    assert page_number(browser, "#total-score") == 0
    assert not control(browser, "performance.brand", choice="national").is_selected()

    by_css(browser, "#import-file").send_keys(str(exported))
    assert text_of(browser, "#message") == "已导入评价记录"
    assert page_number(browser, "#total-score") == total
    assert control(browser, "performance.brand", choice="national").is_selected()
    assert control(browser, "basics.policy", requirement="measurable_objectives", value="false").is_selected()


def test_axe_finds_no_accessibility_violations(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    assert run_axe(browser) == []
    # with errors showing, deductions listed, an item inactive, a measure out of range
    all_met(browser, "basics.policy")
    choose(browser, "basics.policy", "has_policy", "false")
    click_label(browser, control(browser, "posts.grid_posts", status="not_applicable"))
    type_into(browser, control(browser, "basics.training", measure="completion"), "150")
    assert control(browser, "basics.training", measure="completion").get_attribute("aria-invalid") == "true"
    assert run_axe(browser) == []


def test_every_control_has_a_label_and_the_keyboard_reaches_it(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    unlabelled = browser.execute_script(
        "return [...document.querySelectorAll('input, textarea, button')]"
        ".filter(c => c.type !== 'file' && !(c.labels && c.labels.length) && !c.textContent.trim()"
        " && !c.getAttribute('aria-label')).map(c => c.outerHTML)"
    )
    assert unlabelled == []
    negative = browser.execute_script("return document.querySelectorAll('[tabindex]:not(#summary)').length")
    assert negative == 0
    # Tab from the start reaches the skip link, the toolbar, the status bar, then the form
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys("\ue004").perform()
    assert browser.switch_to.active_element.text == "跳至评分汇总"
    for expected in ("export-button", "import-file", "print-button", "reset-button", "new-button", "panel-link", "next-unassessed",
                     "bar-summary-link", "field-organization"):
        ActionChains(browser).send_keys("\ue004").perform()
        assert browser.switch_to.active_element.get_attribute("id") == expected
    # the skip link moves the focus to the summary
    browser.execute_script("document.querySelector('.skip').focus()")
    ActionChains(browser).send_keys("\ue007").perform()  # Enter
    assert browser.switch_to.active_element.get_attribute("id") == "summary"


def test_hostile_rubric_texts_are_shown_as_text(browser, tmp_path) -> None:
    source = """
rubric hostile-4
  title "</script><script>window.pwned=1</script>"
  version "1"
  full marks 10
  pass at 5

condition c1 "<img src=x onerror=window.pwned=2>"

section s "<b>bold</b>" points 10
  item i "<svg onload=window.pwned=3>" points 10
    req r "</textarea><img src=x onerror=window.pwned=4>"
      deduct 3 "<i>3</i>"
    req p "parts"
      deduct each 1 "each"
      part a "<a href=javascript:window.pwned=5>a</a>"
"""
    compilation = compile_source(source, "hostile.rubric")
    assert compilation.ok
    page = tmp_path / "hostile.html"
    page.write_text(form.render(BuildContext.of(compilation, "rubrics/hostile.rubric")), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img, svg, b, i, main a[href^=javascript]').length") == 0
    assert browser.title == "评价表：</script><script>window.pwned=1</script>"
    item = article(browser, "s.i")
    assert "<svg onload=window.pwned=3>" in item.text
    assert "</textarea><img src=x onerror=window.pwned=4>" in item.text
    assert "<a href=javascript:window.pwned=5>a</a>" in item.text
    click_label(browser, control(browser, "s.i", requirement="r", value="false"))
    click_label(browser, control(browser, "s.i", requirement="p", part="a"))
    assert "<i>3</i>" in item.find_element("css selector", ".deductions").text
    assert page_number(browser, "#total-score") == Decimal(7)
    assert severe_console_errors(browser) == []


# ---- 8.2 policies, group rulings, provisional verdicts ----------------------------

@pytest.fixture(scope="module")
def with_policies(tmp_path_factory):
    """The shipped rubric with `policy nothing_met zero` and `policy
    not_applicable full` (clause 8.2), built from model objects until the
    grammar for `policy` lines lands."""
    import dataclasses

    from rubricdsl import model as m

    compilation = compile_file(SHIPPED_RUBRIC)
    rubric = dataclasses.replace(
        compilation.rubric, policies=(m.Policy("nothing_met", "zero", "8.2"), m.Policy("not_applicable", "full", "8.2"))
    )
    compilation = dataclasses.replace(compilation, rubric=rubric)
    path = tmp_path_factory.mktemp("form-policies") / "form.html"
    path.write_text(form.render(BuildContext.of(compilation, SOURCE_PATH)), encoding="utf-8")
    return path, rubric


def item_score(driver, path) -> str:
    return article(driver, path).find_element("css selector", ".item-head .item-score").text.strip()


def group_control(driver, path, group, status):
    return by_css(driver, f"input[data-item='{path}'][data-group='{group}'][data-status='{status}']")


def test_a_blank_form_is_provisional_never_a_bare_fail(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    # a blank form opens neutral: no verdict, no eligibility, no warnings
    assert text_of(browser, "#verdict") == "尚未评价"
    assert "neutral" in by_css(browser, "#verdict").get_attribute("class")
    # On paper, boxes to tick by hand.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert "评价结论☐合格☐不合格" in printed_text(browser)


def test_group_rulings_and_the_zero_rule(browser, with_policies, downloads) -> None:
    path, rubric = with_policies
    browser.get(path.as_uri())
    platform = "management.platform"
    all_met(browser, platform)
    assert item_score(browser, platform) == "得分 50 / 50"
    # databases: not applicable, with the panel's reason; operations: absent
    click_label(browser, group_control(browser, platform, "databases", "not_applicable"))
    group = by_css(browser, f"[id='group-{platform}.databases']")
    assert group.find_element("css selector", ".group-score").text == "请填写不适用的理由"
    assert item_score(browser, platform) == "未评完"
    type_into(browser, group.find_element("css selector", "input[data-reason]"), "本级不建数据库")
    assert group.find_element("css selector", ".group-score").text == "不适用，按满分 10 / 10"
    click_label(browser, group_control(browser, platform, "operations", "absent"))
    operations = by_css(browser, f"[id='group-{platform}.operations']")
    assert operations.find_element("css selector", ".group-score").text == "缺项，得分 0 / 10"
    assert not operations.find_element("css selector", "input[data-requirement][value='true']").is_enabled()
    # intelligence: every requirement unmet: 0 by the zero rule
    for key in ("process_reengineering", "iot", "integration", "theme_databases", "intelligent_systems"):
        choose(browser, platform, f"intelligence.{key}", "false")
    intelligence = by_css(browser, f"[id='group-{platform}.intelligence']")
    assert "应有而未满足，得 0 分 (8.2)" in intelligence.find_element("css selector", ".group-score").text
    assert item_score(browser, platform) == "得分 30 / 50（扣完为止）"  # intelligence lost its 10 and more
    screenshot(browser, "form-groups.png", article(browser, platform))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    printed = printed_text(browser)
    assert "不适用，按满分10/10" in printed and "不适用理由：本级不建数据库" in printed
    assert "缺项，得分0/10" in printed and "得分30/50（扣完为止）" in printed
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    by_css(browser, "#export-button").click()
    exported = json.loads(wait_for_download(downloads).read_text(encoding="utf-8"))
    assert exported["rubric"]["content_hash"] == content_hash(rubric)
    found = exported["items"][platform]
    assert found["groups"] == {
        "platform_requirements": {"status": "assessed"},
        "databases": {"status": "not_applicable", "reason": "本级不建数据库"},
        "data_exchange": {"status": "assessed"},
        "intelligence": {"status": "assessed"},
        "operations": {"status": "absent"},
    }
    assert not [key for key in found["requirements"] if key.startswith(("databases.", "operations."))]
    assert found["requirements"]["intelligence.iot"] is False


# ---- keys named like Object.prototype's members ---------------------------------


def test_keys_named_like_object_members_are_answered_and_exported(browser, downloads, tmp_path) -> None:
    """tests/fixtures/rubrics/names.rubric: an item 'toString' in a section
    'constructor', with requirements 'hasOwnProperty' and 'isPrototypeOf'
    (parts 'constructor', 'toString', 'valueOf'), a level 'toString', a
    measure 'valueOf'; an item whose groups are 'constructor' and
    'hasOwnProperty'.  Answered by clicking, exported, and the export holds
    every answer and scores as the page does."""
    from .test_names import NAMES, SOURCE_PATH

    compilation = compile_file(NAMES)
    scorer = load_scorer(compilation, SOURCE_PATH)
    page = tmp_path / "names.html"
    page.write_text(form.render(BuildContext.of(compilation, SOURCE_PATH)), encoding="utf-8")
    browser.get(page.as_uri())
    path = "constructor.toString"
    click_label(browser, control(browser, path, "true", requirement="hasOwnProperty"))
    for part in ("constructor", "valueOf"):
        click_label(browser, control(browser, path, requirement="isPrototypeOf", part=part))
    click_label(browser, control(browser, path, "toString", requirement="propertyIsEnumerable"))
    type_into(browser, control(browser, path, measure="valueOf"), "60")
    all_met(browser, "constructor.constructor")
    click_label(browser, by_css(browser, "input[data-condition='constructor']"))
    item = article(browser, path)
    # isPrototypeOf misses toString (-1), the level toString (-2), valueOf 60 is in band hasOwnProperty (-2).
    assert item.find_element("css selector", ".item-score").text == "Score 5 / 10"
    assert article(browser, "constructor.constructor").find_element("css selector", ".item-score").text == "Score 10 / 10"

    by_css(browser, "#export-button").click()
    findings = exported_findings(scorer, wait_for_download(downloads).read_bytes())
    assert findings["items"][path] == {
        "status": "assessed",
        "requirements": {"hasOwnProperty": True, "isPrototypeOf": {"constructor": True, "toString": False, "valueOf": True},
                         "propertyIsEnumerable": "toString"},
        "measures": {"valueOf": 60},
    }
    assert findings["items"]["constructor.constructor"]["requirements"] == {
        "constructor.toString": True, "constructor.valueOf": True,
        "hasOwnProperty.constructor": True, "hasOwnProperty.isPrototypeOf": True,
    }
    assert findings["conditions"]["constructor"] is True and findings["conditions"]["toString"] is False
    result = scorer.score(findings, partial=True)
    assert [item["score"] for item in result["sections"][2]["items"]] == [5, 10, 0]
    assert Decimal(result["total"]) == page_number(browser, "#total-score")
    assert severe_console_errors(browser) == []


# ---- import, export and 本项全部符合 never lose an answer ---------------------


def test_all_met_fills_only_what_is_unanswered(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    choose(browser, "basics.policy", "has_objectives", "false")
    all_met(browser, "basics.policy")
    assert control(browser, "basics.policy", requirement="has_objectives", value="false").is_selected()
    assert control(browser, "basics.policy", requirement="has_policy", value="true").is_selected()
    assert control(browser, "basics.policy", requirement="measurable_objectives", value="true").is_selected()
    chart = dict(requirement="organization_chart")
    click_label(browser, control(browser, "basics.organization", part="chart_exists", **chart))
    all_met(browser, "basics.organization")
    assert control(browser, "basics.organization", part="chart_exists", **chart).is_selected()
    assert not control(browser, "basics.organization", part="chart_accurate", **chart).is_selected()
    assert item_score(browser, "basics.policy") == "得分 3 / 5"


def template_file(tmp_path) -> Path:
    import subprocess
    import sys

    out = tmp_path / "template.json"
    subprocess.run([sys.executable, "-m", "rubricdsl.cli", "template", str(SHIPPED_RUBRIC), "-o", str(out)],
                   check=True, cwd=ROOT)
    return out


def answer(driver, label: str) -> None:
    """Press a button of the page's own question dialog (never window.confirm)."""
    dialog = by_css(driver, "#ask")
    assert dialog.get_attribute("open") is not None, "no question was asked"
    question = text_of(driver, "#ask-text")
    [button] = [b for b in dialog.find_elements("css selector", "button") if b.text == label]
    button.click()
    assert dialog.get_attribute("open") is None or text_of(driver, "#ask-text") != question  # closed, or the next question


def import_file(driver, file: Path) -> str:
    """The page's message once the file is read (the import clears it, then
    reads the file and checks its digest asynchronously)."""
    by_css(driver, "#import-file").send_keys(str(file))
    deadline = time.monotonic() + 5
    while not text_of(driver, "#message") and not driver.find_elements("css selector", "#ask[open]") and time.monotonic() < deadline:
        time.sleep(0.02)
    return text_of(driver, "#message")


def test_import_reads_template_files_with_notes_and_nulls(browser, shipped, tmp_path) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert import_file(browser, broken) == "文件无法导入：文件不是有效的 JSON"

    blank = template_file(tmp_path)
    assert import_file(browser, blank) == "已导入评价记录"
    assert text_of(browser, "#unassessed-count") == "44"

    # every answer given but the status left null: not assessed, as score --partial
    filled = json.loads(blank.read_text(encoding="utf-8"))
    policy = filled["items"]["basics.policy"]
    for key in [k for k in policy["requirements"] if not k.startswith("_")]:
        policy["requirements"][key] = True
    filled["organization"] = "某区中心"
    null_status = tmp_path / "null-status.json"
    null_status.write_text(json.dumps(filled, ensure_ascii=False), encoding="utf-8")
    assert import_file(browser, null_status) == "已导入评价记录"
    assert text_of(browser, "#unassessed-count") == "44"
    assert page_number(browser, "#total-score") == 0
    assert by_css(browser, "#field-organization").get_attribute("value") == "某区中心"

    # a complete file with a note under items
    complete = json.loads(blank.read_text(encoding="utf-8"))
    complete.update(organization="某市中心", date="2026-11-27", evaluators=["张三"])
    complete["conditions"] = {k: True for k in complete["conditions"] if not k.startswith("_")}
    complete["items"] = {k: {"status": "absent"} for k in complete["items"] if not k.startswith("_")}
    complete["items"]["_note"] = "现场核查"
    whole = tmp_path / "complete.json"
    whole.write_text(json.dumps(complete, ensure_ascii=False), encoding="utf-8")
    import_file(browser, whole)
    answer(browser, "替换本页的评价")  # the form held 某区中心's answers
    assert text_of(browser, "#message") == "已导入评价记录"
    assert text_of(browser, "#unassessed-count") == "0"
    assert severe_console_errors(browser) == []

    # a file that fails in a way no check names still says so, in Chinese
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(dict(complete, evaluators="张三"), ensure_ascii=False), encoding="utf-8")
    message = import_file(browser, odd)
    assert message.startswith("文件无法导入") and by_css(browser, "#message").get_attribute("class") == "message error"
    screenshot(browser, "form-import-message.png", by_css(browser, "#message"))


def test_import_refuses_a_file_that_is_not_utf8(browser, shipped, tmp_path) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    findings = json.loads(template_file(tmp_path).read_text(encoding="utf-8"))
    findings["organization"] = "某区网格化服务管理中心"
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(json.dumps(findings, ensure_ascii=False).encode("gbk"))
    message = import_file(browser, gbk)
    assert "GBK" in message and "UTF-8" in message
    assert message.startswith("文件不是 UTF-8 编码")
    assert by_css(browser, "#field-organization").get_attribute("value") == ""
    screenshot(browser, "form-import-gbk.png", by_css(browser, "#message"))

    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(findings, ensure_ascii=False).encode("utf-8"))
    assert import_file(browser, bom) == "已导入评价记录"
    assert by_css(browser, "#field-organization").get_attribute("value") == "某区网格化服务管理中心"


def test_export_keeps_half_answered_items(browser, shipped, downloads, tmp_path) -> None:
    import subprocess
    import sys

    path, _ = shipped
    browser.get(path.as_uri())
    choose(browser, "basics.policy", "has_objectives", "false")
    click_label(browser, control(browser, "basics.organization", requirement="organization_chart", part="chart_exists"))
    type_into(browser, control(browser, "basics.training", measure="completion"), "45")
    by_css(browser, "#export-button").click()
    exported = wait_for_download(downloads)
    findings = json.loads(exported.read_text(encoding="utf-8"))
    assert findings["items"]["basics.policy"] == {"status": None, "requirements": {"has_objectives": False}}
    assert findings["items"]["basics.training"]["status"] is None
    assert findings["items"]["basics.training"]["measures"] == {"completion": 45}
    rubric = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
    scored = subprocess.run([sys.executable, "-m", "rubricdsl.cli", "score", str(rubric), str(exported), "--partial"],
                            cwd=ROOT, capture_output=True, text=True)
    assert scored.returncode == 0, scored.stderr

    browser.execute_script("localStorage.clear()")
    browser.refresh()
    assert not control(browser, "basics.policy", requirement="has_objectives", value="false").is_selected()
    assert import_file(browser, exported) == "已导入评价记录"
    assert control(browser, "basics.policy", requirement="has_objectives", value="false").is_selected()
    assert control(browser, "basics.organization", requirement="organization_chart", part="chart_exists").is_selected()
    assert control(browser, "basics.training", measure="completion").get_attribute("value") == "45"
    assert text_of(browser, "#unassessed-count") == "44"
    assert severe_console_errors(browser) == []


def test_import_refuses_a_number_the_page_cannot_read_exactly(browser, shipped, tmp_path) -> None:
    """JSON.parse reads 29.99999999999999999 as 30: the scorer, reading the
    decimal, deducts 5 for training under 30% and the form would deduct 3.
    Such a file is refused, never scored differently."""
    path, _ = shipped
    browser.get(path.as_uri())
    findings = json.loads(template_file(tmp_path).read_text(encoding="utf-8"))
    training = findings["items"]["basics.training"]
    training["status"] = "assessed"
    training["requirements"] = {k: True for k in training["requirements"] if not k.startswith("_")}
    long_number = tmp_path / "long-number.json"
    training["measures"] = {"completion": 12345}
    long_number.write_text(
        json.dumps(findings, ensure_ascii=False).replace('"completion": 12345', '"completion": 29.99999999999999999'),
        encoding="utf-8",
    )
    assert import_file(browser, long_number).startswith("文件无法导入：数值 29.99999999999999999 的位数超出")
    assert text_of(browser, "#unassessed-count") == "44"

    # the same value written with the digits a number holds is read
    short_number = tmp_path / "short-number.json"
    short_number.write_text(
        json.dumps(findings, ensure_ascii=False).replace('"completion": 12345', '"completion": 29.5'), encoding="utf-8"
    )
    assert import_file(browser, short_number) == "已导入评价记录"
    assert by_css(browser, '[data-item="basics.training"][data-measure="completion"]').get_attribute("value") == "29.5"
