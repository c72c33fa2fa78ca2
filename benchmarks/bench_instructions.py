"""Instructions a whole `rubricdsl` process runs, this checkout against another.

    python benchmarks/bench_instructions.py OTHER_CHECKOUT [--command build|check] [--times N]

A change of a few per cent is below the noise of timing whole processes on
a shared machine (bench_build_against.py can give 0.97x and 1.01x for the
same pair an hour apart).  Valgrind's callgrind counts the instructions a
process runs in user space, which other jobs do not change: the same run
gives the same count within a few hundred thousand (PYTHONHASHSEED is
fixed).  It counts neither waiting for the disk nor the system's work (a
file read, an fsync), so it is a complement to the timings, not their
stand-in.  Each side is installed as a user has it (installed.py), run once
to fill the user's cache folder, then counted once; the floor is `python -c
"import lark, jinja2, click"` (lark and click for `check`).  Needs
valgrind (Debian's package `valgrind`); a run takes about fifty times as
long as the command.
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import ENVIRONMENT, ROOT, installed_rubricdsl  # noqa: E402
from synthetic import synthetic_rubric  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FLOORS = {"build": "import lark, jinja2, click", "check": "import lark, click"}
_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(valgrind: str, command: list[str], cwd: Path) -> int:
    """The instructions one run of `command` takes; it must succeed."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as scratch:
        run = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={scratch}/out", *command],
            cwd=cwd, env={**ENVIRONMENT, "PYTHONHASHSEED": "0"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(command)} under callgrind exited {run.returncode}:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another rubricdsl checkout (a folder with its pyproject.toml)")
    parser.add_argument("--command", choices=sorted(FLOORS), default="build")
    parser.add_argument("--times", type=int, default=1, help="the rubric's size: 1 is the standard, N a synthetic rubric N times its size")
    args = parser.parse_args()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("bench_instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    if not (args.other / "pyproject.toml").is_file():
        print(f"bench_instructions: {args.other} holds no pyproject.toml: not a rubricdsl checkout", file=sys.stderr)
        return 2
    with installed_rubricdsl() as this, installed_rubricdsl(args.other.resolve()) as other:
        rubric = RUBRIC
        if args.times != 1:
            rubric = this.folder / f"x{args.times}.rubric"
            rubric.write_text(synthetic_rubric(args.times), encoding="utf-8")
        outputs = (this.folder / f"out-{number}" for number in itertools.count())

        def command(side) -> list[str]:
            if args.command == "build":
                return side.rubricdsl("build", str(rubric), "-o", str(next(outputs)))
            return side.rubricdsl("check", str(rubric))

        counts = {"floor": instructions(valgrind, [this.python, "-c", FLOORS[args.command]], this.run_in)}
        for name, side in (("other", other), ("this", this)):
            subprocess.run(command(side), cwd=side.run_in, env=ENVIRONMENT, check=True, capture_output=True)  # the user's cache filled
            counts[name] = instructions(valgrind, command(side), side.run_in)
    print(f"rubricdsl {args.command} of {'the standard' if args.times == 1 else f'a {args.times}x rubric'}, installed, "
          "whole process, instructions in user space (callgrind):")
    width = max(len("floor"), len(args.other.name), len("this"))
    print(f"  {'floor':{width}s} {counts['floor'] / 1e6:9.1f} million  (python -c \"{FLOORS[args.command]}\")")
    for name, label in (("other", args.other.name), ("this", "this")):
        print(f"  {label:{width}s} {counts[name] / 1e6:9.1f} million  {counts[name] / counts['floor']:.3f}x the floor")
    saved = counts["other"] - counts["this"]
    print(f"  this / {args.other.name}: {counts['this'] / counts['other']:.4f}x, "
          f"{abs(saved) / 1e6:.1f} million {'fewer' if saved >= 0 else 'more'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
