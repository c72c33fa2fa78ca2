"""Two threads parsing at once each get their own diagnostics and comments:
all the state of a parse lives in that parse, none in the module."""

from __future__ import annotations

import sys
import threading

from rubricdsl.parser import lex, parse

CLEAN = """\
# clean: the first comment
rubric clean
  title "Clean"
  version "1"
  full marks 10
  pass at 6
section s "Section" points 10  # clean: on the section
  item i "Item" points 10
    req r "Requirement"
      deduct 10 "printed"
"""

TWICE = """\
rubric twice
  title "Twice"
  version "1"
  full marks 10
  pass at 6
  title "Twice again"  # twice: the second title
section s "Section" points 10
  item i "Item" points 10
    # twice: above the requirement
    req r "Requirement"
      deduct 10 "printed"
"""

ITERATIONS = 300


def outcome(source: str, path: str):
    result = parse(source, path)
    lexed = lex(source)
    return (
        [(d.code, d.path, d.span.line) for d in result.diagnostics],
        [c.text for c in result.comments],
        None if lexed is None else [c.text for c in lexed.comments],
    )


def test_two_threads_parsing_at_once_get_their_own_diagnostics_and_comments() -> None:
    cases = {"clean.rubric": CLEAN, "twice.rubric": TWICE}
    expected = {path: outcome(source, path) for path, source in cases.items()}
    # What the parses should give, alone: the checks below compare with these.
    assert expected["clean.rubric"] == (
        [],
        ["# clean: the first comment", "# clean: on the section"],
        ["# clean: the first comment", "# clean: on the section"],
    )
    assert expected["twice.rubric"] == (
        [("E203", "twice.rubric", 6)],
        ["# twice: the second title", "# twice: above the requirement"],
        ["# twice: the second title", "# twice: above the requirement"],
    )

    barrier = threading.Barrier(len(cases))
    wrong: dict[str, list] = {path: [] for path in cases}

    def run(path: str) -> None:
        for _ in range(ITERATIONS):
            barrier.wait()  # start each parse together, so they overlap
            got = outcome(cases[path], path)
            if got != expected[path]:
                wrong[path].append(got)

    threads = [threading.Thread(target=run, args=(path,)) for path in cases]
    # Switch threads every few bytecodes rather than every 5 ms, which is
    # longer than a parse of these small files.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == {path: [] for path in cases}, {path: found[:3] for path, found in wrong.items()}
