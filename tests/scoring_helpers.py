"""Shared by the scoring tests: scorers compiled in memory, findings builders,
and a small rubric with every rule shape, 0.5-point amounts and grades."""

from __future__ import annotations

import copy
import functools
import json

from rubricdsl.findings import item_shapes
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.scoring import load_scorer

from .conftest import SHIPPED_RUBRIC, TESTS

SHIPPED_SOURCE = "rubrics/t-cssg-001.5-2020.rubric"
FIXTURE = TESTS / "fixtures" / "findings" / "t-cssg-001.5-2020.json"

# Every rule shape of the language, amounts in halves (so SCALE is 10 and
# results hold Decimals), grades, a mandatory and an advisory condition.
MINI = """\
rubric mini-1
  title "Mini"
  version "1"
  language "en"
  full marks 60
  pass at 30
  panel 3 to 5
  grade fair "Fair" at 30
  grade good "Good" at 45
  grade top "Top" at 55

condition must "Must hold"
  clause "6.1"
condition may "May hold"
  advisory

section a "Deductions" points 30
  item fixed "Fixed" points 5
    req one "one"
      deduct 2 "no one: -2"
    req two "two"
      deduct 1.5 "no two: -1.5"
    req three "three"
      deduct 2.5 "no three: -2.5"
  item levels "Levels" points 5
    req table "table"
      deduct "no table -5, unclear -3"
      level none 5 "no table"
      level unclear 3 "unclear"
    req tidy "tidy"
      deduct 1 "untidy -1"
  item parts "Parts" points 5
    req docs "docs"
      deduct each 1 "each missing document -1"
      part a "A"
      part b "B"
      part c "C"
    req signed "signed"
      deduct 2.5 "unsigned -2.5"
  item each "Each" points 5
    deduct each 2 "each missing -2"
    req x "x"
    req y "y"
    req z "z"
  item measured "Measured" points 5
    measure completion "Completion" percent
    req plan "plan completed"
      deduct "50-100: -2, 30-50: -3, below 30: -5"
      band mid 2 when 50 <= completion < 100
      band low 3 when 30 <= completion < 50
      band bottom 5 when completion < 30
    req participation "participation 80+"
      deduct 1 "below 80: -1" when completion < 80
  item grouped "Grouped" points 5
    group g1 "G1" points 2.5
      deduct each 1 "each -1"
      req p "p"
      req q "q"
      req r "r"
    group g2 points 2.5
      deduct each 2 "each -2"
      req s "s"
      req t "t"

section b "Awards" points 30
  item tiers "Tiers" points 20
    measure satisfaction "Satisfaction" percent
    tier t90 20 "90 and more: 20" when satisfaction >= 90
    tier t80 15 "80 to 90: 15" when 80 <= satisfaction < 90
    tier t60 10 "60 to 80: 10" when 60 <= satisfaction < 80
  item brand "Brand" points 10
    choice national 10 "national: 10"
    choice provincial 5 "provincial: 5"
    otherwise 1 "none: 1"
"""


@functools.lru_cache(maxsize=None)
def compiled(source: str, path: str = "mini.rubric"):
    compilation = compile_source(source, path)
    assert compilation.ok, [d.message for d in compilation.errors]
    return compilation


@functools.lru_cache(maxsize=None)
def scorer_for(source: str, path: str = "mini.rubric"):
    return load_scorer(compiled(source, path), path)


@functools.lru_cache(maxsize=1)
def shipped():
    compilation = compile_file(SHIPPED_RUBRIC)
    return compilation, load_scorer(compilation, SHIPPED_SOURCE)


def shipped_scorer():
    return shipped()[1]


def mini_scorer():
    return scorer_for(MINI)


def complete_findings(rubric, *, measure=None) -> dict:
    """Every item assessed and every requirement met; measures at the top of
    their range unless `measure` says; no choice reached; conditions met."""
    items = {}
    for shape in item_shapes(rubric):
        found: dict = {"status": "assessed"}
        if shape.listed:
            found["requirements"] = {
                a.key: ({p.key: True for p in a.requirement.parts} if a.requirement.parts else True)
                for a in shape.listed
            }
        if shape.item.measures:
            found["measures"] = {m.key: (m.high if measure is None else measure) for m in shape.item.measures}
            found["measures"] = {k: int(v) if v == int(v) else v for k, v in found["measures"].items()}
        if shape.item.choices:
            found["choice"] = None
        items[shape.path] = found
    return {
        "format": "rubricdsl-findings/1",
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organization": "某市网格化服务管理中心",
        "date": "2026-11-27",
        "evaluators": ["张三"],
        "remarks": "",
        "conditions": {c.key: True for c in rubric.conditions},
        "items": items,
    }


def fixture_findings() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def item_result(result: dict, path: str) -> dict:
    for section in result["sections"]:
        for item in section["items"]:
            if item["path"] == path:
                return item
    raise KeyError(path)


def changed(findings: dict, path: str, **values) -> dict:
    """A deep copy with items[path] updated."""
    copied = copy.deepcopy(findings)
    copied["items"][path].update(values)
    return copied


