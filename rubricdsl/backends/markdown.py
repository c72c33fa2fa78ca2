"""Escaping a rubric's texts for GitHub-flavoured Markdown.

A rubric text is data, never markup: `|` must not end a table cell, `*` must
not start emphasis, `<img>` must not become HTML, a line break must not end
a table row.  `inline` makes a text print as itself anywhere inline (a table
cell, a list item, a heading); `comment` makes a value safe inside an HTML
comment.  The templates use them as the filters `md` and `md_comment`.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

# Characters that open or close inline Markdown anywhere in a line: escapes,
# code spans, emphasis, links and images, HTML and autolinks, entities, GFM
# table cells and strikethrough, and GitHub's inline maths.
_INLINE_ACTIVE = "\\`*_[]<>&|~$"
_ESCAPED = str.maketrans({char: "\\" + char for char in _INLINE_ACTIVE})
_HAS_ACTIVE = re.compile("[" + re.escape(_INLINE_ACTIVE) + "]")
# What makes a line a block when it stands at its start (after any
# indentation, which _escape_line writes as character references): headings, lists,
# thematic breaks and setext underlines (`#`, `-`, `+`, `=`; `>`, `*` and `_`
# are escaped everywhere already), and ordered list markers (`1.`, `1)`)
# when a space or the end of the line follows.
_BLOCK_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d{1,9})([.)])(?=\s|$))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


_INDENT = re.compile(r"^[ \t]+")
_INDENT_ENTITIES = {" ": "&#32;", "\t": "&#9;"}


def _escape_line(line: str) -> str:
    if _HAS_ACTIVE.search(line) is not None:
        line = line.translate(_ESCAPED)
    match = _BLOCK_START.match(line)
    if match:
        indent, marker, digits, delimiter = match.groups()
        if marker:
            line = f"{indent}\\{marker}{line[match.end():]}"
        else:
            line = f"{indent}{digits}\\{delimiter}{line[match.end():]}"
    # Indentation as character references: four spaces at the start of a
    # list item's text (`- {{ note }}`) make it a code block, and a table
    # cell would drop them.  A reference is text, never indentation.
    if line.startswith((" ", "\t")):
        return _INDENT.sub(lambda m: "".join(_INDENT_ENTITIES[ch] for ch in m.group()), line)
    return line


def inline(text: str) -> str:
    """`text` as inline Markdown that renders as exactly `text`; its line
    breaks become `<br>`, the only line break a table cell can hold."""
    if "\n" not in text and "\r" not in text:
        return _escape_line(text)
    return "<br>".join(_escape_line(line) for line in _LINE_BREAK.split(text))


def comment(text: str) -> str:
    """`text` safe inside `<!-- ... -->`: no `--` (which would end it), no
    line breaks."""
    text = _LINE_BREAK.sub(" ", text)
    while "--" in text:
        text = text.replace("--", "-\u2010")
    return text


class Strong(str):
    """A cell text to be set in bold (a subtotal, a total)."""


def table(rows: Iterable[Sequence[str]], header: Sequence[str], right: Sequence[int] = ()) -> str:
    """A GFM table of plain-text cells, without a trailing newline.  Columns
    whose index is in `right` are right-aligned (numbers)."""

    def line(cells: Sequence[str]) -> str:
        if len(cells) != len(header):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(header)} columns: {list(cells)}")
        # Most cells of a sheet's rows are blank: not escaped one by one.
        shown = [(f"**{inline(cell)}**" if isinstance(cell, Strong) else inline(cell)) if cell else "" for cell in cells]
        return "| " + " | ".join(shown) + " |"

    delimiter = "| " + " | ".join("---:" if index in right else "---" for index in range(len(header))) + " |"
    return "\n".join([line(header), delimiter, *(line(cells) for cells in rows)])
