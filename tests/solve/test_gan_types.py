"""gan_loss, spectral_norm and the extended optimal_discriminator / kl / jsd / wasserstein,
through the solver, against independent references: torch's BCE-with-logits, numpy's SVD and
torch's spectral_norm, scipy's entropy and wasserstein_distance, and the contract's identities."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from adlkit.check import check_answers
from adlkit.solve import SpecError, solve_spec


def solve(**problem):
    return solve_spec({"problems": [{"id": "q", **problem}]}).results[0]


def answers(**problem):
    return solve(**problem).answers


def bce(x, target):
    x = torch.tensor(x, dtype=torch.float64)
    return float(F.binary_cross_entropy_with_logits(x, torch.full_like(x, target)))


REAL_LOGITS, FAKE_LOGITS = [2.0, -0.5, 1.0], [-1.0, 0.3]


def test_minimax_losses_are_torch_bce_with_logits():
    a = answers(type="gan_loss", loss="minimax", outputs="logit", real=REAL_LOGITS, fake=FAKE_LOGITS)
    assert a["discriminator_loss"] == pytest.approx(bce(REAL_LOGITS, 1) + bce(FAKE_LOGITS, 0), rel=1e-13)
    assert a["generator_loss"] == pytest.approx(-bce(FAKE_LOGITS, 0), rel=1e-13)  # E log(1 - D)
    ns = answers(type="gan_loss", loss="nonsaturating", outputs="logit", real=REAL_LOGITS, fake=FAKE_LOGITS)
    assert ns["generator_loss"] == pytest.approx(bce(FAKE_LOGITS, 1), rel=1e-13)  # -E log D
    assert ns["discriminator_loss"] == a["discriminator_loss"] and a["wasserstein_estimate"] is None


def test_probability_outputs_give_the_same_losses_as_their_logits():
    pr = [float(torch.sigmoid(torch.tensor(x, dtype=torch.float64))) for x in REAL_LOGITS]
    pf = [float(torch.sigmoid(torch.tensor(x, dtype=torch.float64))) for x in FAKE_LOGITS]
    a = answers(type="gan_loss", loss="nonsaturating", real=pr, fake=pf)  # probability is the default
    assert a["discriminator_loss"] == pytest.approx(bce(REAL_LOGITS, 1) + bce(FAKE_LOGITS, 0), rel=1e-12)
    assert a["generator_loss"] == pytest.approx(bce(FAKE_LOGITS, 1), rel=1e-12)
    # by hand: -mean log D(real) - mean log(1 - D(fake)) on the probabilities
    hand = -np.mean(np.log(pr)) - np.mean(np.log1p(-np.array(pf)))
    assert a["discriminator_loss"] == pytest.approx(hand, rel=1e-12)


def test_wasserstein_hinge_and_least_squares_by_their_definitions():
    r, f = np.array([2.0, 1.0, -0.5]), np.array([-1.0, 0.5])
    w = answers(type="gan_loss", loss="wasserstein", real=r.tolist(), fake=f.tolist())
    assert w["wasserstein_estimate"] == pytest.approx(r.mean() - f.mean())
    assert w["discriminator_loss"] == pytest.approx(f.mean() - r.mean())  # the critic minimises -W
    assert w["generator_loss"] == pytest.approx(-f.mean())
    h = answers(type="gan_loss", loss="hinge", real=r.tolist(), fake=f.tolist())
    assert h["discriminator_loss"] == pytest.approx(np.maximum(0, 1 - r).mean() + np.maximum(0, 1 + f).mean())
    ls = answers(type="gan_loss", loss="least_squares", real=[0.9, 0.6], fake=[0.2, 0.4])
    assert ls["discriminator_loss"] == pytest.approx(0.5 * np.mean((np.array([0.9, 0.6]) - 1) ** 2) + 0.5 * np.mean([0.04, 0.16]))
    assert ls["generator_loss"] == pytest.approx(0.5 * np.mean([0.64, 0.36]))


def test_gan_loss_bad_input_names_the_field():
    with pytest.raises(SpecError) as err:
        solve(type="gan_loss", loss="minimax", real=[1.5], fake=[0.2])
    assert err.value.messages[0].startswith("q: field 'real' must be probabilities in [0, 1]")
    with pytest.raises(SpecError) as err:
        solve(type="gan_loss", loss="wasserstein", outputs="probability", real=[0.5], fake=[0.2])
    assert err.value.messages == ["q: field 'outputs' must be logit for loss wasserstein: its critic outputs "
                                  "unbounded scores, not probabilities"]


def _exam(tmp_path, problem):
    path = tmp_path / "exam.json"
    path.write_text(json.dumps({"problems": [{"id": "q", **problem}]}))
    return path


def test_check_names_the_flipped_critic_sign(tmp_path):
    problem = {"type": "gan_loss", "loss": "wasserstein", "real": [2.0, 1.0], "fake": [-1.0, 0.5]}
    [v] = check_answers({"q": {"discriminator_loss": 1.75}}, _exam(tmp_path, problem)).verdicts
    assert not v.correct and v.slip is not None and v.slip.name == "critic_sign"


W = [[2.0, 1.0, 0.0], [1.0, 3.0, -1.0]]


@pytest.mark.parametrize("iters", [1, 2, 5])
def test_spectral_norm_from_v0_equals_torch_and_the_svd(iters):
    v0 = [1.0, -1.0, 2.0]
    a = answers(type="spectral_norm", W=W, v0=v0, iterations=iters)
    Wt = torch.tensor(W, dtype=torch.float64)
    lin = torch.nn.Linear(3, 2, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(Wt)
    torch.nn.utils.parametrizations.spectral_norm(lin, n_power_iterations=iters)
    p = lin.parametrizations.weight[0]
    p._v.copy_(F.normalize(torch.tensor(v0, dtype=torch.float64), dim=0))
    Wn = lin.weight  # training mode: `iters` iterations from v0
    np.testing.assert_allclose(a["W_normalized"], Wn.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a["u"], p._u.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a["v"], p._v.numpy(), rtol=1e-12, atol=1e-15)
    assert a["sigma_exact"] == pytest.approx(np.linalg.svd(np.array(W), compute_uv=False)[0], rel=1e-14)
    assert a["sigma"] <= a["sigma_exact"]


def test_spectral_norm_from_u0_by_hand_and_the_sentence_when_they_differ():
    sol = solve(type="spectral_norm", W=[[2, 1], [1, 3]], iterations=2)  # u0 = e1
    v1 = np.array([2.0, 1.0]) / math.sqrt(5)
    u1 = np.array([[2, 1], [1, 3]]) @ v1
    u1 /= np.linalg.norm(u1)
    v2 = np.array([[2, 1], [1, 3]]).T @ u1
    v2 /= np.linalg.norm(v2)
    u2 = np.array([[2, 1], [1, 3]]) @ v2
    u2 /= np.linalg.norm(u2)
    assert sol.answers["v"] == pytest.approx(v2.tolist()) and sol.answers["u"] == pytest.approx(u2.tolist())
    assert sol.answers["sigma"] == pytest.approx(float(u2 @ np.array([[2, 1], [1, 3]]) @ v2))
    texts = [s.text for s in sol.steps]
    rows = next(s for s in sol.steps if s.text.startswith("Iterate"))
    assert len(rows.substeps) == 2 and all("exact 3.618034" in r.text for r in rows.substeps)
    assert any(t.startswith("The estimate differs from the exact norm") for t in texts)


def test_spectral_norm_slips_estimate_for_exact_and_back(tmp_path):
    problem = {"type": "spectral_norm", "W": [[2, 1], [1, 3]], "iterations": 1}
    a = answers(**problem)
    exam = _exam(tmp_path, problem)
    [v] = check_answers({"q": {"sigma_exact": a["sigma"]}}, exam).verdicts
    assert not v.correct and v.slip.name == "estimate_vs_exact"
    [v] = check_answers({"q": {"sigma": a["sigma_exact"]}}, exam).verdicts
    assert not v.correct and v.slip.name == "estimate_vs_exact"


def test_spectral_norm_sigma_and_weight_form():
    a = answers(type="spectral_norm", sigma=2, weight=[[1, 2], [3, 4]])
    assert a["weight_normalized"] == [[0.5, 1.0], [1.5, 2.0]] and a["u"] is None
    assert answers(type="spectral_norm", sigma=4, weight=-2)["weight_normalized"] == -0.5


def test_optimal_discriminator_value_is_minus_log4_plus_two_jsd_and_old_keys_stay():
    a = answers(type="optimal_discriminator", p_data="N(3, 2)", p_g="N(4, 1)", at=[1, 2])
    assert a["value"] == pytest.approx(-math.log(4) + 2 * a["jsd"], rel=1e-14)
    assert a["value"] == a["game_value"]
    j = answers(type="jsd", p="N(3, 2)", q="N(4, 1)")["jsd"]
    assert a["jsd"] == pytest.approx(j, rel=1e-12)


def test_kl_of_discrete_distributions_term_by_term_with_the_infinite_case():
    sol = solve(type="kl", p={"probs": [0.2, 0.5, 0.3]}, q={"probs": [0.5, 0.5, 0]})
    assert sol.answers["kl_pq"] == math.inf
    assert sol.answers["kl_qp"] == pytest.approx(stats.entropy([0.5, 0.5, 0], [0.2, 0.5, 0.3]), rel=1e-13)
    assert json.loads(json.dumps(sol.to_dict()))["answers"]["kl_pq"] == "inf"
    assert any("is infinite" in s.text for s in sol.steps)
    terms = next(s for s in sol.steps if s.text.startswith("KL(p || q)"))
    assert len(terms.substeps) == 3  # one term per support point


def test_kl_direction_slip_on_discrete(tmp_path):
    problem = {"type": "kl", "p": {"probs": [0.2, 0.8]}, "q": {"probs": [0.6, 0.4]}}
    a = answers(**problem)
    [v] = check_answers({"q": {"kl_pq": a["kl_qp"]}}, _exam(tmp_path, problem)).verdicts
    assert not v.correct and v.slip.name == "kl_direction"


def test_wasserstein_of_discrete_and_uniform_through_the_solver():
    a = answers(type="wasserstein", p=1, a={"probs": [0.2, 0.5, 0.3]}, b={"probs": [0.5, 0.5], "support": [0.5, 3]})
    assert a["distance"] == pytest.approx(stats.wasserstein_distance([0, 1, 2], [0.5, 3], [0.2, 0.5, 0.3], [0.5, 0.5]))
    assert answers(type="wasserstein", p=2, a="U(0, 1)", b={"uniform": [1, 2]})["distance"] == pytest.approx(1.0)


def test_distribution_faults_name_the_field():
    for bad, msg in [({"probs": [0.5, 0.6]}, "probs must sum to 1"), ("U(2, 1)", "a < b"),
                     ({"probs": [0.5, 0.5], "support": [1]}, "support must have one point per probability")]:
        with pytest.raises(SpecError) as err:
            solve(type="kl", p=bad, q="N(0, 1)")
        assert err.value.messages[0].startswith("q: field 'p' ") and msg in err.value.messages[0]
    with pytest.raises(SpecError) as err:
        solve(type="kl", p={"probs": [1]}, q={"mean": [0, 0], "cov": [[1, 0], [0, 1]]})
    assert err.value.messages[0].startswith("q: field 'q' must have the same dimension")


def test_check_names_logits_read_as_probabilities_and_the_generator_loss_mix_up(tmp_path):
    problem = {"type": "gan_loss", "loss": "minimax", "real": [0.9, 0.7], "fake": [0.2, 0.4]}
    exam = _exam(tmp_path, problem)
    as_logits = answers(**{**problem, "outputs": "logit"})["discriminator_loss"]
    [v] = check_answers({"q": {"discriminator_loss": as_logits}}, exam).verdicts
    assert not v.correct and v.slip.name == "outputs_misread"
    nonsat = answers(**{**problem, "loss": "nonsaturating"})["generator_loss"]
    [v] = check_answers({"q": {"generator_loss": nonsat}}, exam).verdicts
    assert not v.correct and v.slip.name == "generator_loss_kind"
