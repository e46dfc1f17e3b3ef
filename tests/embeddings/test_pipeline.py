"""The embeddings pipelines as bench scripts and notebooks call them (no CLI): CoVe's bidirectional
LM end to end, GloVe vs word2vec measured, and the benchmark summary of a vectors object."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from adlkit.embeddings import KeyedVectors, pipeline
from adlkit.embeddings import cove as cv
from adlkit.embeddings.benchmarks import evaluate_vectors

from .test_cli import random_vectors_over_the_evaluation_sets
from .test_word2vec import planted_corpus

needs_gensim = pytest.mark.skipif(__import__("importlib.util").util.find_spec("gensim") is None,
                                  reason="the evaluation sets ship with gensim (optional): pip install gensim")


@pytest.fixture
def text_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    torch.set_num_threads(1)
    sents, _ = planted_corpus(n_sentences=300)
    p = tmp_path / "planted.txt"
    p.write_text("\n".join(" ".join(s) for s in sents) + "\n")
    return p, sorted({w for s in sents for w in s})


def test_train_cove_bilm_pipeline_writes_what_it_reports(tmp_path, text_file):
    """objective='bilm' on a text file: 5% of the sentences held out, the loop's best held-out
    perplexity in the record, and CoVeRun.save writes the encoder, the BiLM (the record in its
    metadata) and results.json, each of which loads back."""
    path, words = text_file
    rng = np.random.default_rng(0)
    KeyedVectors(rng.normal(size=(len(words), 6)).astype(np.float32), words).save(tmp_path / "v.safetensors")
    lines: list[str] = []
    run = pipeline.train_cove(tmp_path / "v.safetensors", str(path), "bilm", hidden=4, layers=1, epochs=2,
                              batch_size=32, target_vocab=20, progress=False, echo=lines.append)
    rec = run.record
    assert rec["sizes"] == {"train": 285, "valid": 15} and rec["objective"] == "bilm"
    assert len(rec["train"]["history"]) == 2 and rec["train"]["stopped"] == "epochs"
    assert rec["valid_perplexity"] == pytest.approx(math.exp(run.result.best_val_loss))
    # a model that learned nothing: perplexity = the output vocabulary (20 words, <unk>, <s>)
    assert rec["valid_perplexity"] < 22
    assert any(line.startswith("epoch 2: train ppl") for line in lines)
    paths = run.save(tmp_path / "out")
    assert json.loads(paths["results"].read_text())["valid_perplexity"] == rec["valid_perplexity"]
    lm = cv.BiLM.load(paths["model"])
    assert cv.read_extra(paths["model"])["seed"] == 0 and lm.output_words == run.model.output_words
    assert cv.CoVe.load(paths["encoder"]).config["split_directions"] is True
    with pytest.raises(ValueError, match="objective must be one of translation, bilm"):
        pipeline.train_cove(tmp_path / "v.safetensors", str(path), "lm")


@needs_gensim
def test_measure_glove_vs_word2vec_records_both_models(text_file):
    """Both models trained on the same corpus, their vectors saved under $ADLKIT_DATA/models and
    the record under $ADLKIT_DATA/explain; a vocabulary without the benchmark words gets NaN
    correlations with the reason, not an exception."""
    path, _ = text_file
    rec = pipeline.measure_glove_vs_word2vec(str(path), epochs_w2v=1, epochs_glove=2, workers=1, echo=lambda s: None)
    assert rec["corpus_tokens"] == 2400 and rec["word2vec"]["vocab"] == rec["glove"]["vocab"] == 40
    assert json.loads(pipeline.glove_w2v_record_path().read_text())["glove"]["epochs"] == 2
    for name in ("word2vec.safetensors", "glove-explain.safetensors"):
        assert len(KeyedVectors.load(pipeline.models_dir() / name)) == 40
    ws = rec["word2vec"]["eval"]["wordsim353"]
    assert math.isnan(ws["spearman"]) and "fewer than 3 pairs" in ws["error"]
    assert rec["glove"]["eval"]["analogies"]["questions"] == 0


@needs_gensim
def test_evaluate_vectors_adds_up():
    """Random vectors over the whole evaluation vocabulary: every analogy question is in it,
    the semantic and syntactic sections (and the sections one by one) add up to the total, and the
    correlations are those of KeyedVectors.evaluate_word_pairs."""
    from adlkit.data.text import gensim_test_data

    d = gensim_test_data()
    wv = random_vectors_over_the_evaluation_sets()
    ev = evaluate_vectors(wv, restrict_vocab=10**6)
    a = ev["analogies"]
    assert a["questions"] == a["questions_in_file"] == 19544
    assert a["semantic"]["questions"] + a["syntactic"]["questions"] == a["questions"]
    assert sum(s["correct"] for s in a["sections"]) == a["correct"] and a["accuracy"] == a["correct"] / 19544
    pearson, spearman, oov = wv.evaluate_word_pairs(d / "wordsim353.tsv")
    assert ev["wordsim353"] == {"pearson": pearson, "spearman": spearman, "oov_percent": oov}
