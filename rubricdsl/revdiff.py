"""`rubricdsl diff`: what changed between two revisions of a rubric.

Both revisions are flattened into nodes (the rubric, grades, conditions,
sections, items, measures, groups, requirements, parts, levels, bands, tiers
and choices), each named by its dotted key path, which is stable across
revisions while line numbers are not.  Nodes with the same kind and path are
compared field by field (points, deductions, texts, bounds, notes, errata);
the others are added or removed, with a hint when a removed and an added node
carry the same text (a renamed key).  A field change that an erratum of the
new revision records carries the erratum's reason.  Two revisions with the
same id and version but different content hashes (export.content_hash) are
flagged: findings name their revision by id and version.

`rescore` scores findings under both revisions with the generated scorer
(scoring.load_scorer), after fitting them to each: keys a revision does not
have are dropped and keys it requires that the findings lack are filled in
(requirements as met; an item that needs a value nobody recorded counts as
not assessed), and both lists are reported.

Three renderings: text for a terminal (the caller colours it), Markdown for
a revision's 编制说明 (in the rubric's language), and JSON.  Text and
Markdown show control characters escaped (terminal.printable); JSON is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import field
from decimal import Decimal
from functools import cached_property

from . import model as m
from .export import content_hash
from .numbering import section_numeral
from .numbers import decimal_text
from .records import record
from .words import diff_words
from .terminal import printable

DIFF_FORMAT = "rubricdsl-diff/1"


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------


@record(frozen=True)
class Place:
    """Where a node stands, as a reader finds it: section and item numbers."""

    section_number: int
    section_title: str
    item_number: int | None = None
    item_title: str | None = None


@record(frozen=True)
class ErratumView:
    field: str
    printed: Decimal | str
    reason: str

    def __str__(self) -> str:
        printed = _fmt(self.printed) if isinstance(self.printed, Decimal) else f'"{self.printed}"'
        return f"{self.field} was {printed}: {self.reason}"


@record(frozen=True)
class Node:
    kind: str
    path: str
    title: str | None  # the text a reader knows it by
    fields: dict = field(compare=False)
    parent: tuple[str, str] | None = None
    # child kind -> child paths in file order
    children: dict = field(default_factory=dict, compare=False)
    place: Place | None = None

    @property
    def id(self) -> tuple[str, str]:
        return self.kind, self.path


def _notes(node) -> tuple[str, ...]:
    return tuple(note.text for note in node.notes)


def _errata(node) -> tuple[ErratumView, ...]:
    return tuple(ErratumView(e.field, e.printed, e.reason) for e in node.errata)


def _scale(measure: m.Measure) -> str:
    if (measure.low, measure.high, measure.unit) == (Decimal(0), Decimal(100), "%"):
        return "percent"
    unit = f" {measure.unit}" if measure.unit else ""
    return f"from {_fmt(measure.low)} to {_fmt(measure.high)}{unit}"


def _rule_fields(requirement: m.Requirement, container: str) -> dict:
    rule = requirement.rule
    if rule is None:
        return {"rule": "none", "deduct": None, "deduct text": None, "when": None}
    if requirement.rule_inherited:
        # The amount and text are the item's or group's, reported there.
        return {"rule": f"the {container}'s deduct each", "deduct": None, "deduct text": None, "when": None}
    if isinstance(rule, m.FixedDeduction):
        when = rule.threshold.describe() if rule.threshold else None
        return {"rule": "threshold" if when else "fixed", "deduct": rule.amount, "deduct text": rule.text, "when": when}
    if isinstance(rule, m.LevelDeduction):
        return {"rule": "levels", "deduct": None, "deduct text": rule.text, "when": None}
    if isinstance(rule, m.BandDeduction):
        return {"rule": "bands", "deduct": None, "deduct text": rule.text, "when": None}
    return {"rule": "deduct each", "deduct": rule.amount, "deduct text": rule.text, "when": None}


def _each_fields(each: m.EachMissingDeduction | None) -> dict:
    return {"deduct each": each.amount if each else None, "deduct each text": each.text if each else None}


def nodes(rubric: m.Rubric) -> dict[tuple[str, str], Node]:
    """Every node of a rubric by (kind, path), in file order."""
    found: dict[tuple[str, str], Node] = {}

    def add(node: Node) -> Node:
        # A key used twice (E201) keeps its first node; diff refuses such
        # rubrics before it gets here.
        found.setdefault(node.id, node)
        return node

    root = add(
        Node(
            "rubric",
            "",
            rubric.title,
            {
                "id": rubric.id,
                "title": rubric.title,
                "standards": rubric.standards,
                "version": rubric.version,
                "status": rubric.status,
                "language": rubric.language,
                "full marks": rubric.full_marks,
                "pass mark": rubric.pass_mark,
                "panel": (
                    f"{rubric.panel.low} to {rubric.panel.high} combine {rubric.panel.method} "
                    f"disagreement {decimal_text(rubric.panel.disagreement)}"
                    if rubric.panel
                    else None
                ),
                "notes": _notes(rubric),
                "errata": _errata(rubric),
            },
            children={
                "grade": tuple(g.key for g in rubric.grades),
                "condition": tuple(c.key for c in rubric.conditions),
                "section": tuple(s.key for s in rubric.sections),
            },
        )
    )
    for grade in rubric.grades:
        add(Node("grade", grade.key, grade.label, {"label": grade.label, "threshold": grade.threshold}, root.id))
    for condition in rubric.conditions:
        add(
            Node(
                "condition",
                condition.key,
                condition.text,
                {
                    "text": condition.text,
                    "clause": condition.clause,
                    "advisory": condition.advisory,
                    "notes": _notes(condition),
                },
                root.id,
            )
        )
    for section in rubric.sections:
        add(
            Node(
                "section",
                section.key,
                section.title,
                {
                    "title": section.title,
                    "points": section.points,
                    "caption": section.caption,
                    "notes": _notes(section),
                    "errata": _errata(section),
                },
                root.id,
                {"item": tuple(i.key for i in section.items)},
                Place(section.number, section.title),
            )
        )
        for item in section.items:
            _item_nodes(add, section, item)
    return found


def _item_nodes(add, section: m.Section, item: m.Item) -> None:
    path = f"{section.key}.{item.key}"
    numbers = {"place": Place(section.number, section.title, item.number, item.title)}
    node = add(
        Node(
            "item",
            path,
            item.title,
            {
                "title": item.title,
                "points": item.points,
                "scored by": item.kind,
                **_each_fields(item.each),
                "otherwise": item.otherwise.points if item.otherwise else None,
                "otherwise text": item.otherwise.label if item.otherwise else None,
                "notes": _notes(item),
                "errata": _errata(item),
            },
            ("section", section.key),
            {
                "measure": tuple(x.key for x in item.measures),
                "group": tuple(x.key for x in item.groups),
                "requirement": tuple(x.key for x in item.requirements),
                "tier": tuple(x.key for x in item.tiers),
                "choice": tuple(x.key for x in item.choices),
            },
            **numbers,
        )
    )
    for measure in item.measures:
        add(
            Node(
                "measure", f"{path}.{measure.key}", measure.label,
                {"label": measure.label, "scale": _scale(measure)}, node.id, **numbers,
            )
        )
    for tier in item.tiers:
        add(
            Node(
                "tier", f"{path}.{tier.key}", tier.text,
                {"points": tier.points, "text": tier.text, "when": tier.interval.describe()}, node.id, **numbers,
            )
        )
    for choice in item.choices:
        add(Node("choice", f"{path}.{choice.key}", choice.text, {"points": choice.points, "text": choice.text}, node.id, **numbers))
    for group in item.groups:
        group_node = add(
            Node(
                "group",
                f"{path}.{group.key}",
                group.heading,
                {
                    "heading": group.heading,
                    "points": group.points,
                    **_each_fields(group.each),
                    "notes": _notes(group),
                    "errata": _errata(group),
                },
                node.id,
                {"requirement": tuple(r.key for r in group.requirements)},
                **numbers,
            )
        )
        for requirement in group.requirements:
            _requirement_nodes(add, group_node, requirement, "group", numbers)
    for requirement in item.requirements:
        _requirement_nodes(add, node, requirement, "item", numbers)


def _requirement_nodes(add, parent: Node, requirement: m.Requirement, container: str, numbers: dict) -> None:
    path = f"{parent.path}.{requirement.key}"
    rule = requirement.rule
    levels = rule.levels if isinstance(rule, m.LevelDeduction) else ()
    bands = rule.bands if isinstance(rule, m.BandDeduction) else ()
    node = add(
        Node(
            "requirement",
            path,
            requirement.text,
            {
                "text": requirement.text,
                **_rule_fields(requirement, container),
                "notes": _notes(requirement),
                "errata": _errata(requirement),
            },
            parent.id,
            {
                "part": tuple(p.key for p in requirement.parts),
                "level": tuple(lv.key for lv in levels),
                "band": tuple(b.key for b in bands),
            },
            **numbers,
        )
    )
    for part in requirement.parts:
        add(Node("part", f"{path}.{part.key}", part.label, {"label": part.label}, node.id, **numbers))
    for level in levels:
        add(Node("level", f"{path}.{level.key}", level.label, {"deduct": level.amount, "label": level.label}, node.id, **numbers))
    for band in bands:
        add(
            Node(
                "band", f"{path}.{band.key}", None,
                {"deduct": band.amount, "when": band.interval.describe()}, node.id, **numbers,
            )
        )


# ---------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------


@record(frozen=True)
class Change:
    action: str  # "added", "removed" or "changed"
    kind: str
    path: str
    title: str | None
    field: str | None = None  # for "changed": which field
    old: object = None
    new: object = None
    reason: str | None = None  # the new revision's erratum for this field
    hint: str | None = None  # a removed and an added node with the same text


@record(frozen=True)
class SectionTotal:
    key: str
    number: int  # in the new revision; in the old one for a removed section
    title: str
    old: Decimal | None
    new: Decimal | None


@record(frozen=True)
class Revision:
    path: str
    rubric: m.Rubric
    error_count: int = 0

    @cached_property  # a frozen dataclass still has an instance __dict__
    def content_hash(self) -> str:
        return content_hash(self.rubric)


@record(frozen=True)
class RevisionDiff:
    old: Revision
    new: Revision
    changes: tuple[Change, ...]
    sections: tuple[SectionTotal, ...]
    # location of each node of either revision, for the Markdown table
    places: dict = field(compare=False, default_factory=dict)
    rescored: tuple["Rescored", ...] = ()

    @property
    def equal(self) -> bool:
        return not self.changes

    @property
    def same_version_differs(self) -> bool:
        """Both revisions have one id and version but not one content: a
        findings file, which names its revision by id and version, made
        under one would be scored under the other's rules."""
        old, new = self.old, self.new
        return (old.rubric.id, old.rubric.version) == (new.rubric.id, new.rubric.version) and (
            old.content_hash != new.content_hash
        )

    def warnings(self) -> list[str]:
        if not self.same_version_differs:
            return []
        rubric = self.new.rubric
        return [
            f"the two revisions have the same id and version ({rubric.id}, version {rubric.version}) but different "
            f"content (hashes {self.old.content_hash} and {self.new.content_hash}); findings made under one would be "
            "scored under the other's rules: give the new revision a new version"
        ]

    def counts(self) -> dict[str, int]:
        tally = {"added": 0, "removed": 0, "changed": 0}
        seen: set[tuple[str, str, str]] = set()
        for change in self.changes:
            if (change.action, change.kind, change.path) not in seen:
                seen.add((change.action, change.kind, change.path))
                tally[change.action] += 1
        return tally


# A field an erratum corrects, named as the diff names it.
_ERRATUM_FIELDS = {"full": "full marks", "pass": "pass mark"}


def diff(old: Revision, new: Revision) -> RevisionDiff:
    old_nodes, new_nodes = nodes(old.rubric), nodes(new.rubric)
    # A node added or removed with its parent is part of that change.
    only_new, only_old = _only(new_nodes, old_nodes), _only(old_nodes, new_nodes)
    added = [n for i, n in new_nodes.items() if i in only_new and n.parent not in only_new]
    removed = [n for i, n in old_nodes.items() if i in only_old and n.parent not in only_old]
    hints = _rename_hints(removed, added)
    by_node: dict[tuple[str, str], list[Change]] = {}
    for node in added:
        by_node.setdefault(node.id, []).append(
            Change("added", node.kind, node.path, node.title, new=_plain_fields(node), hint=hints.get(("added", node.id)))
        )
    for node in removed:
        by_node.setdefault(node.id, []).append(
            Change("removed", node.kind, node.path, node.title, old=_plain_fields(node), hint=hints.get(("removed", node.id)))
        )
    for identity, after in new_nodes.items():
        before = old_nodes.get(identity)
        if before is not None:
            changes = _field_changes(before, after, _errata_of(after))
            if changes:
                by_node[identity] = changes
    ordered = [change for identity in _display_order(old_nodes, new_nodes) for change in by_node.get(identity, ())]
    if not ordered and old.rubric != new.rubric:
        # Every field of the model is compared above; this is a safety net
        # so that a difference is never reported as equality.
        ordered = [Change("changed", "rubric", "", new.rubric.title, "model", "(differs)", "(differs)")]
    return RevisionDiff(old, new, tuple(ordered), _section_totals(old.rubric, new.rubric), _places(old_nodes, new_nodes))


def _only(these: dict, others: dict) -> set:
    return {identity for identity in these if identity not in others}


def _plain_fields(node: Node) -> dict:
    return {name: value for name, value in node.fields.items() if value not in (None, ())}


def _errata_of(node: Node) -> dict[str, str]:
    """A node's errata: corrected field -> reason."""
    return {_erratum_field(e): e.reason for e in node.fields.get("errata", ())}


def _field_changes(before: Node, after: Node, errata: dict[str, str]) -> list[Change]:
    changes = []
    explained = set()
    for name, new_value in after.fields.items():
        old_value = before.fields.get(name)
        if name == "errata" or old_value == new_value:
            continue
        reason = errata.get(name)
        if reason is not None:
            explained.add(name)
        changes.append(Change("changed", after.kind, after.path, after.title, name, old_value, new_value, reason))
    old_errata, new_errata = before.fields.get("errata", ()), after.fields.get("errata", ())
    if old_errata != new_errata:
        # An erratum that explains a change above is shown as its reason.
        shown_new = tuple(e for e in new_errata if _erratum_field(e) not in explained or e in old_errata)
        if old_errata != shown_new:
            changes.append(Change("changed", after.kind, after.path, after.title, "errata", old_errata, shown_new))
    for kind, new_order in after.children.items():
        old_order = before.children.get(kind, ())
        common = set(old_order) & set(new_order)
        kept_old = tuple(k for k in old_order if k in common)
        kept_new = tuple(k for k in new_order if k in common)
        if kept_old != kept_new:
            changes.append(Change("changed", after.kind, after.path, after.title, f"order of {kind}s", kept_old, kept_new))
    return changes


def _erratum_field(erratum: ErratumView) -> str:
    return _ERRATUM_FIELDS.get(erratum.field, erratum.field)


def _normalized(text: str | None) -> str:
    return " ".join((text or "").split())


def _rename_hints(removed: list[Node], added: list[Node]) -> dict:
    """Pair removed and added nodes of one kind with the same text, those
    under the same parent first."""
    hints = {}
    free = [n for n in removed if _normalized(n.title)]
    for same_parent in (True, False):
        for node in added:
            if ("added", node.id) in hints or not _normalized(node.title):
                continue
            match = next(
                (
                    r for r in free
                    if r.kind == node.kind and _normalized(r.title) == _normalized(node.title)
                    and (r.parent == node.parent or not same_parent)
                ),
                None,
            )
            if match is not None:
                free.remove(match)
                hints[("added", node.id)] = f"same text as removed {match.kind} '{match.path}': renamed?"
                hints[("removed", match.id)] = f"same text as added {node.kind} '{node.path}': renamed?"
    return hints


def _display_order(old_nodes: dict, new_nodes: dict) -> list[tuple[str, str]]:
    """New nodes in file order, each removed node after the nearest node
    before it (in the old file) that is still there."""
    after: dict[tuple[str, str] | None, list] = {}
    anchor = None
    for identity in old_nodes:
        if identity in new_nodes:
            anchor = identity
        else:
            after.setdefault(anchor, []).append(identity)
    order = list(after.get(None, ()))
    for identity in new_nodes:
        order.append(identity)
        order += after.get(identity, ())
    return order


def _section_totals(old: m.Rubric, new: m.Rubric) -> tuple[SectionTotal, ...]:
    old_points = {s.key: s for s in old.sections}
    rows = [
        SectionTotal(s.key, s.number, s.title, old_points[s.key].points if s.key in old_points else None, s.points)
        for s in new.sections
    ]
    new_keys = {s.key for s in new.sections}
    rows += [SectionTotal(s.key, s.number, s.title, s.points, None) for s in old.sections if s.key not in new_keys]
    return tuple(rows)


def _places(old_nodes: dict, new_nodes: dict) -> dict:
    """Each node's place, in the new revision where it is there."""
    return {identity: node.place for identity, node in {**old_nodes, **new_nodes}.items()}


# ---------------------------------------------------------------------------
# Rescoring findings
# ---------------------------------------------------------------------------


@record(frozen=True)
class Rescored:
    path: str
    organization: str
    old: dict  # the scorer's result under each revision
    new: dict
    # per revision ("old"/"new"): keys of the findings it does not have, and
    # keys it needs that the findings lack
    dropped: dict
    filled: dict


class FindingsMismatch(Exception):
    """Findings that fit neither revision; `messages` says why."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def fit_findings(findings: dict, plan) -> tuple[dict, list[str], list[str]]:
    """The findings reshaped to what a revision's scoring plan asks for,
    with the keys dropped and the keys filled in (requirements as met, an
    item that needs an unrecorded value as not assessed)."""
    dropped: list[str] = []
    filled: list[str] = []
    fitted = {key: findings[key] for key in ("format", "organization", "date", "evaluators", "remarks") if key in findings}
    fitted["rubric"] = {"id": plan.rubric_id, "version": plan.version}
    given_conditions = findings.get("conditions") or {}
    keys = [condition.key for condition in plan.conditions]
    fitted["conditions"] = {key: given_conditions[key] for key in keys if key in given_conditions}
    filled += [f"conditions.{key}" for key in keys if key not in given_conditions]
    dropped += [f"conditions.{key}" for key in given_conditions if key not in keys and not key.startswith("_")]
    given_items = findings.get("items") or {}
    fitted["items"] = {}
    paths = set()
    for item in plan.items:
        paths.add(item.path)
        found = given_items.get(item.path)
        if found is None:
            filled.append(f"items.{item.path}")
            continue
        fitted["items"][item.path] = _fit_item(found, item, f"items.{item.path}", dropped, filled)
    dropped += [f"items.{path}" for path in given_items if path not in paths and not path.startswith("_")]
    return fitted, dropped, filled


def _fit_remarks(found: dict, item, where: str, dropped: list[str]) -> dict:
    """An item's remarks as the revision takes them: a remark on a
    requirement the revision does not have is dropped, and listed unless
    it is blank (nothing is lost then)."""
    remarks: dict = {}
    if isinstance(found.get("remark"), str):
        remarks["remark"] = found["remark"]
    given = found.get("requirement_remarks")
    if isinstance(given, dict):
        keys = set(item.requirement_keys)
        remarks["requirement_remarks"] = {key: text for key, text in given.items() if key in keys}
        dropped += [
            f"{where}.requirement_remarks.{key}" for key, text in given.items()
            if key not in keys and not key.startswith("_") and not (isinstance(text, str) and not text.strip())
        ]
    return remarks


def _fit_item(found: dict, item, where: str, dropped: list[str], filled: list[str]) -> dict:
    remarks = _fit_remarks(found, item, where, dropped)
    if found.get("status") != "assessed":
        return {key: value for key, value in found.items() if key not in ("remark", "requirement_remarks")} | remarks
    fitted: dict = {"status": "assessed"}
    incomplete = False
    # Group rulings carry over for the groups the revision has; the
    # requirements of a ruled group are not answered.
    rulings = found.get("groups") if isinstance(found.get("groups"), dict) else {}
    group_keys = {group.key for group in item.groups}
    ruled = {key for key, ruling in rulings.items()
             if key in group_keys and isinstance(ruling, dict) and ruling.get("status") != "assessed"}
    if item.groups:
        fitted["groups"] = {key: ruling for key, ruling in rulings.items() if key in group_keys}
    dropped += [f"{where}.groups.{key}" for key in rulings if key not in group_keys and not key.startswith("_")]
    given = found.get("requirements") or {}
    if "requirements" in item.keys:
        answers = {}
        for answer in item.answers:
            key, kind, keys = answer.key, answer.kind, answer.keys
            if key.split(".")[0] in ruled and "." in key:
                continue
            value = given.get(key)
            if kind == "parts":
                value = value if isinstance(value, dict) else {}
                filled += [f"{where}.requirements.{key}.{part}" for part in keys if part not in value]
                dropped += [f"{where}.requirements.{key}.{p}" for p in value if p not in keys and not p.startswith("_")]
                answers[key] = {part: value.get(part, True) for part in keys}
                continue
            fits = value is True or value is False if kind == "met" else value is True or value in keys
            if not fits:
                filled.append(f"{where}.requirements.{key}")
                value = True
            answers[key] = value
        fitted["requirements"] = answers
    answer_keys = {answer.key for answer in item.answers}
    dropped += [
        f"{where}.requirements.{key}" for key in given
        if key not in answer_keys and not key.startswith("_")
    ]
    given_measures = found.get("measures") or {}
    measure_keys = {measure.key for measure in item.measures}
    if item.measures:
        fitted["measures"] = {}
        for measure in item.measures:
            value = given_measures.get(measure.key)
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and measure.low <= value <= measure.high:
                fitted["measures"][measure.key] = value
            else:
                filled.append(f"{where}.measures.{measure.key}")
                incomplete = True
    dropped += [f"{where}.measures.{key}" for key in given_measures if key not in measure_keys and not key.startswith("_")]
    if item.kind == "choices":
        choice = found.get("choice", "missing")
        if choice is None or choice in {award.key for award in item.awards}:
            fitted["choice"] = choice
        else:
            filled.append(f"{where}.choice")
            incomplete = True
    elif "choice" in found:
        dropped.append(f"{where}.choice")
    # Without the value it is scored by, the item cannot be scored.
    return ({"status": None} if incomplete else fitted) | remarks


def check_findings(findings: dict, path: str, revisions: dict) -> None:
    """Findings must fit the revision they name (`rubric.id` and `version`);
    FindingsMismatch lists why not.  `revisions`: label -> scorer."""
    if not isinstance(findings, dict):
        raise FindingsMismatch([f"{path}: expected a JSON object, the findings of docs/findings.md"])
    named = findings.get("rubric")
    named = named if isinstance(named, dict) else {}
    matching = [
        (label, scorer) for label, scorer in revisions.items()
        if named.get("id") == scorer.RUBRIC_ID and named.get("version") == scorer.RUBRIC_VERSION
    ]
    if not matching:
        known = "; ".join(f"{label} is {s.RUBRIC_ID} version {s.RUBRIC_VERSION}" for label, s in revisions.items())
        raise FindingsMismatch(
            [f"{path}: rubric.id and rubric.version name {named.get('id')!r} version {named.get('version')!r}; {known}"]
        )
    problems: list[str] = []
    for label, scorer in matching:
        # The content hash says which revision the findings were made under,
        # not whether they fit: rescoring under both is the point here.
        errors = scorer.validate(findings, partial=True, rescore=True)
        if not errors:
            return
        problems = problems or [f"{path}: {error} (against {label})" for error in errors]
    raise FindingsMismatch(problems)


def rescore(result: RevisionDiff, findings: list[tuple[str, dict]], old_scorer, new_scorer) -> RevisionDiff:
    """Score each (path, findings) under both revisions."""
    from .plan import lower

    plans = {"old": lower(result.old.rubric), "new": lower(result.new.rubric)}
    rescored = []
    for path, found in findings:
        results, dropped, filled = {}, {}, {}
        for name, scorer in (("old", old_scorer), ("new", new_scorer)):
            fitted, dropped[name], filled[name] = fit_findings(found, plans[name])
            try:
                results[name] = scorer.score(fitted, partial=True)
            except scorer.FindingsError as error:
                raise FindingsMismatch([f"{path}: cannot be scored under {name.upper()}: {e}" for e in error.errors]) from None
        rescored.append(Rescored(path, str(found.get("organization", "")), results["old"], results["new"], dropped, filled))
    return RevisionDiff(result.old, result.new, result.changes, result.sections, result.places, tuple(rescored))


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _number(value):
    """A Decimal as a JSON number: 5 stays 5, 0.5 stays 0.5."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _delta(old, new) -> str:
    if isinstance(old, (Decimal, int)) and isinstance(new, (Decimal, int)) and not isinstance(old, bool):
        change = Decimal(new) - Decimal(old)
        return f" ({'+' if change > 0 else ''}{_fmt(change)})" if change else ""
    return ""


# Fields holding the rubric's own texts, shown in quotes; the others hold
# values made up here ("percent", "50 <= completion < 100").
_TEXT_FIELDS = frozenset(
    {"title", "text", "label", "caption", "heading", "deduct text", "deduct each text", "otherwise text", "status", "clause", "version", "id", "language", "standards", "notes"}
)


def _shown(value, limit: int | None = None, quoted: bool = False) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _fmt(value)
    if isinstance(value, tuple):
        return ", ".join(_shown(v, limit, quoted) for v in value) or "none"
    text = str(value).replace("\n", "⏎")
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"' if quoted else text


_ACTION_MARKS = {"added": "+", "removed": "-", "changed": "~"}
_LIST_FIELDS = {"notes": "note", "errata": "erratum", "standards": "standard"}


def _node_label(kind: str, path: str, title: str | None) -> str:
    label = kind if kind == "rubric" else f"{kind} {path}"
    return f'{label} "{title}"' if title and kind != "rubric" else label


def _list_change(old: tuple, new: tuple) -> tuple[list, list]:
    return [x for x in old if x not in new], [x for x in new if x not in old]


# A line of the text rendering is a plain string or a tuple of pieces
# (text, role), where a role is "added", "removed" or "changed", with
# " heading" on the line that names a node.  Colouring a role is the
# caller's business: only it knows whether it writes to a terminal.
_Line = str | tuple[tuple[str, str | None], ...]
Style = Callable[[str, str], str]


def _unstyled(text: str, role: str) -> str:
    return text


def render_text(result: RevisionDiff, style: Style = _unstyled) -> str:
    """For a terminal.  Every text goes through terminal.printable before
    `style(text, role)` colours the pieces that have a role."""
    out: list[_Line] = [
        ((f"--- {result.old.path}", "removed"), (f"  ({result.old.rubric.id}, version {result.old.rubric.version})", None)),
        ((f"+++ {result.new.path}", "added"), (f"  ({result.new.rubric.id}, version {result.new.rubric.version})", None)),
        "",
    ]
    current = None
    for change in result.changes:
        mark = _ACTION_MARKS[change.action]
        heading = (change.action, change.kind, change.path)
        if heading != current:
            current = heading
            out.append(((f"{mark} {_node_label(change.kind, change.path, change.title)}", f"{change.action} heading"),))
            if change.hint:
                out.append(f"    ({change.hint})")
            if change.action != "changed":
                details = change.new if change.action == "added" else change.old
                shown = {k: v for k, v in details.items() if k not in ("title", "text", "label", "heading")}
                if shown:
                    out.append("    " + "; ".join(f"{name} {_shown(value, 60, name in _TEXT_FIELDS)}" for name, value in shown.items()))
        if change.action != "changed":
            continue
        if change.field in _LIST_FIELDS or change.field.startswith("order of"):
            if change.field.startswith("order of"):
                out.append(f"    {change.field}: {_shown(change.old)} -> {_shown(change.new)}")
                continue
            gone, came = _list_change(change.old, change.new)
            word = _LIST_FIELDS[change.field]
            quoted = change.field in _TEXT_FIELDS
            out += [((f"    - {word}: {_shown(x, 100, quoted)}", "removed"),) for x in gone]
            out += [((f"    + {word}: {_shown(x, 100, quoted)}", "added"),) for x in came]
            if not gone and not came:
                out.append(f"    {change.field}: reordered")
            continue
        quoted = change.field in _TEXT_FIELDS
        line = f"    {change.field}: {_shown(change.old, 60, quoted)} -> {_shown(change.new, 60, quoted)}{_delta(change.old, change.new)}"
        out.append(line)
        if change.reason:
            out.append(f"      erratum: {_shown(change.reason, 100)}")
    if result.equal:
        out.append("no changes: the two revisions mean the same")
    out += ["", *_totals_text(result)]
    if result.rescored:
        out += ["", *_rescored_text(result)]
    counts = result.counts()
    out += ["", f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed"]
    return "\n".join(_painted(line, style) for line in out)


def _painted(line: _Line, style: Style) -> str:
    if isinstance(line, str):
        return printable(line)
    return "".join(style(printable(text), role) if role else printable(text) for text, role in line)


def _totals_text(result: RevisionDiff) -> list[_Line]:
    old, new = result.old.rubric, result.new.rubric
    rows = [(t.key, t.old, t.new) for t in result.sections]
    old_sum = sum((t.old for t in result.sections if t.old is not None), Decimal(0))
    new_sum = sum((t.new for t in result.sections if t.new is not None), Decimal(0))
    rows += [("sections total", old_sum, new_sum), ("full marks", old.full_marks, new.full_marks), ("pass mark", old.pass_mark, new.pass_mark)]
    width = max(len(r[0]) for r in rows)
    lines: list[_Line] = [f"{'points':<{width + 2}} {'old':>7} {'new':>7} {'change':>7}"]
    for name, before, after in rows:
        change = _delta(before, after).strip(" ()") if before is not None and after is not None else ""
        line = f"  {name:<{width}} {_shown(before) if before is not None else '-':>7} {_shown(after) if after is not None else '-':>7} {change:>7}".rstrip()
        lines.append(((line, "changed"),) if change or before is None or after is None else line)
    return lines


def _score(value) -> Decimal:
    return Decimal(str(value))


def _section_changes(entry: Rescored) -> list[tuple[str, str, Decimal]]:
    """(key, title, new score - old score) of each section scored differently;
    a section only one revision has counts 0 in the other."""
    old = {s["key"]: s for s in entry.old["sections"]}
    new = {s["key"]: s for s in entry.new["sections"]}
    changes = []
    for key in [*new, *(k for k in old if k not in new)]:
        before = _score(old[key]["score"]) if key in old else Decimal(0)
        after = _score(new[key]["score"]) if key in new else Decimal(0)
        if before != after or (key in old) != (key in new):
            changes.append((key, (new.get(key) or old[key])["title"], after - before))
    return changes


def _rescored_text(result: RevisionDiff) -> list[str]:
    lines = [f"findings rescored ({len(result.rescored)}):"]
    for entry in result.rescored:
        old_total, new_total = _score(entry.old["total"]), _score(entry.new["total"])
        passed = f"passed {'yes' if entry.old['passed'] else 'no'} -> {'yes' if entry.new['passed'] else 'no'}"
        if entry.old["eligible"] != entry.new["eligible"]:
            passed += f"; eligible {'yes' if entry.old['eligible'] else 'no'} -> {'yes' if entry.new['eligible'] else 'no'}"
        lines.append(
            f"  {entry.organization or entry.path}: {_fmt(old_total)} -> {_fmt(new_total)}"
            f"{_delta(old_total, new_total) or ' (no change)'}; {passed}  [{entry.path}]"
        )
        old_sections = {s["key"]: _score(s["score"]) for s in entry.old["sections"]}
        new_sections = {s["key"]: _score(s["score"]) for s in entry.new["sections"]}
        for key, _, change in _section_changes(entry):
            before, after = old_sections.get(key), new_sections.get(key)
            lines.append(
                f"    section {key}: {_shown(before) if before is not None else '-'} -> "
                f"{_shown(after) if after is not None else '-'} ({'+' if change > 0 else ''}{_fmt(change)})"
            )
        for name in ("old", "new"):
            for key in entry.dropped[name]:
                lines.append(f"    not in {name}: {key}")
            for key in entry.filled[name]:
                lines.append(f"    newly required by {name}, not in the findings: {key}")
            not_assessed = entry.old["not_assessed"] if name == "old" else entry.new["not_assessed"]
            if not_assessed:
                lines.append(f"    not assessed under {name} (count 0): {', '.join(not_assessed)}")
    return lines


def render_json(result: RevisionDiff) -> str:
    def plain(value):
        if isinstance(value, ErratumView):
            return {"field": value.field, "printed": _number(value.printed), "reason": value.reason}
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return _number(value)

    old, new = result.old.rubric, result.new.rubric
    data = {
        "format": DIFF_FORMAT,
        "old": _revision_json(result.old),
        "new": _revision_json(result.new),
        "equal": result.equal,
        "same_version_differs": result.same_version_differs,
        "warnings": result.warnings(),
        "counts": result.counts(),
        "changes": [
            {
                "change": c.action,
                "kind": c.kind,
                "path": c.path,
                "title": c.title,
                "field": c.field,
                "old": plain(c.old),
                "new": plain(c.new),
                "reason": c.reason,
                "hint": c.hint,
            }
            for c in result.changes
        ],
        "sections": [{"key": t.key, "title": t.title, "old": plain(t.old), "new": plain(t.new)} for t in result.sections],
        "full_marks": {"old": plain(old.full_marks), "new": plain(new.full_marks)},
        "pass_mark": {"old": plain(old.pass_mark), "new": plain(new.pass_mark)},
    }
    if result.rescored:
        data["findings"] = [
            {
                "path": r.path,
                "organization": r.organization,
                "old": _result_summary(r.old),
                "new": _result_summary(r.new),
                "not_in": {"old": r.dropped["old"], "new": r.dropped["new"]},
                "newly_required": {"old": r.filled["old"], "new": r.filled["new"]},
            }
            for r in result.rescored
        ]
    return json.dumps(data, ensure_ascii=False, indent=2)


def _revision_json(revision: Revision) -> dict:
    return {
        "path": revision.path,
        "id": revision.rubric.id,
        "version": revision.rubric.version,
        "content_hash": revision.content_hash,
        "errors": revision.error_count,
    }


def _result_summary(result: dict) -> dict:
    return {
        "total": _number(_score(result["total"])),
        "passed": result["passed"],
        "eligible": result["eligible"],
        "grade": result["grade"]["key"] if result.get("grade") else None,
        "sections": {s["key"]: _number(_score(s["score"])) for s in result["sections"]},
        "not_assessed": result["not_assessed"],
        "provisional": result["provisional"],
    }


# ---- Markdown, for a revision's 编制说明 ------------------------------------

def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def render_markdown(result: RevisionDiff) -> str:
    """A section of a revision's 编制说明, escaped as text for a terminal is
    (terminal.printable): it is read there before it is pasted."""
    new = result.new.rubric
    words = diff_words(new.language)
    kinds, fields = words["kinds"], words["fields"]
    o, c = words["open"], words["close"]

    def shown(value) -> str:
        if value is None or value == ():
            return words["none"]
        if isinstance(value, bool):
            return words["yes"] if value else words["no"]
        if isinstance(value, tuple):
            return "<br>".join(shown(v) for v in value)
        if isinstance(value, ErratumView):
            printed = _fmt(value.printed) if isinstance(value.printed, Decimal) else f"“{value.printed}”"
            field_name = words["erratum_fields"].get(value.field, value.field)
            return _cell(words["erratum"].format(field=field_name, printed=printed, reason=value.reason))
        return _cell(_fmt(value))

    def numeral(number: int) -> str:
        return section_numeral(number, new.language)

    def place(change: Change) -> str:
        where = result.places.get((change.kind, change.path))
        name = kinds.get(change.kind, change.kind)
        if where is None:
            return _cell(name if change.kind == "rubric" else f"{name} `{change.path}`")
        if where.item_number is None:
            text = words["section_place"].format(numeral=numeral(where.section_number), title=where.section_title)
        else:
            text = words["item_place"].format(
                numeral=numeral(where.section_number), n=where.item_number, title=where.item_title
            )
        if change.kind not in ("section", "item"):
            inner = change.path.split(".", 2)[2]
            text += f" {name} `{inner}`"
        return _cell(text)

    out = [f"## {words['heading']}", ""]
    for name, revision in (("old", result.old), ("new", result.new)):
        out.append(
            f"- {words[name]}{words['colon']}`{revision.path}`{o}{revision.rubric.id}{'，' if o == '（' else ', '}"
            f"{words['version']} {revision.rubric.version}{c}"
        )
    if result.same_version_differs:
        out += ["", words["same version"].format(
            id=new.id, version=new.version, old=result.old.content_hash, new=result.new.content_hash
        )]
    out += ["", f"### {words['points']}", ""]
    out += [f"| {words['section']} | {words['old']} | {words['new']} | {words['change']} |", "| --- | ---: | ---: | ---: |"]
    old_sum = new_sum = Decimal(0)
    for row in result.sections:
        old_sum += row.old or 0
        new_sum += row.new or 0
        change = _delta(row.old, row.new).strip(" ()") if row.old is not None and row.new is not None else ""
        title = words["section_place"].format(numeral=numeral(row.number), title=row.title)
        out.append(
            f"| {_cell(title)} | {shown(row.old) if row.old is not None else '—'} | "
            f"{shown(row.new) if row.new is not None else '—'} | {change} |"
        )
    out.append(f"| **{words['total']}** | **{_fmt(old_sum)}** | **{_fmt(new_sum)}** | {_delta(old_sum, new_sum).strip(' ()')} |")
    out.append("")
    old = result.old.rubric
    for name, before, after in (("full marks", old.full_marks, new.full_marks), ("pass mark", old.pass_mark, new.pass_mark)):
        if before == after:
            out.append(f"- {words[name]}{words['colon']}{_fmt(after)}{o}{words['unchanged']}{c}")
        else:
            out.append(f"- {words[name]}{words['colon']}{_fmt(before)} → {_fmt(after)}")
    out += ["", f"### {words['details']}", ""]
    if result.equal:
        out.append(words["equal"])
    else:
        out += [
            f"| {words['number']} | {words['place']} | {words['what']} | {words['old']} | {words['new']} | {words['note']} |",
            "| ---: | --- | --- | --- | --- | --- |",
        ]
        for number, change in enumerate(result.changes, 1):
            if change.action == "changed":
                what = fields.get(change.field, change.field)
                before, after = shown(change.old), shown(change.new)
                if change.field in _LIST_FIELDS:
                    gone, came = _list_change(change.old, change.new)
                    before, after = shown(tuple(gone)), shown(tuple(came))
            else:
                what = words[change.action] + " " + kinds.get(change.kind, change.kind)
                title = _cell(change.title or "")
                before, after = (title, "") if change.action == "removed" else ("", title)
            note = " ".join(_cell(x) for x in (change.reason, change.hint) if x)
            out.append(f"| {number} | {place(change)} | {_cell(what)} | {before} | {after} | {note} |")
    if result.rescored:
        out += ["", f"### {words['findings']}", ""]
        out += [
            f"| {words['organization']} | {words['old']} | {words['new']} | {words['change']} | {words['passed']} "
            f"| {words['by section']} |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        numbers = {row.key: row.number for row in result.sections}
        for entry in result.rescored:
            before, after = _score(entry.old["total"]), _score(entry.new["total"])
            passed = f"{words['yes'] if entry.old['passed'] else words['no']} → {words['yes'] if entry.new['passed'] else words['no']}"
            by_section = "<br>".join(
                f"{numeral(numbers[key])}{'、' if o == '（' else '. '}{_cell(title)} {_fmt(change)}"
                for key, title, change in _section_changes(entry)
            )
            out.append(
                f"| {_cell(entry.organization or entry.path)} | {_fmt(before)} | {_fmt(after)} | "
                f"{_delta(before, after).strip(' ()')} | {passed} | {by_section} |"
            )
        keys = [
            (entry, label, key)
            for entry in result.rescored
            for name in ("old", "new")
            for label, found in (
                (words["not in"].format(name=words[name]), entry.dropped[name]),
                (words["required"].format(name=words[name]), entry.filled[name]),
            )
            for key in found
        ]
        if keys:
            out += ["", f"#### {words['keys']}", ""]
            out += [f"- {_cell(entry.organization or entry.path)}{words['colon']}{label}{words['colon']}`{key}`" for entry, label, key in keys]
    return printable("\n".join(out) + "\n")
