"""A problem type as one unit: everything the front ends need to know about it.

One module under :mod:`adlkit.solve.problems` defines one :class:`ProblemType` named ``UNIT``;
the registry (:mod:`adlkit.solve.registry`) collects them. The spec reader, ``adlkit check``,
the figures (and the exports and web forms to come) read everything from the unit, never from a
table of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param, Params
from adlkit.solve.spec import Fields

if TYPE_CHECKING:
    from adlkit.solve.slips import SlipRule

#: The eleven modules of the course, by number (CONTRACT.md, "Course types").
COURSE_MODULES: dict[int, str] = {
    1: "introduction",
    2: "PCA variants",
    3: "autoencoders",
    4: "autoregressive models",
    5: "normalizing flows",
    6: "variational inference",
    7: "GANs",
    8: "diffusion",
    9: "energy- and score-based models",
    10: "language modelling",
    11: "time series",
}

#: A figure: (solution, validated parameters, output directory) -> {name: PNG file name}.
FigureFn = Callable[[Solution, Params, Path], dict[str, str]]
#: How an answer in nats reads when its logs are taken in another base: (answers, ln b) -> value.
NatsFn = Callable[[dict[str, Any], float], Any]


def in_nats(*keys: str) -> dict[str, NatsFn]:
    """The answer ``keys`` whose whole value is in nats: in base b it is divided by ln b."""
    return {k: (lambda a, ln, k=k: a[k] / ln) for k in keys}


@dataclass(frozen=True)
class ProblemType:
    """One problem type.

    - ``parameters``: the schema, in reading order (a parameter may depend on earlier ones);
    - ``parse(fields, params) -> params``: the checks that span several fields, after every
      field was read through its schema entry (optional);
    - ``solve(id, params) -> Solution``: through the library component CONTRACT.md names;
    - ``statement(params) -> str``: the question in words, from the validated parameters;
    - ``answers``: the answer keys ``solve`` returns; ``nats``: those in nats, with how each
      reads in another log base (for the log-base slips);
    - ``slips``: the mistaken conventions ``adlkit check`` re-solves with, in the order tried;
    - ``figures``: what ``--out DIR`` draws; ``example``: raw parameters, as a spec gives them;
    - ``marked``: False when the answers are prose, which ``adlkit check`` does not mark;
    - ``modules``: the course modules (1..11, see :data:`COURSE_MODULES`) whose papers ask it.
    """

    name: str
    summary: str
    parameters: tuple[Param, ...]
    solve: Callable[[str, Params], Solution]
    statement: Callable[[Params], str]
    answers: tuple[str, ...]
    example: dict[str, Any]
    parse: Callable[[Fields, Params], Params] | None = None
    nats: Mapping[str, NatsFn] = field(default_factory=dict)
    slips: tuple[SlipRule, ...] = ()
    figures: tuple[FigureFn, ...] = ()
    marked: bool = True
    modules: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.modules or any(m not in COURSE_MODULES for m in self.modules):
            raise ValueError(f"problem type {self.name!r}: modules must be course module numbers 1..11")
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"problem type {self.name!r}: a parameter is listed twice")
        unknown = set(self.nats) - set(self.answers)
        if unknown:
            raise ValueError(f"problem type {self.name!r}: nats keys {sorted(unknown)} are not answer keys")

    def param(self, name: str) -> Param:
        return next(p for p in self.parameters if p.name == name)

    def read(self, fields: Fields) -> Params:
        """Validate one problem: every parameter through its schema entry (those whose ``when``
        holds), then :attr:`parse`, then the fields that are not parameters. Faults go to
        ``fields.errors``."""
        for p in self.parameters:
            if p.when is None or p.when(fields):
                fields.read(p.name)
        params = dict(fields.values)
        if self.parse is not None:
            params = self.parse(fields, params)
        fields.finish()
        return params

    def draw(self, seed: int) -> dict[str, Any]:
        """Raw parameters drawn at random, in the spec's form; the same seed draws the same."""
        rng = np.random.default_rng(seed)
        drawn: dict[str, Any] = {}
        for p in self.parameters:
            if p.draw is None:
                continue
            v = p.draw(rng, drawn)
            if v is not OMIT:
                drawn[p.name] = v
        return drawn
