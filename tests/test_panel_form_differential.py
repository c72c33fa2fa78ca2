"""The panel page's combination, log, panel file and agreement figures
(templates/form_panel.js, run under Node.js out of the built panel.html)
against the scorer runtime's (docs/panel.md), on random panels.

Each panel: 5 to 7 members scoring the standard, mostly alike (an item
answered afresh by a member now and then, so that spreads, differing
rulings, even medians and conditions without a majority all occur), random
decisions (a member's answers, the consensus, answers edited by hand, with
or without a reason) under each method and threshold.  The items still
needing a reason must be the same; once they are given, the whole panel
file (members, agreed findings, every log entry, its own digest) must be
the same bytes of RFC 8785, and the figures the same numbers."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal

import pytest

from rubricdsl.frontend import compile_file

from .browser import JS_DIR, run_node
from .conftest import SHIPPED_RUBRIC
from .scoring_helpers import shipped_scorer
from .test_form_scoring import random_findings
from .test_panel_browser import pages  # noqa: F401  (fixture)

RUN_PANEL = JS_DIR / "run_panel.js"
PANELS = 40
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九"]
NOW = "2026-12-01T15:04:05+08:00"
METHODS = [(None, None), ("median", 2), ("mean", Decimal("1.5")), ("trimmed-mean", 0)]


def random_panel(rng: random.Random, rubric, scorer) -> dict:
    count = rng.randint(5, 7)
    base = random_findings(rng, rubric, partial=False)
    members = []
    for name in NAMES[:count]:
        findings = copy.deepcopy(base)
        fresh = random_findings(rng, rubric, partial=False)
        change = rng.choice([0.0, 0.05, 0.2, 0.6])
        for path in findings["items"]:
            if rng.random() < change:
                findings["items"][path] = fresh["items"][path]
        findings["conditions"] = {key: (value if rng.random() < 0.8 else not value) for key, value in findings["conditions"].items()}
        findings.update(evaluators=[name], date=f"2026-11-{rng.randint(10, 28)}", organization=base["organization"])
        findings["rubric"]["content_hash"] = scorer.CONTENT_HASH
        if rng.random() < 0.3:
            findings["_note"] = "成员备注"
        members.append(scorer.signed_findings(findings))
    decisions = []
    other = random_findings(rng, rubric, partial=False)
    for path in base["items"]:
        roll = rng.random()
        if roll > 0.25:
            continue
        decision = {"item": path}
        if roll < 0.1:
            decision.update(take="member", member=rng.choice(NAMES[:count]))
        elif roll < 0.17:
            decision.update(take="edited", findings=other["items"][path])
        else:
            decision["take"] = "consensus"
        if rng.random() < 0.7:
            decision["reason"] = rng.choice(["经评估组讨论，采纳多数意见。", "现场复核后确定", "reason <b>"])
        if rng.random() < 0.3:
            decision.update(decided_by="李四", time="2026-12-01T10:00:00+08:00")
        decisions.append(decision)
    method, disagreement = rng.choice(METHODS)
    return {"members": members, "decisions": decisions, "method": method, "disagreement": disagreement,
            "lead": "王五", "remarks": rng.choice(["", "一致同意。"])}


def python_panel(scorer, panel: dict):
    """(the panel file, or None) and the items that need a reason, by the scorer runtime."""
    members = scorer.panel_members([(f"m{i}.json", m) for i, m in enumerate(panel["members"])])
    decisions, _, _ = scorer.read_decisions({"format": "rubricdsl-panel-decisions/1", "decisions": panel["decisions"]}, members)
    try:
        made = scorer.combine_panel(members, panel["method"], panel["disagreement"], decisions, panel["lead"], panel["remarks"], now=NOW)
    except scorer.PanelFileError as error:
        missing = sorted(problem.split(":")[0] for problem in error.problems if ": needs a reason" in problem)
        assert len(missing) == len(error.problems), error.problems
        return None, missing
    return made, []


def javascript_panels(pages, panels: list[dict], tmp_path) -> list[dict]:
    batch = []
    for panel in panels:
        decisions = {d["item"]: {key: value for key, value in d.items() if key != "item"} for d in panel["decisions"]}
        batch.append({"members": panel["members"], "decisions": decisions, "lead": panel["lead"], "time": NOW,
                      "remarks": panel["remarks"], "method": panel["method"] or "",
                      "disagreement": None if panel["disagreement"] is None else str(panel["disagreement"])})
    path = tmp_path / "panels.json"
    path.write_text(json.dumps(batch, ensure_ascii=False, default=str), encoding="utf-8")
    return json.loads(run_node(RUN_PANEL, str(pages / "panel.html"), "panel", str(path)), parse_float=Decimal)


def test_the_page_combines_logs_and_figures_as_the_scorer(pages, tmp_path) -> None:
    scorer = shipped_scorer()
    rubric = compile_file(SHIPPED_RUBRIC).rubric
    rng = random.Random(2026)
    panels = [random_panel(rng, rubric, scorer) for _ in range(PANELS)]
    # All alike: agreement is 1.
    panels.append(dict(random_panel(rng, rubric, scorer), decisions=[]))
    panels[-1]["members"] = [scorer.signed_findings(dict(panels[-1]["members"][0], evaluators=[name])) for name in NAMES[:5]]

    javascript = javascript_panels(pages, panels, tmp_path)
    needing = 0
    for panel, js in zip(panels, javascript):
        made, missing = python_panel(scorer, panel)
        assert js["missing"] == missing or sorted(js["missing"]) == missing
        if missing:
            needing += 1
            given = {d["item"] for d in panel["decisions"]}
            for decision in panel["decisions"]:
                if decision["item"] in missing:
                    decision["reason"] = "补充的理由"
            panel["decisions"] += [{"item": path, "take": "consensus", "reason": "补充的理由"} for path in missing if path not in given]
    assert needing >= PANELS // 4  # the random panels do need reasons
    javascript = javascript_panels(pages, panels, tmp_path)
    for panel, js in zip(panels, javascript):
        made, missing = python_panel(scorer, panel)
        assert missing == [] and js["missing"] == []
        assert scorer.canonical_json(js["file"]) == scorer.canonical_json(made)
        figures = scorer.agreed_result(made)["panel"]["agreement"]
        assert js["figures"]["alpha_exact"] == figures["alpha_exact"]
        assert (js["figures"]["alpha"] is None) == (figures["alpha"] is None)
        if figures["alpha"] is not None:
            assert Decimal(js["figures"]["alpha"]) == figures["alpha"]
        assert [Decimal(item["spread"]) for item in js["figures"]["items"]] == [Decimal(item["spread"]) for item in figures["items"]]
        for ours, theirs in zip(js["figures"]["members"], figures["members"]):
            assert ours["evaluator"] == theirs["evaluator"] and ours["items"] == theirs["items"]
            for key in ("mean_deviation", "mean_absolute_deviation"):
                assert Decimal(ours[key]) == Decimal(theirs[key]), (key, ours, theirs)
    assert javascript[-1]["figures"]["alpha"] == 1 and javascript[-1]["figures"]["alpha_exact"] == "1/1"
