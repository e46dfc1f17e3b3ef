"""Spec loading and validation (CONTRACT.md).

A problem's raw parameters are read through :class:`Fields`, field by field through the type's
schema (:mod:`adlkit.solve.schema`); every fault is recorded as ``"<id>: field '<name>' ..."``
instead of raised, so that one pass over a spec reports every fault at once. A field that is not
in the schema is a fault too. Gaussians are read into :mod:`adlkit.divergences`' own types,
which check their numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core import expr as _expr
from adlkit.core.domain import parse_domain
from adlkit.divergences.types import Discrete, MultivariateNormal, Normal, ParameterError, Uniform
from adlkit.solve.schema import KINDS, Param


class SpecError(ValueError):
    """An invalid spec; ``messages`` holds one line per fault."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class _Invalid:

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
_RESERVED = ("id", "type", "note")  # note: optional free text (a variant says what was drawn)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Fields:
    """Validating reader of one problem's parameters, through the type's schema.

    :meth:`read` reads one field through its :class:`~adlkit.solve.schema.Param` (its kind, its
    constraints, its default); the readers of the kinds (:meth:`number`, :meth:`gaussian`, ...)
    validate a given value. ``values`` holds what was read so far, by name, ``INVALID`` for a
    faulty field. A fault is recorded, not raised: ``"<id>: field '<name>' <message>"``.
    """

    def __init__(self, pid: str, raw: dict[str, Any], errors: list[str], parameters: Sequence[Param] = ()):
        self.pid = pid
        self.raw = raw
        self.errors = errors
        self.schema = {p.name: p for p in parameters}
        self.values: dict[str, Any] = {}

    # -- plumbing -----------------------------------------------------------------------------

    def error(self, name: str, message: str) -> Any:
        """Record the fault ``message`` of field ``name``; returns ``INVALID``."""
        self.errors.append(f"{self.pid}: field '{name}' {message}")
        return INVALID

    def has(self, name: str) -> bool:
        """Whether the spec gives field ``name`` (a null value counts as not given)."""
        return name in self.raw and self.raw[name] is not None

    def read(self, name: str) -> Any:
        """Read field ``name`` through its schema entry: its default when not given (or the
        'required' fault), else the value checked by its kind's reader and its ``check``."""
        p = self.schema[name]
        if not self.has(name):
            v = self.error(name, p.missing) if p.required else p.default_value(self.values)
        else:
            v = _READERS[p.kind](self, p, self.raw[name])
            if v is not INVALID and p.check is not None:
                fault = p.check(v, self.values)
                if fault:
                    v = self.error(name, fault)
        self.values[name] = v
        return v

    def finish(self) -> None:
        """Record every field that is not a parameter of the type."""
        for k in self.raw:
            if k not in self.schema and k not in _RESERVED:
                self.error(k, "is not a parameter of this problem type")

    # -- the kinds' readers: each checks a given value --------------------------------------------

    def number(self, name: str, v: Any, *, positive: bool = False, integer: bool = False,
               minimum: float | None = None, maximum: float | None = None) -> Any:
        """A finite number (a numeric string too) -> int when ``integer``, else as given."""
        if isinstance(v, str):
            try:
                v = float(v) if v.strip().lower() not in ("inf", "oo", "-inf", "-oo") else None
            except ValueError:
                v = None
            if v is None:
                return self.error(name, f"must be a number, got {self.raw.get(name)!r}")
        if not _is_number(v):
            return self.error(name, f"must be a number, got {v!r}")
        if not math.isfinite(v):
            return self.error(name, f"must be finite, got {v!r}")
        if integer:
            if float(v) != int(v):
                return self.error(name, f"must be an integer, got {v!r}")
            v = int(v)
        if positive and not v > 0:
            return self.error(name, f"must be > 0, got {v!r}")
        if minimum is not None and v < minimum:
            return self.error(name, f"must be >= {minimum:g}, got {v!r}")
        if maximum is not None and v > maximum:
            return self.error(name, f"must be at most {maximum:g}, got {v!r}")
        return v

    def boolean(self, name: str, v: Any) -> Any:
        if not isinstance(v, bool):
            return self.error(name, f"must be true or false, got {v!r}")
        return v

    def choice(self, name: str, v: Any, options: Sequence[Any]) -> Any:
        """One of ``options``; true and false are not the numbers 1 and 0 here."""
        numeric = not any(isinstance(o, bool) for o in options)
        if v not in options or (numeric and isinstance(v, bool)):
            opts = ", ".join(str(o) for o in options)
            return self.error(name, f"must be one of {opts}, got {v!r}")
        return v

    def number_list(self, name: str, v: Any, *, min_len: int = 1, scalar_ok: bool = False) -> Any:
        """A list of finite numbers (a bare number too when ``scalar_ok``) -> float64 array."""
        if scalar_ok and _is_number(v):
            v = [v]
        if not isinstance(v, list):
            return self.error(name, f"must be a list of numbers, got {v!r}")
        if not all(_is_number(a) and math.isfinite(a) for a in v):
            return self.error(name, f"must be a list of finite numbers, got {v!r}")
        if len(v) < min_len:
            return self.error(name, f"must have at least {min_len} element(s), got {len(v)}")
        return np.asarray(v, dtype=np.float64)

    def matrix(self, name: str, value: Any, *, square: bool = False) -> Any:
        """A list of equal-length rows of finite numbers -> 2-D float64 array."""
        if (not isinstance(value, list) or not value
                or not all(isinstance(r, list) and r for r in value)):
            return self.error(name, f"must be a matrix (a non-empty list of rows), got {value!r}")
        if len({len(r) for r in value}) != 1:
            return self.error(name, "must have rows of equal length")
        if not all(_is_number(a) and math.isfinite(a) for r in value for a in r):
            return self.error(name, "must contain only finite numbers")
        m = np.asarray(value, dtype=np.float64)
        if square and m.shape[0] != m.shape[1]:
            return self.error(name, f"must be square, got {m.shape[0]}x{m.shape[1]}")
        return m

    def expression(self, name: str, v: Any, variables: Sequence[str]) -> Any:
        """An expression in ``variables`` (the whitelist parser, never eval) -> SymPy."""
        try:
            return _expr.parse(v, variables)
        except _expr.ExpressionError as err:
            return self.error(name, f"is not a valid expression: {err}")

    def gaussian(self, name: str, v: Any, *, univariate: bool = False) -> Any:
        """A Gaussian in any spelling (:func:`parse_gaussian`)."""
        return parse_gaussian(v, lambda msg: self.error(name, msg), univariate=univariate)

    # -- dispatch by kind: (fields, param, given value) -> value or INVALID ------------------------

    def _read_number(self, p: Param, v: Any) -> Any:
        return self.number(p.name, v, positive=p.positive, integer=p.kind == "integer",
                           minimum=p.minimum, maximum=p.maximum)

    def _read_boolean(self, p: Param, v: Any) -> Any:
        return self.boolean(p.name, v)

    def _read_choice(self, p: Param, v: Any) -> Any:
        return self.choice(p.name, v, p.choices)

    def _read_number_list(self, p: Param, v: Any) -> Any:
        return self.number_list(p.name, v, min_len=p.min_len, scalar_ok=p.scalar_ok)

    def _variables(self, p: Param) -> Sequence[str] | None:
        return p.variables(self.values) if callable(p.variables) else p.variables

    def _read_expression(self, p: Param, v: Any) -> Any:
        variables = self._variables(p)
        return INVALID if variables is None else self.expression(p.name, v, variables)

    def _read_expressions(self, p: Param, v: Any) -> Any:
        """One expression, or a list with one per coordinate (``count`` of them)."""
        items = v if isinstance(v, list) else [v]
        n = p.count(self.values) if p.count is not None else None
        if n is not None and isinstance(v, list) and len(items) != n:
            return self.error(p.name, f"must give one expression per {p.per} ({n}), got {len(items)}")
        variables = self._variables(p)
        if variables is None:
            return INVALID
        exprs = [self.expression(p.name, item, variables) for item in items]
        return INVALID if INVALID in exprs else exprs

    def _read_gaussian(self, p: Param, v: Any) -> Any:
        return self.gaussian(p.name, v, univariate=p.univariate)

    def _read_tokens(self, p: Param, v: Any) -> Any:
        if isinstance(v, str):
            v = v.split()
        if (not isinstance(v, list) or not v
                or not all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in v)):
            return self.error(p.name, "must be a non-empty list of tokens")
        if p.max_len is not None and len(v) > p.max_len:
            return self.error(p.name, f"must have at most {p.max_len} tokens, got {len(v)}")
        return [str(t) for t in v]

    def _read_domain(self, p: Param, v: Any) -> Any:
        try:
            return parse_domain(v)
        except ValueError as err:
            return self.error(p.name, str(err))

    def _read_images(self, p: Param, v: Any) -> Any:
        """A list of 0/1 matrices; a flat list is one row (one image of one row)."""
        if not isinstance(v, list) or not v:
            return self.error(p.name, "must be a non-empty list of 0/1 matrices")
        mats = []
        for i, m in enumerate(v, start=1):
            a = self.matrix(p.name, m if isinstance(m, list) and m and isinstance(m[0], list) else
                            ([m] if isinstance(m, list) else m))
            if a is INVALID:
                return INVALID
            if not np.isin(a, (0, 1)).all():
                bad = a[~np.isin(a, (0, 1))][0]
                return self.error(p.name, f"image {i} has a pixel {bad:g}: pixels must be 0 or 1")
            mats.append(a)
        return mats

    def _read_beta_prior(self, p: Param, v: Any) -> Any:
        """``{alpha: a, beta: b}``, both >= 1 -> ``(a, b)`` floats."""
        if not isinstance(v, dict) or set(v) != {"alpha", "beta"}:
            return self.error(p.name, "must be {alpha: a, beta: b}")
        a = self.number(p.name, v["alpha"], minimum=1)
        b = self.number(p.name, v["beta"], minimum=1)
        return INVALID if INVALID in (a, b) else (float(a), float(b))

    def _read_structured(self, p: Param, v: Any) -> Any:
        """A list or a mapping, copied; what it holds is checked by the type's ``parse``."""
        import copy

        if not isinstance(v, (list, dict)):
            return self.error(p.name, f"must be a list or a mapping, got {v!r}")
        return copy.deepcopy(v)

    def _read_sentences(self, p: Param, v: Any) -> Any:
        """A non-empty list of sentences: strings (split on spaces) or non-empty token lists."""
        if not isinstance(v, list) or not v:
            return self.error(p.name, "must be a non-empty list of sentences (strings or token lists)")
        out = []
        for i, s in enumerate(v, start=1):
            toks = s.split() if isinstance(s, str) else s
            if (not isinstance(toks, list) or not toks
                    or not all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in toks)):
                return self.error(p.name, f"sentence {i} must be a non-empty string or list of tokens, got {s!r}")
            out.append([str(t) for t in toks])
        if p.max_len is not None and sum(map(len, out)) > p.max_len:
            return self.error(p.name, f"must have at most {p.max_len} tokens in all")
        return out

    def _read_matrix(self, p: Param, v: Any) -> Any:
        """A matrix (2-D float64 array); a bare finite number -> float when ``scalar_ok``."""
        if p.scalar_ok and _is_number(v):
            return self.number(p.name, v)
        return self.matrix(p.name, v)

    def _read_rows(self, p: Param, v: Any) -> Any:
        """A matrix; a flat list of numbers is one row (a 1 x n matrix)."""
        if isinstance(v, list) and v and all(_is_number(a) for a in v):
            v = [v]
        return self.matrix(p.name, v)

    def _read_distribution(self, p: Param, v: Any) -> Any:
        """A Gaussian, discrete or uniform distribution (:func:`parse_distribution`)."""
        return parse_distribution(v, lambda msg: self.error(p.name, msg), univariate=p.univariate)

    def _read_integer_lists(self, p: Param, v: Any) -> Any:
        """A non-empty list of non-empty lists of whole numbers -> list of lists of ints."""
        if (not isinstance(v, list) or len(v) < p.min_len
                or not all(isinstance(r, list) and r for r in v)):
            return self.error(p.name, f"must be a list of non-empty lists of whole numbers, got {v!r}")
        if not all(_is_number(a) and math.isfinite(a) and float(a) == int(a) for r in v for a in r):
            return self.error(p.name, "must contain only whole numbers")
        return [[int(a) for a in r] for r in v]

    def _read_points(self, p: Param, v: Any) -> Any:
        """A list of numbers -> (n,) array; a list of equal-length number lists -> (n, d) array."""
        if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
            return self.matrix(p.name, v)
        return self.number_list(p.name, v, scalar_ok=p.scalar_ok)

    def _read_planar_layers(self, p: Param, v: Any) -> Any:
        """A non-empty list of ``{u: [..], w: [..], b: number}`` -> list of (u, w, b) with u, w
        float64 arrays of one common length."""
        if not isinstance(v, list) or not v:
            return self.error(p.name, "must be a non-empty list of layers {u: [..], w: [..], b: number}")
        out = []
        for i, layer in enumerate(v, start=1):
            if not isinstance(layer, dict) or set(layer) != {"u", "w", "b"}:
                return self.error(p.name, f"layer {i} must be {{u: [..], w: [..], b: number}}, got {layer!r}")
            u = self.number_list(f"{p.name}[{i}].u", layer["u"])
            w = self.number_list(f"{p.name}[{i}].w", layer["w"])
            b = self.number(f"{p.name}[{i}].b", layer["b"])
            if any(x is INVALID for x in (u, w, b)):
                return INVALID
            out.append((u, w, float(b)))
        if len({len(u) for u, _, _ in out} | {len(w) for _, w, _ in out}) != 1:
            return self.error(p.name, "every layer's u and w must have the same length")
        return out


    def _read_mapping(self, p: Param, v: Any) -> Any:
        """A mapping with string keys, as given; its ``check`` reads the entries."""
        if not isinstance(v, dict) or not v or not all(isinstance(k, str) for k in v):
            return self.error(p.name, f"must be a mapping of named fields, got {v!r}")
        return dict(v)


_READERS: dict[str, Callable[[Fields, Param, Any], Any]] = {
    "number": Fields._read_number,
    "integer": Fields._read_number,
    "boolean": Fields._read_boolean,
    "choice": Fields._read_choice,
    "number_list": Fields._read_number_list,
    "expression": Fields._read_expression,
    "expressions": Fields._read_expressions,
    "gaussian": Fields._read_gaussian,
    "tokens": Fields._read_tokens,
    "domain": Fields._read_domain,
    "images": Fields._read_images,
    "beta_prior": Fields._read_beta_prior,
    "structured": Fields._read_structured,
    "sentences": Fields._read_sentences,
    "matrix": Fields._read_matrix,
    "rows": Fields._read_rows,
    "distribution": Fields._read_distribution,
    "integer_lists": Fields._read_integer_lists,
    "points": Fields._read_points,
    "planar_layers": Fields._read_planar_layers,
    "mapping": Fields._read_mapping,
}
assert set(_READERS) == set(KINDS), "every kind of the schema has a reader"


Gaussian = Normal | MultivariateNormal  # what a spec Gaussian reads into

# How each spelling of a Gaussian words the fault of a parameter that its type refuses:
# (spelling, parameter) -> message given the raw values.
_GAUSSIAN_FAULTS: dict[str, Callable[[ParameterError, dict[str, Any]], str | None]] = {
    "string": lambda e, r: ("mean and variance must be finite" if e.check == "finite"
                            else f"variance must be > 0, got {r['var']:g}" if e.param == "var" else None),
    "var": lambda e, r: (f"mean must be a finite number, got {r['mean']!r}" if e.param == "mean"
                         else f"var must be a finite number, got {r['var']!r}" if e.check == "finite"
                         else f"var must be > 0, got {float(r['var']):g}"),
    "std": lambda e, r: (f"mean must be a finite number, got {r['mean']!r}" if e.param == "mean"
                         else f"std must be a finite number, got {r['std']!r}" if e.param == "std" and e.check == "finite"
                         else f"std must be > 0, got {r['std']!r}" if e.param == "std" else None),
    "cov": lambda e, r: (f"mean must be a list of finite numbers when 'cov' is given, got {r['mean']!r}"
                         if e.param == "mean" else
                         f"cov must be a {len(r['mean'])}x{len(r['mean'])} matrix of finite numbers"
                         if e.check in ("finite", "shape") else str(e)),
}


def _build(make: Callable[[], Any], spelling: str, raw: dict[str, Any], fail: Callable[[str], Any]) -> Any:
    """``make()`` (a :class:`Normal` or :class:`MultivariateNormal`, which check the numbers),
    its :class:`ParameterError` worded for the spelling the spec used."""
    try:
        return make()
    except ParameterError as err:
        return fail(_GAUSSIAN_FAULTS[spelling](err, raw) or f"is not a valid Gaussian: {err}")


def parse_gaussian(v: Any, fail: Callable[[str], Any], univariate: bool = False) -> Any:
    """Read ``{mean, var}``, ``{mean, std}``, ``"N(m, v)"`` (v = VARIANCE) or
    ``{mean: [..], cov: [[..]]}`` into a :class:`~adlkit.divergences.Normal` or
    :class:`~adlkit.divergences.MultivariateNormal`; ``fail(msg)`` on a fault.

    Here only the syntax is read; the numbers (finite, variance > 0, covariance symmetric
    positive definite) are checked by the distribution types themselves."""
    if isinstance(v, str):
        s = v.strip().replace(" ", "")
        if not (s[:2] in ("N(", "n(") and s.endswith(")")):
            return fail(f"must be a Gaussian like \"N(3, 2)\" (mean, variance), got {v!r}")
        parts = s[2:-1].split(",")
        if len(parts) != 2:
            return fail(f"must be \"N(mean, variance)\", got {v!r}")
        try:
            mean, var = (float(p) for p in parts)
        except ValueError:
            return fail(f"must be \"N(mean, variance)\" with numbers, got {v!r}")
        return _build(lambda: Normal(mean, var), "string", {"mean": mean, "var": var}, fail)
    if not isinstance(v, dict):
        return fail(f"must be a Gaussian ({{mean, var}}, {{mean, std}}, {{mean, cov}} or \"N(m, v)\"), got {v!r}")
    keys = set(v)
    if "mean" not in keys:
        return fail("must give 'mean'")
    extra = keys - {"mean", "var", "std", "cov"}
    if extra:
        return fail(f"has unknown key(s) {', '.join(sorted(extra))}")
    spread = [k for k in ("var", "std", "cov") if k in keys]
    if len(spread) != 1:
        return fail("must give exactly one of 'var', 'std' or 'cov'")
    kind = spread[0]
    mean = v["mean"]
    if kind in ("var", "std"):
        if not _is_number(mean):
            return fail(f"mean must be a finite number, got {mean!r}")
        s = v[kind]
        if not _is_number(s):
            return fail(f"{kind} must be a finite number, got {s!r}")
        make = (lambda: Normal.from_std(mean, s)) if kind == "std" else (lambda: Normal(mean, s))
        return _build(make, kind, v, fail)
    if univariate:
        return fail("must be univariate here (give 'var' or 'std', not 'cov')")
    if not (isinstance(mean, list) and mean and all(_is_number(a) for a in mean)):
        return fail(f"mean must be a list of finite numbers when 'cov' is given, got {mean!r}")
    cov = v["cov"]
    d = len(mean)
    if (not isinstance(cov, list) or len(cov) != d
            or not all(isinstance(r, list) and len(r) == d for r in cov)
            or not all(_is_number(a) for r in cov for a in r)):
        return fail(f"cov must be a {d}x{d} matrix of finite numbers")
    return _build(lambda: MultivariateNormal(mean, cov), "cov", v, fail)


def parse_distribution(v: Any, fail: Callable[[str], Any], univariate: bool = False) -> Any:
    """Read a distribution: discrete ``{probs: [..]}`` / ``{probs: [..], support: [..]}``
    (:class:`~adlkit.divergences.Discrete`), uniform ``{uniform: [a, b]}`` or ``"U(a, b)"``
    (:class:`~adlkit.divergences.Uniform`), else a Gaussian (:func:`parse_gaussian`, with its
    own messages); ``fail(msg)`` on a fault."""
    if isinstance(v, str) and v.strip()[:2] in ("U(", "u("):
        s = v.strip().replace(" ", "")
        parts = s[2:-1].split(",") if s.endswith(")") else []
        try:
            a, b = (float(x) for x in parts)
        except ValueError:
            return fail(f"must be \"U(a, b)\" with numbers a < b, got {v!r}")
        return _build_other(lambda: Uniform(a, b), fail)
    if isinstance(v, dict) and "uniform" in v:
        if set(v) != {"uniform"}:
            return fail(f"has unknown key(s) {', '.join(sorted(set(v) - {'uniform'}))} (a uniform is {{uniform: [a, b]}})")
        ab = v["uniform"]
        if not (isinstance(ab, list) and len(ab) == 2 and all(_is_number(x) for x in ab)):
            return fail(f"uniform must be a list [a, b] of two numbers, got {ab!r}")
        return _build_other(lambda: Uniform(*ab), fail)
    if isinstance(v, dict) and "probs" in v:
        extra = set(v) - {"probs", "support"}
        if extra:
            return fail(f"has unknown key(s) {', '.join(sorted(extra))} (a discrete distribution is {{probs, support}})")
        probs, support = v["probs"], v.get("support")
        if not (isinstance(probs, list) and probs and all(_is_number(x) for x in probs)):
            return fail(f"probs must be a non-empty list of numbers, got {probs!r}")
        if support is not None and not (isinstance(support, list) and all(_is_number(x) for x in support)):
            return fail(f"support must be a list of numbers, got {support!r}")
        return _build_other(lambda: Discrete(probs, support), fail)
    return parse_gaussian(v, fail, univariate=univariate)


def _build_other(make: Callable[[], Any], fail: Callable[[str], Any]) -> Any:
    try:
        return make()
    except ParameterError as err:
        return fail(str(err))


def variance_spelled(v: Any) -> Normal | None:
    """The univariate Gaussian of a raw spec value spelled with its VARIANCE (``"N(m, v)"`` or
    ``{mean, var}``), else None (a std, a covariance, or not a valid Gaussian)."""
    by_variance = (isinstance(v, str) and v.strip()[:2] in ("N(", "n(")) or (isinstance(v, dict) and "var" in v)
    if not by_variance:
        return None
    g = parse_gaussian(v, lambda msg: INVALID, univariate=True)
    return None if g is INVALID else g


def read_yaml_text(text: str, source: str, error: type[Exception] | None = None) -> Any:
    """YAML/JSON text -> data, or ``error([one line naming source and position])``
    (default :class:`SpecError`; ``adlkit check`` passes its own)."""
    import yaml

    error = error or SpecError
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise error([f"{source}: not valid YAML/JSON{where}: {getattr(err, 'problem', err)}"]) from None


def read_yaml_file(path: str | Path, error: type[Exception] | None = None) -> Any:
    """The YAML/JSON data of the file ``path``; a missing or unreadable file, or bad YAML, is
    ``error([one line])`` (default :class:`SpecError`)."""
    error = error or SpecError
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise error([f"{path}: cannot read: {err}"]) from None
    return read_yaml_text(text, str(path), error)


def load_spec_text(text: str, source: str = "spec") -> dict[str, Any]:
    """Parse YAML/JSON text into a spec dict, or raise :class:`SpecError`."""
    return _spec_mapping(read_yaml_text(text, source), source)


def _spec_mapping(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SpecError([f"{source}: must be a mapping with a 'problems' list"])
    return data


def load_spec_file(path: str | Path) -> dict[str, Any]:
    """Read a spec file (YAML or JSON), or raise :class:`SpecError`."""
    return _spec_mapping(read_yaml_file(path), str(path))
