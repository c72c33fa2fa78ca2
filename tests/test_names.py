"""Rubric keys never collide with the names of the code that scores them.

A key is any [A-Za-z_][A-Za-z0-9_]* the grammar reads (E210 refuses those
starting with '_', which findings read as notes).  In the generated
scorer.py a key becomes part of an identifier in two places only: a
measured value's local (`measured_<key>`) and an item's function
(`item_<section number>_<item number>_<section>_<item>`); everywhere else
it is a string literal.  In the form's JavaScript a key indexes objects,
where "constructor" or "toString" would read an inherited member.

tests/fixtures/rubrics/names.rubric names every kind of key (section, item,
group, requirement, part, level, band, measure, tier, choice, condition,
grade) after Python keywords and builtins, the generated functions' own
locals and Object.prototype's members; it must compile clean and score the
same in Python and in the form."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from rubricdsl.backends import BuildContext, form
from rubricdsl.cli import main
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.scoring import load_scorer, scorer_source

from .browser import JS_DIR, run_node
from .conftest import TESTS
from .scoring_helpers import compiled, complete_findings

NAMES = TESTS / "fixtures" / "rubrics" / "names.rubric"
SOURCE_PATH = "tests/fixtures/rubrics/names.rubric"


@pytest.fixture(scope="module")
def names():
    compilation = compile_file(NAMES)
    assert compilation.ok and not [d for d in compilation.diagnostics if d.code[0] in "EW"]  # infos aside
    return compilation, load_scorer(compilation, SOURCE_PATH)


def all_met(rubric) -> dict:
    findings = complete_findings(rubric, measure=100)
    findings["items"]["len.choice"]["choice"] = "found"
    findings["items"]["constructor.valueOf"]["choice"] = "constructor"
    return findings


def all_unmet(rubric) -> dict:
    """Every requirement unmet (levels: the largest), every part missing,
    every measure 0, no choice reached, no condition fulfilled."""
    findings = complete_findings(rubric, measure=0)
    largest = {"class.if": {"import": "from"}, "len.present": {"amount": "choice"},
               "constructor.toString": {"propertyIsEnumerable": "constructor"}}
    for path, found in findings["items"].items():
        for key, answer in found.get("requirements", {}).items():
            if isinstance(answer, dict):
                found["requirements"][key] = {part: False for part in answer}
            else:
                found["requirements"][key] = largest.get(path, {}).get(key, False)
    findings["conditions"] = {key: False for key in findings["conditions"]}
    return findings


def test_it_compiles_clean_through_the_cli() -> None:
    done = CliRunner().invoke(main, ["check", str(NAMES)], catch_exceptions=False)
    assert done.exit_code == 0 and done.output == ""


def test_all_met_scores_full_marks_and_all_unmet_the_expected_deductions(names, tmp_path) -> None:
    compilation, _ = names
    results = []
    for findings in (all_met(compilation.rubric), all_unmet(compilation.rubric)):
        path = tmp_path / "findings.json"
        path.write_text(json.dumps(findings), encoding="utf-8")
        done = CliRunner().invoke(main, ["score", str(NAMES), str(path), "--format", "json"], catch_exceptions=False)
        assert done.exit_code == 0, done.output
        results.append(json.loads(done.stdout))
    met, unmet = results
    assert met["total"] == 100 and met["grade"]["key"] == "toString" and met["eligible"]
    assert all(item["deductions"] == [] for section in met["sections"] for item in section["items"])
    # class: if 10-2-1-2-3, def 10-2-5, return otherwise 0; len: sum 5-3 + 5-4, score and present capped,
    # choice otherwise 1; constructor: toString capped, constructor 5-2 + 5-4, valueOf no choice 0.
    assert [item["score"] for section in unmet["sections"] for item in section["items"]] == [2, 3, 0, 3, 0, 0, 1, 0, 4, 0]
    assert unmet["total"] == 13 and unmet["grade"] is None
    assert unmet["unmet_conditions"] == ["constructor", "toString", "if", "None", "found"]
    deductions = [d["path"] for section in unmet["sections"] for item in section["items"] for d in item["deductions"]]
    assert deductions[:4] == ["class.if.None", "class.if.True", "class.if.lambda", "class.if.import"]
    assert "constructor.toString.toLocaleString" in deductions and "constructor.constructor.constructor.toString" in deductions


def partly_ruled(rubric) -> dict:
    """A partial file: a group named like Object.prototype's members ruled
    not applicable beside one assessed, an item and a condition left out."""
    findings = all_unmet(rubric)
    grouped = findings["items"]["constructor.constructor"]
    grouped["groups"] = {"hasOwnProperty": {"status": "not_applicable", "reason": "n/a"}, "constructor": {"status": "assessed"}}
    for key in ("hasOwnProperty.constructor", "hasOwnProperty.isPrototypeOf"):
        del grouped["requirements"][key]
    del findings["items"]["len.sum"]
    del findings["conditions"]["toString"]
    return findings


def test_the_form_scores_and_validates_the_same(names, tmp_path) -> None:
    compilation, scorer = names
    page = tmp_path / "form.html"
    page.write_text(form.render(BuildContext.of(compilation, SOURCE_PATH)), encoding="utf-8")
    script = JS_DIR / "score_findings.js"
    cases = [(all_met(compilation.rubric), False), (all_unmet(compilation.rubric), False),
             (partly_ruled(compilation.rubric), True)]
    for findings, partial in cases:
        flags = ["--partial"] if partial else []
        batch = tmp_path / "batch.json"
        batch.write_text(json.dumps([findings]), encoding="utf-8")
        assert json.loads(run_node(script, str(page), str(batch), "--validate", *flags)) == [[]]
        assert scorer.validate(findings, partial=partial) == []
        python = json.loads(scorer.dumps(scorer.score(findings, partial=partial)), parse_float=Decimal)
        javascript = json.loads(run_node(script, str(page), str(batch), *flags), parse_float=Decimal)[0]
        assert javascript == python


def test_function_names_are_unique_whatever_keys_hold() -> None:
    """An item's function is item_<s>_<i>_<section>_<item>: <s> and <i> are
    its section's and its own number, digits only, and no key starts with
    a digit, so the name gives back the numbers, which no two items share.
    Keys alone would collide: section a_b item c, section a item b_c."""
    source = """
rubric underscores-1
  title "t"
  version "1"
  full marks 20
  pass at 10
section a_b "s1" points 10
  item c "i" points 10
    req r "r"
      deduct 1 "-1"
section a "s2" points 10
  item b_c "i" points 10
    req r "r"
      deduct 2 "-2"
"""
    compilation = compiled(source, "underscores.rubric")
    text = scorer_source(compilation, "underscores.rubric")
    functions = re.findall(r"^def (item_\w+)\(found\):", text, flags=re.MULTILINE)
    assert functions == ["item_1_1_a_b_c", "item_2_1_a_b_c"]
    for name in functions + re.findall(r"^def (item_\w+)\(", scorer_source(*_names_compilation()), flags=re.MULTILINE):
        assert re.fullmatch(r"item_[0-9]+_[0-9]+_[A-Za-z]\w*", name)
    scorer = load_scorer(compilation, "underscores.rubric")
    findings = complete_findings(compilation.rubric)
    findings["items"]["a_b.c"]["requirements"]["r"] = False
    assert [section["score"] for section in scorer.score(findings)["sections"]] == [9, 10]


def _names_compilation():
    return compile_file(NAMES), SOURCE_PATH


def test_no_name_of_the_runtime_is_one_a_key_can_make() -> None:
    """The runtime's globals and the rubric part's constants: none starts
    with item_ or measured_, so no generated name shadows one."""
    text = scorer_source(*_names_compilation())
    defined = set(re.findall(r"^(?:def |class )?([A-Za-z_]\w*)\s*[(=:]", text, flags=re.MULTILINE))
    generated = {name for name in defined if name.startswith(("item_", "measured_"))}
    assert generated and all(re.fullmatch(r"item_[0-9]+_[0-9]+_\w+", name) for name in generated)


def test_findings_keys_read_as_notes_are_refused_in_a_rubric() -> None:
    """E210: a requirement '__proto__' could never be answered, findings
    read it as a note."""
    source = NAMES.read_text(encoding="utf-8").replace("req None ", "req __proto__ ")
    compilation = compile_source(source, "names.rubric")
    assert [d.code for d in compilation.diagnostics if d.code[0] in "EW"] == ["E210"]
