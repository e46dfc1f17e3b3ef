"""The types network_params, reparameterization, elbo and bits_per_dim against independent
references: hand closed forms, NumPy/SciPy (logsumexp), a Monte Carlo estimate of a model whose
log p(x) is known in closed form, and the check command's slips."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import norm
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.solve import SpecError, solve_spec, validate_spec


def _solve(ptype: str, **params):
    return solve_spec({"problems": [{"id": "q", "type": ptype, **params}]}).results[0]


def _slip(tmp_path, ptype: str, params: dict, key: str, value):
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [{"id": "q", "type": ptype, **params}]}))
    [v] = check_answers({"q": {key: value}}, exam).verdicts
    return v


# -- network_params -------------------------------------------------------------------------------
CNN = {"input_shape": [1, 28, 28],
       "layers": [{"type": "conv2d", "filters": 16, "kernel": 3, "padding": "same"},
                  {"type": "maxpool2d", "pool": 2},
                  {"type": "conv2d", "filters": 32, "kernel": 3, "stride": 2, "padding": "same"},
                  {"type": "flatten"}, {"type": "dense", "units": 10}]}


def test_network_params_counts_and_shapes_by_hand():
    a = _solve("network_params", **CNN).answers
    per = [(9 + 1) * 16, 0, (9 * 16 + 1) * 32, 0, (32 * 7 * 7 + 1) * 10]
    assert [layer["parameters"] for layer in a["layers"]] == per and a["total_parameters"] == sum(per)
    assert [layer["output_shape"] for layer in a["layers"]] == [[16, 28, 28], [16, 14, 14], [32, 7, 7], [1568], [10]]
    assert a["output_shape"] == [10] and a["warnings"] == []


def test_network_params_warns_when_the_expected_shape_differs():
    a = _solve("network_params", **CNN, expect_output_shape=[12]).answers
    assert a["warnings"] == ["the output shape is [10], not the expected [12]"]
    assert _solve("network_params", **CNN, expect_output_shape=[10]).answers["warnings"] == []


def test_network_params_heads_and_an_lstm():
    a = _solve("network_params", input_shape=[20],
               layers=[{"type": "embedding", "vocab": 100, "dim": 8}, {"type": "lstm", "units": 16}],
               heads=[{"type": "dense", "units": 2, "name": "mu"}, {"type": "dense", "units": 2, "name": "logvar"}],
               expect_output_shape=[[2], [2]]).answers
    assert a["total_parameters"] == 800 + 4 * (16 * (8 + 16) + 16) + 2 * 17 * 2
    assert a["output_shape"] == [[2], [2]] and [x["name"] for x in a["layers"]][-2:] == ["mu", "logvar"]
    assert a["warnings"] == []


@pytest.mark.parametrize("layers, line", [
    ([{"type": "conv2d", "filters": 2, "kernel": 5}],
     "q: field 'layers' layer 1 (conv2d_1, conv2d): kernel 5 is larger than the input's height 4 under padding 'valid'"),
    ([{"type": "pool"}], "q: field 'layers' layer 1: unknown type 'pool' (known: dense, conv2d, conv_transpose2d, "
                         "maxpool2d, avgpool2d, flatten, reshape, batchnorm, embedding, rnn, lstm, gru)"),
    ([{"type": "conv2d", "filters": -1, "kernel": 3}], "q: field 'layers' layer 1 (conv2d_1, conv2d): 'filters' must be >= 1, got -1"),
])
def test_network_params_bad_layers_exit_2_naming_id_and_field(tmp_path, layers, line):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"problems": [{"id": "q", "type": "network_params", "input_shape": [1, 4, 4],
                                              "layers": layers}]}))
    r = CliRunner().invoke(app, ["solve", str(path)])
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.strip() == line


def test_network_params_slips(tmp_path):
    small = {"input_shape": [4], "layers": [{"type": "dense", "units": 3}, {"type": "dense", "units": 2}]}
    assert _solve("network_params", **small).answers["total_parameters"] == 5 * 3 + 4 * 2
    v = _slip(tmp_path, "network_params", small, "total_parameters", 4 * 3 + 3 * 2)
    assert not v.correct and v.slip.name == "biases_left_out"
    # 'valid' for 'same': 28 -> 26 -> 13 -> floor((13 - 3)/2) + 1 = 6
    v = _slip(tmp_path, "network_params", CNN, "output_shape", [10])
    assert v.correct
    valid = _solve("network_params", **{**CNN, "layers": [dict(x, padding="valid") if "padding" in x else x
                                                           for x in CNN["layers"]]}).answers
    assert valid["layers"][2]["output_shape"] == [32, 6, 6]
    v = _slip(tmp_path, "network_params", CNN, "total_parameters", valid["total_parameters"])
    assert not v.correct and v.slip.name == "valid_for_same"


# -- reparameterization ---------------------------------------------------------------------------
@pytest.mark.parametrize("spread, value", [("logvar", [-1.0, 0.4]), ("var", [0.3, 2.0]), ("std", [0.5, 1.7])])
def test_reparameterization_each_spelling(spread, value):
    mu, eps = np.array([0.5, -1.0]), np.array([1.2, -0.3])
    v = np.array(value)
    sigma = np.exp(0.5 * v) if spread == "logvar" else (np.sqrt(v) if spread == "var" else v)
    a = _solve("reparameterization", mu=mu.tolist(), eps=eps.tolist(), **{spread: value}).answers
    np.testing.assert_allclose(a["std"], sigma, rtol=1e-14)
    np.testing.assert_allclose(a["z"], mu + sigma * eps, rtol=1e-14)


def test_reparameterization_scalars_stay_numbers_and_one_spread_is_shared():
    a = _solve("reparameterization", mu=1.0, var=4.0, eps=-0.5).answers
    assert a == {"std": 2.0, "z": 0.0}
    a = _solve("reparameterization", mu=[0.0, 1.0], std=3.0, eps=[1.0, 1.0]).answers
    assert math.isclose(a["std"], 3.0, rel_tol=1e-15) and np.allclose(a["z"], [3.0, 4.0], rtol=1e-15)


def test_reparameterization_needs_exactly_one_spread():
    with pytest.raises(SpecError) as err:
        validate_spec({"problems": [{"id": "q", "type": "reparameterization", "mu": 0, "eps": 1}]})
    assert err.value.messages == ["q: field 'logvar' is required: give exactly one of 'logvar', 'var' or 'std'"]
    with pytest.raises(SpecError) as err:
        validate_spec({"problems": [{"id": "q", "type": "reparameterization", "mu": 0, "eps": 1, "var": 1, "std": 1}]})
    assert err.value.messages == ["q: field 'std' cannot be given together with 'var': give exactly one of "
                                  "'logvar', 'var' or 'std'"]


@pytest.mark.parametrize("given, value, wrong_z, slip", [
    ("std", 4.0, 1.0 + math.sqrt(4.0) * 0.5, "std_as_var"),
    ("std", 4.0, 1.0 + math.exp(2.0) * 0.5, "std_as_logvar"),
    ("var", 4.0, 1.0 + 4.0 * 0.5, "var_as_std"),
    ("logvar", 1.2, 1.0 + 1.2 * 0.5, "logvar_as_std"),
    ("logvar", 1.2, 1.0 + math.exp(1.2) * 0.5, "logvar_as_logstd"),
])
def test_reparameterization_slips(tmp_path, given, value, wrong_z, slip):
    v = _slip(tmp_path, "reparameterization", {"mu": 1.0, given: value, "eps": 0.5}, "z", wrong_z)
    assert not v.correct and v.slip is not None and v.slip.name == slip


# -- elbo -----------------------------------------------------------------------------------------
def test_elbo_and_iwae_against_numpy():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(-5, 2, 7), rng.normal(-2, 1, 7), rng.normal(-1, 1, 7)
    r = _solve("elbo", log_px_given_z=a.tolist(), log_pz=b.tolist(), log_qz=c.tolist()).answers
    lw = a + b - c
    np.testing.assert_allclose(r["log_weights"], lw, rtol=1e-14)
    assert r["k"] == 7 and math.isclose(r["elbo"], lw.mean(), rel_tol=1e-14)
    assert math.isclose(r["iwae"], logsumexp(lw) - math.log(7), rel_tol=1e-14) and r["iwae"] >= r["elbo"]
    # stable for large log-weights (a direct log(mean(exp)) overflows)
    big = _solve("elbo", log_weights=[1000.0, 1000.0]).answers
    assert big["iwae"] == 1000.0 and big["elbo"] == 1000.0


def test_elbo_and_iwae_monte_carlo_against_the_closed_form():
    """p(z) = N(0, 1), p(x|z) = N(z, 1), so p(x) = N(0, 2); with q(z|x) = N(0, 1) (not the posterior
    N(x/2, 1/2)) the ELBO is log p(x) - KL(q || posterior) and the IWAE bound tends to log p(x)."""
    x, k = 1.3, 200_000
    z = np.random.default_rng(1).normal(size=k)
    r = _solve("elbo", log_px_given_z=norm.logpdf(x, z, 1).tolist(), log_pz=norm.logpdf(z).tolist(),
               log_qz=norm.logpdf(z).tolist()).answers
    log_px = norm.logpdf(x, 0, math.sqrt(2))
    kl = math.log(math.sqrt(0.5)) + (1 + (0 - x / 2) ** 2) / (2 * 0.5) - 0.5  # KL(N(0,1) || N(x/2, 1/2))
    assert abs(r["elbo"] - (log_px - kl)) < 0.01
    assert abs(r["iwae"] - log_px) < 0.005 and r["iwae"] > r["elbo"]


def test_elbo_slips(tmp_path):
    params = {"log_px_given_z": [-3.2, -2.5], "log_pz": [-1.9, -2.2], "log_qz": [-0.8, -1.5]}
    r = _solve("elbo", **params).answers
    v = _slip(tmp_path, "elbo", params, "iwae", r["iwae"] / math.log(2))
    assert not v.correct and v.slip.name == "log_base_2"
    wrong = np.mean(np.array(params["log_px_given_z"]) + params["log_pz"] + params["log_qz"])
    v = _slip(tmp_path, "elbo", params, "elbo", float(wrong))
    assert not v.correct and v.slip.name == "log_q_sign"


# -- bits_per_dim ---------------------------------------------------------------------------------
def test_bits_per_dim_by_hand():
    # a uniform density on the unit cube (nll 0) of 17-level data: log2 17 bits per dimension
    a = _solve("bits_per_dim", nll=0.0, dims=64, levels=17).answers
    assert math.isclose(a["bits_per_dim"], math.log2(17), rel_tol=1e-14)
    assert math.isclose(a["nats_per_dim"], math.log(17), rel_tol=1e-14)
    a = _solve("bits_per_dim", nll=784 * math.log(2), dims=784).answers
    assert math.isclose(a["bits_per_dim"], 1.0, rel_tol=1e-14)
    a = _solve("bits_per_dim", nll=-85.3, dims=64, levels=17).answers
    assert math.isclose(a["bits_per_dim"], (-85.3 + 64 * math.log(17)) / (64 * math.log(2)), rel_tol=1e-14)


def test_bits_per_dim_slips(tmp_path):
    params = {"nll": 3000.0, "dims": 3072, "levels": 256}
    a = _solve("bits_per_dim", **params).answers
    v = _slip(tmp_path, "bits_per_dim", params, "bits_per_dim", a["nats_per_dim"])
    assert not v.correct and v.slip.name == "nats_as_bits"
    v = _slip(tmp_path, "bits_per_dim", params, "bits_per_dim", 3000.0 / (3072 * math.log(2)))
    assert not v.correct and v.slip.name == "dequantization_left_out"
