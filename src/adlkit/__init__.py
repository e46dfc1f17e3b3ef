"""adlkit: Advanced Deep Learning, executable.

A worked-solution engine for the course's question families (``adlkit.solve``) and the
real models behind the questions (flows, Bernoulli pixel models, word2vec, GloVe, GANs,
VAEs, energy-based models, divergences). Heavy submodules are imported lazily.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["solve", "__version__"]


def solve(problem_type: str, **params):
    """Solve one problem from Python: ``adlkit.solve("kl", p="N(3, 2)", q="N(4, 1)")``.

    Same validation as the CLI: bad input raises :class:`adlkit.solve.SpecError` naming the
    field. Returns a :class:`adlkit.solve.model.Solution`.
    """
    from adlkit.solve import solve_one

    return solve_one(problem_type, **params)
