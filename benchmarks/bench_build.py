"""Speed of `rubricdsl build`: whole process against its imports, and where the time goes.

    python benchmarks/bench_build.py [--runs N] [--importtime] [--times N] [--phases-only]

1. `rubricdsl build` of the standard's rubric into a fresh folder (every
   file rendered and written), whole process, side by side with
   `python -c "import lark, jinja2, click"` (target: within 1.6x; pyxform
   takes about 0.36 s for a comparable form); and the same with empty cache
   and temporary folders, as the first build after an install or a reboot
   (every template compiled).
2. The same build in one process, phase by phase, CPU time (user and
   system) of each: imports, the front end, compiling each template, the
   model's export and the lowering to the scoring plan (which the files
   share), rendering each file, writing.  With --times N, of a rubric N
   times the standard (benchmarks/synthetic.py; --phases-only skips part 1):
   at 300x this says which file's backend a build's time goes to (--skip
   FILE leaves a file out).
3. With --importtime, the slowest imports of the build (python -X importtime).

rubricdsl is timed as a user runs it: pip-installed (not editable) into a
venv made for the benchmark, run from a folder outside the checkout (see
installed.py).  Runs alternate between the commands compared; a ratio is the
median of the pairs' ratios, with its spread.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import ENVIRONMENT, ROOT, in_pairs, installed_rubricdsl, timed  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
TARGET_RATIO = 1.6
PYXFORM_SECONDS = 0.36


def whole_process(installed, runs: int) -> None:
    floor = [installed.python, "-c", "import lark, jinja2, click"]
    outputs = (installed.folder / f"out-{n}" for n in itertools.count())

    def build(environment=None):
        return installed.rubricdsl("build", str(RUBRIC), "-o", str(next(outputs))), environment

    timed(build()[0], installed.run_in)  # compiles the templates into the user's cache
    warm = in_pairs(runs, build, floor, installed.run_in)
    cold = in_pairs(runs, lambda: build(installed.fresh_caches()), floor, installed.run_in)
    print(f"rubricdsl build {RUBRIC.relative_to(ROOT)}, installed, whole process, fresh output folder ({runs} pairs each):")
    print(warm.line("build", "imports", TARGET_RATIO))
    print(cold.line("build cold", "imports", None))
    print("  (imports: python -c 'import lark, jinja2, click'; cold: empty cache and temporary folders)")
    print(f"  pyxform takes ~{PYXFORM_SECONDS} s for a comparable form")


PHASES = r"""
import gc, json, sys, tempfile, time
from pathlib import Path
clock = time.process_time
gc.set_threshold(100_000, 50, 100)  # as the command line sets it (cli.run)
start = clock()
from rubricdsl.backends import BuildContext, outputs
from rubricdsl.backends.templating import ENVIRONMENT
from rubricdsl import build
from rubricdsl.frontend import compile_file
phases = [("imports", clock() - start)]
mark = clock()
compilation = compile_file(sys.argv[1])
phases.append(("parse and check the rubric", clock() - mark))
for name in ENVIRONMENT.list_templates(filter_func=lambda n: not n.endswith((".js", ".css"))):
    mark = clock()
    ENVIRONMENT.get_template(name)
    phases.append(("compile template " + name, clock() - mark))
context = BuildContext.of(compilation, "rubrics/t-cssg-001.5-2020.rubric")
mark = clock()
context.exported
phases.append(("export the model (model.json, the pages, the plan's hash)", clock() - mark))
mark = clock()
context.plan
phases.append(("lower to the scoring plan", clock() - mark))
files = {}
for output in outputs():
    if output.filename in sys.argv[2:]:
        continue
    mark = clock()
    files[output.filename] = output.data(context)
    phases.append(("render " + output.filename, clock() - mark))
mark = clock()
with tempfile.TemporaryDirectory() as folder:
    rubric_folder = Path(folder) / compilation.rubric.id
    rendered = {rubric_folder / name: (lambda data=data: (data,)) for name, data in files.items()}
    build.write(build.BuildPlan(Path(folder), rendered, {rubric_folder}), whole_folder=False)
phases.append(("write " + str(len(files)) + " files", clock() - mark))
phases.append(("total", clock() - start))
print(json.dumps(phases))
"""


def phases(installed, runs: int, rubric: Path, skipped: list[str]) -> list[tuple[str, float]]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run(
            [installed.python, "-c", PHASES, str(rubric), *skipped],
            capture_output=True, text=True, check=True, cwd=installed.run_in, env=ENVIRONMENT,
        )
        for name, seconds in __import__("json").loads(out.stdout):
            samples.setdefault(name, []).append(seconds)
    return [(name, statistics.median(values)) for name, values in samples.items()]


def slowest_imports(installed, count: int = 12) -> list[tuple[int, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        command = [installed.python, "-X", "importtime", *installed.rubricdsl("build", str(RUBRIC), "-o", scratch)[1:]]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=installed.run_in, env=ENVIRONMENT)
    rows = []
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports")
    parser.add_argument("--times", type=int, default=1, help="phases of a rubric N times the standard")
    parser.add_argument("--phases-only", action="store_true", help="skip the whole-process comparison")
    parser.add_argument("--skip", action="append", default=[], metavar="FILE", help="phases: leave out this file (workbook.xlsx)")
    options = parser.parse_args()

    with installed_rubricdsl() as installed:
        if not options.phases_only:
            whole_process(installed, options.runs)

        rubric, label = RUBRIC, RUBRIC.relative_to(ROOT)
        if options.times != 1:
            from synthetic import synthetic_rubric

            rubric, label = installed.folder / f"x{options.times}.rubric", f"{options.times}x the standard"
            rubric.write_text(synthetic_rubric(options.times), encoding="utf-8")
        runs = 5 if options.times < 100 else 3
        left_out = f", without {', '.join(options.skip)}" if options.skip else ""
        print(f"\n{label}, in one process, CPU seconds, median of {runs}{left_out}:")
        for name, seconds in phases(installed, runs, rubric, options.skip):
            print(f"  {seconds:8.4f}  {name}")

        if options.importtime:
            print("\nSlowest imports of the build (cumulative, python -X importtime):")
            for microseconds, name in slowest_imports(installed):
                print(f"  {microseconds / 1000:8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
