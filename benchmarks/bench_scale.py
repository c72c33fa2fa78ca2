"""Scaling of `rubricdsl check`, `build` and `fmt` from 1x to 300x the standard.

    python benchmarks/bench_scale.py [--runs 3] [--times 1,10,100,300]

Each rubric N times the standard's size (benchmarks/synthetic.py) is checked,
built into a fresh folder and formatted from a flattened copy (every line
unindented, blank lines dropped, so fmt rewrites all of it), each as one
whole process of an installed rubricdsl (benchmarks/installed.py) run from a
temporary folder.  The runs of one command alternate between the sizes, so
that a noisy shared machine disturbs every size alike.  Printed: the median
wall time, its spread, the time per 1,000 lines, the peak memory (RSS), and
the time per line at the largest size against the one before it.
Targets: per line within 10% from 100x to 300x; the 300x build under 10 s
and 400 MB.
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
from installed import installed_rubricdsl, peak_mib, rubricdsl_command  # noqa: E402
from synthetic import synthetic_rubric  # noqa: E402

LINEAR_WITHIN = 1.10
BUILD_SECONDS, BUILD_MIB = 10.0, 400


def flattened(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def run(command: list[str], folder: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    error = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{error}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak_mib(error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--times", default="1,10,100,300", help="sizes, comma-separated")
    parser.add_argument("--commands", default="check,build,fmt")
    options = parser.parse_args()
    sizes = [int(size) for size in options.times.split(",")]
    commands = options.commands.split(",")

    with installed_rubricdsl() as installed, tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        python = Path(installed.python)
        folder = Path(scratch)
        lines = {}
        for size in sizes:
            text = synthetic_rubric(size)
            (folder / f"x{size}.rubric").write_text(text, encoding="utf-8")
            (folder / f"x{size}.flat").write_text(flattened(text), encoding="utf-8")
            lines[size] = text.count("\n")

        def command(name: str, size: int, run_number: int) -> list[str]:
            if name == "check":
                return rubricdsl_command(python, "check", f"x{size}.rubric")
            if name == "build":
                return rubricdsl_command(python, "build", f"x{size}.rubric", "-o", f"out-{size}-{run_number}")
            target = folder / f"fmt-{size}-{run_number}.rubric"
            target.write_bytes((folder / f"x{size}.flat").read_bytes())
            return rubricdsl_command(python, "fmt", target.name)

        print(f"{', '.join(f'{size}x: {lines[size]:,} lines' for size in sizes)}; {options.runs} runs each, "
              f"whole processes of an installed rubricdsl (load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")
        failed = []
        for name in commands:
            run(command(name, sizes[0], -1), folder)  # a warm-up: caches, the page cache
            walls: dict[int, list[float]] = {size: [] for size in sizes}
            cpus: dict[int, list[float]] = {size: [] for size in sizes}
            peaks: dict[int, list[float]] = {size: [] for size in sizes}
            for run_number in range(options.runs):
                for size in sizes:
                    wall, cpu, peak = run(command(name, size, run_number), folder)
                    walls[size].append(wall)
                    cpus[size].append(cpu)
                    peaks[size].append(peak)
            print(f"\nrubricdsl {name}:")
            per_line, cpu_per_line = {}, {}
            for size in sizes:
                median, cpu = statistics.median(walls[size]), statistics.median(cpus[size])
                per_line[size], cpu_per_line[size] = median / lines[size], cpu / lines[size]
                print(f"  {size:4d}x  median {median:7.3f} s  (runs {', '.join(f'{w:.3f}' for w in walls[size])})  "
                      f"{per_line[size] * 1e6:7.1f} ms per 1,000 lines; CPU {cpu:7.3f} s, "
                      f"{cpu_per_line[size] * 1e6:7.1f} ms per 1,000 lines; peak {max(peaks[size]):6.0f} MiB")
            if len(sizes) >= 2:
                # CPU time as well: on a machine that other jobs share, the
                # wall clock of a long run says more about them.
                small, large = sizes[-2], sizes[-1]
                ratio = per_line[large] / per_line[small]
                cpu_ratio = cpu_per_line[large] / cpu_per_line[small]
                verdict = "met" if ratio <= LINEAR_WITHIN else "MISSED"
                print(f"  per line at {large}x / {small}x: {ratio:.3f} wall, {cpu_ratio:.3f} CPU "
                      f"(target <= {LINEAR_WITHIN:.2f}: {verdict})")
                if ratio > LINEAR_WITHIN:
                    failed.append(f"{name} per line")
            if name == "build":
                largest = sizes[-1]
                seconds, mib = statistics.median(walls[largest]), max(peaks[largest])
                verdict = "met" if seconds < BUILD_SECONDS and mib < BUILD_MIB else "MISSED"
                print(f"  build at {largest}x: {seconds:.2f} s, {mib:.0f} MiB "
                      f"(target under {BUILD_SECONDS:.0f} s and {BUILD_MIB} MB: {verdict})")
                if verdict != "met":
                    failed.append("build at the largest size")
        if failed:
            print(f"\nmissed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
