"""The registry of problem types: the :class:`~adlkit.solve.unit.ProblemType` units, by name.

Each module of :data:`PROBLEM_MODULES` defines one unit named ``UNIT`` (its schema, parse,
solve, statement, answer keys, slips, figures and example). Dispatch is by name through
:func:`problem_types`, never an if-chain.
"""

from __future__ import annotations

import importlib
import pkgutil

from adlkit.solve import problems
from adlkit.solve.unit import COURSE_MODULES, ProblemType

# The modules of the problem types: every module of the package adlkit.solve.problems (a new
# type is a new file there and nothing else). `problem_types()` orders the units by course module,
# then by name.
PROBLEM_MODULES = sorted(
    f"{problems.__name__}.{info.name}" for info in pkgutil.iter_modules(problems.__path__)
    if not info.name.startswith("_")
)
_PROBLEMS: dict[str, ProblemType] = {}


def _order(item: tuple[str, ProblemType]) -> tuple[bool, int, str]:
    """By course module, then name; a type asked in every module (``concept``) last."""
    name, unit = item
    return (len(unit.modules) == len(COURSE_MODULES), min(unit.modules), name)


def problem_types() -> dict[str, ProblemType]:
    """Every registered problem type, by name."""
    if not _PROBLEMS:
        units: dict[str, ProblemType] = {}
        for m in PROBLEM_MODULES:
            unit = importlib.import_module(m).UNIT
            if unit.name in units:
                raise ValueError(f"problem type {unit.name!r} defined twice")
            units[unit.name] = unit
        _PROBLEMS.update(sorted(units.items(), key=_order))
    return _PROBLEMS


def get(name: str) -> ProblemType:
    """The problem type ``name`` (KeyError when there is none)."""
    return problem_types()[name]
