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

FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2"}


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
        "w": labels(language),
        "html_language": html_language(language),
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
