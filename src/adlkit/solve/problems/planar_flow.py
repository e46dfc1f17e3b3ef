"""Problem type ``planar_flow``: one or more planar layers applied to a base point z (module 5).

Computed by :class:`adlkit.flows.Planar` / :class:`adlkit.flows.PlanarFlow`, the layers of the
planar-flow VI model, with the given u, w, b (u used as given unless ``reparameterize``); the
Jacobian is each layer's analytic I + u psi^T, multiplied in order (float64).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.solve.common import draw_number, draw_numbers, maybe
from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import LOG_BASES, Problem, SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType, in_nats

MAX_DIM = 50
MAX_LAYERS = 50
H_TEX = {"tanh": r"\tanh", "sigmoid": r"\sigma", "identity": r"\mathrm{id}"}
H_PRIME_TEX = {"tanh": r"1 - \tanh^2(a)", "sigmoid": r"\sigma(a)(1 - \sigma(a))", "identity": "1"}


def _dim(params: dict[str, Any]) -> int | None:
    z = params.get("z", INVALID)
    return None if z is INVALID else len(z)


def _check_z(z: Any, params: dict[str, Any]) -> str | None:
    if len(z) > MAX_DIM:
        return f"must have at most {MAX_DIM} coordinates (the Jacobian is printed in full), got {len(z)}"
    return None


def _check_vector(name: str):
    def check(v: Any, params: dict[str, Any]) -> str | None:
        D = _dim(params)
        if D is not None and len(v) != D:
            return f"must have the length of z ({D}), got {len(v)}"
        return None
    return check


def _check_layers(layers: Any, params: dict[str, Any]) -> str | None:
    D = _dim(params)
    if len(layers) > MAX_LAYERS:
        return f"must have at most {MAX_LAYERS} layers, got {len(layers)}"
    if D is not None and len(layers[0][0]) != D:
        return f"must have u and w of the length of z ({D}), got {len(layers[0][0])}"
    return None


def _one_layer(f: Fields) -> bool:
    return not f.has("layers")


def _draw_vector(rng, drawn, scale: float = 1.5):
    return draw_numbers(rng, len(drawn["z"]), -scale, scale)


def _draw_layers(rng, drawn):
    if rng.random() < 0.6:
        return OMIT  # one layer, given by u, w, b
    D = len(drawn["z"])
    return [{"u": draw_numbers(rng, D, -1, 1), "w": draw_numbers(rng, D, -1, 1), "b": draw_number(rng, -1, 1)}
            for _ in range(int(rng.integers(2, 4)))]


PARAMETERS = (
    Param("z", "number_list", "the base point z (a draw of the standard normal base)", check=_check_z,
          draw=lambda rng, d: draw_numbers(rng, int(rng.integers(1, 4)), -2, 2)),
    Param("layers", "planar_layers", "several layers, applied in order: a list of {u, w, b} "
          "(instead of u, w, b)", default=None, default_text="one layer, given by u, w, b",
          when=lambda f: f.has("layers"), check=_check_layers, draw=_draw_layers),
    Param("u", "number_list", "the layer's u (one layer)", when=_one_layer, check=_check_vector("u"),
          missing="is required (or give 'layers')", draw=lambda rng, d: _draw_vector(rng, d) if "layers" not in d else OMIT),
    Param("w", "number_list", "the layer's w (one layer)", when=_one_layer, check=_check_vector("w"),
          missing="is required (or give 'layers')", draw=lambda rng, d: _draw_vector(rng, d, 1.0) if "layers" not in d else OMIT),
    Param("b", "number", "the layer's bias b (one layer)", default=0.0, when=_one_layer,
          draw=lambda rng, d: maybe(rng, draw_number(rng, -1, 1)) if "layers" not in d else OMIT),
    Param("h", "choice", "the nonlinearity h", default="tanh", choices=("tanh", "sigmoid", "identity"),
          draw=lambda rng, d: maybe(rng, str(rng.choice(["tanh", "sigmoid", "identity"])))),
    Param("reparameterize", "boolean", "use u-hat = u + (m(w^T u) - w^T u) w/||w||^2, m(a) = -1 + "
          "softplus(a), instead of u (the invertible parameterization used in training)",
          default=False, draw=lambda rng, d: maybe(rng, bool(rng.random() < 0.3))),
)


def _layer_params(p: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray, float]]:
    if p.get("layers") is not None:
        return list(p["layers"])
    return [(p["u"], p["w"], float(p["b"]))]


def _flow(p: dict[str, Any]):
    import torch

    from adlkit.flows import Planar, PlanarFlow

    D = len(p["z"])
    return PlanarFlow([Planar(D, h=p["h"], reparameterize=bool(p["reparameterize"]), u=u, w=w, b=b,
                              dtype=torch.float64) for u, w, b in _layer_params(p)])


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    if f.has("layers"):
        for name in ("u", "w", "b"):
            if f.has(name):
                f.error(name, "cannot be given together with 'layers' (give one layer as u, w, b, or a list of layers)")
        params = {**params, "u": None, "w": None, "b": None}
    if any(params.get(k) is INVALID for k in params):
        return params
    import torch

    flow = _flow(params)
    z = torch.tensor(params["z"], dtype=torch.float64).unsqueeze(0)
    with torch.no_grad():
        for k, layer in enumerate(flow.layers, start=1):
            one_plus = 1 + float(layer.psi(z)[0] @ layer.u_effective)
            if one_plus == 0 or not math.isfinite(one_plus):
                f.error("layers" if f.has("layers") else "u",
                        f"gives a singular Jacobian at z (1 + u^T psi = 0 in layer {k}): log|det| is -inf")
                return {**params, "z": INVALID}
            z, _ = layer(z)
    return params


def statement(params: dict[str, Any]) -> str:
    h = params["h"]
    layers = _layer_params(params)
    z = ", ".join(fmt(v) for v in params["z"])
    if len(layers) == 1:
        u, w, b = layers[0]
        what = (f"a planar flow layer f(z) = z + u {h}(w^T z + b) with u = {fmt_vec(u)}, "
                f"w = {fmt_vec(w)}, b = {fmt(b)}")
    else:
        what = f"{len(layers)} planar layers f_k(z) = z + u_k {h}(w_k^T z + b_k) applied in order (" + "; ".join(
            f"u_{k} = {fmt_vec(u)}, w_{k} = {fmt_vec(w)}, b_{k} = {fmt(b)}" for k, (u, w, b) in enumerate(layers, 1)) + ")"
    hat = " (with u replaced by the invertible u-hat)" if params["reparameterize"] else ""
    return (f"The base distribution is the standard normal. Apply {what}{hat} to z = [{z}]: compute x, "
            "the Jacobian dx/dz, its determinant and log|det|, log p(z), log q(x), and say whether "
            "the flow is invertible.")


def solve(pid: str, p: dict[str, Any]) -> Solution:
    import torch

    from adlkit.flows.planar import INVERTIBLE_IF

    flow = _flow(p)
    h = p["h"]
    z0 = torch.tensor(p["z"], dtype=torch.float64).unsqueeze(0)
    with torch.no_grad():
        points, dets = flow.trace(z0)
        J = flow.jacobian(z0)[0].numpy()
        log_pz = float(flow.log_prob_base(z0)[0])
        layer_info = []
        for k, layer in enumerate(flow.layers):
            zk = points[k]
            a = float(layer._pre(zk)[0])
            u_eff = layer.u_effective.numpy().copy()
            psi = layer.psi(zk)[0].numpy()
            layer_info.append((layer, zk[0].numpy(), a, u_eff, psi, float(dets[k][0]), layer.invertible()))
    x = points[-1][0].numpy()
    log_det = float(sum(float(d[0]) for d in dets))
    det = float(np.linalg.det(J))
    invertible = all(info[-1] for info in layer_info)
    sol = Solution(pid, "planar_flow", answers={
        "x": x.tolist(), "jacobian": J.tolist(), "det": det, "log_det": log_det,
        "log_pz": log_pz, "log_px": log_pz - log_det, "invertible": invertible,
    })
    sol.conventions = {
        "direction": "the flow maps the base point z to x = f_K(...f_1(z)); layers in the order given",
        "layer": f"f(z) = z + u h(w^T z + b), h = {h}; psi(z) = h'(w^T z + b) w; "
                 "log|det df/dz| = log|1 + u^T psi(z)| (matrix determinant lemma)",
        "u": ("u-hat = u + (m(w^T u) - w^T u) w/||w||^2, m(a) = -1 + log(1 + e^a), replaces u "
              "(Rezende and Mohamed 2015, appendix A)" if p["reparameterize"] else "u is used as given (no u-hat)"),
        "log_det": "log|det dx/dz| in nats, summed over the layers",
        "density": "base standard normal; log_px = log q(x) = log_pz - log_det (the density of x under the flow)",
        "invertible": f"every layer invertible; the condition used for h = {h}: {INVERTIBLE_IF[h]}",
    }
    hx = H_TEX[h]
    for k, (layer, zk, a, u_eff, psi, ld, ok) in enumerate(layer_info, start=1):
        sub = "" if len(layer_info) == 1 else f"_{k}"
        w = layer.w.detach().numpy()
        b = float(layer.b.detach())
        zin = "z" if k == 1 else f"z_{{{k - 1}}}"
        steps = []
        if p["reparameterize"]:
            wu_raw = float(np.dot(w, layer.u.detach().numpy()))
            steps.append(Step("Reparameterize u so that w^T u-hat = m(w^T u) > -1",
                              formula=r"\hat u = u + \left(m(w^\top u) - w^\top u\right)\frac{w}{\|w\|^2},\ m(a) = -1 + \log(1 + e^a)",
                              substituted=rf"w^\top u = {fmt(wu_raw)},\ m = {fmt(-1 + math.log1p(math.exp(wu_raw)) if wu_raw < 30 else wu_raw - 1)}",
                              value=rf"\hat u = {fmt_vec(u_eff)}"))
        steps.append(Step("Pre-activation", formula=rf"a = w^\top {zin} + b",
                          substituted=" + ".join(f"{par(wi)} \\cdot {par(zi)}" for wi, zi in zip(w, zk)) + f" + {par(b)}",
                          value=fmt(a)))
        hval = float(np.tanh(a)) if h == "tanh" else (1 / (1 + math.exp(-a)) if h == "sigmoid" else a)
        steps.append(Step("Apply the nonlinearity", formula=rf"{hx}(a)", value=fmt(hval)))
        steps.append(Step("Move z along u", formula=rf"{'x' if len(layer_info) == 1 else f'z_{{{k}}}'} = {zin} + u{sub}\,{hx}(a)",
                          substituted=rf"{fmt_vec(zk)} + {fmt(hval)} \cdot {fmt_vec(u_eff)}",
                          value=fmt_vec(zk + hval * u_eff)))
        dh = 1 - hval ** 2 if h == "tanh" else hval * (1 - hval) if h == "sigmoid" else 1.0
        steps.append(Step("psi = h'(a) w", formula=rf"h'(a) = {H_PRIME_TEX[h]} = {fmt(dh)},\quad \psi = h'(a)\,w",
                          value=fmt_vec(psi)))
        one_plus = 1 + float(u_eff @ psi)
        steps.append(Step("Log-determinant of this layer (matrix determinant lemma: det(I + u psi^T) = 1 + u^T psi)",
                          formula=r"\log\left|1 + u^\top \psi\right|",
                          substituted=rf"\log|1 + {par(float(u_eff @ psi))}| = \log {fmt(abs(one_plus))}",
                          value=fmt(ld)))
        wu = float(np.dot(w, u_eff))
        steps.append(Step(f"Invertibility: {INVERTIBLE_IF[h]}",
                          formula=rf"w^\top u = {fmt(wu)}",
                          value=r"\text{invertible}" if ok else r"\text{not invertible}"))
        sol.step(f"Layer {k}" if len(layer_info) > 1 else "The planar layer", substeps=steps,
                 value=rf"z_{{{k}}} = {fmt_vec(points[k][0].numpy())}" if len(layer_info) > 1 else rf"x = {fmt_vec(x)}")
    sol.step("Jacobian of the flow: each layer's I + u psi^T, multiplied in order (last layer on the left)",
             formula=r"J = \frac{\partial x}{\partial z} = \prod_{k=K}^{1}\left(I + u_k \psi_k^\top\right)",
             value=fmt_matrix(J))
    sol.step("Determinant and log-determinant (the log-dets of the layers add up)",
             formula=r"\det J,\quad \log|\det J| = \sum_k \log|1 + u_k^\top \psi_k|",
             substituted=" + ".join(par(info[5]) for info in layer_info),
             value=rf"\det J = {fmt(det)},\quad \log|\det J| = {fmt(log_det)}")
    D = len(p["z"])
    sol.step("Log-density of z under the standard normal base",
             formula=r"\log p(z) = -\frac{1}{2}\|z\|^2 - \frac{D}{2}\log 2\pi",
             substituted=rf"-\frac{{1}}{{2}} \cdot {fmt(float(z0.pow(2).sum()))} - \frac{{{D}}}{{2}}\log 2\pi",
             value=fmt(log_pz))
    sol.step("Change of variables: the density of x divides by |det J|, so its log subtracts log|det J|",
             formula=r"\log q(x) = \log p(z) - \log|\det J|",
             substituted=rf"{fmt(log_pz)} - {par(log_det)}", value=fmt(log_pz - log_det))
    if not invertible:
        sol.step("A layer is not invertible: f is not a bijection, so log q(x) above is only the "
                 "log-density term of this z, not the density of x (other z map to the same x)")
    return sol


def par(v: float) -> str:
    s = fmt(v)
    return f"({s})" if v < 0 else s


def _sign_flipped(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if key == "log_px" and isinstance(answers.get("log_pz"), float) and isinstance(answers.get("log_det"), float):
        yield "log p(z) + log|det J| (the log-det added instead of subtracted)", answers["log_pz"] + answers["log_det"]


def _reparam_toggled(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    p = copy.deepcopy(problem)
    p["reparameterize"] = not bool(problem.get("reparameterize", False))
    yield ("re-solved with u-hat" if p["reparameterize"] else "re-solved with u as given (no u-hat)"), resolve(p, key)


LOG_DET_SIGN = SlipRule("log_det_sign", "the log-det sign flipped in the change of variables "
                        "(log q(x) = log p(z) + log|det dx/dz|)", ("log_px",), _sign_flipped)
REPARAM = SlipRule("u_hat_toggled", "u-hat used where u was meant (or u where u-hat was meant)",
                   ("x", "det", "log_det", "log_px", "jacobian"), _reparam_toggled)

UNIT = ProblemType(
    name="planar_flow",
    summary="planar flow layers f(z) = z + u h(w^T z + b) (x, Jacobian, log-det, log q(x), invertibility)",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("x", "jacobian", "det", "log_det", "log_pz", "log_px", "invertible"),
    parse=parse,
    nats=in_nats("log_det", "log_pz", "log_px"),
    slips=(LOG_DET_SIGN, *LOG_BASES, REPARAM),
    example={"z": [1, 0.5], "u": [1, 0.5], "w": [0.5, 1], "b": 0.2},
    modules=(5,),
)
