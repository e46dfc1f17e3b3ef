"""JSON printer: exactly the object of CONTRACT.md (plain floats, "inf" for infinity)."""

from __future__ import annotations

import json

from adlkit.solve.model import SolvedSheet


def render_sheet(sheet: SolvedSheet) -> str:
    return json.dumps(sheet.to_dict(), ensure_ascii=False, allow_nan=False)
