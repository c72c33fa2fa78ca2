"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from . import BuildContext
from .templating import render as render_template


def render(context: BuildContext) -> str:
    return render_template("model.json.j2", model=context.exported)
