"""The generated scorer: every rule shape, every boundary, caps, N/A, absent,
conditions, grades, partial files, validation messages, exact numbers.

The small rubric MINI (tests/scoring_helpers.py) has every rule shape with
half points; the shipped rubric has the standard's own boundaries.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from .scoring_helpers import (
    changed,
    compiled,
    complete_findings,
    fixture_findings,
    item_result,
    MINI,
    mini_scorer,
    shipped,
    shipped_scorer,
)


def mini_findings() -> dict:
    return complete_findings(compiled(MINI).rubric)


def mini_item(path: str, **values) -> dict:
    findings = changed(mini_findings(), path, **values)
    return item_result(mini_scorer().score(findings), path)


def answers(path: str, **overrides) -> dict:
    requirements = dict(mini_findings()["items"][path]["requirements"])
    requirements.update(overrides)
    return requirements


# ---- rule shapes (MINI) ---------------------------------------------------


def test_all_met_scores_every_deduction_item_in_full() -> None:
    result = mini_scorer().score(mini_findings())
    assert [s["score"] for s in result["sections"]] == [30, 21]
    assert result["total"] == 51 and result["passed"] is True
    assert result["grade"] == {"key": "good", "label": "Good"}
    assert all(not item["deductions"] for s in result["sections"] for item in s["items"])


def test_fixed_deductions_add_up_exactly_in_halves() -> None:
    item = mini_item("a.fixed", requirements=answers("a.fixed", one=False, two=False))
    assert item["score"] == Decimal("1.5") and item["capped"] is False
    assert [(d["path"], d["amount"], d["text"], d["detail"]) for d in item["deductions"]] == [
        ("a.fixed.one", 2, "no one: -2", None),
        ("a.fixed.two", Decimal("1.5"), "no two: -1.5", None),
    ]
    item = mini_item("a.fixed", requirements=answers("a.fixed", two=False, three=False))
    assert item["score"] == 1 and type(item["score"]) is int


def test_fixed_deductions_past_the_points_cap_at_zero() -> None:
    item = mini_item("a.fixed", requirements=answers("a.fixed", one=False, two=False, three=False))
    assert item["score"] == 0 and item["capped"] is True
    assert sum(d["amount"] for d in item["deductions"]) == 6  # listed in full, before the cap


def test_levels_deduct_the_chosen_level() -> None:
    item = mini_item("a.levels", requirements=answers("a.levels", table="unclear", tidy=False))
    assert item["score"] == 1
    assert item["deductions"][0]["detail"] == "level unclear: unclear"
    assert item["deductions"][0]["text"] == "no table -5, unclear -3"
    item = mini_item("a.levels", requirements=answers("a.levels", table="none"))
    assert item["score"] == 0 and item["capped"] is True  # exactly the cap: reached


def test_parts_deduct_each_missing_part() -> None:
    item = mini_item("a.parts", requirements=answers("a.parts", docs={"a": False, "b": False, "c": True}, signed=False))
    assert item["score"] == Decimal("0.5")
    first = item["deductions"][0]
    assert (first["amount"], first["detail"]) == (2, "missing a: A; missing b: B")


def test_inherited_each_deducts_per_unmet_requirement() -> None:
    item = mini_item("a.each", requirements=answers("a.each", y=False))
    assert item["score"] == 3 and item["deductions"][0]["text"] == "each missing -2"
    item = mini_item("a.each", requirements=answers("a.each", x=False, y=False, z=False))
    assert item["score"] == 0 and item["capped"] is True


@pytest.mark.parametrize(
    "completion, score, details",
    [
        (100, 5, []),
        (Decimal("99.9"), 3, ["band mid: 50 <= completion < 100 (completion = 99.9)"]),
        (80, 3, ["band mid: 50 <= completion < 100 (completion = 80)"]),
        (Decimal("79.5"), 2, ["band mid: 50 <= completion < 100 (completion = 79.5)", "completion < 80 (completion = 79.5)"]),
        (50, 2, ["band mid: 50 <= completion < 100 (completion = 50)", "completion < 80 (completion = 50)"]),
        (Decimal("49.99"), 1, ["band low: 30 <= completion < 50 (completion = 49.99)", "completion < 80 (completion = 49.99)"]),
        (30, 1, ["band low: 30 <= completion < 50 (completion = 30)", "completion < 80 (completion = 30)"]),
        (Decimal("29.5"), 0, ["band bottom: completion < 30 (completion = 29.5)", "completion < 80 (completion = 29.5)"]),
        (0, 0, ["band bottom: completion < 30 (completion = 0)", "completion < 80 (completion = 0)"]),
    ],
)
def test_bands_and_threshold_at_every_bound(completion, score, details) -> None:
    item = mini_item("a.measured", measures={"completion": completion})
    assert item["score"] == score
    assert [d["detail"] for d in item["deductions"]] == details


def test_groups_cap_separately() -> None:
    item = mini_item("a.grouped", requirements=answers("a.grouped", **{"g1.p": False, "g1.q": False, "g1.r": False}))
    assert item["score"] == Decimal("2.5") and item["capped"] is True  # g1 lost 3 of 2.5, g2 whole
    item = mini_item("a.grouped", requirements=answers("a.grouped", **{"g1.p": False, "g2.s": False}))
    assert item["score"] == 2 and item["capped"] is False  # 1.5 + 0.5
    assert [d["path"] for d in item["deductions"]] == ["a.grouped.g1.p", "a.grouped.g2.s"]


@pytest.mark.parametrize(
    "satisfaction, score, award",
    [
        (100, 20, {"tier": "t90", "text": "90 and more: 20", "value": 100}),
        (90, 20, {"tier": "t90", "text": "90 and more: 20", "value": 90}),
        (Decimal("89.9"), 15, {"tier": "t80", "text": "80 to 90: 15", "value": Decimal("89.9")}),
        (80, 15, {"tier": "t80", "text": "80 to 90: 15", "value": 80}),
        (60, 10, {"tier": "t60", "text": "60 to 80: 10", "value": 60}),
        (Decimal("59.9"), 0, {"otherwise": True}),  # no tier, no otherwise: 0
    ],
)
def test_tiers(satisfaction, score, award) -> None:
    item = mini_item("b.tiers", measures={"satisfaction": satisfaction})
    assert (item["score"], item["award"], item["deductions"], item["capped"]) == (score, award, [], False)


def test_choices_and_otherwise() -> None:
    assert mini_item("b.brand", choice="provincial")["award"] == {"choice": "provincial", "text": "provincial: 5"}
    assert mini_item("b.brand", choice="provincial")["score"] == 5
    none = mini_item("b.brand", choice=None)
    assert (none["score"], none["award"]) == (1, {"otherwise": True})


def test_not_applicable_gives_full_points_and_absent_zero() -> None:
    scorer = mini_scorer()
    findings = mini_findings()
    findings["items"]["a.fixed"] = {"status": "not_applicable", "reason": "不适用"}
    findings["items"]["b.tiers"] = {"status": "not_applicable", "reason": "no survey"}
    findings["items"]["a.each"] = {"status": "absent"}
    result = scorer.score(findings)
    fixed = item_result(result, "a.fixed")
    assert (fixed["status"], fixed["score"], fixed["reason"], fixed["award"]) == ("not_applicable", 5, "不适用", None)
    assert item_result(result, "b.tiers")["score"] == 20
    absent = item_result(result, "a.each")
    assert (absent["status"], absent["score"], absent["reason"]) == ("absent", 0, None)
    assert result["total"] == 46


def _satisfaction(value):
    return lambda f: f["items"]["b.tiers"]["measures"].update(satisfaction=value)


def _unmet(path, key, part=None):
    def mutate(findings):
        requirements = findings["items"][path]["requirements"]
        if part is None:
            requirements[key] = False
        else:
            requirements[key][part] = False
    return mutate


@pytest.mark.parametrize(
    "mutations, total, grade, passed",
    [
        ([], 51, "good", True),
        ([_satisfaction(60), lambda f: f["items"]["b.brand"].update(choice="provincial")], 45, "good", True),
        ([_satisfaction(60), lambda f: f["items"]["b.brand"].update(choice="provincial"), _unmet("a.fixed", "two")],
         Decimal("43.5"), "fair", True),
        ([_satisfaction(0)], 31, "fair", True),
        ([_satisfaction(0), _unmet("a.parts", "docs", "a")], 30, "fair", True),
        ([_satisfaction(0), _unmet("a.fixed", "two")], Decimal("29.5"), None, False),
    ],
)
def test_pass_mark_and_grades_at_their_thresholds(mutations, total, grade, passed) -> None:
    findings = mini_findings()
    for mutate in mutations:
        mutate(findings)
    result = mini_scorer().score(findings)
    assert result["total"] == total
    assert (result["grade"] or {}).get("key") == grade
    assert result["passed"] is passed


def test_top_grade_at_exactly_its_threshold() -> None:
    findings = mini_findings()
    findings["items"]["b.brand"]["choice"] = "national"  # 51 - 1 + 10 = 60
    findings["items"]["a.fixed"]["requirements"]["three"] = False  # 57.5
    findings["items"]["a.parts"]["requirements"]["signed"] = False  # 55
    result = mini_scorer().score(findings)
    assert result["total"] == 55 and result["grade"] == {"key": "top", "label": "Top"}


def test_conditions_advisory_warns_mandatory_bars() -> None:
    scorer = mini_scorer()
    findings = mini_findings()
    findings["conditions"]["may"] = False
    result = scorer.score(findings)
    assert (result["eligible"], result["unmet_conditions"], result["advisory_unmet"]) == (True, [], ["may"])
    findings["conditions"]["must"] = False
    result = scorer.score(findings)
    assert (result["eligible"], result["unmet_conditions"], result["advisory_unmet"]) == (False, ["must"], ["may"])


def test_partial_findings_count_missing_items_zero_and_list_them() -> None:
    scorer = mini_scorer()
    findings = mini_findings()
    del findings["items"]["a.fixed"]
    findings["items"]["b.brand"] = {"status": None, "choice": "anything: a blank left by the template"}
    del findings["conditions"]["must"]
    findings["organization"], findings["date"], findings["evaluators"] = "", "", []
    with pytest.raises(scorer.FindingsError):
        scorer.score(findings)
    result = scorer.score(findings, partial=True)
    assert result["not_assessed"] == ["a.fixed", "b.brand"]
    assert item_result(result, "a.fixed")["status"] == "not_assessed"
    assert item_result(result, "a.fixed")["score"] == 0
    assert result["total"] == 51 - 5 - 1
    assert result["unmet_conditions"] == ["must"] and result["eligible"] is False


def test_notes_are_ignored_everywhere() -> None:
    scorer = mini_scorer()
    findings = mini_findings()
    plain = scorer.score(findings)
    findings["_"] = "a note"
    findings["rubric"]["_why"] = 1
    findings["conditions"]["_must"] = ["any", "value"]
    findings["items"]["_a.fixed"] = {"a": "note"}
    findings["items"]["a.fixed"]["_status"] = None
    findings["items"]["a.fixed"]["requirements"]["_one"] = "有组织方针"
    findings["items"]["a.parts"]["requirements"]["docs"]["_a"] = "A"
    findings["items"]["a.measured"]["measures"]["_completion"] = "percent"
    assert scorer.validate(findings) == []
    assert scorer.score(findings) == plain


# ---- the shipped rubric: the standard's own boundaries ---------------------


def shipped_item(path: str, **values) -> dict:
    compilation, scorer = shipped()
    findings = changed(complete_findings(compilation.rubric), path, **values)
    return item_result(scorer.score(findings), path)


def training(completion) -> dict:
    requirements = {"training_plan": True, "training_records": True, "exam_records": True}
    return shipped_item("basics.training", requirements=requirements, measures={"completion": completion})


@pytest.mark.parametrize(
    "completion, lost, band",
    [(100, 0, None), (Decimal("99.9"), 2, "from_50_to_100"), (50, 2, "from_50_to_100"),
     (Decimal("49.9"), 3, "from_30_to_50"), (30, 3, "from_30_to_50"), (Decimal("29.9"), 5, "under_30"), (0, 5, "under_30")],
)
def test_training_completion_bands_of_a1_item_4(completion, lost, band) -> None:
    """以上 includes its number, 以下 excludes it: exactly 50% loses 2 and 30% loses 3."""
    item = training(completion)
    assert item["score"] == 5 - lost
    assert [d["detail"].split(":")[0] for d in item["deductions"]] == ([f"band {band}"] if band else [])


@pytest.mark.parametrize(
    "satisfaction, score",
    [(100, 20), (90, 20), (Decimal("89.99"), 15), (80, 15), (Decimal("79.99"), 10), (60, 10), (Decimal("59.99"), 0), (0, 0)],
)
def test_satisfaction_tiers_of_a7_item_1(satisfaction, score) -> None:
    assert shipped_item("performance.service_quality", measures={"satisfaction": satisfaction})["score"] == score


@pytest.mark.parametrize("time_saved, score", [(80, 20), (60, 18), (50, 16), (30, 14), (20, 12), (10, 10), (Decimal("9.99"), 0), (0, 0)])
def test_efficiency_tiers_and_below_the_lowest(time_saved, score) -> None:
    item = shipped_item("performance.service_efficiency", measures={"time_saved": time_saved})
    assert item["score"] == score
    if score == 0:
        assert item["award"] == {"otherwise": True}


@pytest.mark.parametrize("participation, lost", [(100, 0), (80, 0), (Decimal("79.9"), 2), (0, 2)])
def test_participation_threshold_of_a6_item_1(participation, lost) -> None:
    item = shipped_item(
        "implementation.promotion_training",
        requirements={"competence": True},
        measures={"participation": participation},
    )
    assert item["score"] == 10 - lost


def test_fixture_scores_as_worked_out_by_hand() -> None:
    result = shipped_scorer().score(fixture_findings())
    assert [s["score"] for s in result["sections"]] == [39, 21, 90, 107, 60, 58, 41]
    assert (result["total"], result["passed"], result["eligible"]) == (416, True, True)
    assert result["advisory_unmet"] == ["no_major_incident"]
    control = item_result(result, "provision.process_control")
    assert (control["score"], control["capped"], len(control["deductions"])) == (0, True, 4)
    platform = item_result(result, "management.platform")
    assert (platform["score"], platform["capped"]) == (37, True)  # intelligence lost 12 of 10, databases 3
    assert item_result(result, "posts.big_data_posts")["score"] == 5
    assert item_result(result, "posts.grid_posts")["score"] == 0
    matters = item_result(result, "provision.procedures")["deductions"][0]
    assert (matters["amount"], matters["line"]) == (10, 220)
    assert matters["detail"] == "missing cross_grid: d) 跨网格事项服务工作程序; missing emergency: g) 应急事项服务工作程序"


def test_deduction_lines_point_at_the_rule_in_the_source() -> None:
    compilation, scorer = shipped()
    lines = compilation.source.splitlines()
    result = scorer.score(fixture_findings())
    deductions = [d for s in result["sections"] for i in s["items"] for d in i["deductions"]]
    assert len(deductions) >= 15
    for deduction in deductions:
        line = lines[deduction["line"] - 1].strip()
        keyword = line.split()[0]
        assert keyword in ("deduct", "level", "band"), (deduction, line)
        if keyword == "deduct":
            assert json.dumps(deduction["text"], ensure_ascii=False) in line


def test_result_has_exactly_the_documented_keys() -> None:
    result = shipped_scorer().score(fixture_findings())
    assert list(result) == [
        "format", "rubric", "policies", "organization", "date", "evaluators", "remarks", "sections", "total",
        "raw_total", "applicable_points", "full_marks", "pass_mark", "passed", "grade", "eligible", "conclusion",
        "unmet_conditions", "advisory_unmet", "not_assessed", "unrecorded_conditions", "provisional", "warnings",
    ]
    assert list(result["rubric"]) == ["id", "version", "title", "source_sha256", "content_hash"]
    assert list(result["sections"][0]) == ["key", "title", "points", "score", "applicable_points", "items"]
    item = result["sections"][0]["items"][0]
    assert list(item) == [
        "path", "title", "points", "status", "score", "capped", "reason", "zero_rule", "applicable_points",
        "groups", "deductions", "award", "remark", "requirement_remarks",
    ]
    assert list(item["deductions"][0]) == ["path", "amount", "text", "detail", "line", "remark"]
    assert result["rubric"]["source_sha256"] == shipped()[0].sha256


# ---- numbers ------------------------------------------------------------------


def test_json_numbers_are_exact_and_whole_values_have_no_fraction() -> None:
    scorer = mini_scorer()
    findings = mini_findings()
    findings["items"]["a.fixed"]["requirements"]["two"] = False
    findings["items"]["b.tiers"]["measures"]["satisfaction"] = Decimal("89.90")
    text = scorer.dumps(scorer.score(findings))
    assert '"score": 3.5' in text and '"total": 44.5' in text and '"value": 89.9' in text
    numbers = re.findall(r'": (-?[0-9][0-9.eE+-]*)', text)
    assert '"points": 5,' in text and numbers
    assert not [n for n in numbers if "e" in n.lower() or n.endswith(".0")]
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed["total"] == Decimal("44.5")


def test_float_measures_from_plain_json_are_read_as_written() -> None:
    """json.loads gives floats; 0.1-style values must not shift a boundary."""
    scorer = mini_scorer()
    findings = json.loads(json.dumps(mini_findings()))
    findings["items"]["a.measured"]["measures"]["completion"] = 49.99999999999999
    item = item_result(scorer.score(findings), "a.measured")
    assert item["deductions"][0]["detail"].startswith("band low") and item["score"] == 1
    findings["items"]["a.measured"]["measures"]["completion"] = 50.0
    assert item_result(scorer.score(findings), "a.measured")["score"] == 2


def test_parse_findings_reports_line_and_column() -> None:
    scorer = mini_scorer()
    with pytest.raises(scorer.FindingsError) as error:
        scorer.parse_findings('{"format":\n  oops}', "f.json")
    assert error.value.errors == ["f.json:2:3: invalid JSON: Expecting value"]
    with pytest.raises(scorer.FindingsError) as error:
        scorer.parse_findings('{"a": NaN}', "f.json")
    assert error.value.errors == ["f.json: a: NaN is not a number JSON allows"]
    with pytest.raises(scorer.FindingsError) as error:
        scorer.parse_findings(b'{"a": "\xff"}', "f.json")
    assert error.value.errors == ["f.json: not UTF-8 text (byte 7)"]
    assert scorer.parse_findings("\ufeff{}".encode("utf-8")) == {}
    assert scorer.parse_findings('{"x": 1.10}') == {"x": Decimal("1.10")}


# ---- validation messages ---------------------------------------------------------


def problems(mutate, *, partial=False) -> list[str]:
    scorer = mini_scorer()
    findings = mini_findings()
    mutate(findings)
    found = scorer.validate(findings, partial)
    with pytest.raises(scorer.FindingsError) as error:
        scorer.score(findings, partial=partial)
    assert error.value.errors == found
    return found


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda f: f.update(format="v2"), ['format: expected "rubricdsl-findings/1", got "v2"']),
        (lambda f: f["rubric"].update(id="other"),
         ['rubric.id: expected "mini-1", got "other"; these findings are for another rubric or version']),
        (lambda f: f["rubric"].update(version="2"),
         ['rubric.version: expected "1", got "2"; these findings are for another rubric or version']),
        (lambda f: f.update(extra=1), ["extra: unknown key"]),
        (lambda f: f.pop("remarks"), ["remarks: missing"]),
        (lambda f: f.update(organization=" "), ['organization: expected the organisation evaluated, got " "']),
        (lambda f: f.update(date="2026-02-30"), ['date: expected a date YYYY-MM-DD, got "2026-02-30"']),
        (lambda f: f.update(date="20261127"), ['date: expected a date YYYY-MM-DD, got "20261127"']),
        (lambda f: f.update(evaluators=[]), ["evaluators: expected at least one name, got []"]),
        (lambda f: f.update(evaluators=["张三", 7]), ["evaluators.1: expected a name, got 7"]),
        (lambda f: f["conditions"].update(must="yes"), ['conditions.must: expected true or false, got "yes"']),
        (lambda f: f["conditions"].pop("may"), ["conditions.may: missing"]),
        (lambda f: f["items"].pop("a.each"), ["items.a.each: missing"]),
        (lambda f: f["items"].update({"a.eachh": {}}), ["items.a.eachh: unknown key; did you mean 'a.each'?"]),
        (lambda f: f["items"].update({"a.each": []}), ['items.a.each: expected an object with "status", got []']),
        (lambda f: f["items"]["a.each"].update(status="done"),
         ['items.a.each.status: expected "assessed", "not_applicable" or "absent", got "done"']),
        (lambda f: f["items"]["a.each"].update(status=None),
         ['items.a.each.status: expected "assessed", "not_applicable" or "absent", got null']),
        (lambda f: f["items"].update({"a.each": {"status": "not_applicable"}}), ["items.a.each.reason: missing"]),
        (lambda f: f["items"].update({"a.each": {"status": "not_applicable", "reason": ""}}),
         ["items.a.each.reason: expected the panel's reason (a text), got \"\""]),
        (lambda f: f["items"]["a.each"].update(status="not_applicable", reason="r"),
         ['items.a.each.requirements: not answered for an item ruled not_applicable; remove it, or set "status": "assessed"']),
        (lambda f: f["items"].update({"a.each": {"status": "absent", "reason": "r"}}), ["items.a.each.reason: unknown key"]),
        (lambda f: f["items"]["a.each"].update(reason="r"), ["items.a.each.reason: unknown key"]),
        (lambda f: f["items"]["a.each"]["requirements"].update(x=1),
         ["items.a.each.requirements.x: expected true or false, got 1"]),
        (lambda f: f["items"]["a.each"]["requirements"].pop("x"), ["items.a.each.requirements.x: missing"]),
        (lambda f: f["items"]["a.fixed"]["requirements"].update(ones=True),
         ["items.a.fixed.requirements.ones: unknown key; did you mean 'one'?"]),
        (lambda f: f["items"]["a.levels"]["requirements"].update(table=False),
         ['items.a.levels.requirements.table: expected true or a level: "none" or "unclear", got false']),
        (lambda f: f["items"]["a.parts"]["requirements"].update(docs=True),
         ["items.a.parts.requirements.docs: expected an object of parts, got true"]),
        (lambda f: f["items"]["a.parts"]["requirements"]["docs"].pop("b"), ["items.a.parts.requirements.docs.b: missing"]),
        (lambda f: f["items"]["a.measured"]["measures"].update(completion=100.5),
         ["items.a.measured.measures.completion: 100.5 is outside 0 to 100"]),
        (lambda f: f["items"]["a.measured"]["measures"].update(completion=-1),
         ["items.a.measured.measures.completion: -1 is outside 0 to 100"]),
        (lambda f: f["items"]["a.measured"]["measures"].update(completion="50"),
         ['items.a.measured.measures.completion: expected a number, got "50"']),
        (lambda f: f["items"]["a.measured"]["measures"].update(completion=True),
         ["items.a.measured.measures.completion: expected a number, got true"]),
        (lambda f: f["items"]["a.measured"]["measures"].update(completion=float("nan")),
         ["items.a.measured.measures.completion: NaN is outside 0 to 100"]),
        (lambda f: f["items"]["a.measured"].pop("measures"), ["items.a.measured.measures: missing"]),
        (lambda f: f["items"]["b.brand"].update(choice="global"),
         ['items.b.brand.choice: expected null or a choice: "national" or "provincial", got "global"']),
        (lambda f: f["items"]["a.grouped"]["requirements"].update({"g3.p": True}),
         ["items.a.grouped.requirements.g3.p: unknown key; did you mean 'g1.p'?"]),
    ],
)
def test_each_problem_is_named_by_its_key_path(mutate, expected) -> None:
    assert problems(mutate) == expected


def test_every_problem_is_listed_at_once() -> None:
    def mutate(findings):
        findings["rubric"]["version"] = "0"
        findings["items"]["a.each"]["requirements"]["x"] = "no"
        findings["items"]["a.measured"]["measures"]["completion"] = 101

    assert len(problems(mutate)) == 3


def test_not_an_object() -> None:
    scorer = mini_scorer()
    assert scorer.validate([1]) == ["findings: expected a JSON object, got [1]"]
    with pytest.raises(scorer.FindingsError):
        scorer.score("text")


def test_partial_still_rejects_what_is_wrong() -> None:
    assert problems(lambda f: f["items"]["a.each"]["requirements"].update(x=None), partial=True) == [
        "items.a.each.requirements.x: expected true or false, got null"
    ]
    assert problems(lambda f: f.update(date="soon"), partial=True) == ['date: expected a date YYYY-MM-DD, got "soon"']


def test_remarks_are_checked_as_texts_with_their_key_paths() -> None:
    findings = fixture_findings()
    findings["items"]["basics.policy"]["remark"] = 5
    findings["items"]["basics.policy"]["requirement_remarks"] = {"has_objectivs": "无", "has_policy": ["x"], "_n": 1}
    findings["items"]["posts.grid_posts"]["requirement_remarks"] = "无"
    findings["items"]["basics.training"]["requirement_remarks"] = {"plan_completed": "\ud800"}
    assert shipped_scorer().validate(findings) == [
        "items.basics.policy.remark: expected a text, got 5",
        "items.basics.policy.requirement_remarks.has_objectivs: unknown key; did you mean 'has_objectives'?",
        "items.basics.policy.requirement_remarks.has_policy: expected a text, got [\"x\"]",
        "items.basics.training.requirement_remarks.plan_completed: contains a lone surrogate \\ud800, not text",
        "items.posts.grid_posts.requirement_remarks: expected an object of requirement -> text, got \"无\"",
    ]
