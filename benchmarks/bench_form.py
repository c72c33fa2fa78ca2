"""Speed of the evaluator's form in headless Chromium, measured in the page.

    python benchmarks/bench_form.py [--loads N] [--inputs N] [--times N]

1. First render: from the start of navigation to the form built, filled
   from storage and scored (the page's own `rubric-form:first-render`
   measure), and the first contentful paint; target < 300 ms.  The first
   load in a fresh browser is shown apart from the median of the reloads.
2. One recomputation after an input: the page's `rubric-form:refresh`
   measure (state -> findings -> scoreFindings -> every item, section and
   the summary updated) after real clicks and keystrokes; target < 5 ms.

The form is rendered from the current code into a temporary file; with
`--times N` from a synthetic rubric N times the standard's size
(benchmarks/synthetic.py), where the recomputation's p90 is the target too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rubricdsl.backends import BuildContext, form  # noqa: E402
from synthetic import synthetic_rubric  # noqa: E402
from rubricdsl.frontend import compile_file, compile_source  # noqa: E402
from tests.browser import chromium  # noqa: E402

RUBRIC = ROOT / "rubrics" / "t-cssg-001.5-2020.rubric"
FIRST_RENDER_TARGET_MS = 300
REFRESH_TARGET_MS = 5

TIMINGS = """
const measure = performance.getEntriesByName('rubric-form:first-render')[0];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
return [measure ? measure.duration : null, paint ? paint.startTime : null];
"""


def render_form(folder: Path, times: int) -> Path:
    if times == 1:
        compilation = compile_file(RUBRIC)
    else:
        compilation = compile_source(synthetic_rubric(times), f"synthetic-{times}x.rubric")
    assert compilation.ok, "the benchmark's rubric does not compile"
    page = folder / "form.html"
    page.write_text(form.render(BuildContext.of(compilation, "rubrics/t-cssg-001.5-2020.rubric")), encoding="utf-8")
    return page


def p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9)]


def first_renders(driver, url: str, loads: int) -> list[tuple[float, float | None]]:
    found = []
    for _ in range(loads):
        if found:
            driver.execute_script("localStorage.clear()")
        driver.get(url)
        driver.execute_script("return new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")
        found.append(tuple(driver.execute_script(TIMINGS)))
    return found


def refreshes(driver, url: str, inputs: int) -> list[float]:
    driver.execute_script("localStorage.clear()")
    driver.get(url)
    radios = driver.find_elements("css selector", "input[type=radio][data-requirement]")
    measure = driver.find_element("css selector", "input[data-measure]")
    durations = []
    for index in range(inputs):
        if index % 5 == 4:
            measure.send_keys(str(index % 10))  # a keystroke in a number field
        else:
            target = radios[(index * 7) % len(radios)]
            label = driver.find_element("css selector", f"label[for='{target.get_attribute('id')}']")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
            label.click()
        durations.append(
            driver.execute_script("const e = performance.getEntriesByName('rubric-form:refresh'); return e[e.length - 1].duration")
        )
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--inputs", type=int, default=40)
    parser.add_argument("--times", type=int, default=1, help="a synthetic rubric this many times the standard")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-form-") as folder:
        page = render_form(Path(folder), options.times)
        size = page.stat().st_size
        with chromium() as driver:
            loads = first_renders(driver, page.as_uri(), options.loads + 1)
            durations = refreshes(driver, page.as_uri(), options.inputs)
    cold, warm = loads[0], loads[1:]
    render_median = statistics.median(entry[0] for entry in warm)
    paints = [entry[1] for entry in warm if entry[1] is not None]
    scale = f" at {options.times}x" if options.times > 1 else ""
    print(f"form.html of {RUBRIC.name}{scale}: {size / 1024:.1f} KiB")
    print(f"first render (navigation start -> form built and scored), {len(warm)} reloads:")
    print(f"  median {render_median:.1f} ms  (min {min(e[0] for e in warm):.1f}, max {max(e[0] for e in warm):.1f});"
          f" first load in a fresh browser {cold[0]:.1f} ms")
    if paints:
        print(f"  first contentful paint median {statistics.median(paints):.1f} ms")
    verdict = "within" if render_median < FIRST_RENDER_TARGET_MS else "OVER"
    print(f"  {verdict} the {FIRST_RENDER_TARGET_MS} ms target")
    refresh_median = statistics.median(durations)
    print(f"one recomputation after an input, {len(durations)} inputs (clicks and keystrokes):")
    refresh_p90 = p90(durations)
    print(f"  median {refresh_median:.2f} ms  (max {max(durations):.2f}, p90 {refresh_p90:.2f})")
    verdict = "within" if refresh_median < REFRESH_TARGET_MS and refresh_p90 < REFRESH_TARGET_MS else "OVER"
    print(f"  {verdict} the {REFRESH_TARGET_MS} ms target (median and p90)")


if __name__ == "__main__":
    main()
