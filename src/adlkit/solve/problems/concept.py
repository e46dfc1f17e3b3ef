"""Problem type ``concept``: the sheet's short prose questions (2C, 2D, 4C), answered by us.

``adlkit explain <topic>`` later backs each answer with measurements from trained models.
"""

from __future__ import annotations

from typing import Any

from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.topics import topics
from adlkit.solve.unit import COURSE_MODULES, ProblemType

CONCEPTS = topics()

PARAMETERS = (
    Param("topic", "choice", "the question, by topic id", choices=tuple(CONCEPTS),
          draw=lambda rng, d: str(rng.choice(list(CONCEPTS)))),
)


def statement(params: dict[str, Any]) -> str:
    return CONCEPTS[params["topic"]].question


def solve(pid: str, p: dict[str, Any]) -> Solution:
    c = CONCEPTS[p["topic"]]
    sol = Solution(pid, "concept", answers={"summary": c.summary})
    sol.conventions = {"source": "a concise answer written by the adlkit authors; "
                                 "`adlkit explain` adds measurements from trained models"}
    sol.step(c.question)
    for text, formula in c.points:
        sol.step(text, formula=formula)
    return sol


UNIT = ProblemType(
    name="concept",
    summary="the course's short prose questions, by topic id (adlkit.solve.topics, a file per module)",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("summary",),
    example={"topic": "glove_vs_word2vec"},
    marked=False,
    modules=tuple(COURSE_MODULES),
)
