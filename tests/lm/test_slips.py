"""adlkit check names the module-10 slips: each wrong answer is worked out here by hand (numpy)
from the mistaken convention, never taken from the engine."""

import json
import math

import numpy as np

from adlkit.check import check_answers

CORPUS = ["the cat sat", "the dog sat", "the cat ran"]


def _verdict(tmp_path, problem: dict, key: str, value):
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": [{"id": "q", **problem}]}))
    [v] = check_answers({"q": {key: value}}, exam).verdicts
    return v


def test_end_marker_not_counted(tmp_path):
    # add-one bigram, V = 6: P(the|<s>) = 4/9, P(cat|the) = 3/9, P(sat|cat) = 2/8; no P(</s>|sat)
    lp = math.log(4 / 9) + math.log(3 / 9) + math.log(2 / 8)
    v = _verdict(tmp_path, {"type": "ngram", "corpus": CORPUS, "n": 2, "smoothing": "add_one", "sentence": "the cat sat"},
                 "perplexity", math.exp(-lp / 3))
    assert not v.correct and v.slip.name == "end_marker_not_counted"


def test_v_without_end_marker(tmp_path):
    # V = 5 instead of 6 in the add-one denominators
    p = [4 / 8, 3 / 8, 2 / 7, 3 / 7]
    v = _verdict(tmp_path, {"type": "ngram", "corpus": CORPUS, "n": 2, "smoothing": "add_one", "sentence": "the cat sat"},
                 "probabilities", p)
    assert not v.correct and v.slip.name == "v_without_end_marker"


Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
K = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
V = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]])
ATT = {"type": "attention", "Q": Q.tolist(), "K": K.tolist(), "V": V.tolist()}


def test_softmax_over_the_wrong_axis(tmp_path):
    s = Q @ K.T / math.sqrt(2)
    w = np.exp(s) / np.exp(s).sum(axis=0, keepdims=True)  # each COLUMN normalised
    v = _verdict(tmp_path, ATT, "weights", w.tolist())
    assert not v.correct and v.slip.name == "softmax_axis"


def test_scaling_by_d_instead_of_sqrt_d(tmp_path):
    s = Q @ K.T / 2
    w = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    v = _verdict(tmp_path, ATT, "output", (w @ V).tolist())
    assert not v.correct and v.slip.name == "scale_by_d"


def test_bias_forgotten_in_a_count(tmp_path):
    d, f, L, Vv, T = 16, 64, 2, 100, 8
    per = 4 * d + 4 * d * d + 2 * d * f  # no linear biases
    v = _verdict(tmp_path, {"type": "transformer_params", "d_model": d, "heads": 2, "d_ff": f, "layers": L,
                            "vocab": Vv, "context": T}, "total", Vv * d + T * d + L * per + 2 * d)
    assert not v.correct and v.slip.name == "forgot_bias"


def test_directions_summed_where_the_question_concatenates(tmp_path):
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    Wf, Wb = np.array([[0.5, -0.5]]), np.array([[0.2, 0.3]])
    fwd = [np.tanh(Wf @ x[0] + 0.1), np.tanh(Wf @ x[1] + 0.1)]  # U = 0
    bwd = [np.tanh(Wb @ x[0]), np.tanh(Wb @ x[1])]
    v = _verdict(tmp_path, {"type": "cove_bilstm", "x": x.tolist(), "W_f": Wf.tolist(), "b_f": [0.1], "W_b": Wb.tolist(),
                            "b_b": [0.0], "combine": "concat"}, "cove", [(a + b).tolist() for a, b in zip(fwd, bwd)])
    assert not v.correct and v.slip.name == "directions_combined_wrongly"


def test_the_right_answer_is_marked_right(tmp_path):
    s = Q @ K.T / math.sqrt(2)
    w = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    assert _verdict(tmp_path, ATT, "output", (w @ V).tolist()).correct
