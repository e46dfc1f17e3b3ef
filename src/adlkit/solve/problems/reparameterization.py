"""Problem type ``reparameterization``: z = mu + sigma * eps for a Gaussian q(z|x) given by its
mean and one of its log-variance, variance or standard deviation (module 6).

Computed by :func:`adlkit.vae.terms.reparameterize` -- the function the VAE samples its latents
with -- after the spread is written as the log-variance the encoder outputs.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_number, draw_numbers
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

SPREADS = ("logvar", "var", "std")
_WORDS = {"logvar": "log-variance log sigma^2", "var": "variance sigma^2", "std": "standard deviation sigma"}


def _vec(rng, n: int, lo: float, hi: float) -> Any:
    return draw_number(rng, lo, hi) if n == 1 else draw_numbers(rng, n, lo, hi)


def _n(v: Any) -> int:
    return len(v) if isinstance(v, list) else 1


def _positive(v: Any, params: dict[str, Any]) -> str | None:
    return None if np.all(v > 0) else f"must be > 0, got {float(v[np.argmin(v > 0)]):g}"


def _draw_spread(name: str):
    def draw(rng, drawn: dict[str, Any]) -> Any:
        if any(s in drawn for s in SPREADS):
            return OMIT
        left = SPREADS[SPREADS.index(name):]
        if len(left) > 1 and rng.random() > 1 / len(left):
            return OMIT
        lo, hi = (-2, 1) if name == "logvar" else (0.1, 2)
        return _vec(rng, _n(drawn["mu"]), lo, hi)

    return draw


PARAMETERS = (
    Param("mu", "number_list", "the mean of q(z|x) (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: _vec(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("logvar", "number_list", "the log-variance log sigma^2 (natural log), one of logvar, var, std",
          scalar_ok=True, default=None, default_text="none",
          check=lambda v, p: "must be at most 700 (exp(logvar) overflows)" if np.any(v > 700) else None,
          draw=_draw_spread("logvar")),
    Param("var", "number_list", "the variance sigma^2, one of logvar, var, std", scalar_ok=True, default=None,
          default_text="none", check=_positive, draw=_draw_spread("var")),
    Param("std", "number_list", "the standard deviation sigma, one of logvar, var, std", scalar_ok=True,
          default=None, default_text="none", check=_positive, draw=_draw_spread("std")),
    Param("eps", "number_list", "the standard-normal draw epsilon, the same length as mu", scalar_ok=True,
          draw=lambda rng, d: _vec(rng, _n(d["mu"]), -2, 2)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    given = [s for s in SPREADS if f.has(s)]
    if not given:
        f.error("logvar", "is required: give exactly one of 'logvar', 'var' or 'std'")
    for extra in given[1:]:
        f.error(extra, f"cannot be given together with '{given[0]}': give exactly one of 'logvar', 'var' or 'std'")
    mu, eps = params["mu"], params["eps"]
    if mu is not INVALID and eps is not INVALID and len(eps) != len(mu):
        f.error("eps", f"must have the same length as 'mu' ({len(mu)}), got {len(eps)}")
    if len(given) == 1 and mu is not INVALID:
        v = params[given[0]]
        if v is not INVALID and len(v) not in (1, len(mu)):
            f.error(given[0], f"must be one number or have the same length as 'mu' ({len(mu)}), got {len(v)}")
    params["spread"] = given[0] if len(given) == 1 else None
    params["scalar"] = not isinstance(f.raw.get("mu"), list)
    params["spread_scalar"] = len(given) == 1 and not isinstance(f.raw.get(given[0]), list)
    return params


def _vtext(v: Any) -> str:
    v = np.atleast_1d(v)
    return fmt(float(v[0])) if len(v) == 1 else "[" + ", ".join(fmt(float(a)) for a in v) + "]"


def statement(params: dict[str, Any]) -> str:
    s = params["spread"]
    return (f"A VAE's encoder outputs q(z|x) = N(mu, sigma^2) with mu = {_vtext(params['mu'])} and "
            f"{_WORDS[s]} = {_vtext(params[s])}. With the standard-normal draw eps = {_vtext(params['eps'])}, "
            "give sigma and the reparameterised sample z.")


def _out(a: np.ndarray, scalar: bool) -> Any:
    return float(a[0]) if scalar and a.size == 1 else [float(x) for x in a]


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.vae.terms import reparameterize, std_from_logvar

    s = p["spread"]
    given = np.asarray(p[s], dtype=np.float64)
    logvar = given if s == "logvar" else (np.log(given) if s == "var" else 2.0 * np.log(given))
    T = lambda a: torch.as_tensor(a, dtype=torch.float64)
    mu, eps = T(p["mu"]), T(p["eps"])
    std = std_from_logvar(T(logvar)).numpy()
    z = reparameterize(mu, T(logvar), eps).numpy()
    scalar = p["scalar"]
    sol = Solution(pid, "reparameterization",
                   answers={"std": _out(std, p["spread_scalar"]), "z": _out(z, scalar)})
    sol.conventions = {
        "trick": "z = mu + sigma * eps, eps ~ N(0, I) drawn outside the network, so z is differentiable in mu and sigma",
        "spread": f"the spec gives the {_WORDS[s]}; the encoder's output is the log-variance logvar = log sigma^2 "
                  "(natural log), sigma = exp(logvar / 2) = sqrt(var)",
        "shapes": "elementwise; a single spread value is shared by every latent dimension",
    }
    how = {"logvar": (r"\sigma = e^{\frac12\log\sigma^2}", lambda g: rf"e^{{{fmt(g)}/2}}"),
           "var": (r"\sigma = \sqrt{\sigma^2}", lambda g: rf"\sqrt{{{fmt(g)}}}"),
           "std": (r"\sigma \text{ is given}", lambda g: fmt(g))}[s]
    sol.step("The standard deviation is given" if s == "std" else f"Standard deviation from the {_WORDS[s]}",
             formula=how[0],
             substituted=", ".join(how[1](float(g)) for g in given), value=_vtext(std))
    mus, es = np.atleast_1d(p["mu"]), np.atleast_1d(p["eps"])
    stds = np.broadcast_to(std, mus.shape)
    sub = [Step(f"dimension {j + 1}", substituted=rf"{fmt(float(mus[j]))} + {fmt(float(stds[j]))}\cdot({fmt(float(es[j]))})",
                value=fmt(float(z[j]))) for j in range(len(mus))]
    sol.step("Reparameterised sample", formula=r"z = \mu + \sigma\odot\varepsilon",
             substituted=sub[0].substituted if len(sub) == 1 else "", value=_vtext(z),
             substeps=sub if len(sub) > 1 else [])
    return sol


# -- slips: the spread read as another of the three ------------------------------------------------
def _misread(given: str, taken: str, label: str, transform=None) -> SlipRule:
    def candidates(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
        if given not in problem or any(s in problem for s in SPREADS if s != given):
            return
        p = copy.deepcopy(problem)
        v = p.pop(given)
        if transform is not None:
            try:
                v = transform(v)
            except (TypeError, ValueError, OverflowError):
                return
        p[taken] = v
        yield f"re-solved with the given {given} read as the {taken}", resolve(p, key)

    return SlipRule(f"{given}_as_{taken}", label, ("std", "z"), candidates)


def _exp_each(v: Any) -> Any:
    return [math.exp(float(a)) for a in v] if isinstance(v, list) else math.exp(float(v))


SLIPS = (
    _misread("std", "var", "standard deviation read as a variance (its square root taken)"),
    _misread("std", "logvar", "standard deviation read as a log-variance"),
    _misread("var", "std", "variance read as a standard deviation (no square root)"),
    _misread("var", "logvar", "variance read as a log-variance"),
    _misread("logvar", "std", "log-variance read as the standard deviation (no exponential)"),
    _misread("logvar", "var", "log-variance read as a variance"),
    SlipRule("logvar_as_logstd", "exp(logvar) without the 1/2: the log-variance taken as a log standard deviation",
             ("std", "z"), _misread("logvar", "std", "", _exp_each).candidates),
)

UNIT = ProblemType(
    name="reparameterization",
    summary="the reparameterisation trick z = mu + sigma * eps, sigma from logvar, var or std",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("std", "z"),
    slips=SLIPS,
    example={"mu": [0.5, -1.0], "logvar": [-1.0, 0.4], "eps": [1.2, -0.3]},
    modules=(6,),
)
