"""generated/<id>/scorer.py: the rubric's scorer, standard library only.

The one Python implementation of the scoring semantics of docs/findings.md:
`rubricdsl score` renders this same module in memory and runs it.  This
backend turns the model into plain values for scorer.py.j2 (points in integer
units, intervals as Python comparisons, every text as a Python literal); the
template lays them out as one function per item, each rule a few lines with
the line of the .rubric it came from.
"""

from __future__ import annotations

import builtins
import keyword
from decimal import Decimal

from .. import model as m
from ..findings import FINDINGS_FORMAT, PANEL_FORMAT, RESULT_FORMAT, ItemShape, item_shapes
from . import BuildContext
from .templating import render as render_template

# Local names of the generated item functions; a measure named like one of
# them gets a suffix.
_RESERVED = {
    "found", "answers", "measures", "parts", "missing", "met", "present", "lost",
    "group_lost", "amount", "score", "capped", "deductions", "choice", "value",
    "Decimal",  # fractional bounds are written Decimal('0.5')
}


def render(context: BuildContext) -> str:
    return render_template("scorer.py.j2", **view(context))


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _all_points(rubric: m.Rubric):
    """Every point value the arithmetic meets, to choose the unit."""
    yield rubric.full_marks
    yield rubric.pass_mark
    yield from (grade.threshold for grade in rubric.grades)
    for section in rubric.sections:
        yield section.points
        for item in section.items:
            yield item.points
            yield from (group.points for group in item.groups)
            yield from (tier.points for tier in item.tiers)
            yield from (choice.points for choice in item.choices)
            if item.otherwise is not None:
                yield item.otherwise.points
            for requirement, _ in m.requirements_with_paths(item, ""):
                rule = requirement.rule
                if isinstance(rule, (m.FixedDeduction, m.EachMissingDeduction)):
                    yield rule.amount
                elif isinstance(rule, m.LevelDeduction):
                    yield from (level.amount for level in rule.levels)
                elif isinstance(rule, m.BandDeduction):
                    yield from (band.amount for band in rule.bands)


class _Units:
    """Points as integers of 1/scale point, so that the generated arithmetic
    is exact integer arithmetic (scale 1 when every value is whole)."""

    def __init__(self, rubric: m.Rubric):
        self.places = max((_places(value) for value in _all_points(rubric)), default=0)
        self.scale = 10**self.places

    def __call__(self, value: Decimal) -> int:
        units = value * self.scale
        assert units == units.to_integral_value()
        return int(units)


def literal(value: Decimal) -> str:
    """A number as a Python literal: 5 for whole values, Decimal('0.5') else
    (never a float, which could not hold 0.1 exactly)."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"Decimal({str(value.normalize())!r})"


def shown(value: Decimal) -> str:
    """A number as printed in texts: 5, 0.5."""
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def comment(text: str) -> str:
    """Text that stays on one comment line whatever it holds (newlines and
    other control characters are escaped as repr escapes them)."""
    return repr(text)[1:-1]


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


def _variable(key: str) -> str:
    if keyword.iskeyword(key) or keyword.issoftkeyword(key) or key in _RESERVED or hasattr(builtins, key) or key.startswith("_"):
        return f"{key}_measured"
    return key


def _condition(interval: m.Interval, variable: str) -> str:
    """The interval as a Python comparison of `variable`."""
    if interval.low is not None and interval.high is not None:
        return (
            f"{literal(interval.low)} {'<=' if interval.low_inclusive else '<'} {variable} "
            f"{'<=' if interval.high_inclusive else '<'} {literal(interval.high)}"
        )
    if interval.low is not None:
        return f"{variable} {'>=' if interval.low_inclusive else '>'} {literal(interval.low)}"
    if interval.high is not None:
        return f"{variable} {'<=' if interval.high_inclusive else '<'} {literal(interval.high)}"
    return "True"


def _rule_view(answer, units: _Units, variables: dict[str, str]) -> dict:
    requirement = answer.requirement
    rule = requirement.rule
    view = {
        "key": answer.key,
        "path": answer.path,
        "kind": answer.kind,
        "text": rule.text,
        "line": requirement.span.line,
        "rule_line": rule.span.line,
        "requirement_text": requirement.text,
        "inherited": requirement.rule_inherited,
        "each": isinstance(rule, m.EachMissingDeduction),
    }
    if isinstance(rule, m.FixedDeduction):
        view["amount"] = units(rule.amount)
        view["amount_shown"] = shown(rule.amount)
        if rule.threshold is not None:
            view["kind"] = "threshold"
            view["variable"] = variables[rule.threshold.measure]
            view["condition"] = _condition(rule.threshold, view["variable"])
            view["describe"] = rule.threshold.describe()
            view["measure"] = rule.threshold.measure
    elif isinstance(rule, m.EachMissingDeduction):
        view["amount"] = units(rule.amount)
        view["amount_shown"] = shown(rule.amount)
        view["parts"] = [{"key": p.key, "label": p.label, "line": p.span.line} for p in requirement.parts]
    elif isinstance(rule, m.LevelDeduction):
        view["levels"] = [
            {"key": lv.key, "amount": units(lv.amount), "amount_shown": shown(lv.amount), "label": lv.label, "line": lv.span.line}
            for lv in rule.levels
        ]
    elif isinstance(rule, m.BandDeduction):
        view["kind"] = "bands"
        view["measure"] = rule.measure
        view["variable"] = variables[rule.measure]
        view["bands"] = [
            {
                "key": band.key,
                "amount": units(band.amount),
                "amount_shown": shown(band.amount),
                "condition": _condition(band.interval, view["variable"]),
                "describe": band.interval.describe(),
                "line": band.span.line,
            }
            for band in rule.bands
        ]
    return view


def _item_view(shape: ItemShape, units: _Units) -> dict:
    item = shape.item
    section = shape.section
    variables = {measure.key: _variable(measure.key) for measure in item.measures}
    view = {
        "path": shape.path,
        "function": f"item_{section.number}_{item.number}_{section.key}_{item.key}",
        "key": item.key,
        "number": item.number,
        "title": item.title,
        "points": units(item.points),
        "points_literal": literal(item.points),
        "points_shown": shown(item.points),
        "line": item.span.line,
        "kind": item.kind,
        "keys": list(shape.keys),
        "listed": [a.key for a in shape.listed],
        "measures": [
            {
                "key": ms.key,
                "variable": variables[ms.key],
                "label": ms.label,
                "low": literal(ms.low),
                "high": literal(ms.high),
                "low_shown": shown(ms.low),
                "high_shown": shown(ms.high),
                "unit": ms.unit,
                "line": ms.span.line,
            }
            for ms in item.measures
        ],
        "shape": _shape_literal(shape),
    }
    rules = {a.requirement: _rule_view(a, units, variables) for a in shape.answers if a.requirement.rule is not None}
    if item.groups:
        view["groups"] = [
            {
                "key": group.key,
                "heading": group.heading,
                "points": units(group.points),
                "points_shown": shown(group.points),
                "line": group.span.line,
                "rules": [rules[r] for r in group.requirements if r in rules],
            }
            for group in item.groups
        ]
    else:
        view["rules"] = [rules[r] for r in item.requirements if r in rules]
    if item.tiers:
        variable = variables.get(item.tiers[0].interval.measure, item.tiers[0].interval.measure)
        view["tiers"] = [
            {
                "key": tier.key,
                "points": units(min(tier.points, item.points)),
                "text": tier.text,
                "condition": _condition(tier.interval, variable),
                "describe": tier.interval.describe(),
                "variable": variable,
                "line": tier.span.line,
            }
            for tier in item.tiers
        ]
    if item.choices:
        view["choices"] = [
            {"key": c.key, "points": units(min(c.points, item.points)), "text": c.text, "line": c.span.line}
            for c in item.choices
        ]
    if item.is_award:
        otherwise = item.otherwise
        view["otherwise"] = {
            "points": units(min(otherwise.points, item.points)) if otherwise else 0,
            "line": otherwise.span.line if otherwise else None,
            "label": otherwise.label if otherwise else None,
        }
    return view


def _shape_literal(shape: ItemShape) -> dict:
    """What validate() checks an assessed item against (see SHAPES)."""
    item = shape.item
    result: dict = {}
    if shape.listed:
        answers = {}
        for answer in shape.listed:
            if answer.kind == "parts":
                answers[answer.key] = ("parts", tuple(p.key for p in answer.requirement.parts))
            elif answer.kind == "levels":
                answers[answer.key] = ("levels", tuple(lv.key for lv in answer.requirement.rule.levels))
            else:
                answers[answer.key] = ("met",)
        result["requirements"] = answers
    if item.measures:
        result["measures"] = {ms.key: (ms.low, ms.high) for ms in item.measures}
    if item.choices:
        result["choice"] = tuple(c.key for c in item.choices)
    return result


def _python(value) -> str:
    """A Python literal for plain data holding Decimals (as whole ints or
    Decimal('...'))."""
    if isinstance(value, Decimal):
        return literal(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_python(k)}: {_python(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_python(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def view(context: BuildContext) -> dict:
    rubric = context.rubric
    units = _Units(rubric)
    shapes = item_shapes(rubric)
    items = [_item_view(shape, units) for shape in shapes]
    for item in items:
        item["shape_literal"] = _python(item.pop("shape"))
    by_section: dict[str, list] = {}
    for shape, item in zip(shapes, items):
        by_section.setdefault(shape.section.key, []).append(item)
    return {
        "source_path": context.source_path,
        "source_path_comment": comment(context.source_path),
        "sha256": context.sha256,
        "rubric": rubric,
        "places": units.places,
        "scale": units.scale,
        "full_marks": units(rubric.full_marks),
        "full_marks_literal": literal(rubric.full_marks),
        "pass_mark": units(rubric.pass_mark),
        "pass_mark_literal": literal(rubric.pass_mark),
        "findings_format": FINDINGS_FORMAT,
        "result_format": RESULT_FORMAT,
        "panel_format": PANEL_FORMAT,
        "grades": [
            {"key": g.key, "label": g.label, "threshold": units(g.threshold), "line": g.span.line}
            for g in rubric.grades
        ],
        "conditions": [
            {"key": c.key, "text": c.text, "advisory": c.advisory, "clause": c.clause, "line": c.span.line}
            for c in rubric.conditions
        ],
        "sections": [
            {
                "key": s.key,
                "index": index,
                "number": s.number,
                "title": s.title,
                "caption": s.caption,
                "points_literal": literal(s.points),
                "line": s.span.line,
                "items": by_section.get(s.key, []),
            }
            for index, s in enumerate(rubric.sections)
        ],
        "items": items,
        "comment": comment,
    }
