"""The four diffusion problem types (CONTRACT.md, module 8) against numbers worked out here
from the closed forms (Bayes's rule for the posterior, the DDIM update written out), their bad
input (exit 2 naming id and field), and the slips ``adlkit check`` recognises."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.solve import solve_one


def test_forward_builds_alpha_bar_from_the_per_step_alphas():
    a = solve_one("diffusion_forward", x0=[1.0, -0.5], eps=[0.3, -1.2], t=3, alphas=[0.9, 0.8, 0.7]).answers
    ab = 0.9 * 0.8 * 0.7
    assert a["alpha_bar"] == pytest.approx(ab, rel=1e-15)
    assert a["std"] == pytest.approx(math.sqrt(1 - ab))
    assert a["x_t"] == pytest.approx([math.sqrt(ab) * 1.0 + math.sqrt(1 - ab) * 0.3, math.sqrt(ab) * -0.5 - math.sqrt(1 - ab) * 1.2])


def test_forward_readings_of_the_schedule():
    # betas: alpha = 1 - beta; alpha_bar given: used as is; one number: alpha_bar_t itself
    betas = solve_one("diffusion_forward", x0=1, eps=0, t=2, betas=[0.1, 0.2]).answers
    assert betas["alpha_bar"] == pytest.approx(0.72) and isinstance(betas["x_t"], float)
    given = solve_one("diffusion_forward", x0=1, eps=0, t=2, alpha_bar=[0.9, 0.72]).answers
    assert given["alpha_bar"] == pytest.approx(0.72)
    one = solve_one("diffusion_forward", x0=2, eps=1, t=7, alpha_bar=0.25).answers
    assert one["x_t"] == pytest.approx(2 * 0.5 + math.sqrt(0.75))


def test_forward_linear_and_cosine_schedules_follow_the_contract():
    lin = solve_one("diffusion_forward", x0=1, eps=0, t=3,
                    schedule={"kind": "linear", "beta_start": 0.1, "beta_end": 0.3, "steps": 5}).answers
    assert lin["alpha_bar"] == pytest.approx(0.9 * 0.85 * 0.8)  # linspace(0.1, 0.3, 5) = 0.1, 0.15, 0.2, ...
    f = lambda t: math.cos(((t / 10) + 0.008) / 1.008 * math.pi / 2) ** 2
    cos = solve_one("diffusion_forward", x0=1, eps=0, t=4, schedule={"kind": "cosine", "steps": 10, "s": 0.008}).answers
    assert cos["alpha_bar"] == pytest.approx(f(4) / f(0), rel=1e-12)


def test_posterior_is_bayes_rule():
    # q(x_1 | x_0) = N(sqrt(0.9) x0, 0.1), q(x_2 | x_1) = N(sqrt(0.8) x_1, 0.2): precisions add
    x0, xt = 1.0, 0.5
    prec = 1 / 0.1 + 0.8 / 0.2
    mean = (math.sqrt(0.9) * x0 / 0.1 + math.sqrt(0.8) * xt / 0.2) / prec
    a = solve_one("ddpm_posterior", x0=x0, x_t=xt, t=2, betas=[0.1, 0.2, 0.3]).answers
    assert a["posterior_mean"] == pytest.approx(mean, rel=1e-13)
    assert a["posterior_variance"] == pytest.approx(1 / prec, rel=1e-13)
    assert a["coef_x0"] * x0 + a["coef_xt"] * xt == pytest.approx(mean, rel=1e-13)


def test_ddpm_step_by_hand():
    alphas = [0.95, 0.9, 0.85]
    ab, a3 = 0.95 * 0.9 * 0.85, 0.85
    x, e, z = 0.5, 0.2, 0.1
    r = solve_one("ddpm_step", x_t=x, eps_pred=e, t=3, alphas=alphas, z=z).answers
    mean = (x - (1 - a3) / math.sqrt(1 - ab) * e) / math.sqrt(a3)
    assert r["x0_pred"] == pytest.approx((x - math.sqrt(1 - ab) * e) / math.sqrt(ab))
    assert r["mean"] == pytest.approx(mean) and r["sigma"] == pytest.approx(math.sqrt(0.15))
    assert r["x_prev"] == pytest.approx(mean + math.sqrt(0.15) * z)
    post = solve_one("ddpm_step", x_t=x, eps_pred=e, t=3, alphas=alphas, z=z, variance="posterior").answers
    assert post["sigma"] ** 2 == pytest.approx((1 - 0.95 * 0.9) / (1 - ab) * 0.15)
    last = solve_one("ddpm_step", x_t=x, eps_pred=e, t=1, alphas=alphas, z=z).answers
    assert last["sigma"] == 0 and last["x_prev"] == last["mean"]


def test_ddim_step_by_hand_and_its_readings():
    ab, abp, x, e = 0.5, 0.8, 0.8, 0.5
    r = solve_one("ddim_step", x_t=x, eps_pred=e, alpha_bar_t=ab, alpha_bar_prev=abp).answers
    x0 = (x - math.sqrt(0.5) * e) / math.sqrt(0.5)
    assert r["sigma"] == 0 and r["x_prev"] == pytest.approx(math.sqrt(abp) * x0 + math.sqrt(1 - abp) * e)
    # an x_0 prediction gives the same step as the noise it implies
    r2 = solve_one("ddim_step", x_t=x, x0_pred=r["x0_pred"], alpha_bar_t=ab, alpha_bar_prev=abp).answers
    assert r2["eps_pred"] == pytest.approx(e) and r2["x_prev"] == pytest.approx(r["x_prev"])
    # eta = 1 is the DDPM posterior's std (ddpm_posterior, the other type); sigma directly is the same step
    sched = {"alphas": [0.9, 0.8, 0.7]}
    eta1 = solve_one("ddim_step", x_t=x, eps_pred=e, t=3, eta=1.0, z=0.3, **sched).answers
    post = solve_one("ddpm_posterior", x0=0, x_t=0, t=3, **sched).answers
    assert eta1["sigma"] ** 2 == pytest.approx(post["posterior_variance"], rel=1e-12)
    direct = solve_one("ddim_step", x_t=x, eps_pred=e, t=3, sigma=eta1["sigma"], z=0.3, **sched).answers
    assert direct["x_prev"] == pytest.approx(eta1["x_prev"], abs=1e-14)
    # a strided step t = 3 -> t_prev = 1 uses alpha_bar_1 = 0.9
    strided = solve_one("ddim_step", x_t=x, eps_pred=e, t=3, t_prev=1, **sched).answers
    assert strided["x_prev"] == pytest.approx(math.sqrt(0.9) * strided["x0_pred"] + math.sqrt(0.1) * e)


BAD = [
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 2, "alphas": [0.9, 1.5]}, "alphas"),
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 2, "alphas": [0.9, 0.0]}, "alphas"),
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 4, "alphas": [0.9, 0.8]}, "t"),
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 1, "alphas": [0.9], "betas": [0.1]}, "betas"),
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 1}, "alphas"),
    ("diffusion_forward", {"x0": 1, "eps": 0, "t": 2, "alpha_bar": [0.5, 0.7]}, "alpha_bar"),
    ("ddpm_posterior", {"x0": 1, "x_t": 0, "t": 2, "betas": [0.1, 1.0]}, "betas"),
    ("ddpm_posterior", {"x0": 1, "x_t": 0, "t": 2, "schedule": {"kind": "quadratic", "steps": 10}}, "schedule"),
    ("ddpm_posterior", {"x0": 1, "x_t": 0, "t": 11, "schedule": {"kind": "linear", "steps": 10}}, "t"),
    ("ddpm_posterior", {"x0": 1, "x_t": 0, "t": 1, "alpha_bar": 0.5}, "alpha_bar"),
    ("ddpm_step", {"x_t": 1, "eps_pred": 0, "t": 3, "alphas": [0.9, 0.8]}, "t"),
    ("ddpm_step", {"x_t": 1, "eps_pred": 0, "t": 1, "alphas": [0.9], "schedule": {"kind": "cosine"}}, "schedule"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8, "sigma": 0.5}, "sigma"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8, "eta": 3}, "eta"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "x0_pred": 1, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8}, "eps_pred"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.4}, "alpha_bar_prev"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "t": 3, "alphas": [0.9, 0.8]}, "t"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "t": 2, "t_prev": 2, "alphas": [0.9, 0.8]}, "t_prev"),
    ("ddim_step", {"x_t": 1, "eps_pred": 0.5, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8, "alphas": [0.9]}, "alpha_bar_t"),
]


@pytest.mark.parametrize("ptype, raw, field", BAD, ids=[f"{t}-{f}-{i}" for i, (t, _, f) in enumerate(BAD)])
def test_bad_input_exits_2_naming_id_and_field(tmp_path, ptype, raw, field):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"problems": [{"id": "q7", "type": ptype, **raw}]}))
    r = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith(f"q7: field '{field}' ") for line in lines), lines
    assert "Traceback" not in r.stderr


def _slip(tmp_path, ptype, raw, key, wrong):
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [{"id": "q", "type": ptype, **raw}]}))
    [v] = check_answers({"q": {key: wrong}}, exam).verdicts
    assert not v.correct and v.slip is not None
    return v.slip.name


def test_slip_per_step_alpha_used_as_cumulative(tmp_path):
    raw = {"x0": 1.0, "eps": 0.5, "t": 3, "alphas": [0.9, 0.8, 0.7]}
    wrong = math.sqrt(0.7) * 1.0 + math.sqrt(0.3) * 0.5  # alpha_3 = 0.7 read as alpha_bar_3
    assert _slip(tmp_path, "diffusion_forward", raw, "x_t", wrong) == "alpha_as_cumulative"


def test_slip_beta_used_as_alpha(tmp_path):
    raw = {"x0": 1.0, "eps": 0.5, "t": 2, "betas": [0.1, 0.2]}
    ab = 0.1 * 0.2
    assert _slip(tmp_path, "diffusion_forward", raw, "x_t", math.sqrt(ab) + math.sqrt(1 - ab) * 0.5) == "beta_as_alpha"


def test_slip_sigma_left_out(tmp_path):
    raw = {"x_t": 0.5, "eps_pred": 0.2, "t": 3, "alphas": [0.95, 0.9, 0.85], "z": 0.7}
    mean = solve_one("ddpm_step", **raw).answers["mean"]
    assert _slip(tmp_path, "ddpm_step", raw, "x_prev", mean) == "sigma_left_out"


def test_slip_x0_and_eps_predictions_swapped(tmp_path):
    raw = {"x_t": 0.8, "eps_pred": 0.3, "alpha_bar_t": 0.5, "alpha_bar_prev": 0.8}
    wrong = math.sqrt(0.8) * 0.3 + math.sqrt(0.2) * (0.8 - math.sqrt(0.5) * 0.3) / math.sqrt(0.5)  # 0.3 taken as x_0
    assert _slip(tmp_path, "ddim_step", raw, "x_prev", wrong) == "x0_eps_swapped"
