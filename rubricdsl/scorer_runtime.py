"""The static part of every generated scorer.py: validation, scoring of
whole findings, panels, JSON in and out, text output and the command line.

This is real Python, linted and tested as such.  A generated scorer inlines
it verbatim after the rubric's own part (its constants, tables and one
function per item), which defines the names the placeholder block below
stands in for; the build drops that block.  `rubricdsl score` runs the same
text in memory, this file's code compiled under this file's name, so tools
that trace lines see it.  Standard library only.
"""

import datetime
import json
import re
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

# -- the rubric's part defines these (placeholders for linting and import) --
if "RUBRIC_ID" not in globals():  # imported alone; after a rubric's part, its own values stand
    RUBRIC_ID = ''
    RUBRIC_VERSION = ''
    RUBRIC_TITLE = ''
    STANDARDS = ()
    SOURCE_PATH = ''
    SOURCE_SHA256 = ''
    CONTENT_HASH = ''
    COMPILER_VERSION = ''
    FINDINGS_FORMAT = 'rubricdsl-findings/1'
    RESULT_FORMAT = 'rubricdsl-result/1'
    PANEL_FORMAT = 'rubricdsl-panel/1'
    FULL_MARKS = 0
    PASS_MARK = 0
    PANEL_SIZE = None
    PANEL_METHOD = 'median'
    PANEL_DISAGREEMENT = 2
    SCALE = 1
    FULL_MARKS_UNITS = 0
    PASS_MARK_UNITS = 0
    POLICIES = {'not_applicable': {'value': 'full', 'clause': None}, 'nothing_met': {'value': 'deductions', 'clause': None}}
    EXCLUDED = False
    GRADES = ()
    CONDITIONS = ()
    SECTIONS = ()
    ITEMS = ()
    SHAPES = {}
    GROUPS = {}
    REQUIREMENT_KEYS = {}
# -- end of the rubric's part --

class FindingsError(ValueError):
    """The findings do not fit this rubric; `errors` lists every problem,
    each as 'key.path: what is wrong'.  A lone surrogate that a problem
    quotes (a key, a value) is written as its escape, so that every message
    can be printed."""

    def __init__(self, errors):
        self.errors = [_escaped(error) for error in errors]
        super().__init__('\n'.join(self.errors))


class PanelError(ValueError):
    """Results that cannot be combined (another organisation, too few for
    the method)."""


class _Invalid(Exception):
    """Raised by the fast path at anything unexpected; validate() says what."""


def _points(units):
    """Units back to points: an int when whole, else an exact Decimal."""
    if units % SCALE == 0:
        return units // SCALE
    return Decimal(units) / SCALE


def _number(value):
    """A measured value or consensus as a result number: int when whole."""
    if value == int(value):
        return int(value)
    return value.normalize() if isinstance(value, Decimal) else value


def _shown(value):
    """A number as texts print it: 45, 92.5."""
    value = _number(value)
    return format(value, 'f') if isinstance(value, Decimal) else str(value)


def _measure(value, low, high):
    """A measured value within [low, high], as int or exact Decimal."""
    if type(value) is float:
        # The shortest repr is the number as written in the JSON text.
        value = Decimal(repr(value))
    elif type(value) is Decimal:
        if not _sensible(value):
            raise _Invalid
    elif type(value) is not int:
        raise _Invalid
    if not low <= value <= high:
        raise _Invalid
    return value


# The numbers findings may hold, as written: at most MAX_DIGITS digits and
# an exponent from -MAX_EXPONENT to MAX_EXPONENT.  Anything beyond is not a
# measurement but a mistake or an attack, and reading it is what costs:
# 1e1000000 is a short text, but int() of it took a minute, and Python
# refuses to write an int of more than 4300 digits.
MAX_DIGITS = 40
MAX_EXPONENT = 400
# How deep the JSON values of findings may nest (findings themselves need
# 6 levels); deeper values are refused before anything recurses into them.
MAX_NESTING = 32


def _sensible(value):
    """Whether a Decimal is a number findings may hold: finite, with at most
    MAX_DIGITS digits and a magnitude that such a number written with an
    exponent within MAX_EXPONENT can have.  Cheap for any Decimal."""
    if not value.is_finite():
        return False
    magnitude = value.adjusted()
    if not -MAX_EXPONENT - MAX_DIGITS <= magnitude <= MAX_EXPONENT + MAX_DIGITS:
        return False
    return len(value.as_tuple().digits) <= MAX_DIGITS


_SURROGATE = re.compile('[\ud800-\udfff]')


def _is_text(value):
    """Whether a value is a str that can be written as UTF-8: JSON can
    escape half a character (a lone surrogate, "\\ud800"), Python keeps it
    in a str, and writing it out fails."""
    return type(value) is str and (value.isascii() or not _SURROGATE.search(value))


# What a reason holds when it says nothing: spaces of every kind and the
# characters one does not see (a zero-width space pasted with a word, a
# byte-order mark).  form_scoring.js holds the same class (a test keeps them equal).
_BLANK = re.compile('[\t\n\v\f\r \x1c-\x1f\x85\xa0\xad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]*')


def _blank(text):
    """Whether a text shows nothing: a reason like it gives no reason."""
    return _BLANK.fullmatch(text) is not None


def _escaped(text):
    """Text with every lone surrogate written as its JSON escape."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda found: '\\u%04x' % ord(found.group()), text)


def _not_text(value):
    """The problem of a str with a lone surrogate, for a message."""
    return 'contains a lone surrogate ' + _escaped(_SURROGATE.search(value).group()) + ', not text'


def _measured(text, measure, value):
    return text + ' (' + measure + ' = ' + _shown(value) + ')'


_DATE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')


def _is_date(text):
    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True



_NO_DEDUCTIONS = ()


def _group_rulings(found, groups):
    """An assessed item's rulings on its groups: group key -> (status,
    reason) for those not assessed; raises _Invalid at anything unexpected."""
    given = found.get('groups')
    if given is None:
        if 'groups' in found:
            raise _Invalid
        return {}
    rulings = {}
    for key, ruling in given.items():
        if key not in groups:
            raise _Invalid
        status = ruling['status']
        if status == 'assessed' and len(ruling) == 1:
            continue
        if status == 'not_applicable':
            reason = ruling['reason']
            if len(ruling) != 2 or not _is_text(reason) or _blank(reason):
                raise _Invalid
            rulings[key] = (status, reason)
        elif status == 'absent' and len(ruling) == 1:
            rulings[key] = (status, None)
        else:
            raise _Invalid
    return rulings


def _group_ruled(key, ruling, points):
    """The outcome of a group ruled not applicable or absent (8.2)."""
    status, reason = ruling
    if status == 'absent':
        return key, 'absent', 0, False, None, False, _NO_DEDUCTIONS, points
    if EXCLUDED:
        return key, 'not_applicable', 0, False, reason, False, _NO_DEDUCTIONS, 0
    return key, 'not_applicable', points, False, reason, False, _NO_DEDUCTIONS, points


# Per section: (key, title, points, its items as (path, title, points)).
# (A running count of the items before: summing the sections made so far for each was quadratic.)
_LAYOUT = []
_first = 0
for _key, _title, _points_of_section, _count in SECTIONS:
    _LAYOUT.append((_key, _title, _points_of_section, tuple(entry[:3] for entry in ITEMS[_first:_first + _count])))
    _first += _count
_LAYOUT = tuple(_LAYOUT)
_ITEM_KEYS = frozenset(SHAPES)
_CONDITION_KEYS = frozenset(key for key, _, _ in CONDITIONS)
_HEADER_KEYS = ('format', 'rubric', 'organization', 'date', 'evaluators', 'remarks', 'conditions', 'items')
_MISSING = object()
_STATUSES = ('assessed', 'not_applicable', 'absent')
# An item's remarks (docs/findings.md): texts for people, never scored.
_REMARK_KEYS = ('remark', 'requirement_remarks')
_NO_REMARKS = ('', {})


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def _checked_header(findings, partial, rescore):
    """The fast path's check of everything but the conditions and items:
    returns the content hash the findings name (or None); raises at
    anything unexpected.  (The batch's summarizer checks with it too.)"""
    if len(findings) != 8 or findings['format'] != FINDINGS_FORMAT:
        raise _Invalid
    rubric = findings['rubric']
    if rubric['id'] != RUBRIC_ID or rubric['version'] != RUBRIC_VERSION:
        raise _Invalid
    named_hash = rubric.get('content_hash')
    if len(rubric) != (2 if named_hash is None else 3):
        raise _Invalid
    if named_hash is not None and (not _is_text(named_hash) or (named_hash != CONTENT_HASH and not rescore)):
        raise _Invalid
    organization = findings['organization']
    date = findings['date']
    evaluators = findings['evaluators']
    if not (_is_text(organization) and _is_text(date) and _is_text(findings['remarks'])):
        raise _Invalid
    if not isinstance(evaluators, list):
        raise _Invalid
    for name in evaluators:
        if not _is_text(name) or not (partial or name.strip()):
            raise _Invalid
    if partial:
        if date and not _is_date(date):
            raise _Invalid
    elif not organization.strip() or not evaluators or not _is_date(date):
        raise _Invalid
    return named_hash


def _checked_conditions(conditions, partial):
    """The fast path's check of the conditions: (unmet, unmet advisory,
    unrecorded) keys; raises at anything unexpected."""
    if partial:
        for key in conditions:
            if key not in _CONDITION_KEYS:
                raise _Invalid
    elif len(conditions) != len(CONDITIONS):
        raise _Invalid
    unmet = []
    advisory_unmet = []
    unrecorded = []
    for key, _, advisory in CONDITIONS:
        fulfilled = conditions.get(key) if partial else conditions[key]
        if fulfilled is not True:
            if fulfilled is None and partial:
                unrecorded.append(key)
            elif fulfilled is not False:
                raise _Invalid
            (advisory_unmet if advisory else unmet).append(key)
    return unmet, advisory_unmet, unrecorded


def _assess(findings, partial, rescore):
    """The fast path: check and score in one pass.  Any exception means the
    findings are not exactly as docs/findings.md says (or hold notes); the
    caller then lets validate() say what.  Returns (unmet conditions,
    unmet advisory conditions, unrecorded conditions, the content hash the
    findings name (or None), one outcome per item in ITEMS order).  An
    outcome is (status, score, capped, deductions, award, reason, zeroed,
    groups, applicable points); a group's is (key, status, score, capped,
    reason, zeroed, deductions, applicable points)."""
    named_hash = _checked_header(findings, partial, rescore)
    unmet, advisory_unmet, unrecorded = _checked_conditions(findings['conditions'], partial)

    items = findings['items']
    outcomes = []
    append = outcomes.append
    remarks = {}
    if not partial:
        if len(items) != len(ITEMS):
            raise _Invalid
        for path, _, _, points, function in ITEMS:
            found = items[path]
            if 'remark' in found or 'requirement_remarks' in found:
                found, remarks[path] = _remarks_of(found, path)
            if found['status'] == 'assessed':
                append(function(found))
            else:
                append(_not_scored(found, points, False))
    else:
        for key in items:
            if key not in _ITEM_KEYS:
                raise _Invalid
        for path, _, _, points, function in ITEMS:
            found = items.get(path, _MISSING)
            if found is _MISSING:
                append(_not_assessed(points))
                continue
            if 'remark' in found or 'requirement_remarks' in found:
                found, remarks[path] = _remarks_of(found, path)
            if found['status'] == 'assessed':
                append(function(found))
            else:
                append(_not_scored(found, points, True))
    return unmet, advisory_unmet, unrecorded, named_hash, outcomes, remarks


def _remarks_of(found, path):
    """An item's findings without its remarks, and the remarks as (the
    item's, by requirement key); raises _Invalid at anything unexpected.
    Remarks never change a point: the item is scored without them."""
    remark = found.get('remark', '')
    by_requirement = found.get('requirement_remarks', {})
    if not _is_text(remark) or type(by_requirement) is not dict:
        raise _Invalid
    keys = REQUIREMENT_KEYS[path]
    for key, text in by_requirement.items():
        if key not in keys or not _is_text(text):
            raise _Invalid
    return {key: value for key, value in found.items() if key not in _REMARK_KEYS}, (remark, by_requirement)


def _not_scored(found, points, partial):
    """The outcome of an item that is not assessed by its requirements."""
    status = found['status']
    if status == 'not_applicable':
        # Clause 8.2: ruled not needed here: full points (or, by the
        # rubric's policy, left out of the maximum).
        reason = found['reason']
        if len(found) != 2 or not _is_text(reason) or _blank(reason):
            raise _Invalid
        if EXCLUDED:
            return 'not_applicable', 0, False, _NO_DEDUCTIONS, None, reason, False, None, 0
        return 'not_applicable', points, False, _NO_DEDUCTIONS, None, reason, False, None, points
    if status == 'absent' and len(found) == 1:
        # Clause 8.2: an item the organisation should have but lacks: 0.
        return 'absent', 0, False, _NO_DEDUCTIONS, None, None, False, None, points
    if status is None and partial:
        return 'not_assessed', 0, False, _NO_DEDUCTIONS, None, None, False, None, points
    raise _Invalid


def _not_assessed(points):
    return 'not_assessed', 0, False, _NO_DEDUCTIONS, None, None, False, None, points


def _checked(findings, partial, rescore):
    try:
        return _assess(findings, partial, rescore)
    except Exception:
        pass
    errors = validate(findings, partial, rescore)
    if errors:
        raise FindingsError(errors)
    # Valid, yet not as the fast path reads it: notes (keys starting with
    # '_') are the one such difference, so without them it must pass.
    try:
        return _assess(_without_notes(findings), partial, rescore)
    except Exception as error:
        raise RuntimeError('scorer bug: the findings are valid but the fast path rejects them') from error


def _without_notes(value):
    if isinstance(value, dict):
        return {key: _without_notes(inner) for key, inner in value.items() if not (isinstance(key, str) and key.startswith('_'))}
    if isinstance(value, list):
        return [_without_notes(inner) for inner in value]
    return value


def _conclusion(total, eligible):
    """The verdict (clauses 6 and 9): 'not_eligible' when a required
    condition is unmet, for an organisation that may not be evaluated
    neither passes nor fails; else 'passed' or 'failed' at the pass mark."""
    if not eligible:
        return 'not_eligible'
    return 'passed' if total >= PASS_MARK_UNITS else 'failed'


def _grade(total):
    """The last grade whose threshold the total reaches (clause 9.4)."""
    for key, label, threshold in reversed(GRADES):
        if total >= threshold:
            return {'key': key, 'label': label}
    return None


# With whole points (SCALE 1) units are the points: no conversion per number.
_WHOLE = SCALE == 1


def _deductions(deductions, by_requirement, start):
    """Deductions as the result lists them, each with the remark on its
    requirement (its key starts at `start` of its path) or ''."""
    return [
        {'path': where, 'amount': amount if _WHOLE else _points(amount), 'text': text, 'detail': detail, 'line': line,
         'remark': by_requirement.get(where[start:], '') if by_requirement else ''}
        for where, amount, text, detail, line in deductions
    ]


def _requirement_remarks(by_requirement):
    """The remarks given on an item's requirements, as given, without the
    empty ones."""
    return {key: text for key, text in by_requirement.items() if text}


def _zero_rule():
    return {'clause': POLICIES['nothing_met']['clause']}


def _groups(path, groups, by_requirement):
    start = len(path) + 1
    return [
        {
            'key': group_key, 'path': path + '.' + group_key, 'heading': heading,
            'points': _points(group_points), 'status': group_status, 'score': _points(group_score),
            'capped': group_capped, 'reason': group_reason, 'zero_rule': _zero_rule() if group_zeroed else None,
            'applicable_points': _points(group_applicable),
            'deductions': _deductions(group_deductions, by_requirement, start),
        }
        for (group_key, group_status, group_score, group_capped, group_reason, group_zeroed,
             group_deductions, group_applicable), (heading, group_points) in zip(groups, GROUPS[path])
    ]


def _total(raw, applicable):
    """The total in units and as a result number: the raw total, or, where
    not applicable items leave the maximum, rescaled to the full marks and
    rounded half up to 0.01 point (docs/findings.md)."""
    if not EXCLUDED:
        return raw, _points(raw)
    if applicable == 0:
        return FULL_MARKS_UNITS, _points(FULL_MARKS_UNITS)
    rescaled = (Decimal(raw) * FULL_MARKS_UNITS / applicable / SCALE).quantize(_CENT, rounding=ROUND_HALF_UP)
    return rescaled * SCALE, _number(rescaled)


def _warnings(named_hash):
    """What the result warns of, each {'code', 'message'} (docs/findings.md)."""
    if named_hash is None:
        return [{'code': 'no_content_hash', 'message': 'the findings name no content hash of the rubric: they are scored under '
                 + CONTENT_HASH + ' without knowing which revision they were made under'}]
    if named_hash != CONTENT_HASH:
        return [{'code': 'rescored', 'message': 'the findings were made under ' + named_hash
                 + ' and are rescored under this revision, ' + CONTENT_HASH}]
    return []


def score(findings, partial=False, rescore=False):
    """The result of docs/findings.md for one findings dict.  Raises
    FindingsError (listing every problem) when the findings do not fit.
    With partial, missing items (or status null) count 0 as not assessed and
    missing conditions count as unmet; the result is then provisional.  With
    rescore, findings made under another content of this rubric id and
    version are scored under this one (with a warning).  Numbers are int, or
    Decimal when not whole; dumps() writes them as exact JSON numbers."""
    unmet, advisory_unmet, unrecorded, named_hash, outcomes, remarks = _checked(findings, partial, rescore)
    sections = []
    not_assessed = []
    raw = 0
    applicable_total = 0
    outcome = iter(outcomes)
    whole = _WHOLE
    for key, title, points, members in _LAYOUT:
        subtotal = 0
        applicable_section = 0
        results = []
        for path, item_title, item_points in members:
            status, item_score, capped, deductions, award, reason, zeroed, groups, applicable = next(outcome)
            remark, by_requirement = remarks.get(path, _NO_REMARKS)
            subtotal += item_score
            applicable_section += applicable
            if status == 'not_assessed':
                not_assessed.append(path)
            results.append({
                'path': path,
                'title': item_title,
                'points': item_points,
                'status': status,
                'score': item_score if whole else _points(item_score),
                'capped': capped,
                'reason': reason,
                'zero_rule': _zero_rule() if zeroed else None,
                'applicable_points': applicable if whole else _points(applicable),
                'groups': _groups(path, groups, by_requirement) if groups else [],
                'deductions': _deductions(deductions, by_requirement, len(path) + 1) if deductions else [],
                'award': award,
                'remark': remark,
                'requirement_remarks': _requirement_remarks(by_requirement) if by_requirement else {},
            })
        raw += subtotal
        applicable_total += applicable_section
        sections.append({
            'key': key, 'title': title, 'points': points, 'score': _points(subtotal),
            'applicable_points': _points(applicable_section), 'items': results,
        })
    total_units, total = _total(raw, applicable_total)
    return {
        'format': RESULT_FORMAT,
        'rubric': {
            'id': RUBRIC_ID, 'version': RUBRIC_VERSION, 'title': RUBRIC_TITLE,
            'source_sha256': SOURCE_SHA256, 'content_hash': CONTENT_HASH,
        },
        'policies': {name: dict(policy) for name, policy in POLICIES.items()},
        'organization': findings['organization'],
        'date': findings['date'],
        'evaluators': list(findings['evaluators']),
        'remarks': findings['remarks'],
        'sections': sections,
        'total': total,
        'raw_total': _points(raw),
        'applicable_points': _points(applicable_total),
        'full_marks': FULL_MARKS,
        'pass_mark': PASS_MARK,
        'passed': total_units >= PASS_MARK_UNITS,
        'grade': _grade(total_units),
        'eligible': not unmet,
        'conclusion': _conclusion(total_units, not unmet),
        'unmet_conditions': unmet,
        'advisory_unmet': advisory_unmet,
        'not_assessed': not_assessed,
        'unrecorded_conditions': unrecorded,
        'provisional': bool(not_assessed or unrecorded),
        'warnings': _warnings(named_hash),
    }


def summarize(findings, partial=False, rescore=False):
    """What score() decides, without the per-item detail: organisation,
    date, section scores (key -> score), total, passed, grade, eligible,
    not assessed count, provisional.  Same checks, same arithmetic; for
    batches."""
    return _summary(findings, _checked(findings, partial, rescore))


def _summary(findings, checked):
    """summarize() of checked findings, from what _checked() returned."""
    unmet, _, unrecorded, _, outcomes, _ = checked
    section_scores = {}
    raw = 0
    applicable = 0
    start = 0
    for key, _, _, members in _LAYOUT:
        end = start + len(members)
        subtotal = 0
        for outcome in outcomes[start:end]:
            subtotal += outcome[1]
            applicable += outcome[8]
        start = end
        raw += subtotal
        section_scores[key] = _points(subtotal)
    total_units, total = _total(raw, applicable)
    not_assessed = sum(outcome[0] == 'not_assessed' for outcome in outcomes)
    return {
        'organization': findings['organization'],
        'date': findings['date'],
        'sections': section_scores,
        'total': total,
        'passed': total_units >= PASS_MARK_UNITS,
        'grade': _grade(total_units),
        'eligible': not unmet,
        'not_assessed': not_assessed,
        'provisional': bool(not_assessed or unrecorded),
    }


# ---------------------------------------------------------------------------
# Validation: every problem, each named by its key path
# ---------------------------------------------------------------------------


def _shown_value(value):
    """A value as a message quotes it, at most 60 characters, cheaply
    whatever it is (1e1000000 is not turned into an int to be shown)."""
    if isinstance(value, Decimal):
        text = _shown(value) if _sensible(value) else str(value)
    elif type(value) is int and value.bit_length() > 4 * MAX_DIGITS:
        text = 'an integer of more than ' + str(MAX_DIGITS) + ' digits'
    elif isinstance(value, _Unreadable):
        text = value.text
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            text = '<' + type(value).__name__ + '>'
    return text if len(text) <= 60 else text[:57] + '...'


def _close_match(word, words):
    """The one of `words` most like a mistyped `word`, or None.  difflib is
    imported only for a mistake: a scorer starts without it."""
    import difflib

    found = difflib.get_close_matches(word, words, n=1, cutoff=0.6)
    return found[0] if found else None


def _join(path, key):
    return key if not path else path + '.' + key


def _object(value, path, expected, required, errors, what='an object'):
    """Check that value is a dict with the expected keys (notes aside);
    report unknown keys and the missing required ones.  Returns whether
    value is a dict."""
    if not isinstance(value, dict):
        errors.append((path or 'findings') + ': expected ' + what + ', got ' + _shown_value(value))
        return False
    for key in value:
        if isinstance(key, str) and key.startswith('_'):
            continue
        if key not in expected:
            hint = _close_match(str(key), [str(k) for k in expected])
            errors.append(_join(path, str(key)) + ': unknown key' + ("; did you mean '" + hint + "'?" if hint else ''))
    for key in required:
        if key not in value:
            errors.append(_join(path, key) + ': missing')
    return True


def _expect_bool(value, path, errors, partial=False):
    if value is True or value is False or (partial and value is None):
        return
    errors.append(path + ': expected true or false, got ' + _shown_value(value))


def _one_of(keys):
    """'"a", "b" or "c"'"""
    quoted = ['"' + key + '"' for key in keys]
    return quoted[0] if len(quoted) == 1 else ', '.join(quoted[:-1]) + ' or ' + quoted[-1]


def validate(findings, partial=False, rescore=False):
    """Every way the findings differ from what this rubric expects, as
    'key.path: problem' strings in rubric order; [] when they fit."""
    errors = []
    if not _object(findings, '', _HEADER_KEYS, _HEADER_KEYS, errors, 'a JSON object'):
        return errors
    if 'format' in findings and findings['format'] != FINDINGS_FORMAT:
        errors.append('format: expected "' + FINDINGS_FORMAT + '", got ' + _shown_value(findings['format']))
    rubric = findings.get('rubric', _MISSING)
    if rubric is not _MISSING and _object(rubric, 'rubric', ('id', 'version', 'content_hash'), ('id', 'version'), errors):
        for key, expected in (('id', RUBRIC_ID), ('version', RUBRIC_VERSION)):
            if key in rubric and rubric[key] != expected:
                errors.append(
                    'rubric.' + key + ': expected ' + _shown_value(expected) + ', got ' + _shown_value(rubric[key])
                    + '; these findings are for another rubric or version'
                )
        named = rubric.get('content_hash')
        if 'content_hash' in rubric and not isinstance(named, str):
            errors.append('rubric.content_hash: expected a text, got ' + _shown_value(named))
        elif named is not None and not _is_text(named):
            errors.append('rubric.content_hash: ' + _not_text(named))
        elif named is not None and named != CONTENT_HASH and not rescore:
            errors.append(
                'rubric.content_hash: the findings were made under ' + named + ', but this rubric ' + RUBRIC_ID
                + ' ' + RUBRIC_VERSION + ' is ' + CONTENT_HASH + ': its content changed without a new version;'
                ' rescore them under this revision with --rescore (score(..., rescore=True)) if that is meant'
            )
    for key in ('organization', 'remarks'):
        value = findings.get(key, '')
        if not isinstance(value, str):
            errors.append(key + ': expected a text, got ' + _shown_value(value))
        elif not _is_text(value):
            errors.append(key + ': ' + _not_text(value))
        elif key == 'organization' and not partial and not value.strip():
            errors.append('organization: expected the organisation evaluated, got ' + _shown_value(value))
    date = findings.get('date', '')
    if not isinstance(date, str) or not _is_text(date):
        errors.append('date: expected a date YYYY-MM-DD, got ' + _shown_value(date))
    elif (date or not partial) and not _is_date(date):
        errors.append('date: expected a date YYYY-MM-DD, got ' + _shown_value(date))
    evaluators = findings.get('evaluators', ['-'])
    if not isinstance(evaluators, list):
        errors.append('evaluators: expected a list of names, got ' + _shown_value(evaluators))
    else:
        if not evaluators and not partial:
            errors.append('evaluators: expected at least one name, got []')
        for index, name in enumerate(evaluators):
            if isinstance(name, str) and not _is_text(name):
                errors.append('evaluators.' + str(index) + ': ' + _not_text(name))
            elif not isinstance(name, str) or not (partial or name.strip()):
                errors.append('evaluators.' + str(index) + ': expected a name, got ' + _shown_value(name))

    conditions = findings.get('conditions', _MISSING)
    if conditions is not _MISSING:
        keys = [key for key, _, _ in CONDITIONS]
        if _object(conditions, 'conditions', keys, () if partial else keys, errors):
            for key in keys:
                if key in conditions:
                    _expect_bool(conditions[key], 'conditions.' + key, errors, partial)

    items = findings.get('items', _MISSING)
    if items is not _MISSING and _object(items, 'items', SHAPES, () if partial else SHAPES, errors):
        for path, shape in SHAPES.items():
            if path in items:
                _validate_item(items[path], 'items.' + path, shape, REQUIREMENT_KEYS[path], partial, errors)
    return errors


_GROUP_STATUSES = ('assessed', 'not_applicable', 'absent')


def _validate_groups(rulings, path, groups, errors):
    """Check an item's group rulings; returns group key -> status for the
    groups ruled not applicable or absent."""
    ruled = {}
    if rulings is _MISSING or not _object(rulings, path, groups, (), errors):
        return ruled
    for key in groups:
        if key not in rulings:
            continue
        ruling = rulings[key]
        where = path + '.' + key
        if not isinstance(ruling, dict):
            errors.append(where + ': expected an object with "status", got ' + _shown_value(ruling))
            continue
        status = ruling.get('status', _MISSING)
        if status not in _GROUP_STATUSES:
            errors.append(where + '.status: expected ' + _one_of(_GROUP_STATUSES) + ', got '
                          + ('nothing' if status is _MISSING else _shown_value(status)))
            continue
        if status == 'not_applicable':
            _object(ruling, where, ('status', 'reason'), ('status', 'reason'), errors)
            reason = ruling.get('reason', 'given')
            if isinstance(reason, str) and not _is_text(reason):
                errors.append(where + '.reason: ' + _not_text(reason))
            elif not isinstance(reason, str) or _blank(reason):
                errors.append(where + ".reason: expected the panel's reason (a text), got " + _shown_value(reason))
        else:
            _object(ruling, where, ('status',), ('status',), errors)
        if status != 'assessed':
            ruled[key] = status
    return ruled


def _expect_text(value, path, errors):
    if not isinstance(value, str):
        errors.append(path + ': expected a text, got ' + _shown_value(value))
    elif not _is_text(value):
        errors.append(path + ': ' + _not_text(value))


def _validate_remarks(found, path, requirement_keys, errors):
    """Check an item's remarks: allowed whatever its status, on every
    requirement (those a measure decides and those of a group ruled out
    included)."""
    if 'remark' in found:
        _expect_text(found['remark'], path + '.remark', errors)
    given = found.get('requirement_remarks', _MISSING)
    where = path + '.requirement_remarks'
    if given is not _MISSING and _object(given, where, requirement_keys, (), errors, 'an object of requirement -> text'):
        for key in requirement_keys:
            if key in given:
                _expect_text(given[key], where + '.' + key, errors)


def _validate_item(found, path, shape, requirement_keys, partial, errors):
    if not isinstance(found, dict):
        errors.append(path + ': expected an object with "status", got ' + _shown_value(found))
        return
    _validate_remarks(found, path, requirement_keys, errors)
    found = {key: value for key, value in found.items() if key not in _REMARK_KEYS}
    status = found.get('status', _MISSING)
    if status is _MISSING:
        errors.append(path + '.status: missing; expected ' + _one_of(_STATUSES))
        return
    if status is None and partial:
        return  # not assessed yet: the rest are blanks
    if status not in _STATUSES:
        errors.append(path + '.status: expected ' + _one_of(_STATUSES) + ', got ' + _shown_value(status))
        return
    if status in ('not_applicable', 'absent'):
        # Answers under a ruling are a slip worth naming as such, not as an
        # unknown key: the evaluator assessed the item, then ruled it.
        for key in ('requirements', 'measures', 'choice', 'groups'):
            if key in found:
                errors.append(path + '.' + key + ': not answered for an item ruled ' + status
                              + '; remove it, or set "status": "assessed"')
        found = {key: value for key, value in found.items() if key not in ('requirements', 'measures', 'choice', 'groups')}
    if status == 'not_applicable':
        _object(found, path, ('status', 'reason'), ('status', 'reason'), errors)
        reason = found.get('reason', 'given')
        if isinstance(reason, str) and not _is_text(reason):
            errors.append(path + '.reason: ' + _not_text(reason))
        elif not isinstance(reason, str) or _blank(reason):
            errors.append(path + ".reason: expected the panel's reason (a text), got " + _shown_value(reason))
        return
    if status == 'absent':
        _object(found, path, ('status',), ('status',), errors)
        return
    groups = shape.get('groups', ())
    keys = tuple(key for key in shape if key != 'groups')
    _object(found, path, ('status',) + keys + (('groups',) if groups else ()), ('status',) + keys, errors)
    ruled = _validate_groups(found.get('groups', _MISSING), path + '.groups', groups, errors) if groups else {}
    answers = found.get('requirements', _MISSING)
    if 'requirements' in shape and answers is not _MISSING:
        expected = {key: kind for key, kind in shape['requirements'].items() if key.split('.')[0] not in ruled}
        if isinstance(answers, dict):
            for key in answers:
                group = key.split('.')[0] if isinstance(key, str) else None
                if group in ruled and key in shape['requirements']:
                    errors.append(path + '.requirements.' + key + ': group ' + group + ' is ruled ' + ruled[group]
                                  + '; its requirements are not answered')
        if _object(answers, path + '.requirements', shape['requirements'], expected, errors):
            for key, kind in expected.items():
                if key not in answers:
                    continue
                value = answers[key]
                where = path + '.requirements.' + key
                if kind[0] == 'met':
                    _expect_bool(value, where, errors)
                elif kind[0] == 'levels':
                    if value is not True and value not in kind[1]:
                        errors.append(where + ': expected true or a level: ' + _one_of(kind[1]) + ', got ' + _shown_value(value))
                elif _object(value, where, kind[1], kind[1], errors, 'an object of parts'):
                    for part in kind[1]:
                        if part in value:
                            _expect_bool(value[part], where + '.' + part, errors)
    measures = found.get('measures', _MISSING)
    if 'measures' in shape and measures is not _MISSING:
        expected = shape['measures']
        if _object(measures, path + '.measures', expected, expected, errors):
            for key, (low, high) in expected.items():
                if key not in measures:
                    continue
                value = measures[key]
                where = path + '.measures.' + key
                if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                    errors.append(where + ': expected a number, got ' + _shown_value(value))
                    continue
                if isinstance(value, Decimal) and value.is_finite() and not _sensible(value):
                    errors.append(where + ': ' + _shown_value(value) + ' ' + _BEYOND)
                    continue
                try:
                    _measure(value, low, high)
                except (_Invalid, ArithmeticError):
                    errors.append(where + ': ' + _shown_value(value) + ' is outside ' + _shown(low) + ' to ' + _shown(high))
    if 'choice' in shape and 'choice' in found:
        value = found['choice']
        if value is not None and value not in shape['choice']:
            errors.append(path + '.choice: expected null or a choice: ' + _one_of(shape['choice']) + ', got ' + _shown_value(value))


# ---------------------------------------------------------------------------
# A panel (clause 5.2): several evaluators' results for one organisation
# ---------------------------------------------------------------------------

METHODS = ('median', 'mean', 'trimmed-mean')
_CENT = Decimal('0.01')


def _consensus(values, method):
    """Median (the mean of the middle two for an even count), or the mean,
    or the mean without one highest and one lowest value; a mean is rounded
    half up to 0.01 point.  Trimmed with fewer than 3 values: the mean."""
    values = sorted(Decimal(value) for value in values)
    if method == 'median':
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / 2
    if method == 'trimmed-mean' and len(values) >= 3:
        values = values[1:-1]
    return (sum(values) / len(values)).quantize(_CENT, rounding=ROUND_HALF_UP)


def combine(results, method='median', disagreement=2):
    """The panel's consensus from each member's score() result.

    Per item: the consensus (see _consensus) of the item scores of the
    members who assessed it; not assessed by anyone: 0.  Sections and the
    total are sums of the consensus item scores; passed and grade follow from
    that total.  An item's zero rule holds when more than half of the
    members who assessed it applied it; an item with groups carries them,
    each with its consensus and every member's score, status and reason.
    A condition's votes are True, False or None (not recorded by that
    member); it holds when more than half of ALL members found it
    fulfilled.  An item is a disagreement when its scores spread by more than
    `disagreement` points or the members gave it (or one of its groups)
    different statuses (one ruled it not applicable, another did not); a
    condition when the members who recorded it differ."""
    if method not in METHODS:
        raise PanelError('unknown method ' + repr(method) + '; one of ' + ', '.join(METHODS))
    if not results:
        raise PanelError('a panel needs at least one result')
    if method == 'trimmed-mean' and len(results) < 3:
        raise PanelError('trimmed-mean drops the highest and the lowest score: it needs at least 3 results, got ' + str(len(results)))
    threshold = Decimal(disagreement)
    organizations = []
    for result in results:
        if result.get('format') != RESULT_FORMAT or result.get('rubric', {}).get('id') != RUBRIC_ID:
            raise PanelError('not a result of this scorer: ' + _shown_value(result.get('format')))
        if result['organization'].strip() and result['organization'] not in organizations:
            organizations.append(result['organization'])
    if len(organizations) > 1:
        raise PanelError('the results are for different organisations: ' + ', '.join(map(_shown_value, organizations)))

    disagreements = []
    sections = []
    not_assessed = []
    total = Decimal(0)
    for index, (key, title, points, _) in enumerate(SECTIONS):
        subtotal = Decimal(0)
        items = []
        for position, item in enumerate(results[0]['sections'][index]['items']):
            members = [result['sections'][index]['items'][position] for result in results]
            statuses = [member['status'] for member in members]
            scores = [member['score'] for member in members]
            ruled = [member for member in members if member['status'] != 'not_assessed']
            assessed = [member for member in members if member['status'] == 'assessed']
            groups = _panel_groups(item['path'], members, method) if assessed and item['path'] in GROUPS else []
            group_statuses = [
                {'key': group['key'], 'path': group['path'], 'statuses': group['statuses']}
                for group in groups
                if len({s for s, m in zip(group['statuses'], members) if m['status'] == 'assessed'}) > 1
            ]
            if ruled:
                consensus = _consensus([member['score'] for member in ruled], method)
                spread = max(Decimal(m['score']) for m in ruled) - min(Decimal(m['score']) for m in ruled)
                status_differs = len({m['status'] for m in ruled}) > 1
                status = ruled[0]['status'] if not status_differs else 'mixed'
                status_differs = status_differs or bool(group_statuses)
            else:
                consensus, spread, status_differs, status = Decimal(0), Decimal(0), False, 'not_assessed'
                not_assessed.append(item['path'])
            if spread > threshold or status_differs:
                disagreements.append({
                    'kind': 'item', 'path': item['path'], 'spread': _number(spread),
                    'status_differs': status_differs, 'scores': scores, 'statuses': statuses,
                    'group_statuses': group_statuses,
                })
            subtotal += consensus
            zero_rule, zero_rule_members = _panel_zero_rule(assessed)
            items.append({
                'path': item['path'], 'title': item['title'], 'points': item['points'], 'status': status,
                'score': _number(consensus), 'scores': scores, 'statuses': statuses,
                'reasons': [member['reason'] for member in members],
                'zero_rule': zero_rule, 'zero_rule_members': zero_rule_members,
                'groups': groups,
                'deductions': _panel_deductions(members),
                'remarks': [member.get('remark', '') for member in members],
                'requirement_remarks': [dict(member.get('requirement_remarks', {})) for member in members],
            })
        total += subtotal
        sections.append({'key': key, 'title': title, 'points': points, 'score': _number(subtotal), 'items': items})

    conditions = []
    unmet = []
    advisory_unmet = []
    for key, _, advisory in CONDITIONS:
        # A vote is True (fulfilled), False (not) or None: the member did
        # not record the condition (it is in their unrecorded_conditions).
        votes = [
            None if key in result.get('unrecorded_conditions', ())
            else key not in result['unmet_conditions'] and key not in result['advisory_unmet']
            for result in results
        ]
        yes = sum(vote is True for vote in votes)
        # More than half of ALL members must find it fulfilled: a tie is
        # not fulfilled, and an unrecorded vote counts as no yes.
        met = yes * 2 > len(votes)
        conditions.append({'key': key, 'advisory': advisory, 'met': met, 'votes': votes, 'tie': yes * 2 == len(votes)})
        if not met:
            (advisory_unmet if advisory else unmet).append(key)
        if len({vote for vote in votes if vote is not None}) > 1:
            disagreements.append({'kind': 'condition', 'path': 'conditions.' + key, 'votes': votes})

    evaluators, persons = [], set()
    for result in results:
        for name in result['evaluators']:
            if _person(name) not in persons:
                persons.add(_person(name))
                evaluators.append(name)
    dates = sorted(result['date'] for result in results if result['date'])
    total_units = total * SCALE
    return {
        'format': PANEL_FORMAT,
        'rubric': dict(results[0]['rubric']),
        'organization': organizations[0] if organizations else '',
        'date': dates[-1] if dates else '',
        'evaluators': evaluators,
        'method': method,
        'disagreement_threshold': _number(threshold),
        'members': [
            {
                'evaluators': list(result['evaluators']), 'date': result['date'], 'remarks': result['remarks'],
                'total': result['total'], 'passed': result['passed'], 'eligible': result['eligible'],
            }
            for result in results
        ],
        'panel_size': {
            'evaluators': len(evaluators),
            'expected': list(PANEL_SIZE) if PANEL_SIZE else None,
            'ok': PANEL_SIZE is None or PANEL_SIZE[0] <= len(evaluators) <= PANEL_SIZE[1],
        },
        'sections': sections,
        'total': _number(total),
        'full_marks': FULL_MARKS,
        'pass_mark': PASS_MARK,
        'passed': total_units >= PASS_MARK_UNITS,
        'grade': _grade(total_units),
        'eligible': not unmet,
        'conclusion': _conclusion(total_units, not unmet),
        'unmet_conditions': unmet,
        'advisory_unmet': advisory_unmet,
        'conditions': conditions,
        'not_assessed': not_assessed,
        'unrecorded_conditions': [key for key, _, _ in CONDITIONS
                                  if any(key in result.get('unrecorded_conditions', ()) for result in results)],
        'provisional': any(result.get('provisional') for result in results) or bool(not_assessed),
        'warnings': [warning for position, result in enumerate(results) for warning in result.get('warnings', ())
                     if warning not in [w for earlier in results[:position] for w in earlier.get('warnings', ())]],
        'disagreements': disagreements,
        'results': results,
    }


def _majority_zero_rule(zero_rules):
    """The zero rule of a panel item or group, and how many members applied
    it: the rule when more than half of the members who assessed it did."""
    applied = [zero_rule for zero_rule in zero_rules if zero_rule]
    if applied and len(applied) * 2 > len(zero_rules):
        return dict(applied[0]), len(applied)
    return None, len(applied)


def _panel_zero_rule(assessed):
    return _majority_zero_rule([member['zero_rule'] for member in assessed])


def _panel_groups(path, members, method):
    """An item's groups across the panel: per group the consensus of the
    group scores of the members who assessed the item, and per member the
    score, status and reason (a member who did not assess the item: score
    null, the item's status, reason null)."""
    groups = []
    for position, (heading, group_points) in enumerate(GROUPS[path]):
        own = [member['groups'][position] if member['status'] == 'assessed' and len(member.get('groups') or ()) > position
               else None for member in members]
        ruled = [group for group in own if group is not None]
        if not ruled:
            return []
        zero_rule, zero_rule_members = _majority_zero_rule(
            [group['zero_rule'] for group in ruled if group['status'] == 'assessed'])
        groups.append({
            'key': ruled[0]['key'], 'path': ruled[0]['path'], 'heading': heading, 'points': _points(group_points),
            'score': _number(_consensus([group['score'] for group in ruled], method)),
            'scores': [group['score'] if group else None for group in own],
            'statuses': [group['status'] if group else member['status'] for group, member in zip(own, members)],
            'reasons': [group['reason'] if group else None for group in own],
            'zero_rule': zero_rule, 'zero_rule_members': zero_rule_members,
        })
    return groups


def _panel_deductions(members):
    """Every deduction any member made on an item, once, with how many
    members made it: (path, detail) names a deduction.  `remarks` holds, by
    member, the remark that member wrote on its requirement ('' for none)."""
    found = {}
    start = len(members[0]['path']) + 1
    for member in members:
        for deduction in member.get('deductions', ()):
            key = (deduction['path'], deduction['detail'])
            if key in found:
                found[key]['members'] += 1
            else:
                found[key] = {name: value for name, value in deduction.items() if name != 'remark'}
                found[key]['members'] = 1
    for deduction in found.values():
        requirement = deduction['path'][start:]
        deduction['remarks'] = [member.get('requirement_remarks', {}).get(requirement, '') for member in members]
    return list(found.values())


def _canonical(findings):
    return json.dumps(_without_notes(findings), sort_keys=True, ensure_ascii=False, default=str)


def _person(name):
    """Who a name names, for counting members (clause 5.2): two spellings
    that read alike are one person: full-width and half-width letters, any
    space, an invisible character (a zero-width space pasted with a name)."""
    folded = unicodedata.normalize('NFKC', name)
    return ''.join(ch for ch in folded if not unicodedata.category(ch).startswith(('C', 'Z')) and not ch.isspace()).casefold()


def _shown_name(name):
    """A name for a message, each character one does not see (a control,
    format or space character but the plain space) written as its code
    point, 王<U+200B>五, so that two names that look alike are told apart."""
    return ''.join('<U+%04X>' % ord(ch) if unicodedata.category(ch).startswith(('C', 'Z')) and ch != ' ' else ch
                   for ch in name)


def _spelt(first, other):
    """How an earlier spelling of the same person differs, if it does."""
    return '' if first.strip() == other.strip() else ' as ' + _shown_name(first.strip())


def check_panel(named_findings):
    """Problems with a panel's findings, given as (name, findings) pairs:
    the same findings twice, or one evaluator in two files.  Clause 5.2
    counts each evaluator once."""
    problems = []
    seen_content = {}
    seen_names = {}
    for name, findings in named_findings:
        content = _canonical(findings)
        if content in seen_content:
            problems.append(name + ': the same findings as ' + seen_content[content] + '; each evaluator is counted once')
            continue
        seen_content[content] = name
        for evaluator in findings.get('evaluators', ()):
            person = _person(evaluator) if isinstance(evaluator, str) else evaluator
            if not person:
                continue
            if person in seen_names and seen_names[person][0] != name:
                problems.append(name + ': evaluator ' + _shown_name(evaluator.strip()) + ' is also named by '
                                + seen_names[person][0] + _spelt(seen_names[person][1], evaluator)
                                + '; each evaluator is counted once')
            seen_names.setdefault(person, (name, evaluator))
    return problems


# ---------------------------------------------------------------------------
# Reading findings, writing results
# ---------------------------------------------------------------------------


class _Unreadable:
    """A JSON value the reader refuses (NaN, a number beyond MAX_DIGITS or
    MAX_EXPONENT), left where it stands so that _unreadable() names its key
    path; nothing converts the text."""

    __slots__ = ('text', 'problem')

    def __init__(self, text, problem):
        self.text = text if len(text) <= 30 else text[:12] + '...(' + str(len(text)) + ' characters)'
        self.problem = problem


_BEYOND = ('is refused: a number in findings has at most ' + str(MAX_DIGITS) + ' digits and an exponent from -'
           + str(MAX_EXPONENT) + ' to ' + str(MAX_EXPONENT))


def _read_number(text, convert):
    """A JSON number's text as `convert` makes it, or _Unreadable: the digits
    and the exponent are counted on the text, before any conversion."""
    mantissa, _, exponent = text.lower().partition('e')
    digits = len(mantissa) - mantissa.startswith('-') - ('.' in mantissa)
    if digits > MAX_DIGITS:
        return _Unreadable(text, _BEYOND)
    if exponent:
        size = exponent.lstrip('+-').lstrip('0')
        if len(size) > len(str(MAX_EXPONENT)) or int(size or '0') > MAX_EXPONENT:
            return _Unreadable(text, _BEYOND)
    return convert(text)


def _read_float(text):
    return _read_number(text, Decimal)


def _read_int(text):
    return _read_number(text, int)


def _read_constant(name):
    return _Unreadable(name, 'is not a number JSON allows')


# Numbers with a fraction become exact Decimals.  A key given twice in one
# object keeps its last value, as JSON.parse does in a browser.
_DECODER = json.JSONDecoder(parse_float=_read_float, parse_int=_read_int, parse_constant=_read_constant)


def _unreadable(findings):
    """What the reader refuses in decoded findings, wherever it stands
    (notes included), each 'key.path: problem': a text or key with a lone
    surrogate, NaN or Infinity, a number beyond MAX_DIGITS or MAX_EXPONENT,
    values nested deeper than MAX_NESTING.  Walks without recursing, and
    builds a path only for what it goes into or reports."""
    if type(findings) is not dict and type(findings) is not list:
        problem = _refused_leaf(findings)
        return ['findings: ' + problem] if problem else []
    problems = []
    stack = [(findings, '', 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_NESTING:
            problems.append((path or 'findings') + ': nested deeper than ' + str(MAX_NESTING) + ' levels')
            continue
        if type(value) is dict:
            members = value.items()
        else:
            members = enumerate(value)
        inner_values = []
        for key, inner in members:
            if type(key) is str and not (key.isascii() or _is_text(key)):
                problems.append(_join(path, key) + ': the key ' + _not_text(key))
            kind = type(inner)
            if kind is dict or kind is list:
                inner_values.append((inner, _join(path, str(key)), depth + 1))
            elif (kind is str and not inner.isascii()) or kind is _Unreadable:
                problem = _refused_leaf(inner)
                if problem:
                    problems.append(_join(path, str(key)) + ': ' + problem)
        stack += reversed(inner_values)
    return problems


def _refused_leaf(value):
    """Why the reader refuses a value that holds no other, or None."""
    if type(value) is str and not _is_text(value):
        return _not_text(value)
    if type(value) is _Unreadable:
        return value.text + ' ' + value.problem
    return None


_STRUCTURE = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[\[\]{},]')


def _deep_path(text):
    """Where JSON text nests deeper than MAX_NESTING, as a key path, or
    None: for text too deep for the json module to decode at all."""
    path = []
    for token in _STRUCTURE.finditer(text):
        mark = token.group()
        if mark[0] == '"':
            if token.group(2) and path:
                try:
                    path[-1] = json.loads('"' + token.group(1) + '"')
                except ValueError:
                    path[-1] = token.group(1)
        elif mark in '[{':
            if len(path) >= MAX_NESTING:
                return '.'.join(str(key) for key in path) or 'findings'
            path.append(0 if mark == '[' else '')
        elif mark in ']}':
            if path:
                path.pop()
        elif path and type(path[-1]) is int:
            path[-1] += 1
    return None


def parse_findings(text, source='<findings>'):
    """JSON text (str, or UTF-8 bytes) -> findings.  Raises FindingsError
    naming the source, line and column, or the key path of what cannot be
    read (see _unreadable)."""
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as error:
            raise FindingsError([source + ': not UTF-8 text (byte ' + str(error.start) + ')']) from None
    if text.startswith('\ufeff'):
        text = text[1:]
    try:
        findings = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise FindingsError([source + ':' + str(error.lineno) + ':' + str(error.colno) + ': invalid JSON: ' + error.msg]) from None
    except RecursionError:
        deep = _deep_path(text)
        raise FindingsError([source + ': ' + (deep or 'findings') + ': nested deeper than ' + str(MAX_NESTING) + ' levels']) from None
    except ValueError as error:
        raise FindingsError([source + ': invalid JSON: ' + str(error)]) from None
    problems = _unreadable(findings)
    if problems:
        raise FindingsError([source + ': ' + problem for problem in problems])
    return findings


def _dump(value, indent, level, out):
    if isinstance(value, dict):
        if not value:
            out.append('{}')
            return
        inner = '\n' + ' ' * (indent * (level + 1)) if indent is not None else ''
        out.append('{')
        for position, (key, member) in enumerate(value.items()):
            out.append((',' if indent is not None else ', ') if position else '')
            out.append(inner + json.dumps(str(key), ensure_ascii=False) + ': ')
            _dump(member, indent, level + 1, out)
        out.append(('\n' + ' ' * (indent * level) if indent is not None else '') + '}')
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append('[]')
            return
        inner = '\n' + ' ' * (indent * (level + 1)) if indent is not None else ''
        out.append('[')
        for position, member in enumerate(value):
            out.append((',' if indent is not None else ', ') if position else '')
            out.append(inner)
            _dump(member, indent, level + 1, out)
        out.append(('\n' + ' ' * (indent * level) if indent is not None else '') + ']')
    elif isinstance(value, Decimal):
        out.append(_shown(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(result, indent=2):
    """A result as JSON text; Decimals are written with their exact digits."""
    out = []
    _dump(result, indent, 0, out)
    return ''.join(out)


def _member_scores(scores, statuses):
    """Per-member scores as texts print them: '—' for a member who did not
    assess (or, in a group, did not assess the item)."""
    return ', '.join('—' if score is None or status == 'not_assessed' else _shown(score)
                     for score, status in zip(scores, statuses))


def reason_counts(reasons):
    """Each distinct reason given, once, with how many gave it."""
    counted = {}
    for reason in reasons:
        if reason:
            counted[reason] = counted.get(reason, 0) + 1
    return list(counted.items())


def undecided_conditions(result):
    """The unmet conditions (advisory or not) that are unmet only for want
    of a record: in one result those not recorded; in a panel those whose
    unrecorded votes, were they yes, would make more than half."""
    if result['format'] != PANEL_FORMAT:
        return [key for key in result.get('unrecorded_conditions', ())]
    return [
        entry['key'] for entry in result.get('conditions', ())
        if not entry['met'] and None in entry['votes']
        and (sum(vote is True for vote in entry['votes']) + entry['votes'].count(None)) * 2 > len(entry['votes'])
    ]


def eligibility_provisional(result):
    """Whether the result is not eligible only for want of records: every
    unmet condition is undecided (see undecided_conditions)."""
    undecided = set(undecided_conditions(result))
    return not result['eligible'] and all(key in undecided for key in result['unmet_conditions'])


def _group_lines(group, item, panel, deductions, excluded, members):
    count = len(item['scores']) if panel else 0
    text = '      group ' + group['key'] + ': ' + _shown(group['score']) + ' / ' + _shown(group['points'])
    if panel:
        text += '  (' + _member_scores(group['scores'], group['statuses']) + ')'
        if len(set(group['statuses'])) > 1:
            text += ' [' + ', '.join(group['statuses']) + ']'
        elif group['statuses'][0] != 'assessed':
            text += ' [' + group['statuses'][0] + ']'
    elif group['status'] == 'not_applicable':
        text += ' [not_applicable: ' + ('excluded from the maximum' if excluded else 'full points') + ']'
    elif group['status'] != 'assessed':
        text += ' [' + group['status'] + ']'
    if group['zero_rule']:
        text += ' ' + _zero_rule_text(group['zero_rule'])
        if panel:
            text += ' [' + str(group['zero_rule_members']) + ' of ' + str(count) + ' members]'
    lines = [text]
    if panel:
        for reason, given in reason_counts(group['reasons']):
            lines.append('        reason: ' + reason + ' [' + str(given) + ' of ' + str(count) + ' members]')
    elif group['reason']:
        lines.append('        reason: ' + group['reason'])
    for deduction in deductions:
        lines += ['  ' + line for line in _deduction_lines(deduction, item, members)]
    return lines


def _deduction_lines(deduction, item, members):
    # The path names the requirement: one printed text ("每缺一项扣3分") may
    # stand for several of an item's requirements.
    text = '      -' + _shown(deduction['amount']) + ' ' + deduction['text'] + '  [' + deduction['path'] + ']'
    if deduction['detail']:
        text += ' (' + deduction['detail'] + ')'
    if 'members' in deduction:
        text += ' [' + str(deduction['members']) + ' of ' + str(len(item['scores'])) + ' members]'
    given = deduction['remarks'] if 'remarks' in deduction else [deduction.get('remark', '')]
    return [text] + _remark_lines(given, members, '          ')


def _remark_lines(given, members, indent, on=''):
    """Remarks as the text prints them, whole: one per member in a panel
    (named), none for a blank one."""
    lines = []
    for who, text in zip(members or [''], given):
        if text and text.strip():
            label = 'remark' + (' on ' + on if on else '') + (' (' + who + ')' if who else '')
            lines.append(indent + label + ': ' + ('\n' + indent + '    ').join(text.splitlines()))
    return lines


def _item_remark_lines(item, members):
    """An item's own remarks, then those on requirements without a deduction."""
    if 'scores' in item:
        own, by_member = item.get('remarks', ()), item.get('requirement_remarks', ())
    else:
        own, by_member = [item.get('remark', '')], [item.get('requirement_remarks', {})]
    lines = _remark_lines(own, members, '      ')
    deducted = {deduction['path'] for deduction in item.get('deductions', ())}
    for position, given in enumerate(by_member):
        who = [members[position]] if members else []
        for key, text in given.items():
            if item['path'] + '.' + key not in deducted:
                lines += _remark_lines([text], who, '      ', key)
    return lines


def group_deductions(item):
    """An item's deductions split by group: (group -> its deductions in
    order, the deductions of no group).  A deduction is its group's when its
    path starts with the group's path."""
    by_group = {group['path']: [] for group in item.get('groups', ())}
    rest = []
    for deduction in item.get('deductions', ()):
        for path, found in by_group.items():
            if deduction['path'].startswith(path + '.'):
                found.append(deduction)
                break
        else:
            rest.append(deduction)
    return by_group, rest


def format_text(result):
    """A plain listing of a result or a panel result, for the terminal."""
    panel = result['format'] == PANEL_FORMAT
    excluded = result.get('policies', POLICIES)['not_applicable']['value'] == 'excluded'
    members = [', '.join(member['evaluators']) or 'member ' + str(index)
               for index, member in enumerate(result.get('members', ()), 1)]
    lines = [RUBRIC_TITLE + ' (' + RUBRIC_ID + ', ' + RUBRIC_VERSION + ')']
    lines.append('Organisation: ' + result['organization'] + '   Date: ' + result['date'])
    lines.append('Evaluators: ' + ', '.join(result['evaluators']))
    if panel:
        lines.append('Panel consensus: ' + result['method'] + ' of ' + str(len(result['members'])) + ' results')
    for section in result['sections']:
        lines.append('')
        lines.append(section['title'] + ': ' + _shown(section['score']) + ' / ' + _shown(section['points']))
        for item in section['items']:
            line = '  ' + item['path'] + ' ' + item['title'] + ': ' + _shown(item['score']) + ' / ' + _shown(item['points'])
            if item['status'] != 'assessed':
                line += ' [' + item['status'] + ']'
            if 'scores' in item:
                line += '  (' + _member_scores(item['scores'], item['statuses']) + ')'
            lines.append(line)
            count = len(item['scores']) if panel else 0
            if panel:
                for reason, given in reason_counts(item.get('reasons', ())):
                    lines.append('      reason: ' + reason + ' [' + str(given) + ' of ' + str(count) + ' members]')
            elif item.get('reason'):
                lines.append('      reason: ' + item['reason'])
            lines += _item_remark_lines(item, members)
            by_group, rest = group_deductions(item)
            for group in item.get('groups', ()):
                lines += _group_lines(group, item, panel, by_group[group['path']], excluded, members)
            for deduction in rest:
                lines += _deduction_lines(deduction, item, members)
            if item.get('zero_rule') and not item.get('groups'):
                lines.append('      ' + _zero_rule_text(item['zero_rule'])
                             + (' [' + str(item['zero_rule_members']) + ' of ' + str(count) + ' members]' if panel else ''))
            if item.get('capped'):
                lines.append('      capped at the item points')
    lines.append('')
    if result.get('raw_total', result['total']) != result['total'] or result.get('applicable_points', result['full_marks']) != result['full_marks']:
        lines.append('Raw total: ' + _shown(result['raw_total']) + ' of ' + _shown(result['applicable_points'])
                     + ' applicable points, rescaled to the full marks')
    verdict = {'passed': 'PASSED', 'failed': 'NOT PASSED', 'not_eligible': 'NOT ELIGIBLE'}[result['conclusion']]
    if result.get('provisional'):
        verdict = 'PROVISIONAL (暂定): ' + verdict + ' so far, not everything is assessed'
    lines.append('Total: ' + _shown(result['total']) + ' / ' + _shown(result['full_marks'])
                 + '   pass mark ' + _shown(result['pass_mark']) + ': ' + verdict)
    if result['grade'] is not None:
        lines.append('Grade: ' + result['grade']['label'])
    undecided = set(undecided_conditions(result))
    unmet = [key for key in result['unmet_conditions'] if key not in undecided]
    advisory_unmet = [key for key in result['advisory_unmet'] if key not in undecided]
    if result['eligible']:
        lines.append('Eligible: yes')
    elif eligibility_provisional(result):
        lines.append('Eligible: PROVISIONAL (暂定): no so far, conditions are not recorded yet')
    else:
        lines.append('Eligible: no, unmet: ' + ', '.join(unmet))
    if advisory_unmet:
        lines.append('Advisory conditions unmet: ' + ', '.join(advisory_unmet))
    if result['not_assessed']:
        lines.append('Not assessed: ' + ', '.join(result['not_assessed']))
    if result.get('unrecorded_conditions'):
        lines.append('Conditions not recorded: ' + ', '.join(result['unrecorded_conditions']))
    for condition in result.get('conditions', ()):
        if condition['tie']:
            lines.append('Tie: ' + condition['key'] + ' has as many yes as no votes; a tie is not fulfilled')
    for warning in result.get('warnings', ()):
        lines.append('Warning: ' + warning['message'])
    for entry in result.get('disagreements', ()):
        if entry['kind'] == 'item':
            text = 'Disagreement: ' + entry['path'] + ' scores ' + _member_scores(entry['scores'], entry['statuses'])
            if entry['status_differs'] and len(set(entry['statuses']) - {'not_assessed'}) > 1:
                text += ' statuses ' + ', '.join(entry['statuses'])
            for group in entry.get('group_statuses', ()):
                text += '; group ' + group['key'] + ' statuses ' + ', '.join(group['statuses'])
            lines.append(text)
        else:
            votes = entry['votes']
            text = ('Disagreement: ' + entry['path'] + ' votes: ' + str(votes.count(True)) + ' yes, '
                    + str(votes.count(False)) + ' no')
            if None in votes:
                text += ', ' + str(votes.count(None)) + ' not recorded'
            lines.append(text)
    return '\n'.join(lines)


def _zero_rule_text(zero_rule):
    clause = zero_rule['clause']
    return 'nothing met: scores 0' + (' (' + clause + ')' if clause else '')


def same_files(names):
    """One file given twice under any name: each evaluator counts once."""
    # As _stat: a test holds that no name `os` appears in a generated scorer,
    # which would be a rubric text broken out into code.
    from os import stat as _stat

    seen = {}
    problems = []
    for name in names:
        if name == '-':
            continue
        try:
            status = _stat(name)
        except OSError:
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in seen:
            problems.append(name + ': the same file as ' + seen[identity] + '; each evaluator is counted once')
        else:
            seen[identity] = name
    return problems


# ---------------------------------------------------------------------------
# Member files: a digest over the canonical JSON (issue 12, docs/panel.md)
# ---------------------------------------------------------------------------

DIGEST_KEY = 'digest'
_DIGEST = re.compile('sha256:[0-9a-f]{64}')
DIGEST_MISMATCH = '摘要不符 / digest does not match: the file was changed after export'


def _ecmascript_number(value):
    """A number as ECMAScript's Number.prototype.toString writes the double
    nearest to it (RFC 8785 3.2.2.3): the form reads JSON numbers as doubles,
    so the digest is taken over what both sides can write alike."""
    number = float(value)
    if number == 0:
        return '0'
    if number != number or number in (float('inf'), float('-inf')):
        raise ValueError('not a JSON number: ' + repr(value))
    sign = '-' if number < 0 else ''
    # repr() is the shortest text that reads back as the same double, as
    # ECMAScript's digits are; only the layout differs.
    _, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = ''.join(map(str, digits))
    count = len(digits)
    point = exponent + count  # the decimal point stands after `point` digits
    if count <= point <= 21:
        return sign + digits + '0' * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + '.' + digits[point:]
    if -6 < point <= 0:
        return sign + '0.' + '0' * -point + digits
    shown = digits[0] + ('.' + digits[1:] if count > 1 else '')
    return sign + shown + 'e' + ('+' if point - 1 >= 0 else '-') + str(abs(point - 1))


def canonical_json(value):
    """RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object
    keys sorted by their UTF-16 code units, no whitespace, strings with the
    minimal escapes of JSON.stringify, numbers as ECMAScript writes them."""
    out = []
    _canonical_into(value, out)
    return ''.join(out)


# json's own string writer (ensure_ascii off): JSON.stringify's escapes.
_JSON_STRING = json.encoder.encode_basestring
# Integers a double holds exactly, which ECMAScript writes as their digits.
_EXACT_INTEGER = 2 ** 53


class InexactNumber(ValueError):
    """A number that no double holds exactly, over which no digest is taken."""

    def __init__(self, value):
        super().__init__(str(value))
        self.value = value


def undigested(error):
    """Why no digest is taken over a document, from canonical_json's error."""
    if isinstance(error, InexactNumber):
        number = float(error.value) if _finite(error.value) else None
        if number is not None:
            return ('the file holds ' + str(error.value) + ', which the form reads as ' + _ecmascript_number(number)
                    + ' (no double holds it exactly); a signed file holds no such number')
    return 'the file holds a number beyond what a double can hold, over which no digest is taken'


def _finite(value):
    try:
        number = float(value)
    except OverflowError:
        return False
    return number == number and number not in (float('inf'), float('-inf'))


def _holds_exactly(value):
    if not _finite(value):
        return False
    # As the form checks a number it reads: the double's shortest text must
    # be the number written (1e21 is; 9007199254740993 is not).
    return Decimal(repr(float(value))) == value


def _utf16_order(key):
    return key.encode('utf-16-be', 'surrogatepass')


def _canonical_into(value, out):
    kind = type(value)
    if kind is str:
        out.append(_JSON_STRING(value))
    elif kind is dict:
        keys = list(value)
        # Code point order is UTF-16 order but for characters beyond U+FFFF
        # against U+E000..U+FFFF; only then sort by the UTF-16 units.
        keys.sort(key=None if ''.join(keys).isascii() else _utf16_order)
        out.append('{')
        first = True
        for key in keys:
            if not first:
                out.append(',')
            first = False
            out.append(_JSON_STRING(key))
            out.append(':')
            _canonical_into(value[key], out)
        out.append('}')
    elif kind is list or kind is tuple:
        out.append('[')
        first = True
        for member in value:
            if not first:
                out.append(',')
            first = False
            _canonical_into(member, out)
        out.append(']')
    elif value is None:
        out.append('null')
    elif value is True:
        out.append('true')
    elif value is False:
        out.append('false')
    elif kind is int and -_EXACT_INTEGER <= value <= _EXACT_INTEGER:
        out.append(str(value))
    elif kind is float:
        out.append(_ecmascript_number(value))
    elif isinstance(value, (int, Decimal)):
        # Read exactly, the number must be the double the form reads, or the
        # digest (over the double) would stand for two numbers that score
        # apart: 89.999999999999999999 signed as 90.
        if not _holds_exactly(value):
            raise InexactNumber(value)
        out.append(_ecmascript_number(value))
    else:
        raise ValueError('not a JSON value: ' + type(value).__name__)


def content_digest(document):
    """'sha256:' and the SHA-256 of the UTF-8 canonical JSON of a JSON
    object without its "digest" key: notes included, any change shows."""
    import hashlib

    content = {key: value for key, value in document.items() if key != DIGEST_KEY}
    return 'sha256:' + hashlib.sha256(canonical_json(content).encode('utf-8')).hexdigest()


def signed_findings(findings):
    """The findings with their digest, as a member file is exported."""
    content = {key: value for key, value in findings.items() if key != DIGEST_KEY}
    try:
        content[DIGEST_KEY] = content_digest(content)
    except ValueError as error:
        raise FindingsError(['digest: ' + undigested(error)]) from None
    return content


def without_digest(findings):
    """(the findings without their "digest", the digest or None).  Raises
    FindingsError when the digest is not a digest or does not match the
    content: a member file changed after its export is not scored."""
    if not isinstance(findings, dict) or DIGEST_KEY not in findings:
        return findings, None
    digest = findings[DIGEST_KEY]
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise FindingsError(['digest: expected "sha256:" and 64 lowercase hex digits, got ' + _shown_value(digest)])
    try:
        computed = content_digest(findings)
    except ValueError as error:
        raise FindingsError(['digest: ' + undigested(error)]) from None
    if digest != computed:
        raise FindingsError(['digest: ' + DIGEST_MISMATCH])
    return {key: value for key, value in findings.items() if key != DIGEST_KEY}, digest


# ---------------------------------------------------------------------------
# The signed panel: member files, decisions, the panel file and its log
# (issue 12, docs/panel.md)
# ---------------------------------------------------------------------------

PANEL_FILE_FORMAT = 'rubricdsl-panel-file/1'
DECISIONS_FORMAT = 'rubricdsl-panel-decisions/1'
_TAKES = ('member', 'consensus', 'edited')
_CONDITION_PREFIX = 'conditions.'


class PanelFileError(ValueError):
    """Member files, decisions or a panel file that make no panel file;
    `problems` lists every one, each naming its file or key."""

    def __init__(self, problems):
        self.problems = [_escaped(problem) for problem in problems]
        super().__init__('\n'.join(self.problems))


def member_file(findings):
    """The member file of complete findings of one evaluator made under
    this revision: the findings with their digest.  Raises PanelFileError."""
    content, _ = without_digest(findings)
    problems, _ = _member_problems('findings', content)
    if problems:
        raise PanelFileError(problems)
    return signed_findings(content)


def _member_problems(name, findings):
    """(why complete findings are no member's work: they do not score, or
    do not name this revision or exactly one evaluator; their result)."""
    try:
        result = score(findings)
    except FindingsError as error:
        return [message if message.startswith(name + ':') else name + ': ' + message for message in error.errors], None
    problems = []
    if findings['rubric'].get('content_hash') is None:
        problems.append(name + ': rubric.content_hash: missing; a member file names the revision it was made under ('
                        + CONTENT_HASH + ')')
    if len(findings['evaluators']) != 1:
        problems.append(name + ': evaluators: a member file names one evaluator, got ' + str(len(findings['evaluators'])))
    return problems, result


def panel_members(named_documents, incomplete=False):
    """The members of a panel from (file name, JSON value) pairs: each a
    dict with its file name, evaluator, digest, the document as given and
    its findings and result.  Raises PanelFileError listing every problem:
    a file that is no member file (no digest, a digest that does not match,
    findings that do not score, another revision, not one evaluator), two
    organisations, one member twice, too few members for the rubric's panel
    (unless `incomplete`) or too many."""
    problems = []
    members = []
    for name, document in named_documents:
        try:
            findings, digest = without_digest(document)
        except FindingsError as error:
            problems += [name + ': ' + message for message in error.errors]
            continue
        if digest is None:
            problems.append(name + ': no digest: not a member file; a member exports it from the form, or signs '
                            'findings with `rubricdsl panel sign`')
            continue
        found, result = _member_problems(name, findings)
        if found:
            problems += found
            continue
        members.append({'name': name, 'evaluator': findings['evaluators'][0].strip(), 'digest': digest,
                        'document': document, 'findings': findings, 'result': result})
    organizations = {}
    by_evaluator = {}
    by_digest = {}
    for member in members:
        organizations.setdefault(member['findings']['organization'].strip(), []).append(member['name'])
        person = _person(member['evaluator'])
        if member['digest'] in by_digest:
            problems.append(member['name'] + ': the same member file as ' + by_digest[member['digest']]
                            + '; each member is counted once (5.2)')
        elif person in by_evaluator:
            first_name, first_evaluator = by_evaluator[person]
            problems.append(member['name'] + ': ' + _shown_name(member['evaluator']) + ' is also the member of '
                            + first_name + _spelt(first_evaluator, member['evaluator']) + '; each member is counted once (5.2)')
        by_digest.setdefault(member['digest'], member['name'])
        by_evaluator.setdefault(person, (member['name'], member['evaluator']))
    if len(organizations) > 1:
        problems.append('the member files are for different organisations: ' + '; '.join(
            _shown_value(organization) + ' (' + ', '.join(names) + ')' for organization, names in organizations.items()))
    if not problems and PANEL_SIZE is not None:
        low, high = PANEL_SIZE
        if len(members) > high or (len(members) < low and not incomplete):
            problems.append('a panel has ' + str(low) + ' to ' + str(high) + ' members (5.2); these are '
                            + str(len(members)) + (' (--incomplete combines fewer, for a trial)' if len(members) < low else ''))
    if not problems and not members:
        problems.append('a panel needs at least one member file')
    if problems:
        raise PanelFileError(problems)
    return members


def _item_results(result):
    return [item for section in result['sections'] for item in section['items']]


def _item_analysis(members, method, threshold):
    """Per item in rubric order: its path, every member's score, the
    consensus, the spread, why it needs a reason ('' when it does not) and
    the position of the member whose answers are the consensus answers."""
    by_member = [_item_results(member['result']) for member in members]
    analysis = []
    for position, (path, _, _, _, _) in enumerate(ITEMS):
        items = [results[position] for results in by_member]
        scores = [Decimal(item['score']) for item in items]
        consensus = _consensus(scores, method)
        spread = max(scores) - min(scores)
        why = []
        if spread > threshold:
            why.append('the scores spread by ' + _shown(spread) + ' points, more than ' + _shown(threshold))
        if len({item['status'] for item in items}) > 1:
            why.append('the members ruled it differently (' + ', '.join(item['status'] for item in items) + ')')
        assessed = [item for item in items if item['status'] == 'assessed']
        for group_position, group in enumerate(assessed[0]['groups'] if assessed else ()):
            statuses = [item['groups'][group_position]['status'] for item in assessed]
            if len(set(statuses)) > 1:
                why.append('the members ruled group ' + group['key'] + ' differently (' + ', '.join(statuses) + ')')
        equal = [index for index, value in enumerate(scores) if value == consensus]
        if equal:
            chosen = equal[0]
        else:
            below = max(value for value in scores if value < consensus)
            chosen = scores.index(below)
        analysis.append({'path': path, 'scores': scores, 'consensus': consensus, 'spread': spread,
                         'why': '; '.join(why), 'chosen': chosen})
    return analysis


def _now():
    return datetime.datetime.now().astimezone().replace(microsecond=0).isoformat()


def read_decisions(document, members, name='decisions'):
    """Decisions as docs/panel.md gives them, checked against the members:
    (item path -> decision, decided_by, remarks).  Raises PanelFileError
    naming every problem."""
    problems = []
    if not isinstance(document, dict):
        raise PanelFileError([name + ': expected a JSON object, got ' + _shown_value(document)])
    _object(document, '', ('format', 'decided_by', 'remarks', 'decisions'), ('format', 'decisions'), problems)
    if document.get('format', DECISIONS_FORMAT) != DECISIONS_FORMAT:
        problems.append('format: expected "' + DECISIONS_FORMAT + '", got ' + _shown_value(document.get('format')))
    decided_by = document.get('decided_by', '')
    remarks = document.get('remarks', '')
    for key, value in (('decided_by', decided_by), ('remarks', remarks)):
        _expect_text(value, key, problems)
    given = document.get('decisions', [])
    if not isinstance(given, list):
        problems.append('decisions: expected a list of decisions, got ' + _shown_value(given))
        given = []
    evaluators = [member['evaluator'] for member in members]
    decisions = {}
    for index, decision in enumerate(given):
        where = 'decisions.' + str(index)
        if not _object(decision, where, ('item', 'take', 'member', 'findings', 'reason', 'decided_by', 'time'),
                       ('item', 'take'), problems):
            continue
        path = decision.get('item')
        if not isinstance(path, str) or path not in SHAPES:
            hint = _close_match(str(path), list(SHAPES))
            problems.append(where + '.item: ' + _shown_value(path) + ' is no item of ' + RUBRIC_ID
                            + ("; did you mean '" + hint + "'?" if hint else ''))
            continue
        where = where + ' (' + path + ')'
        if path in decisions:
            problems.append(where + ': the item is decided twice')
            continue
        take = decision.get('take')
        if take not in _TAKES:
            problems.append(where + '.take: expected ' + _one_of(_TAKES) + ', got ' + _shown_value(take))
            continue
        if take == 'member' and decision.get('member') not in evaluators:
            problems.append(where + '.member: expected one of the members (' + ', '.join(evaluators) + '), got '
                            + _shown_value(decision.get('member')))
        if take != 'member' and 'member' in decision:
            problems.append(where + '.member: only a decision that takes a member names one')
        if take == 'edited':
            if 'findings' not in decision:
                problems.append(where + '.findings: missing; an edited decision gives the item\'s findings')
        elif 'findings' in decision:
            problems.append(where + '.findings: only an edited decision gives findings')
        for key in ('reason', 'decided_by', 'time'):
            if key in decision:
                _expect_text(decision[key], where + '.' + key, problems)
        decisions[path] = decision
    if problems:
        raise PanelFileError([name + ': ' + problem for problem in problems])
    return decisions, decided_by, remarks


def combine_panel(members, method=None, disagreement=None, decisions=None, decided_by='', remarks='', now=None):
    """The panel file (docs/panel.md) of checked members (panel_members)
    and checked decisions (read_decisions), by the rubric's method and
    threshold unless given, with its digest.  Raises PanelFileError listing
    every item that needs a reason and has none, and every edited answer
    that does not fit its item."""
    panel = _unsigned_panel_file(members, method, disagreement, decisions, decided_by, remarks, now)
    try:
        panel[DIGEST_KEY] = content_digest(panel)
    except ValueError as error:  # an edited answer's number
        raise PanelFileError(['decisions: ' + undigested(error)]) from None
    return panel


def _unsigned_panel_file(members, method, disagreement, decisions, decided_by, remarks, now):
    method = PANEL_METHOD if method is None else method
    if method not in METHODS:
        raise PanelFileError(['unknown method ' + _shown_value(method) + '; one of ' + ', '.join(METHODS)])
    threshold = Decimal(PANEL_DISAGREEMENT if disagreement is None else disagreement)
    decisions = decisions or {}
    time = now or _now()
    evaluators = [member['evaluator'] for member in members]
    analysis = _item_analysis(members, method, threshold)
    items = {}
    for entry in analysis:
        decision = decisions.get(entry['path'], {'take': 'consensus'})
        if decision['take'] == 'edited':
            items[entry['path']] = decision['findings']
        else:
            source = evaluators.index(decision['member']) if decision['take'] == 'member' else entry['chosen']
            items[entry['path']] = members[source]['findings']['items'][entry['path']]
    conditions = {}
    condition_votes = {}
    for key, _, _ in CONDITIONS:
        votes = [member['findings']['conditions'][key] for member in members]
        condition_votes[key] = votes
        # More than half of all members; a tie does not hold (scoring.md).
        conditions[key] = sum(vote is True for vote in votes) * 2 > len(votes)
    dates = sorted(member['findings']['date'] for member in members)
    findings = {
        'format': FINDINGS_FORMAT,
        'rubric': {'id': RUBRIC_ID, 'version': RUBRIC_VERSION, 'content_hash': CONTENT_HASH},
        'organization': members[0]['findings']['organization'],
        'date': dates[-1],
        'evaluators': evaluators,
        'remarks': remarks,
        'conditions': conditions,
        'items': items,
    }
    problems = ['decisions: ' + problem.replace('items.', '', 1) + ' (the edited findings)'
                for problem in validate(findings)]
    if problems:
        raise PanelFileError(problems)
    agreed = _item_results(score(findings))
    log = []
    for entry, item in zip(analysis, agreed):
        decision = decisions.get(entry['path'], {'take': 'consensus'})
        reason = decision.get('reason', '')
        needed = entry['why']
        if Decimal(item['score']) != entry['consensus']:
            needed = (needed + '; ' if needed else '') + ('the agreed score ' + _shown(item['score'])
                                                         + ' differs from the consensus ' + _shown(entry['consensus']))
        if needed and _blank(reason):
            problems.append(entry['path'] + ': needs a reason: ' + needed)
        record = {
            'item': entry['path'],
            'scores': dict(zip(evaluators, map(_number, entry['scores']))),
            'consensus': _number(entry['consensus']),
            'agreed': _number(Decimal(item['score'])),
            'source': decision['take'],
        }
        if decision['take'] == 'member':
            record['member'] = decision['member']
        if decision['take'] == 'edited':
            record['findings'] = decision['findings']
        record['decided_by'] = decision.get('decided_by', decided_by)
        record['reason'] = reason
        record['time'] = decision.get('time', time)
        log.append(record)
    if problems:
        raise PanelFileError(problems)
    for key, _, _ in CONDITIONS:
        log.append({
            'item': _CONDITION_PREFIX + key, 'scores': dict(zip(evaluators, condition_votes[key])),
            'consensus': conditions[key], 'agreed': conditions[key], 'source': 'consensus',
            'decided_by': decided_by, 'reason': '', 'time': time,
        })
    panel = {
        'format': PANEL_FILE_FORMAT,
        'rubric': dict(findings['rubric']),
        'organization': findings['organization'],
        'date': findings['date'],
        'method': method,
        'disagreement': _number(threshold),
        'members': [{'evaluator': member['evaluator'], 'digest': member['digest'], 'findings': member['document']}
                    for member in members],
        'findings': findings,
        'log': log,
        'decided_by': decided_by,
    }
    return panel


_PANEL_FILE_KEYS = ('format', 'rubric', 'organization', 'date', 'method', 'disagreement', 'members', 'findings',
                    'log', 'decided_by', DIGEST_KEY)


def _panel_file_problems(panel):
    """What makes a JSON value no panel file of this revision (its shape,
    its own digest, its members' digests); [] when it is one."""
    problems = []
    if not _object(panel, '', _PANEL_FILE_KEYS, _PANEL_FILE_KEYS, problems, 'a JSON object'):
        return problems
    if panel.get('format') != PANEL_FILE_FORMAT:
        problems.append('format: expected "' + PANEL_FILE_FORMAT + '", got ' + _shown_value(panel.get('format')))
        return problems
    rubric = panel.get('rubric')
    if not isinstance(rubric, dict) or (rubric.get('id'), rubric.get('version')) != (RUBRIC_ID, RUBRIC_VERSION):
        problems.append('rubric: the panel file is for ' + _shown_value(rubric) + ', not ' + RUBRIC_ID + ' ' + RUBRIC_VERSION)
    elif rubric.get('content_hash') != CONTENT_HASH:
        problems.append('rubric.content_hash: the panel file was made under ' + _shown_value(rubric.get('content_hash'))
                        + ', this revision is ' + CONTENT_HASH)
    if panel.get('method') not in METHODS:
        problems.append('method: expected ' + _one_of(METHODS) + ', got ' + _shown_value(panel.get('method')))
    threshold = panel.get('disagreement')
    if isinstance(threshold, bool) or not isinstance(threshold, (int, Decimal)) or threshold < 0:
        problems.append('disagreement: expected a number of points, got ' + _shown_value(threshold))
    if not isinstance(panel.get('decided_by'), str):
        problems.append('decided_by: expected a name, got ' + _shown_value(panel.get('decided_by')))
    if not isinstance(panel.get('log'), list) or not all(isinstance(entry, dict) for entry in panel['log']):
        problems.append('log: expected a list of entries, got ' + _shown_value(panel.get('log')))
    members = panel.get('members')
    if not isinstance(members, list) or not members:
        problems.append('members: expected a list of members, got ' + _shown_value(members))
    else:
        for index, member in enumerate(members):
            where = 'members.' + str(index)
            if _object(member, where, ('evaluator', 'digest', 'findings'), ('evaluator', 'digest', 'findings'), problems):
                found = member.get('findings')
                if not isinstance(found, dict) or found.get(DIGEST_KEY) != member.get('digest'):
                    problems.append(where + '.digest: not the digest its findings carry')
    try:
        without_digest(panel)
    except FindingsError as error:
        problems += error.errors
    return problems


def read_panel_file(panel):
    """(the members, the decisions its log records) of a panel file, or
    PanelFileError naming what is wrong with it."""
    problems = _panel_file_problems(panel)
    if problems:
        raise PanelFileError(problems)
    named = [('members.' + str(index) + ' (' + _shown_value(member['evaluator']) + ')', member['findings'])
             for index, member in enumerate(panel['members'])]
    members = panel_members(named, incomplete=True)
    for index, (member, embedded) in enumerate(zip(members, panel['members'])):
        if member['evaluator'] != embedded['evaluator']:
            problems.append('members.' + str(index) + '.evaluator: ' + _shown_value(embedded['evaluator'])
                            + ', but the member file names ' + member['evaluator'])
    decisions = {}
    for index, entry in enumerate(panel['log']):
        path = entry.get('item')
        if not isinstance(path, str):
            problems.append('log.' + str(index) + '.item: expected an item path, got ' + _shown_value(path))
            continue
        if path.startswith(_CONDITION_PREFIX):
            continue
        decision = {key: entry[key] for key in ('member', 'findings', 'reason', 'decided_by', 'time') if key in entry}
        decision['take'] = entry.get('source')
        if path in decisions:
            problems.append('log.' + str(index) + ': ' + _shown_value(path) + ' is logged twice')
        decisions[path] = decision
    if problems:
        raise PanelFileError(problems)
    try:
        checked, _, _ = read_decisions({'format': DECISIONS_FORMAT,
                                        'decisions': [dict(decision, item=path) for path, decision in decisions.items()]},
                                       members, 'log')
    except PanelFileError as error:
        raise PanelFileError([problem.replace('log: decisions.', 'log.', 1) for problem in error.problems]) from None
    return members, checked


def _differences(given, rebuilt):
    """Where the panel file differs from what its members and log make:
    the key paths, with the time of each log entry left as logged."""
    problems = []
    for key in _PANEL_FILE_KEYS[:-1]:
        if key == 'log':
            continue
        if key == 'findings' and isinstance(given.get(key), dict):
            for inner in sorted(set(given[key]) | set(rebuilt[key])):
                if inner == 'items' and isinstance(given[key].get('items'), dict):
                    for path in SHAPES:
                        if canonical_json(given[key]['items'].get(path)) != canonical_json(rebuilt[key]['items'][path]):
                            problems.append('findings.items.' + path + ': not the answers its log entry names')
                    for path in given[key]['items']:
                        if path not in SHAPES:
                            problems.append('findings.items.' + str(path) + ': no item of this rubric')
                elif canonical_json(given[key].get(inner)) != canonical_json(rebuilt[key].get(inner)):
                    problems.append('findings.' + str(inner) + ': not what the members make')
        elif canonical_json(given.get(key)) != canonical_json(rebuilt[key]):
            problems.append(key + ': not what the members and the log make')
    log = given['log']
    if len(log) != len(rebuilt['log']):
        problems.append('log: ' + str(len(log)) + ' entries; the rubric has ' + str(len(rebuilt['log'])) + ' items and conditions')
    for index, (entry, expected) in enumerate(zip(log, rebuilt['log'])):
        expected = dict(expected, time=entry.get('time'))
        if canonical_json(entry) != canonical_json(expected):
            wrong = sorted(key for key in set(entry) | set(expected) if canonical_json(entry.get(key)) != canonical_json(expected.get(key)))
            problems.append('log.' + str(index) + ' (' + _shown_value(expected['item']) + '): ' + ', '.join(wrong)
                            + ' not as its members and decision make it')
        if not _is_text(entry.get('time')) or not entry.get('time'):
            problems.append('log.' + str(index) + '.time: expected the time of the decision, got ' + _shown_value(entry.get('time')))
    return problems


def verify_panel_file(panel, named_member_documents=()):
    """Every problem of a panel file (docs/panel.md): its shape and
    digests; that its agreed findings and log follow from its members and
    decisions, with a reason wherever one is required; and, against the
    member files given as (file name, JSON value), each file's digest, the
    members not given and the files of no member.  [] when it verifies."""
    return _verified(panel, named_member_documents)[0]


def _verified(panel, named_member_documents):
    """(verify_panel_file's problems, the panel's members or None)."""
    try:
        members, decisions = read_panel_file(panel)
        # What its members and log make; its digest is the given file's, checked above.
        rebuilt = _unsigned_panel_file(members, panel['method'], panel['disagreement'], decisions, panel['decided_by'],
                                       panel['findings'].get('remarks', '') if isinstance(panel['findings'], dict) else '', None)
    except PanelFileError as error:
        return error.problems, None
    problems = _differences(panel, rebuilt)
    embedded = {member['evaluator']: member['digest'] for member in panel['members']}
    given = {}
    for name, document in named_member_documents:
        try:
            findings, digest = without_digest(document)
        except FindingsError as error:
            problems += [name + ': ' + message for message in error.errors]
            continue
        evaluators = findings.get('evaluators') if isinstance(findings, dict) else None
        evaluator = evaluators[0].strip() if isinstance(evaluators, list) and len(evaluators) == 1 and isinstance(evaluators[0], str) else None
        if digest is None:
            problems.append(name + ': no digest: not a member file')
        elif evaluator not in embedded:
            problems.append(name + ': ' + _shown_value(evaluator) + ' is no member of this panel')
        elif digest != embedded[evaluator]:
            problems.append(name + ': ' + evaluator + "'s member file is not the one the panel file holds (" + digest
                            + ', the panel holds ' + embedded[evaluator] + ')')
        else:
            given[evaluator] = name
    for evaluator in embedded:
        if evaluator not in given and named_member_documents:
            problems.append('missing: ' + evaluator + "'s member file was not given")
    return problems, members


def panel_rules_warning(panel):
    """What a panel file combined by other rules than the rubric's says
    (a --combine or --disagreement given), or None: allowed, but never
    unsaid."""
    if panel['method'] == PANEL_METHOD and Decimal(panel['disagreement']) == Decimal(PANEL_DISAGREEMENT):
        return None
    return ('the panel combined by ' + panel['method'] + ' with a reason needed past ' + _shown(Decimal(panel['disagreement']))
            + ' points; the rubric says ' + PANEL_METHOD + ' and ' + _shown(Decimal(PANEL_DISAGREEMENT)))


def panel_size_warning(panel):
    """What a panel file of fewer members than the rubric asks for (made
    with --incomplete, or in the panel page as a trial) says, or None."""
    count = len(panel['members'])
    if PANEL_SIZE is None or count >= PANEL_SIZE[0]:
        return None
    return ('the panel has ' + str(count) + ' member' + ('' if count == 1 else 's') + ', fewer than the '
            + str(PANEL_SIZE[0]) + ' to ' + str(PANEL_SIZE[1]) + ' the rubric asks for (clause 5.2): a trial, not the consensus of a panel')


def panel_file_options(partial=False, rescore=False):
    """Why score()'s options cannot apply to a panel file, if they were
    given: its agreed findings are scored as the panel agreed them, so an
    option that changes how findings are read is refused, not ignored."""
    problems = []
    if partial:
        problems.append('--partial does not apply to a panel file: its agreed findings are complete '
                        '(`rubricdsl panel --incomplete` makes a panel of fewer members)')
    if rescore:
        problems.append('--rescore does not apply to a panel file: it stands under the revision its members '
                        'scored; rescore each member file and make the panel again')
    return problems


def agreed_result(panel):
    """The result (score()) of a panel file's agreed findings, with the
    panel's members, log and agreement figures under "panel".  Raises
    PanelFileError when the panel file does not verify in itself."""
    problems, members = _verified(panel, ())
    if problems:
        raise PanelFileError(problems)
    result = score(panel['findings'])
    rules = panel_rules_warning(panel)
    if rules:
        result['warnings'].append({'code': 'panel_rules', 'message': rules})
    size = panel_size_warning(panel)
    if size:
        result['warnings'].append({'code': 'panel_size', 'message': size})
    by_member = [_item_results(member['result']) for member in members]
    agreed = _item_results(result)
    result['panel'] = {
        'method': panel['method'],
        'disagreement': panel['disagreement'],
        'decided_by': panel['decided_by'],
        'members': [{'evaluator': member['evaluator'], 'digest': member['digest'],
                     'date': member['findings']['date'], 'total': member['result']['total']}
                    for member in members],
        'log': panel['log'],
        'agreement': agreement([member['evaluator'] for member in members],
                               [[item['score'] for item in items] for items in by_member],
                               [item['score'] for item in agreed], [item['path'] for item in agreed]),
    }
    return result


# Krippendorff's alpha, interval metric (docs/panel.md): exact, in Fractions.

def krippendorff_alpha(units):
    """Krippendorff's alpha (interval) of `units`, each the values its
    coders gave (None: no value), as an exact Fraction; None when no unit
    has two values.  Every value the same (no expected disagreement): 1."""
    from fractions import Fraction

    pairable = [[value for value in unit if value is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    if not pairable:
        return None
    # Exact in integers: every value times one power of ten (scores have few decimals).
    places = max(max(0, -Decimal(value).as_tuple().exponent) for unit in pairable for value in unit)
    scale = 10 ** places
    pairable = [[int(Decimal(value) * scale) for value in unit] for unit in pairable]
    count = sum(len(unit) for unit in pairable)

    def ordered_pair_squares(values):
        # The sum over ordered pairs i != j of (v_i - v_j)^2 is 2 (n sum v^2 - (sum v)^2).
        return 2 * (len(values) * sum(value * value for value in values) - sum(values) ** 2)

    observed = sum(Fraction(ordered_pair_squares(unit), len(unit) - 1) for unit in pairable) / count
    expected = Fraction(ordered_pair_squares([value for unit in pairable for value in unit]), count * (count - 1))
    if expected == 0:
        return Fraction(1)
    return 1 - observed / expected


def _rounded(value, places):
    """A Fraction rounded half away from zero to `places` decimals, as an
    exact Decimal (for JSON) that texts print as they stand."""
    magnitude = abs(value) * 10 ** places
    whole = int(magnitude)
    if (magnitude - whole) * 2 >= 1:
        whole += 1
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


def agreement(members, scores, agreed, paths):
    """The panel's agreement figures (docs/panel.md): alpha over the items,
    per item the spread, per member the mean signed and absolute deviation
    from the agreed score.  `scores` holds per member the item scores in
    `paths` order (None: not scored), `agreed` the agreed item scores."""
    from fractions import Fraction

    units = [[member_scores[position] for member_scores in scores] for position in range(len(paths))]
    alpha = krippendorff_alpha(units)
    items = []
    for path, unit in zip(paths, units):
        given = [Decimal(value) for value in unit if value is not None]
        items.append({'path': path, 'scores': dict(zip(members, unit)),
                      'spread': _number(max(given) - min(given)) if given else None})
    deviations = []
    for name, member_scores in zip(members, scores):
        differences = [Decimal(value) - Decimal(target) for value, target in zip(member_scores, agreed) if value is not None]
        # Decimal sums of scores are exact; only the mean is a fraction.
        deviations.append({
            'evaluator': name,
            'items': len(differences),
            'mean_deviation': _number(_rounded(Fraction(sum(differences)) / len(differences), 2)) if differences else None,
            'mean_absolute_deviation': (_number(_rounded(Fraction(sum(map(abs, differences))) / len(differences), 2))
                                        if differences else None),
        })
    return {
        'coefficient': "Krippendorff's alpha (interval)",
        'alpha': None if alpha is None else _rounded(alpha, 3),
        'alpha_exact': None if alpha is None else str(alpha.numerator) + '/' + str(alpha.denominator),
        'alpha_undefined': 'no item has scores of two members' if alpha is None else None,
        'items': items,
        'members': deviations,
    }


def figure_text(value, places, signed=False):
    """An agreement figure as sheets print it: `places` decimals, with `signed`
    a + on a positive one (a lenient member's deviation), '—' when undefined."""
    if value is None:
        return '—'
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-places)), 'f')
    return '+' + text if signed and Decimal(value) > 0 else text


def format_panel_text(result):
    """The consensus sheet's panel part as text: the members' scores per
    item, the reasons of the log, the agreement figures, a signature line
    per member (docs/panel.md)."""
    panel = result['panel']
    names = [member['evaluator'] for member in panel['members']]
    figures = panel['agreement']
    lines = ['', 'Panel (5.2, 7.6): ' + str(len(names)) + ' members, consensus by ' + panel['method']
             + ', a reason needed past ' + _shown(Decimal(panel['disagreement'])) + ' points apart; decided by '
             + (panel['decided_by'] or '—')]
    lines.append('Members\' scores: item | ' + ' | '.join(names) + ' | agreed | spread')
    agreed = {item['path']: item['score'] for section in result['sections'] for item in section['items']}
    for item in figures['items']:
        lines.append('  ' + item['path'] + ' | ' + ' | '.join('—' if value is None else _shown(Decimal(value))
                                                            for value in item['scores'].values())
                     + ' | ' + _shown(agreed[item['path']]) + ' | ' + ('—' if item['spread'] is None else _shown(Decimal(item['spread']))))
    reasons = [entry for entry in panel['log'] if not _blank(entry['reason'])]
    lines.append('Reasons (the reconciliation log):' + ('' if reasons else ' none'))
    for entry in reasons:
        source = {'member': 'the answers of ' + entry.get('member', ''), 'consensus': 'the consensus answers',
                  'edited': 'answers edited by hand'}[entry['source']]
        lines.append('  ' + entry['item'] + ': ' + _shown(Decimal(entry['agreed'])) + ' (consensus '
                     + _shown(Decimal(entry['consensus'])) + ', ' + source + '), ' + entry['reason']
                     + ' — ' + (entry['decided_by'] or '—') + ', ' + entry['time'])
    lines.append('Agreement: ' + figures['coefficient'] + ' ' + figure_text(figures['alpha'], 3)
                 + (' (' + figures['alpha_undefined'] + ')' if figures['alpha_undefined'] else '')
                 + '; 1 = the members gave every item the same score, 0 = no more agreement than chance')
    for member in figures['members']:
        lines.append('  ' + member['evaluator'] + ': mean deviation from the agreed score '
                     + figure_text(member['mean_deviation'], 2, signed=True) + ' (positive: more lenient), mean absolute '
                     + figure_text(member['mean_absolute_deviation'], 2) + ', over ' + str(member['items']) + ' items')
    lines.append('Signatures:')
    for name in names:
        lines.append('  ' + name + '  signature: ________________  date: ____-__-__')
    return '\n'.join(lines)


def _threshold(text):
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog='scorer.py', description='Score findings by ' + RUBRIC_ID + ' (' + RUBRIC_VERSION + ').')
    parser.add_argument('findings', nargs='+', help='findings JSON file; - reads stdin; several make a panel')
    parser.add_argument('--format', choices=('text', 'json'), default='text')
    parser.add_argument('--partial', action='store_true', help='missing items count 0 as not assessed')
    parser.add_argument('--rescore', action='store_true', help='score findings made under another content of this version')
    parser.add_argument('--combine', choices=METHODS, default=PANEL_METHOD, help='panel consensus per item (default: the rubric\'s)')
    parser.add_argument('--disagreement', type=_threshold, default=Decimal(PANEL_DISAGREEMENT),
                        help='panel: flag items whose scores spread by more (default: the rubric\'s)')
    options = parser.parse_args(argv)
    results = []
    errors = []
    named = []
    if options.findings.count('-') > 1:
        errors.append('-: standard input can be read once')
    for name in options.findings:
        try:
            if name == '-':
                data = sys.stdin.buffer.read()
            else:
                with open(name, 'rb') as stream:
                    data = stream.read()
            document = parse_findings(data, name)
            if isinstance(document, dict) and document.get('format') == PANEL_FILE_FORMAT:
                # A panel file (docs/panel.md): its agreed findings, once it verifies in itself.
                if len(options.findings) > 1:
                    errors.append(name + ': a panel file is scored alone; its members are in it')
                elif panel_file_options(options.partial, options.rescore):
                    errors += [name + ': ' + problem for problem in panel_file_options(options.partial, options.rescore)]
                else:
                    results.append(agreed_result(document))
                continue
            findings, _ = without_digest(document)
            results.append(score(findings, partial=options.partial, rescore=options.rescore))
            named.append((name, findings))
        except OSError as error:
            errors.append(name + ': cannot read: ' + (error.strerror or str(error)))
        except FindingsError as error:
            errors += [message if message.startswith(name + ':') else name + ': ' + message for message in error.errors]
        except PanelFileError as error:
            errors += [name + ': ' + problem for problem in error.problems]
    if not errors and len(named) > 1:
        errors += same_files(options.findings) or check_panel(named)
    try:
        if not errors and len(results) > 1:
            results = [combine(results, options.combine, options.disagreement)]
    except PanelError as error:
        errors.append(str(error))
    for warning in (results[0].get('warnings', ()) if len(results) == 1 and not errors else ()):
        print('scorer.py: warning: ' + printable(warning['message']), file=sys.stderr)
    if errors:
        for message in errors:
            print('scorer.py: error: ' + printable(message), file=sys.stderr)
        return 2
    text = format_text(results[0]) + (format_panel_text(results[0]) if 'panel' in results[0] else '')
    print(dumps(results[0]) if options.format == 'json' else printable(text))
    return 0


# The same as rubricdsl/terminal.py's (a test holds them equal): this file
# stands alone, so it keeps its own copy.  C0 controls except line feed and
# tab, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
_UNSAFE = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')


def printable(text):
    """`text` for a terminal: every control character but line feed and
    tab, and every bidi control, shown as an escape (ESC as \\x1b), so that
    an organisation's name or a remark cannot drive the terminal."""
    return _UNSAFE.sub(lambda match: ('\\x%02x' if ord(match.group()) < 0x100 else '\\u%04x') % ord(match.group()), text)


if __name__ == '__main__':
    sys.exit(main())
