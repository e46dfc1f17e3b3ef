"""Problem type ``gan_loss``: the discriminator's (critic's) and the generator's losses from
given discriminator outputs, for the minimax, non-saturating, Wasserstein, hinge and least-squares
GANs, with every sign stated.

Computed by :mod:`adlkit.gan.losses`, the losses the GAN trainer minimises (float64 tensors);
probabilities are turned into logits by :func:`adlkit.gan.losses.probability_to_logit` so that
the same logit-based functions compute them. Means over the samples.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_vec, par
from adlkit.solve.common import draw_numbers
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import LOG_BASES, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

LOSSES = ("minimax", "nonsaturating", "wasserstein", "hinge", "least_squares")
SCORE_LOSSES = ("wasserstein", "hinge")  # the critic outputs unbounded scores


def _default_outputs(params: dict[str, Any]) -> str:
    return "logit" if params.get("loss") in SCORE_LOSSES else "probability"


def _draw_outputs(rng: np.random.Generator, n: int, d: dict[str, Any]) -> list[float]:
    if d.get("loss") in SCORE_LOSSES or d.get("outputs") == "logit":
        return draw_numbers(rng, n, -3, 3)
    return [round(float(x), 2) for x in rng.uniform(0.05, 0.95, size=n)]


def _draw_outputs_kind(rng: np.random.Generator, d: dict[str, Any]) -> Any:
    if d.get("loss") in SCORE_LOSSES:
        return "logit" if rng.random() < 0.3 else OMIT
    return "logit" if rng.random() < 0.3 else OMIT


PARAMETERS = (
    Param("loss", "choice", "the GAN objective", default="minimax", choices=LOSSES,
          draw=lambda rng, d: str(rng.choice(LOSSES))),
    Param("outputs", "choice", "what the numbers are: probabilities D(x) in [0, 1] or logits (raw scores); "
          "wasserstein and hinge take raw critic scores", default=_default_outputs,
          default_text="probability for minimax, nonsaturating and least_squares; logit for wasserstein and hinge",
          choices=("probability", "logit"), draw=_draw_outputs_kind),
    Param("real", "number_list", "the discriminator's outputs on real samples", scalar_ok=True,
          draw=lambda rng, d: _draw_outputs(rng, int(rng.integers(1, 5)), d)),
    Param("fake", "number_list", "the discriminator's outputs on generated samples", scalar_ok=True,
          draw=lambda rng, d: _draw_outputs(rng, int(rng.integers(1, 5)), d)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    loss, outputs = params["loss"], params["outputs"]
    if loss in SCORE_LOSSES and outputs == "probability" and f.has("outputs"):
        f.error("outputs", f"must be logit for loss {loss}: its critic outputs unbounded scores, not probabilities")
    if outputs == "probability":
        for name in ("real", "fake"):
            x = params[name]
            if x is not INVALID and np.any((x < 0) | (x > 1)):
                bad = float(x[(x < 0) | (x > 1)][0])
                f.error(name, f"must be probabilities in [0, 1] (outputs: probability), got {bad:g}; "
                              "give outputs: logit for raw scores")
    return params


def statement(params: dict[str, Any]) -> str:
    what = "probabilities D(x)" if params["outputs"] == "probability" else ("critic scores f(x)" if params["loss"] in SCORE_LOSSES else "logits a(x), D = sigmoid(a)")
    return (f"A discriminator outputs {what} {fmt_vec(params['real'])} on real samples and {fmt_vec(params['fake'])} "
            f"on generated ones. Compute the {params['loss'].replace('_', ' ')} GAN's discriminator (critic) loss and "
            "generator loss, averaged over the samples.")


def compute(loss: str, outputs: str, real: np.ndarray, fake: np.ndarray) -> dict[str, float | None]:
    """The two losses (and the Wasserstein estimate) through :mod:`adlkit.gan.losses`."""
    import torch

    from adlkit.gan import losses as L

    r = torch.as_tensor(real, dtype=torch.float64)
    g = torch.as_tensor(fake, dtype=torch.float64)
    w = None
    if loss in ("minimax", "nonsaturating"):
        if outputs == "probability":
            r, g = L.probability_to_logit(r), L.probability_to_logit(g)
        d = L.discriminator_loss(r, g)
        gl = L.generator_loss_minimax(g) if loss == "minimax" else L.generator_loss_nonsaturating(g)
    elif loss == "least_squares":
        if outputs == "logit":
            r, g = torch.sigmoid(r), torch.sigmoid(g)
        d, gl = L.least_squares_discriminator_loss(r, g), L.least_squares_generator_loss(g)
    elif loss == "hinge":
        d, gl = L.hinge_discriminator_loss(r, g), L.hinge_generator_loss(g)
    else:
        d, gl = L.critic_loss(r, g), L.wasserstein_generator_loss(g)
        w = float(L.wasserstein_estimate(r, g))
    return {"discriminator_loss": float(d), "generator_loss": float(gl), "wasserstein_estimate": w}


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _terms(label: str, values: np.ndarray, fn, tex: str, digits: int = 4) -> Step:
    vals = [fn(float(x)) for x in values]
    mean = float(np.mean(vals))
    sub = [Step(f"sample {i}", formula=tex.replace("#", fmt(float(x))), value=fmt(v)) for i, (x, v) in enumerate(zip(values, vals), 1)]
    return Step(f"{label}: mean of {len(vals)} term(s)", formula=r"\frac{1}{" + str(len(vals)) + "}(" +
                " + ".join(par(v) for v in vals) + ")", value=fmt(mean, digits), substeps=sub)


def _nlog(x: float) -> float:
    return math.inf if x == 0 else -math.log(x)


def solve(pid: str, params: dict[str, Any]) -> Solution:
    loss, outputs = params["loss"], params["outputs"]
    real, fake = np.asarray(params["real"], dtype=np.float64), np.asarray(params["fake"], dtype=np.float64)
    ans = compute(loss, outputs, real, fake)
    sol = Solution(pid, "gan_loss", answers=dict(ans))
    sol.conventions = {
        "reduction": "means over the samples (real and fake separately), natural logarithms",
        "discriminator_loss": "what the discriminator or critic MINIMISES",
        "generator_loss": "what the generator MINIMISES",
        "outputs": {"probability": "the numbers are D(x) = P(real | x) in [0, 1], used as given",
                    "logit": ("the numbers are raw critic scores f(x)" if loss in SCORE_LOSSES else
                              "the numbers are logits a(x); D(x) = sigmoid(a(x))")}[outputs],
    }
    if outputs == "logit" and loss not in SCORE_LOSSES:
        sol.step("Turn the logits into probabilities", formula=r"D(x) = \sigma(a) = \frac{1}{1 + e^{-a}}",
                 substeps=[Step("real", formula=rf"D = \sigma({fmt_vec(real)})", value=fmt_vec(_sigmoid(real))),
                           Step("fake", formula=rf"D = \sigma({fmt_vec(fake)})", value=fmt_vec(_sigmoid(fake)))])
    Dr = _sigmoid(real) if (outputs == "logit" and loss not in SCORE_LOSSES) else real
    Df = _sigmoid(fake) if (outputs == "logit" and loss not in SCORE_LOSSES) else fake
    d, g = ans["discriminator_loss"], ans["generator_loss"]
    if loss in ("minimax", "nonsaturating"):
        sol.conventions["sign"] = ("the discriminator maximises V = E log D(x) + E log(1 - D(G(z))), so its loss is -V "
                                   "(binary cross-entropy, real = 1, fake = 0); " +
                                   ("the minimax generator minimises E log(1 - D(G(z))) (saturates when D rejects the fakes)"
                                    if loss == "minimax" else
                                    "the non-saturating generator minimises -E log D(G(z)) (strong gradients when D rejects the fakes)"))
        sol.step("Discriminator loss: binary cross-entropy with real = 1, fake = 0 (minus the game's value V)",
                 formula=r"L_D = -\frac{1}{n}\sum_i \log D(x_i) - \frac{1}{m}\sum_j \log(1 - D(\tilde x_j)) = -V",
                 substeps=[_terms("real", Dr, _nlog, r"-\log #"), _terms("fake", Df, lambda x: _nlog(1 - x), r"-\log(1 - #)")],
                 value=fmt(d))
        if loss == "minimax":
            sol.step("Generator loss (minimax): the generator minimises the fake half of V",
                     formula=r"L_G = \frac{1}{m}\sum_j \log(1 - D(\tilde x_j))",
                     substeps=[_terms("fake", Df, lambda x: -_nlog(1 - x), r"\log(1 - #)")], value=fmt(g))
        else:
            sol.step("Generator loss (non-saturating): maximise log D on the fakes instead",
                     formula=r"L_G = -\frac{1}{m}\sum_j \log D(\tilde x_j)",
                     substeps=[_terms("fake", Df, _nlog, r"-\log #")], value=fmt(g))
    elif loss == "least_squares":
        sol.conventions["sign"] = "LSGAN (Mao et al. 2017) with targets a = 0 (fake), b = 1 (real), c = 1 (the generator's target)"
        sol.step("Discriminator loss: squared distance to 1 on real samples and to 0 on fakes",
                 formula=r"L_D = \frac{1}{2}\frac{1}{n}\sum_i (D(x_i) - 1)^2 + \frac{1}{2}\frac{1}{m}\sum_j D(\tilde x_j)^2",
                 substeps=[_terms("real", Dr, lambda x: 0.5 * (x - 1) ** 2, r"\frac{1}{2}(# - 1)^2"),
                           _terms("fake", Df, lambda x: 0.5 * x * x, r"\frac{1}{2}(#)^2")], value=fmt(d))
        sol.step("Generator loss: squared distance of the fakes' outputs to 1",
                 formula=r"L_G = \frac{1}{2}\frac{1}{m}\sum_j (D(\tilde x_j) - 1)^2",
                 substeps=[_terms("fake", Df, lambda x: 0.5 * (x - 1) ** 2, r"\frac{1}{2}(# - 1)^2")], value=fmt(g))
    elif loss == "hinge":
        sol.conventions["sign"] = "hinge loss (Lim and Ye 2017, SN-GAN): the critic pushes real scores above 1 and fake scores below -1"
        sol.step("Critic loss: hinge on both sides",
                 formula=r"L_D = \frac{1}{n}\sum_i \max(0, 1 - f(x_i)) + \frac{1}{m}\sum_j \max(0, 1 + f(\tilde x_j))",
                 substeps=[_terms("real", real, lambda x: max(0.0, 1 - x), r"\max(0, 1 - #)"),
                           _terms("fake", fake, lambda x: max(0.0, 1 + x), r"\max(0, 1 + #)")], value=fmt(d))
        sol.step("Generator loss: raise the critic's score of the fakes",
                 formula=r"L_G = -\frac{1}{m}\sum_j f(\tilde x_j)", substituted=rf"-{fmt(float(np.mean(fake)))}", value=fmt(g))
    else:
        w = ans["wasserstein_estimate"]
        sol.conventions["sign"] = ("the critic maximises the Wasserstein estimate W = E f(real) - E f(fake), so its loss is "
                                   "E f(fake) - E f(real) = -W; the generator minimises -E f(fake)")
        sol.step("Wasserstein estimate: the Kantorovich-Rubinstein dual at the current critic",
                 formula=r"\hat W = \frac{1}{n}\sum_i f(x_i) - \frac{1}{m}\sum_j f(\tilde x_j)",
                 substituted=rf"{fmt(float(np.mean(real)))} - {fmt(float(np.mean(fake)))}", value=fmt(w))
        sol.step("Critic loss: minus the estimate (the critic maximises it)",
                 formula=r"L_D = \frac{1}{m}\sum_j f(\tilde x_j) - \frac{1}{n}\sum_i f(x_i) = -\hat W", value=fmt(d))
        sol.step("Generator loss: raise the critic's score of the fakes",
                 formula=r"L_G = -\frac{1}{m}\sum_j f(\tilde x_j)", value=fmt(g))
    return sol


def _critic_sign() -> SlipRule:
    """The critic's objective written with the wrong sign: re-solved with real and fake swapped
    (for the Wasserstein critic exactly -L_D: E f(real) - E f(fake) minimised)."""

    def candidates(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: ProblemType):
        if "real" in problem and "fake" in problem:
            p = copy.deepcopy(problem)
            p["real"], p["fake"] = problem["fake"], problem["real"]
            yield "re-solved with real and fake swapped (the critic's loss with its sign flipped)", resolve(p, key)

    return SlipRule("critic_sign", "critic-loss sign flipped (real and fake exchanged)",
                    ("discriminator_loss", "wasserstein_estimate"), candidates)


def _changed(name: str, label: str, field: str, values: tuple[str, ...], keys: tuple[str, ...]) -> SlipRule:
    """Re-solved with ``field`` set to each other value of ``values``."""

    def candidates(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: ProblemType):
        current = problem.get(field, unit.param(field).default_value(problem))
        for v in values:
            if v != current:
                yield f"re-solved with {field}: {v}", resolve({**problem, field: v}, key)

    return SlipRule(name, label, keys, candidates)


UNIT = ProblemType(
    name="gan_loss",
    summary="GAN losses from discriminator outputs: minimax, non-saturating, Wasserstein, hinge, least squares",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("discriminator_loss", "generator_loss", "wasserstein_estimate"),
    nats=in_nats("discriminator_loss", "generator_loss"),
    slips=(_critic_sign(),
           _changed("outputs_misread", "logits read as probabilities (or back)", "outputs", ("probability", "logit"),
                    ("discriminator_loss", "generator_loss")),
           _changed("generator_loss_kind", "minimax and non-saturating generator losses confused", "loss",
                    ("minimax", "nonsaturating"), ("generator_loss",)),
           *LOG_BASES),
    example={"loss": "minimax", "real": [0.9, 0.8], "fake": [0.3, 0.1]},
    modules=(7,),
)
