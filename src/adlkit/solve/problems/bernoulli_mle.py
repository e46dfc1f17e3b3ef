"""Problem type ``bernoulli_mle``: MLE (or MAP) of Bernoulli pixel probabilities (question 1B).

Computed by :func:`adlkit.mle.fit_bernoulli`, the closed form of :class:`adlkit.mle.Bernoulli`, the
pixel model that is also fitted to real digits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix
from adlkit.mle import bernoulli_log_likelihood, fit_bernoulli
from adlkit.plotting import subplots
from adlkit.solve.common import maybe
from adlkit.solve.figures import save
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import Param
from adlkit.solve.slips import LOG_BASES
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats


def _draw_images(rng, drawn):
    h, w = int(rng.integers(1, 4)), int(rng.integers(2, 4))
    return [rng.integers(0, 2, size=(h, w)).tolist() for _ in range(int(rng.integers(2, 6)))]


PARAMETERS = (
    Param("images", "images", "the binary images (0/1 matrices; a flat list is one row)", draw=_draw_images),
    Param("per_pixel", "boolean", "true: one p per pixel position (images of one shape); false: one shared p",
          default=False, draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.5))),
    Param("prior", "beta_prior", "a Beta(alpha, beta) prior, alpha and beta >= 1: the MAP estimate",
          default=None, default_text="none (maximum likelihood)",
          draw=lambda rng, d: maybe(rng, {"alpha": int(rng.integers(1, 4)), "beta": int(rng.integers(1, 4))}, 0.3)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    images = params["images"]
    if images is not INVALID and params["per_pixel"] is True and len({m.shape for m in images}) != 1:
        f.error("images", "must all have the same shape when per_pixel is true")
        return {**params, "images": INVALID}
    return params


def statement(params: dict[str, Any]) -> str:
    images = params["images"]
    shown = "; ".join(str(m.astype(int).tolist()) for m in images)
    what = "one p per pixel position" if params["per_pixel"] else "one p shared by every pixel"
    how = ("the maximum-likelihood estimate" if params["prior"] is None else
           f"the MAP estimate under a Beta({fmt(params['prior'][0])}, {fmt(params['prior'][1])}) prior")
    return (f"Each pixel of the binary images {shown} is an independent Bernoulli variable with {what}. "
            f"Compute {how} p_hat and the log-likelihood at p_hat.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    images: list[np.ndarray] = p["images"]
    per_pixel: bool = p["per_pixel"]
    prior = p["prior"]
    if per_pixel:
        X = np.stack(images)
    else:
        # a shared p only needs the pixel values: flatten images of any shapes
        X = np.concatenate([m.ravel() for m in images])[None, :]
    model = fit_bernoulli(X, per_pixel, prior)  # the fit of adlkit.mle.Bernoulli
    ll = model.log_likelihood()
    k, n = model.k, model.n
    p_hat = model.p
    sol = Solution(pid, "bernoulli_mle", answers={
        "p_hat": (p_hat.tolist() if per_pixel else float(p_hat)),
        "k": (k.tolist() if per_pixel else int(k)),
        "n": (n.tolist() if per_pixel else int(n)),
        "log_likelihood": ll,
    })
    sol.conventions = {
        "model": "every pixel is an independent Bernoulli variable, P(pixel = 1) = p",
        "estimate": ("MAP: the mode of the Beta posterior" if prior else
                     "maximum likelihood") + ("; one p per pixel position" if per_pixel else
                                              "; one p shared by all pixels of all images"),
        "log": "natural logarithm; log_likelihood is the data log-likelihood at p_hat, with 0 log 0 = 0",
    }
    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    counts = [Step(f"Image {i}: {plural(int(m.sum()), 'one')}, {plural(int(m.size - m.sum()), 'zero')}",
                   formula=fmt_matrix(m)) for i, m in enumerate(images, start=1)]
    if per_pixel:
        sol.step("Count, at each pixel position, the images in which it is 1",
                 formula=r"k_{ij} = \sum_{\text{images}} x_{ij}", value=fmt_matrix(k),
                 substeps=counts)
        sol.step("Each position has one observation per image", formula="n", value=fmt(n.flat[0]))
        sol.step("Log-likelihood of one position",
                 formula=r"\ell(p_{ij}) = k_{ij}\log p_{ij} + (n - k_{ij})\log(1 - p_{ij})")
    else:
        n_i = " + ".join(str(int(m.size)) for m in images)
        k_i = " + ".join(str(int(m.sum())) for m in images)
        sol.step("Count the ones over all pixels of all images", formula="k",
                 substituted=k_i, value=fmt(k), substeps=counts)
        sol.step("Count all pixels", formula="n", substituted=n_i, value=fmt(n))
        sol.step("Write the log-likelihood",
                 formula=r"\ell(p) = \sum_i \left[x_i\log p + (1-x_i)\log(1-p)\right] = k\log p + (n-k)\log(1-p)",
                 value=rf"{fmt(k)}\log p + {fmt(n - k)}\log(1-p)")
    if prior is None:
        sol.step("Differentiate and set to zero",
                 formula=r"\frac{d\ell}{dp} = \frac{k}{p} - \frac{n-k}{1-p} = 0 \;\Rightarrow\; \hat p = \frac{k}{n}",
                 substituted="" if per_pixel else rf"\frac{{{fmt(k)}}}{{{fmt(n)}}}",
                 value=fmt_matrix(p_hat) if per_pixel else fmt(p_hat))
    else:
        a, b = prior
        sol.step("Add the log of the Beta prior and maximise the log-posterior (its mode)",
                 formula=r"\hat p = \frac{k + \alpha - 1}{n + \alpha + \beta - 2}",
                 substituted="" if per_pixel else
                 rf"\frac{{{fmt(k)} + {fmt(a)} - 1}}{{{fmt(n)} + {fmt(a)} + {fmt(b)} - 2}}",
                 value=fmt_matrix(p_hat) if per_pixel else fmt(p_hat))
    sol.step("Log-likelihood at the estimate", formula=r"\ell(\hat p)", value=fmt(ll))
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    if p["per_pixel"]:
        return {}
    k, n, ph = sol.answers["k"], sol.answers["n"], sol.answers["p_hat"]
    ps = np.linspace(1e-3, 1 - 1e-3, 800)
    ll = bernoulli_log_likelihood(k, n, ps)
    fig, ax = subplots(figsize=(7, 3.6))
    ax.plot(ps, ll, color="C0", label=f"l(p) = {k:g} log p + {n - k:g} log(1-p)")
    ax.axvline(ph, color="C3", ls="--", lw=1)
    ax.scatter([ph], [sol.answers["log_likelihood"]], color="C3", zorder=5,
               label=f"maximum at p = {ph:.4g}")
    ax.set_ylim(max(float(ll.min()), sol.answers["log_likelihood"] - 30), sol.answers["log_likelihood"] + 2)
    ax.set_xlabel("p")
    ax.set_ylabel("log-likelihood")
    ax.legend(fontsize=8)
    return {"log_likelihood": save(fig, out, f"{sol.id}_log_likelihood")}


UNIT = ProblemType(
    name="bernoulli_mle",
    summary="MLE/MAP of a Bernoulli pixel model from binary images",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("p_hat", "k", "n", "log_likelihood"),
    nats=in_nats("log_likelihood"),
    slips=LOG_BASES,
    figures=(figure,),
    example={"images": [[[1, 1], [1, 1]], [[0, 1], [0, 0]], [[1, 0], [1, 1]], [[0, 0], [1, 0]]]},
    modules=(4,),
)
