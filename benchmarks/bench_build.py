"""Speed of `rubricdsl build`: whole process against its imports, and where the time goes.

    python benchmarks/bench_build.py [--runs N] [--importtime]

1. `rubricdsl build` of the standard's rubric into a fresh folder (every
   file rendered and written), whole process, side by side with
   `python -c "import lark, jinja2, click"` (target: within 1.6x; pyxform
   takes about 0.36 s for a comparable form); and the same with empty cache
   and temporary folders, as the first build after an install or a reboot
   (every template compiled).
2. The same build in one process, phase by phase: imports, the front end,
   compiling each template, rendering each file, writing.
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
import json, sys, tempfile, time
from pathlib import Path
start = time.perf_counter()
from rubricdsl.backends import BuildContext, outputs
from rubricdsl.backends.templating import ENVIRONMENT
from rubricdsl import build
from rubricdsl.frontend import compile_file
phases = [("imports", time.perf_counter() - start)]
mark = time.perf_counter()
compilation = compile_file(sys.argv[1])
phases.append(("parse and check the rubric", time.perf_counter() - mark))
for name in ENVIRONMENT.list_templates(filter_func=lambda n: not n.endswith((".js", ".css"))):
    mark = time.perf_counter()
    ENVIRONMENT.get_template(name)
    phases.append(("compile template " + name, time.perf_counter() - mark))
context = BuildContext.of(compilation, "rubrics/t-cssg-001.5-2020.rubric")
files = {}
for output in outputs():
    mark = time.perf_counter()
    files[output.filename] = output.data(context)
    phases.append(("render " + output.filename, time.perf_counter() - mark))
mark = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    rubric_folder = Path(folder) / compilation.rubric.id
    rendered = {rubric_folder / name: (lambda data=data: data) for name, data in files.items()}
    build.write(build.BuildPlan(Path(folder), rendered, {rubric_folder}), whole_folder=False)
phases.append(("write " + str(len(files)) + " files", time.perf_counter() - mark))
print(json.dumps(phases))
"""


def phases(installed, runs: int) -> list[tuple[str, float]]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run(
            [installed.python, "-c", PHASES, str(RUBRIC)],
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
    options = parser.parse_args()

    with installed_rubricdsl() as installed:
        whole_process(installed, options.runs)

        print("\nIn one process, median of 5 (seconds):")
        for name, seconds in phases(installed, 5):
            print(f"  {seconds:8.4f}  {name}")

        if options.importtime:
            print("\nSlowest imports of the build (cumulative, python -X importtime):")
            for microseconds, name in slowest_imports(installed):
                print(f"  {microseconds / 1000:8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
