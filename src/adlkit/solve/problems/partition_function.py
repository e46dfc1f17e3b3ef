"""Problem type ``partition_function``: Z of a 1-D unnormalised density (question 4A), of a
Boltzmann density exp(-E(x)/T) given by its energy, or of finitely many states given by their
energies (module 9).

Computed by :func:`adlkit.ebm.partition.partition_function` (a Gaussian form is recognised and
the square completed; otherwise SymPy under a timeout; adaptive quadrature always, compared),
:func:`adlkit.ebm.partition.density_from_energy` and
:func:`adlkit.ebm.partition.discrete_partition`.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from adlkit.core.domain import REAL_LINE, describe
from adlkit.core.expr import evaluate, symbol
from adlkit.core.latex import tex
from adlkit.core.numbers import fmt, fmt_vec
from adlkit.ebm.partition import density_from_energy, discrete_partition, partition_function
from adlkit.plotting import subplots
from adlkit.solve.common import check_defined, draw_interval, draw_number, maybe
from adlkit.solve.figures import plot_range, save
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

FORMS = ("exp(-{a}*(x - {m})^2)", "{c}*exp(-{a}*abs(x - {m}))", "exp(-{a}*x)", "x^2 + {c}", "{c}*exp(-x^2/{a})")


ENERGIES = ("(x - {m})^2/2", "{a}*x^2 + {m}*x", "abs(x - {m})", "x^4/{c}", "(x - {m})^2/(2*{c})")


def _draw_f(rng, drawn) -> Any:
    if rng.random() < 0.5:
        return OMIT  # an energy or a list of state energies instead
    form = FORMS[int(rng.integers(len(FORMS)))]
    return form.format(a=draw_number(rng, 0.2, 2), m=draw_number(rng, -2, 2), c=draw_number(rng, 0.5, 3))


def _draw_energy(rng, drawn) -> Any:
    if "f" in drawn or rng.random() < 0.3:
        return OMIT
    form = ENERGIES[int(rng.integers(len(ENERGIES)))]
    return form.format(a=draw_number(rng, 0.2, 2), m=draw_number(rng, -2, 2), c=draw_number(rng, 0.5, 3))


def _draw_energies(rng, drawn) -> Any:
    if "f" in drawn or "energy" in drawn:
        return OMIT
    return [draw_number(rng, -2, 3) for _ in range(int(rng.integers(2, 6)))]


def _continuous(f: Fields) -> bool:
    return not f.has("energies")


PARAMETERS = (
    Param("f", "expression", "the unnormalised density f(x) >= 0 (or give 'energy' or 'energies')",
          variables=("x",), draw=_draw_f, when=lambda f: not (f.has("energy") or f.has("energies")),
          missing="is required (or give 'energy' E(x), or 'energies' of discrete states)"),
    Param("energy", "expression", "the energy E(x): the unnormalised density is exp(-E(x)/T)",
          variables=("x",), draw=_draw_energy, when=lambda f: f.has("energy")),
    Param("energies", "number_list", "the energies E_i of finitely many states: p_i = exp(-E_i/T)/Z",
          draw=_draw_energies, when=lambda f: f.has("energies")),
    Param("temperature", "number", "the temperature T of exp(-E/T) (with 'energy' or 'energies')",
          default=1.0, positive=True,
          draw=lambda rng, d: maybe(rng, draw_number(rng, 0.5, 3)) if "f" not in d else OMIT),
    Param("domain", "domain", "the interval [a, b] to integrate over", default=REAL_LINE,
          default_text="the real line", draw=lambda rng, d: maybe(rng, draw_interval(rng)) if "energies" not in d else OMIT,
          when=_continuous),
    Param("at", "number_list", "points x at which to give the normalised density p(x)", default=None,
          scalar_ok=True, when=_continuous,
          draw=lambda rng, d: maybe(rng, [draw_number(rng, -2, 2) for _ in range(2)]) if "energies" not in d else OMIT),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    given = [k for k in ("f", "energy", "energies") if f.has(k)]
    if len(given) > 1:
        f.error(given[1], f"cannot be given together with '{given[0]}': give one of f, energy, energies")
        return {**params, given[1]: INVALID}
    if f.has("temperature") and f.has("f"):
        f.error("temperature", "applies to 'energy' or 'energies' (f is already the density)")
        return {**params, "temperature": INVALID}
    if "energy" in params and params["energy"] is not INVALID and params.get("temperature") is not INVALID \
            and params.get("domain") is not INVALID:
        dens = density_from_energy(params["energy"], params["temperature"])
        if not check_defined(f, "energy", dens, params["domain"], nonnegative=True):
            return {**params, "energy": INVALID}
        return params
    if "f" in params:
        expr, domain = params["f"], params["domain"]
        if expr is not INVALID and domain is not INVALID and not check_defined(f, "f", expr, domain, nonnegative=True):
            return {**params, "f": INVALID}
    return params


def statement(params: dict[str, Any]) -> str:
    if "energies" in params:
        return (f"A system has {len(params['energies'])} states with energies {_plain(params['energies'])} at "
                f"temperature T = {params['temperature']:g}. Compute the partition function Z and the "
                "Boltzmann probability of each state.")
    at = "" if params.get("at") is None else f" Give the density at x = {_plain(params['at'])}."
    if "energy" in params:
        return (f"An energy-based model has the energy E(x) = {params['energy']} on {describe(params['domain'])}, "
                f"at temperature T = {params['temperature']:g} (p(x) proportional to exp(-E(x)/T)). "
                f"Compute its partition function Z and the normalised density.{at}")
    return (f"An energy-based model has the unnormalised density f(x) = {params['f']} on "
            f"{describe(params['domain'])}. Compute its partition function Z and the normalised density.{at}")


def _plain(v: Any) -> str:
    return "[" + ", ".join(f"{float(a):g}" for a in np.ravel(v)) + "]"


def _solve_discrete(pid: str, params: dict[str, Any]) -> Solution:
    E, T = params["energies"], params["temperature"]
    r = discrete_partition(E, T)
    sol = Solution(pid, "partition_function", answers={
        "Z": r.Z, "Z_exact": None, "Z_numeric": r.Z, "normalizable": True, "density": None,
        "probabilities": r.probabilities,
    })
    sol.conventions = {
        "definition": "Z = sum over the states of exp(-E_i/T); p_i = exp(-E_i/T) / Z (Boltzmann distribution)",
        "temperature": f"T = {T:g}" + (" (the default)" if T == 1 else ""),
        "exact": "Z_exact is null for discrete states: Z is a finite sum, computed with log-sum-exp in float64",
    }
    sol.step("The Boltzmann distribution over finitely many states: the partition function is a sum",
             formula=r"p_i = \frac{e^{-E_i/T}}{Z},\quad Z = \sum_i e^{-E_i/T}")
    sol.step("The Boltzmann factor of each state", formula=r"e^{-E_i/T}",
             substituted=", ".join(rf"e^{{-{'(' + fmt(e) + ')' if e < 0 else fmt(e)}/{fmt(T)}}}" for e in E),
             value=fmt_vec(r.weights))
    sol.step("Add them", formula=r"Z = \sum_i e^{-E_i/T}", value=fmt(r.Z, 6))
    sol.step("Divide each factor by Z (they sum to 1; the lowest energy is the most probable)",
             formula=r"p_i = e^{-E_i/T} / Z", value=fmt_vec(r.probabilities))
    return sol


def _bounds(domain: tuple[float, float]) -> tuple[str, str]:
    a, b = domain
    lo = r"-\infty" if a == -math.inf else fmt(a)
    hi = r"\infty" if b == math.inf else fmt(b)
    return lo, hi


def _density_at(f: sp.Expr, Z: float, at: Any) -> Any:
    if at is None or not (math.isfinite(Z) and Z > 0):
        return None
    fv = np.broadcast_to(np.asarray(evaluate(f, {symbol("x"): np.asarray(at, dtype=np.float64)}), dtype=np.float64),
                         np.shape(at))
    return fv / Z


def solve(pid: str, params: dict[str, Any]) -> Solution:
    if "energies" in params:
        return _solve_discrete(pid, params)
    domain = params["domain"]
    energy, T = params.get("energy"), params.get("temperature", 1.0)
    f = density_from_energy(energy, T) if energy is not None else params["f"]
    r = partition_function(f, domain)
    exact = None if r.Z_exact is None else str(r.Z_exact)
    density = _density_at(f, r.Z, params.get("at"))
    if density is not None and domain != (-math.inf, math.inf):
        a, b = domain
        density = np.where((np.asarray(params["at"]) >= a) & (np.asarray(params["at"]) <= b), density, 0.0)
    sol = Solution(pid, "partition_function", answers={
        "Z": r.Z, "Z_exact": exact, "Z_numeric": r.numeric, "normalizable": r.normalizable,
        "density": density, "probabilities": None,
    })
    sol.conventions = {
        "definition": "Z = integral of f(x) dx over the domain; the normalised density is p(x) = f(x) / Z",
        "domain": describe(domain),
        "exact": "Z_exact is SymPy's closed form as text (null when none was found); Z is its value, "
                 "or the quadrature value when there is no closed form",
        "numeric": "Z_numeric: globally adaptive Gauss-Legendre quadrature, float64, always computed as a check",
        "infinite": "Z is \"inf\" and normalizable false when the integral diverges: no normalisation exists",
    }
    if params.get("at") is not None:
        sol.conventions["density"] = "density: p(x) = f(x) / Z at each point of 'at' (0 outside the domain; null when Z is infinite)"
    if energy is not None:
        sol.conventions["energy"] = (f"the energy E(x) defines f(x) = exp(-E(x)/T) with T = {T:g}: low energy, high "
                                     "density")
    lo, hi = _bounds(domain)
    ftex = tex(f)
    if energy is not None:
        sol.step("The Boltzmann density of the energy at temperature T: minus the energy over T in the exponent",
                 formula=rf"f(x) = e^{{-E(x)/T}},\quad E(x) = {tex(energy)},\quad T = {fmt(T)}",
                 substituted=rf"f(x) = {ftex}")
    sol.step("An energy-based model needs p(x) = f(x) / Z, so f must be divided by its integral, "
             "the partition function", formula=rf"Z = \int_{{{lo}}}^{{{hi}}} {ftex}\,dx")
    g = r.gaussian
    if g is not None:
        C = "" if g.C == 1 else rf"{tex(g.C)} \cdot "
        sol.step("The exponent is a quadratic in x", formula=rf"f(x) = {C}\exp\left({tex(g.a2 * sp.Symbol('x')**2 + g.a1 * sp.Symbol('x') + g.a0)}\right)")
        if g.a2 < 0:
            k = "" if g.k == 0 else rf" + {tex(g.k)}"
            sol.step("Complete the square: a Gaussian shape with mean mu and variance sigma^2",
                     formula=rf"-\frac{{(x - \mu)^2}}{{2\sigma^2}}{k},\quad \mu = -\frac{{a_1}}{{2a_2}} = {tex(g.mean)},"
                             rf"\quad \sigma^2 = -\frac{{1}}{{2a_2}} = {tex(g.var)}")
            if domain == (-math.inf, math.inf):
                sol.step("Gaussian integral", formula=r"\int_{-\infty}^{\infty} e^{-\frac{(x-\mu)^2}{2\sigma^2}}\,dx = \sigma\sqrt{2\pi}",
                         substituted=rf"\sqrt{{{tex(g.var)}}} \cdot \sqrt{{2\pi}}")
            else:
                sol.step("On an interval the Gaussian integral is a difference of error functions",
                         formula=r"\int_a^b e^{-\frac{(x-\mu)^2}{2\sigma^2}}\,dx = \sigma\sqrt{\frac{\pi}{2}}\left[\operatorname{erf}\frac{b-\mu}{\sigma\sqrt2} - \operatorname{erf}\frac{a-\mu}{\sigma\sqrt2}\right]")
        elif not r.normalizable:
            sol.step("The quadratic's leading coefficient is positive: f grows like exp(c x^2) and "
                     "its integral over an unbounded domain diverges")
    elif r.method == "sympy":
        sol.step("Integrate exactly (SymPy)", formula=rf"Z = {tex(r.Z_exact)}")
    for n in r.notes:
        sol.step(n[0].upper() + n[1:])
    if not r.normalizable:
        sol.step("The integral diverges: f cannot be normalised into a density on this domain",
                 formula=r"Z = \infty")
        return sol
    if r.Z_exact is not None:
        sol.step("The partition function", formula=r"Z", substituted=tex(r.Z_exact), value=fmt(r.Z))
    else:
        sol.step("No closed form: the partition function by adaptive quadrature", formula=r"Z",
                 value=fmt(r.Z, 6))
    sol.step("Check by adaptive quadrature", formula=r"Z_{\mathrm{quad}}",
             value=rf"{fmt(r.numeric, 8)}\ (\pm {fmt(r.numeric_error, 2)})")
    zt = tex(r.Z_exact) if r.Z_exact is not None else fmt(r.Z, 6)
    sol.step("The normalised density", formula=rf"p(x) = \frac{{1}}{{{zt}}}\,{ftex}")
    if density is not None:
        sol.step("The density at each requested point", formula=r"p(x) = f(x) / Z",
                 substituted=", ".join(rf"p({fmt(a)})" for a in np.ravel(params["at"])), value=fmt_vec(density, 6))
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    if "energies" in p:
        fig, ax = subplots(figsize=(6, 3.2))
        ax.bar(range(len(p["energies"])), sol.answers["probabilities"], color="C0")
        ax.set_xlabel("state i")
        ax.set_ylabel("p_i")
        ax.set_title(f"Boltzmann probabilities, Z = {sol.answers['Z']:.4f}")
        return {"density": save(fig, out, f"{sol.id}_density")}
    if "energy" in p:
        p = {**p, "f": density_from_energy(p["energy"], p["temperature"])}
    x = symbol("x")
    centre = 0.0
    lo, hi = plot_range(p["domain"])
    xs = np.linspace(lo, hi, 800)
    fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    if np.all(np.isfinite(fv)) and fv.max() > 0 and math.isinf(p["domain"][0]) and math.isinf(p["domain"][1]):
        centre = float(np.sum(xs * fv) / np.sum(fv))  # re-centre on the mass
        lo, hi = centre - 8, centre + 8
        xs = np.linspace(lo, hi, 800)
        fv = np.broadcast_to(np.asarray(evaluate(p["f"], {x: xs}), dtype=float), xs.shape)
    fig, ax = subplots(figsize=(7, 3.6))
    ax.plot(xs, fv, color="C0", label="unnormalised f(x)")
    Z = sol.answers["Z"]
    if math.isfinite(Z):
        ax.fill_between(xs, 0, fv, color="C0", alpha=0.25, label=f"area Z = {Z:.4f}")
        ax.plot(xs, fv / Z, color="C1", label="normalised p(x) = f(x)/Z")
    ax.set_xlabel("x")
    ax.legend(fontsize=8)
    ax.set_title("Partition function" + ("" if math.isfinite(Z) else ": the area is infinite"))
    return {"density": save(fig, out, f"{sol.id}_density")}


def _without_temperature(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    if problem.get("temperature") not in (None, 1, 1.0) and ("energy" in problem or "energies" in problem):
        p = {k: v for k, v in problem.items() if k != "temperature"}
        yield "re-solved with T = 1 (the temperature left out of exp(-E/T))", resolve(p, key)


def _energy_sign(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    p = copy.deepcopy(problem)
    if "energy" in problem:
        p["energy"] = f"-({problem['energy']})"
    elif isinstance(problem.get("energies"), list):
        p["energies"] = [-e if isinstance(e, (int, float)) else e for e in problem["energies"]]
    else:
        return
    yield "re-solved with exp(+E/T) instead of exp(-E/T)", resolve(p, key)


SLIPS = (
    SlipRule("temperature_forgotten", "temperature forgotten (exp(-E) for exp(-E/T))", ("Z", "density", "probabilities"),
             _without_temperature),
    SlipRule("energy_sign", "the energy's sign (exp(+E) for exp(-E))", ("Z", "density", "probabilities"), _energy_sign),
)


UNIT = ProblemType(
    name="partition_function",
    summary="partition function Z of a 1-D unnormalised density (exact and quadrature)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("Z", "Z_exact", "Z_numeric", "normalizable", "density", "probabilities"),
    slips=SLIPS,
    figures=(figure,),
    example={"f": "exp(-(x - 2.5)^2/9)"},
    modules=(9,),
)
