"""rubricdsl as a user has it, for the start-up benchmarks: installed with
`pip install .` (not editable, so the package's .pyc files are written at
install as pip does for a user) into a virtual environment made for the
benchmark outside the checkout, and run from a folder that is not the
checkout (Python started in the repository's root would import the checkout).

Figures are whole-process wall times of runs taken in pairs side by side
(one of each command compared, then again), so that a noisy shared machine
disturbs both sides alike; a ratio is the median of the pairs' ratios,
given with its spread.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Some shells set PYTHONDONTWRITEBYTECODE; a user's install has its .pyc.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}


class Installed:
    """The benchmark's environment: its python, and a folder to run in."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.python = str(folder / "venv" / "bin" / "python")
        self.run_in = folder / "work"

    def rubricdsl(self, *args: str) -> list[str]:
        return [self.python, "-m", "rubricdsl.cli", *args]

    def fresh_caches(self) -> dict[str, str]:
        """An environment whose cache and temporary folders are new and
        empty, as after an install or a reboot."""
        cold = Path(tempfile.mkdtemp(prefix="cold-", dir=self.folder))
        (cold / "tmp").mkdir()
        return {**ENVIRONMENT, "XDG_CACHE_HOME": str(cold / "cache"), "TMPDIR": str(cold / "tmp")}


@contextlib.contextmanager
def installed_rubricdsl():
    """rubricdsl pip-installed from this checkout into a new venv in a
    temporary folder; its dependencies as a user gets them, from the package
    registry (pip's cache makes a second run quick)."""
    with tempfile.TemporaryDirectory(prefix="rubricdsl-bench-") as scratch:
        installed = Installed(Path(scratch))
        venv.EnvBuilder(system_site_packages=False, with_pip=False).create(installed.folder / "venv")
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", installed.python, "install", "-q", str(ROOT)],
            check=True,
            cwd=scratch,
            env=ENVIRONMENT,
        )
        installed.run_in.mkdir()
        where = subprocess.run(
            [installed.python, "-c", "import rubricdsl; print(rubricdsl.__file__)"],
            capture_output=True, text=True, check=True, cwd=installed.run_in, env=ENVIRONMENT,
        ).stdout.strip()
        assert where.startswith(scratch), f"the benchmark would time the checkout: {where}"
        yield installed


def timed(command: list[str], cwd: Path, environment: dict[str, str] | None = None) -> float:
    """Wall time of one run of a command in a fresh process; it must succeed."""
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=environment or ENVIRONMENT)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return elapsed


class Ratio:
    """One command against its floor over runs taken in pairs."""

    def __init__(self, times: list[float], floors: list[float]):
        self.times, self.floors = times, floors
        self.ratios = sorted(t / f for t, f in zip(times, floors))

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    def spread(self) -> str:
        """The middle half and the whole range of the pairs' ratios."""
        quartiles = statistics.quantiles(self.ratios, n=4) if len(self.ratios) > 1 else self.ratios * 3
        return (
            f"middle half {quartiles[0]:.2f}-{quartiles[2]:.2f}x, "
            f"all {self.ratios[0]:.2f}-{self.ratios[-1]:.2f}x over {len(self.ratios)} pairs"
        )

    def line(self, name: str, floor_name: str, target: float | None) -> str:
        if target is None:
            verdict = "no target"
        else:
            verdict = f"target <= {target:g}x: " + ("met" if self.median <= target else "NOT met")
        return (
            f"  {name:<11} {statistics.median(self.times) * 1000:6.1f} ms vs {floor_name} "
            f"{statistics.median(self.floors) * 1000:6.1f} ms: {self.median:.2f}x ({verdict}; {self.spread()})"
        )


def in_pairs(runs: int, command, floor: list[str], cwd: Path) -> Ratio:
    """`command()` (a command line and its environment, new for each run)
    and `floor`, alternately, `runs` times each."""
    times, floors = [], []
    for _ in range(runs):
        line, environment = command()
        times.append(timed(line, cwd, environment))
        floors.append(timed(floor, cwd))
    return Ratio(times, floors)


# Run inside the measured process: its own peak memory is the one figure
# that neither its parent nor a fork before exec inflates (ru_maxrss from
# wait4 carries the benchmark's own size over into the child's).
_PEAK_AT_EXIT = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        kib = next(line.split()[1] for line in status if line.startswith('VmHWM:'))\n"
    "    sys.stderr.write('\\npeak memory: ' + kib + ' KiB\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['rubricdsl', *sys.argv[1:]]\n"
    "runpy.run_module('rubricdsl.cli', run_name='__main__')\n"
)


def rubricdsl_command(python: Path, *arguments: str) -> list[str]:
    """A whole `rubricdsl ARGUMENTS` process that prints its peak memory
    (VmHWM) as its last line on stderr, `peak memory: N KiB`."""
    return [str(python), "-c", _PEAK_AT_EXIT, *arguments]


def peak_mib(stderr: str) -> float:
    """The peak memory a rubricdsl_command printed, in MiB."""
    for line in reversed(stderr.splitlines()):
        if line.startswith("peak memory: "):
            return int(line.split()[2]) / 1024
    raise ValueError("no peak memory printed")
