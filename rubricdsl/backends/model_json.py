"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from ..export import to_json
from . import BuildContext
from .templating import render as render_template


def render(context: BuildContext) -> str:
    data = to_json(context.rubric, path=context.source_path, sha256=context.sha256)
    return render_template("model.json.j2", model=data)
