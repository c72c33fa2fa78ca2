"""The completed scoring sheet: a scorer's result as text, Markdown or HTML.

Presentation only: every number comes from the result of the generated
scorer (one evaluator's, or a panel's consensus), the texts a result does not
carry (captions, condition texts, choice labels) from the model.  The sheet
is in the rubric's language and fit to print and sign: organisation,
evaluators, date, every deduction with its printed text, reasons for items
not applicable, section subtotals, total, pass or fail, grade, eligibility,
signature lines.  Templates: rubricdsl/backends/templates/report.*.j2.
"""

from __future__ import annotations

from . import __version__
from . import model as m
from .numbering import section_numeral
from .terminal import printable

FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2"}

_ZH = {
    "sheet": "评分结果",
    "panel_sheet": "评估组评分结果",
    "standard": "标准",
    "rubric": "评分表",
    "organization": "被评价单位",
    "date": "评价日期",
    "evaluators": "评价人员",
    "remarks": "备注",
    "conditions": "评价条件",
    "fulfilled": "满足",
    "not_fulfilled": "不满足",
    "advisory": "建议性",
    "item": "评价内容",
    "points": "分值",
    "score": "得分",
    "deductions": "扣分",
    "deduct": "扣",
    "line": "第 {line} 行",
    "capped": "扣完为止",
    "not_applicable": "不适用，按满分计",
    "absent": "缺项，得 0 分",
    "not_assessed": "未评",
    "mixed": "评价不一",
    "reason": "理由",
    "award": "达到",
    "none_reached": "均未达到",
    "measured": "测量值",
    "summary": "评分汇总",
    "section": "评价项目",
    "subtotal": "小计",
    "total": "总分",
    "full_marks": "满分",
    "pass_mark": "合格分数线",
    "conclusion": "评价结论",
    "passed": "合格",
    "failed": "不合格",
    "grade": "评价等级",
    "no_grade": "无",
    "eligibility": "评价资格",
    "eligible": "具备评价条件",
    "not_eligible": "不具备评价条件",
    "unmet_conditions": "未满足的条件",
    "advisory_unmet": "提示：未满足的建议性条件",
    "unassessed_items": "未评项目",
    "signatures": "评估组成员签字",
    "name": "姓名",
    "signature": "签字",
    "sign_date": "日期",
    "blank": "＿＿＿＿＿＿＿＿＿＿＿＿",
    "date_blank": "＿＿＿＿年＿＿月＿＿日",
    "generated": "由 rubricdsl {version} 根据 {source}（SHA-256 {sha256}）计分",
    "method": "合议方法",
    "median": "中位数",
    "mean": "平均数",
    "trimmed-mean": "去掉一个最高分和一个最低分后的平均数",
    "members": "评估组成员评分",
    "member": "评分",
    "consensus": "合议得分",
    "disagreements": "分歧",
    "no_disagreements": "无超过阈值的分歧",
    "threshold": "分差超过 {threshold} 分或评价方式不同的项目",
    "spread": "分差 {spread}",
    "statuses_differ": "评价方式不同",
    "votes": "满足 {yes} 票，不满足 {no} 票",
    "panel_size": "评估组成员一般为 {low}–{high} 人，本次 {count} 人",
    "status_assessed": "评价",
    "status_not_applicable": "不适用",
    "status_absent": "缺项",
    "status_not_assessed": "未评",
    "colon": "：",
    "list_separator": "、",
    "provisional": "暂定",
    "provisional_note": "暂定结论：尚有未评项目或未确认的评价条件，不作为最终结论",
    "unrecorded_conditions": "未确认的评价条件",
    "zero_rule": "应有而未满足，得 0 分",
    "group": "分组",
    "group_not_applicable": "不适用",
    "group_absent": "缺项，得 0 分",
    "made_by": "{count}/{of} 人",
    "raw_total": "实得分 {raw} / 应得分 {applicable}，折算为满分 {full} 分制",
    "tie": "票数相同，按不满足计",
    "warnings": "提示",
    "warning_no_content_hash": "评价记录未注明评分表内容标识（content hash），无法确认其所依据的评分表版本",
    "warning_rescored": "评价记录系依据评分表的另一内容版本所作，已按本版本重新计分",
}

_EN = {
    "sheet": "Scoring result",
    "panel_sheet": "Panel scoring result",
    "standard": "Standard",
    "rubric": "Rubric",
    "organization": "Organisation",
    "date": "Date of evaluation",
    "evaluators": "Evaluators",
    "remarks": "Remarks",
    "conditions": "Conditions for the evaluation",
    "fulfilled": "fulfilled",
    "not_fulfilled": "not fulfilled",
    "advisory": "advisory",
    "item": "Item",
    "points": "Points",
    "score": "Score",
    "deductions": "Deductions",
    "deduct": "-",
    "line": "line {line}",
    "capped": "capped at the item's points",
    "not_applicable": "not applicable: full points",
    "absent": "absent: 0",
    "not_assessed": "not assessed",
    "mixed": "statuses differ",
    "reason": "Reason",
    "award": "Reached",
    "none_reached": "none reached",
    "measured": "measured",
    "summary": "Summary",
    "section": "Section",
    "subtotal": "Subtotal",
    "total": "Total",
    "full_marks": "Full marks",
    "pass_mark": "Pass mark",
    "conclusion": "Conclusion",
    "passed": "passed",
    "failed": "not passed",
    "grade": "Grade",
    "no_grade": "none",
    "eligibility": "Eligibility",
    "eligible": "eligible",
    "not_eligible": "not eligible",
    "unmet_conditions": "Unmet conditions",
    "advisory_unmet": "Warning: advisory conditions not fulfilled",
    "unassessed_items": "Items not assessed",
    "signatures": "Signatures of the panel",
    "name": "Name",
    "signature": "Signature",
    "sign_date": "Date",
    "blank": "____________________",
    "date_blank": "____-__-__",
    "generated": "Scored by rubricdsl {version} from {source} (SHA-256 {sha256})",
    "method": "Consensus",
    "median": "median",
    "mean": "mean",
    "trimmed-mean": "mean without the highest and the lowest score",
    "members": "Scores of the panel members",
    "member": "Score",
    "consensus": "Consensus",
    "disagreements": "Disagreements",
    "no_disagreements": "no disagreement above the threshold",
    "threshold": "items whose scores spread by more than {threshold} points, or with different statuses",
    "spread": "spread {spread}",
    "statuses_differ": "statuses differ",
    "votes": "{yes} fulfilled, {no} not",
    "panel_size": "a panel has {low} to {high} members; this one has {count}",
    "status_assessed": "assessed",
    "status_not_applicable": "not applicable",
    "status_absent": "absent",
    "status_not_assessed": "not assessed",
    "colon": ": ",
    "list_separator": ", ",
    "provisional": "provisional",
    "provisional_note": "Provisional: items or conditions are not yet assessed; not a final conclusion",
    "unrecorded_conditions": "Conditions not recorded",
    "zero_rule": "nothing met: 0",
    "group": "Group",
    "group_not_applicable": "not applicable",
    "group_absent": "absent: 0",
    "made_by": "{count} of {of}",
    "raw_total": "raw {raw} of {applicable} applicable points, rescaled to {full}",
    "tie": "a tie: counted as not fulfilled",
    "warnings": "Warnings",
    "warning_no_content_hash": "the findings name no content hash of the rubric: which revision they were made under is unknown",
    "warning_rescored": "the findings were made under another content of this rubric and are rescored under this one",
}


def words(language: str) -> dict[str, str]:
    return dict(_ZH if language.lower().startswith("zh") else _EN)


def _view(result: dict, rubric: m.Rubric, source_path: str) -> dict:
    """The result with what the sheet prints beside it from the model."""
    language = rubric.language
    sections = {section.key: section for section in rubric.sections}
    items = {f"{s.key}.{i.key}": i for s in rubric.sections for i in s.items}
    unmet = set(result["unmet_conditions"]) | set(result["advisory_unmet"])
    unrecorded = set(result.get("unrecorded_conditions", ()))
    ties = {entry["key"]: entry["tie"] for entry in result.get("conditions", ())}
    return {
        "result": result,
        "rubric": rubric,
        "w": words(language),
        "html_language": "zh-CN" if language.lower() == "zh" else language,
        "panel": result["format"].startswith("rubricdsl-panel/"),
        "numerals": {key: section_numeral(s.number, language) for key, s in sections.items()},
        "captions": {key: s.caption for key, s in sections.items()},
        "numbers": {path: item.number for path, item in items.items()},
        "otherwise": {path: (item.otherwise.label if item.otherwise else None) for path, item in items.items()},
        "requirements": {
            path: requirement.text
            for item_path, item in items.items()
            for requirement, path in m.requirements_with_paths(item, item_path)
        },
        "conditions": [
            {
                "key": c.key,
                "text": c.text,
                "clause": c.clause,
                "advisory": c.advisory,
                "met": c.key not in unmet,
                "tie": ties.get(c.key, False),
                "recorded": c.key not in unrecorded,
            }
            for c in rubric.conditions
        ],
        "rescaled": result.get("raw_total", result["total"]) != result["total"]
        or result.get("applicable_points", result["full_marks"]) != result["full_marks"],
        "source_path": source_path,
        "version": __version__,
    }


def render(result: dict, rubric: m.Rubric, output_format: str, source_path: str) -> str:
    """The sheet in `output_format`.  The text sheet is for reading, on a
    terminal or printed, also from a file (`cat sheet.txt`): every control
    character and bidi override in it, from the rubric's texts, the
    findings or a file name, is shown as an escape (terminal.printable), so
    that it cannot drive the terminal.  Markdown and HTML keep every text
    exact, as JSON does."""
    from .backends.templating import render as render_template

    text = render_template(FORMATS[output_format], **_view(result, rubric, source_path))
    return printable(text) if output_format == "text" else text
