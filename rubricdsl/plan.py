"""The scoring plan: every scoring decision of a checked rubric, made once.

The model says what the rubric is; the plan says how findings score by it:
the findings shape and the answer keys, every amount in integer units of
1/SCALE point, awards already capped at their item's points, the clause 8.2
policies, the detail texts a deduction prints, and the source line of each
rule.  Every target renders this one plan and re-derives nothing: the
generated Python scorer (backends/scorer.py), the form's JavaScript (which
evaluates `plan_json()` embedded in the page), the JSON Schema, the blank
template and the batch reader.

Units are plain ints here; `plan_json` writes them as decimal strings so
that JavaScript can hold them exactly as BigInt whatever their size.
"""

# Annotations are evaluated, not kept as text (no `from __future__ import
# annotations`): typing.NamedTuple compiles each text annotation, which in
# the four modules of a build's NamedTuples cost 2-4 ms of its start-up.

from decimal import Decimal
from typing import Iterator, NamedTuple

from . import model as m
from .export import content_hash
from .numbers import decimal_text
from .findings import FINDINGS_FORMAT, PANEL_FORMAT, RESULT_FORMAT, ItemShape, item_shapes

PLAN_FORMAT = "rubricdsl-plan/1"




# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


class Bound(NamedTuple):
    """An interval of a measured value, with its bounds as exact Decimals."""

    measure: str
    low: Decimal | None
    low_inclusive: bool
    high: Decimal | None
    high_inclusive: bool
    text: str  # "50 <= completion < 100"

    @classmethod
    def of(cls, interval: m.Interval) -> "Bound":
        return cls(
            interval.measure, interval.low, interval.low_inclusive, interval.high, interval.high_inclusive, interval.describe()
        )


class Choice(NamedTuple):
    """A level, band or part of a rule: what it deducts and what it prints."""

    key: str
    amount: int  # units; for a part, the per-missing amount
    detail: str  # "level unclear: 层次不清", "band from_30_to_50: 30 <= completion < 50", "missing decree: 标准体系发布令"
    line: int
    label: str = ""
    when: Bound | None = None  # bands only


class Rule(NamedTuple):
    """How one requirement deducts.

    kind: `met` (true/false), `levels` (true or a level key), `parts` (an
    object of parts, `amount` for each missing one), `threshold` (`amount`
    when the measured value lies in `when`) or `bands` (the amount of the
    band the value lies in).  The requirement is *unmet* for the zero rule
    when it deducts at all and, for parts, when every part is missing.
    """

    key: str  # its key under "requirements": "general" or "group.general"
    path: str
    kind: str
    text: str  # the printed 扣分标准 (the item's or group's for an inherited rule)
    line: int  # the line that sets the amount (deduct; for levels and bands each choice has its own)
    requirement_line: int
    requirement_text: str
    inherited: bool
    each: bool
    amount: int = 0
    amount_text: str = ""
    measure: str | None = None
    when: Bound | None = None
    choices: tuple[Choice, ...] = ()


class Answer(NamedTuple):
    """What the findings write under "requirements" for one requirement.

    kind: `met` (true or false), `levels` (true or a level key) or `parts`
    (an object of every part key -> true or false); `keys` are the level or
    part keys and `labels` their texts.
    """

    key: str
    kind: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    text: str  # the requirement's 评价要求


class GroupPlan(NamedTuple):
    key: str
    path: str
    heading: str | None
    points: int
    line: int
    rules: tuple[Rule, ...]


class Measure(NamedTuple):
    key: str
    label: str
    low: Decimal
    high: Decimal
    unit: str
    line: int


class Award(NamedTuple):
    """A tier or choice, its points capped at the item's."""

    key: str
    points: int
    text: str
    line: int
    when: Bound | None = None


class Otherwise(NamedTuple):
    points: int  # capped; 0 when the rubric gives no `otherwise`
    label: str | None
    line: int | None


class ItemPlan(NamedTuple):
    section: str
    number: str  # "1.2": section and item numbers
    path: str
    key: str
    title: str
    points: int
    points_text: str
    line: int
    kind: str  # requirements, groups, tiers or choices
    keys: tuple[str, ...]  # what an assessed item's object holds besides status (and groups)
    answers: tuple[Answer, ...]  # the requirements not decided by a measure
    requirement_keys: tuple[str, ...]  # every requirement, in file order: what "requirement_remarks" may name
    measures: tuple[Measure, ...]
    rules: tuple[Rule, ...]  # kind requirements
    groups: tuple[GroupPlan, ...]
    awards: tuple[Award, ...]  # tiers or choices
    otherwise: Otherwise | None  # award items


def compared_numbers(item: ItemPlan) -> set[Decimal]:
    """Every number the item compares a measured value with: the measures'
    ranges and the bounds of its thresholds, bands and tiers."""
    bounds = {bound for measure in item.measures for bound in (measure.low, measure.high)}
    rules = item.rules + tuple(rule for group in item.groups for rule in group.rules)
    intervals = [rule.when for rule in rules] + [c.when for rule in rules for c in rule.choices]
    intervals += [award.when for award in item.awards]
    for interval in intervals:
        if interval is not None:
            bounds.update(bound for bound in (interval.low, interval.high) if bound is not None)
    return bounds


class SectionPlan(NamedTuple):
    key: str
    title: str
    caption: str | None
    points: int
    points_text: str
    line: int
    items: tuple[ItemPlan, ...]


class Policy(NamedTuple):
    value: str
    clause: str | None


class ConditionPlan(NamedTuple):
    key: str
    text: str
    clause: str | None
    advisory: bool
    line: int


class GradePlan(NamedTuple):
    key: str
    label: str
    threshold: int
    line: int


class PanelPlan(NamedTuple):
    """Clause 5.2: the evaluators per panel (None when the rubric does not
    say), how their item scores combine and the spread in points above which
    an item is a disagreement that needs a reason."""

    low: int | None
    high: int | None
    method: str
    disagreement: Decimal


class ScoringPlan(NamedTuple):
    rubric_id: str
    version: str
    title: str
    standards: tuple[str, ...]
    content_hash: str
    places: int
    scale: int
    full_marks: int
    pass_mark: int
    panel: PanelPlan
    not_applicable: Policy  # "full" or "excluded"
    nothing_met: Policy  # "deductions" or "zero"
    grades: tuple[GradePlan, ...]
    conditions: tuple[ConditionPlan, ...]
    sections: tuple[SectionPlan, ...]

    @property
    def items(self) -> tuple[ItemPlan, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def text(self, units: int) -> str:
        """Units as the number every output prints."""
        return decimal_text(Decimal(units) / self.scale)


# ---------------------------------------------------------------------------
# Lowering the model
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
    def __init__(self, rubric: m.Rubric):
        # Equal values have the same places once normalized: each distinct
        # one is looked at once (a 300x rubric repeats its few amounts).
        self.places = max(map(_places, set(_all_points(rubric))), default=0)
        self.scale = 10**self.places

    def __call__(self, value: Decimal) -> int:
        units = value * self.scale
        assert units == units.to_integral_value(), value
        return int(units)


def _rule(shape_answer, units: _Units) -> Rule:
    requirement = shape_answer.requirement
    rule = requirement.rule
    common = dict(
        key=shape_answer.key,
        path=shape_answer.path,
        text=rule.text,
        line=rule.span.line,
        requirement_line=requirement.span.line,
        requirement_text=requirement.text,
        inherited=requirement.rule_inherited,
        each=isinstance(rule, m.EachMissingDeduction),
    )
    if isinstance(rule, m.FixedDeduction):
        if rule.threshold is not None:
            return Rule(
                kind="threshold",
                amount=units(rule.amount),
                amount_text=decimal_text(rule.amount),
                measure=rule.threshold.measure,
                when=Bound.of(rule.threshold),
                **common,
            )
        return Rule(kind="met", amount=units(rule.amount), amount_text=decimal_text(rule.amount), **common)
    if isinstance(rule, m.EachMissingDeduction):
        if requirement.parts:
            parts = tuple(
                Choice(part.key, units(rule.amount), f"missing {part.key}: {part.label}", part.span.line, part.label)
                for part in requirement.parts
            )
            return Rule(kind="parts", amount=units(rule.amount), amount_text=decimal_text(rule.amount), choices=parts, **common)
        return Rule(kind="met", amount=units(rule.amount), amount_text=decimal_text(rule.amount), **common)
    if isinstance(rule, m.LevelDeduction):
        levels = tuple(
            Choice(level.key, units(level.amount), f"level {level.key}: {level.label}", level.span.line, level.label)
            for level in rule.levels
        )
        return Rule(kind="levels", choices=levels, **common)
    assert isinstance(rule, m.BandDeduction)
    bands = tuple(
        Choice(
            band.key,
            units(band.amount),
            f"band {band.key}: {band.interval.describe()}",
            band.span.line,
            when=Bound.of(band.interval),
        )
        for band in rule.bands
    )
    return Rule(kind="bands", measure=rule.measure, choices=bands, **common)


def _item(shape: ItemShape, units: _Units) -> ItemPlan:
    item, section = shape.item, shape.section
    # By identity: requirements compare by value without their spans, so two
    # groups' requirements of the same key, text and rule are equal (and
    # hashing one by value would hash all of its text and rule).
    rules = {id(a.requirement): _rule(a, units) for a in shape.answers if a.requirement.rule is not None}
    answers = []
    for answer in shape.listed:
        requirement = answer.requirement
        if answer.kind == "parts":
            listed = [(p.key, p.label) for p in requirement.parts]
        elif answer.kind == "levels":
            listed = [(lv.key, lv.label) for lv in requirement.rule.levels]
        else:
            listed = []
        answers.append(
            Answer(answer.key, answer.kind, tuple(k for k, _ in listed), tuple(t for _, t in listed), requirement.text)
        )
    cap = units(item.points)
    awards: tuple[Award, ...] = ()
    if item.tiers:
        awards = tuple(
            Award(t.key, min(units(t.points), cap), t.text, t.span.line, Bound.of(t.interval)) for t in item.tiers
        )
    elif item.choices:
        awards = tuple(Award(c.key, min(units(c.points), cap), c.text, c.span.line) for c in item.choices)
    otherwise = None
    if item.is_award:
        given = item.otherwise
        otherwise = Otherwise(
            min(units(given.points), cap) if given else 0,
            given.label if given else None,
            given.span.line if given else None,
        )
    return ItemPlan(
        section=section.key,
        number=f"{section.number}.{item.number}",
        path=shape.path,
        key=item.key,
        title=item.title,
        points=cap,
        points_text=decimal_text(item.points),
        line=item.span.line,
        kind=item.kind,
        keys=shape.keys,
        answers=tuple(answers),
        requirement_keys=tuple(answer.key for answer in shape.answers),
        measures=tuple(
            Measure(ms.key, ms.label, ms.low, ms.high, ms.unit, ms.span.line) for ms in item.measures
        ),
        rules=tuple(rules[id(r)] for r in item.requirements if id(r) in rules),
        groups=tuple(
            GroupPlan(
                g.key,
                f"{shape.path}.{g.key}",
                g.heading,
                units(g.points),
                g.span.line,
                tuple(rules[id(r)] for r in g.requirements if id(r) in rules),
            )
            for g in item.groups
        ),
        awards=awards,
        otherwise=otherwise,
    )


def _policy(rubric: m.Rubric, name: str) -> Policy:
    return Policy(rubric.policy(name), rubric.policy_clause(name))


def lower(rubric: m.Rubric, exported: dict | None = None) -> ScoringPlan:
    """The scoring plan of a checked rubric; `exported`, the rubric's
    export.to_json when the caller has it already (its hash is taken)."""
    units = _Units(rubric)
    shapes = item_shapes(rubric)
    by_section: dict[str, list[ItemPlan]] = {}
    for shape in shapes:
        by_section.setdefault(shape.section.key, []).append(_item(shape, units))
    return ScoringPlan(
        rubric_id=rubric.id,
        version=rubric.version,
        title=rubric.title,
        standards=rubric.standards,
        content_hash=content_hash(rubric, exported),
        places=units.places,
        scale=units.scale,
        full_marks=units(rubric.full_marks),
        pass_mark=units(rubric.pass_mark),
        panel=_panel(rubric.panel),
        not_applicable=_policy(rubric, "not_applicable"),
        nothing_met=_policy(rubric, "nothing_met"),
        grades=tuple(GradePlan(g.key, g.label, units(g.threshold), g.span.line) for g in rubric.grades),
        conditions=tuple(ConditionPlan(c.key, c.text, c.clause, c.advisory, c.span.line) for c in rubric.conditions),
        sections=tuple(
            SectionPlan(
                s.key, s.title, s.caption, units(s.points), decimal_text(s.points), s.span.line, tuple(by_section.get(s.key, ()))
            )
            for s in rubric.sections
        ),
    )


# ---------------------------------------------------------------------------
# The plan as JSON, for the form
# ---------------------------------------------------------------------------


def _bound_json(bound: Bound | None):
    if bound is None:
        return None
    return {
        "measure": bound.measure,
        "low": None if bound.low is None else decimal_text(bound.low),
        "low_inclusive": bound.low_inclusive,
        "high": None if bound.high is None else decimal_text(bound.high),
        "high_inclusive": bound.high_inclusive,
        "text": bound.text,
    }


def _rule_json(rule: Rule) -> dict:
    return {
        "key": rule.key,
        "path": rule.path,
        "kind": rule.kind,
        "text": rule.text,
        "line": rule.line,
        "amount": str(rule.amount),
        "measure": rule.measure,
        "when": _bound_json(rule.when),
        "choices": [
            {"key": c.key, "amount": str(c.amount), "detail": c.detail, "label": c.label, "line": c.line, "when": _bound_json(c.when)}
            for c in rule.choices
        ],
    }


def _item_json(item: ItemPlan) -> dict:
    return {
        "path": item.path,
        "number": item.number,
        "title": item.title,
        "points": str(item.points),
        "kind": item.kind,
        "line": item.line,
        "keys": list(item.keys),
        "answers": [{"key": a.key, "kind": a.kind, "keys": list(a.keys)} for a in item.answers],
        "measures": [
            {"key": ms.key, "label": ms.label, "low": decimal_text(ms.low), "high": decimal_text(ms.high), "unit": ms.unit}
            for ms in item.measures
        ],
        "rules": [_rule_json(rule) for rule in item.rules],
        "groups": [
            {
                "key": g.key,
                "path": g.path,
                "heading": g.heading,
                "points": str(g.points),
                "line": g.line,
                "rules": [_rule_json(rule) for rule in g.rules],
            }
            for g in item.groups
        ],
        "awards": [
            {"key": a.key, "points": str(a.points), "text": a.text, "line": a.line, "when": _bound_json(a.when)}
            for a in item.awards
        ],
        "otherwise": None
        if item.otherwise is None
        else {"points": str(item.otherwise.points), "label": item.otherwise.label, "line": item.otherwise.line},
    }


def _panel(panel: m.Panel | None) -> PanelPlan:
    if panel is None:
        return PanelPlan(None, None, m.DEFAULT_PANEL_METHOD, m.DEFAULT_DISAGREEMENT)
    return PanelPlan(panel.low, panel.high, panel.method, panel.disagreement)


def plan_json(plan: ScoringPlan, source_sha256: str) -> dict:
    """The plan as plain JSON: units as decimal strings (exact as BigInt),
    bounds and measure ranges as exact decimal strings."""
    return {**plan_json_head(plan, source_sha256), "sections": list(sections_json(plan))}


def sections_json(plan: ScoringPlan) -> Iterator[dict]:
    """plan_json's sections, one at a time (a 300x plan's JSON, made whole,
    took 120 MB to write 15 MB)."""
    for s in plan.sections:
        yield {"key": s.key, "title": s.title, "points": str(s.points), "items": [_item_json(item) for item in s.items]}


def plan_json_head(plan: ScoringPlan, source_sha256: str) -> dict:
    """plan_json but its sections, its last key."""
    return {
        "format": PLAN_FORMAT,
        "findings_format": FINDINGS_FORMAT,
        "result_format": RESULT_FORMAT,
        "panel_format": PANEL_FORMAT,
        "rubric": {
            "id": plan.rubric_id,
            "version": plan.version,
            "title": plan.title,
            "content_hash": plan.content_hash,
            "source_sha256": source_sha256,
        },
        "places": plan.places,
        "scale": str(plan.scale),
        "full_marks": str(plan.full_marks),
        "pass_mark": str(plan.pass_mark),
        "panel": {
            "min": plan.panel.low,
            "max": plan.panel.high,
            "method": plan.panel.method,
            "disagreement": decimal_text(plan.panel.disagreement),
        },
        "policies": {
            "not_applicable": {"value": plan.not_applicable.value, "clause": plan.not_applicable.clause},
            "nothing_met": {"value": plan.nothing_met.value, "clause": plan.nothing_met.clause},
        },
        "grades": [{"key": g.key, "label": g.label, "threshold": str(g.threshold)} for g in plan.grades],
        "conditions": [
            {"key": c.key, "text": c.text, "clause": c.clause, "advisory": c.advisory} for c in plan.conditions
        ],
    }
