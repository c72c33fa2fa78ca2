"""The batch's typed reader and summarizer (rubricdsl/batch_summary.py)
give every record the row that the scorer's own reader and summarize()
give it, byte for byte, on random valid and hostile records of three
rubrics; and they do the work: the valid records are read into the
rubric's Structs and summed, not handed back to the scorer."""

from __future__ import annotations

import functools
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubricdsl.findings import item_shapes
from rubricdsl.plan import lower
from rubricdsl.scoring import FastReader, summary_csv_cells, summary_json_fields

from .conftest import load_benchmark
from .scoring_helpers import MINI, compiled, scorer_for, shipped

# MINI with the other policies of clause 8.2 (not applicable leaves the
# maximum, nothing met scores 0) and bounds that no double holds (33.3,
# 80.1), which the summarizer compares exactly, as the scorer does.
OTHER_POLICIES = (
    MINI.replace('  pass at 30\n', '  pass at 30\n  policy not_applicable excluded\n  policy nothing_met zero\n')
    .replace("band low 3 when 30 <= completion < 50", "band low 3 when 33.3 <= completion < 50")
    .replace("band bottom 5 when completion < 30", "band bottom 5 when completion < 33.3")
    .replace("when completion < 80", "when completion < 80.1")
)
RUBRICS = ("shipped", "mini", "other policies")


@functools.lru_cache(maxsize=None)
def target(name: str):
    """(rubric, scorer, {partial: the batch's reader bound to the scorer})."""
    if name == "shipped":
        compilation, scorer = shipped()
    else:
        source = MINI if name == "mini" else OTHER_POLICIES
        compilation, scorer = compiled(source), scorer_for(source)
    reader = FastReader.of(compilation.rubric)
    return compilation.rubric, scorer, {partial: reader.bind(scorer, partial, False) for partial in (False, True)}


def row(summary: dict) -> tuple[str, bytes]:
    return summary_csv_cells(summary), summary_json_fields(summary)


def own_row(scorer, data: bytes, partial: bool):
    """The row of the scorer alone (its own exact reader), or its problems."""
    try:
        return row(scorer.summarize(scorer.parse_findings(data, ""), partial=partial))
    except scorer.FindingsError as error:
        return error.errors


def batch_row(bound, data: bytes):
    try:
        return row(bound.summary(data))
    except bound.scorer.FindingsError as error:
        return error.errors


def summed_by_the_summarizer(bound, data: bytes) -> bool:
    """Whether the summarizer itself accepted the record, as the batch
    reads it (into the rubric's Structs)."""
    try:
        bound.summarizer(bound.read(data), False)
    except Exception:
        return False
    return True


def written(rng: random.Random, low, high) -> str:
    """A measured value as a person or a tool writes it: whole, with a
    fraction, with an exponent, at a bound, with too many digits."""
    low, high = float(low), float(high)
    choice = rng.random()
    if choice < 0.25:
        return str(rng.randint(int(low), int(high)))
    if choice < 0.5:
        return repr(round(rng.uniform(low, high), rng.randint(0, 3)))
    if choice < 0.6:
        return rng.choice([f"{low:g}", f"{high:g}", f"{high:.1f}", f"{low:.1f}", "0.0", "-0.0", "30.0", "80", "90.0"])
    if choice < 0.7:
        return f"{rng.uniform(low, high) / 10:.4f}e1"
    if choice < 0.8:
        return rng.choice(["89.99999999999999999", "30.000000000000000001", "79.9999999999999999", "1e-400", "5e-324"])
    return f"{rng.uniform(low, high):.{rng.randint(4, 17)}f}"


def random_record(rng: random.Random, rubric, partial: bool) -> bytes:
    """Valid-shaped findings: every choice an evaluator makes, remarks and
    group rulings included, numbers written in every way."""
    numbers: dict[str, str] = {}
    items: dict = {}
    for shape in item_shapes(rubric):
        item, roll = shape.item, rng.random()
        remarks = {}
        if rng.random() < 0.3:
            remarks["remark"] = rng.choice(["", "现场查看", "a, \"quoted\""])
        if rng.random() < 0.2:
            remarks["requirement_remarks"] = {answer.key: "未见" for answer in shape.answers[:2]}
        if roll < 0.07:
            items[shape.path] = {"status": "not_applicable", "reason": "本级不设", **remarks}
            continue
        if roll < 0.12:
            items[shape.path] = {"status": "absent", **remarks}
            continue
        if partial and roll < 0.2:
            if rng.random() < 0.5:
                items[shape.path] = {"status": None, **remarks}
            continue
        found: dict = {"status": "assessed"}
        ruled = {}
        for group in item.groups:
            if rng.random() < 0.2:
                ruled[group.key] = rng.choice([{"status": "absent"}, {"status": "not_applicable", "reason": "无"}])
            elif rng.random() < 0.1:
                ruled[group.key] = {"status": "assessed"}
        if shape.listed:
            answers = {}
            for answer in shape.listed:
                if answer.group is not None and answer.group.key in ruled and ruled[answer.group.key]["status"] != "assessed":
                    continue
                requirement = answer.requirement
                if requirement.parts:
                    answers[answer.key] = {part.key: rng.random() < 0.75 for part in requirement.parts}
                elif answer.kind == "levels":
                    answers[answer.key] = True if rng.random() < 0.6 else rng.choice(requirement.rule.levels).key
                else:
                    answers[answer.key] = rng.random() < 0.8
            found["requirements"] = answers
        if item.groups and (ruled or rng.random() < 0.1):
            found["groups"] = ruled
        if item.measures:
            found["measures"] = {}
            for measure in item.measures:
                name = f"@@NUMBER{len(numbers)}@@"
                numbers[name] = written(rng, measure.low, measure.high)
                found["measures"][measure.key] = name
        if item.choices:
            found["choice"] = rng.choice([None] + [choice.key for choice in item.choices])
        found.update(remarks)
        items[shape.path] = found
    conditions = {c.key: rng.random() < 0.9 for c in rubric.conditions}
    if partial and conditions and rng.random() < 0.3:
        conditions[next(iter(conditions))] = None
    findings = {
        "format": "rubricdsl-findings/1",
        "rubric": {"id": rubric.id, "version": rubric.version, **({"content_hash": lower(rubric).content_hash}
                                                                  if rng.random() < 0.5 else {})},
        "organization": rng.choice(["某市网格化服务管理中心", "单位, \"甲\"", "x"]),
        "date": "2026-11-27",
        "evaluators": ["张三"],
        "remarks": "",
        "conditions": conditions,
        "items": items,
    }
    text = json.dumps(findings, ensure_ascii=rng.random() < 0.3, separators=rng.choice([(",", ":"), (", ", ": ")]))
    for name, number in numbers.items():
        text = text.replace(json.dumps(name), number)
    return text.encode("utf-8")


@pytest.mark.parametrize("name", RUBRICS)
def test_random_records_get_the_scorers_own_row_and_are_all_summed_by_the_summarizer(name: str) -> None:
    """Numbers written in every way, on bounds, beside them and with more
    digits than a double holds: the summarizer sums every record the scorer
    scores (no float is read, so none needs a second look)."""
    rubric, scorer, readers = target(name)
    rng = random.Random(f"summary {name}")
    for index in range(600):
        partial = index % 3 == 0
        data = random_record(rng, rubric, partial)
        own = own_row(scorer, data, partial)
        assert batch_row(readers[partial], data) == own, data
        assert isinstance(own, tuple), own
        assert summed_by_the_summarizer(readers[partial], data), data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), which=st.sampled_from(RUBRICS))
def test_hostile_records_get_the_scorers_own_row(rng, which: str) -> None:
    """benchmarks/fuzz_findings.py's hostile values (lone surrogates, huge
    numbers, deep nesting, wrong types, keys added, removed or given
    twice) in random records."""
    fuzz = fuzz_findings()
    rubric, scorer, readers = target(which)
    data, partial = fuzz.hostile_case(rng, fuzz.Target(which, None, compiled_for(which), scorer, readers))
    own = own_row(scorer, data, partial)
    assert batch_row(readers[partial], data) == own
    if not isinstance(own, tuple):
        assert not summed_by_the_summarizer(readers[partial], data)


@functools.lru_cache(maxsize=1)
def fuzz_findings():
    return load_benchmark("fuzz_findings")


def compiled_for(name: str):
    if name == "shipped":
        return shipped()[0]
    return compiled(MINI if name == "mini" else OTHER_POLICIES)


def mini_record(completion: str, satisfaction: str = "95") -> bytes:
    from .scoring_helpers import complete_findings

    findings = complete_findings(compiled(OTHER_POLICIES).rubric)
    findings["items"]["a.measured"]["measures"]["completion"] = "@C@"
    findings["items"]["b.tiers"]["measures"]["satisfaction"] = "@S@"
    text = json.dumps(findings).replace('"@C@"', completion).replace('"@S@"', satisfaction)
    return text.encode()


@pytest.mark.parametrize(
    "completion",
    ["0.0", "-0.0", "1e-400", "5e-324", "33.3", "33.29999999999999999", "80.1", "80.09999999999999999999", "49.999999999999999"],
)
def test_numbers_no_double_holds_are_summed_exactly_by_the_summarizer(completion: str) -> None:
    """Zero, subnormal, on a bound no double holds (33.3, 80.1) and just
    below one: the scorer's own Decimal, summed by the summarizer."""
    rubric, scorer, readers = target("other policies")
    data = mini_record(completion)
    assert summed_by_the_summarizer(readers[False], data)
    assert batch_row(readers[False], data) == own_row(scorer, data, False)


@pytest.mark.parametrize("completion", ["1e401", "1" + "0" * 40 + ".5", "12345678901234567890123456789012345678901", "NaN"])
def test_numbers_the_scorer_refuses_are_left_to_it(completion: str) -> None:
    rubric, scorer, readers = target("other policies")
    data = mini_record(completion)
    assert not summed_by_the_summarizer(readers[False], data)
    own = own_row(scorer, data, False)
    assert isinstance(own, list) and own
    assert batch_row(readers[False], data) == own


@pytest.mark.parametrize(
    "satisfaction, tier",
    [("90", 20), ("90.0", 20), ("9e1", 20), ("89.99999999999999999", 15), ("89.9999999999999", 15),
     ("80.000000000000000001", 15), ("79.9999999999999999999", 10)],
)
def test_a_value_beside_a_bound_is_summed_as_written(satisfaction: str, tier: int) -> None:
    """89.99999999999999999 is the double 90.0 but scores below 90: it is
    read as the scorer reads it, never as a double."""
    rubric, scorer, readers = target("other policies")
    bound = readers[False]
    data, bottom = mini_record("45", satisfaction), mini_record("45", "0")
    assert summed_by_the_summarizer(bound, data)
    assert batch_row(bound, data) == own_row(scorer, data, False)
    assert bound.summary(data)["total"] - bound.summary(bottom)["total"] == tier


# Every value a check may miss: each type, the status words, a value nested
# deeper than the scorer reads (MAX_NESTING), a number too long for it.
NEIGHBOUR_VALUES = [True, False, None, 0, 1, -1, 1.5, "", " ", "x", "assessed", "absent", "not_applicable", [], {},
                    ["x"], {"status": None}, {"status": "assessed"}, 10**45]
DEEP = "[" * 40 + "]" * 40


def places(value):
    """Every (container, key) of a findings tree."""
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from places(value[key])
    elif isinstance(value, list):
        for index in range(len(value)):
            yield value, index
            yield from places(value[index])


def neighbours(findings: dict, edits_per_place: int):
    """The findings with one edit, at every place: values of
    NEIGHBOUR_VALUES (and DEEP) written there, taken in turn
    `edits_per_place` at a time; the key deleted; a key added beside it
    (an unknown key, or a note, with a value that is plain or DEEP)."""
    values = NEIGHBOUR_VALUES + ["@DEEP@"]
    turn = 0
    for number, (container, key) in enumerate(list(places(findings))):
        kept = container[key]
        for _ in range(edits_per_place):
            container[key] = values[turn % len(values)]
            turn += 1
            yield findings
        container[key] = kept
        if isinstance(container, dict):
            del container[key]
            yield findings
            container[key] = kept
            added = ("x", "_note")[number % 2]
            if added not in container:
                container[added] = (True, "@DEEP@")[number // 2 % 2]
                yield findings
                del container[added]


@pytest.mark.parametrize("name", RUBRICS)
@pytest.mark.parametrize("partial", [False, True])
def test_every_record_one_edit_from_a_valid_one_gets_the_scorers_own_row(name: str, partial: bool) -> None:
    """Each check of the summarizer against the scorer's, one at a time:
    a record one edit from a valid one, at every place of it."""
    rubric, scorer, readers = target(name)
    rng = random.Random(f"neighbours {name} {partial}")
    while True:
        data = random_record(rng, rubric, partial)
        findings = json.loads(data)
        shown = json.dumps(findings)
        # One with groups ruled, remarks, and (partial) items not assessed.
        if '"groups": {"' in shown and '"remark"' in shown and (not partial or '"status": null' in shown):
            break
    assert summed_by_the_summarizer(readers[partial], data)
    refused = 0
    # Every value at every place of MINI's records; the shipped rubric's
    # items are written by the same code, and take a few values each.
    for edited in neighbours(findings, 2 if name == "shipped" else len(NEIGHBOUR_VALUES) + 1):
        edited = json.dumps(edited, ensure_ascii=False).replace('"@DEEP@"', DEEP).encode("utf-8")
        own = own_row(scorer, edited, partial)
        assert batch_row(readers[partial], edited) == own, edited
        refused += not isinstance(own, tuple)
    assert refused > 100
