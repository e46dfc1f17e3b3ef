"""``adlkit check``: answers marked at a stated tolerance, the slip behind a wrong answer named.

Right and mistaken values below are worked out by hand (or with ``math``), independently of the
engine: the seed sheet's worked solution (log-det 0.5, p = 9/16, 40 parameters, 5 and 8
training samples, KL 0.6534 / 0.3466, VAE KL 0.5533) and the same formulas with the slip made.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from adlkit.check import AnswersError, Tolerance, check_answers, matches


def _cli(*args):
    """``adlkit check ARGS`` in-process: exit status as ``returncode``, ``stdout``, ``stderr``."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from adlkit.cli import app

    r = CliRunner().invoke(app, ["check", *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


def test_command_line_end_to_end(tmp_path):
    p = _write(tmp_path, "answers:\n  q1a: {log_det: 0}\n")
    r = subprocess.run([sys.executable, "-m", "adlkit.cli", "check", str(p)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "WRONG  q1a.log_det  given 0, right 0.5" in r.stdout
    assert "slip: a log-det term forgotten" in r.stdout


def _write(tmp_path, text, name="answers.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _verdict(report, pid, key):
    return next(v for v in report.verdicts if (v.id, v.key) == (pid, key))


# -- marking ------------------------------------------------------------------------------------
def test_all_right_exits_0(tmp_path):
    p = _write(tmp_path, """
answers:
  q1a: {y: [1, 4.6487], log_det: 0.5}
  q1b: {p_hat: 0.5625, k: 9, n: 16}
  q2a:
    cbow_parameters: 40
    skipgram_parameters: 40
    cbow_training_set_size: 5
    skipgram_training_set_size: 8
    skipgram_training_set: [[w2, w1], [w1, w2], [w2, w3], [w3, w2], [w3, w4], [w4, w3], [w4, w5], [w5, w4]]
""")
    r = _cli(str(p))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "10 of 10 right." in r.stdout
    assert "tolerance: |given - right| <= max(0.001, 0.005 * |right|)" in r.stdout


def test_wrong_answer_without_a_known_slip_gets_the_right_value(tmp_path):
    p = _write(tmp_path, "answers:\n  q1a: {log_det: 0.7}\n")
    r = _cli(str(p), "--format", "json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["all_right"] is False and out["right"] == 0 and out["total"] == 1
    [res] = out["results"]
    assert res["right"] == pytest.approx(0.5) and res["given"] == 0.7 and res["slip"] is None


def test_booleans_are_shown_as_the_answers_file_spells_them(tmp_path):
    """q3a_i (f(x) = exp(x^2) on the real line) is not Lipschitz: the report says `true`/`false`,
    the YAML spelling, not Python's True/False."""
    p = _write(tmp_path, "answers:\n  q3a_i: {is_lipschitz: true}\n")
    r = _cli(str(p))
    assert r.returncode == 1
    assert "WRONG  q3a_i.is_lipschitz  given true, right false" in r.stdout


def test_tolerance_is_stated_and_applied(tmp_path):
    p = _write(tmp_path, "answers:\n  q1b: {p_hat: 0.56}\n")
    assert _cli(str(p)).returncode == 0  # 0.0025 off 0.5625: within 0.5 %
    r = _cli(str(p), "--rel-tol", "0", "--abs-tol", "0.001", "--format", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["tolerance"] == {"rel": 0.0, "abs": 0.001}
    p2 = _write(tmp_path, "tolerance: {rel: 0, abs: 0.0001}\nanswers:\n  q1b: {p_hat: 0.5627}\n", "t.yaml")
    assert _cli(str(p2)).returncode == 1


def test_matching_rules():
    tol = Tolerance()
    assert matches([[1, 0], [2.8244, 1.6487]], [[1.0, 0.0], [2.824360635, 1.6487212707]], tol)
    assert not matches([1, 4.6487], [1.0, 4.6487, 0.0], tol)
    assert matches("inf", math.inf, tol) and not matches(1e9, math.inf, tol)
    assert matches("3*sqrt(pi)", "3*sqrt(pi)", tol) and matches(5.317, "3*sqrt(pi)", tol)
    assert matches(True, True, tol) and not matches(1, True, tol)
    assert matches({"a": 0.25, "b": -2.5}, {"a": 0.25, "b": -2.5004}, tol)
    assert not matches({"a": 0.25}, {"a": 0.25, "b": -2.5}, tol)
    # a training set in any order, but each pair as written
    assert matches([["w2", "w1"], ["w1", "w2"]], [["w1", "w2"], ["w2", "w1"]], tol)
    assert not matches([["w2", "w1"], ["w2", "w1"]], [["w1", "w2"], ["w2", "w1"]], tol)


# -- bad input: one clear line each, exit 2, nothing on stdout ----------------------------------
@pytest.mark.parametrize("text, message", [
    ("answers: {q9: {x: 1}}", "q9: no such problem in the exam (its ids: q1a, q1b, q2a, q2c, q2d"),
    ("answers: {q1a: {nope: 1}}", "q1a: no answer key 'nope' (a coupling problem has: y, log_det, jacobian, x_inverse)"),
    ("answers: {q1a: {log_det: abc}}", "q1a.log_det: must be a number, got 'abc'"),
    ("answers: {q1a: {y: [1, x]}}", "q1a.y: must be a list of numbers, got 'x' in it"),
    ("answers: [1, 2", "not valid YAML/JSON (line 2, column 1)"),
    ("- 1\n", "must be a mapping with an 'answers' mapping"),
    ("answers: {q1a: 0.5}", "answers for 'q1a' must be a mapping of answer key -> value, got 0.5"),
    ("tolerance: {rel: -1}\nanswers: {q1a: {log_det: 0.5}}", "tolerance 'rel' must be a number >= 0, got -1"),
    ("answer: {q1a: {log_det: 0.5}}", "field 'answer' is not allowed at the top level"),
])
def test_bad_answers_file_exits_2_with_one_line(tmp_path, text, message):
    r = _cli(str(_write(tmp_path, text + "\n")))
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) >= 1 and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_missing_files_exit_2(tmp_path):
    r = _cli(str(tmp_path / "none.yaml"))
    assert r.returncode == 2 and r.stderr.strip() == f"{tmp_path / 'none.yaml'}: no such file"
    p = _write(tmp_path, "answers: {q1a: {log_det: 0.5}}\n")
    r = _cli(str(p), "--exam", str(tmp_path / "exam.yaml"))
    assert r.returncode == 2 and r.stderr.strip() == f"exam: {tmp_path / 'exam.yaml'}: no such file"


def test_python_api_raises_with_every_fault():
    with pytest.raises(AnswersError) as err:
        check_answers({"q1a": {"nope": 1}, "zz": {"a": 1}})
    assert len(err.value.messages) == 2


# -- slips, each reproduced by re-solving with the mistaken convention ----------------------------
def test_slip_window_counted_one_sided(tmp_path):
    # window 3 read as 3 words on EACH side: in w1..w5 each word pairs with every word within 3,
    # 3 + 4 + 4 + 4 + 3 = 18 skip-gram pairs (the right answer, one each side, is 8)
    p = _write(tmp_path, "answers:\n  q2a: {skipgram_training_set_size: 18}\n")
    r = _cli(str(p), "--format", "json")
    assert r.returncode == 1
    [res] = json.loads(r.stdout)["results"]
    assert res["right"] == 8 and res["slip"]["name"] == "window_one_sided"
    assert "window counted one-sided" in _cli(str(p)).stdout


def test_slip_log_base_2():
    k, n = 9, 16  # the seed's Bernoulli MLE: p = 9/16
    nats = k * math.log(k / n) + (n - k) * math.log(1 - k / n)
    bits = k * math.log2(k / n) + (n - k) * math.log2(1 - k / n)
    rep = check_answers({"q1b": {"log_likelihood": round(bits, 4)}})
    v = _verdict(rep, "q1b", "log_likelihood")
    assert not v.correct and v.right == pytest.approx(nats)
    assert v.slip.name == "log_base_2" and v.slip.value == pytest.approx(bits)


def test_slip_log_det_term_forgotten_seed():
    # q1a: log|det J| = s(x1) = 0.5; a student who leaves the transformed coordinate's term out
    # writes 0 (the brief's stand-in for forgetting the logit pre-processing's log-det)
    v = _verdict(check_answers({"q1a": {"log_det": 0}}), "q1a", "log_det")
    assert not v.correct and v.slip.name == "log_det_term_forgotten"
    assert "coordinate 2" in v.slip.detail


def test_slip_log_det_term_forgotten_names_the_coordinate(tmp_path):
    exam = _write(tmp_path, "problems:\n  - {id: f, type: coupling, x: [1, 2, 3, 4], s: [x1, x2], t: [0, 0]}\n",
                  "exam.yaml")
    # log|det J| = s3 + s4 = x1 + x2 = 3; without coordinate 3's term (s = x1 = 1): 2
    rep = check_answers({"f": {"log_det": 2}}, exam)
    v = _verdict(rep, "f", "log_det")
    assert v.right == pytest.approx(3.0) and v.slip.name == "log_det_term_forgotten"
    assert "coordinate 3" in v.slip.detail
    # without coordinate 4's term (s = x2 = 2): 1
    assert "coordinate 4" in _verdict(check_answers({"f": {"log_det": 1}}, exam), "f", "log_det").slip.detail


KL_EXAM = """problems:
  - {id: q3c, type: kl, p: "N(3, 2)", q: "N(4, 1)"}
"""


def test_slip_kl_direction_swapped(tmp_path):
    exam = _write(tmp_path, KL_EXAM, "exam.yaml")
    # the seed: KL(N(3,2) || N(4,1)) = 0.6534, KL(N(4,1) || N(3,2)) = 0.3466
    r = _cli(str(_write(tmp_path, "answers:\n  q3c: {kl_pq: 0.3466}\n")), "--exam", str(exam), "--format", "json")
    assert r.returncode == 1
    [res] = json.loads(r.stdout)["results"]
    assert res["right"] == pytest.approx(0.6534, abs=1e-4)
    assert res["slip"]["name"] == "kl_direction"


def test_slip_variance_taken_as_std(tmp_path):
    exam = _write(tmp_path, KL_EXAM, "exam.yaml")
    # N(3, 2) and N(4, 1) read as standard deviations 2 and 1:
    # KL = log(1/2) + (2^2 + (3-4)^2) / (2 * 1^2) - 1/2
    wrong = math.log(1 / 2) + (4 + 1) / 2 - 0.5
    rep = check_answers({"q3c": {"kl_pq": round(wrong, 4)}}, exam)
    v = _verdict(rep, "q3c", "kl_pq")
    assert not v.correct and v.slip.name == "variance_as_std"


def test_slip_variance_taken_as_std_wasserstein(tmp_path):
    exam = _write(tmp_path, 'problems:\n  - {id: q3b, type: wasserstein, p: 2, a: "N(3, 2)", b: "N(4, 1)"}\n',
                  "exam.yaml")
    # right: sqrt(1 + (sqrt 2 - 1)^2) = 1.0824; with std 2 and 1: sqrt(1 + 1) = 1.4142
    v = _verdict(check_answers({"q3b": {"distance": 1.4142}}, exam), "q3b", "distance")
    assert v.right == pytest.approx(1.0824, abs=1e-4) and v.slip.name == "variance_as_std"


def test_slip_mse_without_the_half(tmp_path):
    exam = _write(tmp_path, "problems:\n  - {id: q4d, type: vae_loss, x: 1.0, x_hat: 0.8, mu: 1.0, logvar: -0.5}\n",
                  "exam.yaml")
    kl = -0.5 * (1 - 0.5 - 1.0 - math.exp(-0.5))  # 0.5533, the seed's
    rep = check_answers({"q4d": {"reconstruction": 0.04, "total": round(0.04 + kl, 4)}}, exam)
    for key in ("reconstruction", "total"):
        v = _verdict(rep, "q4d", key)
        assert not v.correct and v.slip.name == "mse_without_half", key
    assert _verdict(rep, "q4d", "total").right == pytest.approx(0.02 + kl)
