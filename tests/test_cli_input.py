"""What every command reads: `-` is standard input wherever a file is read,
--stdin-filename names it, it can be read once, and an option that does not
apply to the mode chosen is refused rather than ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricdsl.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main

from .conftest import ROOT, SHIPPED_RUBRIC
from .scoring_helpers import FIXTURE

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"
FINDINGS = str(FIXTURE.relative_to(ROOT))


@pytest.fixture(autouse=True)
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def rubric_bytes() -> bytes:
    return SHIPPED_RUBRIC.read_bytes()


def findings_bytes() -> bytes:
    return FIXTURE.read_bytes()


def one_line(data: bytes) -> bytes:
    return json.dumps(json.loads(data), ensure_ascii=False).encode("utf-8") + b"\n"


# ---- `-` reads standard input wherever a file is read -----------------------------


@pytest.mark.parametrize(
    "args, stdin, expected_exit",
    [
        (["check", "-"], rubric_bytes, EXIT_OK),
        (["inspect", "-"], rubric_bytes, EXIT_OK),
        (["template", "-"], rubric_bytes, EXIT_OK),
        (["score", "-", FINDINGS], rubric_bytes, EXIT_OK),
        (["score", RUBRIC, "-"], findings_bytes, EXIT_OK),
        (["score", RUBRIC, "--batch", "-"], lambda: one_line(findings_bytes()) * 2, EXIT_OK),
        (["diff", "-", RUBRIC], rubric_bytes, EXIT_OK),
        (["diff", RUBRIC, "-"], rubric_bytes, EXIT_OK),
        (["diff", RUBRIC, RUBRIC, "--findings", "-"], findings_bytes, EXIT_OK),
        (["fmt", "--check", "-"], rubric_bytes, EXIT_OK),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_dash_reads_standard_input(args, stdin, expected_exit) -> None:
    done = run(*args, stdin=stdin())
    assert done.exit_code == expected_exit, done.output
    assert "no such file" not in done.output


def test_build_reads_standard_input_and_embeds_its_name(tmp_path: Path) -> None:
    done = run("build", "-", "-o", str(tmp_path / "out"), "--stdin-filename", "rubrics/piped.rubric", stdin=rubric_bytes())
    assert done.exit_code == EXIT_OK, done.output
    sheet = (tmp_path / "out" / "t-cssg-001.5-2020" / "sheet.md").read_text(encoding="utf-8")
    assert "from rubrics/piped.rubric, sha256" in sheet


def test_stdin_filename_names_standard_input_in_diagnostics() -> None:
    broken = b'rubric demo\n  titel "D"\n'
    done = run("check", "-", "--stdin-filename", "drafts/demo.rubric", stdin=broken)
    assert done.exit_code == EXIT_FAILED
    assert done.stderr.startswith("drafts/demo.rubric:2:3: error[E101]")
    listed = json.loads(run("check", "--format", "json", "-", "--stdin-filename", "drafts/demo.rubric", stdin=broken).stdout)
    assert {d["path"] for d in listed} == {"drafts/demo.rubric"}
    unnamed = run("check", "-", stdin=broken)
    assert unnamed.stderr.startswith("<stdin>:2:3: error[E101]")


def test_stdin_filename_names_standard_input_in_outputs(tmp_path: Path) -> None:
    model = json.loads(run("inspect", "-", "--stdin-filename", "rubrics/piped.rubric", stdin=rubric_bytes()).stdout)
    assert model["source"]["path"] == "rubrics/piped.rubric"
    sheet = run("score", "-", FINDINGS, "--stdin-filename", "rubrics/piped.rubric", stdin=rubric_bytes()).stdout
    assert "根据 rubrics/piped.rubric（SHA-256" in sheet
    bad = run("score", RUBRIC, "-", "--stdin-filename", "org.json", stdin=b'{"format": 1}')
    assert bad.exit_code == EXIT_USAGE and "  org.json: format:" in bad.stderr
    csv_path = tmp_path / "city.csv"
    batch = run("score", RUBRIC, "--batch", "-", "-o", str(csv_path), "--stdin-filename", "city.jsonl",
                stdin=one_line(findings_bytes()))
    assert batch.exit_code == EXIT_OK, batch.output
    assert json.loads(csv_path.with_suffix(".summary.json").read_text(encoding="utf-8"))["source"] == "city.jsonl"
    diff = run("diff", RUBRIC, "-", "--stdin-filename", "new.rubric", stdin=rubric_bytes())
    assert "+++ new.rubric  (t-cssg-001.5-2020" in diff.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check", "-", "-"],
        ["fmt", "-", "-"],
        ["build", "-", "-"],
        ["score", "-", "-"],
        ["score", RUBRIC, "-", "-"],
        ["score", RUBRIC, "-", "--batch", "-"],
        ["score", "-", "--batch", "-"],
        ["diff", "-", "-"],
        ["diff", RUBRIC, "-", "--findings", "-"],
    ],
    ids=" ".join,
)
def test_standard_input_given_twice_is_a_usage_error(args) -> None:
    done = run(*args, stdin=rubric_bytes())
    assert done.exit_code == EXIT_USAGE
    assert "Error: - (standard input) is given twice; it can be read once" in done.stderr


@pytest.mark.parametrize("args", [["check", RUBRIC], ["inspect", RUBRIC], ["score", RUBRIC, FINDINGS]], ids=" ".join)
def test_stdin_filename_without_a_dash_is_a_usage_error(args) -> None:
    done = run(*args, "--stdin-filename", "x.rubric")
    assert done.exit_code == EXIT_USAGE
    assert "Error: --stdin-filename names standard input, but no input is -" in done.stderr


# ---- options that do not apply ----------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch", "b.jsonl", "--format", "json"], "--format does not apply to --batch"),
        (["--batch", "b.jsonl", "--format", "text"], "--format does not apply to --batch"),
        (["--batch", "b.jsonl", "--combine", "mean"], "--combine does not apply to --batch"),
        (["--batch", "b.jsonl", "--disagreement", "3"], "--disagreement does not apply to --batch"),
        ([FINDINGS, "--combine", "mean"], "--combine does not apply to one findings file: it serves a panel"),
        ([FINDINGS, "--disagreement", "2"], "--disagreement does not apply to one findings file"),
        ([FINDINGS, "--summary", "s.json"], "--summary does not apply without --batch"),
        ([FINDINGS, "--jobs", "2"], "--jobs does not apply without --batch"),
        ([FINDINGS, FINDINGS, "--jobs", "0"], "--jobs does not apply without --batch"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_an_option_that_does_not_apply_is_a_usage_error(tmp_path: Path, args, message) -> None:
    (tmp_path / "b.jsonl").write_bytes(one_line(findings_bytes()))
    args = [str(tmp_path / "b.jsonl") if arg == "b.jsonl" else arg for arg in args]
    done = run("score", str(SHIPPED_RUBRIC), *args, "-o", str(tmp_path / "out"))
    assert done.exit_code == EXIT_USAGE, done.output
    assert message in done.stderr
    assert not (tmp_path / "out").exists()


def test_options_of_the_mode_chosen_are_accepted(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(one_line(findings_bytes()))
    done = run("score", RUBRIC, "--batch", str(batch), "--jobs", "1", "--summary", str(tmp_path / "s.json"),
               "-o", str(tmp_path / "out.csv"))
    assert done.exit_code == EXIT_OK, done.output
