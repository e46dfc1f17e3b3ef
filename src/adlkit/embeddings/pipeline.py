"""Train-evaluate-report pipelines of the embeddings family: what ``adlkit train cove`` and
``adlkit explain glove-vs-word2vec --measure`` run, callable from bench scripts and notebooks.

- :func:`train_cove`: CoVe's MT-LSTM on frozen static vectors, trained through
  :func:`adlkit.train.fit` (translation on a parallel corpus, or the bidirectional LM on English
  text), then evaluated (held-out perplexity, BLEU); :meth:`CoVeRun.save` writes
  ``cove.safetensors`` (the encoder), ``cove-translation.safetensors`` or
  ``cove-bilm.safetensors`` (the whole model, the record in its metadata) and ``results.json``.
- :func:`measure_glove_vs_word2vec`: skip-gram word2vec and GloVe trained on the same corpus,
  timed and evaluated (:func:`adlkit.embeddings.benchmarks.evaluate_vectors`), the record written to
  ``$ADLKIT_DATA/explain/glove_vs_word2vec.json``.

Data paths come from :func:`adlkit.core.paths.data_home`. Every file is written through a
``save(write, path, what)`` hook (default: write it there); the CLI passes one that rescues a
save that fails after training. Progress lines go to ``echo``.

Example::

    run = train_cove(default_vectors(), corpus="builtin", epochs=2, max_minutes=5)
    run.save(default_model_dir())
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from adlkit.core.paths import data_home
from adlkit.data.text import load_corpus
from adlkit.embeddings import cove as cv
from adlkit.embeddings.benchmarks import evaluate_vectors
from adlkit.embeddings.glove import GloVe
from adlkit.embeddings.keyedvectors import KeyedVectors
from adlkit.embeddings.word2vec import Word2Vec
from adlkit.train import TrainConfig, TrainResult, fit

Echo = Callable[[str], None]
Save = Callable[[Callable[[Path], None], Path, str], Path]
GLOVE_W2V_RECORD = "glove_vs_word2vec.json"


def write_here(write: Callable[[Path], None], path: Path, what: str = "") -> Path:
    """The default ``save`` hook: ``write(path)``."""
    write(path)
    return path


def models_dir() -> Path:
    """Where trained models live: ``$ADLKIT_DATA/models`` (default ~/.cache/adlkit/models)."""
    return data_home() / "models"


def default_model_dir() -> Path:
    """Where ``adlkit train cove`` writes: ``models_dir()/cove``."""
    return models_dir() / "cove"


def default_vectors() -> Path:
    """The GloVe vectors CoVe reads by default: ``models_dir()/glove.safetensors``."""
    return models_dir() / "glove.safetensors"


def glove_w2v_record_path() -> Path:
    """Where :func:`measure_glove_vs_word2vec` writes its record."""
    return data_home() / "explain" / GLOVE_W2V_RECORD


def machine() -> str:
    """The CPU model and count, for records of measurements."""
    try:
        import subprocess

        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=5).stdout
        name = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "")
    except (OSError, ValueError):
        name = ""
    return f"{name or platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


# ----------------------------------------------------------------------------- CoVe
@dataclass
class CoVeRun:
    """A trained CoVe objective (``model``, whose encoder is ``model.cove``) and its record."""

    model: cv.TranslationModel | cv.BiLM
    record: dict[str, Any]
    result: TrainResult = field(repr=False, default_factory=TrainResult)

    @property
    def objective(self) -> str:
        return self.record["objective"]

    def save(self, out_dir: str | os.PathLike[str], save: Save = write_here) -> dict[str, Path]:
        """Write ``cove.safetensors``, ``cove-<objective>.safetensors`` and ``results.json`` to
        ``out_dir``; returns where each went (``save`` may put a file elsewhere)."""
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # then every save below fails, and ``save`` may put it elsewhere
        text = json.dumps(self.record, indent=1, ensure_ascii=False) + "\n"
        return {
            "model": save(lambda p: self.model.save(p, extra=self.record), out / f"cove-{self.objective}.safetensors",
                          f"the {self.objective} model"),
            "encoder": save(self.model.cove.save, out / "cove.safetensors", "the CoVe encoder"),
            "results": save(lambda p: p.write_text(text, encoding="utf-8"), out / "results.json", "the results"),
        }


def _perplexities(result: TrainResult, seconds: dict[int, float], steps: dict[int, int],
                  batches_per_epoch: int, train_seconds: float) -> dict[str, Any]:
    """The loop's history in perplexities (``exp`` of nats per token), as results.json holds it."""
    rows = []
    for rec in result.history:
        e = int(rec["epoch"])
        row = {"epoch": e, "train_perplexity": math.exp(rec["nll"] / rec["tokens"]),
               "valid_perplexity": math.exp(rec["val_loss"])}
        if e in seconds:  # not for the epochs before a resume
            row["seconds"] = seconds[e]
            row["partial_epoch"] = steps.get(e - 1, 0) < batches_per_epoch
        rows.append(row)
    best = math.exp(result.best_val_loss) if result.best_val_loss is not None else float("inf")
    return {"history": rows, "best_valid_perplexity": best, "seconds": train_seconds, "stopped": result.stopped,
            "steps": result.steps}


def _fit(model: cv.CoVeObjective, train: list, valid: list, batch_size: int, eval_batch_size: int,
         cfg: TrainConfig, echo: Echo) -> tuple[TrainResult, dict[str, Any]]:
    """Train through :func:`adlkit.train.fit`; one line per epoch in perplexities."""
    src = model.batches(train, batch_size)
    seconds: dict[int, float] = {}
    steps: dict[int, int] = {}
    t0 = time.perf_counter()

    def count(info: dict[str, Any]) -> None:
        steps[info["epoch"]] = steps.get(info["epoch"], 0) + 1

    def line(rec: dict[str, float]) -> None:
        e = int(rec["epoch"])
        seconds[e] = time.perf_counter() - t0
        echo(f"epoch {e}: train ppl {math.exp(rec['nll'] / rec['tokens']):.2f}  "
             f"valid ppl {math.exp(rec['val_loss']):.2f}  ({seconds[e]:.0f} s)")

    result = fit(model, src, model.batches(valid, eval_batch_size), cfg, callback=count, on_epoch=line)
    return result, _perplexities(result, seconds, steps, len(src), time.perf_counter() - t0)


def train_cove(vectors: str | os.PathLike[str], corpus: str = "builtin", objective: str = "translation", *,
               hidden: int = 150, layers: int = 2, decoder_hidden: int = 256, target_vocab: int = 6000,
               epochs: int = 8, batch_size: int = 128, lr: float = 2e-3, dropout: float = 0.2,
               max_minutes: float | None = None, max_train: int | None = None, seed: int = 0,
               checkpoint_dir: str | os.PathLike[str] | None = None, resume: bool = False, progress: bool = True,
               command: str | None = None, echo: Echo = print) -> CoVeRun:
    """Train CoVe's MT-LSTM on the frozen ``vectors`` (see :func:`adlkit.embeddings.cove.load_vectors`).

    ``objective="translation"``: the encoder of an attentional English -> target model on the
    parallel ``corpus`` (:func:`adlkit.data.parallel.load_parallel`), early stopping after 2
    epochs without a better validation perplexity, then test perplexity and BLEU.
    ``"bilm"``: the bidirectional LM on English text (:func:`adlkit.data.text.load_corpus`),
    5% of the sentences (at most 5,000) held out, the best validation perplexity kept.
    ``max_minutes`` bounds the training time; ``checkpoint_dir`` keeps the loop's ``last.pt`` /
    ``best.pt`` (``resume`` continues from them). The models and the record are written by
    :meth:`CoVeRun.save`.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    torch.manual_seed(seed)
    np.random.seed(seed)
    words, vecs = cv.load_vectors(vectors)
    echo(f"input vectors: {vectors} ({len(words)} words, d = {vecs.shape[1]}), frozen")
    record: dict[str, Any] = {"command": command, "date": _now(), "machine": machine(),
                              "torch_threads": torch.get_num_threads(), "vectors": str(vectors),
                              "objective": objective, "seed": seed}
    cfg = TrainConfig(epochs=epochs, seed=seed, patience=2 if objective == "translation" else None,
                      max_seconds=60 * max_minutes if max_minutes is not None else None,
                      checkpoint_dir=checkpoint_dir, resume=resume, progress=progress)
    t0 = time.perf_counter()
    model, result = _OBJECTIVES[objective](
        words, vecs, corpus, record, cfg, hidden=hidden, layers=layers, decoder_hidden=decoder_hidden,
        target_vocab=target_vocab, batch_size=batch_size, lr=lr, dropout=dropout, max_train=max_train, seed=seed,
        echo=echo)
    record["total_seconds"] = time.perf_counter() - t0
    return CoVeRun(model, record, result)


def _translation(words, vecs, corpus, record, cfg, *, hidden, layers, decoder_hidden, target_vocab, batch_size,
                 lr, dropout, max_train, echo, **_) -> tuple[cv.TranslationModel, TrainResult]:
    from adlkit.data.parallel import load_parallel

    pc = load_parallel(corpus)
    train, valid, test = pc.tokenized("train"), pc.tokenized("valid"), pc.tokenized("test")
    if max_train:
        train = train[:max_train]
    encoder = cv.CoVe(words, vecs, hidden_size=hidden, num_layers=layers, dropout=0.0)
    tv = cv.Vocab.build((t for _, t in train), max_size=target_vocab)
    model = cv.TranslationModel(encoder, tv.words[4:], hidden_size=decoder_hidden, dropout=dropout, lr=lr)
    unk_src = float(np.mean([w not in encoder.index for s, _ in train for w in s]))
    echo(f"parallel corpus: {pc.path} train {len(train)}, valid {len(valid)}, test {len(test)} pairs; "
         f"source words without a vector {unk_src:.1%}; target vocabulary {len(tv)}")
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    echo(f"trainable parameters {n_params:,} (encoder {sum(p.numel() for p in encoder.parameters() if p.requires_grad):,})")
    result, hist = _fit(model, train, valid, batch_size, 128, cfg, echo)
    echo("held-out evaluation (test split) ...")
    ev = cv.evaluate_translation(model, test)
    bl = cv.translation_bleu(model, test)
    record.update({"corpus": str(pc.path), "sizes": pc.sizes(), "source_unk_rate": unk_src,
                   "target_vocab": len(tv), "trainable_parameters": n_params, "train": hist,
                   "train_seconds": hist["seconds"],
                   "test": {"perplexity": ev["perplexity"], "nll": ev["nll"], "tokens": ev["tokens"],
                            "bleu": bl["bleu"], "precisions": bl["precisions"], "bp": bl["bp"],
                            "sentences": bl["sentences"]},
                   "examples": bl["examples"],
                   "config": {"hidden": hidden, "layers": layers, "decoder_hidden": decoder_hidden,
                              "target_vocab": target_vocab, "epochs": cfg.epochs, "batch_size": batch_size,
                              "lr": lr, "dropout": dropout}})
    echo(f"test perplexity {ev['perplexity']:.2f} ({ev['tokens']} target tokens), "
         f"test BLEU {bl['bleu']:.2f} ({bl['sentences']} sentences, greedy, lowercased word tokens)")
    for s, r, h in bl["examples"][:5]:
        echo(f"  en:  {s}\n  ref: {r}\n  hyp: {h}")
    return model, result


def _bilm(words, vecs, corpus, record, cfg, *, hidden, layers, target_vocab, batch_size, lr, dropout, max_train,
          seed, echo, **_) -> tuple[cv.BiLM, TrainResult]:
    sents = list(load_corpus(corpus).sentences())
    perm = np.random.default_rng(seed).permutation(len(sents))
    n_valid = max(1, min(5000, len(sents) // 20))
    valid = [sents[i] for i in perm[:n_valid]]
    train = [sents[i] for i in perm[n_valid:]]
    if max_train:
        train = train[:max_train]
    encoder = cv.CoVe(words, vecs, hidden_size=hidden, num_layers=layers, split_directions=True)
    model = cv.BiLM(encoder, words[:target_vocab], dropout=dropout, lr=lr)
    echo(f"monolingual corpus: {len(train)} training, {len(valid)} validation sentences")
    result, hist = _fit(model, train, valid, batch_size, 256, cfg, echo)
    record.update({"sizes": {"train": len(train), "valid": len(valid)}, "train": hist,
                   "train_seconds": hist["seconds"], "valid_perplexity": hist["best_valid_perplexity"]})
    echo(f"best validation perplexity (both directions) {hist['best_valid_perplexity']:.2f}")
    return model, result


#: the objectives that train the MT-LSTM, by name
_OBJECTIVES = {"translation": _translation, "bilm": _bilm}
OBJECTIVES = tuple(_OBJECTIVES)


# ----------------------------------------------------------------------------- static vectors
def measure_glove_vs_word2vec(corpus: str = "builtin", epochs_w2v: int = 5, epochs_glove: int = 15,
                              max_vocab: int = 30000, workers: int = 2, echo: Echo = print,
                              save: Save = write_here) -> dict[str, Any]:
    """Train skip-gram word2vec and GloVe on the same corpus and vocabulary size, timing each,
    and evaluate both: the evidence printed by ``adlkit explain glove-vs-word2vec``. The vectors
    go to ``$ADLKIT_DATA/models/{word2vec,glove-explain}.safetensors``, the record (returned) to
    :func:`glove_w2v_record_path`."""
    corp = load_corpus(corpus)
    models = models_dir()
    models.mkdir(parents=True, exist_ok=True)
    rec: dict[str, Any] = {"date": _now(), "machine": machine(), "corpus": corpus,
                           "corpus_tokens": int(corp.n_tokens), "corpus_sentences": int(corp.n_sentences),
                           "workers": workers, "max_vocab": max_vocab}
    echo(f"word2vec (skip-gram, window 5, negative 5, {epochs_w2v} epochs) on {corp.n_tokens:,} tokens ...")
    t = time.perf_counter()
    w2v = Word2Vec(vector_size=100, window=5, sg=1, epochs=epochs_w2v, workers=workers, progress=True).fit(corp)
    w2v_s = time.perf_counter() - t
    wv = w2v.wv
    if len(wv) > max_vocab:  # the same vocabulary size as GloVe's (rows are by decreasing frequency)
        wv = KeyedVectors(wv.vectors[:max_vocab], wv.index_to_key[:max_vocab])
    save(wv.save, models / "word2vec.safetensors", "the word2vec vectors")
    echo(f"GloVe (window 10, x_max 100, {epochs_glove} epochs, {max_vocab} words) ...")
    t = time.perf_counter()
    gl = GloVe(vector_size=100, window=10, max_vocab=max_vocab, epochs=epochs_glove, workers=workers,
               progress=True).fit(corp)
    gl_s = time.perf_counter() - t
    save(gl.wv.save, models / "glove-explain.safetensors", "the GloVe vectors")
    rec["word2vec"] = {"seconds": w2v_s, "epochs": epochs_w2v, "vocab": len(wv),
                       "updates_per_epoch": "every token x its window (~2 x 5 context words) x (1 + 5 negatives)",
                       "passes_over_corpus": epochs_w2v, "eval": evaluate_vectors(wv)}
    rec["glove"] = {"seconds": gl_s, "epochs": epochs_glove, "vocab": len(gl.wv),
                    "nonzero_cooccurrences": int(getattr(gl, "nnz_", -1)),
                    "passes_over_corpus": 1, "eval": evaluate_vectors(gl.wv)}
    p = glove_w2v_record_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    where = save(lambda q: q.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8"), p, "the record")
    echo(f"wrote {where}")
    return rec
