"""Every registered problem type, driven from its unit: the example solves into the contract's
JSON, every field refuses a bad value naming the id and the field, and random draws of the
schema are valid problems, reproducible by seed.

The answer keys below are copied from CONTRACT.md's table (not from the code): each unit must
return at least those.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.solve import SpecError, solve_spec, validate_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.schema import KINDS
from adlkit.solve.spec import Fields

CONTRACT_ANSWERS = {
    "coupling": {"y", "log_det", "jacobian", "x_inverse"},
    "bernoulli_mle": {"p_hat", "k", "n", "log_likelihood"},
    "word2vec": {"vocab_size", "cbow_parameters", "skipgram_parameters", "cbow_training_set",
                 "skipgram_training_set", "cbow_training_set_size", "skipgram_training_set_size"},
    "lipschitz": {"constant", "is_lipschitz", "wgan_ok"},
    "wasserstein": {"distance"},
    "kl": {"kl_pq", "kl_qp", "symmetric"},
    "jsd": {"jsd", "jsd_pq", "jsd_qp", "symmetric"},
    "partition_function": {"Z", "Z_exact", "density", "probabilities"},
    "optimal_discriminator": {"values", "formula", "jsd", "value"},
    "gan_loss": {"discriminator_loss", "generator_loss", "wasserstein_estimate"},
    "spectral_norm": {"sigma", "sigma_exact", "W_normalized", "u", "v", "weight_normalized"},
    "vae_loss": {"reconstruction", "kl", "total"},
    "concept": {"summary"},
    "network_params": {"total_parameters", "layers", "output_shape", "warnings"},
    "reparameterization": {"std", "z"},
    "elbo": {"elbo", "iwae", "k", "log_weights"},
    "bits_per_dim": {"bits_per_dim", "nats_per_dim"},
    "cove_bilstm": {"h_forward", "h_backward", "cove"},
    "word2vec_loss": {"positive_score", "negative_scores", "loss", "grad_center", "grad_context", "grad_negatives",
                      "scores", "probabilities"},
    "glove_loss": {"weight", "residual", "loss"},
    "ngram": {"probabilities", "log_prob", "perplexity", "N", "V"},
    "attention": {"scores", "weights", "output"},
    "transformer_params": {"embedding", "per_layer", "total"},
    "rbm": {"free_energy", "p_h_given_v", "energy", "p_v_given_h", "Z", "p_v"},
    "ising": {"energy", "Z", "probability"},
    "langevin_step": {"score", "x_next"},
    "score": {"score"},
    "dsm": {"dsm_target", "dsm_loss"},
    "pca": {"mean", "covariance", "eigenvalues", "components", "explained_variance_ratio", "projection",
            "reconstruction_error"},
    "ar_forecast": {"forecast"},
    "made_masks": {"masks", "output_dependencies", "autoregressive"},
    "autoregressive_params": {"tabular", "fvsbn", "nade", "made", "made_connections"},
    "masked_conv": {"mask", "visible", "parameters", "effective_parameters"},
    "planar_flow": {"x", "jacobian", "det", "log_det", "log_pz", "log_px", "invertible"},
    "change_of_variables": {"z", "density", "log_density", "log_det", "inverse", "det", "invertible"},
    "diffusion_forward": {"alpha_bar", "mean", "std", "x_t"},
    "ddpm_posterior": {"posterior_mean", "posterior_variance", "coef_x0", "coef_xt"},
    "ddpm_step": {"x0_pred", "mean", "sigma", "x_prev"},
    "ddim_step": {"x0_pred", "eps_pred", "sigma", "x_prev"},
}
UNITS = problem_types()
TYPES = sorted(UNITS)
PID = "q"
N_DRAWS = 25


def _problem(ptype: str, params: dict) -> dict:
    return {"id": PID, "type": ptype, **params}


def test_every_type_of_the_contract_is_registered():
    assert set(UNITS) == set(CONTRACT_ANSWERS)
    for unit in UNITS.values():
        assert unit.summary and all(p.kind in KINDS and p.help for p in unit.parameters)
        assert all(p.draw is not None for p in unit.parameters if p.required), unit.name
        # what `adlkit types` lists: name, kind, default (a value or its words), help
        listing = [{"name": p.name, "kind": p.kind, "default": p.describe_default(), "help": p.help}
                   for p in unit.parameters]
        json.dumps(listing, allow_nan=False)
        assert all(p.default_text for p in unit.parameters if callable(p.default)), unit.name
    # CONTRACT.md, "Course types", concept (all): these ids among the topics
    assert set(UNITS["concept"].param("topic").choices) >= {
        "glove_vs_word2vec", "cove_vs_static", "wgan_gp",
        "reparameterization", "wgan_n_critic", "spectral_norm_discriminator", "mode_collapse",
        "posterior_collapse", "ddim_vs_ddpm", "score_matching", "flow_requirements",
        "autoregressive_vs_flow", "pixelcnn_blind_spot", "denoising_autoencoder", "kernel_pca",
        "negative_sampling", "bert_vs_gpt", "timegan"}


@pytest.mark.parametrize("ptype", TYPES)
def test_example_validates_solves_and_serialises_to_the_contract(ptype):
    unit = UNITS[ptype]
    _, [(pid, t, params)] = validate_spec({"problems": [_problem(ptype, unit.example)]})
    assert (pid, t) == (PID, ptype)
    sol = solve_spec({"problems": [_problem(ptype, unit.example)]}).results[0]
    out = json.loads(json.dumps(sol.to_dict(), allow_nan=False))
    assert set(out) >= {"id", "type", "answers", "steps", "conventions"} and out["steps"]
    assert list(out["answers"]) == list(unit.answers)
    assert CONTRACT_ANSWERS[ptype] <= set(unit.answers)
    text = unit.statement(params)
    assert isinstance(text, str) and len(text) > 20 and "INVALID" not in text


def _bad_values(param) -> list:
    """Values the field must refuse, from its kind and its constraints."""
    by_kind = {
        "number": ["abc"], "integer": ["abc", 1.5], "boolean": ["yes"], "choice": ["no_such_choice"],
        "number_list": [["a"]], "expression": ["__import__('os')", "x +"], "expressions": ["__import__('os')"],
        "gaussian": ["N(0, -1)", {"mean": 0}], "tokens": [[]], "domain": [[1, -1]], "images": [[[[2]]]],
        "beta_prior": [{"alpha": 0, "beta": 1}], "structured": ["abc"],
        "matrix": [[[1, 2], [3]], [["a"]]], "rows": [[[1, 2], [3]], [["a"]]],
        "sentences": [[], ["a b", ""]],
        "distribution": ["N(0, -1)", {"mean": 0}, {"probs": [0.5, 0.6]}, "U(2, 1)", {"uniform": [0]}],
        "integer_lists": [[1, 2], [[1.5]], [[]]],
        "points": [["a"]], "planar_layers": [[{"u": [1]}], []],
        "mapping": [[1, 2], "linear"],
    }
    bad = list(by_kind[param.kind])
    if param.minimum is not None:
        bad.append(param.minimum - 1)
    if param.maximum is not None:
        bad.append(param.maximum + 1)
    if param.positive:
        bad.append(-1)
    return bad


def _active_base(unit, name: str) -> dict:
    """Raw parameters (the example, else a draw) in which the field ``name`` is read."""
    for raw in [unit.example] + [unit.draw(seed) for seed in range(50)]:
        fields = Fields(PID, {**raw, name: 0}, [], unit.parameters)
        p = unit.param(name)
        if p.when is None or p.when(fields):
            return dict(raw)
    raise AssertionError(f"{unit.name}: no example or draw reads {name!r}")


BAD_CASES = [(t, p.name, bad) for t in TYPES for p in UNITS[t].parameters for bad in _bad_values(p)]


@pytest.mark.parametrize("ptype, name, bad", BAD_CASES, ids=[f"{t}-{n}-{b!r}" for t, n, b in BAD_CASES])
def test_every_field_refuses_a_bad_value_naming_id_and_field(tmp_path, ptype, name, bad):
    raw = _problem(ptype, {**_active_base(UNITS[ptype], name), name: bad})
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"problems": [raw]}))
    r = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith(f"{PID}: field '{name}' ") for line in lines), lines
    assert all(line.startswith(f"{PID}: field ") for line in lines), lines
    with pytest.raises(SpecError) as err:
        validate_spec({"problems": [raw]})
    assert err.value.messages == lines


@pytest.mark.parametrize("ptype", TYPES)
def test_required_and_unknown_fields(ptype):
    unit = UNITS[ptype]
    for p in unit.parameters:
        if p.required and p.name in unit.example:
            raw = {k: v for k, v in unit.example.items() if k != p.name}
            with pytest.raises(SpecError) as err:
                validate_spec({"problems": [_problem(ptype, raw)]})
            assert any(m.startswith(f"{PID}: field ") and "is required" in m for m in err.value.messages)
    with pytest.raises(SpecError) as err:
        validate_spec({"problems": [_problem(ptype, {**unit.example, "colour": "red"})]})
    assert err.value.messages == [f"{PID}: field 'colour' is not a parameter of this problem type"]


@pytest.mark.parametrize("ptype", TYPES)
def test_draws_are_valid_problems_and_reproducible(ptype):
    unit = UNITS[ptype]
    draws = [unit.draw(seed) for seed in range(N_DRAWS)]
    assert draws == [unit.draw(seed) for seed in range(N_DRAWS)]  # the same seed draws the same
    assert len({json.dumps(d, sort_keys=True) for d in draws}) > 1
    names = {p.name for p in unit.parameters}
    for d in draws:
        assert set(d) <= names and json.loads(json.dumps(d)) == d  # the spec's raw form
    spec = {"problems": [{"id": f"d{i}", "type": ptype, **d} for i, d in enumerate(draws)]}
    _, parsed = validate_spec(spec)
    for (_, _, params), sol in zip(parsed, solve_spec(spec).results):
        json.dumps(sol.to_dict(), allow_nan=False)
        assert list(sol.answers) == list(unit.answers)
        assert unit.statement(params)


# the log-base slip for every answer key a unit gives in nats; the values in base 2 are worked
# out here from the meaning of each key (a KL, a log-likelihood, a log-det: all logs; the VAE's
# total: a squared error plus a KL)
IN_BITS = {
    "vae_loss": {"kl": lambda a: a["kl"] / math.log(2),
                 "total": lambda a: a["reconstruction"] + a["kl"] / math.log(2)},
}


@pytest.mark.parametrize("ptype", [t for t in TYPES if UNITS[t].nats])
def test_log_base_2_slip_of_every_key_in_nats(tmp_path, ptype):
    unit = UNITS[ptype]
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [_problem(ptype, unit.example)]}))
    answers = solve_spec(json.loads(exam.read_text())).results[0].answers
    for key in unit.nats:
        bits = IN_BITS.get(ptype, {}).get(key, lambda a, key=key: a[key] / math.log(2))(answers)
        if math.isclose(bits, answers[key], abs_tol=1e-3):
            continue  # the slip makes no difference here
        [v] = check_answers({PID: {key: bits}}, exam).verdicts
        assert not v.correct and v.slip is not None and v.slip.name == "log_base_2", (key, v)
