"""Kill `rubricdsl build` and `rubricdsl score --batch` with SIGKILL at random
moments and check that nothing is ever torn, mixed or left behind.

    python benchmarks/kill_build.py                 # 200 kills of each
    python benchmarks/kill_build.py --kills 500 --only build

Each round starts a real process (`python -m rubricdsl.cli`) that moves the
outputs from one revision to the other, kills it, and checks:

- build: two rubrics in generated/.  Every rubric folder holds exactly one
  revision's files; folders of two revisions side by side, or a folder
  missing, only while a journal says a build committed and must be
  finished.  Then a build runs to its end and generated/ must be exactly the
  revision's files and manifest, no leftover name anywhere.
- batch: a CSV and its summary.  Each file is one run's, whole; a summary
  whose csv_sha256 is not the CSV's is counted as "recognisably
  inconsistent" (the kill fell between the two renames).  Then a batch runs
  to its end: a matching pair, and no temporary file.

Half of the kills fall at a uniformly random moment of the whole process;
the other half wait until the write phase has begun (a prepared folder or
temporary file appears) and kill within a few milliseconds, so the counts
of kills inside the write phase are not left to luck.  Prints the counts;
exits 1 on any torn, mixed or stray state.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FINDINGS = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"
RUBRIC_ID = "t-cssg-001.5-2020"
COMMAND = [sys.executable, "-m", "rubricdsl.cli"]


class Broken(AssertionError):
    pass


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry below `folder`: files with their bytes, folders as None."""
    found = {}
    for path in sorted(folder.rglob("*")):
        found[path.relative_to(folder).as_posix()] = path.read_bytes() if path.is_file() else None
    return found


def _revision(text: str, title: str) -> str:
    return text.replace("  title ", f'  title "{title}"\n  note ', 1)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], cwd=cwd, capture_output=True, text=True)


def _kill_at_random(cwd: Path, args: list[str], watch: Path, marker, duration: float, rng: random.Random) -> str:
    """Start the command, kill it; return when the kill fell ("uniform" or
    "write phase"), or "finished" when the process ended first."""
    process = subprocess.Popen([*COMMAND, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0, duration * 1.1))
        moment = "uniform"
    else:
        moment = "write phase"
        deadline = time.monotonic() + duration * 3 + 5
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if any(marker(name) for name in os.listdir(watch)):
                    break
            except FileNotFoundError:
                pass
        time.sleep(rng.uniform(0, 0.004))
    if process.poll() is not None:
        return "finished"
    process.send_signal(signal.SIGKILL)
    process.wait()
    return moment


# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------


def kill_builds(kills: int, work: Path, rng: random.Random) -> Counter:
    project = work / "build"
    (project / "rubrics").mkdir(parents=True)
    base = SHIPPED.read_text(encoding="utf-8")
    revisions = {}
    for name in ("A", "B"):
        first = _revision(base, f"Revision {name}")
        sources = {SHIPPED.name: first, "second.rubric": first.replace(f"rubric {RUBRIC_ID}", "rubric second", 1)}
        for file, text in sources.items():
            (project / "rubrics" / file).write_text(text, encoding="utf-8")
        started = time.monotonic()
        done = _run(project, "build")
        duration = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        revisions[name] = (sources, _snapshot(project / "generated"))
        shutil.rmtree(project / "generated")
    generated = project / "generated"
    counts: Counter = Counter()

    def install(name: str) -> None:
        for file, text in revisions[name][0].items():
            (project / "rubrics" / file).write_text(text, encoding="utf-8")

    install("A")
    _run(project, "build")
    for round_ in range(kills):
        target = "B" if round_ % 2 == 0 else "A"
        install(target)
        moment = _kill_at_random(project, ["build"], generated, lambda n: ".new-" in n, duration, rng)
        counts[f"kills: {moment}"] += 1
        counts[_check_killed_build(generated, revisions)] += 1
        done = _run(project, "build")
        if done.returncode != 0:
            raise Broken(f"round {round_}: the build after a kill failed: {done.stderr}")
        if _snapshot(generated) != revisions[target][1]:
            raise Broken(f"round {round_}: after a full build, generated/ is not revision {target} alone: "
                         f"{sorted(set(_snapshot(generated)) ^ set(revisions[target][1]))}")
        counts["clean after the next build"] += 1
    return counts


def _check_killed_build(generated: Path, revisions: dict) -> str:
    """What a kill left: a consistent state, or a recoverable one; raises
    Broken for anything torn or mixed within a folder."""
    state = _snapshot(generated)
    journal = ".rubricdsl-journal.json" in state
    seen = set()
    for folder in (RUBRIC_ID, "second"):
        files = {k: v for k, v in state.items() if k.startswith(folder + "/")}
        if not files and folder not in state:
            if not journal:
                raise Broken(f"{folder}/ is missing and no journal says why")
            seen.add("missing")
            continue
        matches = [name for name, (_, snap) in revisions.items()
                   if files == {k: v for k, v in snap.items() if k.startswith(folder + "/")}]
        if not matches:
            raise Broken(f"{folder}/ is torn or mixes revisions: {sorted(files)}")
        seen.add(matches[0])
    revisions_seen = seen - {"missing"}
    if not journal:
        if len(seen) != 1:
            raise Broken(f"folders of two revisions and no journal: {seen}")
        manifest = state.get(".rubricdsl-manifest.json")
        if manifest != revisions[next(iter(seen))][1][".rubricdsl-manifest.json"]:
            raise Broken("the manifest does not describe the folders")
        leftovers = [k for k in state if k.startswith(".") and k != ".rubricdsl-manifest.json"]
        return "after a kill: one revision, " + ("leftovers the next build removes" if leftovers else "nothing left over")
    return "after a kill: committed, a journal for the next build" + (" (folders of two revisions)" if len(revisions_seen) > 1 or "missing" in seen else "")


# ---------------------------------------------------------------------------
# batch
# ---------------------------------------------------------------------------


def kill_batches(kills: int, work: Path, rng: random.Random, records: int = 300) -> Counter:
    folder = work / "batch"
    folder.mkdir(parents=True)
    shutil.copy(SHIPPED, folder / "r.rubric")
    record = json.loads(FINDINGS.read_bytes())
    csvs = {}
    for name, count in (("A", records), ("B", records + 1)):
        lines = []
        for index in range(count):
            record["organization"] = f"{name}{index}"
            lines.append(json.dumps(record, ensure_ascii=False))
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.monotonic()
        done = _run(folder, "score", "r.rubric", "--batch", f"{name}.jsonl", "-o", "out.csv", "--jobs", "1")
        duration = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        csvs[name] = (folder / "out.csv").read_bytes()
    shas = {hashlib.sha256(data).hexdigest(): name for name, data in csvs.items()}
    counts: Counter = Counter()
    for round_ in range(kills):
        target = "B" if round_ % 2 == 0 else "A"
        args = ["score", "r.rubric", "--batch", f"{target}.jsonl", "-o", "out.csv", "--jobs", "1"]
        moment = _kill_at_random(folder, args, folder, lambda n: n.endswith(".tmp"), duration, rng)
        counts[f"kills: {moment}"] += 1
        counts[_check_killed_batch(folder, csvs, shas)] += 1
        done = _run(folder, *args)
        if done.returncode != 0:
            raise Broken(f"round {round_}: the batch after a kill failed: {done.stderr}")
        if _check_killed_batch(folder, csvs, shas) != "after a kill: a matching pair":
            raise Broken(f"round {round_}: after a full batch, the pair does not match")
        if (folder / "out.csv").read_bytes() != csvs[target] or any(n.endswith(".tmp") for n in os.listdir(folder)):
            raise Broken(f"round {round_}: after a full batch: not batch {target}'s CSV, or a temporary file left")
        counts["clean after the next batch"] += 1
    return counts


def _check_killed_batch(folder: Path, csvs: dict, shas: dict) -> str:
    data = (folder / "out.csv").read_bytes()
    if data not in csvs.values():
        raise Broken("out.csv is torn")
    try:
        summary = json.loads((folder / "out.summary.json").read_bytes())
    except ValueError:
        raise Broken("out.summary.json is torn") from None
    if summary.get("csv_sha256") not in shas:
        raise Broken("out.summary.json names no CSV of either batch")
    stray = any(n.endswith(".tmp") for n in os.listdir(folder))
    if summary["csv_sha256"] == hashlib.sha256(data).hexdigest():
        return "after a kill: a matching pair" + (", temporary files the next batch removes" if stray else "")
    return "after a kill: recognisably inconsistent (summary of the other run)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="kills of each command (default 200)")
    parser.add_argument("--only", choices=["build", "batch"], help="kill only this command")
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}")
    with tempfile.TemporaryDirectory(prefix="kill-build-") as work:
        try:
            for what, run in (("build", kill_builds), ("batch", kill_batches)):
                if options.only in (None, what):
                    counts = run(options.kills, Path(work), rng)
                    print(f"{what}: {options.kills} rounds")
                    for key, value in sorted(counts.items()):
                        print(f"  {value:5d}  {key}")
        except Broken as problem:
            print(f"BROKEN: {problem}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
