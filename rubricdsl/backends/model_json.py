"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from . import BuildContext
from .templating import render as render_template


TEMPLATE = "model.json.j2"


def view(context: BuildContext) -> dict:
    return {"model": context.exported}


def render(context: BuildContext) -> str:
    return render_template(TEMPLATE, **view(context))
