"""Problem type ``autoregressive_params``: parameter counts of the autoregressive models.

Counted from the built modules of :mod:`adlkit.autoregressive` (FVSBN and MADE as
:func:`~adlkit.autoregressive.made_network` of :class:`~adlkit.autoregressive.MaskedLinear`
layers, :class:`~adlkit.autoregressive.NADE`) by
:func:`~adlkit.autoregressive.count_parameters`; the tabular model is a table of K^n
probabilities that sum to one.
"""

from __future__ import annotations

from typing import Any

from adlkit.solve.model import Solution, Step
from adlkit.solve.schema import OMIT, Param
from adlkit.solve.slips import Problem, SlipRule
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType

MODELS = ("tabular", "fvsbn", "nade", "made")
MAX_INPUTS = 1024  # n (K - 1): the masks are built
MAX_WIDTH = 4096
MAX_WEIGHTS = 20_000_000


def _check_image(v: Any, params: dict[str, Any]) -> str | None:
    if len(v) != 2 or not all(a >= 1 and float(a) == int(a) for a in v):
        return f"must be [h, w], two whole numbers >= 1, got {v.tolist()}"
    return None


def _check_models(v: list[str], params: dict[str, Any]) -> str | None:
    bad = [m for m in v if m not in MODELS]
    if bad:
        return f"must list models among {', '.join(MODELS)}, got {bad[0]!r}"
    if len(set(v)) != len(v):
        return "lists a model twice"
    return None


def _check_hidden(v: Any, params: dict[str, Any]) -> str | None:
    if not all(1 <= a <= MAX_WIDTH and float(a) == int(a) for a in v):
        return f"must be whole numbers in 1..{MAX_WIDTH} (NADE's d, or MADE's hidden widths), got {v.tolist()}"
    if len(v) > 8:
        return "must have at most 8 hidden layers"
    return None


def _draw_models(rng, drawn):
    pick = [m for m in MODELS if rng.random() < 0.6]
    return pick or ["tabular"]


def _draw_hidden(rng, drawn):
    models = drawn.get("models", ["tabular", "fvsbn"])
    if "nade" in models or ("made" in models and rng.random() < 0.6):
        return int(rng.integers(2, 50))
    return [int(rng.integers(2, 50)) for _ in range(2)] if "made" in models else OMIT


PARAMETERS = (
    Param("n", "integer", "the number of variables (or give image [h, w])", default=None, minimum=1,
          when=lambda f: not f.has("image"), draw=lambda rng, d: int(rng.integers(2, 30))),
    Param("image", "number_list", "an image [h, w] of h*w variables (instead of n)", default=None,
          when=lambda f: f.has("image"), check=_check_image, draw=lambda rng, d: OMIT),
    Param("categories", "integer", "K, the values each variable takes", default=2, minimum=2, maximum=256,
          draw=lambda rng, d: 2 if rng.random() < 0.7 else int(rng.integers(3, 5))),
    Param("models", "tokens", "the models to count: tabular, fvsbn, nade, made", default=["tabular", "fvsbn"],
          default_text="tabular and fvsbn", check=_check_models, draw=_draw_models),
    Param("hidden", "number_list", "NADE's hidden size d, or MADE's hidden widths (an int: one hidden layer)",
          default=None, scalar_ok=True, check=_check_hidden,
          draw=lambda rng, d: _draw_hidden(rng, d)),
)


def parse(f: Fields, p: dict[str, Any]) -> dict[str, Any]:
    n = p.get("n")
    if p.get("image") is not None and p["image"] is not INVALID:
        h, w = (int(a) for a in p["image"])
        n = h * w
        p["image"] = [h, w]
    if n is None:
        p["n"] = f.error("n", "is required (or give image [h, w])")
        return p
    if n is INVALID or p.get("image") is INVALID:
        return p
    p["n"] = int(n)
    K = p.get("categories")
    models = p.get("models")
    if K is INVALID or models is INVALID:
        return p
    if {"fvsbn", "made", "nade"} & set(models) and p["n"] * (K - 1) > MAX_INPUTS:
        p["n"] = f.error("image" if p.get("image") is not None else "n",
                         f"gives n (K - 1) = {p['n'] * (K - 1)} inputs; at most {MAX_INPUTS} are built")
        return p
    hidden = p.get("hidden")
    if hidden is INVALID:
        return p
    need = [m for m in ("nade", "made") if m in models]
    if need and hidden is None:
        p["hidden"] = f.error("hidden", f"is required for {' and '.join(need)}")
    elif "nade" in models and hidden is not None and len(hidden) != 1:
        p["hidden"] = f.error("hidden", f"must be one number for nade (its hidden size d), got {hidden.tolist()}")
    elif hidden is not None:
        p["hidden"] = [int(a) for a in hidden]
        sizes = [p["n"] * (K - 1), *p["hidden"], p["n"] * (K - 1)]
        weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
        if "made" in models and weights > MAX_WEIGHTS:
            p["hidden"] = f.error("hidden", f"gives MADE {weights:,} weights; at most {MAX_WEIGHTS:,} are built")
    return p


def statement(p: dict[str, Any]) -> str:
    what = f"an image of {p['image'][0]} x {p['image'][1]} = {p['n']}" if p.get("image") else f"n = {p['n']}"
    h = p.get("hidden")
    hid = "" if h is None else f" (hidden: {h[0] if len(h) == 1 else h})"
    return (f"For {what} variables with K = {p['categories']} values each, count the parameters of the "
            f"autoregressive models {', '.join(p['models'])}{hid}.")


def counts(p: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per requested model: ``all``, ``effective``, ``weights``, ``biases``, from the built modules."""
    from adlkit.autoregressive import NADE, count_parameters, hidden_degrees, made_network

    n, K = p["n"], p["categories"]
    k = K - 1
    deg = [d for d in range(1, n + 1) for _ in range(k)]  # K - 1 indicators per variable share its degree
    out: dict[str, dict[str, int]] = {}
    for m in p["models"]:
        if m == "tabular":
            out[m] = {"all": K ** n - 1, "effective": K ** n - 1, "weights": K ** n - 1, "biases": 0}
        elif m == "fvsbn":
            c = count_parameters(made_network(deg, []))
            out[m] = {**c, "all": c["effective"]}  # its masked-out weights are not parameters of the model
        elif m == "nade":
            out[m] = count_parameters(NADE(n, p["hidden"][0], K))
        elif m == "made":
            hd = hidden_degrees(n, p["hidden"]) if n >= 2 else [[1] * w for w in p["hidden"]]
            out[m] = count_parameters(made_network(deg, hd))
    return out


def _answers(c: dict[str, dict[str, int]], biases: bool = True) -> dict[str, Any]:
    def val(m: str, key: str) -> int | None:
        if m not in c:
            return None
        return c[m][key] - (0 if biases else c[m]["biases"])

    return {"tabular": val("tabular", "all"), "fvsbn": val("fvsbn", "all"), "nade": val("nade", "all"),
            "made": val("made", "all"), "made_connections": val("made", "effective")}


def solve(pid: str, p: dict[str, Any]) -> Solution:
    n, K = p["n"], p["categories"]
    k = K - 1
    c = counts(p)
    sol = Solution(pid, "autoregressive_params", answers=_answers(c))
    sol.conventions = {
        "tabular": "a full table of the K^n joint probabilities; they sum to 1, so K^n - 1 are free",
        "encoding": ("binary variables: one input and one logit each" if K == 2 else
                     f"each variable is K - 1 = {k} indicators (the last value the reference) and has K - 1 logits "
                     "(a softmax whose reference logit is 0)"),
        "fvsbn": "p(x_i | x_<i) is a logistic (softmax) regression on the earlier variables: weights to earlier inputs "
                 "plus a bias; masked-out weights are not counted",
        "nade": "W (d x n(K-1)), c (d), V (n(K-1) x d), b (n(K-1)): 2nd + n + d for binary variables",
        "made": "made counts every weight and bias of the masked MLP, masked ones included; made_connections counts "
                "the unmasked weights plus the biases; hidden degrees k mod (n-1) + 1 (unit k from 0), natural order",
        "models": "a model not requested has the answer null",
    }
    if "tabular" in c:
        sol.step("Tabular model: one probability per joint configuration, minus one for the normalisation",
                 formula="K^n - 1", substituted=f"{K}^{{{n}}} - 1", value=str(c["tabular"]["all"]))
    if "fvsbn" in c:
        if K == 2:
            sol.step("FVSBN: conditional i has i - 1 weights and a bias, i parameters",
                     formula=r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", substituted=rf"\frac{{{n} \cdot {n + 1}}}{{2}}",
                     value=str(c["fvsbn"]["all"]))
        else:
            sol.step("FVSBN: conditional i has K - 1 logits, each with (i - 1)(K - 1) weights and a bias",
                     formula=r"(K-1) \sum_{i=1}^{n} \left[(i-1)(K-1) + 1\right] = (K-1)\left[(K-1)\frac{n(n-1)}{2} + n\right]",
                     substituted=rf"{k} \left[{k} \cdot \frac{{{n} \cdot {n - 1}}}{{2}} + {n}\right]",
                     value=str(c["fvsbn"]["all"]))
    if "nade" in c:
        d = p["hidden"][0]
        sol.step("NADE: W and V are n(K-1) x d, plus the biases b (n(K-1)) and c (d)",
                 formula=r"2 n (K-1) d + n (K-1) + d" if K > 2 else "2nd + n + d",
                 substituted=rf"2 \cdot {n * k} \cdot {d} + {n * k} + {d}", value=str(c["nade"]["all"]))
    if "made" in c:
        sizes = [n * k, *p["hidden"], n * k]
        terms = [Step(f"layer {i + 1}: {a} -> {b}", formula=r"n_{\mathrm{in}} n_{\mathrm{out}} + n_{\mathrm{out}}",
                      substituted=f"{a} \\cdot {b} + {b}", value=str(a * b + b)) for i, (a, b) in enumerate(zip(sizes, sizes[1:]))]
        sol.step("MADE: every weight and bias of the MLP, masked ones included",
                 formula=r"\sum_l (n_{l-1} n_l + n_l)",
                 substituted=" + ".join(str(a * b + b) for a, b in zip(sizes, sizes[1:])),
                 value=str(c["made"]["all"]), substeps=terms)
        sol.step("MADE's connections: the unmasked weights (the ones of the masks) plus the biases",
                 formula=r"\sum_l \left(\sum M^l + n_l\right)",
                 substituted=f"{c['made']['effective'] - c['made']['biases']} + {c['made']['biases']}",
                 value=str(c["made"]["effective"]))
    return sol


def _validated(problem: Problem):
    from adlkit.solve import validate_spec
    from adlkit.solve.spec import SpecError

    try:
        _, [(_, _, params)] = validate_spec({"problems": [problem]})
    except (SpecError, ValueError):
        return None
    return params


def _all_configurations(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    v = answers.get("tabular")
    if isinstance(v, int):
        yield "counted K^n table entries without removing the one fixed by the normalisation", v + 1


def _biases_forgotten(problem: Problem, key: str, answers: dict[str, Any], unit: ProblemType):
    params = _validated(problem)
    if params is None:
        return
    wrong = _answers(counts(params), biases=False)
    if wrong.get(key) is not None:
        yield "re-counted with the weights only (every bias left out)", wrong[key]


ALL_CONFIGURATIONS = SlipRule("tabular_no_minus_one", "2^n (K^n) counted instead of 2^n - 1 (K^n - 1)",
                              ("tabular",), _all_configurations)
BIASES_FORGOTTEN = SlipRule("biases_forgotten", "biases forgotten", ("fvsbn", "nade", "made", "made_connections"),
                            _biases_forgotten)

UNIT = ProblemType(
    name="autoregressive_params",
    summary="parameter counts of the tabular model, FVSBN, NADE and MADE",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("tabular", "fvsbn", "nade", "made", "made_connections"),
    slips=(ALL_CONFIGURATIONS, BIASES_FORGOTTEN),
    example={"image": [4, 4], "models": ["tabular", "fvsbn", "nade", "made"], "hidden": 8},
    modules=(4,),
)
