"""`rubricdsl score --format text|markdown|html`: documents to sign, in the
rubric's words.  No key of the rubric and no source line appears in them
(those belong in `--format json`); each deduction names the requirement,
level, missing parts or measured value that failed; every remark (扣分说明)
prints whole beside what it explains, a panel's with each member's name."""

from __future__ import annotations

import copy
import dataclasses
import html
import re

import pytest

from rubricdsl import report
from rubricdsl.plan import lower

from .scoring_helpers import SHIPPED_SOURCE, fixture_findings, shipped

FORMATS = ("text", "markdown", "html")


def rubric():
    return shipped()[0].rubric


def scorer():
    return shipped()[1]


def rubric_keys(node, keys=None) -> set[str]:
    """Every key of the model: sections, items, groups, requirements, parts,
    levels, bands, measures, tiers, choices, conditions, grades."""
    keys = set() if keys is None else keys
    if dataclasses.is_dataclass(node):
        key = getattr(node, "key", None)
        if isinstance(key, str):
            keys.add(key)
        for field in dataclasses.fields(node):
            rubric_keys(getattr(node, field.name), keys)
    elif isinstance(node, (tuple, list)):
        for inner in node:
            rubric_keys(inner, keys)
    return keys


def nothing_met() -> dict:
    """Every requirement unmet its own way (a level, every part missing,
    measures at the bottom), groups ruled, an item not applicable, one
    absent: every kind of deduction and ruling the standard has."""
    findings = fixture_findings()
    answers = {item.path: {answer.key: answer for answer in item.answers} for item in lower(rubric()).items}
    for path, found in findings["items"].items():
        if found["status"] != "assessed":
            continue
        for key, answer in found.get("requirements", {}).items():
            kind = answers[path][key]
            if kind.kind == "parts":
                found["requirements"][key] = {part: False for part in kind.keys}
            else:
                found["requirements"][key] = kind.keys[-1] if kind.kind == "levels" else False
        for key in found.get("measures", {}):
            found["measures"][key] = 0
    findings["items"]["foundation.structure"]["requirements"]["table"] = "unclear"
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"intelligence": {"status": "not_applicable", "reason": "本级不建设"}, "databases": {"status": "absent"}}
    for key in [key for key in platform["requirements"] if key.split(".")[0] in ("intelligence", "databases")]:
        del platform["requirements"][key]
    return findings


def remarked(findings: dict, who: str) -> dict:
    findings = copy.deepcopy(findings)
    items = findings["items"]
    items["basics.policy"]["remark"] = f"{who}：目标文件缺失\n第二行 | *原件* <b>"
    items["basics.policy"]["requirement_remarks"] = {"has_objectives": f"{who}：未见目标文件", "has_policy": f"{who}：方针见手册"}
    items["basics.training"]["requirement_remarks"] = {"plan_completed": f"{who}：完成率按培训台账"}
    items["management.platform"]["requirement_remarks"] = {"intelligence.iot": f"{who}：物联系统未建"}
    items["posts.big_data_posts"]["remark"] = f"{who}：无此岗位"
    return findings


def partial(findings: dict) -> dict:
    findings = copy.deepcopy(findings)
    del findings["items"]["basics.policy"]
    findings["items"]["performance.brand"] = {"status": None, "remark": "尚在核实"}
    del findings["conditions"]["self_assessed"]
    return findings


def documents(result: dict) -> dict[str, str]:
    return {name: report.render(result, rubric(), name, SHIPPED_SOURCE) for name in FORMATS}


def results() -> dict[str, dict]:
    one = scorer().score(remarked(fixture_findings(), "张三"))
    members = [
        scorer().score(remarked(fixture_findings(), "张三")),
        scorer().score(dict(remarked(nothing_met(), "李四"), evaluators=["李四"])),
        scorer().score(dict(fixture_findings(), evaluators=["王五"])),
    ]
    return {
        "fixture": scorer().score(fixture_findings()),
        "remarked": one,
        "nothing met": scorer().score(nothing_met()),
        "partial": scorer().score(partial(remarked(fixture_findings(), "张三")), partial=True),
        "panel": scorer().combine(members),
        "partial panel": scorer().combine(
            [scorer().score(partial(fixture_findings()), partial=True), scorer().score(dict(nothing_met(), evaluators=["李四"]))]
        ),
    }


# What a document names the rubric and itself by, which are not keys.
def identifiers() -> list[str]:
    model = rubric()
    return [SHIPPED_SOURCE, model.id, model.version, *model.standards]


@pytest.mark.parametrize("name", ["fixture", "remarked", "nothing met", "partial", "panel", "partial panel"])
def test_no_key_of_the_rubric_and_no_source_line_in_a_report(name) -> None:
    keys = rubric_keys(rubric())
    assert {"basics", "policy", "has_objectives", "standardization_body", "from_50_to_100", "completion"} <= keys
    for output_format, text in documents(results()[name]).items():
        if output_format == "html":
            # What a reader sees: the text, not the markup.
            text = html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"<style>.*?</style>", "", text, flags=re.S)))
        for identifier in identifiers():
            text = text.replace(identifier, "")
        text = re.sub(r"SHA-256 [0-9a-f]{64}", "", text)
        found = sorted(key for key in keys if re.search(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", text))
        assert found == [], f"{name} as {output_format} names keys {found}"
        assert not re.search(r"第\s*\d+\s*行|\bline \d+", text), f"{name} as {output_format} names a source line"


def test_each_deduction_names_what_failed_in_the_rubric_s_words() -> None:
    out = documents(results()["nothing met"])
    text = out["text"]
    # A.4 item 6's deductions of one printed text, told apart by requirement.
    assert "扣3  1 有业务流程再造规范" not in text  # that group is ruled not applicable here
    assert text.count("每缺一项扣3分") >= 2
    assert "扣3  1 有平台一般要求" in text and "扣3  2 有平台指挥体系要求" in text
    # A.1 item 6's "没有扣1分" lines each under their own requirement.
    information = text[text.index("6、标准化信息管理要求"):text.index("7、建立满足组织需求")]
    assert information.count("没有扣1分") == 3
    assert len(set(re.findall(r"扣1  (.+)\n +没有扣1分", information))) == 3
    # The level's label, the missing parts' labels, the measure's label and value.
    assert "层次不清，结构不合理\n" in text
    assert "缺：标准体系发布令、体系表编制说明、明细表、统计表" in text
    assert "全员培训计划完成率：0 %" in text
    out["html"] = re.sub(r"<[^>]*>", "", out["html"])
    for output_format in ("markdown", "html"):
        assert "有体系表，层次清楚，结构合理（层次不清，结构不合理）" in out[output_format], output_format
        assert "（缺：标准体系发布令、体系表编制说明、明细表、统计表）" in out[output_format], output_format


def test_remarks_print_whole_beside_what_they_explain() -> None:
    out = documents(results()["remarked"])
    text = out["text"]
    policy = text[text.index("1、标准化方针、目标"):text.index("2、组织机构图有职责划分")]
    # The item's remark under the item, whole; each line of it indented.
    assert "       扣分说明：张三：目标文件缺失\n           第二行 | *原件* <b>\n" in policy
    # A requirement's remark under its deduction line.
    deduction = policy.index("扣2  有组织目标")
    assert policy.index("扣分说明：张三：未见目标文件", deduction) > deduction
    # A remark on a requirement that deducted nothing, with the requirement.
    assert "有组织方针、符合组织实际 — 扣分说明：张三：方针见手册" in policy
    # On a requirement decided by a measure; on a group's requirement.
    assert "扣分说明：张三：完成率按培训台账" in text
    iot = text.index("扣3  2 有物联智联系统建设规范")
    assert text.index("扣分说明：张三：物联系统未建", iot) < text.index("扣3  3 ", iot)
    assert "扣分说明：张三：无此岗位" in text
    assert "扣分说明：张三：目标文件缺失<br>第二行 \\| \\*原件\\* \\<b\\>" in out["markdown"]
    page = out["html"]
    assert '<div class="remark">扣分说明：张三：目标文件缺失\n第二行 | *原件* &lt;b&gt;</div>' in page
    assert "<b>" not in page


def test_a_panel_report_shows_each_member_s_remarks_by_name() -> None:
    out = documents(results()["panel"])
    for output_format, text in out.items():
        for member in ("张三", "李四"):
            assert f"扣分说明（{member}）：{member}：目标文件缺失" in text, output_format
            assert f"扣分说明（{member}）：{member}：未见目标文件" in text, output_format
        assert "王五）" not in text, output_format  # who wrote nothing is not listed
    panel = results()["panel"]
    policy = panel["sections"][0]["items"][0]
    assert policy["remarks"][2] == "" and policy["remarks"][0].startswith("张三")
    [deduction] = [d for d in policy["deductions"] if d["path"] == "basics.policy.has_objectives"]
    assert deduction["remarks"] == ["张三：未见目标文件", "李四：未见目标文件", ""]


def test_partial_reports_name_the_items_not_assessed_as_printed() -> None:
    out = documents(results()["partial"])
    for output_format, text in out.items():
        assert "表A.1 1、标准化方针、目标" in text, output_format
        assert "表A.7 3、品牌效应" in text, output_format
    assert "扣分说明：尚在核实" in out["text"]


def test_scorer_py_s_own_text_prints_the_remarks() -> None:
    text = scorer().format_text(results()["panel"])
    assert "      remark (张三): 张三：目标文件缺失\n          第二行 | *原件* <b>\n" in text
    assert "          remark (张三): 张三：方针见手册" in text  # beside 李四's deduction on it
    deduction = text.index("-2 没有目标扣2分  [basics.policy.has_objectives]")
    assert text.index("          remark (李四): 李四：未见目标文件", deduction) > deduction
    alone = scorer().format_text(results()["remarked"])
    assert "      remark: 张三：目标文件缺失" in alone and "remark (" not in alone
    assert "      remark on has_policy: 张三：方针见手册" in alone
