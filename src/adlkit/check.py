"""Answer checking: a student's answers against the engine's, with the common slips named.

An answers file (YAML or JSON) gives answers by problem id and answer key::

    tolerance: {rel: 0.005, abs: 0.001}   # optional; these are the defaults
    answers:
      q1a: {y: [1, 4.6487], log_det: 0.5}
      q3c: {kl_pq: 0.3466}

A number is right when ``|given - right| <= max(abs, rel * |right|)``; lists are compared
element by element (a list of non-numbers, such as a training set, in any order); text by
value when both sides are constant expressions (``3*sqrt(pi)``), else word for word.

Partial credit: each answer key scores out of 1 (:func:`credit`): 1 when right; for a wrong list
or matrix of numbers, the fraction of its entries that are right; for a wrong list of other
items (a training set), the fraction of the right items it holds, each once, over the longer of
the two lists; for a mapping, the mean credit of its keys; else 0. The report gives each key's
``score`` and ``max_score`` and their sums.

Each wrong answer gets the right value and, where one of the known slips explains it, the slip
named. A slip is detected by RE-SOLVING the problem with the mistaken convention through the
same engine (the Gaussian's variance read as a standard deviation, p and q swapped, the window
read as one-sided, the reconstruction loss without its 1/2, one log-det term left out) or, for
the log base, by converting the engine's answer in nats to bits; never from a table of wrong
numbers. Each problem type lists its slips, and its answer keys in nats, in its unit
(:mod:`adlkit.solve.slips`, :class:`adlkit.solve.unit.ProblemType`); this module only compares
and reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adlkit.core import expr as _expr
from adlkit.core.numbers import jsonable
from adlkit.solve import bundled_exam_path, solve_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.slips import Problem
from adlkit.solve.spec import load_spec_file


class AnswersError(ValueError):
    """A malformed answers file, or one that names an unknown problem or answer key."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.005
    abs: float = 0.001

    def ok(self, given: float, right: float) -> bool:
        if math.isinf(right) or math.isinf(given):
            return given == right
        return abs(given - right) <= max(self.abs, self.rel * abs(right))

    def describe(self) -> str:
        return f"|given - right| <= max({self.abs:g}, {self.rel:g} * |right|)"


@dataclass
class Slip:
    name: str  # stable identifier, e.g. "kl_direction"
    label: str  # what the student did, in words
    detail: str  # how the engine reproduced the student's value
    value: Any  # the value of the mistaken computation

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "detail": self.detail, "value": jsonable(self.value)}


@dataclass
class Verdict:
    id: str
    key: str
    given: Any
    right: Any
    correct: bool
    slip: Slip | None = None
    score: float = 0.0
    max_score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "correct": self.correct, "given": jsonable(self.given),
                "right": jsonable(self.right), "slip": self.slip.to_dict() if self.slip else None,
                "score": self.score, "max_score": self.max_score}


@dataclass
class Report:
    exam: str
    tolerance: Tolerance
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def n_right(self) -> int:
        return sum(v.correct for v in self.verdicts)

    @property
    def all_right(self) -> bool:
        return all(v.correct for v in self.verdicts)

    @property
    def score(self) -> float:
        return round(sum(v.score for v in self.verdicts), 6)

    @property
    def max_score(self) -> float:
        return float(sum(v.max_score for v in self.verdicts))

    def to_dict(self) -> dict[str, Any]:
        return {"exam": self.exam, "tolerance": {"rel": self.tolerance.rel, "abs": self.tolerance.abs},
                "right": self.n_right, "total": len(self.verdicts), "all_right": self.all_right,
                "score": self.score, "max_score": self.max_score,
                "results": [v.to_dict() for v in self.verdicts]}

    def render_text(self) -> str:
        lines = [f"Checked {len(self.verdicts)} answer(s) against {self.exam}",
                 f"tolerance: {self.tolerance.describe()}", ""]
        width = max((len(f"{v.id}.{v.key}") for v in self.verdicts), default=0)
        for v in self.verdicts:
            name = f"{v.id}.{v.key}".ljust(width)
            if v.correct:
                lines.append(f"  right  {name}  {show(v.given)}")
                continue
            lines.append(f"  WRONG  {name}  given {show(v.given)}, right {show(v.right)}")
            if v.score > 0:
                lines.append(f"         partial credit: {v.score:.3g} of {v.max_score:g}")
            if v.slip:
                lines.append(f"         slip: {v.slip.label}")
                lines.append(f"               {v.slip.detail}")
        lines.append("")
        lines.append(f"{self.n_right} of {len(self.verdicts)} right.")
        lines.append(f"score: {self.score:.4g} of {self.max_score:g}")
        return "\n".join(lines) + "\n"


def show(v: Any) -> str:
    v = jsonable(v)
    if isinstance(v, bool):  # as the answers file (YAML) and the JSON output spell them
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        s = "[" + ", ".join(show(a) for a in v) + "]"
        return s if len(s) <= 120 else s[:117] + "..."
    return str(v)


# -- comparing values ---------------------------------------------------------------------------
def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _as_number(v: Any) -> float | None:
    if _is_num(v):
        return float(v)
    if isinstance(v, str) and v.strip().lower() in ("inf", "oo", "infinity", "+inf"):
        return math.inf
    if isinstance(v, str) and v.strip().lower() in ("-inf", "-oo", "-infinity"):
        return -math.inf
    return None


def _constant(text: str) -> float | None:
    """The value of a constant expression like ``3*sqrt(pi)`` (the engine's safe parser)."""
    try:
        e = _expr.parse(text, [])
        return float(_expr.evaluate(e, {}))
    except Exception:
        return None


def _canon(v: Any) -> str:
    import json

    v = jsonable(v)
    if isinstance(v, str):
        v = " ".join(v.split())
    return json.dumps(v, sort_keys=True)


def matches(given: Any, right: Any, tol: Tolerance) -> bool:
    right = jsonable(right)
    if isinstance(right, bool) or isinstance(given, bool):
        return given is right or (isinstance(given, bool) and isinstance(right, bool) and given == right)
    r = _as_number(right)
    if r is not None:
        g = _as_number(given)
        return g is not None and tol.ok(g, r)
    if isinstance(right, list):
        if not isinstance(given, list) or len(given) != len(right):
            return False
        if all(_is_num(a) or isinstance(a, list) for a in right) and any(_is_num(a) for a in _flat(right)):
            return all(matches(g, a, tol) for g, a in zip(given, right))
        return sorted(_canon(g) for g in given) == sorted(_canon(a) for a in right)
    if isinstance(right, dict):
        return (isinstance(given, dict) and set(map(str, given)) == set(right)
                and all(matches(given[k] if k in given else given[_key(given, k)], right[k], tol) for k in right))
    if isinstance(right, str):
        if not isinstance(given, (str, int, float)):
            return False
        a, b = _constant(str(given)), _constant(right)
        if a is not None and b is not None:
            return tol.ok(a, b)
        return " ".join(str(given).split()).lower() == " ".join(right.split()).lower()
    return given == right


def credit(given: Any, right: Any, tol: Tolerance) -> float:
    """The partial credit, in [0, 1], of ``given`` for the answer ``right`` (module docstring)."""
    if matches(given, right, tol):
        return 1.0
    right = jsonable(right)
    if isinstance(right, list) and isinstance(given, list) and right:
        flat_r = list(_flat(right))
        if any(_is_num(a) for a in flat_r):
            flat_g = list(_flat(given))
            if len(flat_g) != len(flat_r):
                return 0.0
            return sum(matches(g, a, tol) for g, a in zip(flat_g, flat_r)) / len(flat_r)
        pool = [_canon(a) for a in right]
        hits = 0
        for g in given:
            c = _canon(g)
            if c in pool:
                pool.remove(c)
                hits += 1
        return hits / max(len(right), len(given))
    if isinstance(right, dict) and isinstance(given, dict) and right:
        by_name = {str(k): v for k, v in given.items()}
        return sum(credit(by_name[k], v, tol) if k in by_name else 0.0 for k, v in right.items()) / len(right)
    return 0.0


def _key(d: dict, k: str) -> Any:
    return next(x for x in d if str(x) == k)


def _flat(v: Any) -> Iterator[Any]:
    if isinstance(v, list):
        for a in v:
            yield from _flat(a)
    else:
        yield v


def _kind_fault(given: Any, right: Any) -> str | None:
    """Why ``given`` cannot be an answer of the kind of ``right`` (a malformed file), or None."""
    right = jsonable(right)
    if isinstance(right, bool):
        return None if isinstance(given, bool) else f"must be true or false, got {given!r}"
    if _as_number(right) is not None:
        return None if _as_number(given) is not None else f"must be a number, got {given!r}"
    if isinstance(right, list):
        if not isinstance(given, list):
            return f"must be a list, got {given!r}"
        if any(_is_num(a) for a in _flat(right)):
            bad = [a for a in _flat(given) if _as_number(a) is None]
            if bad:
                return f"must be a list of numbers, got {bad[0]!r} in it"
    return None


# -- slips: each problem type lists its own (adlkit.solve.slips) ------------------------------
def find_slip(problem: Problem, key: str, given: Any, answers: dict[str, Any], tol: Tolerance) -> Slip | None:
    """The first slip of the problem's type whose re-solved value matches ``given`` (and differs
    from the right answer), or None."""
    unit = problem_types()[problem["type"]]
    for rule in unit.slips:
        if rule.keys and key not in rule.keys:
            continue
        for detail, value in rule.candidates(problem, key, answers, unit):
            if value is None:
                continue
            if matches(value, answers.get(key), tol):  # the slip makes no difference here
                continue
            if matches(given, value, tol):
                return Slip(rule.name, rule.label, f"{detail}: {show(value)}", value)
    return None


def known_slips(problem: Problem, key: str, answers: dict[str, Any], tol: Tolerance) -> list[Slip]:
    """Every slip of the problem's type that gives answer ``key`` a value other than the right
    one, in the order :func:`find_slip` tries them, each value once (the exports' 0 % answers)."""
    unit = problem_types()[problem["type"]]
    out: list[Slip] = []
    for rule in unit.slips:
        if rule.keys and key not in rule.keys:
            continue
        for detail, value in rule.candidates(problem, key, answers, unit):
            if value is None or matches(value, answers.get(key), tol):
                continue
            if any(matches(value, s.value, tol) for s in out):
                continue
            out.append(Slip(rule.name, rule.label, f"{detail}: {show(value)}", value))
    return out


# -- the whole check ----------------------------------------------------------------------------
def _read_answers(data: Any, source: str) -> tuple[dict[str, dict[str, Any]], Tolerance | None]:
    errors: list[str] = []
    if not isinstance(data, dict):
        raise AnswersError([f"{source}: must be a mapping with an 'answers' mapping (id -> key -> value)"])
    for k in sorted(set(data) - {"answers", "tolerance"}, key=str):
        errors.append(f"{source}: field {k!r} is not allowed at the top level (expected 'answers', 'tolerance')")
    tol = None
    if data.get("tolerance") is not None:
        t = data["tolerance"]
        if not isinstance(t, dict) or not set(t) <= {"rel", "abs"} or not t:
            errors.append(f"{source}: field 'tolerance' must be {{rel: r, abs: a}}, got {t!r}")
        else:
            bad = [k for k, v in t.items() if not (_is_num(v) and math.isfinite(v) and v >= 0)]
            if bad:
                errors.append(f"{source}: tolerance '{bad[0]}' must be a number >= 0, got {t[bad[0]]!r}")
            else:
                base = Tolerance()
                tol = Tolerance(rel=float(t.get("rel", base.rel)), abs=float(t.get("abs", base.abs)))
    answers = data.get("answers")
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(answers, dict) or not answers:
        errors.append(f"{source}: field 'answers' must be a non-empty mapping of problem id -> {{answer key: value}}")
    else:
        for pid, keys in answers.items():
            if not isinstance(keys, dict) or not keys:
                errors.append(f"{source}: answers for {pid!r} must be a mapping of answer key -> value, got {keys!r}")
                continue
            out[str(pid)] = {str(k): v for k, v in keys.items()}
    if errors:
        raise AnswersError(errors)
    return out, tol


def load_answers(path: str | Path) -> tuple[dict[str, dict[str, Any]], Tolerance | None]:
    """Read an answers file; raises :class:`AnswersError` with one line per fault."""
    from adlkit.solve.spec import read_yaml_file

    return _read_answers(read_yaml_file(path, AnswersError), str(path))


def check_answers(answers: dict[str, dict[str, Any]], exam: str | Path | dict[str, Any] | None = None,
                  tolerance: Tolerance | None = None) -> Report:
    """Compare ``answers`` (problem id -> answer key -> value) with the engine's solutions of
    ``exam`` (a spec file, or a spec already read as a dict; default the bundled exam). Raises
    :class:`AnswersError` for an unknown id or key or a value of the wrong kind, and
    :class:`adlkit.solve.SpecError` for an invalid exam."""
    tol = tolerance or Tolerance()
    if isinstance(exam, dict):
        spec = exam
        if not isinstance(spec.get("problems"), list):
            from adlkit.solve import validate_spec

            validate_spec(spec)  # raises SpecError naming what is missing
    else:
        spec = load_spec_file(Path(exam) if exam is not None else bundled_exam_path())
    sheet = solve_spec(spec)
    raw = {sol.id: dict(prob, id=sol.id) for sol, prob in zip(sheet.results, spec["problems"])}
    solved = {sol.id: sol for sol in sheet.results}
    units = problem_types()
    errors: list[str] = []
    checks: list[tuple[str, str, Any]] = []
    for pid, keys in _read_answers({"answers": answers}, "answers")[0].items():
        if pid not in solved:
            errors.append(f"{pid}: no such problem in the exam (its ids: {', '.join(solved)})")
            continue
        sol = solved[pid]
        for key, given in keys.items():
            if key not in sol.answers:
                errors.append(f"{pid}: no answer key {key!r} (a {sol.type} problem has: {', '.join(sol.answers)})")
                continue
            if not units[sol.type].marked:
                errors.append(f"{pid}.{key}: is prose, which adlkit check does not mark")
                continue
            fault = _kind_fault(given, sol.answers[key])
            if fault:
                errors.append(f"{pid}.{key}: {fault}")
                continue
            checks.append((pid, key, given))
    if errors:
        raise AnswersError(errors)
    name = "the bundled exam" if exam is None else "the given exam" if isinstance(exam, dict) else str(exam)
    report = Report(name, tol)
    for pid, key, given in checks:
        right = solved[pid].answers[key]
        ok = matches(given, right, tol)
        slip = None if ok else find_slip(raw[pid], key, given, solved[pid].answers, tol)
        score = 1.0 if ok else credit(given, right, tol)
        report.verdicts.append(Verdict(pid, key, given, right, ok, slip, score=score))
    return report
