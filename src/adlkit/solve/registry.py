"""The registry of problem types: the :class:`~adlkit.solve.unit.ProblemType` units, by name.

Each module of :data:`PROBLEM_MODULES` defines one unit named ``UNIT`` (its schema, parse,
solve, statement, answer keys, slips, figures and example). Dispatch is by name through
:func:`problem_types`, never an if-chain.
"""

from __future__ import annotations

import importlib

from adlkit.solve.unit import ProblemType

# The modules of the problem types (imported on first use of the registry), in the order
# `adlkit types` will list them.
PROBLEM_MODULES = [
    "adlkit.solve.problems.coupling",
    "adlkit.solve.problems.bernoulli_mle",
    "adlkit.solve.problems.word2vec",
    "adlkit.solve.problems.concept",
    "adlkit.solve.problems.lipschitz",
    "adlkit.solve.problems.wasserstein",
    "adlkit.solve.problems.kl",
    "adlkit.solve.problems.jsd",
    "adlkit.solve.problems.partition_function",
    "adlkit.solve.problems.optimal_discriminator",
    "adlkit.solve.problems.vae_loss",
]
_PROBLEMS: dict[str, ProblemType] = {}


def problem_types() -> dict[str, ProblemType]:
    """Every registered problem type, by name."""
    if not _PROBLEMS:
        units: dict[str, ProblemType] = {}
        for m in PROBLEM_MODULES:
            unit = importlib.import_module(m).UNIT
            if unit.name in units:
                raise ValueError(f"problem type {unit.name!r} defined twice")
            units[unit.name] = unit
        _PROBLEMS.update(units)
    return _PROBLEMS


def get(name: str) -> ProblemType:
    """The problem type ``name`` (KeyError when there is none)."""
    return problem_types()[name]
