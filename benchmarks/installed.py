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
