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
import time
from decimal import Decimal

import pytest
from click.testing import CliRunner

from rubricdsl.cli import EXIT_USAGE, main

from .conftest import ROOT
from .scoring_helpers import fixture_findings, item_result

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


# ---- what the reader refuses, named by its key path ------------------------------

SURROGATE = "contains a lone surrogate \\ud800, not text"
BEYOND = "is refused: a number in findings has at most 40 digits and an exponent from -400 to 400"
COMPLETION = ("items", "basics.training", "measures", "completion")
NOTE = ("items", "basics.training", "_note")

REFUSED = {
    "organization": (with_text("organization", written='"某\\ud800"'), f"organization: {SURROGATE}"),
    "evaluator": (with_text("evaluators", 0, written='"\\ud800"'), f"evaluators.0: {SURROGATE}"),
    "remarks": (with_text("remarks", written='"\\ud800"'), f"remarks: {SURROGATE}"),
    "reason": (with_text("items", "posts.big_data_posts", "reason", written='"\\ud800"'),
               f"items.posts.big_data_posts.reason: {SURROGATE}"),
    "a note": (with_text(*NOTE, written='"\\ud800"'), f"items.basics.training._note: {SURROGATE}"),
    "a key": (with_text("items", "basics.training", "\\ud800", written="true").replace("\\\\ud800", "\\ud800"),
              f"items.basics.training.\\ud800: the key {SURROGATE}"),
    "1e5000": (with_text(*COMPLETION, written="1e5000"), f"items.basics.training.measures.completion: 1e5000 {BEYOND}"),
    "-1e5000": (with_text(*COMPLETION, written="-1e5000"), f"items.basics.training.measures.completion: -1e5000 {BEYOND}"),
    "1e1000000": (with_text(*COMPLETION, written="1e1000000"),
                  f"items.basics.training.measures.completion: 1e1000000 {BEYOND}"),
    "1e-1000000": (with_text(*COMPLETION, written="1e-1000000"),
                   f"items.basics.training.measures.completion: 1e-1000000 {BEYOND}"),
    "a huge exponent": (with_text(*COMPLETION, written="1E+" + "9" * 30),
                        f"items.basics.training.measures.completion: 1E+999999999...(33 characters) {BEYOND}"),
    "5000 digits": (with_text(*COMPLETION, written="9" * 5000),
                    f"items.basics.training.measures.completion: 999999999999...(5000 characters) {BEYOND}"),
    "41 digits": (with_text(*COMPLETION, written="4" + "0" * 40),
                  f"items.basics.training.measures.completion: {'4' + '0' * 11}...(41 characters) {BEYOND}"),
    "a long fraction": (with_text(*COMPLETION, written="45." + "0" * 40),
                        f"items.basics.training.measures.completion: 45.000000000...(43 characters) {BEYOND}"),
    "a huge number in a note": (with_text(*NOTE, written="1e5000"), f"items.basics.training._note: 1e5000 {BEYOND}"),
    "NaN": (with_text(*COMPLETION, written="NaN"), "items.basics.training.measures.completion: NaN is not a number JSON allows"),
    "Infinity": (with_text(*COMPLETION, written="Infinity"),
                 "items.basics.training.measures.completion: Infinity is not a number JSON allows"),
    "-Infinity": (with_text("conditions", "self_assessed", written="-Infinity"),
                  "conditions.self_assessed: -Infinity is not a number JSON allows"),
    "nested 40 deep": (with_text(*NOTE, written="[" * 40 + "]" * 40),
                       "items.basics.training._note" + ".0" * 29 + ": nested deeper than 32 levels"),
    "nested 100000 deep": (with_text("remarks", written="[" * 100000 + "]" * 100000),
                           "remarks" + ".0" * 31 + ": nested deeper than 32 levels"),
    "null measures": (with_text("items", "basics.training", "measures", written="null"),
                      "items.basics.training.measures: expected an object, got null"),
    "a null measure": (with_text(*COMPLETION, written="null"),
                       "items.basics.training.measures.completion: expected a number, got null"),
    "null requirements": (with_text("items", "basics.policy", "requirements", written="null"),
                          "items.basics.policy.requirements: expected an object, got null"),
    "null status": (with_text("items", "basics.policy", "status", written="null"),
                    'items.basics.policy.status: expected "assessed", "not_applicable" or "absent", got null'),
    "null conditions": (with_text("conditions", written="null"), "conditions: expected an object, got null"),
    "a null condition": (with_text("conditions", "self_assessed", written="null"),
                         "conditions.self_assessed: expected true or false, got null"),
    "null rubric": (with_text("rubric", written="null"), "rubric: expected an object, got null"),
    "null findings": ("null", "findings: expected a JSON object, got null"),
}


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
    *(record for record, _ in REFUSED.values()),
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


@pytest.mark.parametrize("name", REFUSED)
def test_the_reader_refuses_with_the_key_path(tmp_path, name) -> None:
    record, expected = REFUSED[name]
    path = tmp_path / "f.json"
    path.write_text(record, encoding="utf-8")
    done = run("score", RUBRIC, str(path), "--format", "json")
    assert done.exit_code == EXIT_USAGE
    assert f"  {path}: {expected}\n" in done.stderr
    standalone = alone(str(path), "--format", "json")
    assert standalone.returncode == EXIT_USAGE and "Traceback" not in standalone.stderr
    assert f"scorer.py: error: {path}: {expected}\n" in standalone.stderr


@pytest.mark.parametrize("name", REFUSED)
def test_the_reader_refuses_fast(name) -> None:
    from .scoring_helpers import shipped_scorer

    scorer = shipped_scorer()
    record = REFUSED[name][0].encode("utf-8")
    start = time.perf_counter()
    with pytest.raises(scorer.FindingsError):
        scorer.score(scorer.parse_findings(record, "f.json"))
    assert time.perf_counter() - start < 0.1


def test_the_largest_numbers_it_reads_are_read_exactly() -> None:
    """40 digits, an exponent of 400 either way: read, and scored as written."""
    from .scoring_helpers import shipped_scorer

    scorer = shipped_scorer()
    for written, shown in [("45." + "0" * 37, "45"), ("4.5e1", "45"), ("0.45e+2", "45"),
                           ("4500000000000000000000000000000000000000e-38", "45")]:
        findings = scorer.parse_findings(with_text(*COMPLETION, written=written))
        detail = item_result(scorer.score(findings), "basics.training")["deductions"][0]["detail"]
        assert detail.endswith(f"(completion = {shown})"), written
    assert scorer.parse_findings(with_text(*NOTE, written="1e-400"))["items"]["basics.training"]["_note"] == Decimal("1e-400")


@pytest.mark.parametrize("key", ["organization", "remarks", "date"])
def test_score_refuses_a_dict_with_a_lone_surrogate(key) -> None:
    """Findings handed over as a dict, not read from a file: refused by
    validation, as the reader refuses the file."""
    from .scoring_helpers import shipped_scorer

    scorer = shipped_scorer()
    findings = fixture_findings()
    findings[key] = "2026-11-2\ud800"
    with pytest.raises(scorer.FindingsError) as error:
        scorer.score(findings)
    expected = {"date": 'date: expected a date YYYY-MM-DD, got "2026-11-2\\ud800"'}.get(key, f"{key}: {SURROGATE}")
    assert error.value.errors == [expected]


@pytest.mark.parametrize("value", [Decimal("1e1000000"), Decimal("1e-1000000"), 10**5000, Decimal("NaN"),
                                   Decimal("sNaN"), float("nan"), float("inf"), Decimal("4" + "0" * 40)],
                         ids=["1e1000000", "1e-1000000", "10**5000", "NaN", "sNaN", "float nan", "float inf", "41 digits"])
def test_score_refuses_a_dict_with_an_odd_number_fast(value) -> None:
    from .scoring_helpers import shipped_scorer

    scorer = shipped_scorer()
    findings = fixture_findings()
    findings["items"]["basics.training"]["measures"]["completion"] = value
    start = time.perf_counter()
    with pytest.raises(scorer.FindingsError) as error:
        scorer.score(findings)
    assert time.perf_counter() - start < 0.1
    assert error.value.errors[0].startswith("items.basics.training.measures.completion: ")
