"""`rubricdsl score` and `rubricdsl template` end to end (click's CliRunner,
and a subprocess where the process as a whole matters)."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from rubricdsl.cli import EXIT_FAILED, EXIT_USAGE, main

from .conftest import ROOT, TESTS, assert_golden
from .scoring_helpers import FIXTURE, fixture_findings, item_result

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"
GOLDEN = TESTS / "golden" / "score"


@pytest.fixture(autouse=True)
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def stable(text: str) -> str:
    """Output with the rubric's SHA-256 as a placeholder, so that a golden
    file does not change with an edit of a note in the rubric."""
    from .scoring_helpers import shipped

    return text.replace(shipped()[0].sha256, "<sha256 of the rubric>")


def write(path: Path, findings: dict) -> str:
    path.write_text(json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(path)


# ---- one findings file ------------------------------------------------------------


@pytest.mark.parametrize("output_format, suffix", [("text", "txt"), ("markdown", "md"), ("html", "html"), ("json", "json")])
def test_sheet_of_the_fixture(output_format, suffix) -> None:
    done = run("score", RUBRIC, str(FIXTURE.relative_to(ROOT)), "--format", output_format)
    assert done.exit_code == 0, done.output
    assert_golden(GOLDEN / f"t-cssg-001.5-2020.{suffix}", stable(done.stdout))


def test_json_output_is_the_scorers_result() -> None:
    done = run("score", RUBRIC, str(FIXTURE), "--format", "json")
    result = json.loads(done.stdout, parse_float=Decimal)
    assert result["format"] == "rubricdsl-result/1" and result["total"] == 416
    assert item_result(result, "basics.policy")["deductions"][0]["line"] == 60


def test_text_sheet_has_everything_to_sign() -> None:
    text = run("score", RUBRIC, str(FIXTURE)).stdout
    for expected in ("被评价单位：某市网格化服务管理中心", "评价日期：2026-11-27", "评价人员：张三", "没有目标扣2分",
                     "不适用，按满分计：本级不设大数据岗位", "扣完为止", "总分", "416 / 500", "合格", "具备评价条件",
                     "提示：未满足的建议性条件：6.3 申请评估单位在试运行期间如发生过重大质量", "评估组成员签字", "张三    签字"):
        assert expected in text, expected


def test_markdown_sheet_is_well_formed() -> None:
    text = run("score", RUBRIC, str(FIXTURE), "--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert sum(1 for token in tokens if token.type == "table_open") == 7 + 4  # one per section; information, conditions, summary, signatures
    assert not [token for token in tokens if token.type in ("html_block", "html_inline") and "<br>" not in token.content]


def test_stdin_and_output_file(tmp_path) -> None:
    out = tmp_path / "sheet.html"
    done = run("score", RUBRIC, "-", "--format", "html", "-o", str(out), stdin=FIXTURE.read_text(encoding="utf-8"))
    assert done.exit_code == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_hostile_findings_texts_are_escaped_in_html(tmp_path) -> None:
    findings = fixture_findings()
    findings["organization"] = "</td><script>alert(1)</script>"
    findings["items"]["posts.big_data_posts"]["reason"] = "<img src=x onerror=alert(1)>"
    html = run("score", RUBRIC, write(tmp_path / "f.json", findings), "--format", "html").stdout
    assert "<script>alert" not in html and "<img src" not in html
    assert "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


CLEAR_SCREEN, RETITLE, REVERSED = "\x1b[2J", "\x1b]0;owned\x07", "\u202e"


def test_terminal_escapes_in_texts_are_shown_escaped_in_the_text_sheet(tmp_path) -> None:
    """From the findings and from the rubric, to stdout and to a file: the
    text sheet is read on a terminal either way."""
    rubric = tmp_path / "r.rubric"
    source = (ROOT / RUBRIC).read_text(encoding="utf-8")
    rubric.write_text(source.replace('  title "', '  title "\\u001b]0;owned\\u0007', 1), encoding="utf-8")
    findings = fixture_findings()
    findings["organization"] = f"某市{CLEAR_SCREEN}中心"
    findings["remarks"] = f"ok {REVERSED}gnp.exe"
    findings["items"]["posts.big_data_posts"]["reason"] = f"原因{RETITLE}"
    path = write(tmp_path / "f.json", findings)
    out = tmp_path / "sheet.txt"
    to_file = run("score", str(rubric), path, "--rescore", "-o", str(out))
    assert to_file.exit_code == 0, to_file.output
    for text in (run("score", str(rubric), path, "--rescore").stdout, out.read_text(encoding="utf-8")):
        assert "\x1b" not in text and "\x07" not in text and REVERSED not in text
        assert "被评价单位：某市\\x1b[2J中心" in text
        assert "备注：ok \\u202egnp.exe" in text
        assert "原因\\x1b]0;owned\\x07" in text
        assert text.startswith("\\x1b]0;owned\\x07市域网格化治理")


def test_terminal_escapes_in_the_problems_of_findings_are_shown_escaped(tmp_path) -> None:
    findings = fixture_findings()
    findings["items"][f"x{CLEAR_SCREEN}"] = {}
    path = write(tmp_path / "f.json", findings)
    (tmp_path / "b.jsonl").write_text(json.dumps(findings, ensure_ascii=False) + "\n", encoding="utf-8")
    for args in ([path], ["--batch", str(tmp_path / "b.jsonl")]):
        done = run("score", RUBRIC, *args)
        assert done.exit_code == EXIT_USAGE
        assert "x\\x1b[2J" in done.stderr and "\x1b" not in done.stderr


@pytest.mark.parametrize("output_format", ["json", "markdown", "html"])
def test_other_formats_keep_the_texts_exact(tmp_path, output_format) -> None:
    findings = fixture_findings()
    findings["remarks"] = f"ok {REVERSED}gnp.exe {CLEAR_SCREEN}"
    out = tmp_path / "sheet"
    assert run("score", RUBRIC, write(tmp_path / "f.json", findings), "--format", output_format, "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    if output_format == "json":
        assert json.loads(text)["remarks"] == findings["remarks"]
    else:
        assert f"ok {REVERSED}gnp.exe \x1b" in text  # Markdown escapes the '[' after it


def test_partial(tmp_path) -> None:
    findings = fixture_findings()
    del findings["items"]["performance.brand"]
    findings["items"]["basics.policy"] = {"status": None}
    path = write(tmp_path / "f.json", findings)
    assert run("score", RUBRIC, path).exit_code == EXIT_USAGE
    done = run("score", RUBRIC, path, "--partial", "--format", "json")
    result = json.loads(done.stdout)
    assert result["not_assessed"] == ["basics.policy", "performance.brand"]
    assert result["total"] == 416 - 3 - 5
    assert "未评项目：表A.1 1、标准化方针、目标；表A.7 3、品牌效应" in run("score", RUBRIC, path, "--partial").stdout


# ---- bad input: every problem named, exit 2, nothing on stdout -------------------------


def test_bad_findings_are_listed_with_their_key_paths(tmp_path) -> None:
    findings = fixture_findings()
    findings["rubric"]["id"] = "t-cssg-001.4-2020"
    findings["items"]["basics.training"]["measures"]["completion"] = 120
    findings["items"]["basics.policy"]["requirements"]["has_polcy"] = findings["items"]["basics.policy"]["requirements"].pop("has_policy")
    path = write(tmp_path / "f.json", findings)
    done = run("score", RUBRIC, path)
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert done.stderr == (
        f"Error: the findings do not fit {RUBRIC}:\n"
        f'  {path}: rubric.id: expected "t-cssg-001.5-2020", got "t-cssg-001.4-2020"; '
        "these findings are for another rubric or version\n"
        f"  {path}: items.basics.policy.requirements.has_polcy: unknown key; did you mean 'has_policy'?\n"
        f"  {path}: items.basics.policy.requirements.has_policy: missing\n"
        f"  {path}: items.basics.training.measures.completion: 120 is outside 0 to 100\n"
    )


def test_invalid_json_and_missing_files(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "format": ,\n}', encoding="utf-8")
    done = run("score", RUBRIC, str(broken), str(tmp_path / "none.json"))
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert done.stderr == (
        f"Error: the findings do not fit {RUBRIC}:\n"
        f"  {broken}:2:13: invalid JSON: Expecting value\n"
        f"  {tmp_path / 'none.json'}: no such file\n"
    )


def test_a_list_instead_of_an_object(tmp_path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    done = run("score", RUBRIC, str(path))
    assert done.exit_code == EXIT_USAGE
    assert f"{path}: findings: expected a JSON object, got []" in done.stderr


def test_usage_errors() -> None:
    assert run("score", RUBRIC).exit_code == EXIT_USAGE
    done = run("score", RUBRIC, str(FIXTURE), "--disagreement", "much")
    assert done.exit_code == EXIT_USAGE and "'much' is not a number" in done.stderr
    done = run("score", RUBRIC, str(FIXTURE), "--batch", "x")
    assert done.exit_code == EXIT_USAGE and "not both" in done.stderr
    assert run("score", "rubrics/none.rubric", str(FIXTURE)).exit_code == EXIT_USAGE


def test_a_rubric_with_errors_is_exit_1(tmp_path) -> None:
    broken = tmp_path / "broken.rubric"
    broken.write_text('rubric x\n  title "t"\n  version "1"\n  full marks 10\n  pass at 20\n', encoding="utf-8")
    assert run("score", str(broken), str(FIXTURE)).exit_code == EXIT_FAILED


def test_no_traceback_in_a_real_process(tmp_path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'{"format": "\xff"}')
    done = subprocess.run([sys.executable, "-m", "rubricdsl.cli", "score", RUBRIC, str(path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == EXIT_USAGE and "Traceback" not in done.stderr
    assert "not UTF-8 text" in done.stderr


# ---- a panel -------------------------------------------------------------------------


def panel_files(tmp_path, count=3) -> list[str]:
    """Evaluators who differ: on has_policy (-2), and one rules big_data_posts assessed."""
    paths = []
    for index in range(count):
        findings = fixture_findings()
        findings["evaluators"] = [f"评估员{index + 1}"]
        findings["date"] = f"2026-11-2{index + 5}"
        findings["items"]["basics.policy"]["requirements"]["has_policy"] = index % 2 == 0
        if index == 1:
            findings["items"]["posts.big_data_posts"] = {"status": "assessed", "requirements": {"city": True, "district": False}}
            findings["conditions"]["self_assessed"] = False
        paths.append(write(tmp_path / f"member{index}.json", findings))
    return paths


def test_panel_median_and_disagreements(tmp_path) -> None:
    done = run("score", RUBRIC, *panel_files(tmp_path), "--format", "json")
    assert done.exit_code == 0, done.stderr
    panel = json.loads(done.stdout, parse_float=Decimal)
    assert panel["format"] == "rubricdsl-panel/1" and panel["method"] == "median"
    assert panel["evaluators"] == ["评估员1", "评估员2", "评估员3"] and panel["date"] == "2026-11-27"
    policy = item_result(panel, "basics.policy")
    assert (policy["scores"], policy["score"]) == ([3, 1, 3], 3)
    big_data = item_result(panel, "posts.big_data_posts")
    assert big_data["statuses"] == ["not_applicable", "assessed", "not_applicable"] and big_data["status"] == "mixed"
    assert big_data["score"] == 5  # median of 5, 0, 5
    assert panel["total"] == 416 and panel["passed"] is True
    assert [m["total"] for m in panel["members"]] == [416, 409, 416]
    assert [d["path"] for d in panel["disagreements"]] == ["posts.big_data_posts", "conditions.self_assessed"]
    assert panel["eligible"] is True  # 2 of 3 found self_assessed fulfilled
    assert panel["panel_size"] == {"evaluators": 3, "expected": [5, 7], "ok": False}
    assert len(panel["results"]) == 3


def test_panel_threshold_lists_smaller_spreads(tmp_path) -> None:
    panel = json.loads(run("score", RUBRIC, *panel_files(tmp_path), "--format", "json", "--disagreement", "1").stdout)
    assert [d["path"] for d in panel["disagreements"]][:2] == ["basics.policy", "posts.big_data_posts"]


def test_panel_mean_and_trimmed_mean(tmp_path) -> None:
    paths = panel_files(tmp_path, 4)  # has_policy: met, unmet, met, unmet -> 3, 1, 3, 1
    mean = json.loads(run("score", RUBRIC, *paths, "--format", "json", "--combine", "mean").stdout, parse_float=Decimal)
    assert item_result(mean, "basics.policy")["score"] == 2
    assert item_result(mean, "posts.big_data_posts")["score"] == Decimal("3.75")  # (5 + 0 + 5 + 5) / 4
    assert mean["total"] == Decimal("413.75")
    three = paths[:3]
    trimmed = json.loads(run("score", RUBRIC, *three, "--format", "json", "--combine", "trimmed-mean").stdout, parse_float=Decimal)
    assert item_result(trimmed, "basics.policy")["score"] == 3  # drop 1 and one 3
    mean3 = json.loads(run("score", RUBRIC, *three, "--format", "json", "--combine", "mean").stdout, parse_float=Decimal)
    assert item_result(mean3, "basics.policy")["score"] == Decimal("2.33")  # 7/3, half up to 0.01
    done = run("score", RUBRIC, *paths[:2], "--combine", "trimmed-mean")
    assert done.exit_code == EXIT_USAGE and "needs at least 3 results, got 2" in done.stderr


def test_panel_of_different_organisations_is_refused(tmp_path) -> None:
    paths = panel_files(tmp_path, 2)
    other = json.loads(Path(paths[1]).read_text(encoding="utf-8"))
    other["organization"] = "另一单位"
    write(Path(paths[1]), other)
    done = run("score", RUBRIC, *paths)
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert "different organisations" in done.stderr


def test_panel_sheet_golden(tmp_path) -> None:
    paths = panel_files(tmp_path)
    done = run("score", RUBRIC, *paths)
    assert done.exit_code == 0
    assert_golden(GOLDEN / "panel.txt", stable(done.stdout))
    markdown = run("score", RUBRIC, *paths, "--format", "markdown").stdout
    assert "| 1 | 标准化方针、目标 | 5 | 3, 1, 3 | 3 |" in markdown


def test_a_bad_member_stops_the_whole_panel(tmp_path) -> None:
    paths = panel_files(tmp_path)
    bad = json.loads(Path(paths[2]).read_text(encoding="utf-8"))
    bad["items"]["performance.brand"]["choice"] = "global"
    write(Path(paths[2]), bad)
    done = run("score", RUBRIC, *paths)
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert f"{paths[2]}: items.performance.brand.choice: expected null or a choice" in done.stderr


# ---- batch ---------------------------------------------------------------------------


def batch_lines() -> list[str]:
    lines = []
    for index in range(4):
        findings = fixture_findings()
        findings["organization"] = f"单位{index}"
        findings["items"]["performance.brand"]["choice"] = [None, "national", "provincial", "municipal"][index]
        lines.append(json.dumps(findings, ensure_ascii=False))
    return lines


def test_batch_jsonl_writes_csv_and_json_and_lists_bad_lines(tmp_path) -> None:
    lines = batch_lines()
    broken = copy.deepcopy(fixture_findings())
    broken["items"]["basics.training"]["measures"]["completion"] = -3
    source = tmp_path / "all.jsonl"
    source.write_text("\n".join([lines[0], "{not json", lines[1], "", json.dumps(broken), lines[2], lines[3]]) + "\n",
                      encoding="utf-8")
    out = tmp_path / "summary.csv"
    done = run("score", RUBRIC, "--batch", str(source), "-o", str(out))
    assert done.exit_code == EXIT_USAGE
    assert done.stderr == (
        "batch: 4 of 6 findings scored\n"
        "batch: 2 rejected (rows with an error in the summary):\n"
        "  line 2:1:2: invalid JSON: Expecting property name enclosed in double quotes\n"
        "  line 5: items.basics.training.measures.completion: -3 is outside 0 to 100\n"
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["source"] for row in rows] == ["line 1", "line 2", "line 3", "line 5", "line 6", "line 7"]
    assert [row["total"] for row in rows] == ["411", "", "421", "", "416", "414"]
    assert rows[0]["organization"] == "单位0" and rows[0]["basics"] == "39" and rows[0]["passed"] == "yes"
    assert rows[0]["eligible"] == "yes" and rows[0]["grade"] == "" and rows[1]["error"].startswith("line 2:1:2")
    summary = json.loads((tmp_path / "summary.summary.json").read_text(encoding="utf-8"))
    assert (summary["count"], summary["scored"]) == (6, 4)
    assert summary["rows"][1] == {
        "source": "line 3", "organization": "单位1", "date": "2026-11-27",
        "sections": {"basics": 39, "foundation": 21, "provision": 90, "management": 107, "posts": 60,
                     "implementation": 58, "performance": 46},
        "total": 421, "passed": True, "grade": None, "eligible": True, "not_assessed": 0, "provisional": False,
    }
    assert [error["source"] for error in summary["errors"]] == ["line 2", "line 5"]


def test_batch_folder_to_stdout_and_summary_path(tmp_path) -> None:
    folder = tmp_path / "findings"
    folder.mkdir()
    for index, line in enumerate(batch_lines()):
        (folder / f"org{index}.json").write_text(line, encoding="utf-8")
    (folder / "notes.txt").write_text("not findings", encoding="utf-8")
    summary = tmp_path / "s.json"
    done = run("score", RUBRIC, "--batch", str(folder), "--summary", str(summary))
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["source"] for row in rows] == ["org0.json", "org1.json", "org2.json", "org3.json"]
    assert json.loads(summary.read_text(encoding="utf-8"))["scored"] == 4
    assert done.stderr == (f"warning: {folder}: not findings (*.json), so not scored: notes.txt\n"
                           "batch: 4 of 4 findings scored\n")


def test_batch_folder_takes_json_in_any_case_and_never_skips_a_file_unsaid(tmp_path) -> None:
    folder = tmp_path / "findings"
    folder.mkdir()
    lines = batch_lines()
    (folder / "单位A.JSON").write_text(lines[0], encoding="utf-8")
    (folder / "单位B.xlsx").write_bytes(b"PK")
    done = run("score", RUBRIC, "--batch", str(folder))
    assert done.exit_code == 0, done.stderr
    assert [row["source"] for row in csv.DictReader(io.StringIO(done.stdout))] == ["单位A.JSON"]
    assert "not findings (*.json), so not scored: 单位B.xlsx" in done.stderr
    (folder / "单位A.JSON").unlink()
    done = run("score", RUBRIC, "--batch", str(folder))
    assert done.exit_code == 2 and "no findings files (*.json) to score; it holds other files: 单位B.xlsx" in done.stderr


def test_batch_file_names_that_csv_must_quote(tmp_path) -> None:
    folder = tmp_path / "findings"
    folder.mkdir()
    names = ["a,b.json", 'say "hi".json', "plain.json"]
    for name, line in zip(names, batch_lines()):
        (folder / name).write_text(line, encoding="utf-8")
    (folder / "x,broken.json").write_text("{", encoding="utf-8")
    done = run("score", RUBRIC, "--batch", str(folder), "--summary", str(tmp_path / "s.json"))
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["source"] for row in rows] == sorted(names + ["x,broken.json"])
    assert [row["total"] for row in rows] == ["411", "416", "421", ""]
    assert rows[3]["error"].startswith("x,broken.json:1:2: invalid JSON")


def test_batch_csv_keeps_organisation_names_that_need_quotes(tmp_path) -> None:
    names = ['网格中心, "东区"', "two\nlines", " spaced ", "plain"]
    lines = []
    for name, line in zip(names, batch_lines()):
        findings = json.loads(line)
        findings["organization"] = name
        lines.append(json.dumps(findings, ensure_ascii=False))
    source = tmp_path / "all.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("score", RUBRIC, "--batch", str(source), "-o", str(tmp_path / "s.csv"))
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    assert [row["organization"] for row in rows] == names
    summary = json.loads((tmp_path / "s.summary.json").read_text(encoding="utf-8"))
    assert [row["organization"] for row in summary["rows"]] == names


def test_batch_csv_shows_a_text_that_starts_like_a_formula_as_text(tmp_path) -> None:
    # Opened in a spreadsheet, =HYPERLINK(…) in an organisation's name would run; the JSON keeps it as given.
    names = ['=HYPERLINK("http://x","点此")', "+1", "-某单位", "@SUM(1)", "plain"]
    lines = []
    for name, line in zip(names, batch_lines() * 2):
        findings = json.loads(line)
        findings["organization"] = name
        lines.append(json.dumps(findings, ensure_ascii=False))
    lines.append("{")
    source = tmp_path / "=all.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("score", RUBRIC, "--batch", str(source), "-o", str(tmp_path / "s.csv"))
    assert done.exit_code == 2, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    assert [row["organization"] for row in rows[:-1]] == ["'" + name for name in names[:-1]] + ["plain"]
    assert rows[-1]["source"] == "line 6" and not rows[-1]["error"].startswith("=")
    summary = json.loads((tmp_path / "s.summary.json").read_text(encoding="utf-8"))
    assert [row["organization"] for row in summary["rows"] if "organization" in row] == names


def test_batch_scores_a_value_next_to_a_bound_as_written(tmp_path) -> None:
    """89.99999999999999999 is the double 90.0, yet below the 90% tier."""
    text = json.dumps(fixture_findings(), ensure_ascii=False)
    assert '"satisfaction": 92.5' in text
    source = tmp_path / "all.jsonl"
    source.write_text("\n".join(text.replace("92.5", value) for value in ("90", "89.99999999999999999")) + "\n",
                      encoding="utf-8")
    done = run("score", RUBRIC, "--batch", str(source), "-o", str(tmp_path / "s.csv"))
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    assert int(rows[0]["performance"]) - int(rows[1]["performance"]) == 5


def test_batch_of_a_missing_source() -> None:
    done = run("score", RUBRIC, "--batch", "nowhere.jsonl")
    assert done.exit_code == EXIT_USAGE and "nowhere.jsonl: no such file or folder" in done.stderr


# ---- the template ------------------------------------------------------------------------


def test_template_golden_and_blank() -> None:
    done = run("template", RUBRIC)
    assert done.exit_code == 0
    assert_golden(GOLDEN / "template.json", done.stdout)


def test_filled_template_scores_and_blank_template_is_refused(tmp_path) -> None:
    blank = json.loads(run("template", RUBRIC).stdout)
    path = write(tmp_path / "blank.json", blank)
    done = run("score", RUBRIC, path)
    assert done.exit_code == EXIT_USAGE and "conditions.self_assessed: expected true or false, got null" in done.stderr
    partial = json.loads(run("score", RUBRIC, path, "--partial", "--format", "json").stdout)
    assert partial["total"] == 0 and len(partial["not_assessed"]) == 44

    def fill(value):
        if isinstance(value, dict):
            return {k: (v if k.startswith("_") else fill(v)) for k, v in value.items()}
        return True if value is None else value

    filled = fill(blank)
    filled.update(organization="某单位", date="2026-11-27", evaluators=["张三"])
    for path_key, found in filled["items"].items():
        if path_key.startswith("_"):
            continue
        found["status"] = "assessed"
        if "measures" in found:
            found["measures"] = {k: (100 if not k.startswith("_") else v) for k, v in found["measures"].items()}
        if "choice" in found:
            found["choice"] = None
    done = run("score", RUBRIC, write(tmp_path / "filled.json", filled), "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 500 - 20  # no brand, no social benefit


def test_template_to_a_file(tmp_path) -> None:
    out = tmp_path / "t.json"
    assert run("template", RUBRIC, "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "rubricdsl-findings/1"


@pytest.mark.parametrize("extra", [(), ("--format", "xlsx")])
def test_template_never_replaces_filled_work(tmp_path, extra) -> None:
    out = tmp_path / ("work.xlsx" if extra else "work.json")
    assert run("template", RUBRIC, *extra, "-o", str(out)).exit_code == 0
    assert run("template", RUBRIC, *extra, "-o", str(out)).exit_code == 0  # the same blank again: nothing lost
    filled = out.read_bytes() + b" "
    out.write_bytes(filled)
    again = run("template", RUBRIC, *extra, "-o", str(out))
    assert again.exit_code == 2 and f"{out} exists and is not this blank template" in again.stderr
    assert out.read_bytes() == filled


# ---- the check command stays light ---------------------------------------------------------


def test_check_does_not_import_jinja2() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from rubricdsl.cli import main\n"
        f"CliRunner().invoke(main, ['check', {RUBRIC!r}])\n"
        "print('jinja2' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_batch_in_parts_and_in_parallel_gives_the_same_rows(tmp_path, monkeypatch) -> None:
    """Parts of about one line each, scored by 1 and by 2 worker processes:
    the same CSV, line numbers counted across parts, blank lines included."""
    from rubricdsl import scoring

    monkeypatch.setattr(scoring, "PART_BYTES", 4000)
    monkeypatch.setattr(scoring, "PART_FILES", 2)
    lines = batch_lines()
    source = tmp_path / "all.jsonl"
    source.write_text("\n".join([lines[0], "", lines[1], "[1]", lines[2], "{", lines[3]]), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2", "0"):
        out = tmp_path / f"summary{jobs}.csv"
        done = run("score", RUBRIC, "--batch", str(source), "-o", str(out), "--jobs", jobs)
        assert done.exit_code == EXIT_USAGE
        assert "line 4: findings: expected a JSON object, got [1]" in done.stderr
        assert "line 6:1:2: invalid JSON" in done.stderr
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] == outputs[2]
    rows = list(csv.DictReader(io.StringIO(outputs[0])))
    assert [row["source"] for row in rows] == ["line 1", "line 3", "line 4", "line 5", "line 6", "line 7"]
    assert len(scoring.batch_parts(source)) >= 4
    folder = tmp_path / "folder"
    folder.mkdir()
    for index, line in enumerate(lines):
        (folder / f"{index}.json").write_text(line, encoding="utf-8")
    serial = run("score", RUBRIC, "--batch", str(folder)).stdout
    assert run("score", RUBRIC, "--batch", str(folder), "--jobs", "2").stdout == serial
    assert len(scoring.batch_parts(folder)) == 2


# ---- panel sheets say why points were lost --------------------------------------------


def five_member_panel(tmp_path, change=None) -> list[str]:
    """Five members of the fixture; member 0 assesses the platform's group
    intelligence, the other four rule it not applicable."""
    paths = []
    for index in range(5):
        findings = fixture_findings()
        findings["evaluators"] = [f"评估员{index + 1}"]
        if index:
            platform = findings["items"]["management.platform"]
            platform["groups"] = {"intelligence": {"status": "not_applicable", "reason": "本级不建设"}}
            for key in [k for k in platform["requirements"] if k.startswith("intelligence.")]:
                del platform["requirements"][key]
        if change:
            change(index, findings)
        paths.append(write(tmp_path / f"p{index}.json", findings))
    return paths


def sheets(*args: str) -> dict[str, str]:
    done = {name: run("score", RUBRIC, *args, "--format", name) for name in ("text", "markdown", "html", "json")}
    for name, result in done.items():
        assert result.exit_code == 0, (name, result.output)
    return {name: result.stdout for name, result in done.items()}


def test_panel_items_carry_the_zero_rule_and_the_sheets_say_it(tmp_path) -> None:
    out = sheets(*five_member_panel(tmp_path))
    panel = json.loads(out["json"])
    control = item_result(panel, "provision.process_control")
    assert control["zero_rule"] == {"clause": "8.2"} and control["zero_rule_members"] == 5
    assert item_result(panel, "basics.policy")["zero_rule"] is None
    for name in ("text", "markdown", "html"):
        assert "应有而未满足，得 0 分 (8.2) [5/5 人]" in out[name], name


def test_a_minority_zero_rule_is_not_the_panels(tmp_path) -> None:
    def change(index, findings):
        if index:
            findings["items"]["provision.process_control"]["requirements"]["online"] = True

    panel = json.loads(sheets(*five_member_panel(tmp_path, change))["json"])
    control = item_result(panel, "provision.process_control")
    assert control["zero_rule"] is None and control["zero_rule_members"] == 1


def test_panel_groups_with_member_scores_statuses_and_reasons(tmp_path) -> None:
    out = sheets(*five_member_panel(tmp_path))
    panel = json.loads(out["json"])
    groups = item_result(panel, "management.platform")["groups"]
    assert [g["key"] for g in groups] == ["platform_requirements", "databases", "data_exchange", "intelligence", "operations"]
    intelligence = groups[3]
    assert intelligence["path"] == "management.platform.intelligence" and intelligence["points"] == 10
    assert intelligence["scores"] == [0, 10, 10, 10, 10] and intelligence["score"] == 10
    assert intelligence["statuses"] == ["assessed"] + ["not_applicable"] * 4
    assert intelligence["reasons"] == [None] + ["本级不建设"] * 4
    assert item_result(panel, "basics.policy")["groups"] == []
    text = out["text"]
    assert "分组 有智能化建设规范：10 / 10  (0, 10, 10, 10, 10)  评价不一：评价、不适用、不适用、不适用、不适用" in text
    assert "不适用理由：本级不建设 [4/5 人]" in text and text.count("本级不建设") == 1
    # member 0's deductions in intelligence are listed under its group line
    group_line = text.index("分组 有智能化建设规范")
    assert group_line < text.index("扣3 [1/5 人]  1 有业务流程再造规范") < text.index("分组 其余各项")
    for name in ("markdown", "html"):
        assert "(0, 10, 10, 10, 10)" in out[name] and "不适用理由：本级不建设 [4/5 人]" in out[name], name


def test_differing_group_rulings_are_a_disagreement(tmp_path) -> None:
    out = sheets(*five_member_panel(tmp_path))
    panel = json.loads(out["json"])
    entry = next(d for d in panel["disagreements"] if d["path"] == "management.platform")
    assert entry["status_differs"] is True and entry["statuses"] == ["assessed"] * 5
    assert entry["group_statuses"] == [{"key": "intelligence", "path": "management.platform.intelligence",
                                        "statuses": ["assessed"] + ["not_applicable"] * 4}]
    for name in ("text", "markdown", "html"):
        assert "表A.4 6、网格化治理运行管理平台标准: 37, 47, 47, 47, 47; 分差 10; 分组 有智能化建设规范 评价方式不同 (评价、不适用、不适用、不适用、不适用)" in out[name], name


def test_unrecorded_votes_are_neither_yes_nor_no(tmp_path) -> None:
    def change(index, findings):
        if index == 4:
            del findings["conditions"]["running_half_year"]
            del findings["conditions"]["self_assessed"]
            del findings["items"]["basics.policy"]
        if index == 3:
            findings["conditions"]["self_assessed"] = False

    out = sheets(*five_member_panel(tmp_path, change), "--partial")
    panel = json.loads(out["json"])
    votes = {c["key"]: c["votes"] for c in panel["conditions"]}
    assert votes["running_half_year"] == [True, True, True, True, None]
    assert votes["self_assessed"] == [True, True, True, False, None]
    assert panel["eligible"] is True  # 4 and 3 yes of 5 members
    policy = item_result(panel, "basics.policy")
    assert policy["statuses"][4] == "not_assessed" and policy["scores"][4] == 0
    for name in ("text", "markdown", "html"):
        assert "满足 4 票，不满足 0 票，未评 1 票" in out[name], name
        assert "满足 3 票，不满足 1 票，未评 1 票" in out[name], name
        assert "(3, 3, 3, 3, —)" in out[name] or "3, 3, 3, 3, —" in out[name], name
    # recorded alike is no disagreement; only self_assessed differs among those who recorded it
    assert [d["path"] for d in panel["disagreements"] if d["kind"] == "condition"] == ["conditions.self_assessed"]


def test_a_condition_is_met_by_more_than_half_of_all_members(tmp_path) -> None:
    def change(index, findings):
        if index >= 3:
            del findings["conditions"]["running_half_year"]
        if index == 2:
            findings["conditions"]["running_half_year"] = False

    out = sheets(*five_member_panel(tmp_path, change), "--partial")
    panel = json.loads(out["json"])
    assert panel["eligible"] is False and panel["unmet_conditions"] == ["running_half_year"]
    # 2 yes, 1 no, 2 not recorded: the 2 could still make 4 of 5, so eligibility is provisional
    for name in ("text", "markdown", "html"):
        assert "暂定：不具备评价条件（尚有未确认的评价条件）" in out[name], name
        assert "未满足的条件" not in out[name], name


def test_partial_eligibility_is_provisional_and_conditions_are_named_by_clause(tmp_path) -> None:
    findings = fixture_findings()
    del findings["conditions"]["running_half_year"]
    out = sheets(write(tmp_path / "f.json", findings), "--partial")
    for name in ("text", "markdown", "html"):
        assert "暂定：不具备评价条件（尚有未确认的评价条件）" in out[name], name
        assert "未满足的条件" not in out[name], name
        assert "未确认的评价条件：6.2 标准体系应运行半年以上方可申请评估。" in out[name].replace("</th><td>", "："), name
        assert "running_half_year" not in out[name].split("评价资格")[1], name
    findings["conditions"]["self_assessed"] = False  # recorded and unmet: not provisional
    text = sheets(write(tmp_path / "g.json", findings), "--partial")["text"]
    [eligibility] = [line for line in text.splitlines() if line.startswith("评价资格")]
    assert "暂定" not in eligibility and "未满足的条件：6.1 完成对标准体系的自我评价，并有效运行3个月以上。" in text
    assert "6.2 标准体系应运行半年以上方可申请评估。、" not in text.split("未满足的条件")[1].splitlines()[0]


def test_the_standalone_scorer_text_leaves_unrecorded_conditions_out_of_unmet(tmp_path) -> None:
    findings = fixture_findings()
    del findings["conditions"]["running_half_year"]
    findings["conditions"]["no_major_incident"] = None
    path = write(tmp_path / "f.json", findings)
    done = subprocess.run([sys.executable, str(ROOT / "generated" / "t-cssg-001.5-2020" / "scorer.py"), "--partial", path],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "Eligible: PROVISIONAL (暂定): no so far, conditions are not recorded yet" in done.stdout
    assert "Advisory conditions unmet" not in done.stdout
    assert "Conditions not recorded: running_half_year, no_major_incident" in done.stdout


def test_group_lines_of_one_result(tmp_path) -> None:
    findings = fixture_findings()
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"operations": {"status": "not_applicable", "reason": "本级不运维"}}
    for key in [k for k in platform["requirements"] if k.startswith("operations.")]:
        del platform["requirements"][key]
    for key in [k for k in platform["requirements"] if k.startswith("databases.")]:
        platform["requirements"][key] = False
    out = sheets(write(tmp_path / "f.json", findings))
    for name in ("text", "markdown", "html"):
        assert "不适用，按满分计：本级不运维" in out[name], name
        assert "应有而未满足，得 0 分 (8.2)" in out[name], name
    text = out["text"]
    assert text.index("分组 有数据库要求") < text.index("3 有街(镇)城市运行数据库要求") < text.index("分组 有数据共享和数据交换接口要求")


def test_a_group_not_applicable_under_the_excluded_policy(tmp_path) -> None:
    from .test_signable_results import EXCLUDED
    from .scoring_helpers import complete_findings, compiled

    rubric = tmp_path / "excluded.rubric"
    rubric.write_text(EXCLUDED, encoding="utf-8")
    findings = complete_findings(compiled(EXCLUDED, "excluded.rubric").rubric)
    findings["items"]["s.grouped"]["groups"] = {"g2": {"status": "not_applicable", "reason": "none here"}}
    findings["items"]["s.grouped"]["requirements"] = {"g1.p": True, "g1.q": True}
    path = write(tmp_path / "f.json", findings)
    for name in ("text", "markdown", "html"):
        done = run("score", str(rubric), path, "--format", name)
        assert done.exit_code == 0, done.output
        assert "not applicable: excluded from the maximum: none here" in done.stdout, name
