"""Problem type ``pca``: principal component analysis of a small data matrix (module 2).

Computed by :func:`adlkit.pca.pca` (the SVD of the centred data).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec
from adlkit.pca import pca
from adlkit.solve.common import draw_numbers, maybe
from adlkit.solve.model import Solution
from adlkit.solve.schema import Param
from adlkit.solve.slips import SlipRule, resolve
from adlkit.solve.spec import INVALID, Fields
from adlkit.solve.unit import ProblemType


def _draw_X(rng, drawn) -> list[list[float]]:
    n, d = int(rng.integers(3, 7)), int(rng.integers(2, 4))
    return [draw_numbers(rng, d, -3, 3) for _ in range(n)]


PARAMETERS = (
    Param("X", "matrix", "the data: one row per sample, one column per feature", draw=_draw_X),
    Param("k", "integer", "the number of components kept (at most min(n, d))", default=None,
          default_text="all d components", minimum=1,
          draw=lambda rng, d: maybe(rng, int(rng.integers(1, min(len(d["X"]), len(d["X"][0])) + 1)))),
    Param("ddof", "integer", "the covariance divides by n - ddof (1: the sample covariance; 0: over n)", default=1,
          minimum=0, maximum=1, draw=lambda rng, d: maybe(rng, 0, 0.2)),
)


def parse(f: Fields, params: dict[str, Any]) -> dict[str, Any]:
    X, k = params["X"], params["k"]
    if X is INVALID:
        return params
    n, d = X.shape
    if n < 2:
        return {**params, "X": f.error("X", f"must have at least 2 rows (samples), got {n}")}
    if k is not None and k is not INVALID and k > min(n, d):
        return {**params, "k": f.error("k", f"must be at most min(n, d) = {min(n, d)} ({n} samples, dimension {d}), got {k}")}
    return params


def statement(params: dict[str, Any]) -> str:
    X = params["X"]
    k = "all" if params["k"] is None else str(params["k"])
    return (f"Apply PCA to the data X = {[[float(a) for a in r] for r in X]} (rows are samples), keeping {k} "
            "component(s): give the mean, the covariance, its eigenvalues and principal directions, the explained "
            "variance ratios, the projections and the reconstruction error.")


def solve(pid: str, params: dict[str, Any]) -> Solution:
    X = np.asarray(params["X"], dtype=np.float64)
    r = pca(X, params["k"], params["ddof"])
    n, d = X.shape
    sol = Solution(pid, "pca", answers={
        "mean": r.mean, "covariance": r.covariance, "eigenvalues": r.eigenvalues, "components": r.components,
        "explained_variance_ratio": r.explained_variance_ratio, "projection": r.projection,
        "reconstruction_error": r.reconstruction_error,
    })
    sol.conventions = {
        "covariance": f"C = X_c^T X_c / (n - ddof), ddof = {r.ddof}" + (" (the unbiased sample covariance)" if r.ddof == 1
                                                                        else " (the maximum-likelihood covariance)"),
        "components": "rows: unit eigenvectors of C by descending eigenvalue, each signed so that its "
                      "largest-magnitude entry is positive",
        "eigenvalues": "all d eigenvalues of C, descending (computed as s_i^2 / (n - ddof) from the SVD of X_c)",
        "explained_variance_ratio": "eigenvalue_i / trace(C) for the k kept components",
        "projection": "X_c V_k: the centred data on the kept components (n x k)",
        "reconstruction_error": "the mean over all n*d entries of (X - (mean + projection V_k^T))^2",
    }
    sol.step("Centre the data", formula=r"\mu = \frac1n \sum_i x_i", value=fmt_vec(r.mean))
    sol.step(f"Covariance over n - ddof = {n - r.ddof}", formula=r"C = \frac{1}{n - \mathrm{ddof}} X_c^\top X_c",
             value=fmt_matrix(r.covariance))
    sol.step("Eigen-decomposition (by the SVD of X_c: eigenvalues s_i^2 / (n - ddof)), descending",
             formula=r"C v_i = \lambda_i v_i", value=fmt_vec(r.eigenvalues))
    sol.step(f"Keep the top k = {r.k}; sign each direction so its largest-magnitude entry is positive",
             formula=r"V_k^\top", value=fmt_matrix(r.components))
    sol.step("Explained variance ratios", formula=r"\lambda_i / \sum_j \lambda_j", value=fmt_vec(r.explained_variance_ratio))
    sol.step("Project the centred data", formula=r"Z = X_c V_k", value=fmt_matrix(r.projection))
    sol.step("Reconstruct and measure the error (the discarded eigenvalues' share)",
             formula=r"\frac{1}{nd}\|X - (\mathbf 1\mu^\top + Z V_k^\top)\|_F^2", value=fmt(r.reconstruction_error, 6))
    return sol


def _over_n(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    if problem.get("ddof", 1) == 1:
        p = copy.deepcopy(problem)
        p["ddof"] = 0
        yield "re-solved with the covariance over n instead of n - 1", resolve(p, key)


def _eigen_sign(problem: dict[str, Any], key: str, answers: dict[str, Any], unit: Any):
    v = answers.get(key)
    if v is None:
        return
    a = np.asarray(v, dtype=np.float64)
    if key == "components":
        yield "every principal direction negated (an eigenvector's sign)", -a
        for i in range(a.shape[0]):
            b = a.copy()
            b[i] *= -1
            yield f"principal direction {i + 1} negated (an eigenvector's sign)", b
    else:  # projection: columns follow the directions
        yield "every projection negated (an eigenvector's sign)", -a
        for i in range(a.shape[1]):
            b = a.copy()
            b[:, i] *= -1
            yield f"projection on direction {i + 1} negated (an eigenvector's sign)", b


UNIT = ProblemType(
    name="pca",
    summary="PCA by the SVD: covariance, eigenvalues, components, projections, reconstruction error",
    parameters=PARAMETERS,
    parse=parse,
    solve=solve,
    statement=statement,
    answers=("mean", "covariance", "eigenvalues", "components", "explained_variance_ratio", "projection",
             "reconstruction_error"),
    slips=(SlipRule("covariance_over_n", "the covariance over n instead of n - 1",
                    ("covariance", "eigenvalues", "reconstruction_error"), _over_n),
           SlipRule("eigenvector_sign", "an eigenvector's sign", ("components", "projection"), _eigen_sign)),
    example={"X": [[2, 0], [0, 1], [3, 4], [1, 1]], "k": 1},
    modules=(2,),
)
