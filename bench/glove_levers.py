"""GloVe on the built-in corpus, scored during training by adlkit.embeddings.benchmarks.

    nice -n 10 python bench/glove_levers.py --max-vocab 0 --x-max 10 --epochs 30 --every 5

Trains ``adlkit.embeddings.GloVe`` with the given settings (``--max-vocab 0``: every word with
count >= ``--min-count``) and prints, every ``--every`` epochs, one JSON line: WordSim-353 and
SimLex-999 Spearman with the percentage of pairs out of vocabulary, the Google analogies
(3CosAdd over the 30,000 most frequent words), the mean cost, seconds since the start
(co-occurrence counting included) and the 1-minute load average. ``--out`` saves the final
vectors (.safetensors) for ``adlkit train cove --vectors``.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-vocab", type=int, default=0)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--x-max", type=float, default=100.0)
    ap.add_argument("--alpha", type=float, default=0.75)
    ap.add_argument("--vector-size", type=int, default=100)
    ap.add_argument("--eta", type=float, default=0.1)
    ap.add_argument("--init", choices=("scaled", "glove"), default="scaled",
                    help="initial vectors U(-0.5, 0.5) / sqrt(d) (scaled) or / d (glove.c)")
    ap.add_argument("--sample", type=float, default=0.0, help="frequent-word subsampling before counting (0: off)")
    ap.add_argument("--no-distance-weighting", action="store_true",
                    help="every pair within the window adds 1, not 1/dist (cooccur.c -distance-weighting 0)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    from adlkit.data.text import load_corpus
    from adlkit.embeddings import GloVe
    from adlkit.embeddings.benchmarks import evaluate_vectors

    t0 = time.perf_counter()
    g = GloVe(vector_size=a.vector_size, window=a.window, max_vocab=a.max_vocab or None, min_count=a.min_count,
              x_max=a.x_max, alpha=a.alpha, eta=a.eta, sample=a.sample, epochs=a.epochs, workers=a.workers, seed=a.seed,
              init=a.init, distance_weighting=not a.no_distance_weighting)

    def report(ep: int, wv) -> None:
        if ep % a.every and ep != a.epochs:
            return
        r = evaluate_vectors(wv)
        print(json.dumps({"epoch": ep, "seconds": round(time.perf_counter() - t0, 1), "words": len(wv.index_to_key),
                          "wordsim353": round(r["wordsim353"]["spearman"], 4),
                          "wordsim353_oov_percent": round(r["wordsim353"]["oov_percent"], 2),
                          "simlex999": round(r["simlex999"]["spearman"], 4),
                          "simlex999_oov_percent": round(r["simlex999"]["oov_percent"], 2),
                          "analogies": round(r["analogies"]["accuracy"], 4), "questions": r["analogies"]["questions"],
                          "cost": g.history[-1], "load": os.getloadavg()[0]}), flush=True)

    g.fit(load_corpus("builtin"), on_epoch=report)
    print(json.dumps({"settings": vars(a), "nnz": g.nnz_, "cooc_seconds": round(g.cooc_seconds_, 1)}), flush=True)
    if a.out:
        g.wv.save(a.out)


if __name__ == "__main__":
    main()
