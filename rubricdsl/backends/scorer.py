"""generated/<id>/scorer.py: the rubric's scorer, standard library only.

The one Python implementation of the scoring semantics of docs/findings.md:
`rubricdsl score` runs this same module in memory (rubricdsl/scoring.py).  The
scoring plan (rubricdsl/plan.py) holds every decision; this backend only
says how to write it as Python (intervals as comparisons, numbers as
literals, measures as local names that no key can shadow), and
scorer.py.j2 lays it out as one function per item, each rule a few lines
with the line of the .rubric it came from, followed by the static part,
rubricdsl/scorer_runtime.py, inlined verbatim.
"""

# Annotations are evaluated, not kept as text (no `from __future__ import
# annotations`): typing.NamedTuple compiles each text annotation, which in
# the four modules of a build's NamedTuples cost 2-4 ms of its start-up.

import importlib.util
import types
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .. import plan as p
from ..findings import FINDINGS_FORMAT, PANEL_FORMAT, RESULT_FORMAT
from . import BuildContext

# The marker line before the runtime in a generated scorer: what follows
# it is rubricdsl/scorer_runtime.py without its placeholder block.
RUNTIME_MARKER = "# ---- rubricdsl/scorer_runtime.py, inlined verbatim ----"
_PLACEHOLDERS_START = "# -- the rubric's part defines these"
_PLACEHOLDERS_END = "# -- end of the rubric's part --"


def runtime_path() -> Path:
    return Path(__file__).resolve().parent.parent / "scorer_runtime.py"


@lru_cache(maxsize=1)
def runtime_text() -> str:
    """What a generated scorer inlines: scorer_runtime.py without its
    placeholder block."""
    source = runtime_path().read_text(encoding="utf-8")
    start = source.index(_PLACEHOLDERS_START)
    end = source.index(_PLACEHOLDERS_END) + len(_PLACEHOLDERS_END)
    return source[:start] + "# The rubric's part above defines its constants and tables." + source[end:]


@lru_cache(maxsize=1)
def runtime_code() -> types.CodeType:
    """scorer_runtime.py's module code as the import system loads it: from
    the .pyc of the user's install when it is current, else compiled from the
    file.  Run after a rubric's part, it is the inlined text's code: its
    placeholder block assigns only names that part has not defined, and the
    part defines them all."""
    spec = importlib.util.find_spec("..scorer_runtime", __package__)
    assert spec is not None and spec.loader is not None
    return spec.loader.get_code(spec.name)


TEMPLATE = "scorer.py.j2"


def render(context: BuildContext) -> str:
    from .templating import render as render_template  # Jinja only when a scorer is rendered

    return render_template(TEMPLATE, **view(context))


def literal(value: Decimal) -> str:
    """A number as a Python literal: 5 for whole values, Decimal('0.5') else
    (never a float, which could not hold 0.1 exactly)."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"Decimal({p.decimal_text(value)!r})"


def comment(text: str) -> str:
    """Text that stays on one comment line whatever it holds (newlines and
    other control characters are escaped as repr escapes them)."""
    return repr(text)[1:-1]


def variable(measure: str) -> str:
    """The local name of a measured value: no local, global or builtin of
    the scorer starts with `measured_`, and keys are distinct."""
    return f"measured_{measure}"


def condition_code(bound: p.Bound) -> str:
    """The interval as a Python comparison of its measure's local name."""
    name = variable(bound.measure)
    if bound.low is not None and bound.high is not None:
        return (
            f"{literal(bound.low)} {'<=' if bound.low_inclusive else '<'} {name} "
            f"{'<=' if bound.high_inclusive else '<'} {literal(bound.high)}"
        )
    if bound.low is not None:
        return f"{name} {'>=' if bound.low_inclusive else '>'} {literal(bound.low)}"
    if bound.high is not None:
        return f"{name} {'<=' if bound.high_inclusive else '<'} {literal(bound.high)}"
    return "True"


class ChoiceValues(NamedTuple):
    """A level, part or band as scorer.py.j2's rule_code writes it (each
    text a Python literal or a comment).  The template unpacks these by
    position, in this order (a test holds the two alike)."""

    choice_repr: str
    choice: str
    choice_line: int
    shown: str
    choice_amount: int
    detail: str
    choice_condition: str


class RuleValues(NamedTuple):
    """A rule as rule_code writes it, unpacked there by position in this
    order: a 300x scorer has 48,600 rules, and the template's calls for each
    of their values were most of its render."""

    kind: str
    requirement_line: int
    key: str
    requirement: str
    line: int
    key_repr: str
    path: str
    text: str
    amount: int
    amount_text: str
    each: bool
    inherited: bool
    choices: tuple[ChoiceValues, ...]
    measure: str
    measure_repr: str
    variable: str
    when_repr: str
    when: str
    condition: str


def rule_values(rule: p.Rule, view_number) -> RuleValues:
    """What scorer.py.j2's rule_code lays a rule out with."""
    measure = rule.measure or ""
    when = rule.when
    choices = tuple(
        ChoiceValues(
            repr(choice.key),
            choice.key,
            choice.line,
            view_number(choice.amount),
            choice.amount,
            repr(choice.detail),
            condition_code(choice.when) if choice.when is not None else "",
        )
        for choice in rule.choices
    )
    return RuleValues(
        rule.kind,
        rule.requirement_line,
        rule.key,
        comment(rule.requirement_text),
        rule.line,
        repr(rule.key),
        repr(rule.path),
        repr(rule.text),
        rule.amount,
        rule.amount_text,
        rule.each,
        rule.inherited,
        choices,
        measure,
        repr(measure),
        variable(measure),
        repr(when.text) if when is not None else "",
        comment(when.text) if when is not None else "",
        condition_code(when) if when is not None else "",
    )


def _python(value) -> str:
    """A Python literal for plain data holding Decimals."""
    if isinstance(value, Decimal):
        return literal(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_python(k)}: {_python(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_python(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _shape(item: p.ItemPlan) -> str:
    """What validate() checks an assessed item against (see SHAPES)."""
    shape: dict = {}
    if item.answers:
        shape["requirements"] = {a.key: (a.kind, a.keys) if a.keys else (a.kind,) for a in item.answers}
    if item.measures:
        shape["measures"] = {ms.key: (ms.low, ms.high) for ms in item.measures}
    if item.kind == "choices":
        shape["choice"] = tuple(award.key for award in item.awards)
    if item.groups:
        shape["groups"] = tuple(group.key for group in item.groups)
    return _python(shape)


def view(context: BuildContext) -> dict:
    plan = context.plan
    inlined = runtime_text()

    def points_literal(units: int) -> str:
        return literal(Decimal(units) / plan.scale)

    return {
        "plan": plan,
        "src": comment(context.source_path),
        "source_path": context.source_path,
        "sha256": context.sha256,
        "findings_format": FINDINGS_FORMAT,
        "result_format": RESULT_FORMAT,
        "panel_format": PANEL_FORMAT,
        "zero_rule": plan.nothing_met.value == "zero",
        "nothing_met_clause": plan.nothing_met.clause or "the rubric's policy",
        "excluded": plan.not_applicable.value == "excluded",
        "runtime": RUNTIME_MARKER + "\n" + inlined,
        "comment": comment,
        "literal": literal,
        "decimal_text": p.decimal_text,
        "points_literal": points_literal,
        "view_number": plan.text,
        "variable": variable,
        "condition": condition_code,
        "rule_values": {
            path: tuple(rule_values(rule, plan.text) for rule in rules)
            for item in plan.items
            for path, rules in ((item.path, item.rules), *((group.path, group.rules) for group in item.groups))
        },
        "shape": _shape,
        "function": lambda item: f"item_{item.number.replace('.', '_')}_{item.section}_{item.key}",
    }
