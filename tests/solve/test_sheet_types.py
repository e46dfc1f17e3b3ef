"""The sheet's problem types on many more cases than the sheet's, against independent
references (textbook formulas written out here, mpmath, SciPy, torch.distributions)."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest
import torch
from scipy.linalg import sqrtm
from scipy.optimize import linear_sum_assignment
from scipy.special import ndtr
from scipy.stats import wasserstein_distance

from adlkit.core.numbers import jsonable
from adlkit.solve import solve_one


def uni_kl(m1, v1, m2, v2):
    return 0.5 * math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / (2 * v2) - 0.5


# -- kl --------------------------------------------------------------------------------------

def test_kl_std_form_and_dict_form():
    s = solve_one("kl", p={"mean": 1, "std": 2}, q={"mean": -1, "var": 3})
    assert s.answers["kl_pq"] == pytest.approx(uni_kl(1, 4, -1, 3), rel=1e-14)
    assert s.answers["kl_qp"] == pytest.approx(uni_kl(-1, 3, 1, 4), rel=1e-14)
    assert s.answers["symmetric"] is False


def test_kl_equal_variances_is_symmetric():
    s = solve_one("kl", p="N(0, 2)", q="N(1, 2)")
    assert s.answers["kl_pq"] == pytest.approx(0.25) and s.answers["symmetric"] is True


def test_kl_multivariate_against_torch_distributions():
    P = {"mean": [0, 1, -1], "cov": [[2, 0.3, 0], [0.3, 1, 0.2], [0, 0.2, 0.5]]}
    Q = {"mean": [1, 0, 0], "cov": [[1, 0, 0], [0, 3, 0.5], [0, 0.5, 1]]}
    s = solve_one("kl", p=P, q=Q)
    td = torch.distributions
    tp = td.MultivariateNormal(torch.tensor(P["mean"], dtype=torch.float64), torch.tensor(P["cov"], dtype=torch.float64))
    tq = td.MultivariateNormal(torch.tensor(Q["mean"], dtype=torch.float64), torch.tensor(Q["cov"], dtype=torch.float64))
    assert s.answers["kl_pq"] == pytest.approx(float(td.kl_divergence(tp, tq)), rel=1e-10)
    assert s.answers["kl_qp"] == pytest.approx(float(td.kl_divergence(tq, tp)), rel=1e-10)


# -- wasserstein -----------------------------------------------------------------------------

def test_w1_gaussians_different_variances_folded_normal():
    s = solve_one("wasserstein", p=1, a="N(0, 1)", b="N(1, 4)")
    a, b = -1.0, -1.0  # E|dm + ds Z| with dm = 0 - 1, ds = 1 - 2
    ref = abs(b) * math.sqrt(2 / math.pi) * math.exp(-a * a / (2 * b * b)) + a * (1 - 2 * ndtr(-a / abs(b)))
    assert s.answers["distance"] == pytest.approx(ref, rel=1e-10)


def test_wasserstein_samples_against_scipy_and_assignment():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=30).round(3).tolist(), rng.exponential(size=30).round(3).tolist()
    s1 = solve_one("wasserstein", p=1, a_samples=x, b_samples=y)
    assert s1.answers["distance"] == pytest.approx(wasserstein_distance(x, y), rel=1e-12)
    s2 = solve_one("wasserstein", a_samples=x, b_samples=y)  # p defaults to 2
    C = (np.array(x)[:, None] - np.array(y)[None, :]) ** 2
    r, c = linear_sum_assignment(C)
    assert s2.answers["distance"] == pytest.approx(math.sqrt(C[r, c].mean()), rel=1e-12)


def test_w2_multivariate_bures():
    S1, S2 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -0.3], [-0.3, 0.7]])
    s = solve_one("wasserstein", a={"mean": [0, 0], "cov": S1.tolist()}, b={"mean": [1, 2], "cov": S2.tolist()})
    r2 = sqrtm(S2)
    ref = math.sqrt(5 + np.trace(S1 + S2 - 2 * np.real(sqrtm(r2 @ S1 @ r2))))
    assert s.answers["distance"] == pytest.approx(ref, rel=1e-9)


# -- jsd -------------------------------------------------------------------------------------

@pytest.mark.parametrize("p,q", [("N(0, 1)", "N(0, 9)"), ("N(-2, 0.5)", "N(2, 0.5)")])
def test_jsd_symmetric_and_matches_mpmath(p, q):
    s = solve_one("jsd", p=p, q=q)
    a = s.answers
    assert a["symmetric"] is True and a["jsd_pq"] == pytest.approx(a["jsd_qp"], rel=1e-10)
    m1, v1 = (float(t) for t in p[2:-1].split(","))
    m2, v2 = (float(t) for t in q[2:-1].split(","))
    mp.mp.dps = 20

    def pdf(x, m, v):
        return mp.exp(-(x - m) ** 2 / (2 * v)) / mp.sqrt(2 * mp.pi * v)

    def h(x):
        pp, qq = pdf(x, m1, v1), pdf(x, m2, v2)
        return (pp * mp.log(2 * pp / (pp + qq)) + qq * mp.log(2 * qq / (pp + qq))) / 2

    assert a["jsd"] == pytest.approx(float(mp.quad(h, [-30, m1, m2, 30])), rel=1e-8)


# -- lipschitz -------------------------------------------------------------------------------

@pytest.mark.parametrize("f,domain,K,wgan", [
    ("softplus(x)", None, 1.0, True), ("tanh(x)", None, 1.0, True), ("sin(x)", None, 1.0, True),
    ("sigmoid(x)", ["-oo", "oo"], 0.25, True), ("x^3", [-2, 1], 12.0, False),
    ("x/2 + 1", None, 0.5, True), ("sqrt(1 + x^2)", None, 1.0, True),
])
def test_lipschitz_cases(f, domain, K, wgan):
    kw = {"domain": domain} if domain else {}
    s = solve_one("lipschitz", f=f, **kw)
    assert s.answers["constant"] == pytest.approx(K, rel=1e-9)
    assert s.answers["wgan_ok"] is wgan and s.answers["is_lipschitz"] is True


def test_lipschitz_inf_is_the_string_in_json():
    s = solve_one("lipschitz", f="x^2")
    assert jsonable(s.answers)["constant"] == "inf"


# -- partition_function ----------------------------------------------------------------------

def test_partition_without_gaussian_form():
    s = solve_one("partition_function", f="exp(-x^4)")
    assert s.answers["Z"] == pytest.approx(2 * math.gamma(1.25), rel=1e-13)
    assert s.answers["Z_exact"] == "gamma(1/4)/2"
    s = solve_one("partition_function", f="exp(-abs(x))")
    assert s.answers["Z"] == pytest.approx(2.0, rel=1e-13)


def test_partition_not_normalisable_is_inf():
    s = solve_one("partition_function", f="exp(x^2)")
    a = jsonable(s.answers)
    assert a["Z"] == "inf" and a["normalizable"] is False


def test_partition_on_interval_and_gaussian_with_constant():
    s = solve_one("partition_function", f="2*exp(-x^2/2)", domain=[0, "oo"])
    assert s.answers["Z"] == pytest.approx(math.sqrt(2 * math.pi), rel=1e-13)


# -- optimal_discriminator -------------------------------------------------------------------

def test_optimal_discriminator_formula_reparses_and_values():
    from adlkit.core.expr import evaluate, parse

    s = solve_one("optimal_discriminator", p_data="N(0, 1)", p_g="N(2, 4)", at=[-1, 0, 1.5, 3])
    expr = parse(s.answers["formula"], ["x"])
    for x, v in zip([-1, 0, 1.5, 3], s.answers["values"]):
        pd = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        pg = math.exp(-(x - 2) ** 2 / 8) / math.sqrt(8 * math.pi)
        assert v == pytest.approx(pd / (pd + pg), rel=1e-12)
        assert float(evaluate(expr, {"x": float(x)})) == pytest.approx(v, rel=1e-12)
    for x in s.answers["half_at"]:
        pd = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        pg = math.exp(-(x - 2) ** 2 / 8) / math.sqrt(8 * math.pi)
        assert pd == pytest.approx(pg, rel=1e-10)


def test_identical_distributions_give_one_half_and_minus_log4():
    s = solve_one("optimal_discriminator", p_data="N(1, 2)", p_g="N(1, 2)", at=[0, 5])
    assert s.answers["values"] == [0.5, 0.5]
    assert s.answers["game_value"] == pytest.approx(-math.log(4), abs=1e-12)


# -- vae_loss --------------------------------------------------------------------------------

def test_vae_loss_vectors_and_conventions():
    x, xh, mu, lv = [1.0, 0.0, 0.5], [0.9, 0.2, 0.4], [0.5, -1.0], [0.1, -0.3]
    kl = sum(-0.5 * (1 + l - m * m - math.exp(l)) for m, l in zip(mu, lv))
    sq = sum((a - b) ** 2 for a, b in zip(x, xh))
    for conv, rec in (("half_mse", sq / 2), ("mse", sq),
                      ("bce", -sum(a * math.log(b) + (1 - a) * math.log(1 - b) for a, b in zip(x, xh)))):
        s = solve_one("vae_loss", x=x, x_hat=xh, mu=mu, logvar=lv, reconstruction=conv)
        assert s.answers["reconstruction"] == pytest.approx(rec, rel=1e-12)
        assert s.answers["kl"] == pytest.approx(kl, rel=1e-12)
        assert s.answers["total"] == pytest.approx(rec + kl, rel=1e-12)


def test_every_sheet_type_serialises_to_json():
    for t, kw in [("kl", dict(p="N(0,1)", q="N(1,2)")), ("jsd", dict(p="N(0,1)", q="N(1,2)")),
                  ("wasserstein", dict(a="N(0,1)", b="N(1,2)")), ("lipschitz", dict(f="x")),
                  ("partition_function", dict(f="exp(-x^2)")),
                  ("optimal_discriminator", dict(p_data="N(0,1)", p_g="N(1,2)")),
                  ("vae_loss", dict(x=1, x_hat=1, mu=0, logvar=0))]:
        d = solve_one(t, **kw).to_dict()
        json.dumps(d, allow_nan=False)
        assert d["steps"] and d["conventions"]
