"""A batch is streamed: its rows are scored part by part and written to
temporary files as they come, so its memory does not grow with its size;
and its outputs are the bytes the rows make, however they were chunked.
Also: the indented JSON of model.json is json.dumps(indent=2)'s."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricdsl import scoring
from rubricdsl.cli import EXIT_USAGE, main
from rubricdsl.export import indented_json, to_json
from rubricdsl.frontend import compile_file

from .conftest import ROOT
from .scoring_helpers import fixture_findings, shipped

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"


def records(count: int, *, bad_every: int = 0) -> list[str]:
    """`count` JSON Lines of the fixture's findings, each for another
    organisation (some with names the CSV must quote), every `bad_every`th
    one not JSON."""
    lines = []
    for index in range(count):
        if bad_every and index % bad_every == bad_every - 1:
            lines.append("{not json %d" % index)
            continue
        findings = fixture_findings()
        findings["organization"] = f'单位 {index}, "第{index}"' if index % 3 == 0 else f"单位{index}"
        lines.append(json.dumps(findings, ensure_ascii=False))
    return lines


def test_rows_come_part_by_part_not_after_the_whole_batch(tmp_path, monkeypatch) -> None:
    compilation, scorer = shipped()
    source = tmp_path / "b.jsonl"
    source.write_text("\n".join(records(30)) + "\n", encoding="utf-8")
    monkeypatch.setattr(scoring, "PART_BYTES", 1 << 12)  # a part of a few records
    scored_parts = []
    score_part = scoring.score_part
    monkeypatch.setattr(scoring, "score_part", lambda part, *args: scored_parts.append(part) or score_part(part, *args))
    parts = scoring.run_batch(scorer, "", source, partial=False, reader=scoring.FastReader.of(compilation.rubric))
    assert scored_parts == []
    first = next(parts)
    where, _, _, problems = first.rows[0]
    assert first.source(where) == "line 1" and problems is None
    assert len(scored_parts) == 1 < len(scoring.batch_parts(source))
    assert len(first.rows) + sum(len(part.rows) for part in parts) == 30


@pytest.mark.parametrize("forks", [True, False])
def test_workers_forked_or_started_afresh_give_the_rows_of_one_process(tmp_path, monkeypatch, forks) -> None:
    """A forked worker inherits the parent's compiled reader; one started
    afresh (spawn, the default where fork is not) compiles the scorer and
    its summarizer from their sources: the same rows either way."""
    compilation, scorer = shipped()
    source = tmp_path / "b.jsonl"
    source.write_text("\n".join(records(40, bad_every=7)) + "\n", encoding="utf-8")
    monkeypatch.setattr(scoring, "PART_BYTES", 1 << 13)
    monkeypatch.setattr(scoring, "_workers_fork", lambda: forks)
    reader = scoring.FastReader.of(compilation.rubric)
    source_text = scoring.scorer_source(compilation, RUBRIC)

    def rows(jobs: int) -> list:
        parts = scoring.run_batch(scorer, source_text, source, partial=False, reader=reader, jobs=jobs)
        return [(part.first_line, part.rows) for part in parts]

    alone = rows(1)
    assert len(alone) > 2 and sum(len(part_rows) for _, part_rows in alone) == 40
    assert rows(2) == alone


def test_a_missing_batch_is_refused_before_anything_is_scored(tmp_path) -> None:
    compilation, scorer = shipped()
    with pytest.raises(scoring.InputError, match="no such file or folder"):
        scoring.run_batch(scorer, "", tmp_path / "none.jsonl", partial=False, reader=scoring.FastReader.of(compilation.rubric))


def expected_csv(out: Path, lines: list[str]) -> str:
    """The CSV as the csv module writes the rows read back from it: the
    streamed, chunked CSV must be exactly that."""
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len(lines) + 1
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_batch_larger_than_a_chunk_writes_every_row_and_seals_the_pair(tmp_path, jobs) -> None:
    # 3,000 rows: CSV far beyond one spooled chunk, several parts, more
    # rejected records than are listed.
    lines = records(3000, bad_every=50)
    source = tmp_path / "b.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "s.csv"
    done = CliRunner().invoke(main, ["score", RUBRIC, "--batch", str(source), "-o", str(out), "--jobs", jobs])
    assert done.exit_code == EXIT_USAGE, done.output
    stderr = done.stderr.splitlines()
    assert stderr[:2] == ["batch: 2940 of 3000 findings scored", "batch: 60 rejected (rows with an error in the summary):"]
    assert stderr[2].startswith("  line 50:1:2: invalid JSON") and stderr[51].startswith("  line 2500:")
    assert stderr[52:] == ["  … and 10 more"]
    data = out.read_bytes()
    assert data.decode("utf-8") == expected_csv(out, lines)
    summary = json.loads((tmp_path / "out" / "s.summary.json").read_text(encoding="utf-8"))
    assert summary["csv_sha256"] == hashlib.sha256(data).hexdigest()
    assert (summary["count"], summary["scored"], len(summary["rows"]), len(summary["errors"])) == (3000, 2940, 2940, 60)
    assert summary["rows"][0]["organization"] == '单位 0, "第0"' and summary["rows"][-1]["source"] == "line 2999"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s.csv", "s.summary.json"]


def test_a_batch_to_stdout_prints_the_same_csv(tmp_path) -> None:
    lines = records(40, bad_every=7)
    source = tmp_path / "b.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    to_file = CliRunner().invoke(main, ["score", RUBRIC, "--batch", str(source), "-o", str(tmp_path / "s.csv")])
    to_stdout = CliRunner().invoke(main, ["score", RUBRIC, "--batch", str(source)])
    assert to_file.exit_code == to_stdout.exit_code == EXIT_USAGE
    assert to_stdout.stdout == (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "s.csv", "s.summary.json"]


def test_a_batch_that_cannot_be_written_names_the_file_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    source = tmp_path / "b.jsonl"
    source.write_text("\n".join(records(5)) + "\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    out.write_text("old\n", encoding="utf-8")

    class FullDisk(io.BytesIO):
        def write(self, data):
            raise OSError(28, "No space left on device")

    spool = scoring._Spool.__init__

    def on_a_full_disk(self, target):
        spool(self, target)
        self.stream.close()
        self.stream = FullDisk()

    monkeypatch.setattr(scoring._Spool, "__init__", on_a_full_disk)
    done = CliRunner().invoke(main, ["score", RUBRIC, "--batch", str(source), "-o", str(out)])
    assert done.exit_code == EXIT_USAGE
    assert done.stderr == f"Error: cannot write {tmp_path / 's.summary.json'}: No space left on device\n"
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "s.csv"]


@pytest.mark.parametrize("path", sorted((ROOT / "rubrics").glob("*.rubric")), ids=lambda path: path.name)
def test_indented_json_is_what_json_dumps_writes(path) -> None:
    compilation = compile_file(path)
    assert compilation.ok
    data = to_json(compilation.rubric, path="x.rubric", sha256="0" * 64)
    assert indented_json(data) == json.dumps(data, ensure_ascii=False, indent=2)
    texts = {"control": "a\x00\x1f\t\n\r\b\f\"\\\u2028\x7f中", "empty": [[], {}], "number": [0.5, 12.25, -3, 10**18]}
    assert indented_json(texts) == json.dumps(texts, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
@pytest.mark.parametrize("last_break", [True, False])
def test_a_part_gives_each_line_the_row_the_scorer_gives_it(tmp_path, ending: bytes, last_break: bool) -> None:
    """A part is read as views of its lines, not split into copies: each
    line still gets the scorer's own row or problems under its own number,
    blank and whitespace-only lines are no records (but are counted), and
    a last line without a line break is read whole."""
    compilation, scorer = shipped()
    lines = [line.encode("utf-8") for line in records(6, bad_every=4)]
    lines[1:1] = [b"", b"   ", b"\t", b"[1]"]
    data = ending.join(lines) + (ending if last_break else b"")
    source = tmp_path / "b.jsonl"
    source.write_bytes(data)
    bound = scoring.FastReader.of(compilation.rubric).bind(scorer, False, False)
    count, rows = scoring.score_part(scoring.Part(str(source), 0, len(data)), bound)
    expected = []
    for number, line in enumerate(lines, 1):
        if line.strip() == b"":
            continue
        try:
            summary = scorer.summarize(scorer.parse_findings(line, ""))
        except scorer.FindingsError as error:
            expected.append((number, None, None, error.errors))
            continue
        expected.append((number, scoring.summary_csv_cells(summary), scoring.summary_json_fields(summary)[1:], None))
    assert count == len(lines) and rows == expected
    assert [number for number, _, _, problems in rows if problems] == [5, 8]
