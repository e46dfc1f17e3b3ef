"""The transformer language model against the n-gram models on ONE held-out split.

    nice -n 10 python bench/lm_transformer.py --tokens 200000 --out bench/lm_transformer

Cuts the corpus with ``adlkit.lm.train.prepare`` (the split of ``adlkit train lm``), refits the
bigram and trigram Kneser-Ney models on its training sentences, trains the transformer on the
same sentences (the settings of ``adlkit train lm --model transformer``), and scores all of them
on the same held-out sentences (perplexity per predicted token, ``</s>`` included). Writes
``OUT.json`` (the table rows and the training curve: train loss every step, held-out loss every
epoch) and ``OUT.png`` (the curve, with the trigram's held-out level as a line). The last line
printed is the JSON of the rows.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=int, default=200_000)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--dropout", type=float, default=0.15)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto",
                    help="training steps in bfloat16 autocast (auto: where the CPU has it natively)")
    ap.add_argument("--max-minutes", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="lm_transformer")
    a = ap.parse_args()

    from adlkit.data.text import load_corpus
    from adlkit.lm import NGram
    from adlkit.lm import train as T

    data = T.prepare(load_corpus("builtin"), a.tokens)
    rows = []
    for n in (2, 3):
        t0 = time.perf_counter()
        lm = NGram(n, "kneser_ney").fit(data.train)
        rows.append(T.ngram_row(lm, data, time.perf_counter() - t0))
        print(rows[-1], flush=True)
    steps: list[tuple[int, float]] = []
    epochs: list[dict[str, float]] = []
    _, row = T.train_transformer(
        data, d_model=a.d_model, heads=a.heads, layers=a.layers, epochs=a.epochs, batch_size=a.batch, lr=a.lr,
        dropout=a.dropout, seed=a.seed, threads=a.threads, progress=False,
        bf16=None if a.precision == "auto" else a.precision == "bf16",
        max_seconds=None if a.max_minutes is None else 60 * a.max_minutes,
        callback=lambda info: steps.append((info["step"], info["loss"])),
        on_epoch=lambda rec: (epochs.append(rec), print(f"epoch {rec['epoch']}: train {math.exp(rec['train_loss']):.2f} "
                                                            f"held-out {math.exp(rec['val_loss']):.2f}", flush=True)))
    row.pop("history")
    row.update({"d_model": a.d_model, "heads": a.heads, "layers": a.layers, "dropout": a.dropout, "lr": a.lr,
                "batch": a.batch, "threads": a.threads})
    rows.append(row)
    info = {"tokens": a.tokens, "words": len(data.words), "train_sentences": len(data.train),
            "test_sentences": len(data.test), "rows": rows, "steps": steps, "epochs": epochs}
    with open(a.out + ".json", "w") as f:
        json.dump(info, f)
    plot(info, a.out + ".png")
    print(json.dumps(rows))


def plot(info: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    s = np.array(info["steps"], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4))
    if len(s):
        k = max(1, len(s) // 100)
        smooth = np.convolve(s[:, 1], np.ones(k) / k, mode="valid")
        ax.plot(s[k - 1:, 0], np.exp(smooth), lw=1, label="transformer, train (running mean)")
    e = info["epochs"]
    ax.plot([r["step"] for r in e], [math.exp(r["val_loss"]) for r in e], "o-", label="transformer, held-out")
    for r in info["rows"][:-1]:
        ax.axhline(r["perplexity"], ls="--", lw=1, color="gray" if r["model"].startswith("2") else "k",
                   label=f"{r['model']} held-out ({r['perplexity']:.2f})")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("perplexity")
    ax.set_title(f"first {info['tokens']:,} tokens, {info['words']:,} words")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
