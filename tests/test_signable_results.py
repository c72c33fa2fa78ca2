"""Results an evaluation can sign: clause 8.2 as the rubric states it (the
zero rule, not applicable excluded and rescaled), rulings on groups, panels
that count each evaluator once, provisional results, and findings tied to
the content of the rubric they were made under."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricdsl.cli import main
from rubricdsl.export import content_hash
from rubricdsl.formatter import format_source
from rubricdsl.frontend import compile_source

from .conftest import ROOT
from .scoring_helpers import (
    compiled,
    complete_findings,
    fixture_findings,
    item_result,
    scorer_for,
    shipped,
    shipped_scorer,
)

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"

POLICY_HEADER = """\
rubric z-1
  title "Zero"
  version "1"
  language "en"
  full marks 40
  pass at 20
{policies}
section s "S" points 40
  item fixed "Fixed" points 10
    req a "a"
      deduct 2 "no a: -2"
    req b "b"
      deduct 3 "no b: -3"
  item parts "Parts" points 10
    req docs "docs"
      deduct each 1 "each missing -1"
      part x "X"
      part y "Y"
    req lv "levels"
      deduct "none -4, weak -2"
      level none 4 "none"
      level weak 2 "weak"
  item measured "Measured" points 10
    measure rate "Rate" percent
    req high "rate 80+"
      deduct 2 "below 80: -2" when rate < 80
    req bands "rate bands"
      deduct "50-100: -1, below 50: -3"
      band mid 1 when 50 <= rate < 100
      band low 3 when rate < 50
  item grouped "Grouped" points 10
    group g1 "G1" points 5
      deduct each 1 "each -1"
      req p "p"
      req q "q"
    group g2 "G2" points 5
      deduct each 2 "each -2"
      req r "r"
"""

ZERO = POLICY_HEADER.format(policies='  policy nothing_met zero clause "8.2"\n')
DEFAULT = POLICY_HEADER.format(policies="")
EXCLUDED = POLICY_HEADER.format(policies='  policy not_applicable excluded clause "5.3"\n')


def nothing_met(rubric) -> dict:
    findings = complete_findings(rubric)
    items = findings["items"]
    items["s.fixed"]["requirements"] = {"a": False, "b": False}
    items["s.parts"]["requirements"] = {"docs": {"x": False, "y": False}, "lv": "weak"}
    items["s.measured"]["measures"] = {"rate": 10}
    items["s.grouped"]["requirements"] = {"g1.p": False, "g1.q": False, "g2.r": False}
    return findings


# ---- the zero rule ---------------------------------------------------------------


def test_zero_rule_sets_every_item_with_nothing_met_to_zero_and_says_so() -> None:
    scorer = scorer_for(ZERO, "zero.rubric")
    result = scorer.score(nothing_met(compiled(ZERO, "zero.rubric").rubric))
    for path in ("s.fixed", "s.parts", "s.measured"):
        item = item_result(result, path)
        assert item["score"] == 0 and item["zero_rule"] == {"clause": "8.2"}, item
        assert item["deductions"], "the deductions are still listed"
    grouped = item_result(result, "s.grouped")
    assert [g["zero_rule"] for g in grouped["groups"]] == [{"clause": "8.2"}, {"clause": "8.2"}]
    assert [g["score"] for g in grouped["groups"]] == [0, 0]
    assert result["total"] == 0 and result["policies"]["nothing_met"] == {"value": "zero", "clause": "8.2"}


def test_without_the_policy_deductions_alone_decide() -> None:
    scorer = scorer_for(DEFAULT, "default.rubric")
    result = scorer.score(nothing_met(compiled(DEFAULT, "default.rubric").rubric))
    assert [item_result(result, p)["score"] for p in ("s.fixed", "s.parts", "s.measured", "s.grouped")] == [5, 6, 5, 6]
    assert all(item_result(result, p)["zero_rule"] is None for p in ("s.fixed", "s.parts", "s.measured"))


@pytest.mark.parametrize(
    ("path", "answers", "score"),
    [
        ("s.fixed", {"requirements": {"a": False, "b": True}}, 8),  # one met
        ("s.parts", {"requirements": {"docs": {"x": True, "y": False}, "lv": "none"}}, 5),  # a part present
        ("s.measured", {"measures": {"rate": 100}}, 10),  # in no band, above the threshold
        ("s.measured", {"measures": {"rate": 85}}, 9),  # a band, but the threshold met
    ],
)
def test_partly_met_is_not_nothing_met(path, answers, score) -> None:
    rubric = compiled(ZERO, "zero.rubric").rubric
    findings = nothing_met(rubric)
    findings["items"][path].update(answers)
    item = item_result(scorer_for(ZERO, "zero.rubric").score(findings), path)
    assert (item["score"], item["zero_rule"]) == (score, None)


def test_a_group_with_one_requirement_met_keeps_its_points_and_others_are_zeroed() -> None:
    rubric = compiled(ZERO, "zero.rubric").rubric
    findings = nothing_met(rubric)
    findings["items"]["s.grouped"]["requirements"]["g1.p"] = True
    grouped = item_result(scorer_for(ZERO, "zero.rubric").score(findings), "s.grouped")
    assert [(g["score"], bool(g["zero_rule"])) for g in grouped["groups"]] == [(4, False), (0, True)]
    assert grouped["score"] == 4 and grouped["zero_rule"] == {"clause": "8.2"}


def test_the_shipped_rubric_scores_a_to_f_unmet_as_zero() -> None:
    """Done when: every requirement of A.1-A.6 unmet, every item assessed,
    scores 0 for those items, and the result says that 8.2 applied."""
    compilation, scorer = shipped()
    rubric = compilation.rubric
    findings = complete_findings(rubric, measure=0)
    for section in rubric.sections[:6]:
        for item in section.items:
            found = findings["items"][f"{section.key}.{item.key}"]
            for key, value in found.get("requirements", {}).items():
                if isinstance(value, dict):
                    found["requirements"][key] = {part: False for part in value}
                else:
                    shape = next(r for r, p in _requirements(item) if p == key)
                    levels = getattr(shape.rule, "levels", ())
                    found["requirements"][key] = levels[0].key if levels else False
    result = scorer.score(findings)
    for section in result["sections"][:6]:
        assert section["score"] == 0, section["key"]
        for item in section["items"]:
            assert item["zero_rule"] == {"clause": "8.2"}, item["path"]
    text = scorer.format_text(result)
    assert "nothing met: scores 0 (8.2)" in text


def _requirements(item):
    for requirement in item.requirements:
        yield requirement, requirement.key
    for group in item.groups:
        for requirement in group.requirements:
            yield requirement, f"{group.key}.{requirement.key}"


# ---- not applicable, excluded and rescaled ---------------------------------------


def test_excluded_policy_rescales_the_total_exactly() -> None:
    scorer = scorer_for(EXCLUDED, "excluded.rubric")
    findings = complete_findings(compiled(EXCLUDED, "excluded.rubric").rubric)
    findings["items"]["s.fixed"] = {"status": "not_applicable", "reason": "不设"}
    findings["items"]["s.parts"]["requirements"]["lv"] = "weak"  # -2
    findings["items"]["s.grouped"]["groups"] = {"g2": {"status": "not_applicable", "reason": "无"}}
    findings["items"]["s.grouped"]["requirements"] = {"g1.p": True, "g1.q": True}
    result = scorer.score(findings)
    # Applicable: parts 10 + measured 10 + grouped 5 = 25; raw 8 + 10 + 5 = 23; 23/25*40 = 36.8.
    assert (result["raw_total"], result["applicable_points"], result["total"]) == (23, 25, Decimal("36.8"))
    assert item_result(result, "s.fixed")["score"] == 0 and item_result(result, "s.fixed")["applicable_points"] == 0
    assert result["passed"] is True
    summary = scorer.summarize(findings)
    assert summary["total"] == Decimal("36.8")


def test_excluded_rounding_is_half_up_to_a_hundredth_and_pass_compares_what_is_printed() -> None:
    scorer = scorer_for(EXCLUDED, "excluded.rubric")
    findings = complete_findings(compiled(EXCLUDED, "excluded.rubric").rubric)
    findings["items"]["s.fixed"] = {"status": "not_applicable", "reason": "不设"}  # 30 applicable
    findings["items"]["s.measured"]["measures"]["rate"] = 85  # -1
    findings["items"]["s.grouped"]["requirements"]["g2.r"] = False  # -2
    assert scorer.score(findings)["total"] == 36  # 27 / 30 * 40
    findings["items"]["s.parts"]["requirements"]["lv"] = "weak"  # -2: 25 / 30 * 40 = 33.333...
    result = scorer.score(findings)
    assert (result["raw_total"], result["total"]) == (25, Decimal("33.33"))
    findings["items"]["s.parts"]["requirements"]["lv"] = True
    findings["items"]["s.parts"]["requirements"]["docs"]["x"] = False  # -1: 26 / 30 * 40 = 34.666...
    assert scorer.score(findings)["total"] == Decimal("34.67")


def test_everything_excluded_scores_the_full_marks() -> None:
    scorer = scorer_for(EXCLUDED, "excluded.rubric")
    findings = complete_findings(compiled(EXCLUDED, "excluded.rubric").rubric)
    for path in findings["items"]:
        findings["items"][path] = {"status": "not_applicable", "reason": "不设"}
    result = scorer.score(findings)
    assert (result["total"], result["applicable_points"]) == (40, 0)


# ---- rulings on groups -------------------------------------------------------------


def test_a_group_ruled_not_applicable_scores_full_points_with_its_reason() -> None:
    scorer = shipped_scorer()
    findings = fixture_findings()
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"intelligence": {"status": "not_applicable", "reason": "本级不建设智能化平台"}}
    for key in [k for k in platform["requirements"] if k.startswith("intelligence.")]:
        del platform["requirements"][key]
    item = item_result(scorer.score(findings), "management.platform")
    group = next(g for g in item["groups"] if g["key"] == "intelligence")
    assert (group["status"], group["score"], group["reason"]) == ("not_applicable", 10, "本级不建设智能化平台")
    assert item["score"] == sum(g["score"] for g in item["groups"])


def test_a_group_ruled_absent_scores_zero() -> None:
    scorer = shipped_scorer()
    findings = fixture_findings()
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"databases": {"status": "absent"}}
    for key in [k for k in platform["requirements"] if k.startswith("databases.")]:
        del platform["requirements"][key]
    item = item_result(scorer.score(findings), "management.platform")
    assert [g["score"] for g in item["groups"] if g["key"] == "databases"] == [0]


def test_a_group_lacking_all_its_standards_scores_zero_not_one() -> None:
    scorer = shipped_scorer()
    findings = fixture_findings()
    requirements = findings["items"]["management.platform"]["requirements"]
    for key in [k for k in requirements if k.startswith("databases.")]:
        requirements[key] = False
    item = item_result(scorer.score(findings), "management.platform")
    group = next(g for g in item["groups"] if g["key"] == "databases")
    assert (group["score"], group["zero_rule"]) == (0, {"clause": "8.2"})


def test_answers_of_a_ruled_group_and_bad_rulings_are_refused() -> None:
    scorer = shipped_scorer()
    findings = fixture_findings()
    findings["items"]["management.platform"]["groups"] = {
        "intelligence": {"status": "not_applicable"},
        "nosuch": {"status": "absent"},
        "databases": {"status": "absent"},
    }
    errors = scorer.validate(findings)
    assert "items.management.platform.groups.nosuch: unknown key" in errors[0] or any("nosuch" in e for e in errors)
    assert any(e.startswith("items.management.platform.groups.intelligence.reason") for e in errors)
    assert any("requirements.databases.city: group databases is ruled absent" in e for e in errors)


def test_group_rulings_through_the_cli(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    findings = fixture_findings()
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"intelligence": {"status": "not_applicable", "reason": "本级不建设"}}
    for key in [k for k in platform["requirements"] if k.startswith("intelligence.")]:
        del platform["requirements"][key]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(main, ["score", RUBRIC, str(path)])
    assert done.exit_code == 0, done.output
    assert "分组 有智能化建设规范：10 / 10  不适用，按满分计：本级不建设" in done.stdout
    as_json = json.loads(CliRunner().invoke(main, ["score", RUBRIC, str(path), "--format", "json"]).stdout)
    assert item_result(as_json, "management.platform")["groups"][3]["status"] == "not_applicable"


# ---- panels count each evaluator once ----------------------------------------------


def _write(path: Path, findings: dict) -> str:
    path.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_same_file_twice_is_refused(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    fixture = "tests/fixtures/findings/t-cssg-001.5-2020.json"
    done = CliRunner().invoke(main, ["score", RUBRIC, fixture, fixture])
    assert done.exit_code == 2 and done.stdout == ""
    assert f"{fixture}: the same file as {fixture}" in done.stderr


def test_identical_findings_and_one_evaluator_in_two_files_are_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    first = fixture_findings()
    a = _write(tmp_path / "a.json", first)
    b = _write(tmp_path / "b.json", first)
    done = CliRunner().invoke(main, ["score", RUBRIC, a, b])
    assert done.exit_code == 2 and f"{b}: the same findings as {a}" in done.stderr
    second = copy.deepcopy(first)
    second["remarks"] = "另一位评估员"
    c = _write(tmp_path / "c.json", second)
    done = CliRunner().invoke(main, ["score", RUBRIC, a, c])
    assert done.exit_code == 2
    assert f"{c}: evaluator 张三 is also named by {a}" in done.stderr


def test_the_standalone_scorer_refuses_duplicates_too(tmp_path) -> None:
    import subprocess
    import sys

    fixture = str(ROOT / "tests/fixtures/findings/t-cssg-001.5-2020.json")
    done = subprocess.run(
        [sys.executable, "-I", str(ROOT / "generated/t-cssg-001.5-2020/scorer.py"), fixture, fixture],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and f"{fixture}: the same file as {fixture}" in done.stderr
    copy = tmp_path / "copy.json"
    copy.write_bytes(Path(fixture).read_bytes())
    done = subprocess.run(
        [sys.executable, "-I", str(ROOT / "generated/t-cssg-001.5-2020/scorer.py"), fixture, str(copy)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and f"{copy}: the same findings as {fixture}" in done.stderr


def test_a_tied_condition_vote_is_not_fulfilled_and_the_sheet_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = []
    for index, fulfilled in enumerate((True, False)):
        findings = fixture_findings()
        findings["evaluators"] = [f"评估员{index}"]
        findings["conditions"]["self_assessed"] = fulfilled
        paths.append(_write(tmp_path / f"m{index}.json", findings))
    result = json.loads(CliRunner().invoke(main, ["score", RUBRIC, *paths, "--format", "json"]).stdout)
    vote = next(c for c in result["conditions"] if c["key"] == "self_assessed")
    assert (vote["met"], vote["tie"]) == (False, True) and result["eligible"] is False
    sheet = CliRunner().invoke(main, ["score", RUBRIC, *paths]).stdout
    assert "票数相同，按不满足计" in sheet


# ---- provisional -------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "markdown", "html"])
def test_a_blank_template_scores_provisional_in_every_sheet(tmp_path, monkeypatch, output_format) -> None:
    monkeypatch.chdir(ROOT)
    blank = tmp_path / "blank.json"
    assert CliRunner().invoke(main, ["template", RUBRIC, "-o", str(blank)]).exit_code == 0
    done = CliRunner().invoke(main, ["score", RUBRIC, str(blank), "--partial", "--format", output_format])
    assert done.exit_code == 0, done.output
    assert "暂定：不具备评价条件" in done.stdout and "暂定结论" in done.stdout


def test_provisional_in_json_in_the_scorer_text_and_in_the_batch(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    scorer = shipped_scorer()
    findings = fixture_findings()
    del findings["items"]["basics.policy"]
    del findings["conditions"]["self_assessed"]
    result = scorer.score(findings, partial=True)
    assert result["provisional"] is True and result["unrecorded_conditions"] == ["self_assessed"]
    assert "PROVISIONAL (暂定)" in scorer.format_text(result)
    assert scorer.score(fixture_findings(), partial=True)["provisional"] is False
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps(findings, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    done = CliRunner().invoke(main, ["score", RUBRIC, "--batch", str(lines), "--partial", "-o", str(out), "--jobs", "1"])
    assert done.exit_code == 0, done.output
    header, row = out.read_text(encoding="utf-8").splitlines()
    assert dict(zip(header.split(","), row.split(",")))["provisional"] == "yes"


# ---- the content of the rubric -------------------------------------------------------


def test_reformatting_and_comments_keep_the_content_hash() -> None:
    source = (ROOT / RUBRIC).read_text(encoding="utf-8")
    formatted = format_source(source.replace("\n  item policy", "\n  # a new comment\n  item policy", 1)).text
    changed = compile_source(formatted, "r.rubric")
    assert changed.ok
    assert content_hash(changed.rubric) == content_hash(shipped()[0].rubric)
    edited = compile_source(source.replace('deduct 2 "没有方针扣2分"', 'deduct 1 "没有方针扣2分"'), "r.rubric")
    assert content_hash(edited.rubric) != content_hash(shipped()[0].rubric)


def test_findings_of_another_content_are_refused_unless_rescored(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    findings = fixture_findings()
    findings["rubric"]["content_hash"] = "sha256:" + "0" * 64
    path = _write(tmp_path / "f.json", findings)
    done = CliRunner().invoke(main, ["score", RUBRIC, path])
    assert done.exit_code == 2
    assert "sha256:" + "0" * 64 in done.stderr and content_hash(shipped()[0].rubric) in done.stderr
    done = CliRunner().invoke(main, ["score", RUBRIC, path, "--rescore"])
    assert done.exit_code == 0 and "rescored under this revision" in done.stderr


def test_findings_without_a_hash_warn_and_the_template_writes_it(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    done = CliRunner().invoke(main, ["score", RUBRIC, "tests/fixtures/findings/t-cssg-001.5-2020.json"])
    assert done.exit_code == 0 and "warning: the findings name no content hash" in done.stderr
    template = json.loads(CliRunner().invoke(main, ["template", RUBRIC]).stdout)
    assert template["rubric"]["content_hash"] == content_hash(shipped()[0].rubric)


def test_answers_under_a_ruled_item_are_named_as_such() -> None:
    findings = fixture_findings()
    findings["items"]["basics.staff"] = {"status": "not_applicable", "reason": "不设", "requirements": {"has_staff": True}}
    findings["items"]["basics.policy"] = {"status": "absent", "requirements": {}}
    errors = shipped_scorer().validate(findings)
    assert errors == [
        'items.basics.policy.requirements: not answered for an item ruled absent; remove it, or set "status": "assessed"',
        'items.basics.staff.requirements: not answered for an item ruled not_applicable; remove it, or set "status": "assessed"',
    ]
