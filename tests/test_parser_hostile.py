"""Inputs from the issue tracker that once misled or overwhelmed the front
end: line breaks other than line feeds, thousands of overlapping tiers or
syntax errors, huge texts and numbers, digits that are not ASCII, a JSON
file given as a rubric.  Each test states its case inline."""

from __future__ import annotations

from rubricdsl.diagnostics import render, render_all, source_lines
from rubricdsl.frontend import compile_source

HEADER = 'rubric demo\n  title "Demo"\n  version "1"\n  full marks 10\n  pass at 6\n'


def rubric(body: str, header: str = HEADER) -> str:
    return header + body


# ---- 5: the line echoed is the line counted -----------------------------


def test_only_line_feeds_end_lines() -> None:
    assert source_lines("a\fb\x0bc\x1cd\x85e\u2028f\u2029g\r\nh\ri\n") == ["a\fb\x0bc\x1cd\x85e\u2028f\u2029g", "h\ri", ""]


def test_a_form_feed_or_line_separator_does_not_shift_the_echoed_line() -> None:
    source = rubric(
        '\f\nsection s "Section \u2028 with a line separator" points 10\n'
        '  item i "Item" points 10\n'
        '    req r "R"\n'
        '      dedcut 5 "x"\n'
    )
    compilation = compile_source(source, "t.rubric")
    (shown,) = render_all(compilation.diagnostics, source)
    head, echo, carets = shown.split("\n")
    assert head.startswith("t.rubric:10:7: error[E101]: unexpected 'dedcut'")
    assert echo == '  10 |       dedcut 5 "x"'
    assert carets == "             ^^^^^^"
    assert render(compilation.diagnostics[0], source) == shown
