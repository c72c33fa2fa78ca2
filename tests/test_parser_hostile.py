"""Inputs from the issue tracker that once misled or overwhelmed the front
end: line breaks other than line feeds, thousands of overlapping tiers or
syntax errors, huge texts and numbers, digits that are not ASCII, a JSON
file given as a rubric.  Each test states its case inline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from click.testing import CliRunner
from lark.parsers.lalr_interactive_parser import InteractiveParser

from rubricdsl.checks import MAX_PER_PLACE
from rubricdsl.cli import main
from rubricdsl.diagnostics import lines_at, render, render_all, summary_line
from rubricdsl.frontend import compile_source
from rubricdsl.parser import MAX_SYNTAX_ERRORS, _ToModel

from .conftest import ROOT, SHIPPED_RUBRIC

HEADER = 'rubric demo\n  title "Demo"\n  version "1"\n  full marks 10\n  pass at 6\n'


def rubric(body: str, header: str = HEADER) -> str:
    return header + body


# ---- 5: the line echoed is the line counted -----------------------------


def test_only_line_feeds_end_lines() -> None:
    source = "a\fb\x0bc\x1cd\x85e\u2028f\u2029g\r\nh\ri\n\nj\n"
    assert lines_at(source, range(0, 7)) == {1: "a\fb\x0bc\x1cd\x85e\u2028f\u2029g", 2: "h\ri", 3: "", 4: "j"}
    assert lines_at("", [1]) == {} and lines_at("a", [1, 2]) == {1: "a"}


def test_a_form_feed_or_line_separator_does_not_shift_the_echoed_line() -> None:
    source = rubric(
        '\f\nsection s "Section \u2028 with a line separator" points 10\n'
        '  item i "Item" points 10\n'
        '    req r "R"\n'
        '      dedcut 5 "x"\n'
    )
    compilation = compile_source(source, "t.rubric")
    (shown,) = render_all(compilation.diagnostics, source)
    head, echo, carets = shown.split("\n")
    assert head.startswith("t.rubric:10:7: error[E101]: unexpected 'dedcut'")
    assert echo == '  10 |       dedcut 5 "x"'
    assert carets == "             ^^^^^^"
    assert render(compilation.diagnostics[0], source) == shown


# ---- 1: thousands of overlaps or syntax errors --------------------------


def equal_tiers(count: int) -> str:
    tiers = "".join(f'    tier t{n} 1 "T" when m >= 50\n' for n in range(count))
    return rubric(f'section s "S" points 10\n  item i "I" points 10\n    measure m "M" percent\n{tiers}')


def syntax_errors(count: int) -> str:
    requirements = "".join(f'    req r{n} "R"\n      deduct five "x"\n' for n in range(count))
    return rubric(f'section s "S" points 10\n  item i "I" points 10\n{requirements}')


def test_equal_tiers_give_a_few_overlaps_and_one_summary() -> None:
    compilation = compile_source(equal_tiers(2000), "t.rubric")
    overlaps = [d for d in compilation.diagnostics if d.code == "E403"]
    assert len(overlaps) == MAX_PER_PLACE
    # Each tier after the first overlaps one before it: 1,999, not 1,999,000 pairs.
    (summary,) = compilation.omitted
    assert (summary.code, summary.count) == ("E403", 1999 - MAX_PER_PLACE)
    assert summary.render() == f"t.rubric:7:3: … and {1999 - MAX_PER_PLACE} more overlaps among the tiers of item 'i'"
    assert overlaps[0].message == "tier 't1' (50 <= m) overlaps tier 't0' (50 <= m)"


def test_each_overlap_names_a_tier_it_overlaps() -> None:
    tiers = (
        '    tier low 1 "T" when 0 <= m < 50\n'
        '    tier wide 2 "T" when 10 <= m <= 100\n'
        '    tier high 3 "T" when 50 <= m <= 100\n'
        '    tier top 4 "T" when m >= 90\n'
    )
    compilation = compile_source(rubric(f'section s "S" points 10\n  item i "I" points 10\n    measure m "M" percent\n{tiers}'))
    assert [d.message for d in compilation.diagnostics if d.code == "E403"] == [
        "tier 'wide' (10 <= m <= 100) overlaps tier 'low' (0 <= m < 50)",
        "tier 'high' (50 <= m <= 100) overlaps tier 'wide' (10 <= m <= 100)",
        "tier 'top' (90 <= m) overlaps tier 'wide' (10 <= m <= 100)",
    ]
    assert compilation.omitted == ()


def test_syntax_errors_beyond_the_cap_are_counted_not_listed() -> None:
    compilation = compile_source(syntax_errors(800), "t.rubric")
    assert len(compilation.diagnostics) == MAX_SYNTAX_ERRORS
    assert all(not d.message.startswith("…") for d in compilation.diagnostics)
    (summary,) = compilation.omitted
    assert (summary.code, summary.count) == ("E101", 800 - MAX_SYNTAX_ERRORS)
    assert summary_line(compilation.diagnostics, compilation.omitted) == "800 errors, 0 warnings (775 not listed)"


def test_check_json_lists_diagnostics_only_and_says_the_rest_beside(tmp_path: Path) -> None:
    path = tmp_path / "many.rubric"
    path.write_text(syntax_errors(100), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1
    listed = json.loads(result.stdout)
    assert len(listed) == MAX_SYNTAX_ERRORS
    assert all(not d["message"].startswith("…") for d in listed)
    assert result.stderr == f"{path}:57:14: … and 75 more syntax errors\n"
    text = CliRunner().invoke(main, ["check", str(path)])
    assert text.stderr.splitlines()[-2:] == [
        f"{path}:57:14: … and 75 more syntax errors",
        f"{path}: 100 errors, 0 warnings (75 not listed)",
    ]


def test_recovery_builds_no_model_in_its_trials(monkeypatch) -> None:
    # A stray number where a statement goes: the trial of each keyword that
    # could come there (item, section, ...) closed the item and rebuilt it
    # with every requirement so far, so each error cost as much as the file
    # before it (800 of them: 61 s).
    items_built = []
    original = _ToModel.item
    monkeypatch.setattr(_ToModel, "item", lambda self, *a: items_built.append(1) or original(self, *a))
    stray = "".join(f'    req r{n} "R"\n      deduct 5 "x"\n    42\n' for n in range(200))
    compilation = compile_source(rubric(f'section s "S" points 10\n  item i "I" points 10\n{stray}'))
    assert len(compilation.diagnostics) == MAX_SYNTAX_ERRORS and compilation.omitted[0].count == 200 - MAX_SYNTAX_ERRORS
    assert len(items_built) == 1


def test_recovery_replays_the_parse_table_and_copies_no_parser(monkeypatch) -> None:
    # A copied parser copies its lexer, and a trial on one ran the model
    # builder; recovery replays the tables on the stack of states instead.
    copies = []
    original = InteractiveParser.copy
    monkeypatch.setattr(InteractiveParser, "copy", lambda self, *a, **k: copies.append(1) or original(self, *a, **k))
    compilation = compile_source(syntax_errors(200) + '  item j "I" 10\n')
    assert len(compilation.diagnostics) == MAX_SYNTAX_ERRORS and compilation.omitted[0].count == 201 - MAX_SYNTAX_ERRORS
    assert copies == []


# ---- 2: a huge text costs a few times its size ---------------------------

_PEAK = """
import resource, sys
from rubricdsl.diagnostics import render_all
from rubricdsl.frontend import compile_source
compile_source('rubric warm title "the grammar and the scanner are loaded"')
source = sys.stdin.read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
compilation = compile_source(source)
render_all(compilation.diagnostics, compilation.source)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, [d.code for d in compilation.diagnostics])
"""


@pytest.mark.parametrize(
    "text",
    [
        '"' + "a" * 2_000_000 + '"',
        '"' + ("x" * 78 + "\\n") * 25_000 + '"',
        '"""\n' + ("      评价要求的说明文字 abc\n" * 60_000) + '      """',
    ],
    ids=["plain", "escaped", "long"],
)
def test_a_2_mb_text_costs_under_10_times_its_size(text: str) -> None:
    # The text pattern once kept a regex backtracking frame per character
    # (4.6 GB for 20 MB).  Peak RSS of a fresh process, above its baseline.
    source = rubric(f'section s "S" points 10\n  item i "I" points 10\n    req r {text}\n      deduct 11 "x"\n')
    out = subprocess.run(
        [sys.executable, "-c", _PEAK], input=source, capture_output=True, text=True, check=True, encoding="utf-8"
    ).stdout.split(maxsplit=1)
    grown_kib, codes = int(out[0]), out[1].strip()
    assert codes == "['E401']"  # parsed whole: the deduction of 11 is over the cap
    assert grown_kib * 1024 < 10 * len(source.encode("utf-8"))


# ---- 4: digits are 0-9 ---------------------------------------------------


def test_a_full_width_or_arabic_indic_number_is_refused_with_its_ascii_spelling() -> None:
    source = rubric(
        'section s "S" points 10\n  item i "I" points 10\n'
        '    req a "A"\n      deduct ５ "x"\n'
        '    req b "B"\n      deduct ١٠ "x"\n'
        '    req c "C"\n      deduct １．５ "x"\n'
    )
    compilation = compile_source(source, "t.rubric")
    assert compilation.rubric is None
    shown = render_all(compilation.diagnostics, source)
    assert shown[0].split("\n") == [
        "t.rubric:9:14: error[E101]: unexpected character '５'; expected 'each', a number or a quoted text; "
        "did you mean 5? (a number is written in the digits 0-9)",
        '   9 |       deduct ５ "x"',
        "                    ^^",
    ]
    assert [d.message.rsplit("; ", 1)[1] for d in compilation.diagnostics] == [
        "did you mean 5? (a number is written in the digits 0-9)",
        "did you mean 10? (a number is written in the digits 0-9)",
        "did you mean 1.5? (a number is written in the digits 0-9)",
    ]
    assert [d.span.end_column - d.span.column for d in compilation.diagnostics] == [1, 2, 3]


def test_a_key_with_a_full_width_digit_is_not_a_number() -> None:
    compilation = compile_source(rubric('section s "S" points １0\n'))
    assert [d.code for d in compilation.diagnostics] == ["E101"]
    assert "did you mean 10?" in compilation.diagnostics[0].message


# ---- 3: numbers a rubric can hold ----------------------------------------


def clean_with_full_marks(full_marks: str) -> str:
    header = HEADER.replace("full marks 10", f"full marks {full_marks}").replace("pass at 6", "pass at 0")
    body = f'section s "S" points {full_marks}\n  item i "I" points {full_marks}\n    req r "R"\n      deduct 0 "x"\n'
    return rubric(body, header)


def test_the_longest_numbers_allowed_check_clean() -> None:
    for number in ("9999999999", "1234567890.123456789012345678", "0.000000000000000001", "000000000000000000005"):
        assert [d.code for d in compile_source(clean_with_full_marks(number)).diagnostics if d.code != "I410"] == [], number


def test_a_5001_digit_number_is_refused_and_build_and_inspect_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "long.rubric"
    path.write_text(clean_with_full_marks("1" + "0" * 5000), encoding="utf-8")
    compilation = compile_source(path.read_text(encoding="utf-8"), "long.rubric")
    assert compilation.rubric is None
    assert [d.code for d in compilation.diagnostics] == ["E105", "E105", "E105"]
    assert compilation.diagnostics[0].message == (
        "number 10000000000000000000… (5001 digits) is too long: "
        "a number has at most 10 digits before the point and 18 after it"
    )
    for command in (["inspect", str(path)], ["build", str(path), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert "error[E105]" in result.stderr
    assert not (tmp_path / "out").exists()


# ---- 7: a JSON file where the rubric goes -------------------------------


def test_findings_given_as_the_rubric_get_one_diagnostic_with_the_usage() -> None:
    findings = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"
    result = CliRunner().invoke(main, ["score", str(findings), str(SHIPPED_RUBRIC)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{findings}:1:1: error[E106]: this looks like a JSON file (findings?), not a rubric, which starts with "
        "'rubric ID'; usage: rubricdsl score RUBRIC FINDINGS..., the rubric first"
    )
    assert lines[-1] == f"{findings}: 1 error, 0 warnings"
    assert len(lines) == 4


def test_a_rubric_may_start_with_a_comment_or_a_byte_order_mark() -> None:
    assert [d.code for d in compile_source("\ufeff# [draft]\n" + rubric("")).diagnostics] == ["E309"]
    assert [d.code for d in compile_source("\ufeff \n [1, 2]").diagnostics] == ["E106"]
