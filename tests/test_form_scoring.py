"""The form's scoring JavaScript against the Python scorer, differentially.

For each rubric, >= 1,000 random findings (N/A, absent, not assessed, null
choices, every interval bound of every measure and values beside it) are
scored by the generated scorer.py (the reference, docs/findings.md) and by
scoreFindings() taken out of the built form.html and run under Node.js.  The
whole results must be equal, every number with the same digits: item
scores, capping, every deduction with its text, detail and line, awards,
section scores, total, passed, grade and eligibility.  Besides three fixed
rubrics, seeded random rubrics with amounts of up to 18 significant digits
(0.0000000000001, 12.3456789012345678).  The validation of imported files is
compared the same way.

Until the Python scorer implements the clause 8.2 policies, group rulings
and content hashes of docs/findings.md (being done on main), the fields it
does not write yet are left out of the comparison, and the tests of those
semantics are expected to fail (xfail, not strict): see PYTHON_SCORER_IS_NEW.
"""

from __future__ import annotations

import dataclasses
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from rubricdsl import model as m
from rubricdsl.backends import BuildContext, form
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.plan import decimal_text as text
from rubricdsl.scoring import load_scorer

from .browser import JS_DIR, node_path, run_node
from .conftest import ROOT, SHIPPED_RUBRIC
from .scoring_helpers import MINI, complete_findings

# The Python scorer of docs/findings.md's 8.2 policies writes `zero_rule`.
PYTHON_SCORER_IS_NEW = "zero_rule" in (ROOT / "rubricdsl" / "backends" / "templates" / "scorer.py.j2").read_text(encoding="utf-8")
needs_new_python_scorer = pytest.mark.xfail(
    not PYTHON_SCORER_IS_NEW, reason="the Python scorer of the 8.2 policies and group rulings has not landed", strict=False
)

RANDOM_FINDINGS = 1200
SCORE_FINDINGS_JS = JS_DIR / "score_findings.js"

# Points in tenths, quarters and twentieths, so that binary floating point
# would show (0.1 + 0.2 != 0.3); a pass mark and grades that sums can hit
# exactly; groups with their own caps; bands, levels, a threshold on a
# non-percent scale; tiers and choices without `otherwise`.
EXACT = """
rubric exact-1
  title "Exact arithmetic"
  version "t"
  language "en"
  full marks 9.5
  pass at 6.3
  grade fair "Fair" at 6.3
  grade good "Good" at 8.15
  grade top "Top" at 9.5

condition must "Must hold"
condition may "May hold"
  advisory

section a "Tenths" points 3.5
  item tenths "Tenths" points 1
    deduct each 0.1 "each 0.1"
    req r1 "r1"
    req r2 "r2"
    req r3 "r3"
    req r4 "r4"
    req r5 "r5"
    req r6 "r6"
    req r7 "r7"
    req r8 "r8"
    req p "parts"
      part x "x"
      part y "y"
      part z "z"
  item levels "Levels" points 1.2
    req lv "lv"
      deduct "levels"
      level small 0.25 "small"
      level big 1.2 "big"
    req f "fixed"
      deduct 0.35 "fixed 0.35"
  item measured "Measured" points 1.3
    measure rate "Rate" from 0 to 10 unit "pts"
    req band "band"
      deduct "bands"
      band low 1.3 when rate < 2.5
      band mid 0.65 when 2.5 <= rate < 7.5
    req th "threshold"
      deduct 0.05 "th" when rate <= 9.95

section b "Groups" points 3
  item grouped "Grouped" points 3
    group g1 "G1" points 1.5
      deduct each 0.5 "each 0.5"
      req a "a"
      req b "b"
      req c "c"
      req d "d"
    group g2 points 1.5
      deduct each 0.75 "each 0.75"
      req a "a"
      req b "b"

section c "Awards" points 3
  item tiers "Tiers" points 1.5
    measure share "Share" percent
    tier high 1.5 "high" when share >= 90
    tier mid 0.75 "mid" when 50 <= share < 90
  item choices "Choices" points 1.5
    choice gold 1.5 "gold"
    choice silver 0.5 "silver"
"""

# Texts that would break a page or a script if they were ever treated as markup.
HOSTILE = """
rubric hostile-2
  title "</script><script>alert(1)</script>"
  version "v<1>"
  full marks 10
  pass at 5

condition c1 "<img src=x onerror=alert(1)>"

section s "& | \\" '" points 10
  item i "`${x}` \\\\ \\u2028" points 10
    req r "</script>"
      deduct 3 "<b>3</b>"
    req l "levels"
      deduct "</textarea>"
      level one 2 "<!-- one"
      level two 7 "]]> two"
"""

ORGANIZATIONS = ["某市网格化服务管理中心", "", "</script> & <b>", "Ünïcode \u2028 line"]


class Rubric:
    """A rubric compiled, its form rendered to a file, its scorer loaded."""

    def __init__(self, name: str, compilation, folder: Path, **model_changes):
        assert compilation.ok, compilation.diagnostics
        if model_changes:
            compilation = dataclasses.replace(compilation, rubric=dataclasses.replace(compilation.rubric, **model_changes))
        self.name = name
        self.rubric: m.Rubric = compilation.rubric
        source_path = f"rubrics/{name}.rubric"
        self.form = folder / f"{name}.form.html"
        self.form.write_text(form.render(BuildContext.of(compilation, source_path)), encoding="utf-8")
        self.scorer = load_scorer(compilation, source_path)


@pytest.fixture(scope="module")
def rubrics(tmp_path_factory) -> list[Rubric]:
    node_path()  # fail (CI) or skip before the work
    folder = tmp_path_factory.mktemp("forms")
    return [
        Rubric("t-cssg-001.5-2020", compile_file(SHIPPED_RUBRIC), folder),
        Rubric("exact-1", compile_source(EXACT, "exact.rubric"), folder),
        Rubric("hostile-2", compile_source(HOSTILE, "hostile.rubric"), folder),
    ]


# ---- random findings ------------------------------------------------------


def interval_bounds(item: m.Item) -> dict[str, set[Decimal]]:
    """Every bound of every interval of an item, by measure."""
    found: dict[str, set[Decimal]] = {measure.key: set() for measure in item.measures}
    intervals = [tier.interval for tier in item.tiers]
    for requirement, _ in m.requirements_with_paths(item, ""):
        rule = requirement.rule
        if isinstance(rule, m.FixedDeduction) and rule.threshold is not None:
            intervals.append(rule.threshold)
        if isinstance(rule, m.BandDeduction):
            intervals += [band.interval for band in rule.bands]
    for interval in intervals:
        found[interval.measure] |= {bound for bound in (interval.low, interval.high) if bound is not None}
    return found


def measure_values(item: m.Item) -> dict[str, list[Decimal]]:
    """Candidate values: the ends of the range, every bound, and values a
    hundredth and a half beside each bound."""
    values = {}
    bounds = interval_bounds(item)
    for measure in item.measures:
        candidates = {measure.low, measure.high}
        for bound in bounds[measure.key]:
            candidates |= {bound + delta for delta in (Decimal("-0.5"), Decimal("-0.01"), 0, Decimal("0.01"), Decimal("0.5"))}
        values[measure.key] = sorted(v for v in candidates if measure.low <= v <= measure.high)
    return values


def number(value: Decimal):
    """A JSON number written with the decimal's digits."""
    return int(value) if value == value.to_integral_value() else float(value)


def random_measure(rng: random.Random, measure: m.Measure, candidates: list[Decimal]):
    roll = rng.random()
    if roll < 0.55:
        return number(rng.choice(candidates))
    if roll < 0.75:
        return rng.randint(int(measure.low), int(measure.high))
    places = rng.choice([1, 2, 3])
    value = Decimal(str(rng.uniform(float(measure.low), float(measure.high)))).quantize(Decimal(1).scaleb(-places))
    return number(min(max(value, measure.low), measure.high))


def random_assessed(rng: random.Random, item: m.Item, candidates) -> dict:
    met_rate = rng.choice([0.0, 0.3, 0.7, 0.9, 1.0])
    finding: dict = {"status": "assessed"}
    answers = {}
    for requirement, key in m.requirements_with_paths(item, ""):
        key = key[1:]
        if requirement.measure is not None:
            continue
        rule = requirement.rule
        if requirement.parts:
            answers[key] = {part.key: rng.random() < met_rate for part in requirement.parts}
        elif isinstance(rule, m.LevelDeduction):
            answers[key] = True if rng.random() < met_rate else rng.choice(rule.levels).key
        else:
            answers[key] = rng.random() < met_rate
    if answers:
        finding["requirements"] = answers
    if item.measures:
        finding["measures"] = {
            measure.key: random_measure(rng, measure, candidates[measure.key]) for measure in item.measures
        }
    if item.choices:
        finding["choice"] = None if rng.random() < 0.3 else rng.choice(item.choices).key
    if rng.random() < 0.05:
        finding["_note"] = "an evaluator's note, never scored"
    return finding


REMARKS = ["", "未见目标文件", "见附件2\n第3页 | *原件* </script>", " "]


def random_remarks(rng: random.Random, item: m.Item) -> dict:
    """None, the item's remark, remarks on some of its requirements (any,
    those a measure decides included), or both: never scored."""
    remarks: dict = {}
    roll = rng.random()
    if roll < 0.3:
        return remarks
    if roll < 0.7:
        remarks["remark"] = rng.choice(REMARKS)
    if roll > 0.5:
        keys = [key[1:] for _, key in m.requirements_with_paths(item, "")]
        remarks["requirement_remarks"] = {key: rng.choice(REMARKS) for key in keys if rng.random() < 0.4}
        if rng.random() < 0.1:
            remarks["requirement_remarks"]["_note"] = "a note"
    return remarks


def random_findings(rng: random.Random, rubric: m.Rubric, *, partial: bool) -> dict:
    items = {}
    for section in rubric.sections:
        for item in section.items:
            path = f"{section.key}.{item.key}"
            roll = rng.random()
            if partial and roll < 0.08:
                continue
            if partial and roll < 0.12:
                items[path] = {"status": None}
            elif roll < 0.22:
                items[path] = {"status": "not_applicable", "reason": rng.choice(["本级不设", "</script>"])}
            elif roll < 0.32:
                items[path] = {"status": "absent"}
            else:
                items[path] = random_assessed(rng, item, measure_values(item))
            items[path].update(random_remarks(rng, item))
    conditions = {}
    for condition in rubric.conditions:
        roll = rng.random()
        if partial and roll < 0.1:
            continue
        conditions[condition.key] = None if partial and roll < 0.2 else roll < 0.85
    organization = rng.choice(ORGANIZATIONS[1:] if not partial else ORGANIZATIONS)
    return {
        "format": "rubricdsl-findings/1",
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organization": organization or ("某单位" if not partial else ""),
        "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "evaluators": rng.choice([["张三"], ["张三", "李四"], ["Evaluator <1>"]]),
        "remarks": rng.choice(["", "现场考核", "a | b"]),
        "conditions": conditions,
        "items": items,
    }


def boundary_findings(rubric: m.Rubric) -> list[dict]:
    """One findings per candidate value of every measure, the rest met."""
    rng = random.Random(7)
    batch = []
    for section in rubric.sections:
        for item in section.items:
            for key, values in measure_values(item).items():
                for value in values:
                    findings = random_findings(rng, rubric, partial=False)
                    found = random_assessed(rng, item, measure_values(item))
                    found["measures"][key] = number(value)
                    findings["items"][f"{section.key}.{item.key}"] = found
                    batch.append(findings)
    return batch


# ---- comparing ---------------------------------------------------------------


class Digits(Decimal):
    """A JSON number that equals another only when spelled with the same
    digits: 0.5 is not 0.50, and 12.3456789012345678 is not 12.345678901234567."""

    def __eq__(self, other):
        if isinstance(other, Digits):
            return str(self) == str(other)
        return Decimal.__eq__(self, other)

    def __hash__(self):
        return hash(str(self))


def parsed(text: str):
    return json.loads(text, parse_float=Digits, parse_int=Digits)


def python_results(rubric: Rubric, texts: list[str], *, partial: bool) -> list:
    results = []
    for text in texts:
        result = rubric.scorer.score(rubric.scorer.parse_findings(text), partial=partial)
        results.append(parsed(rubric.scorer.dumps(result)))
    return results


def node_results(rubric: Rubric, texts: list[str], tmp_path: Path, *flags: str) -> list:
    batch = tmp_path / f"{rubric.name}-batch.json"
    batch.write_text("[" + ",\n".join(texts) + "]", encoding="utf-8")
    return parsed(run_node(SCORE_FINDINGS_JS, str(rubric.form), str(batch), *flags))


def known_to(python, javascript):
    """The JavaScript result without what the Python result does not have
    yet (before the new scorer lands); the whole result after."""
    if PYTHON_SCORER_IS_NEW:
        return javascript
    if isinstance(python, dict) and isinstance(javascript, dict):
        return {key: known_to(python[key], inner) for key, inner in javascript.items() if key in python}
    if isinstance(python, list) and isinstance(javascript, list) and len(python) == len(javascript):
        return [known_to(p, j) for p, j in zip(python, javascript)]
    return javascript


def assert_same_results(expected: list, actual: list, texts: list[str]) -> None:
    assert len(expected) == len(actual)
    for index, (python, javascript) in enumerate(zip(expected, actual)):
        javascript = known_to(python, javascript)
        context = f"findings #{index}: {texts[index][:2000]}"
        for key in ("total", "passed", "grade", "eligible", "unmet_conditions", "advisory_unmet", "not_assessed"):
            assert javascript[key] == python[key], f"{key} differs for {context}"
        for py_section, js_section in zip(python["sections"], javascript["sections"]):
            assert js_section["score"] == py_section["score"], f"section {py_section['key']} differs for {context}"
            for py_item, js_item in zip(py_section["items"], js_section["items"]):
                assert js_item == py_item, f"item {py_item['path']} differs for {context}"
        assert javascript == python, context + "\n" + "\n".join(_differences(python, javascript))


def _differences(python, javascript, path=""):
    """Where two results differ, one line each, for the assertion message."""
    if isinstance(python, dict) and isinstance(javascript, dict):
        for key in list(python) + [k for k in javascript if k not in python]:
            if key not in python or key not in javascript:
                yield f"{path}.{key}: only in {'python' if key in python else 'javascript'}"
            else:
                yield from _differences(python[key], javascript[key], f"{path}.{key}")
    elif isinstance(python, list) and isinstance(javascript, list) and len(python) == len(javascript):
        for index, (p, j) in enumerate(zip(python, javascript)):
            yield from _differences(p, j, f"{path}[{index}]")
    elif python != javascript:
        yield f"{path}: python {python!r}, javascript {javascript!r}"


@pytest.mark.parametrize("partial", [False, True], ids=["complete", "partial"])
def test_form_scores_random_findings_exactly_as_the_python_scorer(rubrics, tmp_path, partial) -> None:
    for rubric in rubrics:
        rng = random.Random(f"{rubric.name}-{partial}")
        batch = [random_findings(rng, rubric.rubric, partial=partial) for _ in range(RANDOM_FINDINGS)]
        if not partial:
            batch += boundary_findings(rubric.rubric)
        texts = [json.dumps(findings, ensure_ascii=False) for findings in batch]
        expected = python_results(rubric, texts, partial=partial)
        actual = node_results(rubric, texts, tmp_path, *(["--partial"] if partial else []))
        assert_same_results(expected, actual, texts)
        # the sample reaches what it is meant to reach
        statuses = {item["status"] for result in expected for section in result["sections"] for item in section["items"]}
        assert {"assessed", "not_applicable", "absent"} <= statuses
        assert ("not_assessed" in statuses) == partial
        assert {result["passed"] for result in expected} == {True, False} or rubric.name == "hostile-2"
        assert any(item["capped"] for result in expected for s in result["sections"] for item in s["items"])


def test_the_forms_memo_scores_as_scoring_afresh(rubrics, tmp_path) -> None:
    """The form rescores only the item answered (scoreFindings' memo): a
    batch whose equal item findings are one object, scored with one memo,
    still gives the Python scorer's results."""
    for rubric in rubrics:
        rng = random.Random(f"{rubric.name}-memo")
        batch = [random_findings(rng, rubric.rubric, partial=True) for _ in range(RANDOM_FINDINGS // 4)]
        texts = [json.dumps(findings, ensure_ascii=False) for findings in batch]
        seen = [(path, json.dumps(found, sort_keys=False)) for findings in batch for path, found in findings["items"].items()]
        assert len(set(seen)) < len(seen)  # the memo is used
        expected = python_results(rubric, texts, partial=True)
        actual = node_results(rubric, texts, tmp_path, "--partial", "--memo")
        assert_same_results(expected, actual, texts)


def test_sums_that_floating_point_gets_wrong_are_exact(rubrics, tmp_path) -> None:
    """0.1 * 3 and 6.3 exactly at the pass mark: the random sample hits them."""
    rubric = next(r for r in rubrics if r.name == "exact-1")
    rng = random.Random("exact-pass-mark")
    batch = [random_findings(rng, rubric.rubric, partial=False) for _ in range(RANDOM_FINDINGS)]
    texts = [json.dumps(findings, ensure_ascii=False) for findings in batch]
    expected = python_results(rubric, texts, partial=False)
    actual = node_results(rubric, texts, tmp_path)
    assert_same_results(expected, actual, texts)
    totals = [result["total"] for result in actual]
    assert Decimal("6.3") in totals  # exactly the pass mark: passed, grade fair
    at_pass = next(result for result in actual if result["total"] == Decimal("6.3"))
    assert at_pass["passed"] is True and at_pass["grade"] == {"key": "fair", "label": "Fair"}
    tenths = [item["score"] for result in actual for item in result["sections"][0]["items"] if item["path"] == "a.tenths"]
    assert Decimal("0.7") in tenths  # 1 - 0.1 * 3, which is 0.7000000000000001 in binary


def test_form_validation_agrees_with_the_scorer_on_broken_findings(rubrics, tmp_path) -> None:
    """Each mutation of a valid findings file is rejected by both, or accepted by both."""
    rubric = rubrics[0]
    rng = random.Random("broken")
    base = random_findings(rng, rubric.rubric, partial=False)
    mutations = {
        "another rubric": lambda f: f["rubric"].update(id="other"),
        "unknown rubric key": lambda f: f["rubric"].update(revision="x"),
        "another version": lambda f: f["rubric"].update(version="2021"),
        "wrong format": lambda f: f.update(format="rubricdsl-findings/2"),
        "unknown header key": lambda f: f.update(extra=1),
        "note header key": lambda f: f.update(_extra=1),
        "bad date": lambda f: f.update(date="2026-02-30"),
        "no evaluators": lambda f: f.update(evaluators=[]),
        "blank organization": lambda f: f.update(organization=" "),
        "condition not bool": lambda f: f["conditions"].update(self_assessed="yes"),
        "unknown item": lambda f: f["items"].update({"basics.nothing": {"status": "absent"}}),
        "missing item": lambda f: f["items"].pop("basics.policy"),
        "bad status": lambda f: f["items"].update({"basics.policy": {"status": "done"}}),
        "reason blank": lambda f: f["items"].update({"basics.policy": {"status": "not_applicable", "reason": " "}}),
        "absent with extra": lambda f: f["items"].update({"basics.policy": {"status": "absent", "reason": "x"}}),
        "measure out of range": lambda f: f["items"].update(
            {"basics.training": {"status": "assessed", "requirements": {"training_plan": True, "training_records": True,
             "exam_records": True}, "measures": {"completion": 100.5}}}),
        "measure as text": lambda f: f["items"].update(
            {"performance.service_quality": {"status": "assessed", "measures": {"satisfaction": "90"}}}),
        "bad level": lambda f: f["items"].update(
            {"foundation.guidelines": {"status": "assessed", "requirements": {"guidelines": "some"}}}),
        "bad choice": lambda f: f["items"].update({"performance.brand": {"status": "assessed", "choice": "global"}}),
        "part missing": lambda f: f["items"].update(
            {"basics.organization": {"status": "assessed", "requirements": {
                "organization_chart": {"chart_exists": True}, "top_management_duties": True, "department_duties": True}}}),
        "item note": lambda f: f["items"].update({"performance.brand": {"status": "assessed", "choice": None, "_why": "n"}}),
        "status null": lambda f: f["items"].update({"basics.policy": {"status": None}}),
        "condition null": lambda f: f["conditions"].update(self_assessed=None),
        "condition missing": lambda f: f["conditions"].pop("self_assessed"),
        "empty date": lambda f: f.update(date=""),
        "blank evaluator": lambda f: f.update(evaluators=[""]),
    }
    names, texts = [], []
    for name, mutate in mutations.items():
        findings = json.loads(json.dumps(base))
        mutate(findings)
        names.append(name)
        texts.append(json.dumps(findings, ensure_ascii=False))
    batch = tmp_path / "broken.json"
    batch.write_text("[" + ",".join(texts) + "]", encoding="utf-8")
    for partial in (False, True):
        flags = ["--validate"] + (["--partial"] if partial else [])
        problems = json.loads(run_node(SCORE_FINDINGS_JS, str(rubric.form), str(batch), *flags))
        for name, text, found in zip(names, texts, problems):
            reference = rubric.scorer.validate(rubric.scorer.parse_findings(text), partial=partial)
            assert bool(found) == bool(reference), f"{name} (partial={partial}): form says {found}, scorer says {reference}"
    by_name = dict(zip(names, problems))
    assert by_name["status null"] == [] and by_name["empty date"] == []  # allowed in a partial file
    assert by_name["another rubric"] == [{"path": "rubric", "problem": "wrong_rubric", "detail": {"id": "other", "version": "2020-draft"}}]
    assert by_name["measure out of range"] == [
        {"path": "items.basics.training.measures.completion", "problem": "out_of_range", "detail": {"low": "0", "high": "100"}}
    ]
    assert by_name["note header key"] == [] and by_name["item note"] == []


def test_the_form_suggests_the_key_the_scorer_suggests(rubrics, tmp_path) -> None:
    """A mistyped key gets the same "did you mean" in the form as from the
    scorer (difflib's closest match, cutoff 0.6), at every level."""
    import re

    rubric = rubrics[0]
    rng = random.Random("typos")
    base = random_findings(rng, rubric.rubric, partial=False)

    def typo(key: str) -> str:
        letters = list(key)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(letters))
            choice = rng.random()
            if choice < 0.4 and len(letters) > 1:
                del letters[at]
            elif choice < 0.7:
                letters.insert(at, rng.choice("aeiost_"))
            else:
                letters[at] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        return "".join(letters)

    texts = []
    for _ in range(120):
        findings = json.loads(json.dumps(base))
        where = rng.choice(["header", "conditions", "items", "requirements"])
        if where == "header":
            holder = findings
        elif where == "conditions":
            holder = findings["conditions"]
        elif where == "items":
            holder = findings["items"]
        else:
            holder = next(f["requirements"] for f in findings["items"].values() if f.get("requirements"))
        key = rng.choice(sorted(holder))
        holder[typo(key)] = holder.pop(key)
        texts.append(json.dumps(findings, ensure_ascii=False))
    problems = node_results(rubric, texts, tmp_path, "--validate")
    suggested = 0
    for text, found in zip(texts, problems):
        messages = rubric.scorer.validate(rubric.scorer.parse_findings(text))
        expected = {m.split(":")[0]: (re.findall(r"did you mean '(.*)'", m) or [None])[0] for m in messages if "unknown key" in m}
        actual = {p["path"]: (p["detail"] or {}).get("suggestion") for p in found if p["problem"] == "unknown"}
        assert actual == expected, text
        suggested += sum(1 for hint in actual.values() if hint)
    assert suggested > 60


# ---- random rubrics ------------------------------------------------------------

# Amounts whose digits a double cannot hold, and a tenth-of-a-trillionth.
AMOUNTS = ["0.0000000000001", "12.3456789012345678", "0.5", "1", "0.25", "2.0000000000000001", "0.1", "3"]
BOUNDS = ["0.0000001", "2.5", "7.123456789", "5"]


# Keys that name things of Python, of the generated scorer and of JavaScript:
# a random rubric takes its keys from them half the time.
DANGEROUS_KEYS = [
    "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "length", "if", "class", "None", "True",
    "def", "lambda", "len", "sum", "print", "Decimal", "found", "answers", "lost", "unmet", "deductions", "score",
    "capped", "rulings", "outcome", "met", "parts", "missing", "present", "amount", "choice", "measures", "status",
    "requirements", "groups", "items", "self", "SCALE", "ITEMS", "item", "req",
]


def random_rubric_text(rng: random.Random, number: int) -> str:
    """A checked rubric of every rule shape, its points summed exactly, its
    keys plain or dangerous (DANGEROUS_KEYS)."""
    dangerous = number % 2 == 1

    def key(default: str, taken: set) -> str:
        """A key unique among its siblings (`taken`)."""
        if dangerous:
            free = [name for name in DANGEROUS_KEYS if name not in taken]
            chosen = rng.choice(free)
        else:
            chosen = default
        taken.add(chosen)
        return chosen

    def amount():  # at most 12.3456789012345678 + 0.1, under every cap below
        return Decimal(rng.choice(AMOUNTS))

    def cap():
        return Decimal(rng.choice(AMOUNTS)) + Decimal("12.4456789012345678")

    lines = []
    sections = []
    section_keys: set = set()
    for s in range(rng.randint(1, 3)):
        items = []
        item_keys: set = set()
        for i in range(rng.randint(1, 3)):
            shape = rng.choice(["requirements", "groups", "tiers", "choices"])
            body = []
            below: set = set()  # the keys of the item's measures, requirements, groups, tiers and choices
            if shape == "requirements":
                points = cap()
                low, high = sorted(rng.sample(BOUNDS, 2), key=Decimal)
                m = key("m", below)
                body += [f'    measure {m} "M" from 0 to 10']
                body += [f'    req {key("fixed", below)} "fixed"', f'      deduct {text(amount())} "fixed"']
                levels: set = set()
                body += [f'    req {key("levels", below)} "levels"', '      deduct "levels"',
                         f'      level {key("a", levels)} {text(amount())} "a"', f'      level {key("b", levels)} {text(amount())} "b"']
                part_keys: set = set()
                body += [f'    req {key("parts", below)} "parts"', f'      deduct each {text(amount())} "each"',
                         f'      part {key("x", part_keys)} "x"', f'      part {key("y", part_keys)} "y"']
                bands: set = set()
                body += [f'    req {key("band", below)} "band"', '      deduct "bands"',
                         f"      band {key('lo', bands)} {text(amount())} when {m} < {low}",
                         f"      band {key('mid', bands)} {text(amount())} when {low} <= {m} < {high}"]
                body += [f'    req {key("th", below)} "th"', f'      deduct {text(amount())} "th" when {m} <= {high}']
            elif shape == "groups":
                groups = [cap() for _ in range(rng.randint(1, 3))]
                points = sum(groups)
                for g, group_points in enumerate(groups):
                    body += [f'    group {key(f"g{g}", below)} "G{g}" points {text(group_points)}',
                             f'      deduct each {text(amount())} "each"']
                    requirements: set = set()
                    body += [f'      req {key(f"r{r}", requirements)} "r{r}"' for r in range(rng.randint(1, 3))]
            elif shape == "tiers":
                points = cap()
                share = key("share", below)
                body += [f'    measure {share} "Share" percent', f'    tier {key("high", below)} {text(points)} "high" when {share} >= 90',
                         f'    tier {key("mid", below)} {text(amount())} "mid" when 50 <= {share} < 90']
                if rng.random() < 0.5:
                    body.append(f'    otherwise {text(amount())} "none"')
            else:
                points = cap()
                body += [f'    choice {key("gold", below)} {text(points)} "gold"', f'    choice {key("silver", below)} {text(amount())} "silver"']
            items.append((key(f"i{i}", item_keys), points, body))
        sections.append((key(f"s{s}", section_keys), sum(p for _, p, _ in items), items))
    full = sum(points for _, points, _ in sections)
    pass_mark = (full * Decimal(rng.choice(["0.5", "0.6", "0.7"]))).normalize()
    conditions: set = set()
    lines += [f"rubric random-{number}", f'  title "Random {number}"', '  version "r"', '  language "en"',
              f"  full marks {text(full)}", f"  pass at {text(pass_mark)}", f'  grade fair "Fair" at {text(pass_mark)}', "",
              f'condition {key("must", conditions)} "Must hold"', f'condition {key("may", conditions)} "May hold"', "  advisory", ""]
    for section_key, points, items in sections:
        lines.append(f'section {section_key} "S" points {text(points)}')
        for item_key, item_points, body in items:
            lines.append(f'  item {item_key} "I" points {text(item_points)}')
            lines += body
        lines.append("")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def random_rubrics(tmp_path_factory) -> list[Rubric]:
    node_path()
    folder = tmp_path_factory.mktemp("random-forms")
    rng = random.Random("random rubrics")
    rubrics = []
    for n in range(12):
        compilation = compile_source(random_rubric_text(rng, n), f"random-{n}.rubric")
        assert compilation.ok, [d.message for d in compilation.errors]
        rubrics.append(Rubric(f"random-{n}", compilation, folder))
    return rubrics


def test_random_rubrics_with_long_amounts_score_digit_for_digit(random_rubrics, tmp_path) -> None:
    """Points of up to 18 significant digits: the form's total is the scorer's, digits included."""
    long_digits = set()
    for rubric in random_rubrics:
        rng = random.Random(rubric.name)
        batch = [random_findings(rng, rubric.rubric, partial=rng.random() < 0.3) for _ in range(150)]
        texts = [json.dumps(findings, ensure_ascii=False) for findings in batch]
        expected = python_results(rubric, texts, partial=True)
        actual = node_results(rubric, texts, tmp_path)
        assert_same_results(expected, actual, texts)
        long_digits |= {str(result["total"]) for result in expected if len(str(result["total"]).replace(".", "")) > 15}
    assert long_digits  # the sample reaches totals a double cannot hold


# ---- clause 8.2 policies and group rulings (docs/findings.md) -------------------


def ruled_groups(rng: random.Random, findings: dict, rubric: m.Rubric) -> dict:
    """Rule some groups not applicable or absent; drop their answers."""
    for section in rubric.sections:
        for item in section.items:
            found = findings["items"].get(f"{section.key}.{item.key}")
            if not item.groups or not found or found.get("status") != "assessed":
                continue
            rulings = {}
            for group in item.groups:
                roll = rng.random()
                if roll < 0.5:
                    continue
                rulings[group.key] = {"status": "not_applicable", "reason": "本级不设"} if roll < 0.75 else {"status": "absent"}
                for key in [k for k in found.get("requirements", {}) if k.startswith(group.key + ".")]:
                    del found["requirements"][key]
            if rulings:
                found["groups"] = rulings
    return findings


@needs_new_python_scorer
@pytest.mark.parametrize(
    "policies",
    [
        (m.Policy("nothing_met", "zero", "8.2"), m.Policy("not_applicable", "full", "8.2")),
        (m.Policy("nothing_met", "zero", None), m.Policy("not_applicable", "excluded", "8.2")),
    ],
    ids=["shipped-policies", "excluded"],
)
def test_policies_and_group_rulings_score_as_the_python_scorer(tmp_path, policies) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    rubrics = [
        Rubric("t-cssg-001.5-2020", compile_file(SHIPPED_RUBRIC), folder, policies=policies),
        Rubric("exact-1", compile_source(EXACT, "exact.rubric"), folder, policies=policies),
    ]
    for rubric in rubrics:
        rng = random.Random(f"{rubric.name}-policies")
        batch = [ruled_groups(rng, random_findings(rng, rubric.rubric, partial=True), rubric.rubric) for _ in range(400)]
        texts = [json.dumps(findings, ensure_ascii=False) for findings in batch]
        expected = python_results(rubric, texts, partial=True)
        actual = node_results(rubric, texts, tmp_path)
        assert_same_results(expected, actual, texts)
        assert any(item["zero_rule"] for r in actual for s in r["sections"] for item in s["items"])


def test_the_zero_rule_and_group_rulings_in_the_form_alone(tmp_path) -> None:
    """The JavaScript's own reading of docs/findings.md, checked by hand."""
    policies = (m.Policy("nothing_met", "zero", "8.2"),)
    rubric = Rubric("mini-1", compile_source(MINI, "mini.rubric"), tmp_path, policies=policies)
    findings = complete_findings(rubric.rubric)
    findings["items"]["a.fixed"]["requirements"] = {"one": False, "two": False, "three": False}  # 6 of 5: capped anyway
    findings["items"]["a.levels"]["requirements"] = {"table": "unclear", "tidy": False}  # 4 of 5, nothing met: 0
    findings["items"]["a.parts"]["requirements"] = {"docs": {"a": True, "b": False, "c": False}, "signed": False}  # partly met
    grouped = findings["items"]["a.grouped"]
    grouped["groups"] = {"g1": {"status": "not_applicable", "reason": "本级不设"}, "g2": {"status": "assessed"}}
    grouped["requirements"] = {"g2.s": False, "g2.t": True}
    texts = [json.dumps(findings, ensure_ascii=False)]
    result = node_results(rubric, texts, tmp_path)[0]
    items = {item["path"]: item for s in result["sections"] for item in s["items"]}
    assert items["a.fixed"]["score"] == 0 and items["a.fixed"]["zero_rule"] == {"clause": "8.2"} and items["a.fixed"]["capped"]
    assert items["a.levels"]["score"] == 0 and items["a.levels"]["zero_rule"] == {"clause": "8.2"}
    assert len(items["a.levels"]["deductions"]) == 2  # still listed
    assert items["a.parts"]["score"] == Decimal("0.5") and items["a.parts"]["zero_rule"] is None
    groups = items["a.grouped"]["groups"]
    assert [(g["key"], g["status"], g["score"], g["reason"]) for g in groups] == [
        ("g1", "not_applicable", Decimal("2.5"), "本级不设"), ("g2", "assessed", Decimal("0.5"), None)
    ]
    assert items["a.grouped"]["score"] == 3 and items["a.grouped"]["applicable_points"] == 5
    assert result["provisional"] is False and result["raw_total"] == result["total"]
    assert result["rubric"]["content_hash"].startswith("sha256:")
    assert [w["code"] for w in result["warnings"]] == ["no_content_hash"]

    own = result["rubric"]["content_hash"]
    answered = json.loads(texts[0])
    answered["items"]["a.grouped"]["requirements"]["g1.p"] = True  # a group ruled not applicable is not answered
    other = json.loads(texts[0])
    other["rubric"]["content_hash"] = "sha256:" + "0" * 64
    batch = tmp_path / "rulings.json"
    batch.write_text(json.dumps([answered, other]), encoding="utf-8")
    problems = json.loads(run_node(SCORE_FINDINGS_JS, str(rubric.form), str(batch), "--validate"))
    assert problems[0] == [{"path": "items.a.grouped.requirements.g1.p", "problem": "ruled_out", "detail": None}]
    assert problems[1] == [{"path": "rubric.content_hash", "problem": "other_content",
                            "detail": {"hash": "sha256:" + "0" * 64, "own_hash": own}}]
    assert json.loads(run_node(SCORE_FINDINGS_JS, str(rubric.form), str(batch), "--validate", "--rescore"))[1] == []
