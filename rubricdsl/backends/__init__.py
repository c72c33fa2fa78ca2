"""Backends: each turns a checked rubric into one generated file.

`outputs()` lists them, one entry per file of `generated/<rubric id>/`.  A
backend is a function `render(context: BuildContext) -> str`; every text
backend writes through a Jinja template of templating.ENVIRONMENT.  The one
binary file, workbook.xlsx, is bytes written by XlsxWriter (workbook.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from ..frontend import Compilation
from ..model import Rubric


@dataclass(frozen=True)
class BuildContext:
    """What every backend knows: the model, where it came from, and who made it."""

    rubric: Rubric
    source_path: str  # as given, in POSIX form, relative where possible
    sha256: str

    @cached_property  # lowered once, however many backends render it
    def plan(self):
        from ..plan import lower

        return lower(self.rubric)

    @cached_property  # rendered once for scorer.py and the workbook's cached values
    def scorer_source(self) -> str:
        from .scorer import render

        return render(self)

    @cached_property
    def scorer(self):
        """The generated scorer, run as a module in memory."""
        from ..scoring import scorer_module

        return scorer_module(self.scorer_source, self.rubric.id, self.source_path)

    @classmethod
    def of(cls, compilation: Compilation, source_path: str) -> "BuildContext":
        assert compilation.rubric is not None
        return cls(compilation.rubric, source_path, compilation.sha256)


@dataclass(frozen=True)
class Output:
    filename: str
    render: Callable[[BuildContext], str | bytes]


def outputs() -> list[Output]:
    """Every generated file, in build order."""
    from . import model_json
    from . import sheet
    from . import form
    from . import findings_schema, scorer, workbook

    return [
        Output("model.json", model_json.render),
        Output("sheet.md", sheet.render),
        Output("form.html", form.render),
        Output("scorer.py", lambda context: context.scorer_source),
        Output("findings.schema.json", findings_schema.render),
        Output("workbook.xlsx", workbook.render),
    ]
