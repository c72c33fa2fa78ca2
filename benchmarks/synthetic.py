"""Synthetic rubrics N times the size of the shipped standard, for benchmarks.

`python benchmarks/synthetic.py 100 > big.rubric` writes one: the standard's
sections repeated N times with renamed keys, full marks and pass mark scaled,
so that it checks clean.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"


def synthetic_rubric(times: int, source: str | None = None) -> str:
    text = source if source is not None else STANDARD.read_text(encoding="utf-8")
    first_section = text.index("\nsection ")
    header, sections = text[: first_section + 1], text[first_section + 1 :]
    header = re.sub(r"full marks (\d+)", lambda m: f"full marks {int(m.group(1)) * times}", header)
    header = re.sub(r"pass at (\d+)", lambda m: f"pass at {int(m.group(1)) * times}", header)
    copies = [
        re.sub(r"^section (\w+)", lambda m, n=n: f"section {m.group(1)}_{n}", sections, flags=re.M)
        for n in range(1, times + 1)
    ]
    return header + "\n".join(copies)


if __name__ == "__main__":
    sys.stdout.write(synthetic_rubric(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
