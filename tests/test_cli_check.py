"""`rubricdsl check` and `rubricdsl inspect` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricdsl.cli import main

from .conftest import AS_PRINTED_RUBRIC, ROOT, SHIPPED_RUBRIC

GOLDEN = ROOT / "tests" / "golden" / "diagnostics"


def run(*args: str, cwd: Path = ROOT):
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_clean_rubric_is_silent_and_exits_0() -> None:
    result = run("check", str(SHIPPED_RUBRIC))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def test_default_checks_every_rubric_in_rubrics_folder() -> None:
    result = run("check")
    assert result.exit_code == 0, result.stderr


def test_errors_exit_1_with_every_diagnostic_and_carets() -> None:
    result = run("check", str(AS_PRINTED_RUBRIC.relative_to(ROOT)))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "tests/fixtures/as-printed/t-cssg-001.5-2020.rubric:13:14: "
        "error[E302]: full marks are 500 but the 7 sections declare 505 points"
    )
    assert lines[1] == "  13 |   full marks 500  # 9.2"
    assert lines[2] == "                    ^^^"
    assert lines[-1] == "tests/fixtures/as-printed/t-cssg-001.5-2020.rubric: 3 errors, 1 warning"
    assert "info[I410]" not in result.stderr


def test_info_flag_shows_information_notes() -> None:
    result = run("check", "--info", str(SHIPPED_RUBRIC))
    assert result.exit_code == 0
    assert "info[I410]" in result.stderr


def test_warnings_alone_exit_0() -> None:
    result = run("check", str(GOLDEN / "W308_empty.rubric"))
    assert result.exit_code == 0
    assert "warning[W308]" in result.stderr


def test_json_format_lists_the_same_diagnostics() -> None:
    result = run("check", "--format", "json", str(AS_PRINTED_RUBRIC.relative_to(ROOT)))
    assert result.exit_code == 1
    listed = json.loads(result.stdout)
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in listed] == [
        ("E302", 13, 14, "error"),
        ("E301", 47, 42, "error"),
        ("E301", 374, 31, "error"),
        ("W404", 500, 3, "warning"),
    ]
    assert listed[0]["message"] == "full marks are 500 but the 7 sections declare 505 points"


def test_several_files_are_all_reported() -> None:
    result = run("check", str(GOLDEN / "E301_section_points.rubric"), str(GOLDEN / "E304_pass_mark.rubric"))
    assert result.exit_code == 1
    assert "error[E301]" in result.stderr and "error[E304]" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "missing.rubric"], "Error: missing.rubric: no such file"),
        (["check", "tests"], "Error: tests: folder holds no .rubric files"),
        (["inspect", "missing.rubric"], "Error: missing.rubric: no such file"),
        (["check", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_and_io_problems_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_rubrics_folder_exits_2(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "none found in rubrics/" in result.stderr


def test_inspect_prints_the_model() -> None:
    result = run("inspect", str(SHIPPED_RUBRIC.relative_to(ROOT)))
    assert result.exit_code == 0
    model = json.loads(result.stdout)
    assert model["id"] == "t-cssg-001.5-2020"
    assert model["full_marks"] == 500
    training = model["sections"][0]["items"][3]
    assert training["path"] == "basics.training"
    completion = training["requirements"][3]
    assert completion["rule"]["kind"] == "bands"
    assert completion["rule"]["bands"][0]["when"] == {
        "measure": "completion",
        "low": 50,
        "low_inclusive": True,
        "high": 100,
        "high_inclusive": False,
        "text": "50 <= completion < 100",
    }
    assert model["errata"][0] == {
        "path": "basics",
        "field": "points",
        "printed": 50,
        "used": 45,
        "reason": model["errata"][0]["reason"],
        "line": model["errata"][0]["line"],
    }
    assert [(p["name"], p["value"], p["clause"]) for p in model["policies"]] == [
        ("not_applicable", "full", "8.2"),
        ("nothing_met", "zero", "8.2"),
    ]
    assert model["effective_policies"] == {"not_applicable": "full", "nothing_met": "zero"}
    lines = SHIPPED_RUBRIC.read_text(encoding="utf-8").splitlines()
    assert lines[model["policies"][0]["line"] - 1].strip().startswith("policy not_applicable full")
    assert lines[training["line"] - 1].strip().startswith('item training "标准化培训"')


def test_inspect_refuses_a_rubric_with_errors() -> None:
    result = run("inspect", str(AS_PRINTED_RUBRIC))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error[E302]" in result.stderr


def test_console_script_runs_without_traceback_on_garbage(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.rubric"
    garbage.write_bytes(b"\xff\xfe rubric \x00 {{{")
    completed = subprocess.run(
        [sys.executable, "-m", "rubricdsl.cli", "check", str(garbage)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "error[E104]" in completed.stderr


def test_control_characters_are_shown_escaped_with_carets_under_the_span(tmp_path: Path) -> None:
    # Raw in the file: an OSC that retitles the window, BEL, a bidi override,
    # and a screen clear outside any text.
    hostile = tmp_path / "hostile.rubric"
    hostile.write_bytes('rubric demo\n  title "x\x1b]0;pwned\x07y\u202e" bogus\n  \x1b[2J\n'.encode("utf-8"))
    result = CliRunner().invoke(main, ["check", str(hostile)], color=True)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == '   2 |   title "x\\x1b]0;pwned\\x07y\\u202e" bogus'
    assert lines[2] == " " * 42 + "^^^^^"
    assert lines[3].endswith("error[E101]: unexpected character U+001B; expected 'condition', 'erratum', 'full', 'grade', "
                             "'language', 'note', 'panel', 'pass', 'policy', 'section', 'standard', 'status', 'title', 'version' "
                             "or the end of the file")
    assert lines[4:6] == ["   3 |   \\x1b[2J", "         ^^^^"]
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr


def test_control_characters_in_messages_are_shown_escaped(tmp_path: Path) -> None:
    source = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    title = source.split("\n  title ", 1)[1].split("\n", 1)[0]
    hostile = tmp_path / "hostile.rubric"
    hostile.write_text(
        source.replace(title, f'"T\\u001b[2J"\n  erratum title was "T\\u001b[2J" "the same"', 1), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(hostile)], color=True)
    assert "warning[W206]: erratum says 'title' was printed as T\\x1b[2J but that is still its value" in result.stderr
    assert "\x1b" not in result.stderr
    # JSON is exact: its own escapes keep the terminal safe.
    listed = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(hostile)]).stdout)
    assert "T\x1b[2J" in next(d["message"] for d in listed if d["code"] == "W206")
