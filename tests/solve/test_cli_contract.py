"""``adlkit solve`` / ``adlkit exam`` against CONTRACT.md: output shape, exit codes, errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from adlkit.cli import app

runner = CliRunner()

SPEC = """
title: a test sheet
problems:
  - type: coupling
    x: [1, 1]
    s: "0.5*x1"
    t: "2*x1 + 1"
  - type: word2vec
    length: 5
    window: 3
    dim: 4
"""


def _run(args, spec_text=None, tmp_path=None):
    if spec_text is not None:
        path = tmp_path / "spec.yaml"
        path.write_text(spec_text)
        args = [args[0], str(path), *args[1:]]
    return runner.invoke(app, args)


def test_json_output_is_one_object_in_the_contract_shape(tmp_path):
    r = _run(["solve", "--format", "json"], SPEC, tmp_path)
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["title"] == "a test sheet"
    assert [x["id"] for x in out["results"]] == ["p1", "p2"]  # default ids in order
    for res in out["results"]:
        assert set(res) >= {"id", "type", "answers", "steps", "conventions"}
        assert res["steps"] and all({"text", "math"} <= set(s) for s in res["steps"])
        assert res["conventions"] and all(isinstance(v, str) for v in res["conventions"].values())
    y = out["results"][0]["answers"]["y"]
    assert isinstance(y[1], float) and y[1] == pytest.approx(1 + math.exp(0.5) + 2, abs=0)  # full precision


def test_json_spec_is_accepted_too(tmp_path):
    spec = {"problems": [{"id": "a", "type": "word2vec", "length": 3, "window": 3, "dim": 2}]}
    r = _run(["solve", "--format", "json"], json.dumps(spec), tmp_path)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["results"][0]["answers"]["skipgram_training_set_size"] == 4


def test_text_and_markdown_formats(tmp_path):
    r = _run(["solve"], SPEC, tmp_path)
    assert r.exit_code == 0 and "4.6487" in r.stdout and "conventions" in r.stdout
    r = _run(["solve", "--format", "markdown"], SPEC, tmp_path)
    assert r.exit_code == 0 and "$$" in r.stdout and r"\exp" in r.stdout


BAD = """
problems:
  - id: q1
    type: coupling
    x: [1]
    s: "__import__('os')"
  - id: q2
    type: word2vec
    length: 5
    window: 4
    dim: -1
    colour: red
  - type: no_such_type
  - id: q1
    type: concept
    topic: cats
"""


def test_invalid_spec_exit_2_nothing_on_stdout_one_line_per_fault(tmp_path):
    r = _run(["solve", "--format", "json"], BAD, tmp_path)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    expected = [
        "q1: field 'x' must have at least 2 element(s), got 1",
        "q1: field 's' is not a valid expression: underscores are not allowed in expressions",
        "q1: field 't' is required",
        "q2: field 'window' is the total span including the centre word: odd and at least 3, got 4",
        "q2: field 'dim' must be >= 1, got -1",
        "q2: field 'colour' is not a parameter of this problem type",
        "q1: field 'id' is used by more than one problem",
    ]
    for e in expected:
        assert e in lines, (e, lines)
    # the topic ids are listed (every module's, so the test checks the line's frame and two ids)
    [topic] = [l for l in lines if l.startswith("q1: field 'topic' must be one of ")]
    assert topic.endswith(", got 'cats'") and "cove_vs_static" in topic and "wgan_gp" in topic
    assert any(l.startswith("p3: field 'type' must be one of") for l in lines)
    assert len(lines) == len(expected) + 2


@pytest.mark.parametrize("text, fragment", [
    ("problems: [\n", "not valid YAML/JSON"),
    ("- 1\n- 2\n", "must be a mapping"),
    ("problems: []\n", "field 'problems' must be a non-empty list"),
    ("title: t\nproblem: []\n", "field 'problem' is not allowed at the top level"),
])
def test_malformed_files_exit_2(tmp_path, text, fragment):
    r = _run(["solve"], text, tmp_path)
    assert r.exit_code == 2 and r.stdout == "" and fragment in r.stderr


def test_missing_file_exit_2(tmp_path):
    r = runner.invoke(app, ["solve", str(tmp_path / "nope.yaml")])
    assert r.exit_code == 2 and "no such file" in r.stderr and r.stdout == ""


def test_console_script_runs_the_bundled_exam():
    # the installed entry point, as a user runs it
    r = subprocess.run([sys.executable, "-m", "adlkit.cli", "exam", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ids = [x["id"] for x in out["results"]]
    assert ids[:3] == ["q1a", "q1b", "q2a"]
    q1a = out["results"][0]["answers"]
    assert round(q1a["y"][1], 4) == 4.6487 and q1a["log_det"] == 0.5
