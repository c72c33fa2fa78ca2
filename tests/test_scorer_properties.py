"""What must always hold of the generated scorer, for any findings (hypothesis).

- 0 <= item score <= item points; section = sum of its items; total = sum
  of the sections;
- one more requirement or part unmet never raises any score;
- not applicable gives full points;
- summarize() says what score() says;
- the fast path accepts exactly what validate() accepts: findings broken in
  any one place are refused with the problems validate() lists;
- remarks (扣分说明) never change a point: findings score the same with and
  without them, and the result carries each remark given.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubricdsl.findings import item_shapes

from .scoring_helpers import MINI, compiled, mini_scorer, shipped

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rubrics():
    return [(compiled(MINI).rubric, mini_scorer()), (shipped()[0].rubric, shipped()[1])]


def measure_values(measure):
    low, high = measure.low, measure.high
    return st.one_of(
        st.sampled_from([low, high, Decimal(30), Decimal(50), Decimal(60), Decimal(80), Decimal(90)]).filter(
            lambda v: low <= v <= high
        ),
        st.decimals(min_value=low, max_value=high, places=2, allow_nan=False, allow_infinity=False),
        st.integers(min_value=int(low), max_value=int(high)),
    )


@st.composite
def assessed(draw, shape):
    item = shape.item
    found: dict = {"status": "assessed"}
    if shape.listed:
        answers = {}
        for answer in shape.listed:
            requirement = answer.requirement
            if requirement.parts:
                answers[answer.key] = {p.key: draw(st.booleans()) for p in requirement.parts}
            elif answer.kind == "levels":
                answers[answer.key] = draw(st.sampled_from([True] + [lv.key for lv in requirement.rule.levels]))
            else:
                answers[answer.key] = draw(st.booleans())
        found["requirements"] = answers
    if item.measures:
        found["measures"] = {m.key: draw(measure_values(m)) for m in item.measures}
    if item.choices:
        found["choice"] = draw(st.sampled_from([None] + [c.key for c in item.choices]))
    return found


# Remarks as evaluators write them: any text (no lone surrogate), blank too.
REMARK_TEXTS = st.one_of(
    st.sampled_from(["", " ", "未见目标文件", "见附件2\n第3页 | *原件*", "<b>&amp;</b>"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@st.composite
def remarks_for(draw, shape):
    """An item's remarks: none, its own, on some of its requirements, or both."""
    remarks: dict = {}
    roll = draw(st.integers(0, 3))
    if roll in (1, 3):
        remarks["remark"] = draw(REMARK_TEXTS)
    if roll in (2, 3):
        keys = draw(st.lists(st.sampled_from([a.key for a in shape.answers]), unique=True)) if shape.answers else []
        remarks["requirement_remarks"] = {key: draw(REMARK_TEXTS) for key in keys}
    return remarks


@st.composite
def findings_for(draw, rubric, *, statuses=True):
    items = {}
    for shape in item_shapes(rubric):
        roll = draw(st.integers(0, 9)) if statuses else 9
        if roll == 0:
            items[shape.path] = {"status": "not_applicable", "reason": "不适用"}
        elif roll == 1:
            items[shape.path] = {"status": "absent"}
        else:
            items[shape.path] = draw(assessed(shape))
        items[shape.path].update(draw(remarks_for(shape)))
    return {
        "format": "rubricdsl-findings/1",
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organization": "某单位",
        "date": "2026-11-27",
        "evaluators": ["张三"],
        "remarks": "",
        "conditions": {c.key: draw(st.booleans()) for c in rubric.conditions},
        "items": items,
    }


@st.composite
def scored_findings(draw, statuses=True):
    rubric, scorer = draw(st.sampled_from(rubrics()))
    return rubric, scorer, draw(findings_for(rubric, statuses=statuses))


@SETTINGS
@given(scored_findings())
def test_scores_stay_within_points_and_add_up(case) -> None:
    rubric, scorer, findings = case
    result = scorer.score(findings)
    total = 0
    for section in result["sections"]:
        assert section["score"] == sum(item["score"] for item in section["items"])
        for item in section["items"]:
            assert 0 <= item["score"] <= item["points"]
            if item["capped"]:
                assert item["score"] == 0 or item["path"] in {"management.platform", "a.grouped"}
        total += section["score"]
    assert result["total"] == total
    assert result["passed"] == (result["total"] >= result["pass_mark"])
    summary = scorer.summarize(findings)
    assert summary["total"] == result["total"] and summary["passed"] == result["passed"]
    assert summary["sections"] == {s["key"]: s["score"] for s in result["sections"]}
    assert summary["grade"] == result["grade"] and summary["eligible"] == result["eligible"]


def _is_level(findings, path, key) -> bool:
    return any(
        shape.path == path and answer.key == key and answer.kind == "levels"
        for rubric, _ in rubrics()
        if rubric.id == findings["rubric"]["id"]
        for shape in item_shapes(rubric)
        for answer in shape.listed
    )


def _unmet_one_more(findings, draw_index):
    """Findings with one more requirement (or part) unmet, or None when all are."""
    candidates = []
    for path, found in findings["items"].items():
        for key, value in found.get("requirements", {}).items():
            if value is True and not _is_level(findings, path, key):
                candidates.append((path, key, None))
            elif isinstance(value, dict):
                candidates += [(path, key, part) for part, present in value.items() if present]
    if not candidates:
        return None
    path, key, part = candidates[draw_index % len(candidates)]
    worse = copy.deepcopy(findings)
    answers = worse["items"][path]["requirements"]
    if part is not None:
        answers[key][part] = False
    else:
        answers[key] = False
    return worse, path


@SETTINGS
@given(scored_findings(), st.integers(min_value=0))
def test_one_more_unmet_requirement_never_raises_a_score(case, index) -> None:
    rubric, scorer, findings = case
    made = _unmet_one_more(findings, index)
    if made is None:
        return
    worse, _ = made
    before, after = scorer.score(findings), scorer.score(worse)
    assert after["total"] <= before["total"]
    for section_before, section_after in zip(before["sections"], after["sections"]):
        assert section_after["score"] <= section_before["score"]
        for item_before, item_after in zip(section_before["items"], section_after["items"]):
            assert item_after["score"] <= item_before["score"]


@SETTINGS
@given(scored_findings())
def test_a_level_instead_of_met_never_raises_a_score(case) -> None:
    rubric, scorer, findings = case
    before = scorer.score(findings)
    worse = copy.deepcopy(findings)
    for shape in item_shapes(rubric):
        found = worse["items"][shape.path]
        for answer in shape.listed:
            if answer.kind == "levels" and found.get("requirements", {}).get(answer.key) is True:
                found["requirements"][answer.key] = answer.requirement.rule.levels[0].key
    assert scorer.score(worse)["total"] <= before["total"]


@SETTINGS
@given(scored_findings())
def test_not_applicable_gives_full_points(case) -> None:
    rubric, scorer, findings = case
    for path in findings["items"]:
        findings["items"][path] = {"status": "not_applicable", "reason": "经评估小组界定"}
    result = scorer.score(findings)
    assert result["total"] == result["full_marks"]
    assert all(item["score"] == item["points"] for s in result["sections"] for item in s["items"])


@SETTINGS
@given(scored_findings())
def test_json_output_reads_back_to_the_same_numbers(case) -> None:
    rubric, scorer, findings = case
    result = scorer.score(findings)
    again = json.loads(scorer.dumps(result), parse_float=Decimal)
    assert again["total"] == result["total"]
    assert [s["score"] for s in again["sections"]] == [s["score"] for s in result["sections"]]


# ---- the fast path and validate() agree ------------------------------------------

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.text(max_size=5), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.decimals(allow_nan=True, allow_infinity=True, places=1),
)


def _paths(value, prefix=()):
    """Every (container path, key) in a findings tree."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield prefix, key
            yield from _paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield prefix, index
            yield from _paths(inner, prefix + (index,))


def _at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


@SETTINGS
@given(scored_findings(), st.integers(min_value=0), st.sampled_from(["replace", "delete", "add", "note"]), JUNK,
       st.booleans())
def test_fast_path_accepts_exactly_what_validate_accepts(case, index, how, junk, partial) -> None:
    rubric, scorer, findings = case
    places = list(_paths(findings))
    container_path, key = places[index % len(places)]
    container = _at(findings, container_path)
    if how == "replace":
        container[key] = junk
    elif how == "delete" and isinstance(container, dict):
        del container[key]
    elif how == "add" and isinstance(container, dict):
        container[f"{key}x"] = junk
    elif how == "note" and isinstance(container, dict):
        container[f"_{key}"] = junk
    problems = scorer.validate(findings, partial)
    try:
        scorer.score(findings, partial=partial)
        scorer.summarize(findings, partial=partial)
    except scorer.FindingsError as error:
        assert problems and error.errors == problems
    else:
        assert problems == []


def _without_remarks(value):
    """A findings file or a result without any remark."""
    if isinstance(value, dict):
        return {key: _without_remarks(inner) for key, inner in value.items()
                if key not in ("remark", "requirement_remarks")}
    if isinstance(value, list):
        return [_without_remarks(inner) for inner in value]
    return value


@SETTINGS
@given(scored_findings())
def test_remarks_never_change_a_point_and_are_carried_into_the_result(case) -> None:
    rubric, scorer, findings = case
    result = scorer.score(findings)
    assert _without_remarks(result) == _without_remarks(scorer.score(_without_remarks(findings)))
    assert scorer.summarize(findings) == scorer.summarize(_without_remarks(findings))
    items = {item["path"]: item for section in result["sections"] for item in section["items"]}
    for path, found in findings["items"].items():
        given = found.get("requirement_remarks", {})
        assert items[path]["remark"] == found.get("remark", "")
        assert items[path]["requirement_remarks"] == {key: text for key, text in given.items() if text}
        for deduction in items[path]["deductions"]:
            assert deduction["remark"] == given.get(deduction["path"][len(path) + 1:], "")
