"""adlkit: Advanced Deep Learning, executable.

A worked-solution engine for the course's question families (``adlkit.solve``) and the
real models behind the questions (flows, Bernoulli pixel models, word2vec, GloVe, GANs,
VAEs, energy-based models, divergences). Heavy submodules are imported lazily.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["solve", "__version__"]


def __getattr__(name: str):
    # ``adlkit.solve`` is the subpackage, which is callable: ``adlkit.solve("kl", ...)`` solves
    # one problem and ``adlkit.solve.SpecError`` is its error. (A function named ``solve`` here
    # would be replaced by the subpackage as soon as anything imported it.)
    if name == "solve":
        import importlib

        return importlib.import_module("adlkit.solve")
    raise AttributeError(f"module 'adlkit' has no attribute {name!r}")
