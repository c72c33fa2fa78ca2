"""generated/<id>/form.html: the evaluator's form, one self-contained page.

The page works offline from file://: its CSS, its scripts and the rubric
itself are inline, and its Content-Security-Policy forbids every request.
The rubric travels twice as JSON in `<script type="application/json">`
blocks: the scoring plan (`plan.plan_json`, #rubric-plan), which is all the
page scores by, and the model as `rubricdsl inspect` prints it
(#rubric-data), for the texts the page shows besides (notes, requirement
texts, part and level labels).  The page's script builds the form with
textContent, so no rubric text is ever parsed as HTML.

The scoring is templates/form_scoring.js, a small evaluator of the plan
that the tests run under Node.js against the generated Python scorer; the
page is templates/form_app.js and templates/form.css.
"""

from __future__ import annotations

import re
from functools import lru_cache

import orjson
from markupsafe import Markup

from .. import plan as scoring_plan
from ..export import to_json
from . import BuildContext
from ..words import html_language, labels
from .templating import ENVIRONMENT
from .templating import render as render_template

# What would end an inline <script> or <style> block early, or start a
# comment state inside a script.
_BLOCK_BREAKERS = re.compile(r"</script|</style|<!--", re.IGNORECASE)


def script_json(value) -> Markup:
    """JSON safe inside `<script type="application/json">`: `<`, `>` and `&`
    as \\u escapes, so `</script>` in a rubric text cannot close the block
    (JSON.parse turns them back)."""
    # As UTF-8 bytes, a CJK text takes half the memory it takes as str.
    data = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        data = data.replace(char.encode("utf-8"), escape.encode("ascii"))
    return Markup(data.decode("utf-8"))


def inline_block(name: str, text: str) -> Markup:
    """Script or style text to inline as it is; refused if it holds what
    would end its block early."""
    found = _BLOCK_BREAKERS.search(text)
    if found:
        raise ValueError(f"{name} contains {found.group(0)!r}, which would break its inline block")
    return Markup(text)


@lru_cache(maxsize=None)
def asset(name: str) -> Markup:
    """A static file of templates/, to be inlined (read through the
    templates' own loader, so it is found wherever they are)."""
    text, _, _ = ENVIRONMENT.loader.get_source(ENVIRONMENT, name)
    return inline_block(f"templates/{name}", text)


def render(context: BuildContext) -> str:
    rubric = context.rubric
    words = labels(rubric.language)
    panel_size = rubric.panel[1] if rubric.panel else 5
    return render_template(
        "form.html",
        rubric=rubric,
        words=words,
        lang=html_language(rubric.language),
        source_path=context.source_path,
        sha256=context.sha256,
        plan_json=script_json(scoring_plan.plan_json(context.plan, context.sha256)),
        rubric_json=script_json(to_json(rubric, path=context.source_path, sha256=context.sha256)),
        words_json=script_json(words),
        css=asset("form.css"),
        scoring_js=asset("form_scoring.js"),
        app_js=asset("form_app.js"),
        signature_rows=range(1, panel_size + 1),
    )
