"""Benchmark: combining a panel of 7 members and its agreement figures.

    python benchmarks/bench_panel.py [--runs 15]

1. In one process, the member files already read: the milliseconds of
   checking 7 member files (digests, scoring each), combining them with a
   decision on every item, computing the agreement figures (Krippendorff's
   alpha in exact fractions, every member's deviations), and `panel verify`
   of the result; medians of several runs.
2. `rubricdsl panel RUBRIC 7 member files --decisions D -o panel.json` as a
   whole process of a non-editable install run from another folder, side by
   side with `rubricdsl score RUBRIC member0.json` (the same start-up:
   Python, click, the rubric compiled, its scorer rendered and loaded, one
   file scored), `rubricdsl check RUBRIC` (Python, click, the rubric
   compiled) and `python -c "import rubricdsl.cli"`; the issue's target is
   under 100 ms beyond start-up (the median difference of the pairs).

Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from installed import ENVIRONMENT, installed_rubricdsl, timed  # noqa: E402
from rubricdsl.frontend import compile_file  # noqa: E402
from rubricdsl.scoring import load_scorer  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FIXTURE = ROOT / "tests" / "fixtures" / "findings" / "t-cssg-001.5-2020.json"
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九"]


def member_files(scorer, count: int = 7, seed: int = 12) -> list[dict]:
    """`count` members who answer every met-or-unmet requirement at random."""
    rng = random.Random(seed)
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    members = []
    for name in NAMES[:count]:
        findings = json.loads(json.dumps(fixture))
        findings["evaluators"] = [name]
        findings["rubric"]["content_hash"] = scorer.CONTENT_HASH
        for path, item in findings["items"].items():
            kinds = scorer.SHAPES[path].get("requirements", {})
            for key in item.get("requirements", {}) if item.get("status") == "assessed" else ():
                if kinds[key][0] == "met":
                    item["requirements"][key] = rng.random() < 0.75
        members.append(scorer.signed_findings(findings))
    return members


def decisions_for_all(scorer) -> dict:
    """A decision with a reason on every item: the heaviest log."""
    return {
        "format": scorer.DECISIONS_FORMAT,
        "decided_by": "王五",
        "decisions": [{"item": path, "take": "consensus", "reason": "评估组合议"} for path in scorer.SHAPES],
    }


def in_process(scorer, runs: int) -> None:
    documents = member_files(scorer)
    named = [(f"member{index}.json", document) for index, document in enumerate(documents)]
    steps = {name: [] for name in ("check 7 member files", "combine with decisions", "agreement figures",
                                   "score the panel file", "verify against 7 files")}
    for _ in range(runs):
        start = time.perf_counter()
        members = scorer.panel_members(named)
        checked = time.perf_counter()
        decisions, decided_by, remarks = scorer.read_decisions(decisions_for_all(scorer), members)
        panel = scorer.combine_panel(members, decisions=decisions, decided_by=decided_by, remarks=remarks)
        combined = time.perf_counter()
        scores = [[item["score"] for section in member["result"]["sections"] for item in section["items"]] for member in members]
        agreed = scorer.score(panel["findings"])
        paths = [item["path"] for section in agreed["sections"] for item in section["items"]]
        figures = scorer.agreement([member["evaluator"] for member in members], scores,
                                   [item["score"] for section in agreed["sections"] for item in section["items"]], paths)
        figured = time.perf_counter()
        scorer.agreed_result(panel)
        scored = time.perf_counter()
        problems = scorer.verify_panel_file(panel, named)
        verified = time.perf_counter()
        assert problems == [], problems
        for name, began, ended in (("check 7 member files", start, checked), ("combine with decisions", checked, combined),
                                   ("agreement figures", combined, figured), ("score the panel file", figured, scored),
                                   ("verify against 7 files", scored, verified)):
            steps[name].append(ended - began)
    print(f"1. in one process, 7 members, median of {runs} runs (alpha {figures['alpha']}):")
    for name, times in steps.items():
        print(f"  {name:<24} {statistics.median(times) * 1000:7.1f} ms")
    print("  (combine: what `rubricdsl panel` does once the files are read; agreement figures: scoring the agreed"
          " findings and the figures; score the panel file: verifying it in itself, then the figures, as `score` does)")


def whole_process(runs: int) -> None:
    scorer = load_scorer(compile_file(RUBRIC), "rubrics/t-cssg-001.5-2020.rubric")
    with installed_rubricdsl() as installed:
        folder = installed.run_in
        paths = []
        for index, document in enumerate(member_files(scorer)):
            path = folder / f"member{index}.json"
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        (folder / "decisions.json").write_text(json.dumps(decisions_for_all(scorer), ensure_ascii=False), encoding="utf-8")
        panel = installed.rubricdsl("panel", str(RUBRIC), *paths, "--decisions", "decisions.json", "-o", "panel.json")
        check = installed.rubricdsl("check", str(RUBRIC))
        one = installed.rubricdsl("score", str(RUBRIC), paths[0])
        bare = [installed.python, "-c", "import rubricdsl.cli"]
        pairs = {"score": [], "check": [], "import": []}
        times = []
        for _ in range(runs):
            times.append(timed(panel, folder))
            pairs["score"].append(timed(one, folder))
            pairs["check"].append(timed(check, folder))
            pairs["import"].append(timed(bare, folder, ENVIRONMENT))
        print(f"2. whole processes, installed, median of {runs} runs side by side:")
        print(f"  rubricdsl panel (7 members, a decision on every item) {statistics.median(times) * 1000:6.1f} ms")
        floors = (("rubricdsl score RUBRIC member0.json", pairs["score"]), ("rubricdsl check RUBRIC", pairs["check"]),
                  ('python -c "import rubricdsl.cli"', pairs["import"]))
        for name, floor in floors:
            beyond = statistics.median(t - f for t, f in zip(times, floor))
            verdict = "met" if beyond < 0.100 else "NOT met"
            print(f"  vs {name:<34} {statistics.median(floor) * 1000:6.1f} ms: {beyond * 1000:6.1f} ms beyond "
                  f"(target < 100 ms: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--in-process-only", action="store_true", help="skip the installed whole-process runs")
    options = parser.parse_args()
    scorer = load_scorer(compile_file(RUBRIC), "rubrics/t-cssg-001.5-2020.rubric")
    in_process(scorer, options.runs)
    if not options.in_process_only:
        whole_process(options.runs)


if __name__ == "__main__":
    main()
