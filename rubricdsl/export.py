"""The model as JSON data: what `rubricdsl inspect` prints.

One plain-data view of a rubric, with dotted paths and source lines, for any
tool outside this package.  The shape is documented in the README under
"inspect"; numbers are JSON numbers (integers where whole).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from . import __version__
from . import model as m
from .numbering import section_numeral


def number(value: Decimal | None):
    """A Decimal as a JSON number: 5 stays 5, 0.5 stays 0.5."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _interval(interval: m.Interval) -> dict:
    return {
        "measure": interval.measure,
        "low": number(interval.low),
        "low_inclusive": interval.low_inclusive,
        "high": number(interval.high),
        "high_inclusive": interval.high_inclusive,
        "text": interval.describe(),
    }


def _notes(notes) -> list[str]:
    return [note.text for note in notes]


def _rule(requirement: m.Requirement) -> dict | None:
    rule = requirement.rule
    if rule is None:
        return None
    line = rule.span.line
    if isinstance(rule, m.FixedDeduction):
        return {
            "kind": "threshold" if rule.threshold else "fixed",
            "amount": number(rule.amount),
            "text": rule.text,
            "when": _interval(rule.threshold) if rule.threshold else None,
            "line": line,
        }
    if isinstance(rule, m.LevelDeduction):
        return {
            "kind": "levels",
            "text": rule.text,
            "levels": [
                {"key": lv.key, "amount": number(lv.amount), "label": lv.label, "line": lv.span.line}
                for lv in rule.levels
            ],
            "line": line,
        }
    if isinstance(rule, m.BandDeduction):
        return {
            "kind": "bands",
            "text": rule.text,
            "measure": rule.measure,
            "bands": [
                {"key": b.key, "amount": number(b.amount), "when": _interval(b.interval), "line": b.span.line}
                for b in rule.bands
            ],
            "line": line,
        }
    return {
        "kind": "each",
        "amount": number(rule.amount),
        "text": rule.text,
        "inherited": requirement.rule_inherited,
        "line": line,
    }


def _requirement(requirement: m.Requirement, path: str) -> dict:
    return {
        "key": requirement.key,
        "path": path,
        "text": requirement.text,
        "rule": _rule(requirement),
        "parts": [
            {"key": p.key, "path": f"{path}.{p.key}", "label": p.label, "line": p.span.line}
            for p in requirement.parts
        ],
        "max_deduction": number(requirement.max_deduction),
        "notes": _notes(requirement.notes),
        "line": requirement.span.line,
    }


def _each(each: m.EachMissingDeduction | None) -> dict | None:
    if each is None:
        return None
    return {"amount": number(each.amount), "text": each.text, "line": each.span.line}


def _item(item: m.Item, section_key: str) -> dict:
    path = f"{section_key}.{item.key}"
    return {
        "key": item.key,
        "path": path,
        "number": item.number,
        "title": item.title,
        "points": number(item.points),
        "kind": item.kind,
        "measures": [
            {
                "key": ms.key,
                "path": f"{path}.{ms.key}",
                "label": ms.label,
                "low": number(ms.low),
                "high": number(ms.high),
                "unit": ms.unit,
                "line": ms.span.line,
            }
            for ms in item.measures
        ],
        "each": _each(item.each),
        "requirements": [_requirement(r, f"{path}.{r.key}") for r in item.requirements],
        "groups": [
            {
                "key": g.key,
                "path": f"{path}.{g.key}",
                "heading": g.heading,
                "points": number(g.points),
                "each": _each(g.each),
                "requirements": [_requirement(r, f"{path}.{g.key}.{r.key}") for r in g.requirements],
                "max_deduction": number(g.max_deduction),
                "notes": _notes(g.notes),
                "line": g.span.line,
            }
            for g in item.groups
        ],
        "tiers": [
            {
                "key": t.key,
                "points": number(t.points),
                "text": t.text,
                "when": _interval(t.interval),
                "line": t.span.line,
            }
            for t in item.tiers
        ],
        "choices": [
            {"key": c.key, "points": number(c.points), "text": c.text, "line": c.span.line} for c in item.choices
        ],
        "otherwise": (
            {"points": number(item.otherwise.points), "label": item.otherwise.label, "line": item.otherwise.span.line}
            if item.otherwise
            else None
        ),
        "max_deduction": None if item.is_award else number(item.max_deduction),
        "notes": _notes(item.notes),
        "line": item.span.line,
    }


def to_json(rubric: m.Rubric, *, path: str, sha256: str) -> dict:
    return {
        "rubricdsl": __version__,
        "source": {"path": path, "sha256": sha256},
        "id": rubric.id,
        "title": rubric.title,
        "standards": list(rubric.standards),
        "version": rubric.version,
        "status": rubric.status,
        "language": rubric.language,
        "full_marks": number(rubric.full_marks),
        "pass_mark": number(rubric.pass_mark),
        "panel": (
            {
                "min": rubric.panel.low,
                "max": rubric.panel.high,
                "method": rubric.panel.method,
                "disagreement": number(rubric.panel.disagreement),
            }
            if rubric.panel
            else None
        ),
        "grades": [
            {"key": g.key, "label": g.label, "threshold": number(g.threshold), "line": g.span.line}
            for g in rubric.grades
        ],
        "policies": [
            {"name": p.name, "value": p.value, "clause": p.clause, "line": p.span.line} for p in rubric.policies
        ],
        "effective_policies": {name: rubric.policy(name) for name in m.POLICIES},
        "conditions": [
            {
                "key": c.key,
                "text": c.text,
                "clause": c.clause,
                "advisory": c.advisory,
                "notes": _notes(c.notes),
                "line": c.span.line,
            }
            for c in rubric.conditions
        ],
        "sections": [
            {
                "key": s.key,
                "path": s.key,
                "number": s.number,
                "numeral": section_numeral(s.number, rubric.language),
                "title": s.title,
                "caption": s.caption,
                "points": number(s.points),
                "items": [_item(item, s.key) for item in s.items],
                "notes": _notes(s.notes),
                "line": s.span.line,
            }
            for s in rubric.sections
        ],
        "errata": [
            {
                "path": record.path,
                "field": record.erratum.field,
                "printed": _value(record.erratum.printed),
                "used": _value(record.used),
                "reason": record.erratum.reason,
                "line": record.erratum.span.line,
            }
            for record in rubric.errata_records()
        ],
        "notes": _notes(rubric.notes),
        "line": rubric.span.line,
    }


def _value(value):
    return number(value) if isinstance(value, Decimal) else value


_PLACES = frozenset({"line", "source", "rubricdsl"})


def _canonical(value, fragment):
    """The model's JSON without what layout and provenance change (every
    `line`, the source and the compiler version), each float replaced by
    `fragment` (orjson.Fragment) of its repr.  Only objects and arrays are descended into (a call
    per number and text was most of a 300x plan's hash); the export holds
    no subclass of dict, list or float."""
    kind = type(value)
    if kind is dict:
        kept = {}
        for key, entry in value.items():
            if key not in _PLACES:
                entry_kind = type(entry)
                if entry_kind is dict or entry_kind is list:
                    entry = _canonical(entry, fragment)
                elif entry_kind is float:
                    entry = fragment(float.__repr__(entry))
                kept[key] = entry
        return kept
    if kind is list:
        return [
            _canonical(entry, fragment) if type(entry) is dict or type(entry) is list
            else fragment(float.__repr__(entry)) if type(entry) is float else entry
            for entry in value
        ]
    if kind is float:
        return fragment(float.__repr__(value))
    return value


def indented_json(value) -> str:
    """JSON indented by 2 (model.json, findings.schema.json, `inspect`), as
    json.dumps(indent=2, ensure_ascii=False) writes it but for tiny floats
    (1e-05 as 0.00001): json's indenting encoder is pure Python, 10x slower,
    and was a third of a 300x build."""
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")


def indented_json_pieces(value, depth: int = 2) -> Iterator[str]:
    """indented_json(value) in pieces whose concatenation is exactly it:
    the outer `depth` levels of objects and arrays piece by piece, each
    value below them written by orjson and indented where it stands (JSON
    text holds no line break but those of its indentation).  A 300x
    model.json is 38 MB; written whole it was held as bytes, as str and as
    bytes again."""
    import orjson

    option = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS

    def descended(value, depth: int) -> bool:
        kind = type(value)
        return bool(depth and value and (kind is list or (kind is dict and all(type(key) is str for key in value))))

    def whole(value, margin: str) -> str:
        text = orjson.dumps(value, option=option).decode("utf-8")
        return text.replace("\n", "\n" + margin) if margin else text

    # One piece per entry that is not descended into: the template takes
    # each piece in a loop of its own.
    def pieces(value, depth: int, margin: str):
        inner = margin + "  "
        is_dict = type(value) is dict
        yield "{\n" if is_dict else "[\n"
        last = len(value) - 1
        entries = value.items() if is_dict else enumerate(value)
        for number, (key, entry) in enumerate(entries):
            head = inner + orjson.dumps(key).decode("utf-8") + ": " if is_dict else inner
            tail = ",\n" if number < last else "\n"
            if descended(entry, depth - 1):
                yield head
                yield from pieces(entry, depth - 1, inner)
                yield tail
            else:
                yield head + whole(entry, inner) + tail
        yield margin + ("}" if is_dict else "]")

    return pieces(value, depth, "") if descended(value, depth) else iter((whole(value, ""),))


def content_hash(rubric: m.Rubric, exported: dict | None = None) -> str:
    """`sha256:` and the hash of the canonical model: what the rubric says,
    not how its file is laid out, so reformatting or a comment keeps it and
    any change of a key, point, rule, text or policy changes it.  Findings
    record it to name the exact revision they were made under.  `exported`:
    the rubric's to_json, if made already (its source is not hashed)."""
    import hashlib

    model = exported if exported is not None else to_json(rubric, path="", sha256="")
    digest = hashlib.sha256()
    for piece in _canonical_pieces(model, depth=2):
        digest.update(piece)
    return "sha256:" + digest.hexdigest()


def _canonical_encode(value) -> bytes:
    """The canonical JSON of a part of the model, as UTF-8: what
    json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",",
    ":")) writes, which the hash has always been taken of, written by orjson
    (five times faster).  The two differ only in how a float is written
    (1e-05 as 0.00001), so every float is written as json writes it, its
    repr, through orjson.Fragment; strings, ints and the keys' order
    (code points, as UTF-8 bytes sort) are alike."""
    import orjson

    return orjson.dumps(_canonical(value, orjson.Fragment), option=orjson.OPT_SORT_KEYS)


def _canonical_pieces(value, depth: int):
    """The canonical JSON of the model without places, in pieces whose
    concatenation is `_canonical_encode(value)`: the outer `depth` levels of
    objects and arrays piece by piece, what is below them whole.  A 300x
    model's canonical text is 16 MB; in pieces it is never held whole."""
    if depth and type(value) is dict:
        yield b"{"
        kept = sorted(key for key in value if key not in _PLACES)
        for number, key in enumerate(kept):
            yield (b"," if number else b"") + _canonical_encode(key) + b":"
            yield from _canonical_pieces(value[key], depth - 1)
        yield b"}"
    elif depth and type(value) is list:
        yield b"["
        for number, entry in enumerate(value):
            if number:
                yield b","
            yield from _canonical_pieces(entry, depth - 1)
        yield b"]"
    else:
        yield _canonical_encode(value)
