"""Findings as a user hands them over, odd or hostile: nothing is lost,
overwritten or misread, and nothing ends in a traceback.  Every case goes
through the command a user calls (`rubricdsl score` by click's CliRunner,
or the generated scorer.py run by this Python), and a record scores the
same alone as in a batch, with one worker process or two."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rubricdsl.cli import EXIT_USAGE, main

from .conftest import ROOT
from .scoring_helpers import fixture_findings

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"
ALONE = ROOT / "generated" / "t-cssg-001.5-2020" / "scorer.py"


@pytest.fixture(autouse=True)
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def alone(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ALONE), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def json_text(findings: dict) -> str:
    return json.dumps(findings, ensure_ascii=False)


def with_item(path: str, found) -> str:
    findings = fixture_findings()
    findings["items"][path] = found
    return json_text(findings)


def with_text(*where, written: str) -> str:
    """The fixture as one line of JSON text with the value at the keys
    `where` written as given: a number or an escape as is."""
    findings = fixture_findings()
    *parents, last = where
    inner = findings
    for key in parents:
        inner = inner[key]
    inner[last] = "@VALUE@"
    return json_text(findings).replace('"@VALUE@"', written)


def without(path: str) -> str:
    findings = fixture_findings()
    del findings["items"][path]
    return json_text(findings)


# Records that are odd but must score, or be refused, the same everywhere.
ODD_RECORDS = [
    json_text(fixture_findings()),
    with_item("basics.training", {"status": None, "measures": None}),
    with_item("basics.training", {"status": None, "measures": {"completion": 80.0}}),
    with_item("basics.training", {"status": None, "requirements": None, "measures": "none"}),
    with_item("performance.service_quality", {"status": None, "measures": [1, 2]}),
    with_item("basics.training", {"status": "absent", "measures": None}),
    with_item("basics.training", {"status": "assessed", "measures": None,
                                  "requirements": {"training_plan": True, "training_records": True, "exam_records": True}}),
    with_item("basics.training", None),
    with_item("basics.training", []),
    with_item("basics.training", {"status": None}),
    with_item("basics.training", {}),
    without("basics.training"),
    with_text("items", "basics.training", "measures", "completion", written="80.0"),
    with_text("items", "basics.training", "measures", "completion", written="45.000000000000000000001"),
    with_text("items", "basics.training", "measures", "completion", written="null"),
    with_text("items", "basics.training", "measures", "completion", written="true"),
    with_text("items", "basics.training", "measures", "completion", written='"45"'),
    with_text("items", "basics.training", "measures", "completion", written="123456789012345678901234"),
    with_text("conditions", "self_assessed", written="null"),
    with_text("conditions", "self_assessed", written="1"),
    with_text("organization", written="null"),
    with_text("evaluators", written="null"),
    with_text("evaluators", 0, written="null"),
    with_text("items", written="null"),
    with_text("conditions", written="null"),
    with_text("rubric", written="null"),
    with_text("items", "basics.policy", "requirements", written="null"),
    '{"_note": 1, ' + json_text(fixture_findings())[1:],
    json_text(fixture_findings())[:-1] + ', "items": {}}',  # a key twice: the last counts
    "null",
    "[]",
    '"findings"',
    "{}",
]


def alone_outcome(tmp_path, record: str, partial: bool) -> tuple:
    """What `rubricdsl score` makes of one record: its total, or its first
    problem (without the file's name)."""
    path = tmp_path / "one.json"
    path.write_text(record, encoding="utf-8")
    done = run("score", RUBRIC, str(path), "--format", "json", *(["--partial"] if partial else []))
    if done.exit_code == 0:
        return "scored", json.loads(done.stdout)["total"]
    assert done.exit_code == EXIT_USAGE, done.output
    first = done.stderr.splitlines()[1].strip()
    return "refused", first.removeprefix(f"{path}: ")


def batch_outcomes(tmp_path, records: list[str], partial: bool, jobs: str) -> list[tuple]:
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(records) + "\n", encoding="utf-8")
    out = tmp_path / f"batch{jobs}.csv"
    done = run("score", RUBRIC, "--batch", str(source), "-o", str(out), "--jobs", jobs,
               *(["--partial"] if partial else []))
    assert done.exit_code in (0, EXIT_USAGE), done.output
    outcomes = []
    for number, row in enumerate(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))), 1):
        if row["error"]:
            message = row["error"].removeprefix(f"line {number}").removeprefix(": ")
            outcomes.append(("refused", message.split(" (and ")[0]))
        else:
            outcomes.append(("scored", int(row["total"]) if row["total"].isdigit() else row["total"]))
    return outcomes


@pytest.mark.parametrize("partial", [False, True], ids=["whole", "partial"])
def test_every_record_scores_the_same_alone_and_in_a_batch(tmp_path, monkeypatch, partial) -> None:
    from rubricdsl import scoring

    monkeypatch.setattr(scoring, "PART_BYTES", 8000)  # a few records a part, so that two workers share them
    expected = [alone_outcome(tmp_path, record, partial) for record in ODD_RECORDS]
    for jobs in ("1", "2"):
        assert batch_outcomes(tmp_path, ODD_RECORDS, partial, jobs) == expected, jobs


def test_a_partial_batch_reads_an_unassessed_item_with_null_measures(tmp_path) -> None:
    """The issue's case: it scores alone, and it must score in a batch."""
    record = with_item("basics.training", {"status": None, "measures": None})
    assert alone_outcome(tmp_path, record, True) == ("scored", 414)
    assert batch_outcomes(tmp_path, [record], True, "1") == [("scored", 414)]
