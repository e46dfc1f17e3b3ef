"""Answer checking: a student's answers against the engine's, with the common slips named.

An answers file (YAML or JSON) gives answers by problem id and answer key::

    tolerance: {rel: 0.005, abs: 0.001}   # optional; these are the defaults
    answers:
      q1a: {y: [1, 4.6487], log_det: 0.5}
      q3c: {kl_pq: 0.3466}

A number is right when ``|given - right| <= max(abs, rel * |right|)``; lists are compared
element by element (a list of non-numbers, such as a training set, in any order); text by
value when both sides are constant expressions (``3*sqrt(pi)``), else word for word.

Each wrong answer gets the right value and, where one of the known slips explains it, the slip
named. A slip is detected by RE-SOLVING the problem with the mistaken convention through the
same engine (the Gaussian's variance read as a standard deviation, p and q swapped, the window
read as one-sided, the reconstruction loss without its 1/2, one log-det term left out) or, for
the log base, by converting the engine's answer in nats to bits; never from a table of wrong
numbers.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adlkit.core.numbers import jsonable

LN2 = math.log(2.0)
LN10 = math.log(10.0)


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "correct": self.correct, "given": jsonable(self.given),
                "right": jsonable(self.right), "slip": self.slip.to_dict() if self.slip else None}


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

    def to_dict(self) -> dict[str, Any]:
        return {"exam": self.exam, "tolerance": {"rel": self.tolerance.rel, "abs": self.tolerance.abs},
                "right": self.n_right, "total": len(self.verdicts), "all_right": self.all_right,
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
            if v.slip:
                lines.append(f"         slip: {v.slip.label}")
                lines.append(f"               {v.slip.detail}")
        lines.append("")
        lines.append(f"{self.n_right} of {len(self.verdicts)} right.")
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
    from adlkit.core import expr as _expr

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


# -- slips --------------------------------------------------------------------------------------
Problem = dict[str, Any]  # a raw spec problem (id, type and parameters as written)


@dataclass(frozen=True)
class SlipRule:
    name: str
    label: str
    types: tuple[str, ...]
    keys: tuple[str, ...]
    # (raw problem, key, right answers) -> candidate (detail, value) pairs
    candidates: Callable[[Problem, str, dict[str, Any]], Iterable[tuple[str, Any]]]


def resolve(problem: Problem, key: str) -> Any:
    """The answer ``key`` of a (modified) raw problem, solved by the engine; None if invalid."""
    from adlkit.solve import SpecError, solve_spec

    try:
        return solve_spec({"problems": [problem]}).results[0].answers.get(key)
    except SpecError:
        return None


def _gaussian_fields(problem: Problem) -> list[tuple[str, float, float]]:
    """(field, mean, variance) of every univariate Gaussian given by its VARIANCE."""
    from adlkit.solve.spec import INVALID, parse_gaussian

    out = []
    for k, v in problem.items():
        if k in ("id", "type"):
            continue
        is_var = (isinstance(v, str) and v.strip()[:2] in ("N(", "n(")) or (isinstance(v, dict) and "var" in v)
        if not is_var:
            continue
        g = parse_gaussian(v, lambda msg: INVALID, univariate=True)
        if g is not INVALID:
            out.append((k, float(g.mean), float(g.var)))
    return out


def _variance_as_std(problem: Problem, key: str, answers: dict[str, Any]):
    fields = _gaussian_fields(problem)
    groups = ([fields] if len(fields) > 1 else []) + [[f] for f in fields]
    for group in groups:
        p = copy.deepcopy(problem)
        for k, mean, var in group:
            p[k] = {"mean": mean, "std": var}
        what = ", ".join(f"{k} = N({mean:g}, {var:g}) as standard deviation {var:g} (variance {var * var:g})"
                         for k, mean, var in group)
        yield f"re-solved reading {what}", resolve(p, key)


def _swap(a: str, b: str):
    def candidates(problem: Problem, key: str, answers: dict[str, Any]):
        if a in problem and b in problem:
            p = copy.deepcopy(problem)
            p[a], p[b] = problem[b], problem[a]
            yield f"re-solved with {a} and {b} swapped", resolve(p, key)
    return candidates


def _one_sided_window(problem: Problem, key: str, answers: dict[str, Any]):
    w = problem.get("window")
    if _is_num(w) and int(w) == w and w >= 3:
        p = copy.deepcopy(problem)
        p["window"] = 2 * int(w) + 1
        yield (f"re-solved with {int(w)} word(s) on EACH side (window {2 * int(w) + 1}), "
               f"not {int(w) // 2} each side"), resolve(p, key)


def _mse_without_half(problem: Problem, key: str, answers: dict[str, Any]):
    if problem.get("reconstruction", "half_mse") == "half_mse":
        p = copy.deepcopy(problem)
        p["reconstruction"] = "mse"
        yield "re-solved with reconstruction: mse (sum of squared errors, no 1/2)", resolve(p, key)


# keys whose value is in nats, and how the whole answer changes when its logs are in base b
_NATS: dict[str, dict[str, Callable[[dict[str, Any], float], Any]]] = {
    "kl": {k: (lambda a, ln, k=k: a[k] / ln) for k in ("kl_pq", "kl_qp")},
    "jsd": {k: (lambda a, ln, k=k: a[k] / ln) for k in ("jsd", "jsd_pq", "jsd_qp")},
    "bernoulli_mle": {"log_likelihood": lambda a, ln: a["log_likelihood"] / ln},
    "coupling": {"log_det": lambda a, ln: a["log_det"] / ln},
    "vae_loss": {"kl": lambda a, ln: a["kl"] / ln,
                 "total": lambda a, ln: a["reconstruction"] + a["kl"] / ln},
}


def _log_base(base: str, ln: float):
    def candidates(problem: Problem, key: str, answers: dict[str, Any]):
        fn = _NATS.get(problem.get("type"), {}).get(key)
        if fn is not None and _is_num(answers.get(key)):
            yield f"the engine's logs (nats) divided by ln {base}", fn(answers, ln)
    return candidates


def _dropped_log_det_term(problem: Problem, key: str, answers: dict[str, Any]):
    """Re-solve the coupling layer with one transformed coordinate's log-scale s_j set to 0,
    i.e. the log-det without that coordinate's term."""
    s = problem.get("s")
    y = answers.get("y")
    if s is None or not isinstance(y, list):
        return
    D = len(y)
    d = problem.get("split", D // 2)
    if not (_is_num(d) and 1 <= d < D):
        return
    m = D - int(d)
    s_list = list(s) if isinstance(s, list) else [s] * m
    if len(s_list) != m:
        return
    flip = bool(problem.get("flip", False))
    coords = list(range(1, m + 1)) if flip else list(range(int(d) + 1, D + 1))
    for j in range(m):
        p = copy.deepcopy(problem)
        p["s"] = [("0" if i == j else e) for i, e in enumerate(s_list)]
        yield (f"re-solved without the log-det term of coordinate {coords[j]} "
               f"(its log-scale s = {s_list[j]} taken as 0)"), resolve(p, key)


SLIPS: list[SlipRule] = [
    SlipRule("variance_as_std", "variance taken as standard deviation",
             ("kl", "jsd", "wasserstein", "optimal_discriminator"), (), _variance_as_std),
    SlipRule("kl_direction", "KL direction swapped (KL(q||p) for KL(p||q))",
             ("kl",), ("kl_pq", "kl_qp"), _swap("p", "q")),
    SlipRule("log_base_2", "log base 2 instead of natural log (e)", tuple(_NATS), (), _log_base("2", LN2)),
    SlipRule("log_base_10", "log base 10 instead of natural log (e)", tuple(_NATS), (), _log_base("10", LN10)),
    SlipRule("mse_without_half", "MSE without the 1/2 (the course's reconstruction loss is 1/2 * sum of squares)",
             ("vae_loss",), ("reconstruction", "total"), _mse_without_half),
    SlipRule("window_one_sided", "window counted one-sided (the window is the TOTAL span, centre included)",
             ("word2vec",), ("cbow_training_set", "skipgram_training_set", "cbow_training_set_size",
                             "skipgram_training_set_size"), _one_sided_window),
    SlipRule("log_det_term_forgotten",
             "a log-det term forgotten (like dropping the logit pre-processing's log-det from a flow's likelihood)",
             ("coupling",), ("log_det",), _dropped_log_det_term),
    SlipRule("p_data_p_g_swapped", "p_data and p_g swapped (D*(x) is the probability that x is REAL)",
             ("optimal_discriminator",), ("values",), _swap("p_data", "p_g")),
]


def find_slip(problem: Problem, key: str, given: Any, answers: dict[str, Any], tol: Tolerance) -> Slip | None:
    ptype = problem.get("type")
    for rule in SLIPS:
        if ptype not in rule.types or (rule.keys and key not in rule.keys):
            continue
        for detail, value in rule.candidates(problem, key, answers):
            if value is None:
                continue
            if matches(value, answers.get(key), tol):  # the slip makes no difference here
                continue
            if matches(given, value, tol):
                return Slip(rule.name, rule.label, f"{detail}: {show(value)}", value)
    return None


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
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswersError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise AnswersError([f"{path}: cannot read: {err}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise AnswersError([f"{path}: not valid YAML/JSON{where}: {getattr(err, 'problem', err)}"]) from None
    return _read_answers(data, str(path))


def check_answers(answers: dict[str, dict[str, Any]], exam: str | Path | None = None,
                  tolerance: Tolerance | None = None) -> Report:
    """Compare ``answers`` (problem id -> answer key -> value) with the engine's solutions of
    ``exam`` (a spec file; default the bundled exam). Raises :class:`AnswersError` for an
    unknown id or key or a value of the wrong kind, and :class:`adlkit.solve.SpecError` for an
    invalid exam."""
    from adlkit.solve import bundled_exam_path, solve_spec
    from adlkit.solve.spec import load_spec_file

    tol = tolerance or Tolerance()
    exam_path = Path(exam) if exam is not None else bundled_exam_path()
    spec = load_spec_file(exam_path)
    sheet = solve_spec(spec)
    raw = {sol.id: dict(prob, id=sol.id) for sol, prob in zip(sheet.results, spec["problems"])}
    solved = {sol.id: sol for sol in sheet.results}
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
            if sol.type == "concept":
                errors.append(f"{pid}.{key}: is prose, which adlkit check does not mark")
                continue
            fault = _kind_fault(given, sol.answers[key])
            if fault:
                errors.append(f"{pid}.{key}: {fault}")
                continue
            checks.append((pid, key, given))
    if errors:
        raise AnswersError(errors)
    name = "the bundled exam" if exam is None else str(exam)
    report = Report(name, tol)
    for pid, key, given in checks:
        right = solved[pid].answers[key]
        ok = matches(given, right, tol)
        slip = None if ok else find_slip(raw[pid], key, given, solved[pid].answers, tol)
        report.verdicts.append(Verdict(pid, key, given, right, ok, slip))
    return report
