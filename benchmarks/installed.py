"""rubricdsl as a user has it, for the start-up benchmarks: installed with
`pip install .` (not editable, so the package's .pyc files are written at
install as pip does for a user) into a virtual environment made for the
benchmark outside the checkout, and run from a folder that is not the
checkout (Python started in the repository's root would import the checkout).

Figures are whole-process wall and CPU times (user and system, the child's
own) of runs taken in pairs side by side (one of each command compared,
then again), so that a noisy shared machine disturbs both sides alike; a
ratio is the median of the pairs' ratios, given with its spread.
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
def installed_rubricdsl(source: Path = ROOT):
    """rubricdsl pip-installed from this checkout (or another source tree,
    such as an earlier revision's) into a new venv in a temporary folder;
    its dependencies as a user gets them, from the package registry (pip's
    cache makes a second run quick)."""
    with tempfile.TemporaryDirectory(prefix="rubricdsl-bench-") as scratch:
        installed = Installed(Path(scratch))
        venv.EnvBuilder(system_site_packages=False, with_pip=False).create(installed.folder / "venv")
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", installed.python, "install", "-q", str(source)],
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


def timed(command: list[str], cwd: Path, environment: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user and system) of one run of a command in a
    fresh process; it must succeed.  The CPU time is the child's own, from
    wait4: other jobs on a shared machine stretch the wall clock far more."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=environment or ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    error = process.stderr.read()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{error.decode('utf-8', 'replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime


class Ratio:
    """One command against its floor over runs taken in pairs: wall times
    and CPU times."""

    def __init__(self, times: list[float], floors: list[float], cpu_times: list[float], cpu_floors: list[float]):
        self.times, self.floors = times, floors
        self.cpu_times, self.cpu_floors = cpu_times, cpu_floors
        self.ratios = sorted(t / f for t, f in zip(times, floors))
        self.cpu_ratios = sorted(t / f for t, f in zip(cpu_times, cpu_floors))

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ratios)

    @staticmethod
    def spread(ratios: list[float]) -> str:
        """The middle half and the whole range of the pairs' ratios."""
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        return f"middle half {quartiles[0]:.2f}-{quartiles[2]:.2f}x, all {ratios[0]:.2f}-{ratios[-1]:.2f}x"

    def line(self, name: str, floor_name: str, target: float | None) -> str:
        def verdict(median: float) -> str:
            if target is None:
                return "no target"
            return f"target <= {target:g}x: " + ("met" if median <= target else "NOT met")

        return (
            f"  {name:<11} wall {statistics.median(self.times) * 1000:6.1f} ms vs {floor_name} "
            f"{statistics.median(self.floors) * 1000:6.1f} ms: {self.median:.2f}x "
            f"({verdict(self.median)}; {self.spread(self.ratios)}; {len(self.ratios)} pairs)\n"
            f"  {'':<11} CPU  {statistics.median(self.cpu_times) * 1000:6.1f} ms vs {floor_name} "
            f"{statistics.median(self.cpu_floors) * 1000:6.1f} ms: {self.cpu_median:.2f}x "
            f"({verdict(self.cpu_median)}; {self.spread(self.cpu_ratios)})"
        )


def in_pairs(runs: int, command, floor: list[str], cwd: Path) -> Ratio:
    """`command()` (a command line and its environment, new for each run)
    and `floor`, alternately, `runs` times each."""
    times, floors, cpu_times, cpu_floors = [], [], [], []
    for _ in range(runs):
        line, environment = command()
        wall, cpu = timed(line, cwd, environment)
        times.append(wall)
        cpu_times.append(cpu)
        wall, cpu = timed(floor, cwd)
        floors.append(wall)
        cpu_floors.append(cpu)
    return Ratio(times, floors, cpu_times, cpu_floors)


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
