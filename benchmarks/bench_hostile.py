"""`rubricdsl check` on hostile rubrics: time and peak memory, whole process.

    python benchmarks/bench_hostile.py [--runs N] [--megabytes M]

1. 2,000 tiers on one bound (1,999 overlaps, 10 listed): target under 2 s.
2. 800 syntax errors (25 listed), as misspelt numbers and as stray numbers
   where a statement goes: target under 2 s.
3. A text of M MB (default 20) in one requirement, plain, with an escape
   every 80 characters, and as an indented long text of CJK lines: target a
   peak memory a few times its size (it was 4.6 GB for 20 MB).

Each figure is the median of N whole-process runs (default 5); memory is
the peak RSS of the process, and beside it the same for a one-line rubric,
so that what the text costs can be told from what the interpreter and its
imports cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHECK = [sys.executable, "-m", "rubricdsl.cli", "check"]
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
HEADER = 'rubric demo\n  title "Demo"\n  version "1"\n  full marks 10\n  pass at 6\n'


def equal_tiers(count: int) -> str:
    tiers = "".join(f'    tier t{n} 1 "T" when m >= 50\n' for n in range(count))
    return HEADER + f'section s "S" points 10\n  item i "I" points 10\n    measure m "M" percent\n{tiers}'


def syntax_errors(count: int) -> str:
    requirements = "".join(f'    req r{n} "R"\n      deduct five "x"\n' for n in range(count))
    return HEADER + f'section s "S" points 10\n  item i "I" points 10\n{requirements}'


def stray_numbers(count: int) -> str:
    """A number where a statement goes, after each requirement of one item."""
    requirements = "".join(f'    req r{n} "R"\n      deduct 5 "x"\n    42\n' for n in range(count))
    return HEADER + f'section s "S" points 10\n  item i "I" points 10\n{requirements}'


def one_text(text: str) -> str:
    return HEADER + f'section s "S" points 10\n  item i "I" points 10\n    req r {text}\n      deduct 10 "x"\n'


def texts(megabytes: int) -> dict[str, str]:
    size = megabytes * 1_000_000
    line = "      评价要求的说明文字，按表逐项填写 abc def\n"
    return {
        "plain": '"' + "a" * size + '"',
        "escaped": '"' + ("x" * 78 + "\\n") * (size // 80) + '"',
        "long": '"""\n' + line * (size // len(line.encode("utf-8"))) + '      """',
    }


def timed(command: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run of a command in a fresh process."""
    measure = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True, env=ENVIRONMENT
    )
    elapsed, rss_kib = out.stdout.split()
    return float(elapsed), int(rss_kib)


def medians(path: Path, runs: int) -> tuple[float, float]:
    results = [timed([*CHECK, str(path)]) for _ in range(runs)]
    return statistics.median(t for t, _ in results), statistics.median(m for _, m in results) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            "one line": HEADER,
            "2,000 equal tiers": equal_tiers(2000),
            "800 syntax errors": syntax_errors(800),
            "800 stray numbers": stray_numbers(800),
            **{f"{args.megabytes} MB text, {shape}": one_text(text) for shape, text in texts(args.megabytes).items()},
        }
        paths = {}
        for number, (name, source) in enumerate(cases.items()):
            paths[name] = Path(folder) / f"case{number}.rubric"
            paths[name].write_text(source, encoding="utf-8")
        subprocess.run([*CHECK, str(paths["one line"])], capture_output=True, env=ENVIRONMENT)  # warm the caches
        print(f"rubricdsl check, whole process, medians of {args.runs} runs:")
        baseline = None
        for name, path in paths.items():
            seconds, peak = medians(path, args.runs)
            size = path.stat().st_size / 2**20
            line = f"  {name:24} {seconds:6.2f} s  {peak:7.1f} MiB peak"
            if baseline is None:
                baseline = peak
            elif size > 1:
                line += f"  ({(peak - baseline) / size:.1f}x the file's {size:.1f} MiB above the one-line rubric)"
            print(line)
        print("targets: tiers and syntax errors under 2 s; a text a few times its size")


if __name__ == "__main__":
    main()
