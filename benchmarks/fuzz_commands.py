"""Fuzz every command with mutants of the shipped rubric.

    python benchmarks/fuzz_commands.py [--mutants N] [--seed S] [--replay I]

Each mutant (benchmarks/fuzz_frontend.py makes them: flipped bytes, lines
deleted, duplicated or swapped, odd Unicode, keywords and numbers put where
they do not belong) is run through every command a user calls, as the user
calls it (the click command line, in process):

    check, check --format json, fmt --check, inspect, build -o DIR,
    build --check -o DIR, template, diff SHIPPED MUTANT,
    diff SHIPPED MUTANT --findings FIXTURE, score MUTANT FIXTURE --partial,
    score MUTANT --batch FIXTURES.jsonl --partial

and, when the build succeeds, the standalone generated scorer.py on the
fixture.  Allowed: exit 0, 1 or 2 with no traceback.  Anything else (an
exception other than a usage exit, a traceback in the output, another exit
code) is a crash; a mutant taking more than --slow seconds for all its
commands is a hang.  Prints the counts, every crash and the slowest mutant;
exit 1 on any crash or hang.  Mutant I of seed S is the same on every run.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import runpy
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from rubricdsl.cli import main as cli  # noqa: E402

SHIPPED = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FIXTURE = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"
ALLOWED = {0, 1, 2}


def _mutants_module():
    spec = importlib.util.spec_from_file_location("fuzz_frontend", ROOT / "benchmarks" / "fuzz_frontend.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_frontend", module)
    spec.loader.exec_module(module)
    return module


@dataclass
class Report:
    cases: int = 0
    exits: dict = field(default_factory=dict)  # command -> {exit code: count}
    crashes: list = field(default_factory=list)  # (mutant index, command, what)
    slowest: tuple = (0.0, None)  # (seconds, mutant index)


def _commands(rubric: Path, out: Path, batch: Path) -> list[tuple[str, list[str]]]:
    r = str(rubric)
    return [
        ("check", ["check", r]),
        ("check json", ["check", r, "--format", "json"]),
        ("fmt --check", ["fmt", "--check", r]),
        ("inspect", ["inspect", r]),
        ("build", ["build", r, "-o", str(out)]),
        ("build --check", ["build", r, "-o", str(out), "--check"]),
        ("template", ["template", r]),
        ("diff", ["diff", str(SHIPPED), r]),
        ("diff --findings", ["diff", str(SHIPPED), r, "--findings", str(FIXTURE)]),
        ("score", ["score", r, str(FIXTURE), "--partial"]),
        ("score --batch", ["score", r, "--batch", str(batch), "--partial", "--jobs", "1", "-o", str(out / "batch.csv")]),
    ]


def _run(args: list[str]):
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return None, f"{type(result.exception).__name__}: {result.exception}"
    if result.exit_code not in ALLOWED:
        return result.exit_code, f"exit {result.exit_code}"
    if "Traceback (most recent call last)" in result.output + result.stderr:
        return result.exit_code, "a traceback in the output"
    return result.exit_code, None


def _standalone(scorer: Path) -> str | None:
    """Run a generated scorer.py on the fixture as `python scorer.py` would."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = [str(scorer), str(FIXTURE), "--partial"]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            runpy.run_path(str(scorer), run_name="__main__")
    except SystemExit as exit:
        if exit.code not in (0, 2, None):
            return f"scorer.py exit {exit.code}"
    except BaseException as error:  # noqa: BLE001 - any escape is the finding
        return f"scorer.py {type(error).__name__}: {error}"
    finally:
        sys.argv = argv
    return None


def run_mutant(index: int, text: str | bytes, report: Report, folder: Path) -> None:
    case = folder / f"m{index}"
    case.mkdir()
    rubric = case / "mutant.rubric"
    rubric.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    batch = case / "batch.jsonl"
    batch.write_text(json.dumps(json.loads(FIXTURE.read_text(encoding="utf-8")), ensure_ascii=False) + "\n", encoding="utf-8")
    out = case / "out"
    started = time.perf_counter()
    for name, args in _commands(rubric, out, batch):
        code, problem = _run(args)
        report.exits.setdefault(name, {}).setdefault(code, 0)
        report.exits[name][code] += 1
        if problem:
            report.crashes.append((index, name, problem))
    for scorer in out.glob("*/scorer.py"):
        problem = _standalone(scorer)
        report.exits.setdefault("scorer.py", {}).setdefault(problem is None, 0)
        report.exits["scorer.py"][problem is None] += 1
        if problem:
            report.crashes.append((index, "scorer.py", problem))
    elapsed = time.perf_counter() - started
    if elapsed > report.slowest[0]:
        report.slowest = (elapsed, index)
    report.cases += 1


def fuzz(mutants: int, seed: int, *, first: int = 0, every: int = 0) -> Report:
    """Run mutants first.. of seed; with `every`, print a line of progress
    (cases, crashes, slowest) every that many mutants."""
    make = _mutants_module().make_mutant
    source = SHIPPED.read_text(encoding="utf-8")
    report = Report()
    with tempfile.TemporaryDirectory() as folder:
        for index in range(first, first + mutants):
            run_mutant(index, make(seed, index, source).data, report, Path(folder))
            if every and report.cases % every == 0:
                print(f"  … {report.cases} mutants, {len(report.crashes)} crashes, slowest {report.slowest[0]:.2f} s", flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replay", type=int, help="run mutant I alone and print it")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds a mutant may take for all its commands")
    options = parser.parse_args()
    started = time.perf_counter()
    if options.replay is not None:
        mutant = _mutants_module().make_mutant(options.seed, options.replay, SHIPPED.read_text(encoding="utf-8"))
        print("recipe:", mutant.recipe)
        report = fuzz(1, options.seed, first=options.replay)
    else:
        report = fuzz(options.mutants, options.seed, every=500)
    print(f"{report.cases} mutants, {len(report.crashes)} crashes, in {time.perf_counter() - started:.0f} s")
    for name, codes in report.exits.items():
        print(f"  {name:16} " + ", ".join(f"{code}: {count}" for code, count in sorted(codes.items(), key=str)))
    for index, name, what in report.crashes[:20]:
        print(f"  crash: mutant {index} ({name}): {what}")
    seconds, index = report.slowest
    hangs = seconds > options.slow
    print(f"slowest: mutant {index}, {seconds:.2f} s for all its commands ({'a hang' if hangs else 'under'} {options.slow} s)")
    return 1 if report.crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
