"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from . import BuildContext
from .templating import render as render_template


TEMPLATE = "model.json.j2"


def view(context: BuildContext) -> dict:
    """The model's JSON in pieces (export.indented_json_pieces): never held
    whole."""
    from ..export import indented_json_pieces

    return {"pieces": indented_json_pieces(context.exported)}


def render(context: BuildContext) -> str:
    return render_template(TEMPLATE, **view(context))
