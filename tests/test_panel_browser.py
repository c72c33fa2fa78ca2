"""The panel of clause 5.2 end to end, in headless Chromium (docs/panel.md).

Five members score alone in the form and export their files; the lead opens
panel.html beside it, names the members, imports the files (a duplicate and
a file with one byte changed are refused), sees only who is in and who is
missing until all are, reconciles two items with reasons, exports the panel
file, which `rubricdsl score` scores and `rubricdsl panel verify` accepts
(and refuses once a member file is edited), and prints the consensus sheet,
which names every member and every reason.  Screenshots and the printed
pages land in tests/artifacts/.  Locally the tests skip without Chromium,
Node or poppler-utils; with CI=true they fail.
"""

from __future__ import annotations

import copy
import json
import shutil
import time
from pathlib import Path

import pytest

from rubricdsl.backends import BuildContext, form, panel
from rubricdsl.frontend import compile_file

from .conftest import SHIPPED_RUBRIC, run_in
from .test_form_browser import (  # noqa: F401
    ARTIFACTS, SOURCE_PATH, browser, by_css, downloads, run_axe, screenshot, severe_console_errors, text_of, type_into,
)
from .test_form_print import filled_findings, flat, print_pdf

NAMES = ["张三", "李四", "王五", "赵六", "孙七"]
LEAD = "王五"
POLICY_REASON = "王五认为方针未发布，经查阅发布文件，多数成员意见成立，按中位数确定。"
ORGANIZATION_REASON = "经现场核实，高层管理者职责未形成文件，采纳赵六的评分。"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    """form.html and panel.html side by side, as `rubricdsl build` writes them."""
    compilation = compile_file(SHIPPED_RUBRIC)
    folder = tmp_path_factory.mktemp("generated")
    context = BuildContext.of(compilation, SOURCE_PATH)
    (folder / "form.html").write_text(form.render(context), encoding="utf-8")
    (folder / "panel.html").write_text(panel.render(context), encoding="utf-8")
    return folder


def member_findings() -> list[dict]:
    """Five members' findings: the same but for basics.policy (a spread of
    more than 2 points) and basics.organization (two members see one
    requirement unmet)."""
    base = filled_findings()
    members = []
    for index, name in enumerate(NAMES):
        findings = copy.deepcopy(base)
        findings["evaluators"] = [name]
        findings["date"] = f"2026-11-2{index + 1}"
        policy = findings["items"]["basics.policy"]["requirements"]
        organization = findings["items"]["basics.organization"]["requirements"]
        if name == "王五":
            policy.update(has_policy=False, has_objectives=False, measurable_objectives=False)
        if name == "孙七":
            policy["has_objectives"] = True
        if name in ("赵六", "孙七"):
            organization["top_management_duties"] = False
        members.append(findings)
    return members


def wait_for_new_download(folder: Path, known: set, timeout: float = 10.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.suffix == ".json" and p not in known]
        if found:
            time.sleep(0.1)  # written whole
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no new download in {folder}: {list(folder.iterdir())}")


def export_as_members(driver, pages: Path, downloads: Path, folder: Path) -> list[Path]:
    """Each member's findings imported into a new evaluation of the form and
    exported from it: the member files, with the form's digest."""
    driver.get((pages / "form.html").as_uri())
    files = []
    for findings, name in zip(member_findings(), NAMES):
        source = folder / f"{name}-source.json"
        source.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
        by_css(driver, "#new-button").click()
        by_css(driver, "#import-file").send_keys(str(source))
        assert eventually(lambda: text_of(driver, "#message").startswith("已导入")), text_of(driver, "#message")
        known = set(downloads.iterdir())
        by_css(driver, "#export-button").click()
        exported = wait_for_new_download(downloads, known)
        files.append(exported.rename(folder / f"{name}.json"))
    return files


def eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def import_members(driver, files: list[Path]) -> list[str]:
    """Imports files at once; the page's line for each."""
    by_css(driver, "#member-files").send_keys("\n".join(str(f) for f in files))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [li.text for li in driver.find_elements("css selector", "#import-results li")]
        if len(lines) == len(files):
            return lines
        time.sleep(0.05)
    raise AssertionError(f"import of {files} did not finish")


def row_text(driver, path: str) -> str:
    return by_css(driver, f"[id='row-{path}']").text


def decision_select(driver, path: str):
    return by_css(driver, f"select[data-decide='{path}']")


def reason_field(driver, path: str):
    return by_css(driver, f"input[data-reason='{path}']")


def give_reason(driver, path: str, text: str) -> None:
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    field = reason_field(driver, path)
    type_into(driver, field, text)
    field.send_keys("\t")  # the change event redraws the comparison once the focus has moved
    WebDriverWait(driver, 5).until(staleness_of(field))


def test_the_lead_reconciles_five_members_and_everyone_signs(browser, pages, downloads, tmp_path) -> None:
    members = tmp_path / "members"
    members.mkdir()
    files = export_as_members(browser, pages, downloads, members)
    # The form's digest is the Python scorer's: every member file scores.
    for file in files:
        scored = run_in(tmp_path, "score", str(SHIPPED_RUBRIC), str(file), "--format", "json")
        assert scored.exit_code == 0, scored.output

    browser.get((pages / "panel.html").as_uri())
    assert "请先填写评估组成员名单" in text_of(browser, "#roster-status")
    type_into(browser, by_css(browser, "#field-names"), "\n".join(NAMES))
    type_into(browser, by_css(browser, "#field-lead"), LEAD)
    by_css(browser, "#field-names").click()  # the lead's name is committed

    lines = import_members(browser, files[:3])
    assert lines == [f"已导入 {f.name}（{name}）" for f, name in zip(files[:3], NAMES[:3])]
    # A second copy of 张三's file, and 赵六's with one byte changed.
    duplicate = tmp_path / "张三-副本.json"
    shutil.copy(files[0], duplicate)
    changed = tmp_path / "赵六-改.json"
    text = files[3].read_text(encoding="utf-8")
    changed.write_text(text.replace('"2026-11-24"', '"2026-11-25"', 1), encoding="utf-8")
    assert text != changed.read_text(encoding="utf-8")
    lines = import_members(browser, [duplicate, changed])
    assert lines[0].startswith(f"未导入 {duplicate.name}：") and "张三 的文件已导入" in lines[0], lines
    assert lines[1] == f"未导入 {changed.name}：摘要不符，文件在导出后被改动过。", lines
    # Blind: who is in and who is missing, no member's score anywhere.
    status = text_of(browser, "#roster-status")
    assert "尚有 2 名成员的文件未导入：赵六；孙七" in status
    assert by_css(browser, "#comparison-section").get_attribute("hidden") is not None
    assert browser.execute_script("return document.getElementById('comparison').children.length") == 0
    assert "row-basics.policy" not in browser.page_source
    screenshot(browser, "panel-blind.png")

    lines = import_members(browser, files[3:])
    assert all(line.startswith("已导入") for line in lines), lines
    assert "5 名成员的文件已全部导入" in text_of(browser, "#roster-status")
    assert by_css(browser, "#comparison-section").get_attribute("hidden") is None
    policy = row_text(browser, "basics.policy")
    assert "分差超过 2 分" in policy, policy
    # Exporting before the reasons are given is refused, naming the items.
    by_css(browser, "#export-panel").click()
    assert "1 项须填写理由：表A.1 1、标准化方针、目标" in text_of(browser, "#message"), text_of(browser, "#message")

    # basics.policy: the median consensus, over the threshold: a reason.
    give_reason(browser, "basics.policy", POLICY_REASON)
    # basics.organization: 赵六's lower score, not the consensus: a reason.
    from selenium.webdriver.support.select import Select

    Select(decision_select(browser, "basics.organization")).select_by_value("member:赵六")
    give_reason(browser, "basics.organization", ORGANIZATION_REASON)
    assert "须说明理由的各项均已填写理由" in by_css(browser, "#comparison").text
    assert browser.execute_script("return document.querySelectorAll('.reason-hint.needed').length") == 0
    assert browser.execute_script("return document.querySelectorAll('.reason-hint.given').length") == 2
    screenshot(browser, "panel-reconciled.png")
    browser.set_window_size(768, 1024)
    screenshot(browser, "panel-tablet.png")
    browser.set_window_size(1400, 1000)

    # Nothing is lost on reload.
    browser.refresh()
    assert reason_field(browser, "basics.policy").get_attribute("value") == POLICY_REASON
    assert Select(decision_select(browser, "basics.organization")).first_selected_option.get_attribute("value") == "member:赵六"

    known = set(downloads.iterdir())
    by_css(browser, "#export-panel").click()
    exported = wait_for_new_download(downloads, known)
    panel_file = json.loads(exported.read_text(encoding="utf-8"))
    assert panel_file["format"] == "rubricdsl-panel-file/1"
    assert [m["evaluator"] for m in panel_file["members"]] == NAMES
    assert panel_file["findings"]["evaluators"] == NAMES
    assert panel_file["decided_by"] == LEAD
    log = {line["item"]: line for line in panel_file["log"]}
    assert log["basics.policy"]["reason"] == POLICY_REASON and log["basics.policy"]["source"] == "consensus"
    assert log["basics.organization"]["source"] == "member" and log["basics.organization"]["member"] == "赵六"
    assert log["basics.organization"]["agreed"] != log["basics.organization"]["consensus"]
    assert log["basics.organization"]["decided_by"] == LEAD

    scored = run_in(tmp_path, "score", str(SHIPPED_RUBRIC), str(exported), "--format", "json")
    assert scored.exit_code == 0, scored.output
    verified = run_in(tmp_path, "panel", "verify", str(SHIPPED_RUBRIC), str(exported), *map(str, files))
    assert verified.exit_code == 0, verified.output
    edited = members / "王五.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("2026-11-23", "2026-11-29"), encoding="utf-8")
    refused = run_in(tmp_path, "panel", "verify", str(SHIPPED_RUBRIC), str(exported), *map(str, files))
    assert refused.exit_code != 0, refused.output

    pages_text = print_pdf(browser, "panel-sheet")
    printed = flat("".join(pages_text))
    for name in NAMES:
        assert printed.count(name) >= 3, name  # the members' table, the deviations, the signatures
    for reason in (POLICY_REASON, ORGANIZATION_REASON):
        assert flat(reason) in printed, reason
    assert "评估组汇总评分表" in printed and "签字" in printed and "Krippendorff" in printed
    assert severe_console_errors(browser) == []


def test_the_panel_page_has_no_accessibility_violations(browser, pages, downloads, tmp_path) -> None:
    files = export_as_members(browser, pages, downloads, tmp_path)
    browser.get((pages / "panel.html").as_uri())
    assert run_axe(browser) == []
    type_into(browser, by_css(browser, "#field-names"), "\n".join(NAMES))
    by_css(browser, "#field-lead").click()
    import_members(browser, files)
    assert by_css(browser, "#comparison-section").get_attribute("hidden") is None
    assert run_axe(browser) == []


def test_refusals_name_the_file_and_why(browser, pages, tmp_path) -> None:
    browser.get((pages / "panel.html").as_uri())
    type_into(browser, by_css(browser, "#field-names"), "\n".join(NAMES))
    by_css(browser, "#field-lead").click()
    plain = filled_findings()
    plain["evaluators"] = ["张三"]
    no_digest = tmp_path / "无摘要.json"
    no_digest.write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
    not_json = tmp_path / "坏.json"
    not_json.write_text("{", encoding="utf-8")
    lines = import_members(browser, [no_digest, not_json])
    assert lines[0] == f"未导入 {no_digest.name}：文件没有摘要（digest），不是从评分表导出的成员文件。"
    assert lines[1] == f"未导入 {not_json.name}：不是有效的 JSON 文件。"
    assert "拒绝 2 份" in text_of(browser, "#message")


def test_an_item_edited_by_hand_in_the_form_is_taken_with_its_reason(browser, pages, downloads, tmp_path) -> None:
    from selenium.webdriver.support.select import Select

    files = export_as_members(browser, pages, downloads, tmp_path)
    # The lead edits basics.staff in the form (here: its exported file, changed and exported again without a digest).
    edited = json.loads(files[0].read_text(encoding="utf-8"))
    del edited["digest"]
    edited["items"]["basics.staff"]["requirements"]["has_staff"] = False
    edited_file = tmp_path / "改后.json"
    edited_file.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")

    browser.get((pages / "panel.html").as_uri())
    type_into(browser, by_css(browser, "#field-names"), "\n".join(NAMES))
    type_into(browser, by_css(browser, "#field-lead"), LEAD)
    by_css(browser, "#field-names").click()
    import_members(browser, files)
    before = row_text(browser, "basics.staff")
    Select(decision_select(browser, "basics.staff")).select_by_value("edited")
    assert browser.switch_to.active_element.get_attribute("data-decide") == "basics.staff"  # the focus stays
    by_css(browser, "input[data-edited='basics.staff']").send_keys(str(edited_file))
    assert eventually(lambda: "已采用 改后.json 中" in text_of(browser, "#message")), text_of(browser, "#message")
    after = row_text(browser, "basics.staff")
    assert after != before and after.split()[-1] != before.split()[-1]  # another agreed score
    give_reason(browser, "basics.staff", "组长现场复核：未设专职人员。")
    assert browser.switch_to.active_element.get_attribute("id") != "", "the focus moved on to the next control"
    give_reason(browser, "basics.policy", POLICY_REASON)
    known = set(downloads.iterdir())
    by_css(browser, "#export-panel").click()
    assert text_of(browser, "#message").startswith("已导出"), text_of(browser, "#message")
    exported = wait_for_new_download(downloads, known)
    entry = next(line for line in json.loads(exported.read_text(encoding="utf-8"))["log"] if line["item"] == "basics.staff")
    assert entry["source"] == "edited" and entry["findings"] == edited["items"]["basics.staff"]
    verified = run_in(tmp_path, "panel", "verify", str(SHIPPED_RUBRIC), str(exported), *map(str, files))
    assert verified.exit_code == 0, verified.output
