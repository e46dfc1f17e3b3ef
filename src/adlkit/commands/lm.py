"""``adlkit train lm --model ngram|transformer`` and ``adlkit generate CKPT --prompt ...``."""

from __future__ import annotations

import json
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import fail, output_file, save_safely, user_errors


class LMKind(str, Enum):
    ngram = "ngram"
    transformer = "transformer"


class Smoothing(str, Enum):
    mle = "mle"
    add_k = "add_k"
    kneser_ney = "kneser_ney"


def train_lm(
    model: LMKind = typer.Option(LMKind.ngram, "--model", "-m", help="ngram or transformer."),
    corpus: str = typer.Option("builtin", "--corpus", "-c", help="'builtin' (adlkit corpus build), a corpus directory, or a text file."),
    tokens: int = typer.Option(1_000_000, "--tokens", help="Use the corpus's first TOKENS tokens (whole sentences); every 10th sentence is held out."),
    n: int = typer.Option(3, "--n", help="n-gram order (1..3)."),
    smoothing: Smoothing = typer.Option(Smoothing.kneser_ney, "--smoothing", help="n-gram smoothing."),
    k: float = typer.Option(1.0, "--k", help="add_k pseudo-count."),
    d_model: int = typer.Option(64, "--d-model"),
    heads: int = typer.Option(4, "--heads"),
    layers: int = typer.Option(2, "--layers"),
    epochs: int = typer.Option(16, "--epochs", "-e", help="Transformer epochs (the cosine learning-rate schedule ends with the last)."),
    dropout: float = typer.Option(0.15, "--dropout", help="Transformer dropout (embeddings, attention and MLP outputs)."),
    lr: float = typer.Option(3e-3, "--lr", help="Transformer peak learning rate (AdamW, linear warmup, cosine decay)."),
    batch_size: int = typer.Option(64, "--batch-size", help="Transformer sentences per step."),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch CPU threads (1 is fastest on a shared machine)."),
    bf16: Optional[bool] = typer.Option(None, "--bf16/--no-bf16", help="Transformer training steps in bfloat16 autocast (default: where the CPU has native bfloat16)."),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes", help="Stop the transformer's training after this long."),
    seed: int = typer.Option(0, "--seed"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Checkpoint (default: lm-ngram.npz or lm-transformer.pt)."),
) -> None:
    """Train a language model on the English corpus; prints its held-out perplexity as JSON."""
    if tokens < 1000:
        fail("--tokens must be at least 1000")
    if model is LMKind.ngram and n not in (1, 2, 3):
        fail(f"--n must be 1, 2 or 3, got {n}")
    if model is LMKind.transformer and (d_model < 1 or heads < 1 or d_model % heads):
        fail(f"--heads ({heads}) must divide --d-model ({d_model})")
    for ok, msg in [(epochs >= 1, f"--epochs must be at least 1, got {epochs}"),
                    (0 <= dropout < 1, f"--dropout must be in [0, 1), got {dropout}"),
                    (lr > 0, f"--lr must be positive, got {lr}"),
                    (batch_size >= 1, f"--batch-size must be at least 1, got {batch_size}"),
                    (threads is None or threads >= 1, f"--threads must be at least 1, got {threads}")]:
        if model is LMKind.transformer and not ok:
            fail(msg)
    out = output_file(out or Path("lm-ngram.npz" if model is LMKind.ngram else "lm-transformer.pt"))
    with user_errors():
        from adlkit.data.text import load_corpus
        from adlkit.lm import NGram
        from adlkit.lm import train as T

        data = T.prepare(load_corpus(corpus), tokens)
        if model is LMKind.ngram:
            t0 = time.perf_counter()
            lm = NGram(n, smoothing.value, k=k).fit(data.train)
            row = T.ngram_row(lm, data, time.perf_counter() - t0)
            where = save_safely(lambda p: T.save_ngram(lm, data.train, p), out, "the n-gram model")
        else:
            from adlkit.train import save_checkpoint

            net, row = T.train_transformer(data, d_model=d_model, heads=heads, layers=layers, epochs=epochs,
                                           dropout=dropout, lr=lr, batch_size=batch_size, threads=threads, bf16=bf16,
                                           max_seconds=None if max_minutes is None else 60 * max_minutes, seed=seed)
            row.pop("history")
            where = save_safely(lambda p: save_checkpoint(net, p), out, "the transformer")
    typer.echo(f"wrote {where}")
    typer.echo(json.dumps({**row, "train_sentences": len(data.train), "test_sentences": len(data.test)}))


def generate(
    checkpoint: Path = typer.Argument(..., help="A model from 'adlkit train lm' (.npz n-gram or .pt transformer)."),
    prompt: str = typer.Option("", "--prompt", "-p", help="The start of the sentence (lowercase words)."),
    max_tokens: int = typer.Option(30, "--max-tokens"),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Continue a prompt with a trained language model (sampled, until </s>)."""
    if max_tokens < 1:
        fail("--max-tokens must be at least 1")
    from adlkit.data.text import tokenize

    words = tokenize(prompt)
    with user_errors():
        from adlkit.lm import train as T

        if not checkpoint.is_file():
            raise FileNotFoundError(f"no model at {checkpoint}")
        if T.checkpoint_kind(checkpoint) == "ngram":
            lm = T.load_ngram(checkpoint)
            text = lm.generate(words, max_tokens=max_tokens, seed=seed)
        else:
            from adlkit.train import load_model

            net = load_model(checkpoint)
            if not isinstance(net, T.TransformerTrainer):
                raise ValueError(f"{checkpoint} is not an adlkit language model")
            text = T.generate_transformer(net, words, max_tokens=max_tokens, seed=seed)
    typer.echo(" ".join(text))


def register(groups: dict[str, typer.Typer]) -> None:
    groups["train"].command("lm")(train_lm)
    groups["app"].command("generate")(generate)
