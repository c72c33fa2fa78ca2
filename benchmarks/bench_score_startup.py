"""Start-up of the commands that run the scorer, as whole processes.

    python benchmarks/bench_score_startup.py [--runs N] [--against REV] [--in-process-only]

1. In one process (the checkout), medians: loading the standard's scorer
   with its compiled rubric's part in the cache folder and with the folder
   empty, and the parts of the cold path: rendering scorer.py, compiling
   its rubric's part, compiling the runtime (what every run paid before it
   was loaded from its .pyc), loading the runtime's code from the .pyc, and
   the cache key (the package's digest).  Each warm load starts as a new
   process would: the package's digest and the runtime's code not yet read.
2. Whole processes.  Each round runs, one after the other, the floor `python -c "import lark,
jinja2, click"` and every command below; a command's ratio is the median
over the rounds of its time divided by the same round's floor (wall clock
and CPU time, the child's own user and system time), given with its spread:

- `score RUBRIC findings.json` (the text sheet) and `--format json`, with
  the user's cache folder warm (the scorer compiled by an earlier run);
- the same with empty cache and temporary folders (the first run after an
  install or a reboot: the scorer rendered and compiled, every template
  compiled);
- `score RUBRIC filled.xlsx` (a workbook filled from the same findings);
- `panel RUBRIC` 5 member files `--decisions D -o panel.json` (a decision
  on every item).

rubricdsl is pip-installed, not editable, into a venv made for the run and
run from a folder outside the checkout (installed.py); warm runs keep their
cache in a folder of the benchmark's own, never the user's.  `--against
REV` installs that revision of this repository beside the checkout and runs
its commands in the same rounds, so that the two are compared side by side.
The load average is printed before and after: on a shared machine every
figure moves with it.  Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import ENVIRONMENT, ROOT, Ratio, installed_rubricdsl, timed  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench_panel import decisions_for_all, member_files  # noqa: E402
from rubricdsl.frontend import compile_file  # noqa: E402
from rubricdsl import scorer_cache  # noqa: E402
from rubricdsl.backends.scorer import runtime_code, runtime_path  # noqa: E402
from rubricdsl.scoring import load_scorer, scorer_source  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FIXTURE = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"
FLOOR = "-c", "import lark, jinja2, click"
TARGET_XLSX_MS = 300  # issue #13: `score RUBRIC filled.xlsx` whole process


@contextlib.contextmanager
def revision_source(revision: str):
    """A revision of this repository as a source tree to install."""
    with tempfile.TemporaryDirectory(prefix="rubricdsl-rev-") as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def commands(installed, label: str, members: list[str], filled: Path) -> dict:
    """Each command of one install: name -> a function giving its command
    line and environment for one run."""
    warm = {**ENVIRONMENT, "XDG_CACHE_HOME": str(installed.folder / "warm-cache")}
    score = installed.rubricdsl("score", str(RUBRIC), str(FIXTURE))
    return {
        f"{label} score, text": lambda: (score, warm),
        f"{label} score, json": lambda: ([*score, "--format", "json"], warm),
        f"{label} score, cold": lambda: (score, installed.fresh_caches()),
        f"{label} score xlsx": lambda: (installed.rubricdsl("score", str(RUBRIC), str(filled)), warm),
        f"{label} panel of 5": lambda: (installed.rubricdsl("panel", str(RUBRIC), *members, "--decisions", "decisions.json", "-o", "panel.json"), warm),
    }


def prepare(installed) -> tuple[list[str], Path]:
    """The member files and the filled workbook, in the install's folder."""
    folder = installed.run_in
    scorer = load_scorer(compile_file(RUBRIC), "rubrics/t-cssg-001.5-2020.rubric")
    members = []
    for index, document in enumerate(member_files(scorer, count=5)):
        path = folder / f"member{index}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        members.append(str(path))
    (folder / "decisions.json").write_text(json.dumps(decisions_for_all(scorer), ensure_ascii=False), encoding="utf-8")
    filled = folder / "filled.xlsx"
    subprocess.run(
        installed.rubricdsl("score", str(RUBRIC), str(FIXTURE), "--format", "xlsx", "-o", str(filled)),
        cwd=folder, env=ENVIRONMENT, check=True, capture_output=True,
    )
    return members, filled


def rounds(runs: int, every: dict, floor: list[str], cwd: Path) -> dict[str, Ratio]:
    measured = {name: ([], [], [], []) for name in every}
    for name, command in every.items():  # once untimed: the warm cache made, the .pyc current
        line, environment = command()
        timed(line, cwd, environment)
    for _ in range(runs):
        floor_wall, floor_cpu = timed(floor, cwd)
        for name, command in every.items():
            line, environment = command()
            wall, cpu = timed(line, cwd, environment)
            times, floors, cpu_times, cpu_floors = measured[name]
            times.append(wall)
            floors.append(floor_wall)
            cpu_times.append(cpu)
            cpu_floors.append(floor_cpu)
    return {name: Ratio(*lists) for name, lists in measured.items()}


def in_process(runs: int) -> None:
    source_path = "rubrics/t-cssg-001.5-2020.rubric"
    compilation = compile_file(RUBRIC)
    runtime_source = runtime_path().read_text(encoding="utf-8")
    rendered = scorer_source(compilation, source_path)
    part = scorer_cache.rubric_part(rendered, "scorer")
    loader = importlib.util.find_spec("rubricdsl.scorer_runtime").loader

    def cold() -> None:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["XDG_CACHE_HOME"] = folder
            load_scorer(compilation, source_path)

    warm_folder = tempfile.mkdtemp(prefix="bench-warm-")

    def warm() -> None:
        os.environ["XDG_CACHE_HOME"] = warm_folder
        scorer_cache.package_digest.cache_clear()  # as in a new process
        runtime_code.cache_clear()
        load_scorer(compilation, source_path)

    steps = {
        "load_scorer, cache warm": warm,
        "load_scorer, cache empty": cold,
        "render scorer.py": lambda: scorer_source(compilation, source_path),
        "compile the rubric's part": lambda: compile(part, "scorer", "exec", dont_inherit=True),
        "compile the runtime": lambda: compile(runtime_source, "runtime", "exec", dont_inherit=True),
        "the runtime from its .pyc": lambda: loader.get_code("rubricdsl.scorer_runtime"),
        "the package's digest": lambda: scorer_cache.package_digest.__wrapped__(),
    }
    saved = os.environ.get("XDG_CACHE_HOME")
    try:
        warm()
        print(f"1. in one process, the standard's scorer, medians of {runs} runs (load average {os.getloadavg()[0]:.1f}):")
        for name, step in steps.items():
            times = timeit.repeat(step, number=1, repeat=runs)
            print(f"  {name:<28} {statistics.median(times) * 1000:7.1f} ms")
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved
    print("  (before, every run rendered scorer.py and compiled both parts; a new process also imports Jinja"
          " and loads the template to render)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", metavar="REV", help="a revision to compare side by side (e.g. main)")
    parser.add_argument("--in-process-only", action="store_true", help="skip the installed whole-process runs")
    options = parser.parse_args()
    in_process(options.runs)
    if options.in_process_only:
        return
    with contextlib.ExitStack() as stack:
        installed = stack.enter_context(installed_rubricdsl())
        members, filled = prepare(installed)
        every = commands(installed, "new" if options.against else "", members, filled)
        if options.against:
            earlier = stack.enter_context(installed_rubricdsl(stack.enter_context(revision_source(options.against))))
            earlier.run_in = installed.run_in  # the same member files and workbook
            every.update(commands(earlier, options.against, members, filled))
        floor = [installed.python, *FLOOR]
        before = os.getloadavg()
        ratios = rounds(options.runs, every, floor, installed.run_in)
        after = os.getloadavg()
    print(f"2. commands that run the scorer, installed, whole processes, {options.runs} rounds"
          f" (load average {before[0]:.1f} before, {after[0]:.1f} after, on {os.cpu_count()} CPUs):")
    for name, ratio in ratios.items():
        print(ratio.line(name.strip(), "imports", None))
        if name.endswith("score xlsx"):
            wall = statistics.median(ratio.times) * 1000
            print(f"  {'':<11} wall {wall:.0f} ms: target under {TARGET_XLSX_MS} ms " + ("met" if wall < TARGET_XLSX_MS else "NOT met"))
    print('  (imports: python -c "import lark, jinja2, click"; warm: the scorer already in the cache folder;'
          " cold: empty cache and temporary folders)")
    if options.against:
        print(f"\nthe checkout against {options.against}, the same rounds (median of the rounds' ratios):")
        for name, ratio in ratios.items():
            if name.startswith("new "):
                earlier = ratios[options.against + name[len("new"):]]
                wall = statistics.median(new / old for new, old in zip(ratio.times, earlier.times))
                cpu = statistics.median(new / old for new, old in zip(ratio.cpu_times, earlier.cpu_times))
                print(f"  {name[len('new '):]:<14} CPU {cpu:.2f}x, wall {wall:.2f}x")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")
