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
from .words import html_language, labels
from .numbering import section_numeral
from .terminal import printable
from .backends.text import number

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
        "reason_counts": _reason_counts,
        "split_deductions": _split_deductions,
        "votes_text": votes_text,
        "unmet_shown": [names[key] for key in result["unmet_conditions"] if key not in undecided],
        "advisory_unmet_shown": [names[key] for key in result["advisory_unmet"] if key not in undecided],
        "unrecorded_shown": [names[key] for key in result.get("unrecorded_conditions", ())],
        "eligibility_provisional": not result["eligible"]
        and all(key in undecided for key in result["unmet_conditions"]),
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
                "recorded": c.key not in undecided,
                "votes": votes.get(c.key),
                "split": panel and len(set(votes.get(c.key, ()))) > 1,
            }
            for c in rubric.conditions
        ],
        "rescaled": result.get("raw_total", result["total"]) != result["total"]
        or result.get("applicable_points", result["full_marks"]) != result["full_marks"],
        "source_path": source_path,
        "version": __version__,
    }


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


def _reason_counts(reasons: list) -> list[tuple[str, int]]:
    """Each distinct reason given, once, with how many members gave it."""
    counted: dict[str, int] = {}
    for reason in reasons:
        if reason:
            counted[reason] = counted.get(reason, 0) + 1
    return list(counted.items())


def _split_deductions(item: dict) -> tuple[dict, list]:
    """An item's deductions by group (group path -> its deductions: those
    whose path starts with the group's) and those of no group."""
    by_group: dict[str, list] = {group["path"]: [] for group in item.get("groups", ())}
    rest = []
    for deduction in item.get("deductions", ()):
        for path, found in by_group.items():
            if deduction["path"].startswith(path + "."):
                found.append(deduction)
                break
        else:
            rest.append(deduction)
    return by_group, rest


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
