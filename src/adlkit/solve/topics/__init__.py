"""Concept topics: the course's short prose questions, answered by us, one file per module.

Each module file (``gans.py``, ``language.py``, ...) defines ``MODULE`` (its course module
number, 1..11) and ``TOPICS``: topic id -> :class:`Concept`. :func:`topics` collects every file
of this package; a new module's topics need a new file here and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    """One topic: the question, a summary that answers it, and the points (text, LaTeX or "")
    that the worked solution lists as its steps. ``module`` is filled in from the file."""

    question: str
    summary: str
    points: tuple[tuple[str, str], ...]
    module: int = 0


_TOPICS: dict[str, Concept] = {}


def topics() -> dict[str, Concept]:
    """Every concept topic by id, ordered by course module, then as each file lists them."""
    if not _TOPICS:
        found: list[tuple[int, str, Concept]] = []
        for info in pkgutil.iter_modules(__path__):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            for i, (key, c) in enumerate(mod.TOPICS.items()):
                if any(key == k for _, k, _ in found):
                    raise ValueError(f"concept topic {key!r} defined twice")
                found.append((mod.MODULE * 10_000 + i, key, Concept(c.question, c.summary, c.points, mod.MODULE)))
        _TOPICS.update({k: c for _, k, c in sorted(found, key=lambda t: t[0])})
    return _TOPICS
