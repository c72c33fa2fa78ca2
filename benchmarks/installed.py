"""rubricdsl as a user has it, for the benchmarks: a non-editable install
into a temporary virtual environment outside the checkout.

A Python started in the repository's root imports the checkout (its
folder is on sys.path), and an editable install reads the checkout's files,
so neither measures what a user runs.  `installed_rubricdsl()` builds the
wheel, installs it with its dependencies into a fresh venv in the system's
temporary folder, and yields that venv's python; run it from another folder
(`cwd=` a temporary one) so that nothing of the checkout is on its path.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def installed_rubricdsl() -> Iterator[Path]:
    """The python of a fresh venv holding rubricdsl installed from this
    checkout (not editable), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rubricdsl-installed-") as folder:
        venv = Path(folder) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True, cwd=folder,
        )
        where = subprocess.run(
            [str(python), "-c", "import rubricdsl; print(rubricdsl.__file__)"],
            check=True, capture_output=True, text=True, cwd=folder,
        ).stdout.strip()
        if Path(where).resolve().is_relative_to(ROOT):
            raise SystemExit(f"the benchmark's rubricdsl is the checkout's ({where}), not an installed one")
        yield python


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
