"""Problem type ``dsm``: the denoising score matching target and loss (module 9).

Computed by :mod:`adlkit.ebm.dsm`, the functions the EBM (``method="dsm"``) trains with.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_vec
from adlkit.ebm.dsm import WEIGHTINGS, dsm_loss, dsm_target
from adlkit.solve.common import draw_number, draw_numbers, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.scores import shaped
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

VECTORS = ("x_noisy", "eps", "s_pred")


def _draw_vec(name: str):
    def draw(rng, drawn) -> Any:
        if name == "x_noisy" and rng.random() < 0.5:
            return OMIT
        if name == "eps" and "x_noisy" in drawn:
            return OMIT
        if name == "s_pred" and rng.random() < 0.3:
            return OMIT
        n = 1 if not isinstance(drawn["x"], list) else len(drawn["x"])
        v = draw_numbers(rng, n, -2, 2)
        return v[0] if n == 1 and not isinstance(drawn["x"], list) else v
    return draw


PARAMETERS = (
    Param("x", "number_list", "the clean data point x (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: draw_number(rng, -2, 2) if rng.random() < 0.4 else draw_numbers(rng, 2, -2, 2)),
    Param("sigma", "number", "the noise level sigma > 0 (a standard deviation)", positive=True,
          draw=lambda rng, d: draw_number(rng, 0.1, 1.5, 2)),
    Param("x_noisy", "number_list", "the perturbed point x~ = x + sigma eps", scalar_ok=True,
          when=lambda f: f.has("x_noisy"), draw=_draw_vec("x_noisy")),
    Param("eps", "number_list", "the standard-normal noise eps (x~ = x + sigma eps)", scalar_ok=True,
          when=lambda f: f.has("eps"), draw=_draw_vec("eps")),
    Param("s_pred", "number_list", "the model's score s_theta(x~), for the loss", default=None, scalar_ok=True,
          draw=_draw_vec("s_pred")),
    Param("weighting", "choice", "none: 1/2 ||s - t||^2; sigma2: sigma^2/2 ||s - t||^2 (Song and Ermon)",
          default="none", choices=WEIGHTINGS, draw=lambda rng, d: maybe(rng, "sigma2", 0.3)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    given = [k for k in ("x_noisy", "eps") if f.has(k)]
    if not given:
        f.error("x_noisy", "is required (or give 'eps')")
        return {**params, "x_noisy": INVALID}
    if len(given) > 1:
        f.error("eps", "cannot be given together with 'x_noisy': give one of x_noisy, eps")
        return {**params, "eps": INVALID}
    x = params["x"]
    if x is not INVALID:
        for k in VECTORS:
            v = params.get(k)
            if v is not None and v is not INVALID and v.size != x.size:
                params = {**params, k: f.error(k, f"must have the length of x ({x.size}), got {v.size}")}
    return {**params, "scalar": not isinstance(f.raw.get("x"), list)}


def statement(params: dict[str, Any]) -> str:
    noisy = (f"the noisy point x~ = {np.ravel(params['x_noisy']).tolist()}" if params.get("x_noisy") is not None
             else f"the noise eps = {np.ravel(params['eps']).tolist()}")
    s = "" if params.get("s_pred") is None else f", and the loss for the model's score {np.ravel(params['s_pred']).tolist()}"
    return (f"Denoising score matching with sigma = {params['sigma']:g}: for the data point "
            f"x = {np.ravel(params['x']).tolist()} and {noisy}, compute the regression target{s}.")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    x = np.atleast_1d(np.asarray(params["x"], dtype=np.float64))
    sigma, w = float(params["sigma"]), params["weighting"]
    if params.get("x_noisy") is not None:
        xn = np.atleast_1d(np.asarray(params["x_noisy"], dtype=np.float64))
    else:
        xn = x + sigma * np.atleast_1d(np.asarray(params["eps"], dtype=np.float64))
    t = dsm_target(x, xn, sigma)
    loss = None
    sp_ = params.get("s_pred")
    if sp_ is not None:
        loss = float(dsm_loss(np.atleast_1d(np.asarray(sp_, dtype=np.float64)), t, sigma, w))
    sc = params["scalar"]
    sol = Solution(pid, "dsm", answers={"dsm_target": shaped(t, sc), "dsm_loss": loss, "x_noisy": shaped(xn, sc)})
    sol.conventions = {
        "target": "dsm_target = grad_{x~} log N(x~; x, sigma^2 I) = -(x~ - x)/sigma^2 = -eps/sigma",
        "loss": ("dsm_loss = 1/2 ||s_pred - target||^2 (summed over coordinates)" if w == "none" else
                 "dsm_loss = sigma^2/2 ||s_pred - target||^2 (summed over coordinates; Song and Ermon's weighting)"),
        "sigma": "sigma is the noise's standard deviation",
    }
    if params.get("eps") is not None:
        sol.step("The perturbed point", formula=r"\tilde x = x + \sigma\epsilon", value=fmt_vec(xn))
    sol.step("The score of the Gaussian perturbation kernel is the target: it points from x~ back to x",
             formula=r"\nabla_{\tilde x}\log q_\sigma(\tilde x \mid x) = -\frac{\tilde x - x}{\sigma^2}",
             substituted=rf"-\frac{{{fmt_vec(xn)} - {fmt_vec(x)}}}{{{fmt(sigma)}^2}}", value=fmt_vec(t, 6))
    if loss is not None:
        wt = "" if w == "none" else r"\sigma^2 \cdot "
        sol.step("Half the squared error of the model's score against the target",
                 formula=rf"\ell = {wt}\frac12\|s_\theta(\tilde x) - t\|^2",
                 substituted=rf"{wt}\frac12\|{fmt_vec(sp_)} - {fmt_vec(t)}\|^2", value=fmt(loss, 6))
    return sol


def _target_sign(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    p = copy.deepcopy(problem)
    if "x_noisy" in problem:
        p["x"], p["x_noisy"] = problem["x_noisy"], problem["x"]
    elif isinstance(problem.get("eps"), (int, float)):
        p["eps"] = -problem["eps"]
    elif isinstance(problem.get("eps"), list):
        p["eps"] = [-e if isinstance(e, (int, float)) else e for e in problem["eps"]]
    else:
        return
    yield "re-solved with the target's sign flipped: +(x~ - x)/sigma^2", resolve(p, key)


UNIT = ProblemType(
    name="dsm",
    summary="denoising score matching: the target -(x~ - x)/sigma^2 and the loss",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("dsm_target", "dsm_loss", "x_noisy"),
    slips=(SlipRule("dsm_target_sign", "the DSM target's sign (+(x~ - x)/sigma^2)", ("dsm_target",), _target_sign),),
    example={"x": [1.0, -1.0], "sigma": 0.5, "x_noisy": [1.2, -1.4], "s_pred": [-0.5, 1.0]},
    modules=(9,),
)
