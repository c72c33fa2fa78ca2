"""A reason that shows nothing is no reason (clause 8.2 needs one): the
Python scorer and the form's JavaScript take the same characters for
nothing — spaces of every kind and the invisible ones a paste brings along
(a zero-width space, a byte-order mark)."""

from __future__ import annotations

import json

import pytest

from rubricdsl import scorer_runtime

from .browser import run_node
from .conftest import ROOT
from .scoring_helpers import changed, fixture_findings, shipped_scorer

FORM_SCORING = ROOT / "rubricdsl" / "backends" / "templates" / "form_scoring.js"


def test_javascript_and_python_take_the_same_characters_for_nothing(tmp_path) -> None:
    script = tmp_path / "blank.js"
    script.write_text(
        f"const Scoring = require({json.dumps(str(FORM_SCORING))});\n"
        "const blank = [];\n"
        "for (let code = 0; code <= 0x10ffff; code++) {\n"
        "  if (code >= 0xd800 && code <= 0xdfff) continue;\n"
        "  if (Scoring.isBlank(String.fromCodePoint(code))) blank.push(code);\n"
        "}\n"
        "process.stdout.write(JSON.stringify(blank));\n",
        encoding="utf-8",
    )
    javascript = json.loads(run_node(script))
    python = [code for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF and scorer_runtime._blank(chr(code))]
    assert javascript == python
    assert {0x20, 0x3000, 0x200B, 0xFEFF, 0x00A0} <= set(python) and 0x5F20 not in python  # 张 is something


def test_an_invisible_reason_is_no_reason() -> None:
    scorer = shipped_scorer()
    for reason in ("\u200b", " \ufeff\u3000", "\u2060"):
        findings = changed(fixture_findings(), "basics.policy", status="not_applicable", reason=reason)
        del findings["items"]["basics.policy"]["requirements"]
        with pytest.raises(scorer.FindingsError) as refused:
            scorer.score(findings)
        assert any(message.startswith("items.basics.policy.reason: expected") for message in refused.value.errors)
    findings = changed(fixture_findings(), "basics.policy", status="not_applicable", reason="\u200b本级不设")
    del findings["items"]["basics.policy"]["requirements"]
    assert scorer.score(findings)["total"] >= 0
