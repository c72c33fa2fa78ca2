"""Backends: each turns a checked rubric into one generated file.

`outputs()` lists them, one entry per file of `generated/<rubric id>/`.  A
backend module has its TEMPLATE, a Jinja template of templating.ENVIRONMENT,
and `view(context: BuildContext) -> dict`, the values that template is
rendered with (an `Output`).  The one binary file, workbook.xlsx, is a zip
of XML parts, each rendered from its template in templates/workbook/ (a
`BinaryOutput` of backends/workbook.py).
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterator

from ..frontend import Compilation
from ..model import Rubric
from ..records import record


@record(frozen=True)
class BuildContext:
    """What every backend knows: the model, where it came from, and who made it."""

    rubric: Rubric
    source_path: str  # as given, in POSIX form, relative where possible
    sha256: str

    @cached_property  # lowered once, however many backends render it
    def plan(self):
        from ..plan import lower

        return lower(self.rubric, self.exported)

    @cached_property  # exported once: model.json, the form and the plan's hash
    def exported(self) -> dict:
        """The model as `rubricdsl inspect` prints it (export.to_json); not
        to be changed by a backend."""
        from ..export import to_json

        return to_json(self.rubric, path=self.source_path, sha256=self.sha256)

    @cached_property  # serialized once for the form and the panel page
    def page_plan_json(self):
        """The scoring plan's JSON as the pages embed it, in pieces
        (form.script_json_pieces), its sections made one at a time."""
        from ..plan import plan_json_head, sections_json
        from .form import script_json_pieces

        return script_json_pieces({**plan_json_head(self.plan, self.sha256), "sections": sections_json(self.plan)})

    @cached_property  # rendered once for scorer.py and the workbook's cached values
    def scorer_utf8(self) -> bytes:
        """scorer.py's text as UTF-8 (a 300x rubric's is 41 MB, held as
        str it took 146 MB)."""
        from .scorer import TEMPLATE, view
        from .templating import render_utf8

        return render_utf8(TEMPLATE, **view(self))

    @cached_property
    def blank_result(self) -> dict:
        """The generated scorer's result of blank findings (nothing
        recorded, scored partial): what the workbook's formula cells cache.
        The scorer is run as a module in memory from scorer.py's text, and
        let go once it has scored them; the result is kept in the user's
        cache folder for the next build of the same scorer
        (scorer_cache.blank_result)."""
        from ..scorer_cache import blank_result
        from ..workbook_layout import blank_findings

        return blank_result(self.scorer_utf8, self.rubric.id, self.source_path, blank_findings(self.plan))

    def forget(self, product: str, still_read=()) -> None:
        """Lets one of the cached products above go: a build lets the
        model's export and the pages' plan go once the files that read them
        are written (at 300x, 110 MB the workbook need not share memory
        with), and scorer.py's text once it is written.  A product that is
        still to be read (`still_read`) and made from the one let go is made
        first.  Asked for again, a product is made again."""
        assert isinstance(getattr(type(self), product, None), cached_property), product
        for later in still_read:
            if _MADE_FROM.get(later) == product:
                getattr(self, later)
        self.__dict__.pop(product, None)

    @classmethod
    def of(cls, compilation: Compilation, source_path: str) -> "BuildContext":
        assert compilation.rubric is not None
        return cls(compilation.rubric, source_path, compilation.sha256)


# The products made from another, which must be made before it is let go.
_MADE_FROM = {"blank_result": "scorer_utf8"}


@record(frozen=True)
class Output:
    """One generated file: its template and the values `view` gives it.
    `reads`: the products of BuildContext that only some files use, which
    a build can forget once every file reading them is written (one read
    but not named here is made again: slower, never wrong)."""

    filename: str
    template: str
    view: Callable[[BuildContext], dict]
    reads: tuple[str, ...] = ()

    def render(self, context: BuildContext) -> str:
        from .templating import render

        return render(self.template, **self.view(context))

    def data(self, context: BuildContext) -> bytes:
        """The file's bytes: the text as UTF-8, encoded as it is rendered."""
        return b"".join(self.blocks(context))

    def blocks(self, context: BuildContext) -> Iterator[bytes]:
        """The same bytes a block at a time, as the template renders them."""
        from .templating import render_blocks

        return render_blocks(self.template, **self.view(context))


@record(frozen=True)
class BinaryOutput:
    """One generated binary file, made by a function of the context."""

    filename: str
    write: Callable[[BuildContext], bytes]
    reads: tuple[str, ...] = ()

    def data(self, context: BuildContext) -> bytes:
        return self.write(context)

    def blocks(self, context: BuildContext) -> Iterator[bytes]:
        yield self.write(context)


def outputs() -> list[Output | BinaryOutput]:
    """Every generated file, in build order."""
    from . import model_json
    from . import sheet
    from . import form
    from . import panel
    from . import findings_schema, scorer, workbook

    return [
        Output("model.json", model_json.TEMPLATE, model_json.view, reads=("exported",)),
        Output("sheet.md", sheet.TEMPLATE, sheet.view),
        Output("form.html", form.TEMPLATE, form.view, reads=("exported", "page_plan_json")),
        Output("panel.html", panel.TEMPLATE, panel.view, reads=("exported", "page_plan_json")),
        BinaryOutput("scorer.py", lambda context: context.scorer_utf8, reads=("scorer_utf8",)),
        Output("findings.schema.json", findings_schema.TEMPLATE, findings_schema.view),
        BinaryOutput("workbook.xlsx", workbook.render, reads=("blank_result",)),
    ]
