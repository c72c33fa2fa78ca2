"""generated/<id>/panel.html as a file: registered and built beside the
form, self-contained and offline, within its own size budget, safe whatever
the rubric's texts hold, and sharing the form's static modules."""

from __future__ import annotations

import json
import re

import pytest

from rubricdsl.backends import BuildContext, form, outputs, panel
from rubricdsl.frontend import compile_file, compile_source

from .conftest import ROOT, SHIPPED_RUBRIC
from .test_form import HOSTILE, elements

# The panel page carries the scoring plan (60 KB for the standard) and the
# same scoring module as the form, but of the model only the headings it
# names items by: 182 KB for the standard.  It is one more file for the
# same offline PCs, opened by the lead of each panel; 200 KB leaves room
# for a larger standard's plan and says early when the page grows.
PANEL_SIZE_LIMIT = 200_000
SOURCE = "rubrics/t-cssg-001.5-2020.rubric"


def render(compilation, path="rubrics/x.rubric") -> str:
    assert compilation.ok, compilation.diagnostics
    return panel.render(BuildContext.of(compilation, path))


@pytest.fixture(scope="module")
def shipped() -> str:
    return render(compile_file(SHIPPED_RUBRIC), SOURCE)


def test_the_panel_page_is_built_beside_the_form() -> None:
    names = [o.filename for o in outputs()]
    assert names.index("panel.html") == names.index("form.html") + 1
    built = ROOT / "generated" / "t-cssg-001.5-2020" / "panel.html"
    assert built.read_text(encoding="utf-8") == render(compile_file(SHIPPED_RUBRIC), SOURCE)


def test_small_self_contained_and_offline(shipped: str) -> None:
    assert len(shipped.encode("utf-8")) < PANEL_SIZE_LIMIT
    parsed = elements(shipped)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            # The one link out goes back to the form generated beside it.
            if value is not None and not (tag == "a" and name == "href" and value == "form.html"):
                assert value.startswith("#"), f"<{tag} {name}={value!r}> would load something"
    assert not re.search(r"https?://|//cdn|@import|url\(", shipped)
    policy = next(attrs["content"] for tag, attrs in parsed.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "connect-src" not in policy


def test_the_same_static_modules_as_the_form(shipped: str) -> None:
    """Scoring, digest, saving and styles are the form's very code, inlined whole."""
    form_page = form.render(BuildContext.of(compile_file(SHIPPED_RUBRIC), SOURCE))
    ours = {attrs.get("id"): text for attrs, text in elements(shipped).scripts}
    theirs = {attrs.get("id"): text for attrs, text in elements(form_page).scripts}
    for shared in ("rubric-plan", "rubric-scoring", "rubric-digest", "rubric-dom", "rubric-records"):
        assert ours[shared] == theirs[shared], shared
    assert str(form.asset("form.css")) in shipped


def test_the_page_carries_the_words_its_script_uses_and_no_others(shipped: str) -> None:
    scripts = {attrs.get("id"): text for attrs, text in elements(shipped).scripts}
    words = json.loads(scripts["panel-words"])
    used = set(re.findall(r"\bwords\.(\w+)", scripts["panel-app"]))
    assert used - set(words) == set()
    assert {key for key in words if key not in used and not key.startswith(("problem_", "panel_method_"))} == set()
    assert {"panel_method_median", "panel_method_mean", "panel_method_trimmed_mean"} <= set(words)


def test_hostile_texts_cannot_leave_their_block() -> None:
    html = render(compile_source(HOSTILE, "hostile.rubric"))
    parsed = elements(html)
    assert [attrs.get("id") for attrs, _ in parsed.scripts] == [
        "rubric-plan", "rubric-data", "panel-words", "rubric-scoring", "rubric-digest", "rubric-panel", "rubric-dom", "rubric-records", "panel-app"]
    assert "</script><script>window.pwned" not in html
    assert "<img src=x" not in html
