"""`rubricdsl diff`: two revisions compared by their keys, and findings
rescored under both."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricdsl.frontend import compile_source
from rubricdsl.plan import lower
from rubricdsl import export, revdiff, scoring
from rubricdsl.cli import main
from rubricdsl.frontend import compile_bytes, compile_source
from rubricdsl.parser import lex

from .conftest import AS_PRINTED_RUBRIC, ROOT, SHIPPED_RUBRIC

FINDINGS = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"

BASE = """\
rubric demo
  title "Demo"
  version "1"
  full marks 40
  pass at 24
  grade good "良" at 32

condition ready "Ready"
  clause "6.1"

section a "A" points 20

  item policy "Policy" points 10
    req has_policy "Has a policy"
      deduct 4 "no policy: 4"
    req chart "Has a chart"
      deduct each 1 "per missing part"
      part exists "exists"
      part accurate "accurate"
    req table "Has a table"
      deduct "no table 5, unclear 3"
      level no_table 5 "no table"
      level unclear 3 "unclear"

  item training "Training" points 10
    measure completion "completion" percent
    req plan "Plan"
      deduct 3 "no plan: 3"
    req completed "Completed"
      deduct "by band"
      band low 5 when completion < 30
      band mid 2 when 30 <= completion < 100

section b "B" points 10

  item quality "Quality" points 5
    measure satisfaction "satisfaction" percent
    tier high 5 "high" when satisfaction >= 90
    tier low 2 "low" when satisfaction < 90

  item brand "Brand" points 5
    choice national 5 "national"
    choice local 2 "local"
    otherwise 0 "none"

section c "C" points 10

  item platform "Platform" points 10
    group g1 "G1" points 5
      deduct each 2 "per missing: 2"
      req r1 "R1"
      req r2 "R2"
    group g2 points 5
      deduct each 1 "per missing: 1"
      req r3 "R3"
"""


def revision(source: str, path: str) -> revdiff.Revision:
    compilation = compile_source(source, path)
    assert compilation.rubric is not None, compilation.diagnostics
    return revdiff.Revision(path, compilation.rubric, len(compilation.errors))


def changes_of(old: str, new: str) -> set[tuple]:
    result = revdiff.diff(revision(old, "old.rubric"), revision(new, "new.rubric"))
    return {(c.action, c.kind, c.path, c.field) for c in result.changes}


def test_base_is_clean() -> None:
    assert compile_source(BASE).ok


def test_a_revision_equals_itself() -> None:
    result = revdiff.diff(revision(BASE, "a"), revision(BASE, "b"))
    assert result.equal and result.changes == ()
    assert "no changes" in revdiff.render_text(result)


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ('item policy "Policy" points 10', 'item policy "Policy" points 9', {("changed", "item", "a.policy", "points")}),
        ('deduct 4 "no policy: 4"', 'deduct 5 "no policy: 4"', {("changed", "requirement", "a.policy.has_policy", "deduct")}),
        ('deduct 4 "no policy: 4"', 'deduct 4 "no policy: four"', {("changed", "requirement", "a.policy.has_policy", "deduct text")}),
        ('req has_policy "Has a policy"', 'req has_policy "Has one policy"', {("changed", "requirement", "a.policy.has_policy", "text")}),
        ('level unclear 3 "unclear"', 'level unclear 2 "unclear"', {("changed", "level", "a.policy.table.unclear", "deduct")}),
        ("30 <= completion < 100", "40 <= completion < 100", {("changed", "band", "a.training.completed.mid", "when")}),
        ('tier high 5 "high"', 'tier high 4 "high"', {("changed", "tier", "b.quality.high", "points")}),
        ('    choice local 2 "local"\n', "", {("removed", "choice", "b.brand.local", None)}),
        (
            '      part accurate "accurate"\n',
            '      part accurate "accurate"\n      part complete "complete"\n',
            {("added", "part", "a.policy.chart.complete", None)},
        ),
        ('deduct each 2 "per missing: 2"', 'deduct each 3 "per missing: 2"', {("changed", "group", "c.platform.g1", "deduct each")}),
        ("group g2 points 5", 'group g2 "G2" points 5', {("changed", "group", "c.platform.g2", "heading")}),
        ('  clause "6.1"\n', '  clause "6.1"\n  advisory\n', {("changed", "condition", "ready", "advisory")}),
        ('grade good "良" at 32', 'grade good "良" at 30', {("changed", "grade", "good", "threshold")}),
        ("pass at 24", "pass at 20", {("changed", "rubric", "", "pass mark")}),
        ('version "1"', 'version "2"', {("changed", "rubric", "", "version")}),
        (
            '    otherwise 0 "none"\n',
            "",
            {("changed", "item", "b.brand", "otherwise"), ("changed", "item", "b.brand", "otherwise text")},
        ),
        ('"completion" percent', '"completion" from 0 to 10 unit "人"', {("changed", "measure", "a.training.completion", "scale")}),
        (
            'item policy "Policy" points 10\n',
            'item policy "Policy" points 10\n    note "8.2 applies"\n',
            {("changed", "item", "a.policy", "notes")},
        ),
        (
            'deduct 3 "no plan: 3"',
            'deduct 3 "no plan: 3" when completion < 50',
            {("changed", "requirement", "a.training.plan", "rule"), ("changed", "requirement", "a.training.plan", "when")},
        ),
        (
            "      req r3 \"R3\"\n",
            "      req r3 \"R3\"\n      req r4 \"R4\"\n",
            {("added", "requirement", "c.platform.g2.r4", None)},
        ),
        ("", 'section d "D" points 0\n', {("added", "section", "d", None)}),
        (
            '  item brand "Brand" points 5\n    choice national 5 "national"\n    choice local 2 "local"\n    otherwise 0 "none"\n',
            "",
            {("removed", "item", "b.brand", None)},
        ),
    ],
)
def test_each_kind_of_change_is_found(before: str, after: str, expected: set) -> None:
    new = BASE.replace(before, after, 1) if before else BASE + after
    assert new != BASE
    assert changes_of(BASE, new) == expected
    # The other way round, additions are removals and the same fields change.
    swapped = {({"added": "removed", "removed": "added"}.get(a, a), k, p, f) for a, k, p, f in expected}
    assert changes_of(new, BASE) == swapped


def test_a_node_added_with_its_parent_is_one_change() -> None:
    added = BASE + 'section d "D" points 5\n  item x "X" points 5\n    req y "Y"\n      deduct 5 "y"\n'
    assert changes_of(BASE, added) == {("added", "section", "d", None)}


def test_reordered_items() -> None:
    policy = BASE[BASE.index("  item policy") : BASE.index("  item training")]
    training = BASE[BASE.index("  item training") : BASE.index("section b")]
    reordered = BASE.replace(policy + training, training.rstrip("\n") + "\n\n" + policy.rstrip("\n") + "\n\n")
    result = revdiff.diff(revision(BASE, "a"), revision(reordered, "b"))
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in result.changes] == [
        ("section", "a", "order of items", ("policy", "training"), ("training", "policy"))
    ]


def test_a_renamed_key_is_removed_and_added_with_a_hint() -> None:
    renamed = BASE.replace("req has_policy", "req policy_exists")
    result = revdiff.diff(revision(BASE, "a"), revision(renamed, "b"))
    assert [(c.action, c.path, c.hint) for c in result.changes] == [
        ("removed", "a.policy.has_policy", "same text as added requirement 'a.policy.policy_exists': renamed?"),
        ("added", "a.policy.policy_exists", "same text as removed requirement 'a.policy.has_policy': renamed?"),
    ]


def test_an_erratum_explains_the_change_it_records() -> None:
    corrected = BASE.replace(
        'item policy "Policy" points 10\n', 'item policy "Policy" points 9\n    erratum points was 10 "the printed 10 is a typo"\n'
    )
    result = revdiff.diff(revision(BASE, "a"), revision(corrected, "b"))
    assert [(c.field, c.old, c.new, c.reason) for c in result.changes] == [
        ("points", 10, 9, "the printed 10 is a typo")
    ]


def test_layout_and_comments_are_no_change() -> None:
    packed = " ".join(line.strip() for line in BASE.splitlines()) + "  # a comment\n"
    assert changes_of(BASE, packed) == set()


@pytest.mark.parametrize("seed", range(40))
def test_any_change_of_meaning_is_reported(seed: int) -> None:
    """Random edits of the standard's rubric: the diff is empty exactly when
    the models are equal, and mirrors itself when the revisions swap."""
    rng = random.Random(seed)
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    tokens = lex(source).tokens
    lines = source.split("\n")
    for _ in range(rng.randint(1, 3)):
        token = rng.choice([t for t in tokens if t.type in ("NUMBER", "STRING")])
        line = lines[token.line - 1]
        start, end = token.column - 1, token.end_column - 1
        if line[start:end] != token.value:
            continue  # an earlier edit on this line moved it
        if token.type == "NUMBER":
            # never below 0: "-1" is not a number of the language
            replacement = str(max(0, int(float(token.value)) + rng.choice([-1, 1, 5])))
        else:
            replacement = token.value[:-1] + rng.choice(["", "x", " "]) + '"'
        lines[token.line - 1] = line[:start] + replacement + line[end:]
    edited = "\n".join(lines)
    old, new = revision(source, "old"), revision(edited, "new")
    forward, backward = revdiff.diff(old, new), revdiff.diff(new, old)
    assert forward.equal == (old.rubric == new.rubric) == backward.equal
    assert forward.counts()["changed"] == backward.counts()["changed"]
    assert forward.counts()["added"] == backward.counts()["removed"]


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def run(*args: str, color: bool = False):
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False, color=color)
    finally:
        os.chdir(old)


AS_PRINTED = str(AS_PRINTED_RUBRIC.relative_to(ROOT))
SHIPPED = str(SHIPPED_RUBRIC.relative_to(ROOT))


def test_the_errata_of_the_standard_show_as_point_changes() -> None:
    result = run("diff", AS_PRINTED, SHIPPED)
    assert result.exit_code == 1
    assert "note: tests/fixtures/as-printed/t-cssg-001.5-2020.rubric has 3 errors" in result.stderr
    assert "\x1b[" not in result.stdout
    for expected in [
        '~ section basics "网格化服务管理标准化工作基本要求"\n    points: 50 -> 45 (-5)\n      erratum: 表头印为“(50分)”',
        '~ section management "网格化服务管理标准体系"\n    + erratum: numeral was "五": 表头印为',
        '~ item posts.big_data_posts "大数据人员岗位工作标准"\n    points: 10 -> 5 (-5)\n      erratum: 本表各项分值之和印为75分',
        '~ item performance.service_efficiency "服务效率"\n    otherwise: none -> 0\n    otherwise text: none -> "服务效率缩短时间率不足 10%"',
        "  sections total     505     500      -5\n  full marks         500     500\n  pass mark          300     300",
        "4 changed, 0 added, 0 removed",
    ]:
        assert expected in result.stdout


def test_identical_revisions_exit_0() -> None:
    result = run("diff", SHIPPED, SHIPPED)
    assert result.exit_code == 0
    assert "no changes: the two revisions mean the same" in result.stdout


def test_colour_only_for_a_terminal() -> None:
    assert "\x1b[33m" in run("diff", AS_PRINTED, SHIPPED, color=True).stdout


# Written as the language's escapes: ESC [2J clears the screen, ESC ]0;...BEL
# retitles the window, U+202E reverses what follows.
HOSTILE = "Has \\u001b[2J a \\u001b]0;title\\u0007 policy \\u202e tsil"
HOSTILE_READ = "Has \x1b[2J a \x1b]0;title\x07 policy \u202e tsil"
HOSTILE_SHOWN = "Has \\x1b[2J a \\x1b]0;title\\x07 policy \\u202e tsil"


def hostile_pair(tmp_path: Path) -> tuple[str, str]:
    old, new = tmp_path / "old.rubric", tmp_path / "new.rubric"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(BASE.replace('"Has a policy"', f'"{HOSTILE}"').replace('"Policy"', '"Policy \\u009b31m"'), encoding="utf-8")
    return str(old), str(new)


def test_control_characters_in_texts_reach_the_terminal_escaped(tmp_path: Path) -> None:
    old, new = hostile_pair(tmp_path)
    result = run("diff", old, new, color=True)
    assert result.exit_code == 1, result.stderr
    assert f'text: "Has a policy" -> "{HOSTILE_SHOWN}"' in result.stdout
    assert '~ item a.policy "Policy \\x9b31m"' in result.stdout
    assert "\u202e" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
    # The only escapes left are the diff's own colours.
    assert "\x1b[33m" in result.stdout and "\x1b" not in re.sub("\x1b\\[[0-9;]*m", "", result.stdout)
    markdown = run("diff", old, new, "--format", "markdown").stdout
    assert HOSTILE_SHOWN in markdown and "\x1b" not in markdown and "\u202e" not in markdown


def test_json_keeps_texts_exact(tmp_path: Path) -> None:
    old, new = hostile_pair(tmp_path)
    changes = json.loads(run("diff", old, new, "--format", "json").stdout)["changes"]
    assert {"field": "text", "old": "Has a policy", "new": HOSTILE_READ} in [
        {k: c[k] for k in ("field", "old", "new")} for c in changes
    ]


def test_markdown_for_the_explanatory_notes() -> None:
    result = run("diff", AS_PRINTED, SHIPPED, "--format", "markdown")
    assert result.exit_code == 1
    text = result.stdout
    assert text.startswith("## 评分表修订情况\n")
    assert "| 一、网格化服务管理标准化工作基本要求 | 50 | 45 | -5 |" in text
    assert "| **合计** | **505** | **500** | -5 |" in text
    assert "| 1 | 一、网格化服务管理标准化工作基本要求 | 分值 | 50 | 45 | 表头印为“(50分)”" in text
    assert "| 2 | 四、网格化服务管理标准体系 | 勘误 | 无 | 序号印为“五”：表头印为“五、”" in text
    assert "| 3 | 五、第8项 大数据人员岗位工作标准 | 分值 | 10 | 5 |" in text
    assert "| 4 | 七、第2项 服务效率 | 其他情形得分 | 无 | 0 |  |" in text


def test_markdown_cells_cannot_break_the_table() -> None:
    piped = BASE.replace('req has_policy "Has a policy"', 'req has_policy "a | b\\nc"')
    text = revdiff.render_markdown(revdiff.diff(revision(BASE, "a"), revision(piped, "b")))
    row = next(line for line in text.splitlines() if "a \\| b<br>c" in line)
    assert row.count(" | ") == 5


def test_json() -> None:
    result = run("diff", AS_PRINTED, SHIPPED, "--format", "json")
    data = json.loads(result.stdout)
    assert data["format"] == "rubricdsl-diff/1" and data["equal"] is False
    assert data["old"]["errors"] == 3 and data["new"]["errors"] == 0
    assert [(c["kind"], c["path"], c["field"], c["old"], c["new"]) for c in data["changes"]] == [
        ("section", "basics", "points", 50, 45),
        ("section", "management", "errata", [], [{"field": "numeral", "printed": "五", "reason": data["changes"][1]["new"][0]["reason"]}]),
        ("item", "posts.big_data_posts", "points", 10, 5),
        ("item", "performance.service_efficiency", "otherwise", None, 0),
        ("item", "performance.service_efficiency", "otherwise text", None, "服务效率缩短时间率不足 10%"),
    ]
    assert data["full_marks"] == {"old": 500, "new": 500}


def content_hash_of(path: Path) -> str:
    return export.content_hash(compile_source(path.read_text(encoding="utf-8"), str(path)).rubric)


SAME_VERSION_WARNING = (
    "warning: the two revisions have the same id and version (t-cssg-001.5-2020, version 2020-draft) but different "
    "content (hashes {old} and {new}); findings made under one would be scored under the other's rules: give the "
    "new revision a new version"
)


def test_same_id_and_version_with_other_content_is_a_warning() -> None:
    # The standard as printed and the shipped rubric share a version: a
    # findings file cannot say under which it was made.
    old_hash, new_hash = content_hash_of(AS_PRINTED_RUBRIC), content_hash_of(SHIPPED_RUBRIC)
    assert old_hash != new_hash
    warning = SAME_VERSION_WARNING.format(old=old_hash, new=new_hash)
    for output_format in ("text", "markdown", "json"):
        result = run("diff", AS_PRINTED, SHIPPED, "--format", output_format)
        assert result.exit_code == 1
        assert warning + "\n" in result.stderr
    data = json.loads(result.stdout)
    assert data["same_version_differs"] is True
    assert (data["old"]["content_hash"], data["new"]["content_hash"]) == (old_hash, new_hash)
    assert data["warnings"] == [warning.removeprefix("warning: ")]
    markdown = run("diff", AS_PRINTED, SHIPPED, "--format", "markdown").stdout
    assert (
        "> **注意**：修订前后两版评分表的编号和版本相同（t-cssg-001.5-2020，版本 2020-draft），内容却不同"
        f"（内容哈希 `{old_hash}` 与 `{new_hash}`）：按其中一版作出的评价记录，会按另一版的规则计分。"
        "请为修订后的评分表设定新的版本（`version`）。"
    ) in markdown


def test_no_warning_for_a_new_version_or_a_new_layout(tmp_path: Path) -> None:
    tightened = tightened_standard(tmp_path)
    result = run("diff", SHIPPED, tightened, "--format", "json")
    assert result.exit_code == 1 and "warning" not in result.stderr
    data = json.loads(result.stdout)
    assert data["same_version_differs"] is False and data["warnings"] == []
    assert (data["old"]["content_hash"], data["new"]["content_hash"]) == (
        content_hash_of(SHIPPED_RUBRIC), content_hash_of(Path(tightened))
    )
    packed = tmp_path / "packed.rubric"
    packed.write_text(" ".join(line.split("#")[0].strip() for line in SHIPPED_RUBRIC.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    result = run("diff", SHIPPED, str(packed), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["same_version_differs"] is False and data["old"]["content_hash"] == data["new"]["content_hash"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.rubric", SHIPPED], "missing.rubric: no such file"),
        ([SHIPPED, SHIPPED, "x.json"], "findings files follow --findings"),
        ([SHIPPED, SHIPPED, "--findings"], "--findings needs at least one findings file"),
        ([SHIPPED, SHIPPED, "--findings", "missing.json"], "missing.json: no such file"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run("diff", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_rubric_that_does_not_parse_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rubric"
    broken.write_text('rubric demo\n  titel "x"\n', encoding="utf-8")
    result = run("diff", str(broken), SHIPPED)
    assert result.exit_code == 2
    assert "error[E101]" in result.stderr and "cannot be compared" in result.stderr


# A condition and a grade may share a section's key: keys are unique among
# siblings only.
SHARED_KEYS = BASE.replace("condition ready", "condition a").replace("grade good", "grade b")


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_a_condition_or_grade_with_a_sections_key(tmp_path: Path, output_format: str) -> None:
    assert compile_source(SHARED_KEYS).ok
    old, new = tmp_path / "old.rubric", tmp_path / "new.rubric"
    old.write_text(SHARED_KEYS, encoding="utf-8")
    new.write_text(
        SHARED_KEYS.replace('  clause "6.1"\n', '  clause "6.2"\n').replace('"良" at 32', '"良" at 30')
        .replace('section a "A" points 20', 'section a "A" points 20\n  caption "Table A"'),
        encoding="utf-8",
    )
    same = run("diff", str(old), str(old), "--format", output_format)
    assert same.exit_code == 0, same.stderr
    changed = run("diff", str(old), str(new), "--format", output_format)
    assert changed.exit_code == 1, changed.stderr
    if output_format == "json":
        assert [(c["kind"], c["path"], c["field"]) for c in json.loads(changed.stdout)["changes"]] == [
            ("grade", "b", "threshold"), ("condition", "a", "clause"), ("section", "a", "caption")
        ]


def test_keys_used_twice_exit_2(tmp_path: Path) -> None:
    twice = tmp_path / "twice.rubric"
    twice.write_text(BASE.replace("req plan", "req completed"), encoding="utf-8")
    result = run("diff", str(twice), SHIPPED)
    assert result.exit_code == 2
    assert "error[E201]" in result.stderr and "its keys must be unique" in result.stderr


# ---------------------------------------------------------------------------
# Findings rescored
# ---------------------------------------------------------------------------


def tightened_standard(tmp_path: Path) -> str:
    """The shipped rubric with its top satisfaction tier from 95, not 90."""
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    for before, after in [
        ("when satisfaction >= 90", "when satisfaction >= 95"),
        ("when 80 <= satisfaction < 90", "when 80 <= satisfaction < 95"),
        ('version "2020-draft"', 'version "2021"'),
    ]:
        assert before in source
        source = source.replace(before, after, 1)
    tightened = tmp_path / "tightened.rubric"
    tightened.write_text(source, encoding="utf-8")
    return str(tightened)


def test_findings_rescored_under_both_revisions(tmp_path: Path) -> None:
    tightened = tightened_standard(tmp_path)
    result = run("diff", SHIPPED, tightened, "--format", "json", "--findings", str(FINDINGS.relative_to(ROOT)))
    assert result.exit_code == 1, result.stderr
    [entry] = json.loads(result.stdout)["findings"]
    assert entry["organization"] == "某市网格化服务管理中心"
    assert (entry["old"]["total"], entry["new"]["total"]) == (416, 411)
    changed = {k: (entry["old"]["sections"][k], v) for k, v in entry["new"]["sections"].items() if entry["old"]["sections"][k] != v}
    assert changed == {"performance": (41, 36)}
    assert entry["not_in"] == {"old": [], "new": []} and entry["newly_required"] == {"old": [], "new": []}
    text = run("diff", SHIPPED, tightened, "--findings", str(FINDINGS)).stdout
    assert "  某市网格化服务管理中心: 416 -> 411 (-5); passed yes -> yes" in text
    assert "    section performance: 41 -> 36 (-5)" in text
    markdown = run("diff", SHIPPED, tightened, "--format", "markdown", "--findings", str(FINDINGS)).stdout
    assert "| 某市网格化服务管理中心 | 416 | 411 | -5 | 是 → 是 | 七、绩效评估 -5 |" in markdown


def test_findings_are_not_rescored_under_a_revision_with_errors() -> None:
    # The standard as printed does not add up (E301, E302): no scorer is
    # generated for it, as `rubricdsl score` generates none.
    result = run("diff", AS_PRINTED, SHIPPED, "--findings", str(FINDINGS.relative_to(ROOT)))
    assert result.exit_code == 2
    assert "tests/fixtures/as-printed/t-cssg-001.5-2020.rubric:13:14: error[E302]" in result.stderr
    assert (
        "Error: tests/fixtures/as-printed/t-cssg-001.5-2020.rubric: findings cannot be rescored under a revision "
        "with errors (3 errors); fix them first (rubricdsl check tests/fixtures/as-printed/t-cssg-001.5-2020.rubric), "
        "or compare without --findings"
    ) in result.stderr
    assert result.stdout == ""


# Revisions the checker refuses, as reported: each made `diff --findings`
# crash with a traceback and exit 1.
REFUSED = {
    "misspelt measure": ("when satisfaction >= 90", "when satisfactoin >= 90", "E202"),
    "parts under a fixed deduction": (
        '      deduct each 1 "每缺一项扣1分"\n      part decree', '      deduct 2 "缺少扣2分"\n      part decree', "E409"
    ),
    "tiers and choices in one item": (
        '    tier from_90 20 "服务对象满意度达到 90%以上得 20 分" when satisfaction >= 90\n',
        '    tier from_90 20 "服务对象满意度达到 90%以上得 20 分" when satisfaction >= 90\n    choice special 5 "特别奖励"\n',
        "E408",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("order", ["old", "new"])
def test_a_revision_the_checker_refuses_exits_2_naming_it(tmp_path: Path, case: str, order: str) -> None:
    before, after, code = REFUSED[case]
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    assert before in source
    refused = tmp_path / "refused.rubric"
    refused.write_text(source.replace(before, after, 1), encoding="utf-8")
    pair = (str(refused), SHIPPED) if order == "old" else (SHIPPED, str(refused))
    for output_format in ("text", "markdown", "json"):
        result = run("diff", *pair, "--format", output_format, "--findings", str(FINDINGS))
        assert result.exit_code == 2, result.stderr
        assert f"error[{code}]" in result.stderr
        assert f"Error: {refused}: findings cannot be rescored under a revision with errors" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    # Compared without findings, as written.
    compared = run("diff", *pair)
    assert compared.exit_code == 1, compared.stderr
    assert f"note: {refused} has " in compared.stderr and "compared as written" in compared.stderr


def revised_standard() -> str:
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    edits = [
        ('req has_objectives "有组织目标"', 'req objectives "有组织目标"'),
        ('      deduct 1 "没有考试记录扣1分"\n', '      deduct 1 "没有考试记录扣1分"\n    req exam_scores "有考试成绩"\n      deduct 1 "没有考试成绩扣1分"\n'),
        ('      part practicable "便于组织实施"\n', ""),
        ("when satisfaction >= 90", "when satisfaction >= 95"),
        ('    measure participation "全员参训率" percent\n', '    measure participation "全员参训率" percent\n    measure hours "人均学时" from 0 to 100\n'),
        ('    req competence "各岗位人员能掌握相关标准，具有一定标准化知识"\n', '    req hours_enough "人均学时达标"\n      deduct 1 "不足扣1分" when hours < 8\n    req competence "各岗位人员能掌握相关标准，具有一定标准化知识"\n'),
        ('version "2020-draft"', 'version "2021"'),
    ]
    for before, after in edits:
        assert before in source
        source = source.replace(before, after, 1)
    return source


def test_findings_fitted_to_a_revision_with_other_keys(tmp_path: Path) -> None:
    revised = tmp_path / "revised.rubric"
    revised.write_text(revised_standard(), encoding="utf-8")
    result = run("diff", SHIPPED, str(revised), "--format", "json", "--findings", str(FINDINGS))
    assert result.exit_code == 1, result.stderr
    [entry] = json.loads(result.stdout)["findings"]
    assert entry["not_in"]["new"] == [
        "items.basics.policy.requirements.has_objectives",
        "items.foundation.structure.requirements.coordinated.practicable",
    ]
    assert entry["newly_required"]["new"] == [
        "items.basics.policy.requirements.objectives",
        "items.basics.training.requirements.exam_scores",
        "items.implementation.promotion_training.measures.hours",
    ]
    # The item that needs an unrecorded measure is not assessed (0) under NEW.
    assert entry["new"]["not_assessed"] == ["implementation.promotion_training"]
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    old_section = findings["items"]["implementation.promotion_training"]
    assert old_section["status"] == "assessed"
    # 92.5 satisfaction no longer reaches the top tier, which now starts at 95.
    assert entry["old"]["sections"]["performance"] - entry["new"]["sections"]["performance"] == 20


def test_remarks_carried_to_a_revision_and_those_on_a_removed_requirement_named(tmp_path: Path) -> None:
    revised = tmp_path / "revised.rubric"
    revised.write_text(revised_standard(), encoding="utf-8")
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    policy = findings["items"]["basics.policy"]
    policy["remark"] = "目标文件未见"
    policy["requirement_remarks"] = {"has_policy": "方针见手册第2页", "has_objectives": "无目标文件", "_note": "x"}
    findings["items"]["basics.training"]["requirement_remarks"] = {"plan_completed": "", "exam_records": "考试记录齐全"}
    remarked = tmp_path / "remarked.json"
    remarked.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    result = run("diff", SHIPPED, str(revised), "--format", "json", "--findings", str(remarked))
    assert result.exit_code == 1, result.stderr
    [entry] = json.loads(result.stdout)["findings"]
    # The remark on the removed requirement is named; the blank one on a kept
    # requirement and the note are not.
    assert "items.basics.policy.requirement_remarks.has_objectives" in entry["not_in"]["new"]
    assert not [key for key in entry["not_in"]["new"] if "basics.training" in key or "_note" in key]
    assert entry["not_in"]["old"] == []
    plan = lower(compile_source(revised.read_text(encoding="utf-8"), str(revised)).rubric)
    fitted, _, _ = revdiff.fit_findings(findings, plan)
    assert fitted["items"]["basics.policy"]["remark"] == "目标文件未见"
    assert fitted["items"]["basics.policy"]["requirement_remarks"] == {"has_policy": "方针见手册第2页"}
    assert fitted["items"]["basics.training"]["requirement_remarks"]["exam_records"] == "考试记录齐全"


def test_findings_for_another_rubric_exit_2(tmp_path: Path) -> None:
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    findings["rubric"]["version"] = "1999"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    result = run("diff", SHIPPED, SHIPPED, "--findings", str(other))
    assert result.exit_code == 2
    assert "rubric.id and rubric.version name 't-cssg-001.5-2020' version '1999'" in result.stderr


def test_invalid_findings_exit_2_naming_the_key(tmp_path: Path) -> None:
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    findings["items"]["basics.policy"]["requirements"]["has_policy"] = "maybe"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    result = run("diff", SHIPPED, SHIPPED, "--findings", str(bad))
    assert result.exit_code == 2
    assert "items.basics.policy.requirements.has_policy: expected true or false" in result.stderr


def test_fit_findings_keeps_what_fits() -> None:
    compilation = compile_source(SHIPPED_RUBRIC.read_text(encoding="utf-8"), SHIPPED)
    scorer = scoring.load_scorer(compilation, SHIPPED)
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    fitted, dropped, filled = revdiff.fit_findings(findings, lower(compilation.rubric))
    assert (dropped, filled) == ([], [])
    assert scorer.score(fitted, partial=True)["total"] == scorer.score(findings)["total"]


def test_group_rulings_are_rescored_as_ruled(tmp_path: Path) -> None:
    compilation = compile_source(SHIPPED_RUBRIC.read_text(encoding="utf-8"), SHIPPED)
    scorer = scoring.load_scorer(compilation, SHIPPED)
    findings = json.loads(FINDINGS.read_text(encoding="utf-8"))
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"intelligence": {"status": "not_applicable", "reason": "本级不建设"}}
    for key in [k for k in platform["requirements"] if k.startswith("intelligence.")]:
        del platform["requirements"][key]
    fitted, dropped, filled = revdiff.fit_findings(findings, lower(compilation.rubric))
    assert (dropped, filled) == ([], [])
    assert scorer.score(fitted, partial=True)["total"] == scorer.score(findings)["total"]
    path = tmp_path / "ruled.json"
    path.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    result = run("diff", SHIPPED, SHIPPED, "--findings", str(path), "--format", "json")
    rescored = json.loads(result.stdout)["findings"][0]
    assert rescored["old"]["total"] == rescored["new"]["total"] == scorer.score(findings)["total"]


def test_a_bug_in_diff_exits_2_not_1(monkeypatch: pytest.MonkeyPatch) -> None:
    # Exit 1 means "they differ"; a crash must never read as that.
    def broken(old, new):
        raise KeyError("boom")

    monkeypatch.setattr(revdiff, "diff", broken)
    result = run("diff", SHIPPED, SHIPPED)
    assert result.exit_code == 2
    assert "Error: internal error, please report: KeyError: 'boom' at test_revdiff.py:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "case", sorted((ROOT / "tests" / "golden" / "diagnostics").glob("*.rubric")), ids=lambda path: path.stem
)
def test_every_diagnostic_example_is_compared_or_refused(case: Path) -> None:
    """Each code's example: compared as written (exit 0 or 1) or refused
    (exit 2), never an internal error; with findings, refused when it has
    errors."""
    path = str(case.relative_to(ROOT))
    has_errors = bool(compile_bytes(case.read_bytes(), path).errors)
    for args in ([path, path], [path, SHIPPED, "--format", "markdown"], [SHIPPED, path, "--format", "json"]):
        result = run("diff", *args)
        assert result.exit_code in (0, 1, 2) and "internal error" not in result.stderr, result.stderr
    rescored = run("diff", path, path, "--findings", str(FINDINGS.relative_to(ROOT)))
    assert "internal error" not in rescored.stderr, rescored.stderr
    if has_errors:
        assert rescored.exit_code == 2 and path in rescored.stderr
