"""A batch's typed reader and summarizer: Python written from a rubric's
scoring plan when a batch starts, that decodes a record into msgspec
Structs of the rubric's own shape and adds up only what a summary row
holds, checking what the scorer's fast path checks.

The Structs are the findings format of this one rubric: one class per
item, per item's answers, parts, measures and group rulings, each
refusing any key it does not name (`forbid_unknown_fields`), a true/false
answer typed bool, a level or a choice a Literal of its keys, every text
a str.  So msgspec's decoding is most of the validation, and builds no
dict: a record whose keys or types are not the rubric's (a note, a member
file's digest, a 1 for true, a key missing) is refused before anything is
summed.  What the types cannot say (which keys an item's status asks for,
a date, a blank name or reason, a measured value's range) the summarizer
checks, as the scorer's item functions do.  A measured value is typed Any,
so msgspec reads it with the scorer's own number reader (its float_hook:
the exact Decimal, or the scorer's refusal); no number is ever a float.

The scorer's summarize() runs score()'s pass: one call per item, every
deduction built with its text and detail, one outcome tuple per item and
group, then the sum.  A summary row needs the section sums, the total, the
not assessed count and the conditions; the summarizer computes those in
one straight run of code, item after item, reading Struct attributes
(it renders the same plan, and the measures' comparisons with
backends/scorer.py's own helpers).  Whatever the types refuse or the
summarizer raises at goes to the scorer itself, which accepts, refuses and
words the problems as for one file.  So this code only ever accepts less
than the scorer, never otherwise: tests/test_batch_summary.py holds it to
the scorer on random records, hostile ones and every record one edit away
from a valid one.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .backends.scorer import condition_code, literal, variable
from .plan import ItemPlan, Rule, ScoringPlan

FUNCTION = "summarize_record"
FINDINGS_TYPE = "Findings"
# Every Struct: unknown keys refused, and not tracked by the garbage
# collector (decoded values hold no cycles; a record's Structs are freed
# as soon as it is summed).
_OPTIONS = "Struct, forbid_unknown_fields=True, gc=False"
_STATUS = "Literal['assessed', 'not_applicable', 'absent']"


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
    """The typed reader's Python source, for complete findings or
    (`partial`) for --partial: the Structs (the record's type is
    `Findings`) and `summarize_record(findings, rescore)`, which returns the
    summary or raises.  It runs in the namespace of the rubric's generated
    scorer."""
    code = _Code()
    code("from typing import Any, Literal")
    code("from msgspec import UNSET, Struct, UnsetType, field")
    writer = _Writer(code, plan, partial)
    writer.types()
    writer.function(FUNCTION)
    return "\n".join(code.lines) + "\n"


def _field(attribute: str, kind: str, key: str, default: str | None = None) -> str:
    """A Struct field read from `key` (rubric keys need not be Python names)."""
    given = "" if default is None else f"default={default}, "
    return f"{attribute}: {kind} = field({given}name={key!r})"


class _Writer:
    """Writes one reader of a plan, for complete or partial findings."""

    def __init__(self, code: _Code, plan: ScoringPlan, partial: bool):
        self.code = code
        self.plan = plan
        self.partial = partial
        self.excluded = plan.not_applicable.value == "excluded"
        self.zero_rule = plan.nothing_met.value == "zero"
        self.items = [item for section in plan.sections for item in section.items]
        # The attribute of each answer of an item: its rule's key -> name.
        self.answer_names: dict[str, str] = {}

    # -- the Structs ---------------------------------------------------------

    def types(self) -> None:
        code, partial = self.code, self.partial
        with code.block(f"class Ruling({_OPTIONS}):"):
            code(f"status: {_STATUS}")
            code("reason: str | UnsetType = UNSET")
        with code.block(f"class NoRemarks({_OPTIONS}):"):
            code("pass")
        for number, item in enumerate(self.items):
            self.item_types(number, item)
        with code.block(f"class Rubric({_OPTIONS}):"):
            code("id: Literal[RUBRIC_ID]")
            code("version: Literal[RUBRIC_VERSION]")
            code("content_hash: str | UnsetType = UNSET")
        with code.block(f"class Conditions({_OPTIONS}):"):
            # A partial file may leave a condition out or null: unrecorded.
            kind = "bool | None" if partial else "bool"
            for number, condition in enumerate(self.plan.conditions):
                code(_field(f"c{number}", kind, condition.key, "None" if partial else None))
            if not self.plan.conditions:
                code("pass")
        with code.block(f"class Items({_OPTIONS}):"):
            for number, item in enumerate(self.items):
                kind = f"Item{number} | UnsetType" if partial else f"Item{number}"
                code(_field(f"i{number}", kind, item.path, "UNSET" if partial else None))
            if not self.items:
                code("pass")
        with code.block(f"class {FINDINGS_TYPE}({_OPTIONS}):"):
            code("format: Literal[FINDINGS_FORMAT]")
            code("rubric: Rubric")
            code("organization: str")
            code("date: str")
            code("evaluators: list[str]")
            code("remarks: str")
            code("conditions: Conditions")
            code("items: Items")

    def item_types(self, number: int, item: ItemPlan) -> None:
        code = self.code
        # A group ruled not applicable or absent has none of its answers.
        grouped = {answer.key for group in item.groups for answer in self.group_answers(item, group.key)}
        for index, answer in enumerate(item.answers):
            if answer.kind == "parts":
                with code.block(f"class Parts{number}_{index}({_OPTIONS}):"):
                    for part_number, key in enumerate(answer.keys):
                        code(_field(f"p{part_number}", "bool", key))
        if item.answers:
            with code.block(f"class Answers{number}({_OPTIONS}):"):
                for index, answer in enumerate(item.answers):
                    self.answer_names[f"{item.path} {answer.key}"] = f"r{index}"
                    if answer.kind == "parts":
                        kind = f"Parts{number}_{index}"
                    elif answer.kind == "levels":
                        kind = f"bool | Literal[{', '.join(repr(key) for key in answer.keys)}]"
                    else:
                        kind = "bool"
                    if answer.key in grouped:
                        code(_field(f"r{index}", f"{kind} | UnsetType", answer.key, "UNSET"))
                    else:
                        code(_field(f"r{index}", kind, answer.key))
        if item.measures:
            with code.block(f"class Measures{number}({_OPTIONS}):"):
                for index, measure in enumerate(item.measures):
                    code(_field(f"m{index}", "Any", measure.key))
        if item.groups:
            with code.block(f"class Rulings{number}({_OPTIONS}):"):
                for index, group in enumerate(item.groups):
                    code(_field(f"g{index}", "Ruling | UnsetType", group.key, "UNSET"))
            code(f"_NO_RULINGS{number} = Rulings{number}()")
        if item.requirement_keys:
            with code.block(f"class Remarks{number}({_OPTIONS}):"):
                for index, key in enumerate(item.requirement_keys):
                    code(_field(f"k{index}", "str", key, "''"))
        with code.block(f"class Item{number}({_OPTIONS}):"):
            code(f"status: {_STATUS}{' | None' if self.partial else ''}")
            # What an assessed item holds besides its status (and groups).
            if "requirements" in item.keys:
                code(f"requirements: Answers{number} | UnsetType = UNSET")
            if "measures" in item.keys:
                code(f"measures: Measures{number} | UnsetType = UNSET")
            if "choice" in item.keys:
                code(f"choice: Literal[{', '.join(repr(award.key) for award in item.awards)}] | None | UnsetType = UNSET")
            if item.groups:
                code(f"groups: Rulings{number} | UnsetType = UNSET")
            code("reason: str | UnsetType = UNSET")
            code("remark: str = ''")
            code(f"requirement_remarks: {f'Remarks{number}' if item.requirement_keys else 'NoRemarks'} | UnsetType = UNSET")

    @staticmethod
    def group_answers(item: ItemPlan, group: str):
        """The answers of one group of an item (keyed "group.requirement")."""
        return [answer for answer in item.answers if answer.key.startswith(f"{group}.")]

    # -- the summarizer ------------------------------------------------------

    def function(self, name: str) -> None:
        code, plan, partial = self.code, self.plan, self.partial
        with code.block(f"def {name}(findings, rescore):"):
            # What the types leave of the scorer's _checked_header (every
            # text msgspec decodes is UTF-8 without a lone surrogate).
            code("named_hash = findings.rubric.content_hash")
            with code.block("if named_hash is not UNSET and named_hash != CONTENT_HASH and not rescore:"):
                code("raise _Invalid")
            code("date = findings.date")
            if partial:
                with code.block("if date and not _is_date(date):"):
                    code("raise _Invalid")
            else:
                code("evaluators = findings.evaluators")
                with code.block("if not findings.organization.strip() or not evaluators or not _is_date(date):"):
                    code("raise _Invalid")
                with code.block("for name in evaluators:"):
                    with code.block("if not name.strip():"):
                        code("raise _Invalid")
            self.conditions()
            code("items = findings.items")
            if partial:
                code("not_assessed = 0")
            if self.excluded:
                code("applicable = 0  # as the scorer's outcomes count it (not applicable: 0)")
            number = 0
            for section_number, section in enumerate(plan.sections):
                total = f"section_{section_number}"
                code(f"{total} = 0")
                for item in section.items:
                    code(f"# {item.number} {item.path}")
                    code(f"found = items.i{number}")
                    if partial:
                        with code.block("if found is UNSET:"):
                            code("not_assessed += 1")
                            if self.excluded:
                                code(f"applicable += {item.points}")
                        with code.block("else:"):
                            self.item(number, item, total)
                    else:
                        self.item(number, item, total)
                    number += 1
            sections = ", ".join(
                f"{section.key!r}: {self.points(f'section_{number}')}" for number, section in enumerate(plan.sections)
            )
            code("raw = " + (" + ".join(f"section_{number}" for number in range(len(plan.sections))) or "0"))
            # The scorer's _total reads the applicable points only when not
            # applicable items leave the maximum.
            code(f"total_units, total = _total(raw, {'applicable' if self.excluded else 0})")
            not_assessed = "not_assessed" if partial else "0"
            provisional = "bool(not_assessed or unrecorded)" if partial else "False"
            code("return {")
            code("    'organization': findings.organization,")
            code("    'date': date,")
            code(f"    'sections': {{{sections}}},")
            code("    'total': total,")
            code("    'passed': total_units >= PASS_MARK_UNITS,")
            code("    'grade': _grade(total_units),")
            code("    'eligible': eligible,")
            code(f"    'not_assessed': {not_assessed},")
            code(f"    'provisional': {provisional},")
            code("}")

    def conditions(self) -> None:
        """`eligible` (no required condition unmet) and, for a partial
        file, `unrecorded` (some condition not recorded)."""
        code, conditions = self.code, self.plan.conditions
        code("conditions = findings.conditions")
        required = [f"conditions.c{number}" for number, condition in enumerate(conditions) if not condition.advisory]
        if self.partial:
            code("eligible = " + (" and ".join(f"{name} is True" for name in required) or "True"))
            every = [f"conditions.c{number} is None" for number in range(len(conditions))]
            code("unrecorded = " + (" or ".join(every) or "False"))
        else:
            code("eligible = " + (" and ".join(required) or "True"))

    def points(self, name: str) -> str:
        """A sum in units as the summary holds it (the scorer's _points)."""
        return name if self.plan.scale == 1 else f"_points({name})"

    def item(self, number: int, item: ItemPlan, total: str) -> None:
        """One item's check, and its points added to `total`."""
        code = self.code
        keys = list(item.keys)
        code("status = found.status")
        with code.block("if status == 'assessed':"):
            given = ["found.reason is not UNSET"] + [f"found.{key} is UNSET" for key in keys]
            with code.block(f"if {' or '.join(given)}:"):
                code("raise _Invalid")
            if self.excluded and item.kind != "groups":
                code(f"applicable += {item.points}")
            if item.kind == "groups":
                self.groups(number, item, total)
            elif item.kind == "requirements":
                self.measures(item)
                if item.answers:
                    code("answers = found.requirements")
                code("lost = 0")
                self.rules(item, item.rules, grouped=False)
                code(f"{total} += {self.capped(item.points, item.rules)}")
            elif item.kind == "tiers":
                self.measures(item)
                for index, tier in enumerate(item.awards):
                    with code.block(f"{'if' if index == 0 else 'elif'} {condition_code(tier.when)}:"):
                        code(f"{total} += {tier.points}")
                if item.otherwise.points:
                    with code.block("else:"):
                        code(f"{total} += {item.otherwise.points}")
            else:
                code("choice = found.choice")
                for index, choice in enumerate(item.awards):
                    with code.block(f"{'if' if index == 0 else 'elif'} choice == {choice.key!r}:"):
                        code(f"{total} += {choice.points}")
                with code.block("elif choice is None:" if item.awards else "if choice is None:"):
                    code(f"{total} += {item.otherwise.points}")
                with code.block("else:"):
                    code("raise _Invalid")
        # Not assessed by its answers (clause 8.2): none of them given, a
        # reason that shows something when not applicable, and nothing else;
        # the points as the scorer's _not_scored gives them.
        given = " or ".join(f"found.{key} is not UNSET" for key in keys + (["groups"] if item.groups else []))
        with code.block("elif status == 'not_applicable':"):
            code("reason = found.reason")
            with code.block(f"if reason is UNSET or _blank(reason){' or ' + given if given else ''}:"):
                code("raise _Invalid")
            if self.excluded:
                code("# left out of the maximum: 0 points of 0")
            else:
                code(f"{total} += {item.points}")
        with code.block("else:" if not self.partial else "elif status == 'absent':"):
            with code.block(f"if found.reason is not UNSET{' or ' + given if given else ''}:"):
                code("raise _Invalid")
            code("# 0 points")
            if self.excluded:
                code(f"applicable += {item.points}")
        if self.partial:
            with code.block("else:  # null: not assessed yet"):
                with code.block(f"if found.reason is not UNSET{' or ' + given if given else ''}:"):
                    code("raise _Invalid")
                code("not_assessed += 1")
                if self.excluded:
                    code(f"applicable += {item.points}")

    def measures(self, item: ItemPlan) -> None:
        if not item.measures:
            return
        code = self.code
        code("measures = found.measures")
        for index, measure in enumerate(item.measures):
            name = variable(measure.key)
            code(f"{name} = measures.m{index}")
            # An int (a rubric's bounds have at most 10 whole digits, so one
            # in range is far within the scorer's MAX_DIGITS) or the reader's
            # Decimal (at most MAX_DIGITS digits, an exponent within
            # MAX_EXPONENT: the scorer's _sensible holds); a refused number
            # is neither.
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

    def rules(self, item: ItemPlan, rules: tuple[Rule, ...], grouped: bool) -> None:
        """Each rule's deduction added to `lost`; with the zero rule,
        `unmet` counts the rules that deduct at all (a parts rule: when
        every part is missing).  A group's answers may be missing (UNSET)
        as far as the types go: here they must be given."""
        code = self.code
        counting = self.counts_unmet(rules)
        if counting:
            code("unmet = 0")
        for rule in rules:
            code(f"# {rule.key}")
            if rule.kind in ("met", "levels", "parts"):
                answer = f"answers.{self.answer_names[f'{item.path} {rule.key}']}"
            if rule.kind == "met":
                # True is the common answer; the type leaves False (or, in a
                # group, UNSET).
                with code.block(f"if {answer} is not True:"):
                    if grouped:
                        with code.block(f"if {answer} is not False:"):
                            code("raise _Invalid")
                    self.deduct(str(rule.amount), counting)
            elif rule.kind == "levels":
                with code.block(f"if {answer} is not True:"):
                    code(f"met = {answer}")
                    for index, level in enumerate(rule.choices):
                        with code.block(f"{'if' if index == 0 else 'elif'} met == {level.key!r}:"):
                            code(f"lost += {level.amount}")
                    with code.block("else:"):
                        code("raise _Invalid")
                    if counting:
                        code("unmet += 1")
            elif rule.kind == "parts":
                code(f"parts = {answer}")
                if grouped:
                    with code.block("if parts is UNSET:"):
                        code("raise _Invalid")
                # Every part is a bool: the missing ones are those not true.
                present = " - ".join(f"parts.p{index}" for index in range(len(rule.choices)))
                code(f"missing = {len(rule.choices)} - {present}")
                with code.block("if missing:"):
                    code(f"lost += {rule.amount} * missing")
                    if counting:
                        with code.block(f"if missing == {len(rule.choices)}:"):
                            code("unmet += 1")
            elif rule.kind == "threshold":
                with code.block(f"if {condition_code(rule.when)}:"):
                    self.deduct(str(rule.amount), counting)
            else:
                for index, band in enumerate(rule.choices):
                    with code.block(f"{'if' if index == 0 else 'elif'} {condition_code(band.when)}:"):
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

    def groups(self, number: int, item: ItemPlan, total: str) -> None:
        code = self.code
        code("rulings = found.groups")
        with code.block("if rulings is UNSET:"):
            code(f"rulings = _NO_RULINGS{number}")
        self.measures(item)
        if item.answers:
            code("answers = found.requirements")
        for index, group in enumerate(item.groups):
            code(f"# group {group.key}")
            code(f"ruling = rulings.g{index}")
            # As the scorer's _group_rulings reads a ruling: "assessed"
            # alone, "not_applicable" with a reason that shows something,
            # "absent" alone.
            answers = [(answer.key, f"answers.{self.answer_names[f'{item.path} {answer.key}']}")
                       for answer in self.group_answers(item, group.key)]
            read = {rule.key for rule in group.rules}
            with code.block("if ruling is UNSET or ruling.status == 'assessed':"):
                with code.block("if ruling is not UNSET and ruling.reason is not UNSET:"):
                    code("raise _Invalid")
                # Its rules read its answers; one that none reads must be given too.
                unread = [f"{name} is UNSET" for key, name in answers if key not in read]
                if unread:
                    with code.block(f"if {' or '.join(unread)}:"):
                        code("raise _Invalid")
                code("lost = 0")
                self.rules(item, group.rules, grouped=True)
                code(f"{total} += {self.capped(group.points, group.rules)}")
                if self.excluded:
                    code(f"applicable += {group.points}")
            with code.block("else:"):
                answered = [f"{name} is not UNSET" for _, name in answers]
                if answered:
                    # A group ruled out has none of its answers.
                    with code.block(f"if {' or '.join(answered)}:"):
                        code("raise _Invalid")
                with code.block("if ruling.status == 'not_applicable':"):
                    with code.block("if ruling.reason is UNSET or _blank(ruling.reason):"):
                        code("raise _Invalid")
                    code(f"outcome = _group_ruled({group.key!r}, ('not_applicable', ruling.reason), {group.points})")
                with code.block("else:"):
                    with code.block("if ruling.reason is not UNSET:"):
                        code("raise _Invalid")
                    code(f"outcome = _group_ruled({group.key!r}, ('absent', None), {group.points})")
                code(f"{total} += outcome[2]")
                if self.excluded:
                    code("applicable += outcome[7]")
