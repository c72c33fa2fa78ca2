"""Benchmark: the generated scorer against interpreting the model, and --batch.

    python benchmarks/bench_score.py [--count 20000] [--runs 7] [--batch 100000]

1. In one process, findings already loaded as dicts: findings/second of the
   generated scorer's score() (validating, full result), summarize()
   (validating, totals only) and of two interpreters that walk the rubric's
   model.json for every findings (one building the same full result, one
   totals only).  Medians of several runs, and the ratios.  Every result of
   the interpreter is checked equal to score()'s first, so the race is fair.
   A last line is a floor: a loop that merely reads every answer, checking
   and scoring nothing; no scorer written in Python can beat it.
2. `rubricdsl score RUBRIC --batch FILE.jsonl` on 100,000 findings as one
   whole process of a non-editable install run from a temporary folder
   (wall time), with one worker per CPU and with one, each side by side with
   its floor (orjson.loads of every line in as many processes) and their
   ratio; the peak memory of --jobs 1 on 100,000 and 20,000 findings; and
   in-process the split of that work between JSON parsing (msgspec into
   the rubric's Structs, as the command reads, beside orjson.loads, the
   floor), checking and scoring, and writing the summary rows.

Not a test: it prints figures.  The JSON Lines file is written once to
benchmarks/out/ (ignored by git) and reused.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import orjson

ROOT = Path(__file__).resolve().parent.parent
# The in-process figures import the checkout; the whole-process batch runs
# an installed rubricdsl (benchmarks/installed.py) from another folder.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from installed import installed_rubricdsl, peak_mib, rubricdsl_command  # noqa: E402
from rubricdsl.export import content_hash, to_json  # noqa: E402
from rubricdsl.findings import item_shapes  # noqa: E402
from rubricdsl.frontend import compile_file  # noqa: E402
from rubricdsl.scoring import FastReader, load_scorer, summary_csv_cells, summary_json_fields  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
SOURCE_PATH = "rubrics/t-cssg-001.5-2020.rubric"
OUT = ROOT / "benchmarks" / "out"


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


def random_findings(rng: random.Random, rubric, shapes, index: int) -> dict:
    """One organisation's plausible findings: most requirements met, a few
    items not applicable or absent, measures anywhere in their range."""
    items = {}
    for shape in shapes:
        item = shape.item
        roll = rng.random()
        if roll < 0.03:
            items[shape.path] = {"status": "not_applicable", "reason": "本级不设"}
            continue
        if roll < 0.06:
            items[shape.path] = {"status": "absent"}
            continue
        found: dict = {"status": "assessed"}
        if shape.listed:
            answers = {}
            for answer in shape.listed:
                requirement = answer.requirement
                if requirement.parts:
                    answers[answer.key] = {part.key: rng.random() < 0.9 for part in requirement.parts}
                elif answer.kind == "levels":
                    answers[answer.key] = True if rng.random() < 0.85 else rng.choice(requirement.rule.levels).key
                else:
                    answers[answer.key] = rng.random() < 0.85
            found["requirements"] = answers
        if item.measures:
            found["measures"] = {
                m.key: rng.choice([rng.randint(int(m.low), int(m.high)), round(rng.uniform(float(m.low), float(m.high)), 1)])
                for m in item.measures
            }
        if item.choices:
            found["choice"] = rng.choice([None] + [c.key for c in item.choices])
        items[shape.path] = found
    return {
        "format": "rubricdsl-findings/1",
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organization": f"网格化服务管理中心 {index:06d}",
        "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "evaluators": ["张三"],
        "remarks": "",
        "conditions": {c.key: rng.random() < 0.95 for c in rubric.conditions},
        "items": items,
    }


def sample(rubric, count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    shapes = item_shapes(rubric)
    return [random_findings(rng, rubric, shapes, index) for index in range(count)]


# ---------------------------------------------------------------------------
# The interpreting alternative: walk model.json for every findings
# ---------------------------------------------------------------------------


def _contains(when: dict, value) -> bool:
    low, high = when["low"], when["high"]
    if low is not None and (value < low or (value == low and not when["low_inclusive"])):
        return False
    if high is not None and (value > high or (value == high and not when["high_inclusive"])):
        return False
    return True


def _num(value):
    return int(value) if value == int(value) else value.normalize()


def _dec(value) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _deductions(requirements, answers: dict, measures: dict) -> list[dict]:
    """The deductions made, each marked whether its requirement is wholly
    unmet (for the zero rule of 8.2)."""
    made = []
    for requirement in requirements:
        rule, key = requirement["rule"], requirement["_key"]
        kind = rule["kind"]
        detail, line, amount = None, rule["line"], None
        if kind == "threshold":
            measure = rule["when"]["measure"]
            value = measures[measure]
            if _contains(rule["when"], value):
                amount = _dec(rule["amount"])
                detail = f"{rule['when']['text']} ({measure} = {_num(value)})"
        elif kind == "bands":
            value = measures[rule["measure"]]
            band = next((b for b in rule["bands"] if _contains(b["when"], value)), None)
            if band is not None:
                amount, line = _dec(band["amount"]), band["line"]
                detail = f"band {band['key']}: {band['when']['text']} ({rule['measure']} = {_num(value)})"
        elif kind == "levels":
            answer = answers[key]
            if answer is not True:
                level = next(lv for lv in rule["levels"] if lv["key"] == answer)
                amount, line, detail = _dec(level["amount"]), level["line"], f"level {level['key']}: {level['label']}"
        elif requirement["parts"]:
            missing = [p for p in requirement["parts"] if answers[key][p["key"]] is False]
            unmet = len(missing) == len(requirement["parts"])
            if missing:
                amount = _dec(rule["amount"]) * len(missing)
                detail = "; ".join(f"missing {p['key']}: {p['label']}" for p in missing)
        elif answers[key] is False:
            amount = _dec(rule["amount"])
        if amount is not None:
            made.append({"path": requirement["path"], "amount": amount, "text": rule["text"], "detail": detail, "line": line,
                         "_unmet": unmet if kind == "each" and requirement["parts"] else True})
    return made


def _nothing_met(requirements, made: list[dict], zero_rule: bool) -> bool:
    return zero_rule and bool(requirements) and sum(d["_unmet"] for d in made) == len(requirements)


def _capped(points: Decimal, made: list[dict]) -> tuple[Decimal, bool]:
    lost = sum((d["amount"] for d in made), Decimal(0))
    return max(Decimal(0), points - lost), lost > 0 and lost >= points


def _interpret_item(item: dict, found: dict, zero_rule: bool = False):
    """(status, score, capped, deductions, award, reason, zeroed, groups)."""
    points = _dec(item["points"])
    status = found["status"]
    if status == "not_applicable":
        return "not_applicable", points, False, [], None, found["reason"], False, []
    if status == "absent":
        return "absent", Decimal(0), False, [], None, None, False, []
    measures = {k: _dec(v) for k, v in found.get("measures", {}).items()}
    answers = found.get("requirements", {})
    if item["kind"] == "tiers":
        value = measures[item["tiers"][0]["when"]["measure"]]
        tier = next((t for t in item["tiers"] if _contains(t["when"], value)), None)
        if tier is not None:
            return "assessed", min(points, _dec(tier["points"])), False, [], {"tier": tier["key"], "text": tier["text"], "value": _num(value)}, None, False, []
        return "assessed", _dec(item["otherwise"]["points"]) if item["otherwise"] else Decimal(0), False, [], {"otherwise": True}, None, False, []
    if item["kind"] == "choices":
        choice = next((c for c in item["choices"] if c["key"] == found["choice"]), None)
        if choice is not None:
            return "assessed", min(points, _dec(choice["points"])), False, [], {"choice": choice["key"], "text": choice["text"]}, None, False, []
        return "assessed", _dec(item["otherwise"]["points"]) if item["otherwise"] else Decimal(0), False, [], {"otherwise": True}, None, False, []
    zero = {"clause": "8.2"}
    if item["kind"] == "groups":
        score, capped, zeroed, made, groups = Decimal(0), False, False, [], []
        for group in item["groups"]:
            group_made = _deductions(group["requirements"], answers, measures)
            group_score, group_capped = _capped(_dec(group["points"]), group_made)
            group_zeroed = _nothing_met(group["requirements"], group_made, zero_rule)
            if group_zeroed:
                group_score = Decimal(0)
            score += group_score
            capped = capped or group_capped
            zeroed = zeroed or group_zeroed
            made += group_made
            groups.append({
                "key": group["key"], "path": group["path"], "heading": group["heading"], "points": group["points"],
                "status": "assessed", "score": _num(group_score), "capped": group_capped, "reason": None,
                "zero_rule": zero if group_zeroed else None, "applicable_points": group["points"],
                "deductions": _shown(group_made),
            })
        return "assessed", score, capped, made, None, None, zeroed, groups
    made = _deductions(item["requirements"], answers, measures)
    score, capped = _capped(points, made)
    zeroed = _nothing_met(item["requirements"], made, zero_rule)
    return "assessed", Decimal(0) if zeroed else score, capped, made, None, None, zeroed, []


def _shown(made: list[dict]) -> list[dict]:
    return [{k: (_num(v) if k == "amount" else v) for k, v in d.items() if k != "_unmet"} for d in made]


def prepare(model: dict) -> dict:
    """Mark each requirement with its key in the findings (group.key in groups)."""
    for section in model["sections"]:
        for item in section["items"]:
            for requirement in item["requirements"]:
                requirement["_key"] = requirement["key"]
            for group in item["groups"]:
                for requirement in group["requirements"]:
                    requirement["_key"] = f"{group['key']}.{requirement['key']}"
    return model


def _check_keys(found: dict, item: dict) -> None:
    """The interpreter's validation: the answers an item needs are there."""
    if found["status"] != "assessed":
        return
    listed = [r for r in item["requirements"] + [r for g in item["groups"] for r in g["requirements"]]
              if r["rule"]["kind"] not in ("threshold", "bands")]
    if listed and set(found["requirements"]) != {r["_key"] for r in listed}:
        raise ValueError(item["path"])
    for r in listed:
        value = found["requirements"][r["_key"]]
        if r["parts"]:
            if not all(v is True or v is False for v in value.values()):
                raise ValueError(r["path"])
        elif value is not True and value is not False and r["rule"]["kind"] != "levels":
            raise ValueError(r["path"])


def interpret(model: dict, findings: dict) -> dict:
    """The same result as score(), by walking the model (its policies as
    the shipped rubric declares them: not applicable full, nothing met 0)."""
    zero_rule = model["effective_policies"]["nothing_met"] == "zero"
    sections, not_assessed, total = [], [], Decimal(0)
    for section in model["sections"]:
        subtotal, results = Decimal(0), []
        for item in section["items"]:
            found = findings["items"][item["path"]]
            _check_keys(found, item)
            status, score, capped, made, award, reason, zeroed, groups = _interpret_item(item, found, zero_rule)
            subtotal += score
            results.append({
                "path": item["path"], "title": item["title"], "points": item["points"], "status": status,
                "score": _num(score), "capped": capped, "reason": reason,
                "zero_rule": {"clause": "8.2"} if zeroed else None, "applicable_points": item["points"],
                "groups": groups, "deductions": _shown(made), "award": award,
            })
        total += subtotal
        sections.append({"key": section["key"], "title": section["title"], "points": section["points"],
                         "score": _num(subtotal), "applicable_points": section["points"], "items": results})
    unmet = [c["key"] for c in model["conditions"] if not c["advisory"] and findings["conditions"][c["key"]] is not True]
    advisory = [c["key"] for c in model["conditions"] if c["advisory"] and findings["conditions"][c["key"]] is not True]
    grade = None
    for g in model["grades"]:
        if total >= _dec(g["threshold"]):
            grade = {"key": g["key"], "label": g["label"]}
    content = model["_content_hash"]
    return {
        "format": "rubricdsl-result/1",
        "rubric": {"id": model["id"], "version": model["version"], "title": model["title"],
                   "source_sha256": model["source"]["sha256"], "content_hash": content},
        "policies": {name: {"value": value, "clause": "8.2"} for name, value in model["effective_policies"].items()},
        "organization": findings["organization"], "date": findings["date"],
        "evaluators": list(findings["evaluators"]), "remarks": findings["remarks"],
        "sections": sections, "total": _num(total), "raw_total": _num(total),
        "applicable_points": model["full_marks"], "full_marks": model["full_marks"], "pass_mark": model["pass_mark"],
        "passed": total >= _dec(model["pass_mark"]), "grade": grade, "eligible": not unmet,
        "unmet_conditions": unmet, "advisory_unmet": advisory, "not_assessed": not_assessed,
        "unrecorded_conditions": [], "provisional": False,
        "warnings": [] if findings["rubric"].get("content_hash") == content else [{
            "code": "no_content_hash",
            "message": "the findings name no content hash of the rubric: they are scored under " + content
            + " without knowing which revision they were made under",
        }],
    }


def interpret_total(model: dict, findings: dict) -> Decimal:
    """Totals only, by walking the model."""
    zero_rule = model["effective_policies"]["nothing_met"] == "zero"
    total = Decimal(0)
    for section in model["sections"]:
        for item in section["items"]:
            found = findings["items"][item["path"]]
            _check_keys(found, item)
            total += _interpret_item(item, found, zero_rule)[1]
    return total


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def answer_reader(scorer):
    """The floor: read every answer of a findings dict (statuses, answers,
    parts, measures, choices) as fast as CPython reads dict values (a
    C-level itemgetter an object), and do nothing else."""
    layout = []
    for path, _, _, _, _ in scorer.ITEMS:
        shape = scorer.SHAPES[path]
        requirements = shape.get("requirements", {})
        layout.append((
            path,
            operator.itemgetter(*requirements) if requirements else None,
            tuple((key, operator.itemgetter(*kind[1])) for key, kind in requirements.items() if kind[0] == "parts"),
            operator.itemgetter(*shape["measures"]) if "measures" in shape else None,
            "choice" in shape,
        ))
    conditions = operator.itemgetter(*(key for key, _, _ in scorer.CONDITIONS))

    def read(findings):
        conditions(findings["conditions"])
        items = findings["items"]
        for path, answers, parts, measures, choice in layout:
            found = items[path]
            if found["status"] != "assessed":
                continue
            if answers:
                values = found["requirements"]
                answers(values)
                for key, part in parts:
                    part(values[key])
            if measures:
                measures(found["measures"])
            if choice:
                found["choice"]

    return read


def rate(function, batch: list, runs: int) -> tuple[float, float]:
    """Median findings/second over `runs` passes through the batch, by the
    wall clock and by this process's CPU time (which other processes on a
    busy machine disturb less)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        for findings in batch:
            function(findings)
        wall.append(len(batch) / (time.perf_counter() - start))
        cpu.append(len(batch) / max(time.process_time() - start_cpu, 1e-9))
    return statistics.median(wall), statistics.median(cpu)


def in_process(count: int, runs: int) -> None:
    compilation = compile_file(RUBRIC)
    scorer = load_scorer(compilation, SOURCE_PATH)
    model = prepare(to_json(compilation.rubric, path=SOURCE_PATH, sha256=compilation.sha256))
    model["_content_hash"] = content_hash(compilation.rubric)
    # Numbers as the scorer's own reader gives them (fractions as Decimal).
    batch = [scorer.parse_findings(json.dumps(f, ensure_ascii=False)) for f in sample(compilation.rubric, count)]
    for findings in batch[:500]:
        assert scorer.dumps(interpret(model, findings)) == scorer.dumps(scorer.score(findings)), "interpreter differs"
        assert interpret_total(model, findings) == Decimal(str(scorer.summarize(findings)["total"]))
    print(f"in one process, {count} findings as dicts, median of {runs} runs (findings/second, wall clock and CPU time):")
    figures = {
        "generated score()      (checks, full result)": rate(scorer.score, batch, runs),
        "generated summarize()  (checks, totals)": rate(scorer.summarize, batch, runs),
        "generated validate()   (all problems listed)": rate(scorer.validate, batch, runs),
        "interpreter, full result (model.json walk)": rate(lambda f: interpret(model, f), batch, runs),
        "interpreter, totals only (model.json walk)": rate(lambda f: interpret_total(model, f), batch, runs),
        "floor: read every answer, check nothing": rate(answer_reader(scorer), batch, runs),
    }
    for name, (wall, cpu) in figures.items():
        print(f"  {name:48s} {wall:10,.0f} {cpu:10,.0f}")
    names = list(figures)
    for fast, slow, what in ((0, 3, "score() / interpreter full result"), (1, 4, "summarize() / interpreter totals only")):
        ratio = [figures[names[fast]][i] / figures[names[slow]][i] for i in (0, 1)]
        print(f"  ratio {what:42s} {ratio[0]:9.1f}x {ratio[1]:9.1f}x")
    print(f"  (load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")


def jsonl(count: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"findings-{count}.jsonl"
    if not path.exists():
        rubric = compile_file(RUBRIC).rubric
        with open(path, "w", encoding="utf-8") as stream:
            for findings in sample(rubric, count, seed=2):
                stream.write(json.dumps(findings, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def read_through(path: Path) -> float:
    """Read a file once (into the page cache); the seconds it took."""
    start = time.perf_counter()
    with open(path, "rb") as stream:
        while stream.read(1 << 24):
            pass
    return time.perf_counter() - start


# The floor of a batch: merely orjson.loads of every line, in as many
# processes as the batch has workers, each reading its share of the file.
FLOOR = r"""
import multiprocessing, os, sys
import orjson

def share(bounds):
    path, start, end = bounds
    loads = orjson.loads
    with open(path, "rb") as stream:
        stream.seek(start)
        for line in stream.read(end - start).split(b"\n"):
            if line:
                loads(line)

path, jobs = sys.argv[1], int(sys.argv[2]) or os.cpu_count()
size = os.path.getsize(path)
shares, start = [], 0
with open(path, "rb") as stream:
    while start < size:
        stream.seek(min(start + (4 << 20), size))
        stream.readline()
        end = min(stream.tell(), size)
        shares.append((path, start, end))
        start = end
if jobs == 1:
    for bounds in shares:
        share(bounds)
else:
    with multiprocessing.Pool(jobs) as pool:
        pool.map(share, shares)
"""


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # user and system seconds of the process and the children it waited for (its workers)
    peak: float | None  # MiB, when it prints it (installed.rubricdsl_command)
    said: str  # its last other line on stderr


def timed_process(command: list[str], folder: Path) -> Run:
    """One whole process, timed by the wall clock and by CPU time (which
    the other processes of a busy machine disturb less)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr_bytes = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = stderr_bytes.decode("utf-8", "replace").strip().splitlines()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}: {stderr[-3:]}")
    said = [line for line in stderr if line and not line.startswith("peak memory: ")]
    printed = any(line.startswith("peak memory: ") for line in stderr)
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_mib("\n".join(stderr)) if printed else None, (said or [""])[-1])


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (runs {', '.join(f'{v:.2f}' for v in values)})"


def batch(count: int, runs: int) -> None:
    """The batch as users run it: a non-editable install in a temporary
    venv, run from a temporary folder, against the floor run side by side
    (the runs alternate), and the peak memory of --jobs 1 on two sizes."""

    path = jsonl(count)
    size = path.stat().st_size
    smaller = OUT / f"findings-{count // 5}.jsonl"
    if not smaller.exists():
        with open(path, "rb") as source, open(smaller, "wb") as target:
            for _, line in zip(range(count // 5), source):
                target.write(line)
    # This machine's kernel evicts idle pages within minutes, so a cold file
    # costs seconds of disk reading: each run starts with the file read into
    # the page cache, and the first such read is reported.
    print(f"\nreading the {size / 1e6:.0f} MB file once: {read_through(path):.2f} s")
    with installed_rubricdsl() as installed, tempfile.TemporaryDirectory(prefix="bench-score-") as scratch:
        python = Path(installed.python)
        folder = Path(scratch)
        rubric = folder / RUBRIC.name
        rubric.write_bytes(RUBRIC.read_bytes())
        for jobs in ("0", "1"):
            workers = f"one per CPU: {os.cpu_count()}" if jobs == "0" else jobs
            batches, floors = [], []
            for _ in range(runs):
                read_through(path)
                batches.append(timed_process(rubricdsl_command(
                    python, "score", rubric.name, "--batch", str(path), "-o", "summary.csv", "--jobs", jobs), folder))
                read_through(path)
                floors.append(timed_process([str(python), "-c", FLOOR, str(path), jobs], folder))
            walls, cpus = [run.wall for run in batches], [run.cpu for run in batches]
            floor_walls, floor_cpus = [run.wall for run in floors], [run.cpu for run in floors]
            ratio = statistics.median(walls) / statistics.median(floor_walls)
            cpu_ratio = statistics.median(cpus) / statistics.median(floor_cpus)
            print(f"rubricdsl score --batch --jobs {jobs} ({workers}), {count} findings ({size / 1e6:.0f} MB JSON Lines), "
                  f"whole process, installed: wall {spread(walls)}, CPU {spread(cpus)}; {batches[-1].said}")
            print(f"  floor, orjson.loads of every line in as many processes: wall {spread(floor_walls)}, "
                  f"CPU {spread(floor_cpus)}")
            print(f"  ratio by the wall clock {ratio:.2f}x (target <= 2.2x: {'met' if ratio <= 2.2 else 'MISSED'}), "
                  f"by CPU time {cpu_ratio:.2f}x")
            if jobs == "1":
                peaks = [run.peak for run in batches]
                small_peaks = [timed_process(rubricdsl_command(
                    python, "score", rubric.name, "--batch", str(smaller), "-o", "small.csv", "--jobs", "1"), folder).peak
                    for _ in range(runs)]
                print(f"  peak memory (VmHWM) of --jobs 1: {max(peaks):.0f} MiB on {count} findings, "
                      f"{max(small_peaks):.0f} MiB on {count // 5} (target < 250 MB, independent of the count: "
                      f"{'met' if max(peaks) < 250 and max(peaks) < 1.2 * max(small_peaks) else 'MISSED'})")
        print(f"  (load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")
    split(path, count)


def split(path: Path, count: int) -> None:
    """In one process, CPU time per record of each step of the batch:
    reading the JSON (msgspec into the rubric's Structs, numbers as the
    scorer reads them) beside orjson.loads alone (the floor), the Structs'
    summarizer (or, for the records they leave, the scorer's own checks and
    reader), the summary rows."""
    compilation = compile_file(RUBRIC)
    scorer = load_scorer(compilation, SOURCE_PATH)
    reader = FastReader.of(compilation.rubric).bind(scorer, False, False)
    # Each findings is parsed, scored and dropped, as the command does
    # (holding 100,000 parsed findings would time the garbage collector).
    floor = parsing = scoring = writing = 0.0
    left = 0
    clock = time.process_time
    with open(path, "rb") as stream:
        for line in stream:
            start = clock()
            orjson.loads(line)
            floored = clock()
            try:
                findings = reader.read(line)
            except Exception:  # refused by the Structs: handed over below
                findings = None
            parsed = clock()
            try:
                summary = reader.summarizer(findings, False)
            except Exception:
                left += 1
                summary = reader.handed_over(line)
            scored = clock()
            summary_csv_cells(summary), summary_json_fields(summary)
            floor += floored - start
            parsing += parsed - floored
            scoring += scored - parsed
            writing += clock() - scored
    print(f"  in one process, CPU time per record: orjson.loads (the floor) {floor / count * 1e6:.1f} us; the batch's "
          f"JSON reading (msgspec, into the rubric's Structs) {parsing / count * 1e6:.1f} us, checking and scoring {scoring / count * 1e6:.1f} us "
          f"({left} records left to the scorer's own checks or reader), summary rows {writing / count * 1e6:.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="findings per in-process run (0: skip)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100000, help="findings in the --batch file (0: skip)")
    parser.add_argument("--batch-runs", type=int, default=3, help="whole-process runs of each --batch command")
    options = parser.parse_args()
    if options.count:
        in_process(options.count, options.runs)
    if options.batch:
        batch(options.batch, options.batch_runs)


if __name__ == "__main__":
    main()
