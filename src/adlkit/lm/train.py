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
    ``<s>`` w_1 .. w_T predicting w_1 .. w_T ``</s>`` (the n-gram models' tokens exactly).

    Optimizer: AdamW (betas 0.9, 0.98; ``weight_decay`` on the matrices and embeddings, none on
    biases and LayerNorms), gradients clipped to norm 1, the learning rate warmed up linearly
    over ``warmup`` steps, then a cosine from ``lr`` down to ``min_lr_ratio * lr`` at
    ``total_steps`` (constant after the warmup when ``total_steps`` is None). The loss and the
    output layer see only the real (unpadded) positions. ``bf16``: the training steps run under
    CPU autocast to bfloat16 (the weights, the optimizer and every evaluation stay float32).
    """

    def __init__(self, words: list[str], lr: float = 3e-3, weight_decay: float = 0.1, warmup: int = 100,
                 total_steps: int | None = None, min_lr_ratio: float = 0.1, bf16: bool = False, **lm: Any):
        super().__init__()
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.lr, self.weight_decay, self.warmup = lr, weight_decay, warmup
        self.total_steps, self.min_lr_ratio, self.bf16 = total_steps, min_lr_ratio, bf16
        self.lm_config = dict(lm)
        self.lm = TransformerLM(len(self.words), **lm)
        self.schedule: torch.optim.lr_scheduler.LambdaLR | None = None

    def get_config(self) -> dict[str, Any]:
        return {"words": self.words, "lr": self.lr, "weight_decay": self.weight_decay, "warmup": self.warmup,
                "total_steps": self.total_steps, "min_lr_ratio": self.min_lr_ratio, "bf16": self.bf16,
                **self.lm_config}

    def encode(self, sentence: list[str]) -> list[int]:
        unk = self.index[UNK]
        return [self.index[BOS]] + [self.index.get(w, unk) for w in sentence] + [self.index[EOS]]

    def lr_factor(self, step: int) -> float:
        """The learning rate at ``step`` (0-based) over ``lr``: linear warmup, then cosine."""
        if step < self.warmup:
            return (step + 1) / self.warmup
        if self.total_steps is None:
            return 1.0
        progress = min(1.0, (step - self.warmup) / max(1, self.total_steps - self.warmup))
        return self.min_lr_ratio + (1 - self.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        decay = [p for p in self.parameters() if p.dim() >= 2]
        rest = [p for p in self.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": self.weight_decay},
                                 {"params": rest, "weight_decay": 0.0}], lr=self.lr, betas=(0.9, 0.98))
        self.schedule = torch.optim.lr_scheduler.LambdaLR(opt, self.lr_factor)
        return {"adam": opt}

    def _nll(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, int]:
        ids, lengths = batch
        h = self.lm.features(ids[:, :-1])
        target = ids[:, 1:]
        real = torch.arange(target.shape[1])[None, :] < (lengths[:, None] - 1)
        nll = nn.functional.cross_entropy(self.lm.logits(h[real]), target[real], reduction="sum")
        return nll, int(real.sum())

    def train_step(self, batch, ctx) -> dict[str, float]:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            total, count = self._nll(batch)
        loss = total / count
        opt = ctx.optimizers["adam"]
        opt.zero_grad(set_to_none=True)
        ctx.backward(loss)
        nn.utils.clip_grad_norm_(self.parameters(), 1.0)
        opt.step()
        if self.schedule is not None:
            self.schedule.step()
        return {"loss": loss.item()}

    @torch.no_grad()
    def eval_loss(self, batch) -> tuple[float, int]:
        total, count = self._nll(batch)
        return float(total), count


def cpu_bf16() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (oneDNN's check: AVX512-BF16 or AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def sentence_batches(model: TransformerTrainer, sentences: list[list[str]], batch_size: int):
    from adlkit.train import LengthBuckets, pad_sequences

    return LengthBuckets([model.encode(s) for s in sentences], batch_size, pad_sequences)


def train_transformer(data: Prepared, d_model: int = 64, heads: int = 4, layers: int = 2, context: int = 64,
                      epochs: int = 16, batch_size: int = 64, lr: float = 3e-3, dropout: float = 0.15,
                      weight_decay: float = 0.1, warmup: int = 100, max_seconds: float | None = None,
                      seed: int = 0, progress: bool = True, threads: int | None = None, bf16: bool | None = None,
                      on_epoch: Any = None, callback: Any = None) -> tuple[TransformerTrainer, dict[str, Any]]:
    """Train on ``data.train`` for ``epochs`` (the cosine reaches its end at the last step),
    stopping early after ``max_seconds``; the held-out loss is reported after every epoch
    (monitoring only: the final weights are kept, no epoch is chosen on the held-out set).
    ``bf16`` None: bfloat16 autocast where the CPU computes bfloat16 natively (:func:`cpu_bf16`)."""
    from adlkit.train import TrainConfig, fit, held_out_totals

    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    words = [*data.words, EOS, BOS, UNK]
    n_batches = math.ceil(len(data.train) / batch_size)
    model = TransformerTrainer(words, lr=lr, weight_decay=weight_decay, warmup=min(warmup, n_batches * epochs),
                               total_steps=n_batches * epochs, context=context, d_model=d_model, heads=heads,
                               layers=layers, dropout=dropout, bf16=cpu_bf16() if bf16 is None else bf16)
    t0 = time.perf_counter()
    result = fit(model, sentence_batches(model, data.train, batch_size), sentence_batches(model, data.test, 256),
                 TrainConfig(epochs=epochs, patience=None, max_seconds=max_seconds, seed=seed, progress=progress,
                             restore_best=False),
                 on_epoch=on_epoch, callback=callback)
    seconds = time.perf_counter() - t0
    total, count = held_out_totals(model, sentence_batches(model, data.test, 256))
    return model, {"model": "transformer", "perplexity": math.exp(total / count), "N": int(count),
                   "seconds": seconds, "parameters": sum(p.numel() for p in model.parameters()),
                   "epochs": len(result.history), "steps": result.steps, "stopped": result.stopped,
                   "bf16": model.bf16,
                   "history": result.history}


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
