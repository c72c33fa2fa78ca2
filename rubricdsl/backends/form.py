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
from typing import Iterator

import orjson
from markupsafe import Markup

from . import BuildContext
from ..words import html_language, labels
from .templating import ENVIRONMENT
from .templating import render as render_template

# What would end an inline <script> or <style> block early, or start a
# comment state inside a script.
_BLOCK_BREAKERS = re.compile(r"</script|</style|<!--", re.IGNORECASE)

# The words the page's script looks up, as `words.name` or, for the
# problems an import can name, by this prefix: only those travel in the
# page (the whole table would be 10 KB of the form's 250 KB budget).
# `words.name`, where "words" starts a word.  Found as the literal first,
# the start of a word checked after: a leading \b keeps the regular
# expression from searching for its literal, five times slower.
_WORD_USE = re.compile(r"words\.(\w+)")
_WORD_CHARACTER = re.compile(r"\w")
_WORD_PREFIXES = ("problem_", "field_")


def script_json(value) -> Markup:
    """JSON safe inside `<script type="application/json">`: `<`, `>` and `&`
    as \\u escapes, so `</script>` in a rubric text cannot close the block
    (JSON.parse turns them back)."""
    # As UTF-8 bytes, a CJK text takes half the memory it takes as str.
    return _escaped(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


def _escaped(data: bytes) -> Markup:
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        data = data.replace(char.encode("utf-8"), escape.encode("ascii"))
    return Markup(data.decode("utf-8"))


def script_json_pieces(value: dict) -> tuple[Markup, ...]:
    """script_json(value) in pieces whose concatenation is exactly it: each
    key of the object, and each entry of a key's list, or of its iterator,
    written on its own (orjson's compact JSON is the pieces joined by `,`
    and `:`).  A 300x form's two JSON blocks are 26 MB: made whole, the
    plan's and the model's JSON were each held beside their text; in
    pieces, each section's JSON is made and dropped as it is written, and
    only the text's pieces are held."""
    pieces = []
    for number, (key, entry) in enumerate(value.items()):
        head = Markup("," if number else "{") + _escaped(_key_json(key)) + Markup(":")
        if isinstance(entry, (dict, str)) or not hasattr(entry, "__iter__"):
            pieces.append(head + script_json(entry))
            continue
        pieces.append(head + Markup("["))
        for index, element in enumerate(entry):
            pieces.append(Markup("," if index else "") + script_json(element))
        pieces.append(Markup("]"))
    pieces.append(Markup("}" if pieces else "{}"))
    return tuple(pieces)


def _key_json(key) -> bytes:
    """A key as script_json writes it in its object (OPT_NON_STR_KEYS: 1 as "1"):
    cut from the encoding of {key: 0}."""
    return orjson.dumps({key: 0}, option=orjson.OPT_NON_STR_KEYS)[1:-3]


def inline_block(name: str, text: str) -> Markup:
    """Script or style text to inline as it is; refused if it holds what
    would end its block early."""
    found = _BLOCK_BREAKERS.search(text)
    if found:
        raise ValueError(f"{name} contains {found.group(0)!r}, which would break its inline block")
    return Markup(text)


def compact(text: str, script: bool) -> str:
    """Script or style text without indentation, blank lines and the
    comments that fill whole lines (/* ... */, and // in a script): about
    20 KB of the shipped form.  The code is untouched: its lines stay lines,
    and in ES5 and CSS neither a string nor a rule spans lines, so a line
    that starts with a comment opener is a comment."""
    kept, in_comment = [], False
    for line in text.splitlines():
        line = line.lstrip()
        if in_comment:
            end = line.find("*/")
            if end < 0:
                continue
            in_comment, line = False, line[end + 2 :].lstrip()
        if line.startswith("/*"):
            end = line.find("*/", 2)
            if end < 0:
                in_comment = True
                continue
            line = line[end + 2 :].lstrip()
        if line and not (script and line.startswith("//")):
            kept.append(line)
    return "\n".join(kept)


@lru_cache(maxsize=None)
def asset(name: str) -> Markup:
    """A static file of templates/, compacted, to be inlined (read through
    the templates' own loader, so it is found wherever they are)."""
    text, _, _ = ENVIRONMENT.loader.get_source(ENVIRONMENT, name)
    return inline_block(f"templates/{name}", compact(text, script=name.endswith(".js")))


@lru_cache(maxsize=None)
def script_words(script: str) -> frozenset[str]:
    """The names of the words a page's script (a file of templates/) looks
    up as `words.name`."""
    return words_used(str(asset(script)))


def words_used(text: str) -> frozenset[str]:
    """The names a script's text looks up as `words.name`, "words" starting a word."""
    return frozenset(
        found.group(1) for found in _WORD_USE.finditer(text)
        if not (found.start() and _WORD_CHARACTER.match(text, found.start() - 1))
    )


def page_words(words: dict[str, str], script: str = "form_app.js", prefixes: tuple[str, ...] = _WORD_PREFIXES) -> dict[str, str]:
    """The words a page's script uses, of a language's table: those it
    names, and those it looks up by a computed name starting with a prefix."""
    used = script_words(script)
    return {key: text for key, text in words.items() if key in used or key.startswith(prefixes)}


# What the page never reads of the model: source lines and caps (the plan
# scores), and the paths of everything but items and errata.
_UNREAD_FIELDS = frozenset({"line", "max_deduction"})
_PATHS_READ = frozenset({"items", "errata"})
_CONTAINERS = (dict, list)


def page_model(model: dict, *, lazily: bool = False) -> dict:
    """The model as `rubricdsl inspect` gives it, without what the page's
    script never reads, so that the form stays small.  `lazily`: each list
    of the top level (the sections) an iterator, trimmed as it is read, so
    that the trimmed model is never held whole beside the model."""
    kept = {}
    for key, entry in model.items():
        if key in _UNREAD_FIELDS or key == "path":
            continue
        keep_path = key in _PATHS_READ
        if lazily and type(entry) is list:
            kept[key] = _trimmed_one_by_one(entry, keep_path)
        else:
            kept[key] = _trimmed(entry, keep_path) if type(entry) in _CONTAINERS else entry
    return kept


def _trimmed_one_by_one(values: list, keep_path: bool) -> Iterator:
    for value in values:
        yield _trimmed(value, keep_path) if type(value) in _CONTAINERS else value


def _trimmed(value, keep_path: bool):
    # Only objects and arrays are descended into: a call per number and
    # text was most of the time a 300x form took.
    if type(value) is list:
        return [_trimmed(entry, keep_path) if type(entry) in _CONTAINERS else entry for entry in value]
    kept = {}
    for key, entry in value.items():
        if key in _UNREAD_FIELDS or (key == "path" and not keep_path):
            continue
        kept[key] = _trimmed(entry, key in _PATHS_READ) if type(entry) in _CONTAINERS else entry
    return kept


TEMPLATE = "form.html"


def render(context: BuildContext) -> str:
    return render_template(TEMPLATE, **view(context))


def view(context: BuildContext) -> dict:
    model = page_model(context.exported, lazily=True)
    return page_view(context, model, page_words(labels(context.rubric.language)), "form_app.js")


def page_view(context: BuildContext, model: dict, words: dict[str, str], app: str) -> dict:
    """What a page of the form's kind (the form, the panel page) is rendered
    with: the rubric, its plan, the model and words its script reads, and
    the static modules both pages inline."""
    rubric = context.rubric
    return dict(
        rubric=rubric,
        words=labels(rubric.language),
        lang=html_language(rubric.language),
        source_path=context.source_path,
        sha256=context.sha256,
        plan_json=context.page_plan_json,
        rubric_json=script_json_pieces(model),
        words_json=script_json(words),
        css=asset("form.css"),
        scoring_js=asset("form_scoring.js"),
        digest_js=asset("form_digest.js"),
        dom_js=asset("form_dom.js"),
        records_js=asset("form_records.js"),
        app_js=asset(app),
    )
