"""Seeded variants of a spec (``adlkit variants``): every problem drawn again from its type's schema.

A variant of problem ``q1`` is ``q1_v1``, ``q1_v2``, ...: the type's :meth:`ProblemType.draw`
with a seed derived from the user's seed, the problem's position and the variant's number
(:class:`numpy.random.SeedSequence`), so the same seed gives the same spec. Each carries a
``note`` (an optional field of a problem, CONTRACT.md) saying what was drawn. Two variants of
one problem are never equal: a duplicate draw is drawn again with the next seed; a type whose
schema cannot give that many different problems (a fixed list of topics) is a
:class:`VariantError` that says so. Every variant is validated and solved before it is returned.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from adlkit.core.numbers import jsonable
from adlkit.solve import solve_spec, validate_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.spec import SpecError

#: how many redraws a problem may take in all before its type is said not to vary enough
REDRAWS_PER_VARIANT = 20


class VariantError(ValueError):
    """Variants that cannot be made; ``messages`` holds one line per fault."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def variant_seed(seed: int, problem_index: int, attempt: int) -> int:
    """The draw's seed: a function of the user's seed, the problem's position and the attempt."""
    return int(np.random.SeedSequence([seed, problem_index, attempt]).generate_state(1)[0])


def _short(v: Any) -> str:
    text = json.dumps(jsonable(v), ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_draw(type_name: str, drawn: dict[str, Any], seed: int) -> str:
    """The note of a variant: the type, the draw's seed and every drawn field (the others keep
    their defaults)."""
    fields = "; ".join(f"{k} = {_short(v)}" for k, v in drawn.items())
    return f"drawn from the {type_name} schema (seed {seed}): {fields or 'every field at its default'}"


def _key(drawn: dict[str, Any]) -> str:
    return json.dumps(jsonable(drawn), sort_keys=True)


def draw_variants(type_name: str, n: int, seed: int = 0, problem_index: int = 0,
                  pid: str = "p1") -> list[dict[str, Any]]:
    """``n`` different raw problems of type ``type_name`` (ids ``<pid>_v1..``), each validated.
    Raises :class:`VariantError` when the schema cannot give ``n`` different ones."""
    unit = problem_types()[type_name]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    attempt = 0
    budget = n * REDRAWS_PER_VARIANT
    while len(out) < n:
        if attempt >= budget:
            raise VariantError([f"{pid}: type {type_name!r} cannot give {n} different variants: its schema drew "
                                f"only {len(seen)} different problems in {attempt} draws"])
        s = variant_seed(seed, problem_index, attempt)
        attempt += 1
        drawn = jsonable(unit.draw(s))
        key = _key(drawn)
        if key in seen:
            continue
        seen.add(key)
        vid = f"{pid}_v{len(out) + 1}"
        problem = {"id": vid, "type": type_name, "note": describe_draw(type_name, drawn, s), **drawn}
        try:
            validate_spec({"problems": [problem]})
        except SpecError as err:  # a draw must be valid: a bug of the type's schema, said plainly
            raise VariantError([f"{pid}: the {type_name} schema drew an invalid problem (seed {s}): {m}"
                                for m in err.messages]) from None
        out.append(problem)
    return out


def make_variants(spec: dict[str, Any], n: int, seed: int = 0) -> dict[str, Any]:
    """A spec with ``n`` variants of every problem of ``spec`` (validated first: raises
    :class:`SpecError`), in order, every one solved. Raises :class:`VariantError`."""
    if n < 1:
        raise VariantError([f"-n: must be at least 1, got {n}"])
    title, parsed = validate_spec(spec)
    problems: list[dict[str, Any]] = []
    for i, (pid, ptype, _params) in enumerate(parsed):
        problems.extend(draw_variants(ptype, n, seed, i, pid))
    out: dict[str, Any] = {"title": f"{title} (variants, seed {seed})" if title else f"variants (seed {seed})",
                           "problems": problems}
    solve_spec(out)  # every variant solves: a failure here is a bug, never hidden
    return out
