"""What must always hold of `rubricdsl diff`, for any two revisions
(hypothesis): it never crashes, 1 only ever means "they differ", and
`--findings` rescores or refuses with exit 2, never a traceback.

Revisions are the shipped rubric with random edits of the kinds a standards
editor makes: points and deductions changed (totals kept consistent or not),
keys renamed, items dropped, measures added, texts edited (control
characters included), conditions and grades given a section's key.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rubricdsl.frontend import compile_source

from .conftest import ROOT, SHIPPED_RUBRIC, run_in

SOURCE = SHIPPED_RUBRIC.read_text(encoding="utf-8")
FINDINGS = sorted((ROOT / "tests" / "fixtures" / "findings").glob("*.json"))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Keys the edits make are unique within one revision (a key used twice is
# refused by diff, exit 2, and is tested in test_revdiff.py).

STATEMENT = re.compile(r"^(?P<indent> *)(?P<keyword>section|item|group|req|part|level|band|tier|choice|condition|measure) (?P<key>\w+)")
AMOUNT = re.compile(r"^( *(?:deduct(?: each)?|(?:level|band|tier|choice) \w+) )(\d+(?:\.\d+)?)")
POINTS = re.compile(r" points (\d+(?:\.\d+)?)")
TEXT = re.compile(r'"(?:[^"\\]|\\.)*"')


def _number(text: str) -> float:
    return float(text)


def _shown(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _add_points(lines: list[str], index: int, change: float) -> None:
    match = POINTS.search(lines[index])
    value = _number(match.group(1)) + change
    lines[index] = lines[index][: match.start(1)] + _shown(value) + lines[index][match.end(1) :]


def _enclosing(lines: list[str], index: int, keyword: str) -> int:
    return next(i for i in range(index, -1, -1) if lines[i].startswith(keyword + " ") or lines[i].startswith("  " + keyword + " "))


def _full_marks(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith("  full marks "))


def change_amount(lines: list[str], pick: int, value: float, tag: int) -> None:
    """A deduction, level, band, tier or choice gets another amount (which
    may exceed its cap: a revision with errors)."""
    found = [i for i, line in enumerate(lines) if AMOUNT.match(line)]
    i = found[pick % len(found)]
    lines[i] = AMOUNT.sub(lambda m: m.group(1) + _shown(value), lines[i], count=1)


def add_item_points(lines: list[str], pick: int, value: float, tag: int) -> None:
    """An item's points raised, with its section's and the full marks, so
    the totals still add up (unless the item has groups)."""
    found = [i for i, line in enumerate(lines) if line.startswith("  item ")]
    i = found[pick % len(found)]
    change = max(value, 0.5)
    for index in (i, _enclosing(lines, i, "section")):
        _add_points(lines, index, change)
    full = _full_marks(lines)
    lines[full] = re.sub(r"\d+(?:\.\d+)?", lambda m: _shown(_number(m.group()) + change), lines[full], count=1)


def rename_key(lines: list[str], pick: int, value: float, tag: int) -> None:
    """A node's key renamed (a measure's with its uses)."""
    found = [i for i, line in enumerate(lines) if STATEMENT.match(line)]
    i = found[pick % len(found)]
    match = STATEMENT.match(lines[i])
    old, new = match.group("key"), f"{match.group('key')}_r{tag}"
    lines[i] = lines[i][: match.start("key")] + new + lines[i][match.end("key") :]
    if match.group("keyword") == "measure":
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(("  item ", "section "))), len(lines))
        for j in range(i + 1, end):
            lines[j] = re.sub(rf"\b{old}\b", new, lines[j]) if " when " in lines[j] else lines[j]


def drop_item(lines: list[str], pick: int, value: float, tag: int) -> None:
    """An item removed, its points taken from its section and the full
    marks when `value` is above 1 (else the totals no longer add up)."""
    found = [i for i, line in enumerate(lines) if line.startswith("  item ")]
    start = found[pick % len(found)]
    end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith(("  item ", "section ", "# ----"))), len(lines))
    points = _number(POINTS.search(lines[start]).group(1))
    if value > 1:
        _add_points(lines, _enclosing(lines, start, "section"), -points)
        full = _full_marks(lines)
        lines[full] = re.sub(r"\d+(?:\.\d+)?", lambda m: _shown(_number(m.group()) - points), lines[full], count=1)
    del lines[start:end]


def add_measure(lines: list[str], pick: int, value: float, tag: int) -> None:
    """A measure nobody uses yet."""
    found = [i for i, line in enumerate(lines) if line.startswith("  item ")]
    i = found[pick % len(found)]
    lines.insert(i + 1, f'    measure added_{tag} "新增测量项" from 0 to {_shown(max(value, 1))} unit "次"')


def edit_text(lines: list[str], pick: int, value: float, tag: int) -> None:
    """A text edited, sometimes with an escape sequence or a bidi override."""
    found = [(i, m) for i, line in enumerate(lines) if not line.lstrip().startswith("#") for m in TEXT.finditer(line)]
    i, match = found[pick % len(found)]
    addition = ["x", " ", "\\u001b[2J", "\\u202e", "\\u001b]0;t\\u0007", "|"][pick % 6]
    lines[i] = lines[i][: match.end() - 1] + addition + lines[i][match.end() - 1 :]


def share_a_sections_key(lines: list[str], pick: int, value: float, tag: int) -> None:
    """A condition or a grade with a section's key."""
    sections = [STATEMENT.match(line).group("key") for line in lines if line.startswith("section ")]
    key = sections[pick % len(sections)]
    if any(line.startswith((f"condition {key} ", f"  grade {key} ")) for line in lines):
        return
    if pick % 2:
        at = next(i for i, line in enumerate(lines) if line.startswith("condition "))
        lines[at:at] = [f'condition {key} "与评价项目同名的条件"', '  clause "6.9"', ""]
    else:
        at = next(i for i, line in enumerate(lines) if line.startswith("  pass at ")) + 1
        lines.insert(at, f'  grade {key} "良好" at {_shown(300 + min(value, 100))}')


MUTATIONS = [change_amount, add_item_points, rename_key, drop_item, add_measure, edit_text, share_a_sections_key]

edits = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.sampled_from([0, 0.5, 1, 2, 3, 5, 10, 50])),
    max_size=4,
)


def mutated(chosen) -> str:
    lines = SOURCE.split("\n")
    for tag, (mutation, pick, value) in enumerate(chosen):
        mutation(lines, pick, value, tag)
    return "\n".join(lines)


def run(*args: str):
    return run_in(ROOT, *args)


def assert_no_crash(result) -> None:
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def has_errors(path: Path) -> bool:
    return bool(compile_source(path.read_text(encoding="utf-8"), str(path)).errors)


@SETTINGS
@given(old_edits=edits, new_edits=edits)
@example(old_edits=[], new_edits=[(edit_text, 402, 0)])  # the version's own text edited: another version
def test_diff_never_crashes_and_exits_0_or_1(old_edits, new_edits) -> None:
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "old.rubric", Path(folder) / "new.rubric"
        old.write_text(mutated(old_edits), encoding="utf-8")
        new.write_text(mutated(new_edits), encoding="utf-8")
        for output_format in ("text", "markdown", "json"):
            result = run("diff", str(old), str(new), "--format", output_format)
            assert_no_crash(result)
            assert result.exit_code in (0, 1), result.stderr
        data = json.loads(result.stdout)
        assert data["equal"] == (result.exit_code == 0)
        # An edit may change the id or the version itself: then it is no longer "the same version".
        same_revision = (data["old"]["id"], data["old"]["version"]) == (data["new"]["id"], data["new"]["version"])
        assert data["same_version_differs"] == (same_revision and data["old"]["content_hash"] != data["new"]["content_hash"])
        backward = run("diff", str(new), str(old), "--format", "json")
        assert backward.exit_code == result.exit_code


@SETTINGS
@given(new_edits=edits)
def test_findings_rescored_under_any_checked_revision(new_edits) -> None:
    """OLD is the rubric the findings were made under; NEW any edit of it:
    rescored when NEW is free of errors, refused naming NEW otherwise."""
    with tempfile.TemporaryDirectory() as folder:
        new = Path(folder) / "new.rubric"
        new.write_text(mutated(new_edits), encoding="utf-8")
        result = run("diff", str(SHIPPED_RUBRIC), str(new), "--format", "json", "--findings", *map(str, FINDINGS))
        assert_no_crash(result)
        if has_errors(new):
            assert result.exit_code == 2
            assert f"Error: {new}: findings cannot be rescored under a revision with errors" in result.stderr
        else:
            assert result.exit_code in (0, 1), result.stderr
            assert len(json.loads(result.stdout)["findings"]) == len(FINDINGS)


@SETTINGS
@given(old_edits=edits, new_edits=edits)
def test_findings_never_crash_diff(old_edits, new_edits) -> None:
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "old.rubric", Path(folder) / "new.rubric"
        old.write_text(mutated(old_edits), encoding="utf-8")
        new.write_text(mutated(new_edits), encoding="utf-8")
        for output_format in ("text", "markdown"):
            result = run("diff", str(old), str(new), "--format", output_format, "--findings", *map(str, FINDINGS))
            assert_no_crash(result)
            assert result.exit_code in (0, 1, 2), result.stderr
            if result.exit_code == 2:
                assert result.stdout == ""
                assert (
                    "findings cannot be rescored under a revision with errors" in result.stderr
                    or "findings that cannot be rescored" in result.stderr
                ), result.stderr
