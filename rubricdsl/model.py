"""The typed model of a rubric: frozen dataclasses, built by parser.py.

Points are `Decimal` so that 0.5-point deductions add up exactly.  Every node
carries the `Span` it came from; spans are excluded from equality, so two
rubrics that differ only in layout compare equal.

Derived facts (item numbers, a requirement's effective rule, the largest
deduction a rule can make) are properties here, so every backend reads the
same answer.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from typing import Union

from .diagnostics import Span
from .numbering import section_numeral
from .records import record

NO_SPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


@record(frozen=True)
class Note:
    """A note attached to a node, printed on the sheets."""

    text: str
    span: Span = _span()


@record(frozen=True)
class Erratum:
    """An editorial correction: `field` was printed as `printed`; the node's
    own value is the one used."""

    field: str
    printed: Union[Decimal, str]
    reason: str
    span: Span = _span()


@record(frozen=True)
class Interval:
    """The values of `measure` between `low` and `high` (None: unbounded)."""

    measure: str
    low: Decimal | None
    low_inclusive: bool
    high: Decimal | None
    high_inclusive: bool
    span: Span = _span()

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)):
            return False
        return True

    def describe(self) -> str:
        """`50 <= completion < 100`, as an editor would write it."""
        parts = []
        if self.low is not None:
            parts.append(f"{self.low} {'<=' if self.low_inclusive else '<'} ")
        parts.append(self.measure)
        if self.high is not None:
            parts.append(f" {'<=' if self.high_inclusive else '<'} {self.high}")
        return "".join(parts)


@record(frozen=True)
class Measure:
    """A measured quantity of an item (a percentage by default)."""

    key: str
    label: str
    low: Decimal
    high: Decimal
    unit: str
    span: Span = _span()


# ---- deduction rules ------------------------------------------------------


@record(frozen=True)
class FixedDeduction:
    """`amount` when the requirement is unmet; with `threshold`, unmet means
    the measured value falls inside it (A.6 item 1: participation < 80)."""

    amount: Decimal
    text: str
    threshold: Interval | None = None
    span: Span = _span()


@record(frozen=True)
class Level:
    """One alternative failure level of a requirement."""

    key: str
    amount: Decimal
    label: str
    span: Span = _span()


@record(frozen=True)
class LevelDeduction:
    """Alternative failure levels; exactly one applies when unmet."""

    text: str
    levels: tuple[Level, ...]
    span: Span = _span()


@record(frozen=True)
class Band:
    """One band of a measured value and the deduction it makes."""

    key: str
    amount: Decimal
    interval: Interval
    span: Span = _span()


@record(frozen=True)
class BandDeduction:
    """Deductions by the band a measured value falls in; outside every band
    the requirement is met."""

    text: str
    bands: tuple[Band, ...]
    span: Span = _span()

    @property
    def measure(self) -> str:
        return self.bands[0].interval.measure


@record(frozen=True)
class EachMissingDeduction:
    """`amount` for every missing entry: the requirements of an item or group,
    or the parts of one requirement."""

    amount: Decimal
    text: str
    span: Span = _span()


Rule = Union[FixedDeduction, LevelDeduction, BandDeduction, EachMissingDeduction]


@record(frozen=True)
class Part:
    """One listed entry of a requirement, counted by a per-missing rule."""

    key: str
    label: str
    span: Span = _span()


@record(frozen=True)
class Requirement:
    """A requirement (评价要求) and the rule that scores it."""

    key: str
    text: str
    # The rule that scores this requirement: its own, or the per-missing rule
    # of its group or item (then `rule_inherited`).
    rule: Rule | None
    rule_inherited: bool
    parts: tuple[Part, ...] = ()
    notes: tuple[Note, ...] = ()
    errata: tuple[Erratum, ...] = ()
    span: Span = _span()

    @property
    def max_deduction(self) -> Decimal:
        rule = self.rule
        if rule is None:
            return Decimal(0)
        if isinstance(rule, FixedDeduction):
            return rule.amount
        if isinstance(rule, LevelDeduction):
            return max((level.amount for level in rule.levels), default=Decimal(0))
        if isinstance(rule, BandDeduction):
            return max((band.amount for band in rule.bands), default=Decimal(0))
        return rule.amount * max(1, len(self.parts))

    @property
    def measure(self) -> str | None:
        """The measure this requirement is scored by, if any."""
        rule = self.rule
        if isinstance(rule, FixedDeduction) and rule.threshold is not None:
            return rule.threshold.measure
        if isinstance(rule, BandDeduction) and rule.bands:
            return rule.measure
        return None


@record(frozen=True)
class Group:
    """A sub-group of an item with its own points and cap (A.4 item 6)."""

    key: str
    heading: str | None
    points: Decimal
    each: EachMissingDeduction | None
    requirements: tuple[Requirement, ...]
    notes: tuple[Note, ...] = ()
    errata: tuple[Erratum, ...] = ()
    span: Span = _span()
    points_span: Span = _span()

    @property
    def max_deduction(self) -> Decimal:
        return sum((r.max_deduction for r in self.requirements), Decimal(0))


@record(frozen=True)
class Tier:
    """An award tier: points for a measured value inside its interval."""

    key: str
    points: Decimal
    text: str
    interval: Interval
    span: Span = _span()


@record(frozen=True)
class Choice:
    """An award choice: points for the option the panel picks."""

    key: str
    points: Decimal
    text: str
    span: Span = _span()


@record(frozen=True)
class Otherwise:
    """The points of an award item that reaches no tier or choice."""

    points: Decimal
    label: str | None
    span: Span = _span()


@record(frozen=True)
class Item:
    """A scored item (评价内容): its points are also its deduction cap (8.3)."""

    key: str
    number: int
    title: str
    points: Decimal
    measures: tuple[Measure, ...]
    each: EachMissingDeduction | None
    requirements: tuple[Requirement, ...]
    groups: tuple[Group, ...]
    tiers: tuple[Tier, ...]
    choices: tuple[Choice, ...]
    otherwise: Otherwise | None
    notes: tuple[Note, ...] = ()
    errata: tuple[Erratum, ...] = ()
    span: Span = _span()
    points_span: Span = _span()

    @property
    def kind(self) -> str:
        """`requirements`, `groups`, `tiers` or `choices`."""
        if self.groups:
            return "groups"
        if self.tiers:
            return "tiers"
        if self.choices:
            return "choices"
        return "requirements"

    @property
    def is_award(self) -> bool:
        return self.kind in ("tiers", "choices")

    @property
    def max_deduction(self) -> Decimal:
        if self.groups:
            return sum((min(g.points, g.max_deduction) for g in self.groups), Decimal(0))
        return sum((r.max_deduction for r in self.requirements), Decimal(0))

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """Every interval a measured value is tested against: thresholds,
        bands (each rule once, where it is written) and tiers."""
        found: list[Interval] = []
        for requirement, _ in requirements_with_paths(self, ""):
            rule = requirement.rule
            if isinstance(rule, FixedDeduction) and rule.threshold is not None:
                found.append(rule.threshold)
            if isinstance(rule, BandDeduction) and not requirement.rule_inherited:
                found += (band.interval for band in rule.bands)
        found += (tier.interval for tier in self.tiers)
        return tuple(found)


@record(frozen=True)
class Section:
    """A table of the rubric (表A.n), with its declared points."""

    key: str
    number: int
    title: str
    points: Decimal
    caption: str | None
    items: tuple[Item, ...]
    notes: tuple[Note, ...] = ()
    errata: tuple[Erratum, ...] = ()
    span: Span = _span()
    points_span: Span = _span()


@record(frozen=True)
class Condition:
    """An eligibility condition (clause 6); advisory ones warn, not gate."""

    key: str
    text: str
    clause: str | None
    advisory: bool
    notes: tuple[Note, ...] = ()
    span: Span = _span()


@record(frozen=True)
class Grade:
    """A grade level (9.4): reached from `threshold` points up."""

    key: str
    label: str
    threshold: Decimal
    span: Span = _span()


# Clause 8.2's cases and how a rubric may score them: name -> allowed values,
# the first being the default when the rubric declares nothing.
#   not_applicable: `full`, an item ruled not applicable gets its full points
#     (8.2 of T/CSSG 001.5); `excluded`, it leaves the maximum and the total is
#     rescaled (实得分/应得分 tables, XCCDF's flat model).
#   nothing_met: `deductions`, an applicable item or group with nothing met is
#     scored by its deductions alone, capped at 0; `zero`, it scores 0.
POLICIES: dict[str, tuple[str, ...]] = {
    "not_applicable": ("full", "excluded"),
    "nothing_met": ("deductions", "zero"),
}


@record(frozen=True)
class Policy:
    """`policy NAME VALUE clause "..."`: how one case of clause 8.2 scores."""

    name: str
    value: str
    clause: str | None
    span: Span = _span()
    name_span: Span = _span()
    value_span: Span = _span()


# Clause 5.2 / 7.6: how a panel's item scores make its consensus, and the
# spread (in points) above which the panel must give a reason for the score
# it agrees.  A rubric that says nothing means these defaults.
PANEL_METHODS = ("median", "mean", "trimmed-mean")
DEFAULT_PANEL_METHOD = "median"
DEFAULT_DISAGREEMENT = Decimal(2)


@record(frozen=True)
class Panel:
    """`panel 5 to 7 combine median disagreement 2`: the evaluators per
    panel, the combining method and the disagreement threshold in points."""

    low: int
    high: int
    method: str = DEFAULT_PANEL_METHOD
    disagreement: Decimal = DEFAULT_DISAGREEMENT
    span: Span = _span()
    method_span: Span = _span()


@record(frozen=True)
class Rubric:
    """A whole rubric: header, conditions and sections."""

    id: str
    title: str
    standards: tuple[str, ...]
    version: str
    status: str | None
    full_marks: Decimal
    pass_mark: Decimal
    panel: Panel | None
    grades: tuple[Grade, ...]
    conditions: tuple[Condition, ...]
    sections: tuple[Section, ...]
    language: str = "zh"
    policies: tuple[Policy, ...] = ()
    notes: tuple[Note, ...] = ()
    errata: tuple[Erratum, ...] = ()
    span: Span = _span()
    full_marks_span: Span = _span()
    pass_mark_span: Span = _span()

    def policy(self, name: str) -> str:
        """The declared value of policy `name`, or its default (POLICIES)."""
        declared = self._declared_policy(name)
        return declared.value if declared is not None else POLICIES[name][0]

    def policy_clause(self, name: str) -> str | None:
        """The clause a declared policy cites; None when undeclared or uncited."""
        declared = self._declared_policy(name)
        return declared.clause if declared is not None else None

    def _declared_policy(self, name: str) -> Policy | None:
        if name not in POLICIES:
            raise KeyError(f"no policy '{name}'; the policies are {', '.join(POLICIES)}")
        return next((p for p in self.policies if p.name == name), None)

    def errata_records(self) -> list["ErratumRecord"]:
        """Every erratum with the path of the node it corrects and the value used."""
        records: list[ErratumRecord] = []

        def add(path: str, errata, used: dict) -> None:
            records.extend(ErratumRecord(path, e, used.get(e.field)) for e in errata)

        # The values a node's errata may name are gathered only for a node
        # with errata: few have any, and checks, the export and the sheet
        # each ask (at 300x, 130,000 nodes).
        if self.errata:
            add("", self.errata, {"full": self.full_marks, "pass": self.pass_mark, "title": self.title})
        for section in self.sections:
            if section.errata:
                used = {
                    "points": section.points,
                    "title": section.title,
                    "caption": section.caption,
                    "numeral": section_numeral(section.number, self.language),
                }
                add(section.key, section.errata, used)
            for item in section.items:
                item_path = f"{section.key}.{item.key}"
                if item.errata:
                    add(item_path, item.errata, {"points": item.points, "title": item.title})
                for group in item.groups:
                    if group.errata:
                        add(f"{item_path}.{group.key}", group.errata, {"points": group.points, "heading": group.heading})
                for requirement, path in requirements_with_paths(item, item_path):
                    if requirement.errata:
                        rule = requirement.rule
                        amount = rule.amount if isinstance(rule, (FixedDeduction, EachMissingDeduction)) else None
                        add(path, requirement.errata, {"text": requirement.text, "deduct": amount})
        return records


@record(frozen=True)
class ErratumRecord:
    """An erratum with the path of its node and the value used."""

    path: str
    erratum: Erratum
    used: Union[Decimal, str, None]


def requirements_with_paths(item: Item, item_path: str):
    """(requirement, dotted path) for every requirement of an item, in order."""
    for requirement in item.requirements:
        yield requirement, f"{item_path}.{requirement.key}"
    for group in item.groups:
        for requirement in group.requirements:
            yield requirement, f"{item_path}.{group.key}.{requirement.key}"

