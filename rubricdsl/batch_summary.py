"""A batch's summarizer: one Python function per rubric, written from its
scoring plan when a batch starts, that checks a record as the generated
scorer's fast path does and adds up only what a summary row holds.

The scorer's summarize() runs score()'s pass: one call per item, every
deduction built with its text and detail, one outcome tuple per item and
group, then the sum.  A summary row needs the section sums, the total, the
not assessed count and the conditions; this function computes those in one
straight run of code, item after item, every key, type, count, range and
answer checked as the scorer's item functions check them (it renders the
same plan, and the measures' comparisons with backends/scorer.py's own
helpers).  At anything else it raises, and the batch then asks the scorer
itself, which accepts, refuses and words the problems as for one file.  So
this function only ever accepts less than the scorer, never otherwise:
tests/test_batch_summary.py holds it to the scorer on random records,
hostile ones and every record one edit away from a valid one.

The record it is given was decoded with the scorer's own number reader
(scoring.BoundReader: every number with a fraction or an exponent is the
scorer's exact Decimal, or its refusal), so a measured value is compared
with its bounds exactly as the scorer compares it: no float is ever read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .backends.scorer import condition_code, literal, variable
from .plan import ItemPlan, Rule, ScoringPlan

FUNCTION = "summarize_record"


class _Code:
    """Lines of Python at an indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    @contextmanager
    def block(self, head: str) -> Iterator[None]:
        self(head)
        self.depth += 1
        yield
        self.depth -= 1


def source(plan: ScoringPlan, partial: bool) -> str:
    """The summarizer's Python source: `summarize_record(findings,
    rescore)`, for complete findings or (`partial`) for --partial,
    returning the summary or raising.  It runs in the namespace of the
    rubric's generated scorer."""
    code = _Code()
    _Writer(code, plan, partial).function(FUNCTION)
    return "\n".join(code.lines) + "\n"


class _Writer:
    """Writes one summarizer of a plan, for complete or partial findings."""

    def __init__(self, code: _Code, plan: ScoringPlan, partial: bool):
        self.code = code
        self.plan = plan
        self.partial = partial
        self.excluded = plan.not_applicable.value == "excluded"
        self.zero_rule = plan.nothing_met.value == "zero"

    def function(self, name: str) -> None:
        code, plan, partial = self.code, self.plan, self.partial
        with code.block(f"def {name}(findings, rescore):"):
            code(f"_checked_header(findings, {partial}, rescore)")
            code(f"unmet_conditions, _, unrecorded = _checked_conditions(findings['conditions'], {partial})")
            code("items = findings['items']")
            if partial:
                with code.block("for key in items:"):
                    with code.block("if key not in _ITEM_KEYS:"):
                        code("raise _Invalid")
                code("not_assessed = 0")
            else:
                with code.block(f"if len(items) != {len(plan.items)}:"):
                    code("raise _Invalid")
            if self.excluded:
                code("applicable = 0  # as the scorer's outcomes count it (not applicable: 0)")
            for number, section in enumerate(plan.sections):
                code(f"section_{number} = 0")
                for item in section.items:
                    code(f"# {item.number} {item.path}")
                    if partial:
                        code(f"found = items.get({item.path!r}, _MISSING)")
                        with code.block("if found is _MISSING:"):
                            code("not_assessed += 1")
                            if self.excluded:
                                code(f"applicable += {item.points}")
                        with code.block("else:"):
                            self.item(item, f"section_{number}")
                    else:
                        code(f"found = items[{item.path!r}]")
                        self.item(item, f"section_{number}")
            sections = ", ".join(
                f"{section.key!r}: {self.points(f'section_{number}')}" for number, section in enumerate(plan.sections)
            )
            code("raw = " + " + ".join(f"section_{number}" for number in range(len(plan.sections))))
            # The scorer's _total reads the applicable points only when not
            # applicable items leave the maximum.
            code(f"total_units, total = _total(raw, {'applicable' if self.excluded else 0})")
            not_assessed = "not_assessed" if partial else "0"
            provisional = "bool(not_assessed or unrecorded)" if partial else "bool(unrecorded)"
            code("return {")
            code("    'organization': findings['organization'],")
            code("    'date': findings['date'],")
            code(f"    'sections': {{{sections}}},")
            code("    'total': total,")
            code("    'passed': total_units >= PASS_MARK_UNITS,")
            code("    'grade': _grade(total_units),")
            code("    'eligible': not unmet_conditions,")
            code(f"    'not_assessed': {not_assessed},")
            code(f"    'provisional': {provisional},")
            code("}")

    def points(self, name: str) -> str:
        """A sum in units as the summary holds it (the scorer's _points)."""
        return name if self.plan.scale == 1 else f"_points({name})"

    def item(self, item: ItemPlan, total: str) -> None:
        """One item's check, and its points added to `total`."""
        code = self.code
        size = f"{len(item.keys) + 1}" + (" + ('groups' in found)" if item.kind == "groups" else "")
        # Only a partial file's item not assessed yet is looked at again.
        if self.partial:
            code("status = found['status']")
        with code.block("if status == 'assessed':" if self.partial else "if found['status'] == 'assessed':"):
            # Remarks never change a point; without them the item's object
            # holds its keys exactly.
            with code.block(f"if len(found) != {size}:"):
                code(f"found = _remarks_of(found, {item.path!r})[0]")
                with code.block(f"if len(found) != {size}:"):
                    code("raise _Invalid")
            if self.excluded and item.kind != "groups":
                code(f"applicable += {item.points}")
            if item.kind == "groups":
                self.groups(item, total)
            elif item.kind == "requirements":
                self.measures(item)
                if item.answers:
                    with code.block(f"if len(answers := found['requirements']) != {len(item.answers)}:"):
                        code("raise _Invalid")
                code("lost = 0")
                self.rules(item.rules)
                code(f"{total} += {self.capped(item.points, item.rules)}")
            elif item.kind == "tiers":
                self.measures(item)
                for number, tier in enumerate(item.awards):
                    with code.block(f"{'if' if number == 0 else 'elif'} {condition_code(tier.when)}:"):
                        code(f"{total} += {tier.points}")
                if item.otherwise.points:
                    with code.block("else:"):
                        code(f"{total} += {item.otherwise.points}")
            else:
                code("choice = found['choice']")
                for number, choice in enumerate(item.awards):
                    with code.block(f"{'if' if number == 0 else 'elif'} choice == {choice.key!r}:"):
                        code(f"{total} += {choice.points}")
                with code.block("elif choice is None:" if item.awards else "if choice is None:"):
                    code(f"{total} += {item.otherwise.points}")
                with code.block("else:"):
                    code("raise _Invalid")
        with code.block("else:"):
            with code.block("if 'remark' in found or 'requirement_remarks' in found:"):
                code(f"found = _remarks_of(found, {item.path!r})[0]")
            if self.partial:
                # The scorer reads nothing else of an item not assessed
                # yet; anything more in it is the scorer's to look at.
                with code.block("if status is None and len(found) != 1:"):
                    code("raise _Invalid")
            code(f"outcome = _not_scored(found, {item.points}, {self.partial})")
            code(f"{total} += outcome[1]")
            if self.excluded:
                code("applicable += outcome[8]")
            if self.partial:
                code("not_assessed += outcome[0] == 'not_assessed'")

    def measures(self, item: ItemPlan) -> None:
        if not item.measures:
            return
        code = self.code
        code("measures = found['measures']")
        with code.block(f"if len(measures) != {len(item.measures)}:"):
            code("raise _Invalid")
        for measure in item.measures:
            name = variable(measure.key)
            code(f"{name} = measures[{measure.key!r}]")
            # An int or the reader's Decimal (at most MAX_DIGITS digits, an
            # exponent within MAX_EXPONENT: the scorer's _sensible holds);
            # a refused number is neither.
            with code.block(f"if type({name}) is not int and type({name}) is not Decimal:"):
                code("raise _Invalid")
            with code.block(f"if not {literal(measure.low)} <= {name} <= {literal(measure.high)}:"):
                code("raise _Invalid")

    def counts_unmet(self, rules: tuple[Rule, ...]) -> bool:
        """Whether the zero rule (nothing met: 0) needs the rules counted:
        not when every rule is met or not with a deduction above 0, for then
        every rule deducts exactly when `lost` is the sum of them all."""
        return self.zero_rule and bool(rules) and not self.all_lost_is_all_unmet(rules)

    def all_lost_is_all_unmet(self, rules: tuple[Rule, ...]) -> bool:
        return all(rule.kind == "met" and rule.amount > 0 for rule in rules)

    def rules(self, rules: tuple[Rule, ...]) -> None:
        """Each rule's deduction added to `lost`; with the zero rule,
        `unmet` counts the rules that deduct at all (a parts rule: when
        every part is missing)."""
        code = self.code
        counting = self.counts_unmet(rules)
        if counting:
            code("unmet = 0")
        for rule in rules:
            code(f"# {rule.key}")
            # An answer met is one line of code: true is the common answer.
            if rule.kind == "met":
                with code.block(f"if answers[{rule.key!r}] is not True:"):
                    with code.block(f"if answers[{rule.key!r}] is not False:"):
                        code("raise _Invalid")
                    self.deduct(str(rule.amount), counting)
            elif rule.kind == "levels":
                with code.block(f"if answers[{rule.key!r}] is not True:"):
                    code(f"met = answers[{rule.key!r}]")
                    for number, level in enumerate(rule.choices):
                        with code.block(f"{'if' if number == 0 else 'elif'} met == {level.key!r}:"):
                            code(f"lost += {level.amount}")
                    with code.block("else:"):
                        code("raise _Invalid")
                    if counting:
                        code("unmet += 1")
            elif rule.kind == "parts":
                code(f"parts = answers[{rule.key!r}]")
                with code.block(f"if len(parts) != {len(rule.choices)}:"):
                    code("raise _Invalid")
                code("missing = 0")
                for part in rule.choices:
                    with code.block(f"if parts[{part.key!r}] is not True:"):
                        with code.block(f"if parts[{part.key!r}] is not False:"):
                            code("raise _Invalid")
                        code("missing += 1")
                with code.block("if missing:"):
                    code(f"lost += {rule.amount} * missing")
                    if counting:
                        with code.block(f"if missing == {len(rule.choices)}:"):
                            code("unmet += 1")
            elif rule.kind == "threshold":
                with code.block(f"if {condition_code(rule.when)}:"):
                    self.deduct(str(rule.amount), counting)
            else:
                for number, band in enumerate(rule.choices):
                    with code.block(f"{'if' if number == 0 else 'elif'} {condition_code(band.when)}:"):
                        self.deduct(str(band.amount), counting)

    def deduct(self, amount: str, counting: bool) -> None:
        self.code(f"lost += {amount}")
        if counting:
            self.code("unmet += 1")

    def capped(self, points: int, rules: tuple[Rule, ...]) -> str:
        """The points left of `points` after `lost` (8.3: never below 0;
        with the zero rule, 0 when every rule deducts)."""
        if self.counts_unmet(rules):
            return f"({points} - lost if lost < {points} and unmet != {len(rules)} else 0)"
        if self.zero_rule and rules:
            return f"({points} - lost if lost < {points} and lost != {sum(rule.amount for rule in rules)} else 0)"
        return f"({points} - lost if lost < {points} else 0)"

    def groups(self, item: ItemPlan, total: str) -> None:
        code = self.code
        code(f"rulings = _group_rulings(found, {[group.key for group in item.groups]!r})")
        self.measures(item)
        code("answers = found['requirements']")
        code(f"answered = {len(item.answers)}")
        for group in item.groups:
            code(f"# group {group.key}")
            code(f"ruling = rulings.get({group.key!r})")
            with code.block("if ruling is None:"):
                code("lost = 0")
                self.rules(group.rules)
                code(f"{total} += {self.capped(group.points, group.rules)}")
                if self.excluded:
                    code(f"applicable += {group.points}")
            with code.block("else:"):
                answered = sum(rule.kind in ("met", "levels", "parts") for rule in group.rules)
                code(f"answered -= {answered}")
                code(f"outcome = _group_ruled({group.key!r}, ruling, {group.points})")
                code(f"{total} += outcome[2]")
                if self.excluded:
                    code("applicable += outcome[7]")
        with code.block("if len(answers) != answered:"):
            code("raise _Invalid")
