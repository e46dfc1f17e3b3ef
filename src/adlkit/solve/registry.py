"""The registry of problem types: one module per type registers a :class:`ProblemType`.

A type has a ``parse`` function (raw fields -> validated parameters, through
:class:`adlkit.solve.spec.Fields`) and a ``solve`` function (parameters -> Solution). Dispatch is
by name through :data:`PROBLEMS`, never an if-chain.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adlkit.solve.model import Solution
from adlkit.solve.spec import Fields


@dataclass(frozen=True)
class ProblemType:
    name: str
    parse: Callable[[Fields], dict[str, Any]]
    solve: Callable[[str, dict[str, Any]], Solution]
    summary: str = ""


PROBLEMS: dict[str, ProblemType] = {}

# Modules that register problem types (imported on first use of the registry).
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
_loaded = False


def register(name: str, parse: Callable[[Fields], dict[str, Any]],
             solve: Callable[[str, dict[str, Any]], Solution], summary: str = "") -> ProblemType:
    """Register a problem type under ``name`` (called once, at the end of its module)."""
    if name in PROBLEMS:
        raise ValueError(f"problem type {name!r} registered twice")
    PROBLEMS[name] = ProblemType(name, parse, solve, summary)
    return PROBLEMS[name]


def problem_types() -> dict[str, ProblemType]:
    global _loaded
    if not _loaded:
        for m in PROBLEM_MODULES:
            importlib.import_module(m)
        _loaded = True
    return PROBLEMS
