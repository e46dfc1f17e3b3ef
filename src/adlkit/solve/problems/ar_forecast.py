"""Problem type ``ar_forecast``: point forecasts of an AR(p) or ARIMA(p, d, 0) model (module 11).

Computed by :func:`adlkit.timeseries.ar_forecast` (differencing, the AR recursion, and undoing
the differencing).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_vec
from adlkit.solve.common import draw_number, draw_numbers, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.slips import SlipRule
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType
from adlkit.timeseries import ar_forecast

PARAMETERS = (
    Param("series", "number_list", "the observed series y_1..y_n, oldest first",
          draw=lambda rng, d: draw_numbers(rng, int(rng.integers(4, 8)), 0, 10)),
    Param("phi", "number_list", "the AR coefficients phi_1..phi_p (phi_1 multiplies the latest value)", scalar_ok=True,
          draw=lambda rng, d: draw_numbers(rng, int(rng.integers(1, 3)), -0.6, 0.6, 2)),
    Param("c", "number", "the intercept c of the (differenced) AR equation", default=0.0,
          draw=lambda rng, d: maybe(rng, draw_number(rng, -1, 1))),
    Param("d", "integer", "the differencing order d of ARIMA(p, d, 0)", default=0, minimum=0, maximum=3,
          draw=lambda rng, d: maybe(rng, int(rng.integers(1, 3)))),
    Param("steps", "integer", "how many steps ahead to forecast", default=1, minimum=1, maximum=1000,
          draw=lambda rng, d: maybe(rng, int(rng.integers(2, 5)))),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    y, phi, d = params["series"], params["phi"], params["d"]
    if any(v is INVALID for v in (y, phi, d)):
        return params
    need = max(phi.size + d, d + 1)
    if y.size < need:
        return {**params, "series": f.error("series", f"is too short for its order: ARIMA({phi.size}, {d}, 0) needs at "
                                                      f"least {need} values, got {y.size}")}
    return params


def statement(params: dict[str, Any]) -> str:
    p, d = params["phi"].size, params["d"]
    model = f"AR({p})" if d == 0 else f"ARIMA({p}, {d}, 0)"
    return (f"The series {params['series'].tolist()} follows an {model} model with phi = {params['phi'].tolist()} and "
            f"c = {params['c']:g}. Forecast the next {params['steps']} value(s).")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    y, phi, c, d, h = params["series"], params["phi"], float(params["c"]), params["d"], params["steps"]
    r = ar_forecast(y, phi, c, d, h)
    p = phi.size
    sol = Solution(pid, "ar_forecast", answers={"forecast": r.forecast, "differenced_forecast": r.level_forecasts[0]})
    sol.conventions = {
        "model": f"w_t = c + sum_i phi_i w_(t-i) + noise, w the series differenced d = {d} time(s)",
        "forecast": "point forecasts: future noise at its mean 0, unknown future values replaced by their forecasts",
        "differencing": "undone level by level: y_(n+h) = y_n + w_(n+1) + ... + w_(n+h) (cumulative sums)",
        "differenced_forecast": "the forecasts of the differenced series w (equal to forecast when d = 0)",
    }
    for j in range(1, d + 1):
        sol.step(f"Difference {'once' if j == 1 else f'again (order {j})'}", formula=r"\nabla y_t = y_t - y_{t-1}",
                 value=fmt_vec(r.levels[j]))
    w = "w" if d else "y"
    terms = " + ".join(rf"\phi_{i + 1} {w}_{{t-{i + 1}}}" for i in range(p))
    sol.step(f"The AR({p}) recursion, every unknown value replaced by its forecast",
             formula=rf"\hat {w}_{{t}} = c + {terms}")
    hist = list(r.levels[-1])
    for s, val in enumerate(r.level_forecasts[0], start=1):
        sub = " + ".join(rf"{fmt(phi[i])} \cdot {fmt(hist[-1 - i])}" for i in range(p))
        sol.step(f"Step {s}", formula=rf"\hat {w}_{{n+{s}}}", substituted=f"{fmt(c)} + {sub}", value=fmt(val, 6))
        hist.append(val)
    for j in range(d):
        level = r.levels[d - 1 - j]
        sol.step(f"Undo differencing (level {d - j} to {d - 1 - j}): cumulative sums from the last observed value "
                 f"{fmt(level[-1])}", formula=r"y_{n+h} = y_n + \sum_{s=1}^{h} \hat w_{n+s}",
                 value=fmt_vec(r.level_forecasts[j + 1], 6))
    return sol


def _undo_wrongly(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    d = problem.get("d", 0)
    w = answers.get("differenced_forecast")
    series = problem.get("series")
    if not d or w is None or not isinstance(series, list):
        return
    w = np.asarray(w, dtype=np.float64)
    yield "the differenced forecasts reported: the differencing not undone", w
    if d == 1 and all(isinstance(a, (int, float)) for a in series):
        yield "each differenced forecast added to the last value (no cumulative sum)", float(series[-1]) + w


UNIT = ProblemType(
    name="ar_forecast",
    summary="AR(p) and ARIMA(p, d, 0) point forecasts (differencing undone)",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("forecast", "differenced_forecast"),
    slips=(SlipRule("differencing_undone_wrongly", "differencing undone wrongly", ("forecast",), _undo_wrongly),),
    example={"series": [1.0, 2.0, 4.0, 5.0, 7.0], "phi": [0.5], "c": 0.2, "d": 1, "steps": 3},
    modules=(11,),
)
