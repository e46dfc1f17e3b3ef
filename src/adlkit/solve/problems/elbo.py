"""Problem type ``elbo``: the k-sample ELBO (mean log-weight) and the IWAE bound (log of the mean
weight) from k importance samples z_i ~ q(z|x) (module 6).

Computed by :func:`adlkit.vae.terms.elbo_estimate` and :func:`adlkit.vae.terms.iwae_bound`, the
functions behind the VAE's held-out IWAE (:meth:`adlkit.vae.model.VAEModule.iwae`).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt
from adlkit.solve.common import draw_numbers
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

TERMS = ("log_px_given_z", "log_pz", "log_qz")


def _draw_form(rng, drawn: dict[str, Any]) -> Any:
    return draw_numbers(rng, int(rng.integers(2, 6)), -6, -1) if rng.random() < 0.4 else OMIT


def _draw_term(name: str, lo: float, hi: float):
    def draw(rng, drawn: dict[str, Any]) -> Any:
        if "log_weights" in drawn:
            return OMIT
        k = len(drawn["log_px_given_z"]) if name != "log_px_given_z" else int(rng.integers(2, 6))
        return draw_numbers(rng, k, lo, hi)

    return draw


PARAMETERS = (
    Param("log_weights", "number_list", "log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x), one per sample",
          default=None, default_text="none", draw=_draw_form),
    Param("log_px_given_z", "number_list", "log p(x|z_i), one per sample (with log_pz and log_qz)",
          default=None, default_text="none", draw=_draw_term("log_px_given_z", -8, -2)),
    Param("log_pz", "number_list", "log p(z_i) under the prior, one per sample", default=None,
          default_text="none", draw=_draw_term("log_pz", -4, -1)),
    Param("log_qz", "number_list", "log q(z_i|x) under the encoder, one per sample", default=None,
          default_text="none", draw=_draw_term("log_qz", -3, 0)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    terms = [t for t in TERMS if f.has(t)]
    if f.has("log_weights"):
        for t in terms:
            f.error(t, "cannot be given together with 'log_weights': give the log-weights or the three log terms")
        return params
    if not terms:
        f.error("log_weights", "is required: give 'log_weights', or 'log_px_given_z', 'log_pz' and 'log_qz'")
        return params
    for t in TERMS:
        if t not in terms:
            f.error(t, f"is required with '{terms[0]}' (the log-weight is log p(x|z) + log p(z) - log q(z|x))")
    vals = [params[t] for t in TERMS]
    if all(v is not None and v is not INVALID for v in vals):
        for t, v in zip(TERMS[1:], vals[1:]):
            if len(v) != len(vals[0]):
                f.error(t, f"must have one entry per sample, as 'log_px_given_z' ({len(vals[0])}), got {len(v)}")
    return params


def _list(v: Any) -> str:
    return "[" + ", ".join(fmt(float(a)) for a in v) + "]"


def statement(params: dict[str, Any]) -> str:
    if params["log_weights"] is not None:
        given = f"the log importance weights log w_i = {_list(params['log_weights'])}"
    else:
        given = (f"log p(x|z_i) = {_list(params['log_px_given_z'])}, log p(z_i) = {_list(params['log_pz'])} and "
                 f"log q(z_i|x) = {_list(params['log_qz'])}")
    return (f"For one x, k samples z_i ~ q(z|x) give {given}. Compute the k-sample ELBO estimate and the "
            "IWAE bound L_k (nats).")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.vae.terms import elbo_estimate, iwae_bound

    T = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))
    if p["log_weights"] is not None:
        lw = T(p["log_weights"])
    else:
        lw = T(p["log_px_given_z"]) + T(p["log_pz"]) - T(p["log_qz"])
    k = int(lw.shape[0])
    elbo, iwae = float(elbo_estimate(lw)), float(iwae_bound(lw))
    lws = [float(a) for a in lw]
    sol = Solution(pid, "elbo", answers={"elbo": elbo, "iwae": iwae, "k": k, "log_weights": lws})
    sol.conventions = {
        "log_weight": "log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x), z_i ~ q(z|x), natural logs",
        "elbo": "the k-sample ELBO estimate: the mean log-weight (1/k) sum_i log w_i",
        "iwae": "the IWAE bound L_k = log (1/k) sum_i w_i = logsumexp_i log w_i - log k (computed with the "
                "largest log-weight subtracted first); L_k >= the mean log-weight by Jensen's inequality",
        "units": "nats",
    }
    if p["log_weights"] is None:
        sub = [Step(f"sample {i + 1}", substituted=rf"{fmt(a)} + ({fmt(b)}) - ({fmt(c)})", value=fmt(w))
               for i, (a, b, c, w) in enumerate(zip(p["log_px_given_z"], p["log_pz"], p["log_qz"], lws))]
        sol.step("Log importance weights", formula=r"\log w_i = \log p(x\mid z_i) + \log p(z_i) - \log q(z_i\mid x)",
                 value=_list(lws), substeps=sub)
    sol.step(f"ELBO estimate: the mean of the k = {k} log-weights", formula=r"\frac1k\sum_i \log w_i",
             substituted=rf"\frac{{1}}{{{k}}}({' + '.join(fmt(w) if w >= 0 else f'({fmt(w)})' for w in lws)})",
             value=fmt(elbo))
    m = max(lws)
    rest = sum(math.exp(w - m) for w in lws)
    sol.step("IWAE bound: the log of the mean weight, with the largest log-weight m factored out",
             formula=r"\mathcal L_k = m + \log\frac1k\sum_i e^{\log w_i - m}",
             substituted=rf"{fmt(m)} + \log\frac{{{fmt(rest)}}}{{{k}}}", value=fmt(iwae))
    sol.step("Jensen: the log of a mean is at least the mean of the logs", formula=r"\mathcal L_k - \mathrm{ELBO}",
             substituted=rf"{fmt(iwae)} - ({fmt(elbo)})", value=fmt(iwae - elbo))
    return sol


def _log_q_added(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    q = problem.get("log_qz")
    if isinstance(q, list) and "log_weights" not in problem:
        p = copy.deepcopy(problem)
        p["log_qz"] = [-a if isinstance(a, (int, float)) else a for a in q]
        yield "re-solved with log q(z|x) added instead of subtracted", resolve(p, key)


LOG_Q_ADDED = SlipRule("log_q_sign", "log q(z|x) added to the log-weight instead of subtracted",
                       ("elbo", "iwae", "log_weights"), _log_q_added)

UNIT = ProblemType(
    name="elbo",
    summary="k-sample ELBO (mean log-weight) and IWAE bound (log of the mean weight)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("elbo", "iwae", "k", "log_weights"),
    nats=in_nats("elbo", "iwae"),
    slips=(*LOG_BASES, LOG_Q_ADDED),
    example={"log_px_given_z": [-3.2, -2.5, -4.1], "log_pz": [-1.9, -2.2, -1.4], "log_qz": [-0.8, -1.5, -0.6]},
    modules=(6,),
)
