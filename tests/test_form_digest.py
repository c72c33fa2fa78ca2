"""The form's digest of member files (templates/form_digest.js) against the
scorer runtime's (docs/panel.md), on the same texts: random findings with
notes, odd numbers and every kind of character, taken out of the built form
and panel page and run under Node.js.  And the form: every export carries
the digest, and an import refuses a file changed after its export."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .browser import JS_DIR, run_node
from .scoring_helpers import shipped_scorer
from .test_panel_digest import _json_text
from .test_form_scoring import random_findings
from .test_form_browser import browser, by_css, downloads, text_of  # noqa: F401  (fixtures)
from .test_panel_browser import eventually, export_as_members, pages  # noqa: F401  (fixture)

from rubricdsl.frontend import compile_file
from .conftest import SHIPPED_RUBRIC

RUN_PANEL = JS_DIR / "run_panel.js"


def page_digests(page, texts: list[str], tmp_path) -> list[str]:
    batch = tmp_path / "texts.json"
    batch.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return json.loads(run_node(RUN_PANEL, str(page), "digest", str(batch)))


@pytest.mark.parametrize("page", ["form.html", "panel.html"])
def test_the_pages_digest_random_findings_as_the_scorer_does(pages, page, tmp_path) -> None:
    scorer = shipped_scorer()
    rubric = compile_file(SHIPPED_RUBRIC).rubric
    rng = random.Random(12)
    texts = []
    for number in range(150):
        findings = random_findings(rng, rubric, partial=bool(number % 2))
        findings["_note"] = rng.choice(["", "备注\u2028", "\U0001f600 é \x7f", "\x01\x1f\"\\"])
        findings["items"]["_extra"] = {"_n": rng.choice([1e21, 1e-7, 0.1 + 0.2, 45.0, -0.0, 2**53, 123456789.125])}
        texts.append(json.dumps(findings, ensure_ascii=bool(number % 3)))
    expected = [scorer.content_digest(scorer.parse_findings(text)) for text in texts]
    assert page_digests(pages / page, texts, tmp_path) == expected


@settings(max_examples=25, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=4), _json_text, max_size=4).map(
    lambda members: "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + v for k, v in members.items()) + "}"), min_size=10, max_size=10))
def test_the_forms_digest_is_the_scorers_on_any_json(pages, tmp_path_factory, texts) -> None:
    scorer = shipped_scorer()
    digested = []
    for text in texts:
        try:
            digested.append((text, scorer.content_digest(scorer.parse_findings(text))))
        except scorer.InexactNumber:
            pass  # a number no double holds as written: no digest (test_panel_digest), and the form refuses the file
    found = page_digests(pages / "form.html", [text for text, _ in digested], tmp_path_factory.mktemp("digest"))
    assert found == [digest for _, digest in digested]


def test_every_export_is_a_member_file_and_a_changed_one_is_refused(browser, pages, downloads, tmp_path) -> None:
    files = export_as_members(browser, pages, downloads, tmp_path)
    scorer = shipped_scorer()
    exported = json.loads(files[0].read_text(encoding="utf-8"))
    assert exported["digest"] == scorer.content_digest(exported)
    changed = tmp_path / "changed.json"
    changed.write_text(files[0].read_text(encoding="utf-8").replace('"张三"', '"张叁"'), encoding="utf-8")
    by_css(browser, "#new-button").click()
    by_css(browser, "#import-file").send_keys(str(changed))
    assert eventually(lambda: text_of(browser, "#message")) == "文件无法导入：摘要不符，文件在导出后被改动过"
    # The file as exported imports again.
    by_css(browser, "#import-file").send_keys(str(files[0]))
    assert eventually(lambda: text_of(browser, "#message").startswith("已导入")), text_of(browser, "#message")
