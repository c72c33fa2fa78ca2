"""generated/<id>/model.json: the compiled model, as `rubricdsl inspect` prints it."""

from __future__ import annotations

from ..export import indented_json_bytes
from . import BuildContext


def data(context: BuildContext) -> bytes:
    """The file's bytes: written straight from the model, no template
    between (a 300x model is 40 MB)."""
    return indented_json_bytes(context.exported) + b"\n"
