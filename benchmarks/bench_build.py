"""Speed of `rubricdsl build`: whole process against its imports, and where the time goes.

    python benchmarks/bench_build.py [--runs N] [--importtime]

1. `rubricdsl build` of the standard's rubric into a fresh folder (every
   file rendered and written), whole process, side by side with
   `python -c "import lark, jinja2, click"` (target: within 2x; pyxform takes
   about 0.36 s for a comparable form).
2. The same build in one process, phase by phase: imports, the front end,
   compiling each template, rendering each file, writing.
3. With --importtime, the slowest imports of the build (python -X importtime).

Runs alternate between the commands compared and the figures are medians, so
that a noisy shared machine disturbs both sides alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
TARGET_RATIO = 2.0
PYXFORM_SECONDS = 0.36

# Measure what a user runs: an installed package with its bytecode cached
# (PYTHONDONTWRITEBYTECODE would recompile every module of an editable
# install on every start).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=ENVIRONMENT)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return elapsed


def build_command(out_dir: Path) -> list[str]:
    return [sys.executable, "-m", "rubricdsl.cli", "build", str(RUBRIC), "-o", str(out_dir)]


def whole_process(runs: int) -> dict[str, list[float]]:
    imports = [sys.executable, "-c", "import lark, jinja2, click"]
    times: dict[str, list[float]] = {"build": [], "imports": []}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        timed(build_command(Path(scratch) / "warm-up"))
        for run in range(runs):
            times["build"].append(timed(build_command(Path(scratch) / f"run-{run}")))
            times["imports"].append(timed(imports))
    return times


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
    files[output.filename] = output.render(context)
    phases.append(("render " + output.filename, time.perf_counter() - mark))
mark = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    plan = build.BuildPlan(Path(folder), {Path(folder) / name: text.encode("utf-8") for name, text in files.items()})
    build.write(plan, whole_folder=False)
phases.append(("write " + str(len(files)) + " files", time.perf_counter() - mark))
print(json.dumps(phases))
"""


def phases(runs: int) -> list[tuple[str, float]]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PHASES, str(RUBRIC)], capture_output=True, text=True, check=True, cwd=ROOT, env=ENVIRONMENT
        )
        for name, seconds in __import__("json").loads(out.stdout):
            samples.setdefault(name, []).append(seconds)
    return [(name, statistics.median(values)) for name, values in samples.items()]


def slowest_imports(count: int = 12) -> list[tuple[int, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        command = [sys.executable, "-X", "importtime", *build_command(Path(scratch))[1:]]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, env=ENVIRONMENT)
    rows = []
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports")
    options = parser.parse_args()

    times = whole_process(options.runs)
    build_median = statistics.median(times["build"])
    imports_median = statistics.median(times["imports"])
    ratio = build_median / imports_median
    print(f"rubricdsl build {RUBRIC.relative_to(ROOT)} (whole process, fresh output folder), {options.runs} runs:")
    print(f"  build                               median {build_median:.3f} s  (min {min(times['build']):.3f})")
    print(f"  python -c 'import lark, jinja2, click' median {imports_median:.3f} s  (min {min(times['imports']):.3f})")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"  ratio {ratio:.2f}x ({verdict} the {TARGET_RATIO:g}x target); pyxform ~{PYXFORM_SECONDS} s for a comparable form")

    print("\nIn one process, median of 5 (seconds):")
    for name, seconds in phases(5):
        print(f"  {seconds:8.4f}  {name}")

    if options.importtime:
        print("\nSlowest imports of the build (cumulative, python -X importtime):")
        for microseconds, name in slowest_imports():
            print(f"  {microseconds / 1000:8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
