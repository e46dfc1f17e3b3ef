"""Spec loading and validation (CONTRACT.md).

A problem's raw parameters are read through :class:`Fields`, whose getters validate one field
each and record a message ``"<id>: field '<name>' ..."`` for every fault instead of raising, so
that one pass over a spec reports every fault at once. Unknown fields are faults too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core import expr as _expr


class SpecError(ValueError):
    """An invalid spec; ``messages`` holds one line per fault."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
MISSING: Any = object()


@dataclass(frozen=True)
class Gaussian:
    """A Gaussian N(mean, cov). Univariate: ``mean`` float, ``var`` float; multivariate:
    ``mean`` (d,) array and ``cov`` (d, d) symmetric positive definite."""

    mean: Any
    var: Any  # float (univariate variance) or (d, d) covariance

    @property
    def dim(self) -> int:
        return 1 if np.ndim(self.mean) == 0 else int(np.shape(self.mean)[0])

    @property
    def multivariate(self) -> bool:
        return np.ndim(self.mean) != 0

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    def latex(self) -> str:
        from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec

        if self.multivariate:
            return rf"\mathcal{{N}}\left({fmt_vec(self.mean)},\ {fmt_matrix(self.var)}\right)"
        return rf"\mathcal{{N}}({fmt(self.mean)},\ {fmt(self.var)})"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Fields:
    """Validating reader of one problem's parameters."""

    def __init__(self, pid: str, raw: dict[str, Any], errors: list[str]):
        self.pid = pid
        self.raw = raw
        self.errors = errors
        self.used: set[str] = {"id", "type"}

    # -- plumbing -----------------------------------------------------------------------------
    def error(self, name: str, message: str) -> Any:
        self.errors.append(f"{self.pid}: field '{name}' {message}")
        return INVALID

    def has(self, name: str) -> bool:
        return name in self.raw and self.raw[name] is not None

    def _get(self, name: str, default: Any) -> Any:
        self.used.add(name)
        if name not in self.raw or self.raw[name] is None:
            if default is MISSING:
                return self.error(name, "is required")
            return default
        return self.raw[name]

    def finish(self) -> None:
        """Record every field that no getter asked for."""
        for k in self.raw:
            if k not in self.used:
                self.error(k, "is not a parameter of this problem type")

    # -- scalars ------------------------------------------------------------------------------
    def number(self, name: str, default: Any = MISSING, *, positive: bool = False,
               nonneg: bool = False, integer: bool = False, minimum: float | None = None,
               value: Any = MISSING) -> Any:
        v = self._get(name, default) if value is MISSING else value
        if v is INVALID or (v is default and default is not MISSING):
            return v
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
        if nonneg and not v >= 0:
            return self.error(name, f"must be >= 0, got {v!r}")
        if minimum is not None and v < minimum:
            return self.error(name, f"must be >= {minimum:g}, got {v!r}")
        return v

    def boolean(self, name: str, default: Any = MISSING) -> Any:
        v = self._get(name, default)
        if v is INVALID or v is default:
            return v
        if not isinstance(v, bool):
            return self.error(name, f"must be true or false, got {v!r}")
        return v

    def choice(self, name: str, options: Sequence[Any], default: Any = MISSING) -> Any:
        v = self._get(name, default)
        if v is INVALID:
            return v
        if v not in options:
            opts = ", ".join(str(o) for o in options)
            return self.error(name, f"must be one of {opts}, got {v!r}")
        return v

    # -- structures ---------------------------------------------------------------------------
    def number_list(self, name: str, default: Any = MISSING, *, min_len: int = 1,
                    scalar_ok: bool = False) -> Any:
        """A list of finite numbers (a bare number too when ``scalar_ok``) -> float64 array."""
        v = self._get(name, default)
        if v is INVALID or v is default:
            return v
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

    def expression(self, name: str, variables: Sequence[str], default: Any = MISSING,
                   value: Any = MISSING) -> Any:
        v = self._get(name, default) if value is MISSING else value
        if v is INVALID or (v is default and default is not MISSING):
            return v
        try:
            return _expr.parse(v, variables)
        except _expr.ExpressionError as err:
            return self.error(name, f"is not a valid expression: {err}")

    def gaussian(self, name: str, default: Any = MISSING, *, univariate: bool = False) -> Any:
        v = self._get(name, default)
        if v is INVALID or v is default:
            return v
        return parse_gaussian(v, lambda msg: self.error(name, msg), univariate=univariate)


def parse_gaussian(v: Any, fail: Callable[[str], Any], univariate: bool = False) -> Any:
    """Read ``{mean, var}``, ``{mean, std}``, ``"N(m, v)"`` (v = VARIANCE) or
    ``{mean: [..], cov: [[..]]}`` into a :class:`Gaussian`; ``fail(msg)`` on a fault."""
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
        return _univariate(mean, var, "variance", fail)
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
        if not (_is_number(mean) and math.isfinite(mean)):
            return fail(f"mean must be a finite number, got {mean!r}")
        s = v[kind]
        if not (_is_number(s) and math.isfinite(s)):
            return fail(f"{kind} must be a finite number, got {s!r}")
        if kind == "std":
            if not s > 0:
                return fail(f"std must be > 0, got {s!r}")
            return Gaussian(float(mean), float(s) ** 2)
        return _univariate(float(mean), float(s), "var", fail)
    if univariate:
        return fail("must be univariate here (give 'var' or 'std', not 'cov')")
    if not (isinstance(mean, list) and mean and all(_is_number(a) and math.isfinite(a) for a in mean)):
        return fail(f"mean must be a list of finite numbers when 'cov' is given, got {mean!r}")
    cov = v["cov"]
    d = len(mean)
    if (not isinstance(cov, list) or len(cov) != d
            or not all(isinstance(r, list) and len(r) == d for r in cov)
            or not all(_is_number(a) and math.isfinite(a) for r in cov for a in r)):
        return fail(f"cov must be a {d}x{d} matrix of finite numbers")
    c = np.asarray(cov, dtype=np.float64)
    if not np.allclose(c, c.T, rtol=1e-12, atol=1e-12):
        return fail("cov must be symmetric")
    try:
        np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        return fail("cov must be positive definite")
    return Gaussian(np.asarray(mean, dtype=np.float64), c)


def _univariate(mean: float, var: float, name: str, fail: Callable[[str], Any]) -> Any:
    if not (math.isfinite(mean) and math.isfinite(var)):
        return fail("mean and variance must be finite")
    if not var > 0:
        return fail(f"{name} must be > 0, got {var:g}")
    return Gaussian(float(mean), float(var))


def load_spec_text(text: str, source: str = "spec") -> dict[str, Any]:
    """Parse YAML/JSON text into a spec dict, or raise :class:`SpecError`."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError([f"{source}: not valid YAML/JSON{where}: {getattr(err, 'problem', err)}"]) from None
    if not isinstance(data, dict):
        raise SpecError([f"{source}: must be a mapping with a 'problems' list"])
    return data


def load_spec_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError([f"{path}: cannot read: {err}"]) from None
    return load_spec_text(text, str(path))
