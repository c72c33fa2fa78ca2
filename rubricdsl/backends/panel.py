"""generated/<id>/panel.html: the panel's page for its lead (clause 5.2, docs/panel.md).

A separate self-contained page beside form.html, so that the members' form
carries no panel code: it works offline from file:// under the same
Content-Security-Policy, and inlines the same static modules as the form
(the scoring, form.css, the digest of member files) with its own:
templates/form_panel.js (the combination, log and figures, which the tests
run under Node.js against the Python scorer), form_records.js (saving, as
the form saves) and panel_app.js (the page).  It embeds the scoring plan
and, of the model, only the headings it names items by.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import plan as scoring_plan
from . import BuildContext
from .form import asset, script_json
from ..words import html_language, labels
from .templating import render as render_template

_WORD_USE = re.compile(r"\bwords\.(\w+)")
# Looked up by a computed name: problems of a member file, combining methods.
_WORD_PREFIXES = ("problem_", "panel_method_")


@lru_cache(maxsize=None)
def script_words() -> frozenset[str]:
    return frozenset(_WORD_USE.findall(str(asset("panel_app.js"))))


def page_words(words: dict[str, str]) -> dict[str, str]:
    used = script_words()
    return {key: text for key, text in words.items() if key in used or key.startswith(_WORD_PREFIXES)}


def page_model(model: dict) -> dict:
    """Of the model as `rubricdsl inspect` gives it, what the page names
    items by: the tables' headings and the items' numbers and titles."""
    return {
        "standards": model["standards"],
        "sections": [
            {
                "key": section["key"],
                "numeral": section["numeral"],
                "title": section["title"],
                "caption": section["caption"],
                "items": [{"path": item["path"], "number": item["number"], "title": item["title"]} for item in section["items"]],
            }
            for section in model["sections"]
        ],
    }


TEMPLATE = "panel.html"


def render(context: BuildContext) -> str:
    return render_template(TEMPLATE, **view(context))


def view(context: BuildContext) -> dict:
    rubric = context.rubric
    words = labels(rubric.language)
    return dict(
        rubric=rubric,
        words=words,
        lang=html_language(rubric.language),
        source_path=context.source_path,
        sha256=context.sha256,
        plan_json=script_json(scoring_plan.plan_json(context.plan, context.sha256)),
        rubric_json=script_json(page_model(context.exported)),
        words_json=script_json(page_words(words)),
        css=asset("form.css"),
        panel_css=asset("panel.css"),
        scoring_js=asset("form_scoring.js"),
        digest_js=asset("form_digest.js"),
        panel_js=asset("form_panel.js"),
        dom_js=asset("form_dom.js"),
        records_js=asset("form_records.js"),
        app_js=asset("panel_app.js"),
    )
