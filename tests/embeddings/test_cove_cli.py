"""The CoVe commands end to end on tiny inputs: corpus parallel, train cove, embed, eval senses, explain."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from adlkit.cli import app

from .test_cli import one_line_error
from .test_cove_senses import NOUN, VERB

runner = CliRunner()
EN = ["the river bank", "the bank account", "he opened a bank account", "he sat on the river bank",
      "the water of the river", "money in the bank", "open the file", "close the file", "save the file",
      "the file is open"]
DE = ["das Flussufer", "das Bankkonto", "er eröffnete ein Bankkonto", "er saß am Flussufer",
      "das Wasser des Flusses", "Geld auf der Bank", "die Datei öffnen", "die Datei schließen",
      "die Datei speichern", "die Datei ist offen"]


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    wn = tmp_path / "wordnet"
    wn.mkdir()
    (wn / "data.noun").write_text("\n".join(NOUN) + "\n", encoding="utf-8")
    (wn / "data.verb").write_text("\n".join(VERB) + "\n", encoding="utf-8")
    (wn / "data.adj").write_text("", encoding="utf-8")
    (wn / "data.adv").write_text("", encoding="utf-8")
    monkeypatch.setenv("ADLKIT_WORDNET", str(wn))


def write_inputs(tmp_path):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("".join(f"{e}\t{d}\n" for e, d in zip(EN, DE)) * 1, encoding="utf-8")
    words = sorted({w for e in EN for w in e.split()} | {"they", "pulled", "canoe", "up", "cashed", "check", "at"})
    rng = np.random.default_rng(0)
    vec = tmp_path / "vectors.txt"
    vec.write_text(f"{len(words)} 6\n" + "".join(w + " " + " ".join(f"{x:.4f}" for x in rng.normal(size=6)) + "\n"
                                                 for w in words), encoding="utf-8")
    return tsv, vec


def test_corpus_parallel_from_tsv_and_bad_input(tmp_path):
    tsv, _ = write_inputs(tmp_path)
    r = runner.invoke(app, ["corpus", "parallel", "--sources", "", "--tsv", str(tsv), "--valid", "0.2", "--test", "0.2"])
    assert r.exit_code == 0, r.output
    assert "kept 10" in r.output
    d = tmp_path / "data" / "corpus" / "parallel" / "en-de"
    meta = json.loads((d / "meta.json").read_text())
    assert sum(meta["sizes"].values()) == 10
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab\n", encoding="utf-8")
    r = runner.invoke(app, ["corpus", "parallel", "--sources", "", "--tsv", str(bad)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.strip().startswith("error:") and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(app, ["corpus", "parallel", "--valid", "0.7", "--test", "0.5"])
    assert r.exit_code == 2 and "fractions" in r.output


def test_train_embed_senses_explain(tmp_path):
    tsv, vec = write_inputs(tmp_path)
    # before training: the explanation says which command trains the model, and does not fail
    r = runner.invoke(app, ["explain", "cove-vs-static"])
    assert r.exit_code == 0, r.output
    assert "What is the benefit offered by CoVe" in r.output and "adlkit train cove" in r.output
    r = runner.invoke(app, ["embed", "the bank", "--word", "bank"])
    assert r.exit_code == 2 and "adlkit train cove" in r.output

    corpus = tmp_path / "par"
    r = runner.invoke(app, ["corpus", "parallel", "--sources", "", "--tsv", str(tsv), "--out", str(corpus),
                            "--valid", "0.3", "--test", "0.3"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["train", "cove", "--vectors", str(vec), "--corpus", str(corpus), "--hidden", "4",
                            "--decoder-hidden", "8", "--epochs", "2", "--batch-size", "4", "--threads", "1"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "data" / "models" / "cove"
    res = json.loads((out / "results.json").read_text())
    assert res["objective"] == "translation" and res["test"]["perplexity"] > 1
    assert 0 <= res["test"]["bleu"] <= 100 and (out / "cove.safetensors").is_file()

    r = runner.invoke(app, ["embed", "he sat on the river bank", "he opened a bank account", "--word", "bank"])
    assert r.exit_code == 0, r.output
    assert "static GloVe" in r.output and "1.000" in r.output
    r = runner.invoke(app, ["embed", "the river bank", "--word", "zebra"])
    assert r.exit_code == 2 and "does not occur" in r.output
    r = runner.invoke(app, ["embed", "123 !!"])
    assert r.exit_code == 2 and "no words" in r.output

    png = tmp_path / "bank.png"
    r = runner.invoke(app, ["explain", "cove-vs-static", "--plot", str(png)])
    assert r.exit_code == 0, r.output
    assert "held-out test perplexity" in r.output and "CoVe" in r.output and png.is_file()
    r = runner.invoke(app, ["eval", "senses", "--json", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "s.json").read_text())["results"]
    assert s["static (GloVe)"]["cos_all"] == pytest.approx(1.0)


def test_train_cove_missing_inputs_are_one_line_errors(tmp_path):
    r = runner.invoke(app, ["train", "cove", "--vectors", str(tmp_path / "nope.safetensors")])
    assert r.exit_code == 2 and "adlkit train glove" in r.output
    _, vec = write_inputs(tmp_path)
    r = runner.invoke(app, ["train", "cove", "--vectors", str(vec), "--corpus", str(tmp_path / "nothing")])
    assert r.exit_code == 2 and "adlkit corpus parallel" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["train", "cove", "--vectors", str(vec), "--hidden", "0"])
    assert r.exit_code == 2 and "--hidden" in r.output


def test_explain_glove_vs_word2vec_without_measurements_says_how(tmp_path):
    r = runner.invoke(app, ["explain", "glove-vs-word2vec"])
    assert r.exit_code == 0, r.output
    assert "What is the benefit offered by GloVe over word2vec?" in r.output
    assert "adlkit explain glove-vs-word2vec --measure" in r.output


def test_bad_paths_and_files_that_are_not_models_are_one_line_errors(tmp_path, monkeypatch):
    """Every CoVe command: an unwritable output path is refused before any work (no vectors
    read, nothing trained), a file that is not vectors or not a CoVe checkpoint is one line and
    exit 2; a save that fails after training goes to $ADLKIT_DATA/rescued, said on stderr."""
    from adlkit.embeddings import KeyedVectors

    tsv, vec = write_inputs(tmp_path)
    corpus = tmp_path / "par"
    assert runner.invoke(app, ["corpus", "parallel", "--sources", "", "--tsv", str(tsv), "--out", str(corpus),
                               "--valid", "0.3", "--test", "0.3"]).exit_code == 0
    kv = tmp_path / "kv.safetensors"
    KeyedVectors(np.zeros((2, 3), np.float32), ["a", "b"]).save(kv)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"not a model at all")
    train = ["train", "cove", "--vectors", str(vec), "--corpus", str(corpus), "--hidden", "4", "--decoder-hidden", "8",
             "--epochs", "1", "--batch-size", "4", "--threads", "1", "-q"]
    for args, needle in [
        (train + ["--out", "/proc/x"], "cannot create the folder /proc/x"),
        (["train", "cove", "--vectors", str(tsv), "--corpus", str(corpus)], "neither the word2vec text format"),
        (["corpus", "parallel", "--sources", "", "--tsv", str(tsv), "--out", "/proc/x"], "/proc/x"),
        (["embed", "the bank", "--cove", str(garbage)], "not a safetensors checkpoint"),
        (["eval", "senses", "--cove", str(kv)], "not a CoVe checkpoint"),
        (["eval", "senses", "--cove", str(garbage), "--json", "/proc/x/s.json"], "cannot create the folder /proc/x"),
        (["explain", "cove-vs-static", "--cove", str(garbage)], "not a safetensors checkpoint"),
    ]:
        one_line_error(runner.invoke(app, args), needle)
    monkeypatch.setenv("ADLKIT_DATA", "/proc/adlkit")
    one_line_error(runner.invoke(app, ["explain", "glove-vs-word2vec", "--measure"]), "/proc/adlkit")
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))

    # the output folder vanishes during training (a file takes its place): every save fails
    from adlkit.embeddings import cove as cv
    from adlkit.embeddings import pipeline

    out = tmp_path / "new" / "run"
    real_train = pipeline.train_cove

    def train_then_break_the_folder(*a, **kw):
        run = real_train(*a, **kw)
        shutil.rmtree(out)
        out.write_text("")
        return run

    monkeypatch.setattr(pipeline, "train_cove", train_then_break_the_folder)
    r = runner.invoke(app, train + ["--out", str(out)])
    assert r.exit_code == 0, r.output
    rescued = {p.name.split("-", 2)[-1]: p for p in (tmp_path / "data" / "rescued").iterdir()}
    assert set(rescued) == {"cove.safetensors", "cove-translation.safetensors", "results.json"}
    assert f"saved the CoVe encoder to {rescued['cove.safetensors']} instead" in r.output
    assert cv.CoVe.load(rescued["cove.safetensors"]).config["hidden_size"] == 4
    assert cv.TranslationModel.load(rescued["cove-translation.safetensors"]).tconfig["hidden_size"] == 8
    assert json.loads(rescued["results.json"].read_text())["objective"] == "translation"


def test_objective_choices_are_the_pipelines():
    from adlkit.commands.cove import Objective
    from adlkit.embeddings.pipeline import OBJECTIVES

    assert tuple(o.value for o in Objective) == OBJECTIVES
