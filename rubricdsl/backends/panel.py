"""generated/<id>/panel.html: the panel's page for its lead (clause 5.2, docs/panel.md).

A separate self-contained page beside form.html, so that the members' form
carries no panel code: it works offline from file:// under the same
Content-Security-Policy, and inlines the same static modules as the form
(the scoring, form.css, the digest of member files, the DOM helpers) with its own:
templates/form_panel.js (the combination, log and figures, which the tests
run under Node.js against the Python scorer), form_records.js (saving, as
the form saves) and panel_app.js (the page).  It embeds the scoring plan
and, of the model, only the headings it names items by.
"""

from __future__ import annotations

from . import BuildContext
from .form import asset, page_view, page_words
from ..words import labels
from .templating import render as render_template

# Looked up by a computed name: problems of a member file, combining methods.
_WORD_PREFIXES = ("problem_", "panel_method_")


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
    words = page_words(labels(context.rubric.language), "panel_app.js", _WORD_PREFIXES)
    return dict(
        page_view(context, page_model(context.exported), words, "panel_app.js"),
        panel_css=asset("panel.css"),
        panel_js=asset("form_panel.js"),
    )
