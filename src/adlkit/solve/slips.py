"""Slips: the mistaken conventions ``adlkit check`` re-solves a problem with.

A :class:`SlipRule` yields candidate ``(detail, value)`` pairs for one answer key: each value
is the engine's answer under the mistaken convention, computed by RE-SOLVING the problem with
one field changed (:func:`resolve`) or, for the log base, by converting the engine's answer in
nats; never from a table of wrong numbers. A problem type lists its rules in its unit
(:attr:`adlkit.solve.unit.ProblemType.slips`), in the order they are tried; the generic rules
are made here by factories that the unit calls with its own fields.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adlkit.solve import solve_spec
from adlkit.solve.spec import SpecError, variance_spelled

if TYPE_CHECKING:
    from adlkit.solve.unit import ProblemType

Problem = dict[str, Any]  # a raw spec problem (id, type and parameters as written)
#: (raw problem, answer key, right answers, its unit) -> candidate (detail, value) pairs
Candidates = Callable[[Problem, str, dict[str, Any], "ProblemType"], Iterable[tuple[str, Any]]]


@dataclass(frozen=True)
class SlipRule:
    name: str  # stable identifier, e.g. "kl_direction"
    label: str  # what the student did, in words
    keys: tuple[str, ...]  # the answer keys it can explain; () for any
    candidates: Candidates


#: the answers of the last re-solved problems, by their JSON text: an export asks every answer key
#: of a problem for its slips, and each key re-solves the same changed problem
_RESOLVED: dict[str, dict[str, Any] | None] = {}
RESOLVED_SIZE = 256


def _answers(problem: Problem) -> dict[str, Any] | None:
    try:
        text: str | None = json.dumps(problem)
    except (TypeError, ValueError):  # not plain JSON data: solved every time
        text = None
    if text is not None and text in _RESOLVED:
        return _RESOLVED[text]
    try:
        answers: dict[str, Any] | None = solve_spec({"problems": [problem]}).results[0].answers
    except SpecError:
        answers = None
    if text is not None:
        if len(_RESOLVED) >= RESOLVED_SIZE:
            _RESOLVED.pop(next(iter(_RESOLVED)))
        _RESOLVED[text] = answers
    return answers


def resolve(problem: Problem, key: str) -> Any:
    """The answer ``key`` of a (modified) raw problem, solved by the engine; None if invalid.
    The same problem (the same JSON text) is solved once (:data:`RESOLVED_SIZE` kept); each call
    gets its own copy of the value."""
    answers = _answers(problem)
    return None if answers is None else copy.deepcopy(answers.get(key))


def variance_as_std(*fields: str) -> SlipRule:
    """The Gaussians of ``fields`` given by their VARIANCE, read as standard deviations: all of
    them at once (when more than one), then each alone."""

    def candidates(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
        found = [(k, g) for k, g in ((k, variance_spelled(v)) for k, v in problem.items() if k in fields)
                 if g is not None]
        groups = ([found] if len(found) > 1 else []) + [[f] for f in found]
        for group in groups:
            p = copy.deepcopy(problem)
            for k, g in group:
                p[k] = {"mean": g.mean, "std": g.var}
            what = ", ".join(f"{k} = N({g.mean:g}, {g.var:g}) as standard deviation {g.var:g} "
                             f"(variance {g.var * g.var:g})" for k, g in group)
            yield f"re-solved reading {what}", resolve(p, key)

    return SlipRule("variance_as_std", "variance taken as standard deviation", (), candidates)


def swapped(name: str, label: str, a: str, b: str, keys: tuple[str, ...]) -> SlipRule:
    """The fields ``a`` and ``b`` exchanged (p and q of a KL, p_data and p_g of D*)."""

    def candidates(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
        if a in problem and b in problem:
            p = copy.deepcopy(problem)
            p[a], p[b] = problem[b], problem[a]
            yield f"re-solved with {a} and {b} swapped", resolve(p, key)

    return SlipRule(name, label, keys, candidates)


def log_base(base: int) -> SlipRule:
    """Logs in base ``base`` instead of e, for the answer keys the unit gives in nats."""
    ln = math.log(float(base))

    def candidates(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
        convert = unit.nats.get(key)
        value = answers.get(key)
        if convert is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            yield f"the engine's logs (nats) divided by ln {base}", convert(answers, ln)

    return SlipRule(f"log_base_{base}", f"log base {base} instead of natural log (e)", (), candidates)


LOG_BASES = (log_base(2), log_base(10))
