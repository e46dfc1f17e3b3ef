"""Where saved word vectors lose WordSim-353, and what all-but-the-top post-processing does.

    python bench/glove_diagnose.py ~/.cache/adlkit/models/glove.safetensors --top 10000 --abtt 0,1,2,3,4,5

For the raw vectors and for ``adlkit.embeddings.all_but_the_top(vectors, D)`` at each ``D`` given
(``--abtt``; ``-`` in the output = raw), prints one JSON line: WordSim-353 Spearman over every
scored pair, over the pairs whose two words are both among the ``--top`` most frequent (the
vectors' first rows: trainers write them in decreasing frequency order) and over the rest, with
the number of pairs in each, the mean cosine and human score of each subset, and (a diagnostic
that uses the subset labels) the pooled Spearman once each subset's cosines are z-scored, i.e.
without the offset between the frequent and the rare pairs' cosines; SimLex-999 likewise; and the Google analogies (3CosAdd over the
30,000 most frequent words) via ``adlkit.embeddings.benchmarks.evaluate_vectors``, whose
all-pairs Spearman is printed beside ours as a cross-check.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def pair_scores(wv, path: Path, top: int) -> dict:
    """Spearman of cosine vs human score over all in-vocabulary pairs, the top-``top`` ones, the rest."""
    import numpy as np
    from scipy import stats

    lookup: dict[str, int] = {}
    for i in range(len(wv) - 1, -1, -1):  # most frequent spelling wins, as KeyedVectors does
        lookup[wv.index_to_key[i].lower()] = i
    n = wv.get_normed_vectors()
    rows = []
    oov = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            try:
                score = float(parts[2])
            except (IndexError, ValueError):
                continue
            a, b = parts[0].lower(), parts[1].lower()
            if a not in lookup or b not in lookup:
                oov += 1
                continue
            ia, ib = lookup[a], lookup[b]
            rows.append((float(n[ia] @ n[ib]), score, max(ia, ib) < top))
    sims, human, frequent = (np.array(c) for c in zip(*rows))

    def rho(mask):
        return (round(float(stats.spearmanr(sims[mask], human[mask])[0]), 4), int(mask.sum()))

    every = np.ones(len(sims), dtype=bool)
    (a, na), (t, nt), (r, nr) = rho(every), rho(frequent), rho(~frequent)
    # diagnostic only (it uses the subset labels): the pooled score once each subset's cosines are
    # z-scored, i.e. without the offset between frequent and rare pairs' cosines
    z = sims.copy()
    for m in (frequent, ~frequent):
        if m.sum() > 1:
            z[m] = (sims[m] - sims[m].mean()) / max(sims[m].std(), 1e-12)
    return {"all": a, "n_all": na, "top": t, "n_top": nt, "rest": r, "n_rest": nr, "oov": oov,
            "mean_cos_top": round(float(sims[frequent].mean()), 4), "mean_cos_rest": round(float(sims[~frequent].mean()), 4),
            "mean_human_top": round(float(human[frequent].mean()), 3), "mean_human_rest": round(float(human[~frequent].mean()), 3),
            "all_offset_removed": round(float(stats.spearmanr(z, human)[0]), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vectors", type=Path)
    ap.add_argument("--top", type=int, default=10000, help="the frequent subset: both words among the N most frequent")
    ap.add_argument("--abtt", default="0,1,2,3,4,5", help="all-but-the-top components to try (comma list; raw always)")
    ap.add_argument("--no-analogies", action="store_true")
    a = ap.parse_args()

    from adlkit.data.text import gensim_test_data
    from adlkit.embeddings import KeyedVectors, all_but_the_top
    from adlkit.embeddings.benchmarks import evaluate_vectors

    raw = KeyedVectors.load(a.vectors)
    d = gensim_test_data()
    for k in [None] + [int(x) for x in a.abtt.split(",") if x.strip()]:
        t0 = time.perf_counter()
        wv = raw if k is None else all_but_the_top(raw, k)
        out = {"abtt": "-" if k is None else k, "words": len(wv), "d": wv.vector_size,
               "wordsim353": pair_scores(wv, d / "wordsim353.tsv", a.top),
               "simlex999": pair_scores(wv, d / "simlex999.txt", a.top)}
        if not a.no_analogies:
            ev = evaluate_vectors(wv)
            out["check_wordsim353_all"] = round(ev["wordsim353"]["spearman"], 4)
            out["analogies"] = round(ev["analogies"]["accuracy"], 4)
            out["questions"] = ev["analogies"]["questions"]
        out["seconds"] = round(time.perf_counter() - t0, 1)
        out["load"] = os.getloadavg()[0]
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
