"""The form keeps the evaluator's work, in headless Chromium.

Saved evaluations (one record each, per rubric and content hash), the tab
that holds one, what happens when two tabs hold the same one, the old single
save slot, the save state, imports that would replace work, import messages
in the sheet's words, and remarks (扣分说明) through reload, export and
import.  Locally the tests skip without Chromium; with CI=true they fail.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time

from .browser import require
from .test_form_browser import (
    answer,
    article,
    browser,  # noqa: F401  (fixture)
    by_css,
    choose,
    click_label,
    control,
    downloads,  # noqa: F401  (fixture)
    import_file,
    run_axe,
    screenshot,
    severe_console_errors,
    shipped,  # noqa: F401  (fixture)
    text_of,
    type_into,
    wait_for_download,
)

OLD_SLOT = "rubricdsl-form:t-cssg-001.5-2020@2020-draft"


def records(driver) -> list[dict]:
    """The saved evaluations of the shipped rubric in this browser."""
    return driver.execute_script(
        "return Object.keys(localStorage).filter(k => k.startsWith(arguments[0] + '#'))"
        ".map(k => JSON.parse(localStorage.getItem(k)))",
        OLD_SLOT,
    )


def saved_rows(driver) -> list[str]:
    """Each saved evaluation's row, its cells' texts (shown or not) joined by spaces."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#saved-list tr')].map(r => [...r.cells].map(c => c.textContent).join(' '))"
    )


def read_only(driver) -> bool:
    return driver.execute_script("return document.getElementById('form-root').inert")


def saved_button(driver, organization: str, label: str):
    for row in driver.find_elements("css selector", "#saved-list tr"):
        if row.find_element("css selector", "th").get_attribute("textContent").startswith(organization):
            buttons = [b for b in row.find_elements("css selector", "button") if b.text == label]
            if buttons:
                return buttons[0]
    raise AssertionError(f"no saved evaluation of {organization}: {saved_rows(driver)}")


def open_saved_list(driver) -> None:
    if by_css(driver, "#saved").get_attribute("open") is None:
        by_css(driver, "#saved-title").click()


def press_saved(driver, organization: str, label: str) -> None:
    open_saved_list(driver)
    button = saved_button(driver, organization, label)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def organization(driver) -> str:
    return by_css(driver, "#field-organization").get_attribute("value")


def eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def remark_box(driver, path: str, key: str = ""):
    return by_css(driver, f"details[data-remark-item='{path}'][data-remark-key='{key}']")


def write_remark(driver, path: str, key: str, text: str) -> None:
    box = remark_box(driver, path, key)
    summary = box.find_element("css selector", "summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    type_into(driver, box.find_element("css selector", "textarea"), text)


def remark_text(driver, path: str, key: str = "") -> str | None:
    found = remark_box(driver, path, key).find_elements("css selector", "textarea")
    return found[0].get_attribute("value") if found else None


def test_two_organisations_in_two_copies_and_tabs_never_cross(browser, shipped, tmp_path) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    assert by_css(browser, "#saved").get_attribute("hidden") is not None  # nothing saved yet
    assert text_of(browser, "#save-state") == "尚未填写"
    type_into(browser, by_css(browser, "#field-organization"), "甲区中心")
    choose(browser, "basics.policy", "has_policy", "false")
    first = browser.current_window_handle

    # a new tab on the same file starts blank and offers the saved one
    browser.switch_to.new_window("tab")
    browser.get(path.as_uri())
    assert organization(browser) == ""
    assert not control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert text_of(browser, "#message").startswith("本浏览器中已保存 1 份评价")
    assert by_css(browser, "#saved").get_attribute("open") is not None
    assert saved_rows(browser)[0].startswith("甲区中心 — — ")
    type_into(browser, by_css(browser, "#field-organization"), "乙区中心")
    click_label(browser, control(browser, "performance.brand", choice="national"))
    assert len(records(browser)) == 2

    # each tab keeps its own, across reloads
    browser.refresh()
    assert organization(browser) == "乙区中心"
    browser.switch_to.window(first)
    assert organization(browser) == "甲区中心"
    assert not control(browser, "performance.brand", choice="national").is_selected()
    browser.refresh()
    assert organization(browser) == "甲区中心"
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert not read_only(browser)  # different evaluations never interfere

    # a second copy of the form file: blank, both offered; 继续 picks one
    copy = tmp_path / "copy" / "form.html"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    browser.switch_to.new_window("tab")
    browser.get(copy.as_uri())
    assert organization(browser) == ""
    assert [row.split(" ")[0] for row in saved_rows(browser)] == ["乙区中心", "甲区中心"]  # the last saved first
    press_saved(browser, "甲区中心", "继续")
    assert text_of(browser, "#message") == "已载入“甲区中心”的评价记录"
    assert organization(browser) == "甲区中心"
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert saved_rows(browser)[1].startswith("甲区中心（本页）")
    open_saved_list(browser)
    screenshot(browser, "form-saved-evaluations.png", by_css(browser, ".page-head"))
    assert run_axe(browser) == []
    assert severe_console_errors(browser) == []


def test_the_same_evaluation_in_two_tabs_is_never_silently_overwritten(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    type_into(browser, by_css(browser, "#field-organization"), "丙区中心")
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(path.as_uri())
    press_saved(browser, "丙区中心", "继续")
    second = browser.current_window_handle
    choose(browser, "basics.policy", "has_policy", "false")  # saved by the second tab

    # the first tab is told at once, stops saving and cannot be changed
    browser.switch_to.window(first)
    assert eventually(lambda: "另一个标签页" in text_of(browser, "#message"))
    assert text_of(browser, "#message").startswith("此评价已在另一个标签页（或窗口）中修改")
    assert text_of(browser, "#save-state") == "只读，未保存"
    assert read_only(browser)
    assert by_css(browser, "#import-file").get_attribute("disabled") is not None
    [record] = records(browser)
    assert record["state"]["items"]["basics.policy"]["requirements"] == {"has_policy": False}

    # 继续 in the first tab loads the latest; its next change makes the second read-only
    press_saved(browser, "丙区中心", "继续")
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert not read_only(browser)
    choose(browser, "basics.policy", "has_objectives", "false")
    browser.switch_to.window(second)
    assert eventually(lambda: text_of(browser, "#save-state") == "只读，未保存")
    [record] = records(browser)
    assert record["state"]["items"]["basics.policy"]["requirements"] == {"has_policy": False, "has_objectives": False}

    # a write that no event announced yet is caught before this tab writes over it
    press_saved(browser, "丙区中心", "继续")
    browser.execute_script(
        "const key = Object.keys(localStorage).find(k => k.startsWith(arguments[0] + '#'));"
        "const record = JSON.parse(localStorage.getItem(key)); record.state.organization = '丙区中心（他处改过）';"
        "localStorage.setItem(key, JSON.stringify(record));",
        OLD_SLOT,
    )
    choose(browser, "basics.policy", "measurable_objectives", "false")
    assert text_of(browser, "#save-state") == "只读，未保存"
    [record] = records(browser)
    assert record["state"]["organization"] == "丙区中心（他处改过）"
    assert "measurable_objectives" not in record["state"]["items"]["basics.policy"]["requirements"]


def test_the_old_single_slot_becomes_a_saved_evaluation(browser, shipped) -> None:
    path, _ = shipped
    old_state = {
        "format": "rubricdsl-form-state/1", "organization": "旧版保存的单位", "date": "2026-11-20",
        "evaluators": "张三\n李四", "remarks": "", "conditions": {"self_assessed": True},
        "items": {"basics.policy": {"mode": "assessed", "reason": "", "requirements": {"has_policy": False}, "measures": {}}},
    }
    browser.get(path.as_uri())
    browser.execute_script("localStorage.clear(); sessionStorage.clear(); localStorage.setItem(arguments[0], arguments[1])",
                           OLD_SLOT, json.dumps(old_state, ensure_ascii=False))
    browser.refresh()
    assert text_of(browser, "#message") == "已恢复上次保存的评价记录"
    assert organization(browser) == "旧版保存的单位"
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert browser.execute_script("return localStorage.getItem(arguments[0])", OLD_SLOT) is None
    [record] = records(browser)
    assert record["state"]["evaluators"] == "张三\n李四"
    assert saved_rows(browser)[0].startswith("旧版保存的单位（本页） 2026-11-20 张三；李四 ")

    # a slot it cannot read is left where it is
    browser.execute_script("localStorage.setItem(arguments[0], '{broken')", OLD_SLOT)
    browser.refresh()
    assert browser.execute_script("return localStorage.getItem(arguments[0])", OLD_SLOT) == "{broken"
    assert len(records(browser)) == 1


def test_the_save_state_says_saved_and_when_saving_fails(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    type_into(browser, by_css(browser, "#field-organization"), "丁区中心")
    state = text_of(browser, "#save-state")
    assert state.startswith("已保存 ") and len(state) == len("已保存 12:34:56")
    assert by_css(browser, "#save-state").get_attribute("class") == "save-state"

    browser.execute_script(
        "window.realSetItem = Storage.prototype.setItem;"
        "Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };"
    )
    choose(browser, "basics.policy", "has_policy", "false")
    assert text_of(browser, "#save-state") == "保存失败：浏览器的本地存储已满。请立即导出，以免丢失。"
    assert by_css(browser, "#save-state").get_attribute("class") == "save-state failed"
    browser.execute_script("Storage.prototype.setItem = function () { throw new DOMException('no', 'SecurityError'); };")
    choose(browser, "basics.policy", "has_objectives", "false")
    assert text_of(browser, "#save-state").startswith("保存失败：浏览器不允许本地保存")

    browser.execute_script("Storage.prototype.setItem = window.realSetItem;")
    choose(browser, "basics.policy", "measurable_objectives", "false")
    assert text_of(browser, "#save-state").startswith("已保存 ")
    [record] = records(browser)
    assert record["state"]["items"]["basics.policy"]["requirements"] == {
        "has_policy": False, "has_objectives": False, "measurable_objectives": False}
    assert record["assessed"] == 1
    screenshot(browser, "form-save-state.png", by_css(browser, ".toolbar"))


def test_an_import_over_work_asks_and_can_import_as_new(browser, shipped, downloads) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    type_into(browser, by_css(browser, "#field-organization"), "戊区中心")
    choose(browser, "basics.policy", "has_policy", "false")
    by_css(browser, "#export-button").click()
    exported = wait_for_download(downloads)
    choose(browser, "basics.policy", "has_policy", "true")  # changed after the export

    import_file(browser, exported)
    assert text_of(browser, "#ask-text") == "导入将替换本页的评价“戊区中心”（已评 0/44 项）的全部内容。"
    assert browser.switch_to.active_element.text == "作为新的评价导入"  # the safe choice has the focus
    answer(browser, "取消")
    assert text_of(browser, "#message") == "未导入"
    assert control(browser, "basics.policy", requirement="has_policy", value="true").is_selected()

    import_file(browser, exported)
    answer(browser, "作为新的评价导入")
    assert text_of(browser, "#message").startswith("已导入为一份新的评价")
    assert control(browser, "basics.policy", requirement="has_policy", value="false").is_selected()
    assert len(records(browser)) == 2
    press_saved(browser, "戊区中心", "继续")  # the other 戊区中心: this page's row has no 继续
    states = sorted(json.dumps(r["state"]["items"]["basics.policy"]["requirements"]) for r in records(browser))
    assert states == ['{"has_policy": false}', '{"has_policy": true}']

    import_file(browser, exported)
    answer(browser, "替换本页的评价")
    assert text_of(browser, "#message") == "已导入评价记录"
    assert len(records(browser)) == 2

    # made under other content of this version: asked on the page, then asked again over the work
    other = json.loads(exported.read_text(encoding="utf-8"))
    other["rubric"]["content_hash"] = "sha256:" + "0" * 64
    del other["digest"]  # edited by hand: an ordinary findings file, no member file
    changed = exported.with_name("other-content.json")
    changed.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    import_file(browser, changed)
    assert text_of(browser, "#ask-text").endswith("仍要导入并按本表重新评分吗？")
    answer(browser, "导入并按本表重新评分")
    answer(browser, "替换本页的评价")
    own_hash = json.loads(exported.read_text(encoding="utf-8"))["rubric"]["content_hash"]
    assert text_of(browser, "#message").startswith(f"已导入，并按本表（内容哈希 {own_hash}）重新评分")
    assert len(records(browser)) == 2


def test_import_messages_name_the_item_as_printed_and_suggest(browser, shipped, tmp_path) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    findings = {
        "format": "rubricdsl-findings/1", "rubric": {"id": "t-cssg-001.5-2020", "version": "2020-draft"},
        "organization": "", "date": "", "evaluators": [], "remarks": "", "conditions": {},
        "items": {"basics.policy": {"status": "assessed", "requirements": {"has_polcy": True}}},
    }
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    assert import_file(browser, typo) == (
        "文件无法导入：表A.1 1、标准化方针、目标 / has_polcy：未知的键，是否应为“有组织方针、符合组织实际”？；"
        "表A.1 1、标准化方针、目标 / 有组织方针、符合组织实际：缺少此项；"
        "表A.1 1、标准化方针、目标 / 有组织目标：缺少此项……另有 1 处"
    )
    findings["items"] = {"basics.polcy": {"status": "absent"},
                         "basics.training": {"status": None, "measures": {"completion": 120}},
                         "basics.organization": {"status": "absent", "remark": 3}}
    findings["organisation"] = "某区"
    typo.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    message = import_file(browser, typo)
    assert message.startswith("文件无法导入：organisation：未知的键，是否应为“被评价单位”？；")
    assert "评价内容 / basics.polcy：未知的键，是否应为“表A.1 1、标准化方针、目标”？" in message
    assert "表A.1 2、组织机构图有职责划分 / 本项扣分说明：应为文字" in message
    screenshot(browser, "form-import-suggestion.png", by_css(browser, "#message"))
    assert "items." not in message and "requirements." not in message


def test_remarks_survive_reload_export_and_import(browser, shipped, downloads, tmp_path) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    assert remark_text(browser, "basics.policy") is None  # made only when opened: the page stays light
    type_into(browser, by_css(browser, "#field-organization"), "己区中心")
    type_into(browser, by_css(browser, "#field-evaluators"), "张三\n李四\n王五\n赵六\n钱七")
    choose(browser, "basics.policy", "has_objectives", "false")
    write_remark(browser, "basics.policy", "has_objectives", "现场查阅文件，未见书面目标")
    write_remark(browser, "basics.policy", "", "方针已发布，目标缺失")
    write_remark(browser, "basics.training", "plan_completed", "培训台账显示完成 45%")  # decided by a measure
    write_remark(browser, "management.platform", "databases.street", "街道级数据库未建")  # in a group
    write_remark(browser, "basics.organization", "", "   ")  # blank: not exported
    click_label(browser, control(browser, "posts.big_data_posts", status="not_applicable"))
    type_into(browser, control(browser, "posts.big_data_posts", reason="1"), "本级不设大数据岗位")
    write_remark(browser, "posts.big_data_posts", "", "经评估组界定")
    assert text_of(browser, "#unassessed-count") == "43"  # a remark is no answer

    browser.refresh()
    assert remark_text(browser, "basics.policy", "has_objectives") == "现场查阅文件，未见书面目标"
    assert remark_box(browser, "basics.policy", "has_objectives").get_attribute("open") is not None
    assert remark_text(browser, "management.platform", "databases.street") == "街道级数据库未建"
    screenshot(browser, "form-item-remarks.png", article(browser, "basics.policy"))
    assert run_axe(browser) == []
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext (apt package poppler-utils)")
    pdf = tmp_path / "remarks.pdf"
    pdf.write_bytes(base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"]))
    printed = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    printed = "".join(printed.split())  # the 说明 column wraps a remark over lines
    for remark in ("现场查阅文件，未见书面目标", "方针已发布，目标缺失", "培训台账显示完成45%", "街道级数据库未建", "经评估组界定"):
        assert printed.count(remark) == 1, remark  # each remark written prints once, whole

    by_css(browser, "#export-button").click()
    exported = wait_for_download(downloads)
    findings = json.loads(exported.read_text(encoding="utf-8"))
    assert findings["items"]["basics.policy"] == {
        "status": None, "requirements": {"has_objectives": False},
        "remark": "方针已发布，目标缺失", "requirement_remarks": {"has_objectives": "现场查阅文件，未见书面目标"}}
    assert findings["items"]["basics.training"] == {"status": None, "requirement_remarks": {"plan_completed": "培训台账显示完成 45%"}}
    assert findings["items"]["management.platform"] == {
        "status": None, "requirement_remarks": {"databases.street": "街道级数据库未建"}}
    assert "basics.organization" not in findings["items"]
    assert findings["items"]["posts.big_data_posts"] == {"status": "not_applicable", "reason": "本级不设大数据岗位", "remark": "经评估组界定"}
    assert findings["evaluators"] == ["张三", "李四", "王五", "赵六", "钱七"]

    # into a new evaluation, then out again: nothing lost, nothing changed
    by_css(browser, "#new-button").click()
    assert organization(browser) == "" and remark_text(browser, "basics.policy") == ""
    assert remark_box(browser, "basics.policy").get_attribute("open") is None
    assert import_file(browser, exported) == "已导入评价记录"
    assert remark_text(browser, "basics.training", "plan_completed") == "培训台账显示完成 45%"
    assert remark_text(browser, "posts.big_data_posts") == "经评估组界定"
    exported.rename(exported.with_name("first.json"))
    by_css(browser, "#export-button").click()
    again = json.loads(wait_for_download(downloads).read_text(encoding="utf-8"))
    assert again == findings
    assert severe_console_errors(browser) == []


def test_delete_asks_and_says_what_is_lost(browser, shipped) -> None:
    path, _ = shipped
    browser.get(path.as_uri())
    type_into(browser, by_css(browser, "#field-organization"), "庚区中心")
    choose(browser, "basics.policy", "has_policy", "false")
    by_css(browser, "#new-button").click()
    assert text_of(browser, "#message") == "已开始一份新的评价"
    type_into(browser, by_css(browser, "#field-organization"), "辛区中心")

    press_saved(browser, "庚区中心", "删除")
    assert text_of(browser, "#ask-text") == (
        "删除“庚区中心”的评价记录？本浏览器中保存的全部内容——已评 0/44 项，以及所有答案、不适用理由和扣分说明——"
        "将被删除，无法恢复。如需保留，请先导出。")
    screenshot(browser, "form-delete-question.png")
    assert browser.switch_to.active_element.text == "取消"  # the focus is on the safe choice
    assert run_axe(browser) == []
    answer(browser, "取消")
    assert len(records(browser)) == 2
    press_saved(browser, "庚区中心", "删除")
    answer(browser, "删除")
    assert text_of(browser, "#message") == "已删除“庚区中心”的评价记录"
    assert [r["state"]["organization"] for r in records(browser)] == ["辛区中心"]
    assert organization(browser) == "辛区中心"

    # deleting the page's own evaluation leaves a blank new one
    press_saved(browser, "辛区中心", "删除")
    answer(browser, "删除")
    assert records(browser) == [] and organization(browser) == ""
    assert by_css(browser, "#saved").get_attribute("hidden") is not None



def test_a_remark_written_last_is_exported_without_a_reload(browser, shipped, downloads) -> None:
    """A remark written after the item's last answer is exported as it
    stands, with no reload or other input in between."""
    path, _ = shipped
    browser.get(path.as_uri())
    choose(browser, "basics.policy", "has_objectives", "false")
    write_remark(browser, "basics.policy", "has_objectives", "未见书面目标")
    write_remark(browser, "basics.policy", "", "方针已发布")
    by_css(browser, "#export-button").click()
    finding = json.loads(wait_for_download(downloads).read_text(encoding="utf-8"))["items"]["basics.policy"]
    assert finding["remark"] == "方针已发布"
    assert finding["requirement_remarks"] == {"has_objectives": "未见书面目标"}
