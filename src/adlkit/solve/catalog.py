"""The catalogue of problem types and concept topics (``adlkit types``, ``GET /api/types``).

Everything comes from the units (:mod:`adlkit.solve.unit`) and the topic files
(:mod:`adlkit.solve.topics`), so a type added later is listed without any edit here.
"""

from __future__ import annotations

from typing import Any

from adlkit.core.numbers import jsonable
from adlkit.solve.registry import problem_types
from adlkit.solve.topics import topics
from adlkit.solve.unit import ProblemType


def _default(value: Any) -> Any:
    """A parameter's default as JSON: None when required, a value, or its words."""
    value = jsonable(value)
    return value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)


def describe_type(unit: ProblemType) -> dict[str, Any]:
    """One type as the contract's JSON: ``module`` is the first course module whose papers ask
    it (every type lists at least one; ``concept``, asked in all, says 1)."""
    return {
        "name": unit.name,
        "module": min(unit.modules),
        "summary": unit.summary,
        "parameters": [{"name": p.name, "kind": p.kind, "default": _default(p.describe_default()), "help": p.help}
                       for p in unit.parameters],
        "answers": list(unit.answers),
    }


def catalog() -> dict[str, Any]:
    """``{"types": [...], "topics": [...]}``: every registered type, in the registry's order
    (course module, then name), and every concept topic id."""
    return {"types": [describe_type(u) for u in problem_types().values()], "topics": list(topics())}


def render_text(data: dict[str, Any] | None = None) -> str:
    """The catalogue for the terminal: one block per type, then the topic ids."""
    data = data or catalog()
    lines: list[str] = []
    for t in data["types"]:
        lines.append(f"{t['name']}  (module {t['module']}): {t['summary']}")
        width = max((len(p["name"]) for p in t["parameters"]), default=0)
        for p in t["parameters"]:
            default = "required" if p["default"] is None else f"default {p['default']!r}"
            lines.append(f"    {p['name'].ljust(width)}  {p['kind']:<12} {p['help']} ({default})")
        lines.append(f"    answers: {', '.join(t['answers'])}")
        lines.append("")
    lines.append(f"concept topics ({len(data['topics'])}): {', '.join(data['topics'])}")
    return "\n".join(lines) + "\n"
