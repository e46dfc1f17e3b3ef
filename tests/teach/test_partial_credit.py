"""Partial credit in ``adlkit check``: a score per answer key, out of 1, and the sum.

The right values of the bundled exam used here are the worked ones of the seed sheet
(q1a: y = [1, 1 + 2 e^0.5 ...] = [1, 4.6487], log_det = 0.5; q1b: p_hat = 9/16)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from adlkit.check import Tolerance, check_answers, credit
from adlkit.cli import app


def test_credit_rules():
    tol = Tolerance()
    assert credit(0.5, 0.5, tol) == 1.0 and credit(0.6, 0.5, tol) == 0.0
    assert credit([1, 5], [1.0, 4.6487], tol) == 0.5  # one entry of two right
    assert credit([[1, 0], [0, 9]], [[1, 0], [2.8, 1.65]], tol) == 0.5  # a matrix: entries
    assert credit([1, 2, 3], [1.0, 4.6487], tol) == 0.0  # wrong shape: nothing to compare
    # a training set: the right pairs it holds, each once, over the longer list
    right = [["w1", "w2"], ["w2", "w1"], ["w2", "w3"], ["w3", "w2"]]
    assert credit([["w2", "w1"], ["w1", "w2"]], right, tol) == 0.5
    assert credit([["w1", "w2"]] * 4, right, tol) == 0.25
    assert credit({"a": 1, "b": 0}, {"a": 1.0, "b": 2.0}, tol) == 0.5


def test_report_scores_and_sum():
    rep = check_answers({"q1a": {"y": [1, 5], "log_det": 0.5}, "q1b": {"p_hat": 0.1}})
    scores = {(v.id, v.key): v.score for v in rep.verdicts}
    assert scores == {("q1a", "y"): 0.5, ("q1a", "log_det"): 1.0, ("q1b", "p_hat"): 0.0}
    d = rep.to_dict()
    assert d["score"] == 1.5 and d["max_score"] == 3.0
    assert [r["max_score"] for r in d["results"]] == [1.0, 1.0, 1.0]


def test_cli_json_and_text_carry_the_score(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text("answers:\n  q1a: {y: [1, 5], log_det: 0.5}\n")
    r = CliRunner().invoke(app, ["check", str(p), "--format", "json"])
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert (d["score"], d["max_score"], d["right"], d["total"]) == (1.5, 2.0, 1, 2)
    r = CliRunner().invoke(app, ["check", str(p)])
    assert "partial credit: 0.5 of 1" in r.stdout and "score: 1.5 of 2" in r.stdout
