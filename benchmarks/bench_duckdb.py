"""The batch against DuckDB: the same summary of the same JSON Lines, in SQL.

    python benchmarks/bench_duckdb.py [--count 100000] [--runs 3]

What a data engineer would do instead of `rubricdsl score --batch`: load
the JSON Lines into DuckDB and compute each organisation's section scores,
total, passed, grade and eligibility with SQL generated from the rubric's
model.json (generated/<id>/model.json).  DuckDB is installed into its own
venv, benchmarks/.venv-duckdb (ignored by git), never the project's.  The
runs alternate between `rubricdsl score --batch` (a non-editable install,
benchmarks/installed.py, one worker per CPU, every record fully validated)
and DuckDB (one thread per CPU, validating nothing), and the script checks
that both computed the same summary for every record.

The SQL covers what the benchmark's findings hold (benchmarks/bench_score.py
makes them): items assessed, not applicable or absent; fixed, each, parts,
levels, threshold and band deductions, capped at the points, with the
"nothing met" rule; tiers; choices; groups (assessed); conditions; grades.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_score import RUBRIC, jsonl, read_through, timed_process  # noqa: E402
from installed import installed_rubricdsl  # noqa: E402

DUCKDB_VENV = HERE / ".venv-duckdb"
MODEL = ROOT / "generated" / "t-cssg-001.5-2020" / "model.json"

RUN_SQL = r"""
import sys, duckdb
sql, out = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
duckdb.sql("COPY (" + sql + ") TO '" + out.replace("'", "''") + "' (HEADER, DELIMITER ',')")
"""


def duckdb_python() -> Path:
    """The python of benchmarks/.venv-duckdb, made and given DuckDB if need be."""
    python = DUCKDB_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DUCKDB_VENV)], check=True)
    if subprocess.run([str(python), "-c", "import duckdb"], capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "duckdb"], check=True)
    return python


class Answers:
    """The JSON paths the SQL reads, each once: every record is parsed once
    (json_extract_string of a list of paths) and its values are `v[i]`."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def at(self, *keys: str) -> str:
        path = "$." + ".".join('"' + key.replace('"', '\\"') + '"' for key in keys)
        self.paths.append(path)
        return f"v[{len(self.paths)}]"

    def number(self, *keys: str) -> str:
        return f"CAST({self.at(*keys)} AS DOUBLE)"


def literal(value) -> str:
    return "NULL" if value is None else repr(float(value))


def text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def contains(when: dict, value: str) -> str:
    tests = []
    if when["low"] is not None:
        tests.append(f"{value} {'>=' if when['low_inclusive'] else '>'} {literal(when['low'])}")
    if when["high"] is not None:
        tests.append(f"{value} {'<=' if when['high_inclusive'] else '<'} {literal(when['high'])}")
    return "(" + " AND ".join(tests or ["TRUE"]) + ")"


def deductions(answers: Answers, item_path: str, requirements: list[dict], key_prefix: str) -> tuple[str, str]:
    """(points lost, number of requirements wholly unmet) as SQL."""
    lost, unmet = [], []
    for requirement in requirements:
        rule, key = requirement["rule"], key_prefix + requirement["key"]
        kind = rule["kind"]
        if kind == "threshold":
            value = answers.number("items", item_path, "measures", rule["when"]["measure"])
            made = contains(rule["when"], value)
            lost.append(f"CASE WHEN {made} THEN {literal(rule['amount'])} ELSE 0 END")
        elif kind == "bands":
            value = answers.number("items", item_path, "measures", rule["measure"])
            bands = " ".join(f"WHEN {contains(b['when'], value)} THEN {literal(b['amount'])}" for b in rule["bands"])
            made = "(" + " OR ".join(contains(b["when"], value) for b in rule["bands"]) + ")"
            lost.append(f"CASE {bands} ELSE 0 END")
        elif kind == "levels":
            answer = answers.at("items", item_path, "requirements", key)
            levels = " ".join(f"WHEN {text(lv['key'])} THEN {literal(lv['amount'])}" for lv in rule["levels"])
            made = f"({answer} <> 'true')"
            lost.append(f"CASE {answer} {levels} ELSE 0 END")
        elif requirement["parts"]:
            missing = " + ".join(
                f"CASE WHEN {answers.at('items', item_path, 'requirements', key, part['key'])} = 'false' THEN 1 ELSE 0 END"
                for part in requirement["parts"])
            lost.append(f"({missing}) * {literal(rule['amount'])}")
            unmet.append(f"CASE WHEN ({missing}) = {len(requirement['parts'])} THEN 1 ELSE 0 END")
            continue
        else:
            made = f"({answers.at('items', item_path, 'requirements', key)} = 'false')"
            lost.append(f"CASE WHEN {made} THEN {literal(rule['amount'])} ELSE 0 END")
        unmet.append(f"CASE WHEN {made} THEN 1 ELSE 0 END")
    return " + ".join(lost) or "0", " + ".join(unmet) or "0"


def capped(points, lost: str, unmet: str, count: int, zero_rule: bool) -> str:
    score = f"GREATEST(0, {literal(points)} - ({lost}))"
    if zero_rule and count:
        return f"CASE WHEN ({unmet}) = {count} THEN 0 ELSE {score} END"
    return score


def item_score(answers: Answers, item: dict, zero_rule: bool, not_applicable_full: bool) -> str:
    path, points = item["path"], item["points"]
    status = answers.at("items", path, "status")
    if item["kind"] in ("tiers", "choices"):
        otherwise = literal(item["otherwise"]["points"]) if item["otherwise"] else "0"
        if item["kind"] == "tiers":
            value = answers.number("items", path, "measures", item["tiers"][0]["when"]["measure"])
            cases = " ".join(f"WHEN {contains(t['when'], value)} THEN LEAST({literal(points)}, {literal(t['points'])})"
                             for t in item["tiers"])
        else:
            choice = answers.at("items", path, "choice")
            cases = " ".join(f"WHEN {choice} = {text(c['key'])} THEN LEAST({literal(points)}, {literal(c['points'])})"
                             for c in item["choices"])
        assessed = f"CASE {cases} ELSE {otherwise} END"
    elif item["kind"] == "groups":
        parts = []
        for group in item["groups"]:
            lost, unmet = deductions(answers, path, group["requirements"], group["key"] + ".")
            parts.append(capped(group["points"], lost, unmet, len(group["requirements"]), zero_rule))
        assessed = " + ".join(parts)
    else:
        lost, unmet = deductions(answers, path, item["requirements"], "")
        assessed = capped(points, lost, unmet, len(item["requirements"]), zero_rule)
    applicable = literal(points) if not_applicable_full else "0"
    return f"CASE {status} WHEN 'not_applicable' THEN {applicable} WHEN 'absent' THEN 0 ELSE {assessed} END"


def summary_sql(model: dict, source: Path) -> str:
    """SQL computing, per record in file order: organization, date, total,
    each section's score, passed, grade, eligible."""
    answers = Answers()
    zero_rule = model["effective_policies"]["nothing_met"] == "zero"
    full = model["effective_policies"]["not_applicable"] == "full"
    sections = []
    for section in model["sections"]:
        scores = " + ".join(f"({item_score(answers, item, zero_rule, full)})" for item in section["items"]) or "0"
        sections.append((section["key"], scores))
    bars = [f"{answers.at('conditions', c['key'])} IS NOT DISTINCT FROM 'true'" for c in model["conditions"] if not c["advisory"]]
    grades = " ".join(f"WHEN total >= {literal(g['threshold'])} THEN {text(g['key'])}"
                      for g in sorted(model["grades"], key=lambda g: -g["threshold"]))
    paths = "[" + ", ".join(text(path) for path in answers.paths) + "]"
    section_columns = ",\n  ".join(f"{scores} AS \"{key}\"" for key, scores in sections)
    return f"""
WITH records AS (
  SELECT row_number() OVER () AS line, json_extract_string(json, '$.organization') AS organization,
         json_extract_string(json, '$.date') AS date, json_extract_string(json, {paths}) AS v
  FROM read_json_objects({text(str(source))}, format = 'newline_delimited')
), scored AS (
  SELECT line, organization, date,
  {section_columns},
  {' AND '.join(bars) or 'TRUE'} AS eligible
  FROM records
), totals AS (
  SELECT *, {' + '.join(f'"{key}"' for key, _ in sections)} AS total FROM scored
)
SELECT line, organization, date, total, {', '.join(f'"{key}"' for key, _ in sections)},
       total >= {literal(model['pass_mark'])} AS passed, {f'CASE {grades} END' if grades else 'NULL'} AS grade, eligible
FROM totals ORDER BY line
"""


def same_summaries(ours: Path, theirs: Path, sections: list[str]) -> int:
    """How many rows the two summaries hold; SystemExit at the first that differs."""
    def number(cell: str) -> Decimal:
        return Decimal(cell).normalize()

    def yes(cell: str) -> bool:
        return cell in ("yes", "true")

    with open(ours, encoding="utf-8", newline="") as a, open(theirs, encoding="utf-8", newline="") as b:
        count = 0
        for count, (row, other) in enumerate(zip(csv.DictReader(a), csv.DictReader(b), strict=True), 1):
            if row["error"]:
                raise SystemExit(f"rubricdsl refused {row['source']}: {row['error']}")
            mine = (row["organization"], row["date"], number(row["total"]), [number(row[k]) for k in sections],
                    yes(row["passed"]), row["grade"], yes(row["eligible"]))
            duck = (other["organization"], other["date"], number(other["total"]), [number(other[k]) for k in sections],
                    yes(other["passed"]), other["grade"], yes(other["eligible"]))
            if mine != duck:
                raise SystemExit(f"the summaries differ at {row['source']}:\n  rubricdsl {mine}\n  DuckDB    {duck}")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    sections = [section["key"] for section in model["sections"]]
    path = jsonl(options.count)
    duck = duckdb_python()
    version = subprocess.run([str(duck), "-c", "import duckdb; print(duckdb.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    with installed_rubricdsl() as installed, tempfile.TemporaryDirectory(prefix="bench-duckdb-") as scratch:
        python = Path(installed.python)
        folder = Path(scratch)
        (folder / RUBRIC.name).write_bytes(RUBRIC.read_bytes())
        (folder / "summary.sql").write_text(summary_sql(model, path), encoding="utf-8")
        ours, theirs = [], []
        for _ in range(options.runs):
            read_through(path)
            ours.append(timed_process([str(python), "-m", "rubricdsl.cli", "score", RUBRIC.name, "--batch", str(path),
                                       "-o", "summary.csv"], folder))
            read_through(path)
            theirs.append(timed_process([str(duck), "-c", RUN_SQL, "summary.sql", "duckdb.csv"], folder))
        rows = same_summaries(folder / "summary.csv", folder / "duckdb.csv", sections)
    mine, duckdb = statistics.median(run.wall for run in ours), statistics.median(run.wall for run in theirs)
    mine_cpu, duckdb_cpu = statistics.median(run.cpu for run in ours), statistics.median(run.cpu for run in theirs)

    def runs(measured) -> str:
        return ", ".join(f"{run.wall:.2f}" for run in measured)

    print(f"{options.count} findings ({path.stat().st_size / 1e6:.0f} MB JSON Lines), {options.runs} runs each, alternating "
          f"({os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}):")
    print(f"  rubricdsl score --batch (installed, one worker per CPU, full validation): median {mine:.2f} s "
          f"(runs {runs(ours)}), CPU {mine_cpu:.2f} s")
    print(f"  DuckDB {version}, SQL from model.json (no validation):             median {duckdb:.2f} s "
          f"(runs {runs(theirs)}), CPU {duckdb_cpu:.2f} s")
    print(f"  the same summary for all {rows} records; rubricdsl / DuckDB: {mine / duckdb:.2f}x by the wall clock, "
          f"{mine_cpu / duckdb_cpu:.2f}x by CPU time (target: under 1: {'met' if mine < duckdb else 'MISSED'})")
    return 0 if mine < duckdb else 1


if __name__ == "__main__":
    sys.exit(main())
