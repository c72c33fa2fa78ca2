"""Speed of `rubricdsl check`: whole process against its imports, and growth with size.

    python benchmarks/bench_check.py [--runs N]

1. `rubricdsl check` on the standard's rubric, whole process, side by side
   with `python -c "import lark, click"` (target: within 1.25x), and the
   same with empty cache and temporary folders, as the first run after an
   install or a reboot (target: within 1.4x).
2. Synthetic rubrics 1x, 10x and 100x the standard's size (target: 100x
   under 3 s and under 200 MB peak memory, time linear in size).

rubricdsl is timed as a user runs it: pip-installed (not editable) into a
venv made for the benchmark, run from a folder outside the checkout (see
installed.py).  Runs alternate between the commands compared; a ratio is the
median of the pairs' ratios, with its spread.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import ENVIRONMENT, in_pairs, installed_rubricdsl  # noqa: E402
from synthetic import STANDARD, synthetic_rubric  # noqa: E402

TARGET_RATIO = 1.25
TARGET_COLD_RATIO = 1.4


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak RSS (MiB) of one run of a command in a fresh process."""
    measure = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True, env=ENVIRONMENT, cwd=cwd
    )
    elapsed, rss_kib, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return float(elapsed), int(rss_kib) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()

    with installed_rubricdsl() as installed:
        _start_up(installed, args.runs)
        _synthetic(installed)


def _start_up(installed, runs: int) -> None:
    check = installed.rubricdsl("check", str(STANDARD))
    floor = [installed.python, "-c", "import lark, click"]
    timed(check, installed.run_in)  # a run after pip install, before those timed
    warm = in_pairs(runs, lambda: (check, None), floor, installed.run_in)
    cold = in_pairs(runs, lambda: (check, installed.fresh_caches()), floor, installed.run_in)
    print(f"rubricdsl check, the standard, installed, whole process ({runs} pairs each, medians):")
    print(warm.line("check", "imports", TARGET_RATIO))
    print(cold.line("check cold", "imports", TARGET_COLD_RATIO))
    print("  (imports: python -c 'import lark, click'; cold: empty cache and temporary folders)")


def _synthetic(installed) -> None:
    check = installed.rubricdsl("check")

    print("\nsynthetic rubrics, whole process (3 runs each, medians):")
    print(f"  {'size':>5} {'lines':>7} {'time':>9} {'peak RSS':>9} {'per 1k lines':>13}")
    with tempfile.TemporaryDirectory() as folder:
        base = None
        for times_size in (1, 10, 100):
            path = Path(folder) / f"x{times_size}.rubric"
            path.write_text(synthetic_rubric(times_size), encoding="utf-8")
            lines = path.read_text(encoding="utf-8").count("\n")
            runs = [timed([*check, str(path)], installed.run_in) for _ in range(3)]
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
