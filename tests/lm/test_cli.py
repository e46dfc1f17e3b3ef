"""adlkit train lm / adlkit generate on a small text file: the checkpoints reload into the same
model (an n-gram's held-out perplexity is recomputed by NGram from the saved counts), bad input
is one line and exit 2."""

import json
import math

import pytest
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.data.text import load_corpus
from adlkit.lm import NGram
from adlkit.lm import train as T
from tests.cli_checks import one_line_exit_2

WORDS = "the cat sat on a mat while a dog ran to the park and the king saw it".split()


@pytest.fixture
def text_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "cache"))
    import random

    rng = random.Random(0)
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) + "." for _ in range(600)]
    p = tmp_path / "text.txt"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_train_ngram_and_generate(text_file, tmp_path):
    out = tmp_path / "lm.npz"
    r = CliRunner().invoke(app, ["train", "lm", "--corpus", str(text_file), "--tokens", "5000", "-o", str(out)])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout.strip().splitlines()[-1])
    data = T.prepare(load_corpus(text_file), 5000)
    expected = NGram(3, "kneser_ney").fit(data.train).perplexity(data.test)
    assert row["perplexity"] == pytest.approx(expected, rel=1e-12) and math.isfinite(expected)
    assert T.load_ngram(out).perplexity(data.test) == pytest.approx(expected, rel=1e-12)
    g = CliRunner().invoke(app, ["generate", str(out), "--prompt", "The cat", "--seed", "3"])
    assert g.exit_code == 0 and g.stdout.split()[:2] == ["the", "cat"]
    assert set(g.stdout.split()) <= set(WORDS)


def test_train_transformer_and_generate(text_file, tmp_path):
    out = tmp_path / "lm.pt"
    r = CliRunner().invoke(app, ["train", "lm", "--model", "transformer", "--corpus", str(text_file), "--tokens", "3000",
                                 "--d-model", "8", "--heads", "2", "--layers", "1", "--epochs", "1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout.strip().splitlines()[-1])
    assert row["model"] == "transformer" and 1 < row["perplexity"] < 2 * len(WORDS)  # it learnt something
    g = CliRunner().invoke(app, ["generate", str(out), "--prompt", "the", "--max-tokens", "5"])
    assert g.exit_code == 0 and g.stdout.split()[0] == "the" and len(g.stdout.split()) <= 6


@pytest.mark.parametrize("args, words", [(["--n", "4"], "--n must be 1, 2 or 3"),
                                         (["--model", "transformer", "--d-model", "10", "--heads", "3"], "must divide")])
def test_bad_options_are_one_line(text_file, args, words):
    r = CliRunner().invoke(app, ["train", "lm", "--corpus", str(text_file), *args])
    assert words in one_line_exit_2(r)


def test_generate_refuses_a_file_that_is_no_model(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    assert "not an adlkit n-gram model" in one_line_exit_2(CliRunner().invoke(app, ["generate", str(junk)]))
