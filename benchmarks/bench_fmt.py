"""Speed of `rubricdsl fmt` on big rubrics, against parsing alone.

    python benchmarks/bench_fmt.py [--runs N] [--times T]

The rubric T times the standard's size (default 100) repeats the standard's
sections with renamed keys and scaled full marks, so it checks clean
(benchmarks/synthetic.py).  It is measured twice: as written (already in the
canonical layout, so fmt only confirms it) and flattened (every line
unindented, blank lines dropped, so fmt rewrites all of it and then checks
that the tokens did not change).  Figures are medians of N runs, in process,
and one whole `rubricdsl fmt` process on the flattened file.
Target: the flattened 100x rubric formats in under 5 s.
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from synthetic import synthetic_rubric  # noqa: E402

from rubricdsl.formatter import format_source  # noqa: E402
from rubricdsl.parser import lex, parse  # noqa: E402

TARGET_SECONDS = 5.0


def flattened(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def median_time(function, argument, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--times", type=int, default=100)
    args = parser.parse_args()

    canonical = synthetic_rubric(args.times)
    messy = flattened(canonical)
    result = format_source(messy)
    assert result.changed and parse(result.text).rubric == parse(canonical).rubric
    assert not format_source(canonical).changed
    parse(canonical)  # warm the grammar cache

    lines = canonical.count("\n")
    print(f"rubric {args.times}x the standard: {lines} lines, {len(canonical.encode('utf-8')) / 1e6:.1f} MB "
          f"(medians of {args.runs} runs)")
    figures = {
        "parse (parser.parse)": median_time(parse, canonical, args.runs),
        "tokens (parser.lex)": median_time(lex, canonical, args.runs),
        "fmt, already canonical": median_time(format_source, canonical, args.runs),
        "fmt, flattened input": median_time(format_source, messy, args.runs),
    }
    base = figures["parse (parser.parse)"]
    for name, seconds in figures.items():
        print(f"  {name:<26} {seconds:7.2f} s   {seconds / base:5.2f}x parse")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.rubric"
        path.write_text(messy, encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rubricdsl.cli", "fmt", str(path)], check=True, capture_output=True)
        whole = time.perf_counter() - start
        assert path.read_text(encoding="utf-8") == result.text
    print(f"  {'rubricdsl fmt (process)':<26} {whole:7.2f} s   {whole / base:5.2f}x parse")
    worst = max(figures["fmt, flattened input"], whole)
    print(f"target: under {TARGET_SECONDS:.0f} s: {'met' if worst < TARGET_SECONDS else 'MISSED'} ({worst:.2f} s)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
