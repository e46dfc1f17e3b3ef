"""A spec as a quiz: every problem's statement, its worked solution, and its answer keys split
into gradable fields, each with its tolerance and the slips ``adlkit check`` knows as wrong
answers with their feedback.

A field is one number (a scalar answer, or one entry of a list or matrix of numbers, up to
:data:`MAX_ENTRIES` of them), a yes/no (a boolean answer) or a short text (``inf``). Answer keys
of another kind (a training set, a formula, a mapping) are not gradable fields: the question
names them as shown in the worked solution (:attr:`Question.shown`). A type whose answers are
prose (``concept``: ``marked`` false) becomes an essay question with the summary for the grader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from adlkit.check import Tolerance, known_slips
from adlkit.core.numbers import jsonable
from adlkit.solve import solve_spec, validate_spec
from adlkit.solve.model import Solution, SolvedSheet
from adlkit.solve.registry import problem_types

MAX_ENTRIES = 36  # a list or matrix of more numbers than this is shown, not asked field by field


@dataclass
class WrongAnswer:
    value: Any  # a number (or "true"/"false"/text, as the field's kind)
    feedback: str  # the slip named, and how the engine reproduced it


@dataclass
class Field:
    key: str  # the answer key
    label: str  # key, key[i] or key[i, j] (1-based)
    kind: str  # "number", "boolean" or "text"
    value: Any  # float, bool or str
    tolerance: float = 0.0  # absolute, for numbers: max(abs, rel * |value|)
    wrong: list[WrongAnswer] = field(default_factory=list)


@dataclass
class Question:
    id: str
    type: str
    statement: str
    solution: Solution
    marked: bool
    fields: list[Field] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # answer keys only in the worked solution
    note: str = ""


@dataclass
class Quiz:
    title: str
    questions: list[Question]
    tolerance: Tolerance


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _entries(v: Any) -> list[tuple[tuple[int, ...], float]] | None:
    """The numbers of a number, list or matrix with their (1-based) positions; None otherwise."""
    if _is_num(v):
        return [((), float(v))]
    if isinstance(v, list) and v and all(_is_num(a) for a in v):
        return [((i,), float(a)) for i, a in enumerate(v, start=1)]
    if (isinstance(v, list) and v and all(isinstance(r, list) and r and all(_is_num(a) for a in r) for r in v)
            and len({len(r) for r in v}) == 1):
        return [((i, j), float(a)) for i, r in enumerate(v, start=1) for j, a in enumerate(r, start=1)]
    return None


def _at(v: Any, pos: tuple[int, ...]) -> Any:
    for i in pos:
        if not isinstance(v, list) or i > len(v):
            return None
        v = v[i - 1]
    return v


def _fields(key: str, right: Any, slips: list, tol: Tolerance) -> list[Field] | None:
    right = jsonable(right)
    if isinstance(right, bool):
        wrong = [WrongAnswer(not right, _feedback(s)) for s in slips if jsonable(s.value) is (not right)][:1]
        return [Field(key, key, "boolean", right, 0.0, wrong)]
    if right in ("inf", "-inf"):
        return [Field(key, key, "text", right)]
    entries = _entries(right)
    if entries is None or len(entries) > MAX_ENTRIES:
        return None
    out = []
    for pos, value in entries:
        if not math.isfinite(value):
            out.append(Field(key, _label(key, pos), "text", "inf" if value > 0 else "-inf"))
            continue
        t = max(tol.abs, tol.rel * abs(value))
        f = Field(key, _label(key, pos), "number", value, t)
        for s in slips:
            w = _at(jsonable(s.value), pos)
            if _is_num(w) and math.isfinite(w) and abs(w - value) > t and all(abs(w - x.value) > t for x in f.wrong):
                f.wrong.append(WrongAnswer(float(w), _feedback(s)))
        out.append(f)
    return out


def _label(key: str, pos: tuple[int, ...]) -> str:
    return key if not pos else f"{key}[{', '.join(map(str, pos))}]"


def _feedback(slip) -> str:
    return f"Not right: {slip.label} ({slip.detail})."


def build_quiz(spec: dict[str, Any], tolerance: Tolerance | None = None, sheet: SolvedSheet | None = None) -> Quiz:
    """The quiz of a spec dict: validated and solved by the engine (raises
    :class:`adlkit.solve.SpecError`), each answer key split into fields with its slips.
    ``sheet``: the spec already solved by :func:`adlkit.solve.solve_spec` (not solved again)."""
    tol = tolerance or Tolerance()
    title, parsed = validate_spec(spec)
    if sheet is None or [s.id for s in sheet.results] != [pid for pid, _, _ in parsed]:
        sheet = solve_spec(spec)
    units = problem_types()
    questions = []
    for (pid, ptype, params), sol, raw in zip(parsed, sheet.results, spec["problems"]):
        unit = units[ptype]
        q = Question(pid, ptype, unit.statement(params), sol, unit.marked, note=str(raw.get("note") or ""))
        if unit.marked:
            problem = dict(raw, id=pid)
            for key in unit.answers:
                if key not in sol.answers:
                    continue
                slips = known_slips(problem, key, sol.answers, tol)
                fs = _fields(key, sol.answers[key], slips, tol)
                if fs is None:
                    q.shown.append(key)
                else:
                    q.fields.extend(fs)
        questions.append(q)
    return Quiz(title or "adlkit quiz", questions, tol)
