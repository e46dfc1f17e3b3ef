"""Printers of worked solutions: ``text`` (terminal), ``markdown`` (LaTeX math), ``json``,
``html`` (one self-contained page with MathML).

Each printer module has ``render_sheet(sheet) -> str``; :data:`PRINTERS` maps format names to
module names (imported on demand).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PRINTERS: dict[str, str] = {
    "text": "adlkit.solve.printers.text",
    "markdown": "adlkit.solve.printers.markdown",
    "json": "adlkit.solve.printers.json_",
    "html": "adlkit.solve.printers.html",
}


def get_printer(fmt: str) -> Callable:
    return importlib.import_module(PRINTERS[fmt]).render_sheet
