"""Semantic checks on a built rubric: keys, references, totals, rules, awards.

Each check walks the model and yields diagnostics; `check` runs them all and
returns every diagnostic, so an editor sees all problems in one run.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Iterator

from . import model as m
from .diagnostics import Diagnostic, Omitted, Span, did_you_mean
from .numbers import decimal_text


# At most this many diagnostics of one code for one band rule or one item's
# tiers; the rest are counted in one summary.  A thousand tiers on one bound
# overlap in 499,500 pairs, and no one reads past the first few.
MAX_PER_PLACE = 10


def check(rubric: m.Rubric, path: str = "<string>") -> tuple[list[Diagnostic], list[Omitted]]:
    """Every diagnostic, and the summaries of those left unlisted (_capped)."""
    found: list[Diagnostic] = []
    omitted: list[Omitted] = []
    for run in _CHECKS:
        for entry in run(rubric):
            if isinstance(entry, Omitted):
                omitted.append(replace(entry, path=path))
            else:
                code, message, span = entry
                found.append(Diagnostic(code, message, span, path))
    return found, omitted


Found = Iterator["tuple[str, str, Span] | Omitted"]


def _capped(found: Found, what: str, place: Span) -> Found:
    """The first MAX_PER_PLACE diagnostics of each code in `found`, then one
    summary per code of how many more there were: "… and 1989 more
    `what`"."""
    counts: dict[str, int] = {}
    for entry in found:
        code = entry[0]
        counts[code] = counts.get(code, 0) + 1
        if counts[code] <= MAX_PER_PLACE:
            yield entry
    for code, count in counts.items():
        if count > MAX_PER_PLACE:
            noun = "overlaps" if code == "E403" else "gaps"
            yield Omitted(code, count - MAX_PER_PLACE, f"{noun} {what}", place)


_fmt = decimal_text


# ---------------------------------------------------------------------------
# Keys and references
# ---------------------------------------------------------------------------


def _duplicates(nodes, what: str, where: str) -> Found:
    first_seen: dict[str, Span] = {}
    for node in nodes:
        if node.key in first_seen:
            yield (
                "E201",
                f"{what} key '{node.key}' is used twice {where}; the first is on line {first_seen[node.key].line}",
                node.span,
            )
        else:
            first_seen[node.key] = node.span


def _notes(nodes, what: str) -> Found:
    """Keys that findings would read as notes: a findings key starting with
    '_' is a note for people, which the scorer ignores (docs/findings.md),
    so such a section, item, condition, group, requirement, part or measure
    could never be answered."""
    for node in nodes:
        if node.key.startswith("_"):
            yield (
                "E210",
                f"{what} key '{node.key}' starts with '_': findings read such a key as a note and ignore it, "
                "so it could never be answered; start it with a letter",
                node.span,
            )


def _every_requirement(item: m.Item) -> Iterator[m.Requirement]:
    yield from item.requirements
    for group in item.groups:
        yield from group.requirements


def check_keys(rubric: m.Rubric) -> Found:
    # A pass is asked for only where it can find something (a key to read
    # as a note in a node at all, two nodes to be alike): at 300x the
    # standard, 250,000 generators made for nothing were most of it.
    yield from _notes(rubric.sections, "section")
    yield from _notes(rubric.conditions, "condition")
    for section in rubric.sections:
        yield from _notes(section.items, "item")
        for item in section.items:
            if item.groups:
                yield from _notes(item.groups, "group")
            if item.measures:
                yield from _notes(item.measures, "measure")
            for requirement in _every_requirement(item):
                if requirement.key.startswith("_"):
                    yield from _notes((requirement,), "requirement")
                if requirement.parts:
                    yield from _notes(requirement.parts, "part")
    yield from _duplicates(rubric.sections, "section", "in this rubric")
    yield from _duplicates(rubric.conditions, "condition", "in this rubric")
    yield from _duplicates(rubric.grades, "grade", "in this rubric")
    for section in rubric.sections:
        yield from _duplicates(section.items, "item", f"in section '{section.key}'")
        for item in section.items:
            where = f"in item '{item.key}'"
            for nodes, what in (
                (item.groups, "group"),
                (item.measures, "measure"),
                (item.tiers, "tier"),
                (item.choices, "choice"),
                (item.requirements, "requirement"),
            ):
                if len(nodes) > 1:
                    yield from _duplicates(nodes, what, where)
            for group in item.groups:
                yield from _duplicates(group.requirements, "requirement", f"in group '{group.key}'")
            for requirement in _every_requirement(item):
                rule = requirement.rule
                alike = [(requirement.parts, "part")]
                if isinstance(rule, m.LevelDeduction):
                    alike.append((rule.levels, "level"))
                if isinstance(rule, m.BandDeduction):
                    alike.append((rule.bands, "band"))
                for nodes, what in alike:
                    if len(nodes) > 1:
                        yield from _duplicates(nodes, what, f"in requirement '{requirement.key}'")


def check_references(rubric: m.Rubric) -> Found:
    for section in rubric.sections:
        for item in section.items:
            declared = {measure.key: measure for measure in item.measures}
            for interval in item.intervals:
                measure = declared.get(interval.measure)
                if measure is None:
                    hint = did_you_mean(interval.measure, declared)
                    if not declared:
                        hint = f"; declare it in item '{item.key}' with: measure {interval.measure} \"...\" percent"
                    yield "E202", f"unknown measure '{interval.measure}'{hint}", interval.span
                    continue
                yield from _check_interval_bounds(interval, measure)
            tier_measures = {tier.interval.measure for tier in item.tiers}
            if len(tier_measures) > 1:
                yield (
                    "E406",
                    f"the tiers of item '{item.key}' must all use one measure, not {', '.join(sorted(tier_measures))}",
                    item.tiers[1].span,
                )
            band_rules = [r.rule for r, _ in m.requirements_with_paths(item, "") if isinstance(r.rule, m.BandDeduction)]
            for rule in band_rules:
                used = {band.interval.measure for band in rule.bands}
                if len(used) > 1:
                    yield "E406", f"the bands of one requirement must all use one measure, not {', '.join(sorted(used))}", rule.span


def _check_interval_bounds(interval: m.Interval, measure: m.Measure) -> Found:
    for bound in (interval.low, interval.high):
        if bound is not None and not measure.low <= bound <= measure.high:
            yield (
                "E407",
                f"{_fmt(bound)} is outside the range of '{measure.key}' ({_fmt(measure.low)} to {_fmt(measure.high)})",
                interval.span,
            )
    if interval.low is not None and interval.high is not None:
        if interval.low > interval.high or (
            interval.low == interval.high and not (interval.low_inclusive and interval.high_inclusive)
        ):
            yield "E407", f"'{interval.describe()}' holds no value", interval.span


def check_policies(rubric: m.Rubric) -> Found:
    for policy in rubric.policies:
        allowed = m.POLICIES.get(policy.name)
        if allowed is None:
            names = ", ".join(m.POLICIES)
            yield (
                "E208",
                f"there is no policy '{policy.name}'"
                + (did_you_mean(policy.name, m.POLICIES) or f"; the policies are {names}"),
                policy.name_span,
            )
        elif policy.value not in allowed:
            default, *others = allowed
            values = " or ".join([f"'{default}' (the default)", *(f"'{value}'" for value in others)])
            yield (
                "E209",
                f"policy {policy.name} takes {values}, not '{policy.value}'" + did_you_mean(policy.value, allowed),
                policy.value_span,
            )


# ---------------------------------------------------------------------------
# Points and totals
# ---------------------------------------------------------------------------


def check_totals(rubric: m.Rubric) -> Found:
    if not rubric.sections:
        yield (
            "E309",
            f"the rubric has no sections, so nothing scores its {_fmt(rubric.full_marks)} full marks: "
            "add 'section KEY \"...\" points N' with its items",
            rubric.full_marks_span,
        )
    for section in rubric.sections:
        if not section.items and section.points > 0:
            yield (
                "E310",
                f"section '{section.key}' declares {_fmt(section.points)} points but has no items to score them",
                section.points_span,
            )
            continue
        if not section.items:
            yield "W308", f"section '{section.key}' has no items", section.span
            continue
        total = sum((item.points for item in section.items), Decimal(0))
        if total != section.points:
            yield (
                "E301",
                f"section '{section.key}' declares {_fmt(section.points)} points but its "
                f"{len(section.items)} items add up to {_fmt(total)}",
                section.points_span,
            )
        for item in section.items:
            if item.groups:
                total = sum((group.points for group in item.groups), Decimal(0))
                if total != item.points:
                    yield (
                        "E303",
                        f"item '{item.key}' declares {_fmt(item.points)} points but its "
                        f"{len(item.groups)} groups add up to {_fmt(total)}",
                        item.points_span,
                    )
    if rubric.sections:
        total = sum((section.points for section in rubric.sections), Decimal(0))
        if total != rubric.full_marks:
            yield (
                "E302",
                f"full marks are {_fmt(rubric.full_marks)} but the {len(rubric.sections)} sections "
                f"declare {_fmt(total)} points",
                rubric.full_marks_span,
            )


def check_scale(rubric: m.Rubric) -> Found:
    full = rubric.full_marks
    if not 0 <= rubric.pass_mark <= full:
        yield (
            "E304",
            f"the pass mark {_fmt(rubric.pass_mark)} is outside 0..{_fmt(full)} (full marks)",
            rubric.pass_mark_span,
        )
    previous: m.Grade | None = None
    for grade in rubric.grades:
        if not 0 <= grade.threshold <= full:
            yield (
                "E305",
                f"grade '{grade.key}' starts at {_fmt(grade.threshold)}, outside 0..{_fmt(full)} (full marks)",
                grade.span,
            )
        if previous is not None and grade.threshold <= previous.threshold:
            yield (
                "E306",
                f"grades go from the lowest threshold to the highest: '{grade.key}' at "
                f"{_fmt(grade.threshold)} comes after '{previous.key}' at {_fmt(previous.threshold)}",
                grade.span,
            )
        previous = grade
    panel = rubric.panel
    if panel is not None:
        if panel.low < 1 or panel.low > panel.high:
            yield "E307", f"a panel of {panel.low} to {panel.high} evaluators is not a range of sizes", panel.span
        if panel.method not in m.PANEL_METHODS:
            yield (
                "E211",
                f"a panel combines by {', '.join(m.PANEL_METHODS[:-1])} or {m.PANEL_METHODS[-1]}, not "
                f"'{panel.method}'" + did_you_mean(panel.method, m.PANEL_METHODS),
                panel.method_span,
            )
        elif panel.method == "trimmed-mean" and panel.low < 3:
            yield (
                "E311",
                f"trimmed-mean drops the highest and the lowest score, so it needs at least 3 evaluators, "
                f"but the panel may have {panel.low}",
                panel.method_span,
            )


# ---------------------------------------------------------------------------
# Deduction rules
# ---------------------------------------------------------------------------


def _single_deductions(requirement: m.Requirement) -> Iterator[tuple[Decimal, Span, str]]:
    """Each deduction one finding can make: (amount, where, what)."""
    rule = requirement.rule
    if isinstance(rule, m.FixedDeduction):
        yield rule.amount, rule.span, f"requirement '{requirement.key}' deducts"
    elif isinstance(rule, m.LevelDeduction):
        for level in rule.levels:
            yield level.amount, level.span, f"level '{level.key}' deducts"
    elif isinstance(rule, m.BandDeduction):
        for band in rule.bands:
            yield band.amount, band.span, f"band '{band.key}' deducts"
    elif isinstance(rule, m.EachMissingDeduction) and not requirement.rule_inherited:
        yield rule.amount, rule.span, f"requirement '{requirement.key}' deducts"


def _containers(item: m.Item):
    """(key, cap, requirements, per-missing rule) for an item or each of its groups."""
    if item.groups:
        for group in item.groups:
            yield f"group '{group.key}'", group.points, group.requirements, group.each, group.span
    else:
        yield f"item '{item.key}'", item.points, item.requirements, item.each, item.span


def _what_takes_it_to_zero(rubric: m.Rubric) -> str:
    """For I410: what besides deductions can score an item or group 0."""
    if rubric.policy("nothing_met") == "zero":
        clause = rubric.policy_clause("nothing_met")
        cited = f"clause {clause}" if clause else "policy nothing_met zero"
        return f"only the zero rule (nothing met, {cited}) or 8.2 (item absent) can take it to 0"
    return "only 8.2 (item absent) can take it to 0"


def check_rules(rubric: m.Rubric) -> Found:
    to_zero = _what_takes_it_to_zero(rubric)
    for section in rubric.sections:
        for item in section.items:
            if item.is_award:
                continue
            if not item.requirements and not item.groups:
                yield "W308", f"item '{item.key}' has no requirements", item.span
            for name, cap, requirements, each, span in _containers(item):
                if each is not None and each.amount > cap:
                    yield (
                        "E401",
                        f"{name} deducts {_fmt(each.amount)} for each missing entry, more than its cap of {_fmt(cap)}",
                        each.span,
                    )
                for requirement in requirements:
                    for amount, where, what in _single_deductions(requirement):
                        if amount > cap:
                            yield (
                                "E401",
                                f"{what} {_fmt(amount)}, more than the cap of {name} ({_fmt(cap)} points)",
                                where,
                            )
                    rule = requirement.rule
                    if isinstance(rule, m.BandDeduction):
                        measure = item.measure(rule.measure)
                        found = _overlaps([(b.key, b.interval, b.span) for b in rule.bands], "band")
                        if measure is not None:
                            found = itertools.chain(found, _interior_gaps(rule, measure))
                        yield from _capped(found, f"among the bands of requirement '{requirement.key}'", rule.span)
                if requirements and cap > 0:
                    reachable = sum((r.max_deduction for r in requirements), Decimal(0))
                    if reachable < cap:
                        yield (
                            "I410",
                            f"the deductions of {name} add up to at most {_fmt(reachable)} of its "
                            f"{_fmt(cap)} points; {to_zero}",
                            span,
                        )


def check_awards(rubric: m.Rubric) -> Found:
    for section in rubric.sections:
        for item in section.items:
            for tier in item.tiers:
                if tier.points > item.points:
                    yield "E402", f"tier '{tier.key}' awards {_fmt(tier.points)}, more than item '{item.key}' has ({_fmt(item.points)})", tier.span
            for choice in item.choices:
                if choice.points > item.points:
                    yield "E402", f"choice '{choice.key}' awards {_fmt(choice.points)}, more than item '{item.key}' has ({_fmt(item.points)})", choice.span
            if item.otherwise is not None and item.otherwise.points > item.points:
                yield "E402", f"'otherwise' awards {_fmt(item.otherwise.points)}, more than item '{item.key}' has ({_fmt(item.points)})", item.otherwise.span
            if item.otherwise is not None and not item.is_award:
                yield "E406", "'otherwise' belongs to an award item (tiers or choices)", item.otherwise.span
            if item.tiers:
                yield from _capped(_tier_bounds(item), f"among the tiers of item '{item.key}'", item.span)


def _tier_bounds(item: m.Item) -> Found:
    yield from _overlaps([(t.key, t.interval, t.span) for t in item.tiers], "tier")
    measure = item.measure(item.tiers[0].interval.measure)
    if measure is not None and item.otherwise is None:
        for gap in _uncovered([t.interval for t in item.tiers], measure):
            yield (
                "W404",
                f"no tier of item '{item.key}' covers {gap}; add the missing tier or "
                "'otherwise N' to say what it scores",
                item.span,
            )


# ---------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------


def _overlaps(entries, what: str) -> Found:
    """Each entry (key, interval, span) that overlaps another, reported on
    the later of the two in the file.  Sorted by lower bound, an interval
    overlaps one before it exactly when it overlaps the one reaching highest
    so far, so neighbours are compared, never every pair."""
    by_measure: dict[str, list[int]] = {}
    for index, (_, interval, _) in enumerate(entries):
        by_measure.setdefault(interval.measure, []).append(index)
    for indices in by_measure.values():
        reach: int | None = None  # the entry with the highest upper bound so far
        for index in sorted(indices, key=lambda i: (_lower(entries[i][1]), i)):
            if reach is not None and _intersect(entries[reach][1], entries[index][1]):
                (key_a, a, _), (key_b, b, span_b) = entries[min(reach, index)], entries[max(reach, index)]
                yield "E403", f"{what} '{key_b}' ({b.describe()}) overlaps {what} '{key_a}' ({a.describe()})", span_b
            if reach is None or _upper(entries[index][1]) > _upper(entries[reach][1]):
                reach = index


def _lower(interval: m.Interval):
    """Comparable lower bound: (value, 0 if inclusive else 1)."""
    if interval.low is None:
        return (Decimal("-Infinity"), 0)
    return (interval.low, 0 if interval.low_inclusive else 1)


def _upper(interval: m.Interval):
    """Comparable upper bound: (value, 0 if exclusive else 1)."""
    if interval.high is None:
        return (Decimal("Infinity"), 1)
    return (interval.high, 1 if interval.high_inclusive else 0)


def _intersect(a: m.Interval, b: m.Interval) -> bool:
    low = max(_lower(a), _lower(b))
    high = min(_upper(a), _upper(b))
    # A point value v lies in [low, high] when low <= (v, 0) and (v, 1) <= high.
    if low[0] < high[0]:
        return True
    return low[0] == high[0] and low[1] == 0 and high[1] == 1


def _uncovered(intervals: list[m.Interval], measure: m.Measure) -> list[str]:
    """Describe the parts of the measure's range that no interval covers."""
    gaps: list[str] = []
    cursor = (measure.low, 0)  # next value that still needs covering, inclusive
    end = (measure.high, 1)
    for interval in sorted(intervals, key=_lower):
        low = _lower(interval)
        if low > cursor and cursor[0] <= end[0]:
            gaps.append(_describe_gap(cursor, low, measure.key))
        upper = _upper(interval)
        # The next uncovered value starts right after this interval's upper bound.
        after = (upper[0], 1 if upper[1] == 1 else 0)
        if after > cursor:
            cursor = after
    if cursor <= (measure.high, 0):
        gaps.append(_describe_gap(cursor, (measure.high, 2), measure.key))
    return gaps


def _describe_gap(start, stop, measure: str) -> str:
    """A gap from `start` (value, 0 inclusive / 1 exclusive) up to the lower
    bound `stop` (value, 0: stop exclusive / 1: stop inclusive / 2: end of range)."""
    low = f"{_fmt(start[0])} {'<=' if start[1] == 0 else '<'} "
    if stop[1] == 2:
        high = f" <= {_fmt(stop[0])}"
    else:
        high = f" {'<' if stop[1] == 0 else '<='} {_fmt(stop[0])}"
    if start[0] == stop[0]:
        return f"{measure} = {_fmt(start[0])}"
    return f"{low}{measure}{high}"


def _interior_gaps(rule: m.BandDeduction, measure: m.Measure) -> Found:
    """Values between the bands that no band covers: outside every band a
    requirement counts as met, which between two bands is rarely meant."""
    bands = sorted(rule.bands, key=lambda b: _lower(b.interval))
    for before, after in zip(bands, bands[1:]):
        upper, lower = _upper(before.interval), _lower(after.interval)
        touching = upper[0] == lower[0] and upper[1] != lower[1]
        if upper[0] < lower[0] or (upper[0] == lower[0] and not touching and upper[1] == 0 and lower[1] == 1):
            gap_start = (upper[0], 1 if upper[1] == 1 else 0)
            yield (
                "W404",
                f"no band covers {_describe_gap(gap_start, lower, measure.key)}, between bands "
                f"'{before.key}' and '{after.key}'; such a value would deduct nothing",
                after.span,
            )


# ---------------------------------------------------------------------------
# Errata
# ---------------------------------------------------------------------------


def check_errata(rubric: m.Rubric) -> Found:
    for record in rubric.errata_records():
        erratum = record.erratum
        if record.used == erratum.printed:
            yield (
                "W206",
                f"erratum says '{erratum.field}' was printed as {erratum.printed!s} but that is still its value",
                erratum.span,
            )


_CHECKS = [check_keys, check_policies, check_references, check_totals, check_scale, check_rules, check_awards, check_errata]
