"""Fuzz the front end with mutants of the shipped rubric.

    python benchmarks/fuzz_frontend.py [--mutants N] [--seed S] [--fmt] [--replay I]

Each mutant is the standard's rubric after one to three mutations: byte
flips, deleted, duplicated or swapped lines, truncation, random Unicode
inserted, a word replaced by a keyword, a number replaced by an odd one.
Text mutants go through frontend.compile_source, byte mutants through
parser.parse_bytes and frontend.compile_bytes, and every diagnostic is
rendered as the CLI renders it.  The only outcomes allowed are a model
(clean, or with errors) or syntax errors; anything else, an exception or a
diagnostic pointing outside the text, is a crash.  With --fmt every mutant
that parses is also formatted, and the result must parse to the same model
and format to itself.

Mutant I of seed S is the same on every run: `--seed S --replay I` runs it
alone and prints it.  Crashing inputs are written to fuzz-crashes/.  Exit 1
on any crash.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
sys.path.insert(0, str(ROOT))

from rubricdsl import formatter  # noqa: E402
from rubricdsl.diagnostics import render  # noqa: E402
from rubricdsl.frontend import compile_bytes, compile_source  # noqa: E402
from rubricdsl.parser import parse, parse_bytes  # noqa: E402

KEYWORDS = [
    "rubric", "title", "standard", "version", "status", "language", "full", "marks", "pass", "at", "panel", "to",
    "grade", "condition", "clause", "advisory", "section", "caption", "points", "item", "group", "req", "deduct",
    "each", "level", "band", "part", "measure", "percent", "from", "unit", "tier", "choice", "otherwise", "when",
    "note", "erratum", "was",
]
ODD_NUMBERS = ["0", "00", "0.0", "1e5", "99999999999999999999999999", "0.000000001", "-1", "1.", ".5", "5.5.5", "٣"]
ODD_TEXT = ['"', '"""', "\\", "\\u", "\\U0011FFFF", "\\uD800", "#", "\n", "\r", "\t", "\x00", "\ufeff", "\u2028", "<=", ">"]


@dataclass
class Mutant:
    index: int
    recipe: list[str]
    data: str | bytes  # bytes: byte-level mutant


def _random_char(rng: random.Random) -> str:
    plane = rng.choice(["ascii", "cjk", "any", "control", "odd"])
    if plane == "ascii":
        return chr(rng.randint(0x20, 0x7E))
    if plane == "cjk":
        return chr(rng.randint(0x4E00, 0x9FFF))
    if plane == "control":
        return chr(rng.choice([*range(0, 32), 0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0x200B]))
    if plane == "odd":
        return rng.choice(ODD_TEXT)
    return chr(rng.randint(0, 0x10FFFF))


def _mutate_text(rng: random.Random, text: str, recipe: list[str]) -> str:
    lines = text.split("\n")
    kind = rng.choice(["delete", "duplicate", "swap", "truncate", "unicode", "keyword", "number"])
    index = rng.randrange(len(lines))
    if kind == "delete":
        del lines[index : index + rng.randint(1, 3)]
    elif kind == "duplicate":
        lines[index:index] = lines[index : index + rng.randint(1, 3)]
    elif kind == "swap":
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "truncate":
        cut = rng.randrange(len(text) + 1)
        recipe.append(f"truncate at character {cut}")
        return text[:cut]
    elif kind == "unicode":
        column = rng.randint(0, len(lines[index]))
        junk = "".join(_random_char(rng) for _ in range(rng.randint(1, 4)))
        lines[index] = lines[index][:column] + junk + lines[index][column:]
        kind = f"insert {junk!r} at column {column + 1}"
    elif kind == "keyword":
        words = [w for w in lines[index].split() if w.isidentifier()]
        if words:
            word = rng.choice(words)
            replacement = rng.choice(KEYWORDS)
            lines[index] = lines[index].replace(word, replacement, 1)
            kind = f"replace {word!r} by {replacement!r}"
    else:
        numbers = [w for w in lines[index].split() if w.replace(".", "", 1).isdigit()]
        if numbers:
            number = rng.choice(numbers)
            replacement = rng.choice(ODD_NUMBERS)
            lines[index] = lines[index].replace(number, replacement, 1)
            kind = f"replace {number!r} by {replacement!r}"
    recipe.append(f"{kind} (line {index + 1})")
    return "\n".join(lines)


def _mutate_bytes(rng: random.Random, data: bytes, recipe: list[str]) -> bytes:
    buffer = bytearray(data)
    if rng.random() < 0.2:
        cut = rng.randrange(len(buffer) + 1)
        recipe.append(f"truncate at byte {cut}")
        return bytes(buffer[:cut])
    for _ in range(rng.randint(1, 4)):
        offset = rng.randrange(len(buffer))
        bit = 1 << rng.randrange(8)
        buffer[offset] ^= bit
        recipe.append(f"flip bit {bit:#04x} of byte {offset}")
    return bytes(buffer)


def make_mutant(seed: int, index: int, source: str) -> Mutant:
    rng = random.Random(seed * 1_000_003 + index)
    recipe: list[str] = []
    if rng.random() < 0.25:
        data: str | bytes = source.encode("utf-8")
        for _ in range(rng.randint(1, 2)):
            data = _mutate_bytes(rng, data, recipe)
    else:
        data = source
        for _ in range(rng.randint(1, 3)):
            data = _mutate_text(rng, data, recipe)
    return Mutant(index, recipe, data)


class Malformed(Exception):
    """The front end answered, but not as it promises to."""


def _check_diagnostics(compilation, text: str) -> None:
    """`text`: what the diagnostics point into (for bytes that are not
    UTF-8, the bytes as far as they decode)."""
    lines = text.splitlines() or [""]
    for diagnostic in compilation.diagnostics:
        span = diagnostic.span
        if not (1 <= span.line <= len(lines) + 1 and span.column >= 1 and diagnostic.message):
            raise Malformed(f"diagnostic outside the text: {diagnostic}")
        render(diagnostic, compilation.source)
    if compilation.rubric is None and not compilation.errors:
        raise Malformed("no model and no error")


def _check_formatter(source: str) -> None:
    result = formatter.format_source(source)
    if result.text is None:
        return
    before, after = parse(source), parse(result.text)
    if before.rubric != after.rubric:
        raise Malformed("formatting changed the model")
    if formatter.format_source(result.text).text != result.text:
        raise Malformed("formatting twice changes the text")


def run_mutant(mutant: Mutant, *, with_fmt: bool) -> str:
    """The outcome: 'clean', 'errors' (a model with errors) or 'syntax' (no
    model).  Raises on a crash."""
    if isinstance(mutant.data, bytes):
        parsed = parse_bytes(mutant.data, "<fuzz>")
        compilation = compile_bytes(mutant.data, "<fuzz>")
        if (parsed.rubric is None) != (compilation.rubric is None):
            raise Malformed("parse_bytes and compile_bytes disagree")
        source = compilation.source
        text = mutant.data.decode("utf-8", errors="replace")
    else:
        compilation = compile_source(mutant.data, "<fuzz>")
        source = text = mutant.data
    _check_diagnostics(compilation, text)
    if with_fmt:
        _check_formatter(source)
    if compilation.rubric is None:
        return "syntax"
    return "clean" if compilation.ok else "errors"


@dataclass
class Report:
    outcomes: Counter
    crashes: list[tuple[Mutant, str]]
    slowest: tuple[float, Mutant | None]
    elapsed: float


def fuzz(mutants: int, seed: int, *, with_fmt: bool = False, source: str | None = None) -> Report:
    text = source if source is not None else STANDARD.read_text(encoding="utf-8")
    outcomes: Counter = Counter()
    crashes: list[tuple[Mutant, str]] = []
    slowest: tuple[float, Mutant | None] = (0.0, None)
    start = time.perf_counter()
    for index in range(mutants):
        mutant = make_mutant(seed, index, text)
        began = time.perf_counter()
        try:
            outcome = run_mutant(mutant, with_fmt=with_fmt)
        except Exception:  # noqa: BLE001 - every exception is a finding here
            crashes.append((mutant, traceback.format_exc()))
            outcome = "crash"
        took = time.perf_counter() - began
        if took > slowest[0]:
            slowest = (took, mutant)
        kind = "bytes" if isinstance(mutant.data, bytes) else "text"
        outcomes[(kind, outcome)] += 1
    return Report(outcomes, crashes, slowest, time.perf_counter() - start)


def _save(mutant: Mutant, seed: int, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"seed{seed}-mutant{mutant.index}.rubric"
    path.write_bytes(mutant.data if isinstance(mutant.data, bytes) else mutant.data.encode("utf-8", "surrogatepass"))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fmt", action="store_true", help="also format every mutant and check the result")
    parser.add_argument("--replay", type=int, metavar="I", help="run mutant I alone and print it")
    args = parser.parse_args()
    text = STANDARD.read_text(encoding="utf-8")

    if args.replay is not None:
        mutant = make_mutant(args.seed, args.replay, text)
        print(f"mutant {mutant.index} of seed {args.seed}: {'; '.join(mutant.recipe)}")
        print(f"outcome: {run_mutant(mutant, with_fmt=args.fmt)}")
        return 0

    report = fuzz(args.mutants, args.seed, with_fmt=args.fmt, source=text)
    print(f"fuzzed the front end with {args.mutants} mutants of {STANDARD.name} (seed {args.seed}"
          f"{', with fmt' if args.fmt else ''}) in {report.elapsed:.1f} s")
    for (kind, outcome), count in sorted(report.outcomes.items()):
        print(f"  {kind:<5} {outcome:<7} {count:>6}")
    took, mutant = report.slowest
    if mutant is not None:
        print(f"slowest: mutant {mutant.index}, {took * 1000:.1f} ms ({'; '.join(mutant.recipe)})")
        print(f"  replay: python benchmarks/fuzz_frontend.py --seed {args.seed} --replay {mutant.index}")
    print(f"crashes: {len(report.crashes)}")
    for crashed, trace in report.crashes[:3]:
        saved = _save(crashed, args.seed, Path("fuzz-crashes"))
        print(f"\nmutant {crashed.index} ({'; '.join(crashed.recipe)}), saved as {saved}:\n{trace}")
    for crashed, _ in report.crashes[3:]:
        _save(crashed, args.seed, Path("fuzz-crashes"))
    return 1 if report.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
