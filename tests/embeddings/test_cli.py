"""The embedding commands as a new user runs them, on a tiny text file; bad input is one line."""

from __future__ import annotations

import shutil

import pytest

typer_testing = pytest.importorskip("typer.testing")

from adlkit.cli import app  # noqa: E402
from adlkit.embeddings import KeyedVectors  # noqa: E402

from .test_word2vec import planted_corpus  # noqa: E402


def random_vectors_over_the_evaluation_sets() -> KeyedVectors:
    """Random 10-d vectors for every word of the Google analogies and of WordSim-353."""
    import numpy as np

    from adlkit.data.text import gensim_test_data

    d = gensim_test_data()
    words: dict[str, None] = {}
    for line in open(d / "questions-words.txt", encoding="utf-8"):
        if not line.startswith(":"):
            words.update(dict.fromkeys(w.lower() for w in line.split()))
    for line in open(d / "wordsim353.tsv", encoding="utf-8"):
        if not line.startswith("#"):
            words.update(dict.fromkeys(w.lower() for w in line.split("\t")[:2]))
    rng = np.random.default_rng(0)
    return KeyedVectors(rng.standard_normal((len(words), 10)).astype(np.float32), list(words))


def one_line_error(r, needle: str) -> None:
    """Exit 2 with one line, ``error: ...`` naming ``needle``, and no traceback."""
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], r.output


@pytest.fixture
def text_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "cache"))  # the tokenised-file cache
    sents, _ = planted_corpus(n_sentences=300)
    p = tmp_path / "planted.txt"
    p.write_text("\n".join(" ".join(s) for s in sents) + "\n")
    return p


def test_build_train_similar(tmp_path, text_file):
    runner = typer_testing.CliRunner()
    r = runner.invoke(app, ["corpus", "build", "--input", str(text_file), "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    assert "2,400 tokens, 300 sentences" in r.output
    out = tmp_path / "v.txt"
    r = runner.invoke(app, ["train", "word2vec", "--corpus", str(tmp_path / "c"), "--cbow", "--min-count", "1",
                            "--epochs", "2", "--vector-size", "8", "--workers", "1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "epoch 2: loss" in r.output
    wv = KeyedVectors.load(out)
    assert len(wv) == 40 and wv.vector_size == 8
    r = runner.invoke(app, ["similar", str(out), "groupawordb", "--topn", "3"])
    assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 3


def test_unknown_word_and_missing_file_are_one_line_errors(tmp_path, text_file):
    runner = typer_testing.CliRunner()
    out = tmp_path / "v.safetensors"
    r = runner.invoke(app, ["train", "word2vec", "--corpus", str(text_file), "--min-count", "1", "--epochs", "1",
                            "--vector-size", "4", "-o", str(out)])
    assert r.exit_code == 0, r.output
    for args, needle in [(["similar", str(out), "zzz"], "not in vocabulary"),
                         (["similar", str(tmp_path / "nope.txt"), "a"], "not found"),
                         (["train", "word2vec", "--corpus", str(tmp_path / "nope.txt")], "corpus not found"),
                         (["train", "word2vec", "--corpus", str(text_file), "--window", "0"], "window")]:
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert needle in r.output and "Traceback" not in r.output


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("gensim") is None,
                    reason="the evaluation sets ship with gensim (optional): pip install gensim")
def test_eval_embeddings_prints_the_table(tmp_path):
    """Random vectors over the evaluation vocabulary: the table has all three benchmarks and the
    analogy count equals the questions whose words are all within --restrict-vocab."""
    random_vectors_over_the_evaluation_sets().save(tmp_path / "v.safetensors")
    r = typer_testing.CliRunner().invoke(app, ["eval", "embeddings", str(tmp_path / "v.safetensors"),
                                               "--restrict-vocab", "1000000"])
    assert r.exit_code == 0, r.output
    for needle in ("WordSim-353", "SimLex-999", "Google analogies", "19,544 questions of 19,544"):
        assert needle in r.output


def test_output_paths_are_checked_first_and_no_trained_vectors_are_lost(tmp_path, text_file, monkeypatch):
    """A missing output folder is created; an unwritable output path or a file that is not a
    vectors file is one line and exit 2 before any work; a save that fails after training
    writes the vectors to $ADLKIT_DATA/rescued and says so."""
    runner = typer_testing.CliRunner()
    w2v = ["train", "word2vec", "--corpus", str(text_file), "--min-count", "1", "--epochs", "1", "--vector-size", "4",
           "--workers", "1"]
    nested = tmp_path / "not" / "yet" / "there" / "x.safetensors"
    r = runner.invoke(app, w2v + ["-o", str(nested)])
    assert r.exit_code == 0, r.output
    assert len(KeyedVectors.load(nested)) == 40
    for args, needle in [(w2v + ["-o", "/proc/x/y.safetensors"], "cannot create the folder /proc/x"),
                         (["train", "glove", "--corpus", str(text_file), "--out", "/proc/x"], "cannot write to /proc"),
                         (["corpus", "build", "--input", str(text_file), "--out", "/proc/x"], "/proc/x"),
                         (["similar", str(text_file), "a"], "neither the word2vec text format"),
                         (["similar", str(tmp_path), "a"], "not found")]:
        one_line_error(runner.invoke(app, args), needle)

    # the output folder vanishes during training (a file takes its place): the save fails
    from adlkit.embeddings import word2vec

    target = tmp_path / "gone" / "v.safetensors"
    real_fit = word2vec.Word2Vec.fit

    def fit_then_break_the_folder(self, *a, **kw):
        out = real_fit(self, *a, **kw)
        shutil.rmtree(target.parent)
        target.parent.write_text("")
        return out

    monkeypatch.setattr(word2vec.Word2Vec, "fit", fit_then_break_the_folder)
    r = runner.invoke(app, w2v + ["-o", str(target)])
    assert r.exit_code == 0, r.output
    rescued = list((tmp_path / "cache" / "rescued").glob("*-v.safetensors"))
    assert len(rescued) == 1 and f"saved the vectors to {rescued[0]} instead" in r.output
    assert len(KeyedVectors.load(rescued[0])) == 40


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("gensim") is None,
                    reason="the evaluation sets ship with gensim (optional): pip install gensim")
def test_eval_embeddings_refuses_a_file_that_is_not_vectors(tmp_path):
    p = tmp_path / "model.safetensors"
    p.write_bytes(b"\x00" * 64)
    one_line_error(typer_testing.CliRunner().invoke(app, ["eval", "embeddings", str(p)]), "neither")


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("gensim") is None,
                    reason="the evaluation sets ship with gensim (optional): pip install gensim")
def test_eval_embeddings_all_but_the_top(tmp_path):
    """--all-but-the-top N scores the post-processed vectors (reference: centring and removing the
    top-N covariance eigenvectors by hand) and says so in the title; a bad N is one line."""
    import numpy as np

    from adlkit.data.text import gensim_test_data

    wv = random_vectors_over_the_evaluation_sets()
    wv = KeyedVectors(wv.vectors + np.outer(np.linspace(-3, 3, len(wv)), np.ones(10)).astype(np.float32), wv.index_to_key)
    wv.save(tmp_path / "v.safetensors")
    c = wv.vectors.astype(np.float64) - wv.vectors.astype(np.float64).mean(axis=0)
    w, e = np.linalg.eigh(c.T @ c)
    u = e[:, np.argsort(w)[::-1][:2]]
    ref = KeyedVectors(c - c @ u @ u.T, wv.index_to_key)
    want = ref.evaluate_word_pairs(gensim_test_data() / "wordsim353.tsv")[1]
    raw = wv.evaluate_word_pairs(gensim_test_data() / "wordsim353.tsv")[1]
    assert f"{want:.3f}" != f"{raw:.3f}"  # the option makes a visible difference here
    runner = typer_testing.CliRunner()
    r = runner.invoke(app, ["eval", "embeddings", str(tmp_path / "v.safetensors"), "--all-but-the-top", "2"])
    assert r.exit_code == 0, r.output
    assert "all-but-the-top 2" in r.output and f"{want:.3f}" in r.output
    one_line_error(runner.invoke(app, ["eval", "embeddings", str(tmp_path / "v.safetensors"), "--all-but-the-top", "11"]),
                   "--all-but-the-top")


def test_train_glove_init_sets_the_starting_vectors_and_an_unknown_one_is_refused(tmp_path, text_file):
    """--init glove starts every factor in U(-0.5, 0.5)/d (glove.c), --init scaled in
    U(-0.5, 0.5)/sqrt(d): with a step of 1e-12 the saved W + W~ are the starting vectors, so their
    entries are bounded by 1/d and 1/sqrt(d) respectively (d = 4: 0.25 and 0.5)."""
    runner = typer_testing.CliRunner()
    base = ["train", "glove", "--corpus", str(text_file), "--min-count", "1", "--epochs", "1", "--vector-size", "4",
            "--workers", "1", "--eta", "1e-12", "--max-vocab", "0"]
    largest = {}
    for init in ("glove", "scaled"):
        r = runner.invoke(app, base + ["--init", init, "-o", str(tmp_path / f"{init}.safetensors")])
        assert r.exit_code == 0, r.output
        largest[init] = float(abs(KeyedVectors.load(tmp_path / f"{init}.safetensors").vectors).max())
    assert largest["glove"] <= 0.25 + 1e-6 < largest["scaled"] <= 0.5 + 1e-6
    r = runner.invoke(app, base + ["--init", "zeros", "-o", str(tmp_path / "z.safetensors")])
    assert r.exit_code == 2 and "init" in r.output and "Traceback" not in r.output


def test_train_glove_no_distance_weighting_reaches_the_count(tmp_path, text_file, monkeypatch):
    """The default (--no-distance-weighting, the measured best) counts every pair within the window
    as 1; --distance-weighting (glove.c's) 1/dist."""
    import adlkit.embeddings.glove as glove

    seen = []
    real = glove.cooccurrence

    def spy(*args, **kwargs):
        seen.append(kwargs["distance_weighting"])
        return real(*args, **kwargs)

    monkeypatch.setattr(glove, "cooccurrence", spy)
    runner = typer_testing.CliRunner()
    base = ["train", "glove", "--corpus", str(text_file), "--min-count", "1", "--epochs", "1", "--vector-size", "4",
            "--workers", "1", "--max-vocab", "0"]
    for flag in ([], ["--distance-weighting"], ["--no-distance-weighting"]):
        r = runner.invoke(app, base + flag + ["-o", str(tmp_path / "v.safetensors")])
        assert r.exit_code == 0, r.output
    assert seen == [False, True, False]
