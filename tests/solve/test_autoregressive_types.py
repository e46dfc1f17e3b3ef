"""made_masks, autoregressive_params and masked_conv against independent references: masks by
the paper's rule written as loops, dependencies by path enumeration, counts by closed forms; the
slips adlkit check names; bad input exits 2 naming the id and the field."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.solve import solve_spec


def _solve(**problem):
    return solve_spec({"problems": [{"id": "q", **problem}]}).results[0].answers


def _paths(m_in, hidden, strict=True):
    """Which inputs reach each output, by enumerating the unit paths of the paper's rule."""
    D = len(m_in)
    reach = [{j} for j in range(D)]  # layer 0: input j reaches itself
    prev = list(m_in)
    for layer in hidden:
        reach = [set().union(*[reach[j] for j, mj in enumerate(prev) if mk >= mj]) for mk in layer]
        prev = list(layer)
    ok = (lambda a, b: a > b) if strict else (lambda a, b: a >= b)
    return [sorted(j + 1 for j in set().union(*[reach[k] for k, mk in enumerate(prev) if ok(md, mk)]))
            for md in m_in]


def test_made_masks_by_hand():
    a = _solve(type="made_masks", inputs=3, ordering=[2, 1, 3], hidden_degrees=[[1, 2, 1, 2]])
    # hidden unit k keeps input j when m^1(k) >= m(j); m = (2, 1, 3)
    assert a["masks"][0] == [[0, 1, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0]]
    # output d keeps unit k when m(d) > m^1(k)
    assert a["masks"][1] == [[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]]
    assert a["output_dependencies"] == [[2], [], [1, 2]] and a["autoregressive"] is True


@pytest.mark.parametrize("seed", range(6))
def test_made_dependencies_equal_path_enumeration(seed):
    rng = np.random.default_rng(seed)
    D = int(rng.integers(2, 7))
    order = [int(v) + 1 for v in rng.permutation(D)]
    hidden = [[int(v) for v in rng.integers(1, D, size=int(rng.integers(1, 6)))] for _ in range(int(rng.integers(1, 4)))]
    a = _solve(type="made_masks", inputs=D, ordering=order, hidden_degrees=hidden)
    assert a["output_dependencies"] == _paths(order, hidden)
    assert [np.asarray(M).shape for M in a["masks"]] == [(len(h), n) for h, n in
                                                        zip(hidden, [D] + [len(h) for h in hidden])] + [(D, len(hidden[-1]))]


def _exam(tmp_path, problem):
    p = tmp_path / "exam.json"
    p.write_text(json.dumps({"problems": [{"id": "q", **problem}]}))
    return p


def test_ge_at_the_output_layer_is_named(tmp_path):
    prob = {"type": "made_masks", "inputs": 3, "hidden_degrees": [[1, 2, 2]]}
    exam = _exam(tmp_path, prob)
    wrong = _paths([1, 2, 3], [[1, 2, 2]], strict=False)  # with >=: output 2 sees input 2 itself
    assert wrong != _solve(**prob)["output_dependencies"]
    [v] = check_answers({"q": {"output_dependencies": wrong}}, exam).verdicts
    assert not v.correct and v.slip.name == "made_output_ge"
    [v] = check_answers({"q": {"autoregressive": False}}, exam).verdicts
    assert not v.correct and v.slip is not None and v.slip.name == "made_output_ge"


@pytest.mark.parametrize("n, K, d", [(4, 2, 3), (9, 2, 5), (3, 3, 4), (64, 2, 500)])
def test_counts_equal_closed_forms(n, K, d):
    a = _solve(type="autoregressive_params", n=n, categories=K, models=["tabular", "fvsbn", "nade", "made"], hidden=d)
    k = K - 1
    assert a["tabular"] == K ** n - 1
    assert a["fvsbn"] == k * (k * n * (n - 1) // 2 + n)
    if K == 2:
        assert a["fvsbn"] == sum(range(1, n + 1))
    assert a["nade"] == 2 * n * k * d + n * k + d
    assert a["made"] == (n * k) * d + d + d * (n * k) + n * k
    # unmasked: hidden unit of degree m sees the m(K-1) indicators of variables 1..m; output of
    # variable i sees the units of degree < i
    deg = [j % (n - 1) + 1 for j in range(d)]
    first = sum(m * k for m in deg)
    second = sum(k * sum(1 for m in deg if m < i) for i in range(1, n + 1))
    assert a["made_connections"] == first + second + d + n * k


def test_image_and_unrequested_models():
    a = _solve(type="autoregressive_params", image=[28, 28], models=["tabular", "fvsbn"])
    assert a["tabular"] == 2 ** 784 - 1 and a["fvsbn"] == 784 * 785 // 2
    assert a["nade"] is None and a["made"] is None and a["made_connections"] is None


def test_count_slips_are_named(tmp_path):
    prob = {"type": "autoregressive_params", "n": 5, "models": ["tabular", "fvsbn", "nade"], "hidden": 3}
    exam = _exam(tmp_path, prob)
    [v] = check_answers({"q": {"tabular": 2 ** 5}}, exam).verdicts
    assert not v.correct and v.slip.name == "tabular_no_minus_one"
    [v] = check_answers({"q": {"fvsbn": 5 * 4 // 2}}, exam).verdicts  # the weights only
    assert not v.correct and v.slip.name == "biases_forgotten"
    [v] = check_answers({"q": {"nade": 2 * 5 * 3}}, exam).verdicts
    assert not v.correct and v.slip.name == "biases_forgotten"


@pytest.mark.parametrize("k, mask", [(3, "A"), (3, "B"), (5, "A"), (7, "B")])
def test_masked_conv_against_the_raster_rule(k, mask):
    a = _solve(type="masked_conv", kernel=k, mask=mask, in_channels=2, out_channels=3)
    c = k // 2
    ref = [[int(i < c or (i == c and (j < c or (j == c and mask == "B")))) for j in range(k)] for i in range(k)]
    assert a["mask"] == ref
    vis = sum(map(sum, ref))
    assert a["visible"] == vis
    assert a["parameters"] == 3 * 2 * k * k + 3 and a["effective_parameters"] == 3 * 2 * vis + 3


def test_masked_conv_slips(tmp_path):
    exam = _exam(tmp_path, {"type": "masked_conv", "kernel": 3, "mask": "A", "out_channels": 4})
    [v] = check_answers({"q": {"parameters": 4 * 9}}, exam).verdicts
    assert not v.correct and v.slip.name == "biases_forgotten"
    [v] = check_answers({"q": {"visible": 5}}, exam).verdicts
    assert not v.correct and v.slip.name == "mask_a_b_swapped"


@pytest.mark.parametrize("problem, field", [
    ({"type": "made_masks", "inputs": 3, "hidden_degrees": [[1, 3]]}, "hidden_degrees"),
    ({"type": "made_masks", "inputs": 3, "hidden_degrees": [[0, 1]]}, "hidden_degrees"),
    ({"type": "made_masks", "inputs": 3, "ordering": [1, 1, 3], "hidden_degrees": [[1]]}, "ordering"),
    ({"type": "made_masks", "inputs": 3, "ordering": [1, 2], "hidden_degrees": [[1]]}, "ordering"),
    ({"type": "masked_conv", "kernel": 4, "mask": "A"}, "kernel"),
    ({"type": "autoregressive_params", "n": 4, "models": ["made"]}, "hidden"),
    ({"type": "autoregressive_params", "models": ["tabular"]}, "n"),
    ({"type": "autoregressive_params", "n": 4, "models": ["pixelcnn"]}, "models"),
])
def test_bad_input_exits_2_naming_id_and_field(tmp_path, problem, field):
    path = _exam(tmp_path, problem)
    r = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"q: field '{field}' "), lines


@pytest.mark.parametrize("problem, field", [
    ({"type": "masked_conv", "kernel": 31, "mask": "A", "in_channels": 1024, "out_channels": 1024}, "out_channels"),
    ({"type": "autoregressive_params", "n": 1000, "models": ["made"], "hidden": [4096, 4096, 4096]}, "hidden"),
])
def test_layers_too_large_to_build_are_refused(tmp_path, problem, field):
    r = CliRunner().invoke(app, ["solve", str(_exam(tmp_path, problem)), "--format", "json"])
    assert r.exit_code == 2 and r.stderr.startswith(f"q: field '{field}' ")
