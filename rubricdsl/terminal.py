"""Text bound for a terminal: the rubric's own words, never its commands.

A rubric's texts (and a findings file's organisation name, and a file name)
are anyone's Unicode.  Written to a terminal as they are, an escape sequence
in them clears the screen or retitles the window, and a bidi override makes a
line read differently from what it holds (as in "Trojan Source").  Every
command that prints such text to a terminal passes it through `printable`;
JSON output does not need to, since JSON escapes control characters itself.
"""

from __future__ import annotations

import re

# C0 controls except line feed and tab, DEL, C1 controls, and the bidi
# embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character but line feed and tab, and every
    bidi embedding, override and isolate, shown as an escape: ESC as `\\x1b`,
    U+202E as `\\u202e`.  Everything else, CJK included, is left as it is; a
    backslash already in the text is not doubled, so the result is for
    reading, not for parsing back."""
    return _UNSAFE.sub(_escaped, text)
