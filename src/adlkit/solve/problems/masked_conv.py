"""Problem type ``masked_conv``: the kernel mask and parameter count of a PixelCNN convolution.

Computed by :class:`adlkit.autoregressive.MaskedConv2d`, the layer of the PixelCNN model, built
with the given kernel, mask and channels, and :func:`adlkit.autoregressive.count_parameters`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from adlkit.plotting import subplots
from adlkit.solve.figures import save
from adlkit.solve.model import Solution
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule, resolve
from adlkit.solve.unit import ProblemType


def _check_kernel(k: int, params: dict[str, Any]) -> str | None:
    if k % 2 == 0:
        return f"must be odd (the mask is defined around the kernel's centre pixel), got {k}"
    return None


MAX_WEIGHTS = 10_000_000  # the layer is built


def _check_size(cout: int, params: dict[str, Any]) -> str | None:
    k, cin = params.get("kernel"), params.get("in_channels")
    if isinstance(k, int) and isinstance(cin, int) and cout * cin * k * k > MAX_WEIGHTS:
        return (f"gives {cout} x {cin} x {k}^2 = {cout * cin * k * k:,} weights; at most {MAX_WEIGHTS:,} "
                "(the layer is built to count them)")
    return None


PARAMETERS = (
    Param("kernel", "integer", "k, the kernel size (odd): a k x k convolution", minimum=1, maximum=31,
          check=_check_kernel, draw=lambda rng, d: int(rng.choice([3, 5, 7]))),
    Param("mask", "choice", "A (first layer: the centre pixel hidden) or B (later layers: the centre kept)",
          choices=("A", "B"), draw=lambda rng, d: str(rng.choice(["A", "B"]))),
    Param("in_channels", "integer", "input channels", default=1, minimum=1, maximum=1024,
          draw=lambda rng, d: OMIT if rng.random() < 0.4 else int(rng.choice([1, 16, 32, 64]))),
    Param("out_channels", "integer", "output channels (filters)", default=1, minimum=1, maximum=1024, check=_check_size,
          draw=lambda rng, d: OMIT if rng.random() < 0.4 else int(rng.choice([1, 16, 32, 64]))),
)


def statement(p: dict[str, Any]) -> str:
    return (f"A PixelCNN layer is a {p['kernel']} x {p['kernel']} convolution with mask {p['mask']}, "
            f"{p['in_channels']} input and {p['out_channels']} output channel(s). Draw its kernel mask, count the "
            "visible positions, and count its parameters (all, and those the mask does not zero).")


def layer_counts(p: dict[str, Any]) -> tuple[np.ndarray, dict[str, int]]:
    """The spatial mask and :func:`count_parameters` of the built :class:`MaskedConv2d`."""
    from adlkit.autoregressive import MaskedConv2d, count_parameters

    conv = MaskedConv2d(p["in_channels"], p["out_channels"], p["kernel"], p["mask"])
    return conv.mask[0, 0].numpy().astype(np.int64), count_parameters(conv)


def grid(mask: np.ndarray) -> str:
    """The mask as a LaTeX matrix, the centre entry in brackets."""
    k = mask.shape[0]
    c = k // 2
    rows = [" & ".join(f"[{mask[i, j]}]" if (i, j) == (c, c) else str(mask[i, j]) for j in range(k)) for i in range(k)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def solve(pid: str, p: dict[str, Any]) -> Solution:
    k, kind, cin, cout = p["kernel"], p["mask"], p["in_channels"], p["out_channels"]
    mask, c = layer_counts(p)
    visible = int(mask.sum())
    sol = Solution(pid, "masked_conv", answers={
        "mask": mask.tolist(), "visible": visible, "parameters": c["all"], "effective_parameters": c["effective"]})
    sol.conventions = {
        "order": "raster order: rows top to bottom, each row left to right; a pixel may depend only on earlier pixels",
        "mask": "A (the first layer) hides the centre, the current pixel; B (later layers) keeps it, since their "
                "input at the centre already excludes the current pixel",
        "channels": "the same spatial mask for every (output, input) channel pair: one image channel (no RGB grouping)",
        "parameters": "parameters counts every weight and bias, masked ones included (they exist in the layer but "
                      "get no gradient); effective_parameters the unmasked weights plus the biases",
    }
    cc = k // 2
    above, left = cc * k, cc
    sol.step(f"Mask {kind}: the {cc} row(s) above the centre ({above} positions) and the {left} position(s) left of "
             "the centre on its row are visible" + ("; the centre too (mask B)" if kind == "B" else "; the centre is "
                                                    "hidden (mask A)"),
             formula=rf"\text{{visible}} = c k + c{' + 1' if kind == 'B' else ''},\quad c = (k - 1)/2",
             substituted=f"{cc} \\cdot {k} + {cc}{' + 1' if kind == 'B' else ''}", value=str(visible))
    sol.step(f"The kernel mask drawn as a {k} x {k} grid (1 seen, 0 hidden; the centre pixel in brackets)",
             formula="M", value=grid(mask))
    sol.step("All parameters: every kernel weight of every channel pair, plus one bias per output channel",
             formula=r"C_{\mathrm{out}} C_{\mathrm{in}} k^2 + C_{\mathrm{out}}",
             substituted=f"{cout} \\cdot {cin} \\cdot {k}^2 + {cout}", value=str(c["all"]))
    sol.step("Effective parameters: only the visible kernel positions carry weights that train",
             formula=r"C_{\mathrm{out}} C_{\mathrm{in}} \cdot \text{visible} + C_{\mathrm{out}}",
             substituted=f"{cout} \\cdot {cin} \\cdot {visible} + {cout}", value=str(c["effective"]))
    return sol


def figure(sol: Solution, p: dict[str, Any], out: Path) -> dict[str, str]:
    mask = np.asarray(sol.answers["mask"])
    k = mask.shape[0]
    fig, ax = subplots(1, 1, figsize=(0.5 * k + 1.5, 0.5 * k + 1.5))
    ax.imshow(mask, cmap="Greys", vmin=-0.3, vmax=1.3)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, "x" if (i, j) == (k // 2, k // 2) else str(mask[i, j]), ha="center", va="center",
                    color="white" if mask[i, j] else "black", fontsize=9)
    ax.set_xticks(np.arange(-0.5, k, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, k, 1), minor=True)
    ax.grid(which="minor", color="C0", lw=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"mask {p['mask']}, {k}x{k}: {int(mask.sum())} visible")
    return {"kernel_mask": save(fig, out, f"{sol.id}_kernel_mask")}


def _biases_forgotten(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    cout = problem.get("out_channels", 1)
    v = answers.get(key)
    if isinstance(v, int) and isinstance(cout, int):
        yield f"counted without the {cout} bias(es)", v - cout


def _other_mask(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    if problem.get("mask") in ("A", "B"):
        p = copy.deepcopy(problem)
        p["mask"] = "B" if problem["mask"] == "A" else "A"
        yield f"re-solved with mask {p['mask']} instead of {problem['mask']}", resolve(p, key)


BIASES_FORGOTTEN = SlipRule("biases_forgotten", "biases forgotten", ("parameters", "effective_parameters"),
                            _biases_forgotten)
OTHER_MASK = SlipRule("mask_a_b_swapped", "mask A and mask B confused (the centre pixel)",
                      ("mask", "visible", "effective_parameters"), _other_mask)

UNIT = ProblemType(
    name="masked_conv",
    summary="the kernel mask (A or B) of a PixelCNN convolution, its visible positions and parameters",
    parameters=PARAMETERS,
    solve=solve,
    statement=statement,
    answers=("mask", "visible", "parameters", "effective_parameters"),
    slips=(BIASES_FORGOTTEN, OTHER_MASK),
    figures=(figure,),
    example={"kernel": 5, "mask": "A", "in_channels": 1, "out_channels": 16},
    modules=(4,),
)
