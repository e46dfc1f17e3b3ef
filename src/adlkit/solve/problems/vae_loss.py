"""Problem type ``vae_loss``: reconstruction loss by a stated convention plus the KL of
q(z|x) = N(mu, exp(logvar)) against N(0, I) (question 4D).

Computed by :func:`adlkit.vae.loss.vae_loss` -- the loss the VAE trains with -- whose KL term is
the divergences registry's Gaussian KL (:func:`adlkit.divergences.kl_normal_std_normal_elementwise`).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_number, draw_numbers, maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

RECON_TEX = {
    "half_mse": (r"\frac{1}{2}\sum_j (x_j - \hat x_j)^2", "1/2 sum of squared errors (the course's convention)"),
    "mse": (r"\sum_j (x_j - \hat x_j)^2", "sum of squared errors (no 1/2, no mean)"),
    "bce": (r"-\sum_j \left[x_j\log\hat x_j + (1 - x_j)\log(1 - \hat x_j)\right]",
            "binary cross-entropy summed over dimensions, x_hat a probability in (0, 1)"),
}


def _vector(rng, lo: float, hi: float, n: int) -> Any:
    """A number (one dimension, as the seed writes it) or a list of n numbers."""
    return draw_number(rng, lo, hi) if n == 1 else draw_numbers(rng, n, lo, hi)


def _length(v: Any) -> int:
    return len(v) if isinstance(v, list) else 1


def _check_logvar(logvar: Any, params: dict[str, Any]) -> str | None:
    return "must be at most 700 (exp(logvar) overflows)" if any(v > 700 for v in logvar) else None


PARAMETERS = (
    Param("x", "number_list", "the input x (a number or a list)", scalar_ok=True,
          draw=lambda rng, d: _vector(rng, 0, 1, int(rng.integers(1, 4)))),
    Param("x_hat", "number_list", "the reconstruction, of the same length as x", scalar_ok=True,
          draw=lambda rng, d: _vector(rng, 0.1, 0.9, _length(d["x"]))),
    Param("mu", "number_list", "the encoder's mean of q(z|x)", scalar_ok=True,
          draw=lambda rng, d: _vector(rng, -2, 2, int(rng.integers(1, 4)))),
    Param("logvar", "number_list", "the encoder's log-variance log sigma^2, of the same length as mu",
          scalar_ok=True, check=_check_logvar, draw=lambda rng, d: _vector(rng, -2, 1, _length(d["mu"]))),
    Param("reconstruction", "choice", "the reconstruction loss convention", choices=tuple(RECON_TEX),
          default="half_mse", draw=lambda rng, d: maybe(rng, str(rng.choice(list(RECON_TEX))))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    x, x_hat, mu, logvar, rec = (params[k] for k in ("x", "x_hat", "mu", "logvar", "reconstruction"))
    if x is not INVALID and x_hat is not INVALID and len(x) != len(x_hat):
        f.error("x_hat", f"must have the same length as 'x' ({len(x)}), got {len(x_hat)}")
    if mu is not INVALID and logvar is not INVALID and len(mu) != len(logvar):
        f.error("logvar", f"must have the same length as 'mu' ({len(mu)}), got {len(logvar)}")
    if rec == "bce":
        if x is not INVALID and any(not 0 <= v <= 1 for v in x):
            f.error("x", "must lie in [0, 1] for reconstruction: bce")
        if x_hat is not INVALID and any(not 0 < v < 1 for v in x_hat):
            f.error("x_hat", "must lie strictly between 0 and 1 for reconstruction: bce (probabilities)")
    return params


def statement(params: dict[str, Any]) -> str:
    def vec(v: Any) -> str:
        return fmt(float(v[0])) if len(v) == 1 else "[" + ", ".join(fmt(float(a)) for a in v) + "]"

    rec = params["reconstruction"]
    return (f"A VAE encodes x = {vec(params['x'])} as q(z|x) = N(mu, exp(logvar)) with mu = {vec(params['mu'])} "
            f"and logvar = {vec(params['logvar'])}, and reconstructs x_hat = {vec(params['x_hat'])}. "
            f"Compute the reconstruction loss ({rec}: {RECON_TEX[rec][1]}), the KL divergence to the prior "
            "N(0, I), and the total loss.")


def _t(v: float) -> str:
    return fmt(v) if v >= 0 else rf"({fmt(v)})"


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.divergences import kl_normal_std_normal_elementwise
    from adlkit.vae.loss import reconstruction_elementwise, vae_loss

    conv = p["reconstruction"]
    T = lambda a: torch.as_tensor(a, dtype=torch.float64)
    x, xh, mu, lv = T(p["x"]), T(p["x_hat"]), T(p["mu"]), T(p["logvar"])
    out = vae_loss(x, xh, mu, lv, reconstruction=conv)
    rec_j = reconstruction_elementwise(x, xh, conv)
    kl_j = kl_normal_std_normal_elementwise(mu, lv)
    rec, kl, total = float(out.reconstruction), float(out.kl), float(out.total)
    sol = Solution(pid, "vae_loss", answers={"reconstruction": rec, "kl": kl, "total": total})
    sol.conventions = {
        "reconstruction": f"{conv}: {RECON_TEX[conv][1]}",
        "kl": "KL(q(z|x) || N(0, I)) with q(z|x) = N(mu, diag(exp(logvar))), summed over latent dimensions",
        "logvar": "logvar = log(sigma^2), natural log, so sigma^2 = exp(logvar)",
        "total": "total = reconstruction + kl (beta = 1; the negative ELBO up to constants), one example",
        "units": "nats",
    }
    sub = []
    for j in range(len(x)):
        xj, hj = float(x[j]), float(xh[j])
        sub_tex = {"half_mse": rf"\frac{{1}}{{2}}({_t(xj)} - {_t(hj)})^2",
                   "mse": rf"({_t(xj)} - {_t(hj)})^2",
                   "bce": rf"-[{_t(xj)}\log {fmt(hj)} + (1 - {_t(xj)})\log(1 - {fmt(hj)})]"}[conv]
        sub.append(Step(f"dimension {j + 1}", substituted=sub_tex, value=fmt(float(rec_j[j]))))
    sol.step(f"Reconstruction loss ({conv})", formula=rf"L_{{rec}} = {RECON_TEX[conv][0]}",
             substituted=" + ".join(fmt(float(v)) for v in rec_j) if len(x) > 1 else "",
             value=fmt(rec), substeps=sub if len(x) > 1 else [])
    if len(x) == 1:
        sol.steps[-1].substituted = sub[0].substituted
    sol.step("The encoder gives log-variances: sigma^2 = exp(logvar)",
             formula=r"\sigma_j^2 = e^{\log\sigma_j^2}",
             value=", ".join(rf"e^{{{fmt(float(v))}}} = {fmt(math.exp(float(v)))}" for v in lv))
    ksub = []
    for j in range(len(mu)):
        m, l = float(mu[j]), float(lv[j])
        ksub.append(Step(f"latent dimension {j + 1}",
                         substituted=rf"-\frac{{1}}{{2}}\left(1 + {_t(l)} - {_t(m)}^2 - {fmt(math.exp(l))}\right)",
                         value=fmt(float(kl_j[j]))))
    sol.step("KL divergence of q(z|x) from the prior N(0, I)",
             formula=r"L_{KL} = -\frac{1}{2}\sum_j\left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)",
             substituted=ksub[0].substituted if len(mu) == 1 else " + ".join(fmt(float(v)) for v in kl_j),
             value=fmt(kl), substeps=ksub if len(mu) > 1 else [])
    sol.step("Total loss", formula=r"L = L_{rec} + L_{KL}", substituted=f"{fmt(rec)} + {fmt(kl)}",
             value=fmt(total))
    return sol


def _mse_without_half(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if problem.get("reconstruction", "half_mse") == "half_mse":
        p = copy.deepcopy(problem)
        p["reconstruction"] = "mse"
        yield "re-solved with reconstruction: mse (sum of squared errors, no 1/2)", resolve(p, key)


MSE_WITHOUT_HALF = SlipRule(
    "mse_without_half", "MSE without the 1/2 (the course's reconstruction loss is 1/2 * sum of squares)",
    ("reconstruction", "total"), _mse_without_half)

UNIT = ProblemType(
    name="vae_loss",
    summary="VAE loss: reconstruction by convention + Gaussian KL to N(0, I)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("reconstruction", "kl", "total"),
    # the KL is in nats; in the total, only the KL's logs change base
    nats={**in_nats("kl"), "total": lambda a, ln: a["reconstruction"] + a["kl"] / ln},
    slips=(*LOG_BASES, MSE_WITHOUT_HALF),
    example={"x": 1.0, "x_hat": 0.8, "mu": 1.0, "logvar": -0.5, "reconstruction": "half_mse"},
    modules=(3, 6),
)
