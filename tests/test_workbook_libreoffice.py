"""The workbook's formulas against the Python scorer, recalculated by LibreOffice.

For each rubric (the standard's, the small rubric of every rule shape with
0.5-point amounts, the exact-arithmetic rubric, the standard's with the
other 8.2 policies, and seeded random rubrics) at least 300 random findings
(N/A, absent and not assessed items and groups, every level, part and
choice, measured values at and beside every bound, 29.999, 30, 50, 59.99,
80, 90) are written into copies of the workbook whose formulas cache 0, so
nothing is right unless a spreadsheet computes it.  One headless soffice
per rubric converts every copy (recalculating on load), and the reader
reads each back: its protected cells must be as written, its findings must
score as the originals, and every formula cell (each deduction, item,
group, section, total, pass, eligibility, grade and not-assessed count)
must hold exactly the Python scorer's value.  In CI a missing soffice fails.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from rubricdsl import model as m
from rubricdsl.backends.workbook import copies_bytes
from rubricdsl.frontend import compile_file, compile_source
from rubricdsl.plan import lower
from rubricdsl.scoring import load_scorer
from rubricdsl.workbook_layout import a1, indexed, layout
from rubricdsl.workbook_reader import WorkbookProblem, cached_disagreements, read_cells, reading_of

from .browser import require
from .conftest import SHIPPED_RUBRIC
from .scoring_helpers import MINI, complete_findings
from .test_form_scoring import EXACT, number, random_findings, ruled_groups

FINDINGS_PER_RUBRIC = 300
# A spreadsheet spends its time per file more than per sheet: 25 findings a file.
COPIES_PER_FILE = 25
BOUNDARIES = [Decimal(v) for v in ("29.999", "30", "30.001", "49.99", "50", "59.99", "60", "79.999", "80", "89.99", "90")]

# Recalculate every formula on load (LibreOffice's default trusts the
# cached values of an .xlsx, which here are all 0).
RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_path() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    require(found is not None, "soffice (LibreOffice: apt install libreoffice-calc-nogui)")
    return found


def recalculated(files: list[Path], folder: Path, processes: int = 2) -> Path:
    """Every file converted (so recalculated) by LibreOffice: `processes`
    soffice processes side by side, each with its private profile, each
    converting its share of the files in one call.  A file a process failed
    to write is tried once more alone."""
    out = folder / "recalculated"
    out.mkdir()

    def start(batch: list[Path], number_: int) -> subprocess.Popen:
        profile = folder / f"profile-{number_}"
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE, encoding="utf-8")
        return subprocess.Popen(
            [soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "xlsx", "--outdir", str(out), *map(str, batch)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    running = [start(files[n::processes], n) for n in range(processes)]
    for process in running:
        output, _ = process.communicate(timeout=1800)
        assert process.returncode == 0, output
    missing = [path for path in files if not (out / path.name).exists()]
    if missing:
        process = start(missing, processes)
        output, _ = process.communicate(timeout=1800)
        assert not [path for path in files if not (out / path.name).exists()], output
    return out


# ---- random rubrics a spreadsheet can compute exactly ------------------------

AMOUNTS = ["0.5", "1", "0.25", "0.1", "3", "2.5", "1.5"]
BOUNDS = ["29.999", "30", "50", "59.99", "80", "90"]


def random_rubric_text(rng: random.Random, number_: int) -> str:
    """A checked rubric of every rule shape, amounts in tenths and halves,
    bounds at the values a spreadsheet's floats get wrong."""
    def amount() -> Decimal:
        return Decimal(rng.choice(AMOUNTS))

    def cap() -> Decimal:
        return Decimal(rng.choice(AMOUNTS)) + Decimal("6.5")

    sections = []
    for s in range(rng.randint(1, 3)):
        items = []
        for i in range(rng.randint(1, 4)):
            shape = rng.choice(["requirements", "groups", "tiers", "choices"])
            body = []
            if shape == "requirements":
                points = cap()
                low, high = sorted(rng.sample(BOUNDS, 2), key=Decimal)
                body += ['    measure m "M" from 0 to 100']
                body += ['    req fixed "fixed"', f'      deduct {amount()} "fixed"']
                body += ['    req levels "levels"', '      deduct "levels"', f'      level a {amount()} "a"', f'      level b {amount()} "b"']
                body += ['    req parts "parts"', f'      deduct each {amount()} "each"', '      part x "x"', '      part y "y"', '      part z "z"']
                body += ['    req band "band"', '      deduct "bands"', f"      band lo {amount()} when m < {low}",
                         f"      band mid {amount()} when {low} <= m < {high}"]
                body += ['    req th "th"', f'      deduct {amount()} "th" when m <= {high}']
                body += ['    req plain "no rule"'] if rng.random() < 0.3 else []
            elif shape == "groups":
                groups = [cap() for _ in range(rng.randint(1, 3))]
                points = sum(groups)
                for g, group_points in enumerate(groups):
                    body += [f'    group g{g} "G{g}" points {group_points}', f'      deduct each {amount()} "each"']
                    body += [f'      req r{r} "r{r}"' for r in range(rng.randint(1, 3))]
            elif shape == "tiers":
                points = cap()
                body += ['    measure share "Share" percent', f'    tier high {points} "high" when share >= 90',
                         f'    tier mid {amount()} "mid" when 59.99 < share < 90', f'    tier low {amount()} "low" when 29.999 <= share <= 59.99']
                if rng.random() < 0.5:
                    body.append(f'    otherwise {amount()} "none"')
            else:
                points = cap()
                body += [f'    choice gold {points} "gold"', f'    choice silver {amount()} "silver"']
                if rng.random() < 0.5:
                    body.append(f'    otherwise {amount()} "none"')
            items.append((f"i{i}", points, body))
        sections.append((f"s{s}", sum(p for _, p, _ in items), items))
    full = sum(points for _, points, _ in sections)
    pass_mark = (full * Decimal(rng.choice(["0.5", "0.6", "0.7"]))).quantize(Decimal("0.1"))
    lines = [f"rubric random-{number_}", f'  title "Random {number_}"', '  version "r"', f'  language "{rng.choice(["en", "zh"])}"',
             f"  full marks {full}", f"  pass at {pass_mark}", f'  grade fair "Fair" at {pass_mark}', f'  grade good "Good" at {full}', "",
             'condition must "Must hold"', 'condition may "May hold"', "  advisory", ""]
    for section_key, points, items in sections:
        lines.append(f'section {section_key} "S" points {points}')
        for item_key, item_points, body in items:
            lines.append(f'  item {item_key} "I" points {item_points}')
            lines += body
        lines.append("")
    return "\n".join(lines)


def rubrics():
    shipped = compile_file(SHIPPED_RUBRIC)
    yield "t-cssg-001.5-2020", shipped, FINDINGS_PER_RUBRIC
    yield "mini-1", compile_source(MINI, "mini.rubric"), FINDINGS_PER_RUBRIC
    policies = (m.Policy("nothing_met", "zero", None), m.Policy("not_applicable", "excluded", "8.2"))
    exact = compile_source(EXACT, "exact.rubric")
    yield "exact-excluded", dataclasses.replace(exact, rubric=dataclasses.replace(exact.rubric, policies=policies)), FINDINGS_PER_RUBRIC
    rng = random.Random("workbook rubrics")
    for n in range(6):
        compilation = compile_source(random_rubric_text(rng, n), f"random-{n}.rubric")
        assert compilation.ok, [d.message for d in compilation.errors]
        if n % 2:
            zero = (m.Policy("nothing_met", "zero", "8.2"),) + ((m.Policy("not_applicable", "excluded", None),) if n % 3 == 0 else ())
            compilation = dataclasses.replace(compilation, rubric=dataclasses.replace(compilation.rubric, policies=zero))
        yield f"random-{n}", compilation, 60


def at_boundaries(rng: random.Random, findings: dict, rubric: m.Rubric) -> dict:
    """Measured values moved to 29.999, 30, 59.99 … half the time."""
    for section in rubric.sections:
        for item in section.items:
            found = findings["items"].get(f"{section.key}.{item.key}")
            if not found or "measures" not in found:
                continue
            for measure in item.measures:
                inside = [b for b in BOUNDARIES if measure.low <= b <= measure.high]
                if inside and rng.random() < 0.5:
                    found["measures"][measure.key] = number(rng.choice(inside))
    return findings


def workbook_findings(rng: random.Random, rubric: m.Rubric) -> dict:
    """Random findings as a workbook can hold them: no notes (`_` keys)."""
    findings = at_boundaries(rng, ruled_groups(rng, random_findings(rng, rubric, partial=rng.random() < 0.4), rubric), rubric)
    for found in findings["items"].values():
        for key in [k for k in found if k.startswith("_")]:
            del found[key]
        for key in [k for k in found.get("requirement_remarks", {}) if k.startswith("_")]:
            del found["requirement_remarks"][key]
    return findings


def test_libreoffice_recalculates_every_formula_to_the_scorers_value(tmp_path) -> None:
    soffice_path()
    files = []  # (path, rubric, plan, scorer, [(copy, result)])
    counts = {}
    for name, compilation, count in rubrics():
        rubric = compilation.rubric
        plan = lower(rubric)
        scorer = load_scorer(compilation, f"rubrics/{name}.rubric")
        rng = random.Random(f"workbook-{name}")
        for first in range(0, count, COPIES_PER_FILE):
            copies, expected = [], []
            for number_ in range(first, min(count, first + COPIES_PER_FILE)):
                findings = workbook_findings(rng, rubric)
                result = scorer.score(findings, partial=True)
                copy = f" {number_}"
                copies.append((layout(rubric, plan, compilation.sha256, copy=copy), findings, None))  # cache 0: LibreOffice must compute
                expected.append((copy, result))
            path = tmp_path / f"{name}-{first:04d}.xlsx"
            path.write_bytes(copies_bytes(copies))
            files.append((path, rubric, plan, scorer, expected))
        counts[name] = count
    out = recalculated([file[0] for file in files], tmp_path)
    for path, rubric, plan, scorer, expected in files:
        cells = read_cells(str(out / path.name))
        for copy, result in expected:
            reading = reading_of(cells, path.name, rubric, plan, copy)  # protected cells unchanged, or it raises
            rescored = scorer.score(reading.findings, partial=True)
            assert _scores(rescored) == _scores(result), (path.name, copy)
            assert cached_disagreements(reading, result) == [], (path.name, copy)
            uncalculated = [
                (sheet.name, where) for sheet in reading.layout.sheets for where, cell in sheet.cells.items()
                if cell.kind == "formula" and (reading.cells[sheet.name].get(where) is None
                                              or reading.cells[sheet.name][where].value is None) and cell.expected(indexed(result)) != ""
            ]
            assert uncalculated == [], (path.name, copy, uncalculated[:5])
    assert all(count >= FINDINGS_PER_RUBRIC for name, count in counts.items() if not name.startswith("random-"))
    assert sum(count for name, count in counts.items() if name.startswith("random-")) >= FINDINGS_PER_RUBRIC


def _scores(result: dict) -> list:
    items = [
        (i["path"], i["status"], i["score"], i["capped"], i["zero_rule"], [(g["key"], g["status"], g["score"]) for g in i["groups"]])
        for s in result["sections"] for i in s["items"]
    ]
    return [items, [s["score"] for s in result["sections"]], result["total"], result["passed"], result["grade"],
            result["eligible"], result["not_assessed"]]


def test_blank_answers_of_assessed_items_make_the_verdict_incomplete_in_libreoffice(tmp_path) -> None:
    """A blank is no answer: LibreOffice counts the blanks an assessed item
    lacks (not those of a group ruled out, nor of an item not assessed), and
    the verdict and grade read "incomplete" until they are filled."""
    soffice_path()
    compilation = compile_source(MINI, "mini.rubric")
    rubric, plan = compilation.rubric, lower(compilation.rubric)
    scorer = load_scorer(compilation, "mini.rubric")
    complete = complete_findings(rubric)
    blanks = copy.deepcopy(complete)
    items = blanks["items"]
    del items["a.fixed"]["requirements"]["one"]
    del items["a.parts"]["requirements"]["docs"]["b"]
    del items["a.measured"]["measures"]["completion"]
    del items["b.brand"]["choice"]
    items["a.grouped"]["groups"] = {"g2": {"status": "absent"}}
    for key in ("g2.s", "g2.t"):
        del items["a.grouped"]["requirements"][key]  # ruled out: not counted
    items["a.levels"] = {"status": None}  # not assessed: not counted
    copies = [(layout(rubric, plan, compilation.sha256, copy=name), findings, None)
              for name, findings in ((" blank", blanks), (" complete", complete), (" typed", complete))]
    path = tmp_path / "blanks.xlsx"
    path.write_bytes(copies_bytes(copies))
    # What an evaluator types over drop-downs and numbers: each is one entry to fix.
    typed = copies[2][0]
    typed_cells = {found.path: (found.sheet, a1(found.row, found.col)) for found in typed.inputs}
    overwritten = {"items.a.fixed.status": "assessed ", "items.a.parts.requirements.docs.a": "missing ",
                   "items.a.measured.measures.completion": "50%", "conditions.must": "yes"}
    rewrite_cells(path, {typed_cells[key]: text for key, text in overwritten.items()})
    cells = read_cells(str(recalculated([path], tmp_path, processes=1) / path.name))
    shown = {}
    for name, (copy_layout, _, _) in zip((" blank", " complete", " typed"), copies):
        summary = copy_layout.sheets[2]
        shown[name] = {key: cells[summary.name][(int(copy_layout.names[key].split("!$C$")[1]) - 1, 2)].value
                       for key in ("answers_to_fix", "pass", "grade")}
    with pytest.raises(WorkbookProblem) as refused:
        reading_of(cells, path.name, rubric, plan, " typed")
    assert len(refused.value.messages) == 3  # the measure's text is the scorer's to refuse
    result = scorer.score(complete)
    assert shown[" blank"] == {"answers_to_fix": 4, "pass": "incomplete", "grade": "incomplete"}
    assert shown[" typed"] == {"answers_to_fix": 4, "pass": "incomplete", "grade": "incomplete"}
    assert shown[" complete"] == {"answers_to_fix": 0, "pass": "passed" if result["passed"] else "failed",
                                  "grade": result["grade"]["label"]}


def rewrite_cells(path: Path, texts: dict[tuple[str, str], str]) -> None:
    """Cells of the workbook at `path` given texts, as typing them would:
    each (sheet name, A1) becomes an inline string."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    book = members["xl/workbook.xml"].decode("utf-8")
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    for (sheet, ref), text in texts.items():
        rid = re.search(rf'<sheet [^>]*name="{re.escape(escape(sheet))}"[^>]*r:id="(rId\d+)"', book).group(1)
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
        member = "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
        xml = members[member].decode("utf-8")
        cell = re.compile(rf'<c r="{ref}"( s="\d+")?[^>]*?(/>|>.*?</c>)')
        assert cell.search(xml), (sheet, ref)
        xml = cell.sub(lambda m: f'<c r="{ref}"{m.group(1) or ""} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>', xml, count=1)
        members[member] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
