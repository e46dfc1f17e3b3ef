"""The worked-solution engine: specs in, worked solutions out (see ../shared/CONTRACT.md).

    >>> from adlkit.solve import solve_one
    >>> sol = solve_one("coupling", x=[1, 1], s="0.5*x1", t="2*x1 + 1")
    >>> round(sol.answers["log_det"], 6)
    0.5
"""

from __future__ import annotations

import sys as _sys
import types as _types
from pathlib import Path
from typing import Any

from adlkit.solve.model import Solution, SolvedSheet, Step
from adlkit.solve.spec import Fields, SpecError

__all__ = ["Solution", "SolvedSheet", "Step", "SpecError", "solve_one", "solve_spec",
           "validate_spec", "bundled_exam_path", "bundled_exams"]

_EXAMS = Path(__file__).parent / "exams"


def bundled_exam_path() -> Path:
    """The exam of the seed sheet, shipped inside the package."""
    return _EXAMS / "seed.yaml"


def bundled_exams() -> dict[str, Path]:
    """Every spec shipped in the package, by name (the file's stem): ``seed``, the exam of the
    seed sheet, first, then one example sheet per course module (``module05_flows``, ...)."""
    paths = sorted(_EXAMS.glob("*.yaml"), key=lambda q: (q.stem != "seed", q.stem))
    return {q.stem: q for q in paths}


def validate_spec(data: dict[str, Any]) -> tuple[str, list[tuple[str, str, dict[str, Any]]]]:
    """Validate a whole spec. Returns ``(title, [(id, type, params), ...])`` or raises
    :class:`SpecError` listing every fault of every problem."""
    from adlkit.solve.registry import problem_types

    registry = problem_types()
    errors: list[str] = []
    title = data.get("title", "")
    if title is None:
        title = ""
    if not isinstance(title, (str, int, float)):
        errors.append("spec: field 'title' must be text")
    extra = set(data) - {"title", "problems"}
    for k in sorted(extra):
        errors.append(f"spec: field '{k}' is not allowed at the top level (expected 'title', 'problems')")
    problems = data.get("problems")
    if not isinstance(problems, list) or not problems:
        errors.append("spec: field 'problems' must be a non-empty list")
        raise SpecError(errors)
    parsed: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, raw in enumerate(problems, start=1):
        pid = f"p{i}"
        if not isinstance(raw, dict):
            errors.append(f"{pid}: must be a mapping with a 'type', got {raw!r}")
            continue
        if "id" in raw:
            if not isinstance(raw["id"], (str, int)) or isinstance(raw["id"], bool) or str(raw["id"]).strip() == "":
                errors.append(f"{pid}: field 'id' must be a non-empty string, got {raw['id']!r}")
            else:
                pid = str(raw["id"])
        if pid in seen:
            errors.append(f"{pid}: field 'id' is used by more than one problem")
        seen.add(pid)
        if "note" in raw and raw["note"] is not None and not isinstance(raw["note"], str):
            errors.append(f"{pid}: field 'note' must be text, got {raw['note']!r}")
        ptype = raw.get("type")
        if ptype not in registry:
            known = ", ".join(sorted(registry))
            errors.append(f"{pid}: field 'type' must be one of {known}, got {ptype!r}")
            continue
        n_before = len(errors)
        unit = registry[ptype]
        params = unit.read(Fields(pid, raw, errors, unit.parameters))
        if len(errors) == n_before:
            parsed.append((pid, ptype, params))
    if errors:
        raise SpecError(errors)
    return str(title), parsed


def solve_spec(data: dict[str, Any]) -> SolvedSheet:
    """Validate then solve every problem of a spec dict (CONTRACT.md)."""
    from adlkit.solve.registry import problem_types

    title, parsed = validate_spec(data)
    registry = problem_types()
    results = []
    for pid, ptype, params in parsed:
        sol = registry[ptype].solve(pid, params)
        sol.params = params  # what its figures are drawn from (Jupyter's display)
        results.append(sol)
    return SolvedSheet(title, results)


def solve_file(path: str | Path) -> SolvedSheet:
    from adlkit.solve.spec import load_spec_file

    return solve_spec(load_spec_file(path))


def solve_one(problem_type: str, id: str = "p1", **params: Any) -> Solution:
    """Solve one problem given as keyword parameters (same validation as a spec file)."""
    sheet = solve_spec({"problems": [{"id": id, "type": problem_type, **params}]})
    return sheet.results[0]


class _CallableModule(_types.ModuleType):
    """``adlkit.solve`` is this package AND the function of the README: importing the
    subpackage replaces the attribute ``adlkit.solve``, so the package itself is callable."""

    def __call__(self, problem_type: str, **params: Any) -> Solution:
        """Solve one problem from Python: ``adlkit.solve("kl", p="N(3, 2)", q="N(4, 1)")``;
        bad input raises :class:`adlkit.solve.SpecError` with the CLI's messages."""
        return solve_one(problem_type, **params)


_sys.modules[__name__].__class__ = _CallableModule
