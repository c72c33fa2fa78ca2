"""`rubricdsl build` of this checkout against another one, side by side.

    python benchmarks/bench_build_against.py OTHER_CHECKOUT [--runs N]

OTHER_CHECKOUT is a folder holding another revision of rubricdsl (for
example `git archive REV | tar -x -C /tmp/before`).  Both are installed as
a user has them (installed.py: not editable, into venvs outside the
checkouts, run from another folder), and each round runs the floor
(`python -c "import lark, jinja2, click"`), the other build and this build,
in turn, each building the standard's rubric into a fresh folder; the order
alternates from round to round.  On a shared, noisy machine this compares
two revisions more fairly than two runs of bench_build.py taken minutes
apart: both sides see the same load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import ENVIRONMENT, ROOT, Ratio, installed_rubricdsl, timed  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another rubricdsl checkout (a folder with its pyproject.toml)")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with installed_rubricdsl() as installed:
        other_python = installed.folder / "other" / "bin" / "python"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(installed.folder / "other")], check=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(other_python), "install", "-q", str(args.other.resolve())],
            check=True, cwd=installed.folder, env=ENVIRONMENT,
        )
        outputs = (installed.folder / f"out-{n}" for n in itertools.count())
        commands = {
            "floor": lambda: [installed.python, "-c", "import lark, jinja2, click"],
            "other": lambda: [str(other_python), "-m", "rubricdsl.cli", "build", str(RUBRIC), "-o", str(next(outputs))],
            "this": lambda: installed.rubricdsl("build", str(RUBRIC), "-o", str(next(outputs))),
        }
        for name in ("other", "this"):
            timed(commands[name](), installed.run_in)  # the templates into the user's cache, as after a first run
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        loads = []
        for round_ in range(args.runs):
            for name in commands if round_ % 2 == 0 else reversed(commands):
                times[name].append(timed(commands[name](), installed.run_in))
            loads.append(os.getloadavg()[0])

        def against(name: str, floor: str) -> Ratio:
            return Ratio([t[0] for t in times[name]], [t[0] for t in times[floor]],
                         [t[1] for t in times[name]], [t[1] for t in times[floor]])

        print(f"rubricdsl build {RUBRIC.relative_to(ROOT)}, installed, whole process, {args.runs} rounds "
              f"(load average {min(loads):.1f}-{max(loads):.1f}):")
        print(against("other", "floor").line(f"{args.other.name}", "imports", None))
        print(against("this", "floor").line("this", "imports", 1.6))
        this_against_other = against("this", "other")
        saved = statistics.median(o[1] - t[1] for o, t in zip(times["other"], times["this"]))
        print(f"  this / {args.other.name}: CPU {this_against_other.cpu_median:.2f}x ({Ratio.spread(this_against_other.cpu_ratios)}), "
              f"wall {this_against_other.median:.2f}x; CPU saved per build, median {saved * 1000:.0f} ms")


if __name__ == "__main__":
    main()
