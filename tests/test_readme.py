"""The README's language reference: every example in it parses."""

from __future__ import annotations

import re

from rubricdsl.frontend import compile_source

from .conftest import ROOT

HEAD = 'rubric demo\n  title "D"\n  version "1"\n  full marks 10\n  pass at 6\n'


def language_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The language") : readme.index("## The command line")]
    return re.findall(r"^```\n(.*?)^```", section, flags=re.S | re.M)


def as_rubric(example: str) -> str:
    """An example as a whole rubric: fragments get a header and a section."""
    first = example.lstrip().split(None, 1)[0]
    if first in ("rubric", "#"):
        return example
    if first in ("section", "condition", "policy"):
        return HEAD + example
    return HEAD + 'section s "S" points 10\n' + example


def test_every_language_example_parses() -> None:
    examples = language_examples()
    assert len(examples) >= 8
    for example in examples:
        compilation = compile_source(as_rubric(example), "README.md")
        syntax = [d for d in compilation.diagnostics if d.code.startswith("E1")]
        assert syntax == [], f"{syntax}\n{example}"
        assert compilation.rubric is not None
