"""Training the language models on the English corpus, on the one held-out split.

:func:`prepare` cuts the corpus (:func:`adlkit.lm.data.split_sentences`), keeps the words seen
at least ``min_count`` times in training (at most ``max_vocab``) and writes every other word as
``<unk>``, for the n-gram and transformer models alike; held-out perplexities are then per
predicted token (the words and ``</s>``) of the same held-out sentences.

Checkpoints: an n-gram model is its training sentences' counts re-derived at load time from a
``.npz`` of token ids (no pickle); a transformer is an adlkit.train checkpoint (weights only).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from adlkit.data.text import Corpus
from adlkit.lm.data import split_sentences
from adlkit.lm.ngram import BOS, EOS, UNK, NGram
from adlkit.lm.transformer import TransformerLM


@dataclass
class Prepared:
    words: list[str]  # the kept vocabulary (most frequent first)
    train: list[list[str]]
    test: list[list[str]]


def prepare(corpus: Corpus, max_tokens: int | None = 1_000_000, min_count: int = 3, max_vocab: int = 20_000,
            max_len: int = 62) -> Prepared:
    """The split, with rare words as ``<unk>``; held-out sentences longer than ``max_len`` are
    left out (the transformer's context), training ones are cut to it."""
    train, test = split_sentences(corpus, max_tokens)
    counts: dict[str, int] = {}
    for s in train:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    kept = [w for w, c in sorted(counts.items(), key=lambda kv: -kv[1]) if c >= min_count][:max_vocab]
    keep = set(kept)
    m = lambda s: [w if w in keep else UNK for w in s]
    return Prepared(kept, [m(s[:max_len]) for s in train], [m(s) for s in test if len(s) <= max_len])


# -- n-gram ----------------------------------------------------------------------------------------
def save_ngram(lm: NGram, sentences: list[list[str]], path: str | os.PathLike[str]) -> None:
    """The model's settings and its training sentences as ids (``np.savez``, no pickle)."""
    index = {w: i for i, w in enumerate(lm.words)}
    flat = np.array([index[w] for s in sentences for w in s], dtype=np.int32)
    lens = np.array([len(s) for s in sentences], dtype=np.int64)
    meta = {"kind": "ngram", "n": lm.n, "smoothing": lm.smoothing, "k": lm.k, "discount": lm.discount}
    with open(path, "wb") as f:
        np.savez_compressed(f, tokens=flat, lengths=lens, words=np.array(lm.words), meta=np.array(json.dumps(meta)))


def load_ngram(path: str | os.PathLike[str]) -> NGram:
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            words = [str(w) for w in z["words"]]
            toks, lens = z["tokens"], z["lengths"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"{path} is not an adlkit n-gram model") from e
    if not isinstance(meta, dict) or meta.get("kind") != "ngram":
        raise ValueError(f"{path} is not an adlkit n-gram model")
    offs = np.concatenate([[0], np.cumsum(lens)])
    sents = [[words[t] for t in toks[offs[i]:offs[i + 1]]] for i in range(len(lens))]
    return NGram(meta["n"], meta["smoothing"], k=meta["k"], discount=meta["discount"]).fit(sents)


# -- transformer -----------------------------------------------------------------------------------
class TransformerTrainer(nn.Module):
    """The transformer LM with adlkit.train's model protocol: one sentence per sequence,
    ``<s>`` w_1 .. w_T predicting w_1 .. w_T ``</s>`` (the n-gram models' tokens exactly)."""

    def __init__(self, words: list[str], lr: float = 3e-3, **lm: Any):
        super().__init__()
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.lr = lr
        self.lm_config = dict(lm)
        self.lm = TransformerLM(len(self.words), **lm)

    def get_config(self) -> dict[str, Any]:
        return {"words": self.words, "lr": self.lr, **self.lm_config}

    def encode(self, sentence: list[str]) -> list[int]:
        unk = self.index[UNK]
        return [self.index[BOS]] + [self.index.get(w, unk) for w in sentence] + [self.index[EOS]]

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=0.01)}

    def _nll(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, int]:
        ids, lengths = batch
        logits = self.lm(ids[:, :-1])
        target = ids[:, 1:]
        mask = torch.arange(target.shape[1])[None, :] < (lengths[:, None] - 1)
        nll = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none")
        return (nll * mask.reshape(-1)).sum(), int(mask.sum())

    def train_step(self, batch, ctx) -> dict[str, float]:
        total, count = self._nll(batch)
        loss = total / count
        opt = ctx.optimizers["adam"]
        opt.zero_grad()
        ctx.backward(loss)
        nn.utils.clip_grad_norm_(self.parameters(), 1.0)
        opt.step()
        return {"loss": loss.item()}

    @torch.no_grad()
    def eval_loss(self, batch) -> tuple[float, int]:
        total, count = self._nll(batch)
        return float(total), count


def sentence_batches(model: TransformerTrainer, sentences: list[list[str]], batch_size: int):
    from adlkit.train import LengthBuckets, pad_sequences

    return LengthBuckets([model.encode(s) for s in sentences], batch_size, pad_sequences)


def train_transformer(data: Prepared, d_model: int = 128, heads: int = 4, layers: int = 2, context: int = 64,
                      epochs: int = 3, batch_size: int = 64, lr: float = 3e-3, max_seconds: float | None = None,
                      seed: int = 0, progress: bool = True) -> tuple[TransformerTrainer, dict[str, Any]]:
    from adlkit.train import TrainConfig, fit

    torch.manual_seed(seed)
    words = [*data.words, EOS, BOS, UNK]
    model = TransformerTrainer(words, lr=lr, context=context, d_model=d_model, heads=heads, layers=layers)
    t0 = time.perf_counter()
    result = fit(model, sentence_batches(model, data.train, batch_size), sentence_batches(model, data.test, 256),
                 TrainConfig(epochs=epochs, patience=None, max_seconds=max_seconds, seed=seed, progress=progress))
    seconds = time.perf_counter() - t0
    from adlkit.train import held_out_totals

    total, count = held_out_totals(model, sentence_batches(model, data.test, 256))
    return model, {"model": "transformer", "perplexity": math.exp(total / count), "N": int(count),
                   "seconds": seconds, "parameters": sum(p.numel() for p in model.parameters()),
                   "epochs": len(result.history), "stopped": result.stopped}


@torch.no_grad()
def generate_transformer(model: TransformerTrainer, prompt: list[str], max_tokens: int = 30, seed: int = 0,
                         temperature: float = 1.0) -> list[str]:
    ids = model.encode(prompt)[:-1]
    out = model.lm.generate(ids, max_tokens=max_tokens, temperature=temperature, seed=seed, stop=model.index[EOS])
    return [model.words[i] for i in out[1:]]


def ngram_row(lm: NGram, data: Prepared, seconds: float) -> dict[str, Any]:
    lp, N = lm.log_prob(data.test)
    name = f"{lm.n}-gram {lm.smoothing}"
    return {"model": name, "perplexity": math.exp(-lp / N) if math.isfinite(lp) else math.inf, "N": N, "seconds": seconds}


def checkpoint_kind(path: str | os.PathLike[str]) -> str:
    """``ngram`` (a .npz) or ``transformer`` (an adlkit.train checkpoint)."""
    return "ngram" if Path(path).suffix == ".npz" else "transformer"
