"""The completed scoring sheet: a scorer's result as text, Markdown or HTML.

Presentation only: every number comes from the result of the generated
scorer (one evaluator's, or a panel's consensus), the texts a result does not
carry (captions, condition texts, choice labels) from the model.  The sheet
is in the rubric's language and fit to print and sign: organisation,
evaluators, date, every deduction with the requirement or part that failed
and its printed text, every remark (扣分说明) beside what it explains, reasons
for items not applicable, section subtotals, total, pass or fail, grade,
eligibility, signature lines.  It names everything by its printed text,
never by a key or a source line: those are for `--format json`.
Templates: rubricdsl/backends/templates/report.*.j2.
"""

from __future__ import annotations

from typing import NamedTuple

from . import __version__
from . import model as m
from . import plan as p
from .words import html_language, labels
from .numbering import section_numeral
from .scorer_runtime import figure_text, group_deductions, reason_counts
from .terminal import printable
from .backends.text import number


class Remark(NamedTuple):
    """A remark as printed: its label (扣分说明, with who wrote it in a panel
    and, for a requirement without a deduction, the requirement's text) and
    the text, whole."""

    label: str
    text: str


class ShownDeduction(NamedTuple):
    """A deduction as a document prints it: the amount, what failed (the
    requirement's 评价要求), what of it (the level, the missing parts, the
    measured value, or ''), the printed 扣分标准, and the remarks on it."""

    amount: object
    requirement: str
    detail: str
    rule: str
    remarks: tuple[Remark, ...]

FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2"}


def _view(result: dict, rubric: m.Rubric, source_path: str) -> dict:
    """The result with what the sheet prints beside it from the model."""
    language = rubric.language
    sections = {section.key: section for section in rubric.sections}
    items = {f"{s.key}.{i.key}": i for s in rubric.sections for i in s.items}
    w = labels(language)
    panel = result["format"].startswith("rubricdsl-panel/")
    unmet = set(result["unmet_conditions"]) | set(result["advisory_unmet"])
    undecided = _undecided(result, panel)
    ties = {entry["key"]: entry["tie"] for entry in result.get("conditions", ())}
    votes = {entry["key"]: entry["votes"] for entry in result.get("conditions", ())}
    names = {c.key: (f"{c.clause} {c.text}" if c.clause else c.text) for c in rubric.conditions}
    policies = result.get("policies") or (result.get("results") or [{}])[0].get("policies", {})
    excluded = policies.get("not_applicable", {}).get("value") == "excluded"
    plan = p.lower(rubric)
    rules = {rule.path: (item, rule) for item in plan.items for rule in _rules(item)}
    requirement_texts = {
        path: requirement.text
        for item_path, item in items.items()
        for requirement, path in m.requirements_with_paths(item, item_path)
    }
    members = _member_names(result, w) if panel else []
    numerals = {key: section_numeral(s.number, language) for key, s in sections.items()}
    numbered = {key: w["section_heading"].format(numeral=numerals[key], title=s.title) for key, s in sections.items()}
    item_names = {path: w["item_cell"].format(number=item.number, title=item.title) for path, item in items.items()}
    # Beyond its table, an item is named with the table's caption number
    # ("表A.1 1、标准化方针、目标"), as the form's list of unassessed items does.
    tables = {key: s.caption.split()[0] if s.caption and s.caption.split() else numbered[key] for key, s in sections.items()}
    item_places = {f"{s.key}.{i.key}": f"{tables[s.key]} {item_names[f'{s.key}.{i.key}']}" for s in rubric.sections for i in s.items}
    group_names = {
        f"{path}.{group.key}": group.heading or w["group_unnamed"] for path, item in items.items() for group in item.groups
    }

    def remark(who: str, on: str, text: str) -> Remark:
        label = w["remark"] + (w["open"] + who + w["close"] if who else "")
        return Remark(f"{on} — {label}" if on else label, text)

    def remarks_of(given: list) -> tuple[Remark, ...]:
        """Remarks given, one per member in a panel; blank ones are none."""
        return tuple(remark(who, "", text) for who, text in zip(members or [""], given) if text and text.strip())

    def shown_deduction(deduction: dict, item: dict) -> ShownDeduction:
        plan_item, rule = rules[deduction["path"]]
        if panel:
            given = deduction.get("remarks", ())
        else:
            given = [deduction.get("remark", "")]
        return ShownDeduction(
            deduction["amount"],
            rule.requirement_text,
            _printed_detail(rule, deduction["detail"], plan_item, w),
            deduction["text"],
            remarks_of(given),
        )

    def item_remarks(item: dict) -> tuple[Remark, ...]:
        """The item's own remarks, then those on requirements that made no
        deduction (the evidence for what was met, or for a group ruled out)."""
        if panel:
            own = remarks_of(item.get("remarks", ()))
            by_member = item.get("requirement_remarks", ())
        else:
            own = remarks_of([item.get("remark", "")])
            by_member = [item.get("requirement_remarks", {})]
        deducted = {deduction["path"] for deduction in item.get("deductions", ())}
        beside = []
        for who, given in zip(members or [""], by_member):
            for key, text in given.items():
                path = f"{item['path']}.{key}"
                if path not in deducted and text.strip():
                    beside.append(remark(who, requirement_texts.get(path, key), text))
        return own + tuple(beside)

    def votes_text(given: list) -> str:
        text = w["votes"].format(yes=given.count(True), no=given.count(False))
        unrecorded = sum(vote is None for vote in given)
        return text + (w["votes_unrecorded"].format(count=unrecorded) if unrecorded else "")

    return {
        "result": result,
        "rubric": rubric,
        "w": w,
        "html_language": html_language(language),
        "panel": panel,
        "not_applicable_words": w["result_not_applicable_excluded"] if excluded else w["result_not_applicable"],
        "member_scores": _member_scores,
        "reason_counts": reason_counts,
        "split_deductions": group_deductions,
        "shown_deduction": shown_deduction,
        "item_remarks": item_remarks,
        "votes_text": votes_text,
        "unmet_shown": [names[key] for key in result["unmet_conditions"] if key not in undecided],
        "advisory_unmet_shown": [names[key] for key in result["advisory_unmet"] if key not in undecided],
        "unrecorded_shown": [names[key] for key in result.get("unrecorded_conditions", ())],
        "not_assessed_shown": [item_places[path] for path in result["not_assessed"]],
        "eligibility_provisional": not result["eligible"]
        and all(key in undecided for key in result["unmet_conditions"]),
        # A section is named as the sheet and the form head it: by its
        # caption where the rubric gives one ("表A.1 …"), with its numbered title.
        "headings": {key: s.caption or numbered[key] for key, s in sections.items()},
        "subheadings": {key: numbered[key] if s.caption else None for key, s in sections.items()},
        "numbers": {path: item.number for path, item in items.items()},
        "item_names": item_names,
        "group_names": group_names,
        "disagreement_names": {
            **item_places,
            **{f"conditions.{key}": text for key, text in names.items()},
        },
        "otherwise": {path: (item.otherwise.label if item.otherwise else None) for path, item in items.items()},
        "conditions": [
            {
                "key": c.key,
                "text": c.text,
                "clause": c.clause,
                "advisory": c.advisory,
                "met": c.key not in unmet,
                "tie": ties.get(c.key, False),
                "recorded": c.key not in undecided,
                "votes": votes.get(c.key),
                "split": panel and len(set(votes.get(c.key, ()))) > 1,
            }
            for c in rubric.conditions
        ],
        "consensus": _consensus(result, w, item_places) if "panel" in result else None,
        "rescaled": result.get("raw_total", result["total"]) != result["total"]
        or result.get("applicable_points", result["full_marks"]) != result["full_marks"],
        "source_path": source_path,
        "version": __version__,
    }


def _consensus(result: dict, w: dict, item_places: dict) -> dict:
    """What the consensus sheet of a panel file prints beyond the agreed
    result (docs/panel.md): the members' scores per item beside the agreed
    one, the reasons of the reconciliation log, the agreement figures."""
    panel = result["panel"]
    figures = panel["agreement"]
    names = [member["evaluator"] for member in panel["members"]]
    agreed = {item["path"]: item["score"] for section in result["sections"] for item in section["items"]}
    by_path = {entry["item"]: entry for entry in panel["log"]}
    sources = {
        "member": lambda entry: w["consensus_source_member"].format(member=entry.get("member", "")),
        "consensus": lambda entry: w["consensus_source_consensus"],
        "edited": lambda entry: w["consensus_source_edited"],
    }
    return {
        "heading": w["consensus_panel"].format(
            count=len(names), method=w[panel["method"]], threshold=number(panel["disagreement"]),
            decided_by=panel["decided_by"] or "—",
        ),
        "members": names,
        "rows": [
            {
                "name": item_places[item["path"]],
                "scores": ["—" if value is None else number(value) for value in item["scores"].values()],
                "agreed": number(agreed[item["path"]]),
                "spread": "—" if item["spread"] is None else number(item["spread"]),
                "reasoned": bool(by_path[item["path"]]["reason"].strip()),
            }
            for item in figures["items"]
        ],
        "reasons": [
            (
                item_places.get(entry["item"], entry["item"]),
                w["consensus_entry"].format(
                    agreed=number(entry["agreed"]), consensus=number(entry["consensus"]), source=sources[entry["source"]](entry),
                    reason=entry["reason"], decided_by=entry["decided_by"] or "—", time=entry["time"],
                ),
            )
            for entry in panel["log"]
            if entry["reason"].strip()
        ],
        "alpha": w["agreement_alpha"].format(alpha=figure_text(figures["alpha"], 3))
        + ("" if figures["alpha"] is not None else w["open"] + w["agreement_undefined"] + w["close"]),
        "deviations": [
            w["agreement_member"].format(
                member=member["evaluator"], mean=figure_text(member["mean_deviation"], 2, signed=True),
                absolute=figure_text(member["mean_absolute_deviation"], 2), items=member["items"],
            )
            for member in figures["members"]
        ],
    }


def _rules(item: p.ItemPlan) -> tuple[p.Rule, ...]:
    return item.rules + tuple(rule for group in item.groups for rule in group.rules)


def _member_names(result: dict, w: dict) -> list[str]:
    """Each panel member as a report names them: their evaluators."""
    return [
        w["result_list_separator"].join(member["evaluators"]) or f"{w['member']} {index}"
        for index, member in enumerate(result["members"], 1)
    ]


def _printed_detail(rule: p.Rule, detail: str | None, item: p.ItemPlan, w: dict) -> str:
    """What of a requirement failed, in the rubric's words: the level's
    label, the missing parts' labels, or the measure's label and value.
    The result's `detail` is the plan's detail text of the level, the
    parts or the interval (plus the value measured), so it names which."""
    if detail is None:
        return ""
    if rule.kind == "levels":
        return next(choice.label for choice in rule.choices if choice.detail == detail)
    if rule.kind == "parts":
        missing, position = [], 0
        for choice in rule.choices:
            if detail.startswith(choice.detail, position):
                missing.append(choice.label)
                position += len(choice.detail) + len("; ")
        return w["missing"] + w["colon"] + w["result_list_separator"].join(missing)
    measure = next(ms for ms in item.measures if ms.key == rule.measure)
    # The scorer writes the value last: "<interval> (<measure> = <value>)".
    value = detail[detail.rindex(f"({rule.measure} = ") + len(rule.measure) + 4:-1]
    return w["measured_value"].format(label=measure.label, value=value, unit=measure.unit).strip()


def _undecided(result: dict, panel: bool) -> set:
    """The unmet conditions that are unmet only for want of a record: in
    one result those not recorded; in a panel those whose unrecorded votes,
    were they yes, would make more than half (as the scorer's
    undecided_conditions)."""
    if not panel:
        return set(result.get("unrecorded_conditions", ()))
    return {
        entry["key"]
        for entry in result.get("conditions", ())
        if not entry["met"]
        and None in entry["votes"]
        and (entry["votes"].count(True) + entry["votes"].count(None)) * 2 > len(entry["votes"])
    }


def _member_scores(scores: list, statuses: list) -> str:
    """Per-member scores: "—" for a member who did not assess."""
    return ", ".join(
        "—" if score is None or status == "not_assessed" else number(score) for score, status in zip(scores, statuses)
    )


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
