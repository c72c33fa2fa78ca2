"""Fuzz the findings readers with valid-shaped findings and hostile values.

    python benchmarks/fuzz_findings.py [--cases N] [--seed S] [--cli-every K] [--replay I]

Each case is findings shaped as a rubric asks (the shipped rubric's or
MINI's of tests/scoring_helpers.py): items assessed, not applicable,
absent, missing or null (partial), answers met or not, measures anywhere
in their range; then none to three hostile edits at random places: a value
replaced (lone surrogates, 1e5000, 1e-1000000, 5000 digits, NaN,
Infinity, null, wrong types, deep nesting, very long strings, control
characters, an object with a key twice), a key added (a lone surrogate,
a note, 'constructor') or deleted, the whole file given a key twice.
The JSON text goes to

  (a) the scorer in process: parse_findings, score, summarize, and the
      result written as JSON and as text (UTF-8);
  (b) `rubricdsl score RUBRIC FILE --format json` by click's CliRunner
      (every K-th case; every case with --cli-every 1);
  (c) the batch's reader: the FastReader bound to the scorer (the
      rubric's Structs and their summarizer, and the scorer's own checks
      when those step aside).

Allowed: a result, or FindingsError (exit 2).  Anything else is a crash,
more than 2 s a hang, and (a), (b) and (c) must agree: the same summary
row (its CSV and JSON bytes), the same total, the same first problem; and
(c) never sums a record the scorer refuses in the rubric's Structs.  The
run counts the scored cases (c) summed in the Structs.  Case I of seed S is the same on
every run (`--seed S --replay I` prints it).  Exit 1 on any crash or hang.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rubricdsl.findings import item_shapes  # noqa: E402
from rubricdsl.frontend import compile_file, compile_source  # noqa: E402
from rubricdsl.scoring import BoundReader, FastReader, load_scorer, summary_csv_cells, summary_json_fields  # noqa: E402
from tests.scoring_helpers import MINI, complete_findings  # noqa: E402

SHIPPED = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
HANG_SECONDS = 2.0

# JSON texts written in place of a value as they are: what json.dumps
# cannot write (lone surrogates, numbers beyond a double, NaN), or would
# write otherwise.
RAW_VALUES = [
    '"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"',
    "1e5000", "-1e5000", "1e1000000", "1e-1000000", "1e-400", "1E+400", "1e400", "9" * 5000, "4" + "0" * 40,
    "1" * 40, "0." + "0" * 45 + "1", "1e" + "9" * 30, "NaN", "Infinity", "-Infinity", "-0", "0.0", "100.0",
    "100.00000000000000000001", "99.999999999999999999", "-0.0000000000000000001", "18446744073709551616",
    "[" * 33 + "]" * 33, "[" * 3000 + "]" * 3000, '{"a":' * 40 + "1" + "}" * 40,
    '{"status": "absent", "status": "assessed"}', '{"a": 1, "a": 2}', "[]", "{}", '""', '" "',
]
PLAIN_VALUES = [
    None, True, False, 0, 1, -1, 2, 0.5, 45, 100, 101, "", " ", "assessed", "not_applicable", "absent", "x" * 100_000,
    "\x00\x1f\x7f", "\u2028", "生", [], {}, [None], {"status": None}, {"status": "assessed"}, 10**30,
]
RAW_KEYS = ['"\\ud800"', '"_\\ud800"', '"\\u005fnote"', '"constructor"', '"__proto__"', '"toString"', '""']
PLAIN_KEYS = ["_note", "constructor", "status", "requirements", "measures", "choice", "groups", "reason", "x" * 1000]


@dataclass
class Target:
    name: str
    rubric_file: Path
    compilation: object
    scorer: object
    readers: dict[bool, BoundReader]  # the batch's, for complete findings and for --partial


def targets(folder: Path) -> list[Target]:
    """The shipped rubric and MINI, each with its scorer and batch reader;
    MINI is written to `folder` for the command line."""
    mini_file = folder / "mini.rubric"
    mini_file.write_text(MINI, encoding="utf-8")
    found = []
    for name, path, compilation in (("shipped", SHIPPED, compile_file(SHIPPED)), ("mini", mini_file, compile_source(MINI, str(mini_file)))):
        assert compilation.ok
        scorer, reader = load_scorer(compilation, str(path)), FastReader.of(compilation.rubric)
        readers = {partial: reader.bind(scorer, partial, False) for partial in (False, True)}
        found.append(Target(name, path, compilation, scorer, readers))
    return found


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def valid_findings(rng: random.Random, rubric, partial: bool) -> dict:
    """Findings of the rubric's shape: every choice a person makes, at random."""
    findings = complete_findings(rubric)
    for shape in item_shapes(rubric):
        found = findings["items"][shape.path]
        roll = rng.random()
        if roll < 0.08:
            findings["items"][shape.path] = {"status": "not_applicable", "reason": rng.choice(["n/a", "本级不设"])}
            continue
        if roll < 0.14:
            findings["items"][shape.path] = {"status": "absent"}
            continue
        if partial and roll < 0.22:
            if rng.random() < 0.5:
                del findings["items"][shape.path]
            else:
                findings["items"][shape.path] = {"status": None, **({"measures": None} if rng.random() < 0.5 else {})}
            continue
        for answer in shape.listed:
            requirement = answer.requirement
            if requirement.parts:
                found["requirements"][answer.key] = {part.key: rng.random() < 0.7 for part in requirement.parts}
            elif hasattr(requirement.rule, "levels"):
                found["requirements"][answer.key] = rng.choice([True, rng.choice(requirement.rule.levels).key])
            else:
                found["requirements"][answer.key] = rng.random() < 0.7
        for measure in shape.item.measures:
            low, high = int(measure.low), int(measure.high)
            value = rng.choice([rng.randint(low, high), low, high, round(rng.uniform(low, high), rng.randint(0, 3))])
            found["measures"][measure.key] = value
        if shape.item.choices:
            found["choice"] = rng.choice([None] + [choice.key for choice in shape.item.choices])
    if partial and rng.random() < 0.3:
        findings["conditions"].popitem()
    return findings


def _places(value, path=()):
    """Every (container, key) of a findings tree, the root's keys included."""
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from _places(value[key], path + (key,))
    elif isinstance(value, list):
        for index in range(len(value)):
            yield value, index
            yield from _places(value[index], path + (index,))


def hostile_case(rng: random.Random, target: Target) -> tuple[bytes, bool]:
    """(JSON text, partial) of one case."""
    partial = rng.random() < 0.4
    findings = valid_findings(rng, target.compilation.rubric, partial)
    raw: dict[str, str] = {}

    def marker(text: str) -> str:
        name = f"@@RAW{len(raw)}@@"
        raw[name] = text
        return name

    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        places = list(_places(findings))
        container, key = rng.choice(places)
        operation = rng.random()
        value = marker(rng.choice(RAW_VALUES)) if rng.random() < 0.5 else copy.deepcopy(rng.choice(PLAIN_VALUES))
        if operation < 0.6:
            container[key] = value
        elif operation < 0.8 and isinstance(container, dict):
            new_key = marker(rng.choice(RAW_KEYS)) if rng.random() < 0.5 else rng.choice(PLAIN_KEYS)
            container[new_key] = value
        elif isinstance(container, dict):
            del container[key]
    text = json.dumps(findings, ensure_ascii=rng.random() < 0.3)
    if rng.random() < 0.1:  # a header key given twice: the last counts
        text = text[:-1] + ", " + json.dumps(rng.choice(["items", "conditions", "organization", "format"])) + ": " + (
            rng.choice(RAW_VALUES)) + "}"
    for name, written in raw.items():
        text = text.replace(json.dumps(name), written)
    return text.encode("utf-8"), partial


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


class Disagreement(AssertionError):
    pass


def in_process(target: Target, data: bytes, partial: bool):
    """(a): ('scored', summary, total) or ('refused', first problem)."""
    scorer = target.scorer
    try:
        findings = scorer.parse_findings(data, "")
        result = scorer.score(findings, partial=partial)
    except scorer.FindingsError as error:
        return "refused", error.errors[0]
    scorer.dumps(result).encode("utf-8")
    scorer.format_text(result).encode("utf-8")
    return "scored", row(scorer.summarize(findings, partial=partial)), Decimal(str(result["total"]))


def row(summary: dict) -> tuple[str, bytes]:
    """A summary as the batch writes it: its CSV cells and its JSON."""
    return summary_csv_cells(summary), summary_json_fields(summary)


def batch(target: Target, data: bytes, partial: bool):
    """(c): ('scored', summary row) or ('refused', first problem)."""
    try:
        return "scored", row(target.readers[partial].summary(data))
    except target.scorer.FindingsError as error:
        return "refused", error.errors[0]


def read_by_the_structs(target: Target, data: bytes, partial: bool) -> bool:
    """Whether (c) summed the record in the rubric's Structs, not by
    handing it to the scorer's own checks."""
    reader = target.readers[partial]
    try:
        reader.summarizer(reader.read(data), reader.rescore)
    except Exception:
        return False
    return True


def command_line(target: Target, data: bytes, partial: bool, folder: Path):
    """(b): ('scored', total) or ('refused',)."""
    from click.testing import CliRunner

    from rubricdsl.cli import EXIT_USAGE, main

    path = folder / "case.json"
    path.write_bytes(data)
    done = CliRunner().invoke(main, ["score", str(target.rubric_file), str(path), "--format", "json",
                                     *(["--partial"] if partial else [])])
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    if done.exit_code == 0:
        return "scored", Decimal(str(json.loads(done.stdout)["total"]))
    if done.exit_code != EXIT_USAGE or "Traceback" in done.output:
        raise AssertionError(f"exit {done.exit_code}: {done.output[-2000:]}")
    return ("refused",)


def check(target: Target, data: bytes, partial: bool, folder: Path | None = None) -> str:
    """Run (a), (c) and, given a folder, (b); raise at a crash or a
    disagreement.  Returns 'scored' or 'refused'."""
    alone = in_process(target, data, partial)
    batched = batch(target, data, partial)
    if alone[:2] != batched:
        raise Disagreement(f"alone {alone[:2]!r}, in a batch {batched!r}")
    typed = read_by_the_structs(target, data, partial)
    if typed and alone[0] != "scored":
        raise Disagreement(f"the rubric's Structs summed a record the scorer refuses: {alone!r}")
    if folder is not None:
        cli = command_line(target, data, partial, folder)
        expected = ("scored", alone[2]) if alone[0] == "scored" else ("refused",)
        if cli != expected:
            raise Disagreement(f"alone {alone!r}, the command {cli!r}")
    return alone[0]


# ---------------------------------------------------------------------------
# A run
# ---------------------------------------------------------------------------


@dataclass
class Report:
    cases: int = 0
    outcomes: dict = field(default_factory=dict)
    crashes: list = field(default_factory=list)  # (index, target, traceback)
    hangs: list = field(default_factory=list)  # (index, target, seconds)
    slowest: tuple = (0.0, -1, "")  # (seconds, index, target)
    by_the_structs: int = 0  # scored cases the batch summed in the rubric's Structs


def case_of(seed: int, index: int, all_targets: list[Target]):
    rng = random.Random(f"{seed}:{index}")
    target = all_targets[index % len(all_targets)]
    data, partial = hostile_case(rng, target)
    return target, data, partial


def fuzz(count: int, seed: int = 20261127, cli_every: int = 50) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        all_targets = targets(folder)
        for index in range(count):
            target, data, partial = case_of(seed, index, all_targets)
            start = time.perf_counter()
            try:
                outcome = check(target, data, partial, folder if cli_every and index % cli_every == 0 else None)
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
                report.by_the_structs += outcome == "scored" and read_by_the_structs(target, data, partial)
            except Exception:
                report.crashes.append((index, target.name, traceback.format_exc()))
            seconds = time.perf_counter() - start
            if seconds > HANG_SECONDS:
                report.hangs.append((index, target.name, seconds))
            if seconds > report.slowest[0]:
                report.slowest = (seconds, index, target.name)
            report.cases += 1
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--cli-every", type=int, default=50, help="run the command line on every K-th case (0: never)")
    parser.add_argument("--replay", type=int, help="print case I of the seed and check it alone")
    options = parser.parse_args(argv)
    if options.replay is not None:
        with tempfile.TemporaryDirectory() as folder_name:
            folder = Path(folder_name)
            target, data, partial = case_of(options.seed, options.replay, targets(folder))
            print(f"case {options.replay} of seed {options.seed}: {target.name}, partial={partial}")
            print(data.decode("utf-8")[:5000])
            print(check(target, data, partial, folder))
        return 0
    start = time.perf_counter()
    report = fuzz(options.cases, options.seed, options.cli_every)
    elapsed = time.perf_counter() - start
    print(f"{report.cases} cases in {elapsed:.1f} s: " + ", ".join(f"{n} {k}" for k, n in sorted(report.outcomes.items()))
          + f" ({report.by_the_structs} of the scored summed by the batch in the rubric's Structs, the others by the scorer's checks)")
    seconds, index, name = report.slowest
    print(f"slowest: case {index} ({name}) {seconds * 1000:.0f} ms")
    print(f"hangs (> {HANG_SECONDS:g} s): {len(report.hangs)}")
    for index, name, seconds in report.hangs[:20]:
        print(f"  case {index} ({name}): {seconds:.1f} s")
    print(f"crashes: {len(report.crashes)}")
    for index, name, text in report.crashes[:5]:
        print(f"--- case {index} ({name}); replay: --seed {options.seed} --replay {index}\n{text}")
    return 1 if report.crashes or report.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
