"""Named terms of closed-form formulas.

Library formulas (KL divergences, Wasserstein distances, losses, ...) return their result as a
:class:`Terms` object: an ordered list of named :class:`Term` values whose sum (or other stated
combination) is the answer. The worked-solution engine turns each term into one step, so the
steps shown to a student are exactly the computation the library performs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """One named term: ``value`` with its symbolic ``latex`` formula and a ``substituted``
    LaTeX form (the formula with the numbers put in), both optional."""

    name: str
    value: float
    latex: str = ""
    substituted: str = ""


@dataclass
class Terms:
    """Ordered named terms whose ``total`` is the result; ``latex`` is the whole formula."""

    terms: list[Term] = field(default_factory=list)
    total: float = 0.0
    latex: str = ""

    def __getitem__(self, name: str) -> Term:
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(name)

    def __iter__(self):
        return iter(self.terms)

    def __float__(self) -> float:
        return float(self.total)
