"""Problem type ``bernoulli_mle``: MLE (or MAP) of Bernoulli pixel probabilities (question 1B).

Computed by :class:`adlkit.mle.Bernoulli`, the pixel model that is also fitted to real digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix
from adlkit.mle import Bernoulli
from adlkit.solve.model import Solution, Step
from adlkit.solve.registry import register
from adlkit.solve.spec import INVALID, Fields


def parse(f: Fields) -> dict[str, Any]:
    raw = f._get("images", None)
    images: Any = INVALID
    if raw is None:
        f.error("images", "is required")
    elif not isinstance(raw, list) or not raw:
        f.error("images", "must be a non-empty list of 0/1 matrices")
    else:
        mats = []
        for i, m in enumerate(raw, start=1):
            a = f.matrix("images", m if isinstance(m, list) and m and isinstance(m[0], list) else
                         ([m] if isinstance(m, list) else m))
            if a is INVALID:
                break
            if not np.isin(a, (0, 1)).all():
                bad = a[~np.isin(a, (0, 1))][0]
                f.error("images", f"image {i} has a pixel {bad:g}: pixels must be 0 or 1")
                break
            mats.append(a)
        else:
            images = mats
    per_pixel = f.boolean("per_pixel", default=False)
    if images is not INVALID and per_pixel is True and len({m.shape for m in images}) != 1:
        f.error("images", "must all have the same shape when per_pixel is true")
        images = INVALID
    prior = f._get("prior", None)
    if prior is not None:
        if not isinstance(prior, dict) or set(prior) != {"alpha", "beta"}:
            f.error("prior", "must be {alpha: a, beta: b}")
            prior = INVALID
        else:
            a = f.number("prior", value=prior["alpha"], minimum=1)
            b = f.number("prior", value=prior["beta"], minimum=1)
            prior = INVALID if INVALID in (a, b) else (float(a), float(b))
    return {"images": images, "per_pixel": per_pixel, "prior": prior}


def solve(pid: str, p: dict[str, Any]) -> Solution:
    images: list[np.ndarray] = p["images"]
    per_pixel: bool = p["per_pixel"]
    prior = p["prior"]
    if per_pixel:
        X = np.stack(images)
    else:
        # a shared p only needs the pixel values: flatten images of any shapes
        X = np.concatenate([m.ravel() for m in images])[None, :]
    model = Bernoulli(per_pixel=per_pixel, prior=prior).fit(X)
    ll = model.log_likelihood()
    k, n = model.k_, model.n_
    p_hat = model.p_
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


register("bernoulli_mle", parse, solve, "MLE/MAP of a Bernoulli pixel model from binary images")
