"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from . import BuildContext


def value(context: BuildContext) -> dict:
    return context.exported
