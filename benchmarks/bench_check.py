"""Speed of `rubricdsl check`: whole process against its imports, and growth with size.

    python benchmarks/bench_check.py [--runs N]

1. `rubricdsl check` on the standard's rubric, whole process, side by side
   with `python -c "import lark, click"` (target: within 1.5x).
2. Synthetic rubrics 1x, 10x and 100x the standard's size (target: 100x
   under 3 s and under 200 MB peak memory, time linear in size).

Runs alternate between the commands compared, and the figures are medians, so
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import STANDARD, synthetic_rubric  # noqa: E402

CHECK = [sys.executable, "-m", "rubricdsl.cli", "check"]

# Measure what a user runs: an installed package with its bytecode cached.
# (Some shells set PYTHONDONTWRITEBYTECODE, which would recompile every module
# of an editable install on every start; pip-installed packages have .pyc.)
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (MiB) of one run of a command in a fresh process."""
    measure = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True, env=ENVIRONMENT
    )
    elapsed, rss_kib, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return float(elapsed), int(rss_kib) // 1024


def side_by_side(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command)[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    subprocess.run([*CHECK, str(STANDARD)], check=True, env=ENVIRONMENT)  # warm the grammar and bytecode caches
    times = side_by_side(
        {
            "check": [*CHECK, str(STANDARD)],
            "imports": [sys.executable, "-c", "import lark, click"],
        },
        args.runs,
    )
    check, imports = statistics.median(times["check"]), statistics.median(times["imports"])
    print(f"rubricdsl check, the standard ({args.runs} runs each, medians):")
    print(f"  check   {check * 1000:7.1f} ms")
    print(f"  imports {imports * 1000:7.1f} ms   (python -c 'import lark, click')")
    print(f"  ratio   {check / imports:7.2f}x   (target <= 1.5x)")

    print("\nsynthetic rubrics, whole process (3 runs each, medians):")
    print(f"  {'size':>5} {'lines':>7} {'time':>9} {'peak RSS':>9} {'per 1k lines':>13}")
    with tempfile.TemporaryDirectory() as folder:
        base = None
        for times_size in (1, 10, 100):
            path = Path(folder) / f"x{times_size}.rubric"
            path.write_text(synthetic_rubric(times_size), encoding="utf-8")
            lines = path.read_text(encoding="utf-8").count("\n")
            runs = [timed([*CHECK, str(path)]) for _ in range(3)]
            elapsed = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            # Subtract start-up (the 1x run is almost all start-up) to show growth.
            base = base if base is not None else elapsed
            print(
                f"  {times_size:>4}x {lines:>7} {elapsed:8.2f}s {peak:>6} MiB "
                f"{(elapsed - base) / max(lines, 1) * 1000 * 1000:10.2f} ms"
                if times_size > 1
                else f"  {times_size:>4}x {lines:>7} {elapsed:8.2f}s {peak:>6} MiB {'(start-up)':>13}"
            )
    print("  targets: 100x under 3 s and 200 MiB; per-1k-lines time flat from 10x to 100x (linear)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")
