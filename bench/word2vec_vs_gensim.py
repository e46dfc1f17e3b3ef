"""adlkit's word2vec against gensim's, side by side on the same corpus with the same settings.

Each training runs in its own child process (clean peak memory, no shared caches); adlkit and
gensim ALTERNATE (adlkit, gensim, gensim, adlkit, ...) so background load hits both alike.

Settings (both): vector_size 100, window 5 (words per side), min_count 5, negative 5,
sample 1e-3, alpha 0.025, epochs 5 (1 with --quick), workers 2.
Throughput = raw corpus tokens x epochs / training seconds (vocabulary building excluded for
both; it is reported separately as part of the wall time).
Quality: WordSim-353 and SimLex-999 Spearman, Google analogies 3CosAdd with restrict_vocab 30000
(the number of questions evaluated is reported), all computed by adlkit's KeyedVectors for both
models (the same code path; gensim's own evaluate_* agree, see --check-eval). gensim's rows are
put in adlkit's vocabulary order first (the same words; only ties in count are ordered
differently), so restrict_vocab selects the same 30,000 words for both.

    python bench/word2vec_vs_gensim.py --quick            # ~1 M tokens, 1 epoch, < 60 s
    python bench/word2vec_vs_gensim.py --reps 3           # the full corpus, 3 seeds
    python bench/word2vec_vs_gensim.py --glove            # adds GloVe's quality row

The last line printed is one JSON object (see the issue) with the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _eval_sets() -> dict[str, Path]:
    from adlkit.data.text import gensim_test_data

    d = gensim_test_data()
    return {"ws353": d / "wordsim353.tsv", "simlex": d / "simlex999.txt", "analogies": d / "questions-words.txt"}


def _evaluate(wv, quick: bool) -> dict:
    sets = _eval_sets()
    out = {"ws353": wv.evaluate_word_pairs(sets["ws353"])[1]}
    if not quick:
        out["simlex"] = wv.evaluate_word_pairs(sets["simlex"])[1]
        score, sections = wv.evaluate_word_analogies(sets["analogies"], restrict_vocab=30000)
        out["analogy"] = score
        out["analogy_n"] = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
    return out


def child(args: argparse.Namespace) -> None:
    """Train one model and print one JSON line."""
    import numpy as np

    from adlkit.data.text import Corpus, load_corpus
    from adlkit.embeddings import KeyedVectors

    corpus: Corpus = load_corpus(args.corpus)
    if args.max_tokens:
        corpus = corpus.head(args.max_tokens)
    kw = dict(vector_size=100, window=5, min_count=5, negative=5, sample=1e-3, alpha=0.025, epochs=args.epochs,
              workers=args.workers)
    t_wall = time.perf_counter()
    res: dict = {"who": args.child, "sg": args.sg, "seed": args.seed, "tokens": corpus.n_tokens}
    if args.child == "adlkit":
        from adlkit.embeddings import Word2Vec

        m = Word2Vec(sg=args.sg, seed=args.seed, **kw)
        m.build_vocab(corpus)
        t0 = time.perf_counter()
        m.train(corpus)
        res["train_s"] = time.perf_counter() - t0
        res["epoch_loss"] = [h.mean_loss for h in m.history]
        wv = m.wv
    elif args.child == "gensim":
        from gensim.models import Word2Vec as GWord2Vec

        sents = list(corpus.sentences())
        m = GWord2Vec(sg=args.sg, seed=args.seed, **kw)
        m.build_vocab(sents)
        t0 = time.perf_counter()
        m.train(sents, total_examples=len(sents), epochs=args.epochs)
        res["train_s"] = time.perf_counter() - t0
        # Same words, but gensim breaks count ties by LAST first appearance and adlkit by first:
        # put gensim's rows in adlkit's order so that restrict_vocab picks the identical words.
        ours = [w for w, n in zip(corpus.words, np.asarray(corpus.counts).tolist()) if n >= 5]
        if set(ours) == set(m.wv.index_to_key):
            rows = [m.wv.key_to_index[w] for w in ours]
            wv = KeyedVectors(np.asarray(m.wv.vectors)[rows], ours)
        else:
            res["vocab_differs"] = True
            wv = KeyedVectors(np.asarray(m.wv.vectors), list(m.wv.index_to_key))
        if args.check_eval:
            sets = _eval_sets()
            res["gensim_own_ws353"] = float(m.wv.evaluate_word_pairs(str(sets["ws353"]))[1][0])
            res["gensim_own_analogy"] = float(m.wv.evaluate_word_analogies(str(sets["analogies"]),
                                                                           restrict_vocab=30000)[0])
    elif args.child == "glove":
        from adlkit.embeddings import GloVe

        m = GloVe(vector_size=100, window=10, max_vocab=args.glove_vocab, min_count=5, epochs=args.glove_epochs,
                  workers=args.workers, seed=args.seed)
        t0 = time.perf_counter()
        m.fit(corpus)
        res["train_s"] = time.perf_counter() - t0
        res["cooc_s"] = m.cooc_seconds_
        res["nnz"] = int(m.nnz_)
        res["vocab"] = len(m.wv)
        wv = m.wv
    else:
        raise SystemExit(f"unknown child {args.child}")
    res["wall_s"] = time.perf_counter() - t_wall
    res["wps"] = corpus.n_tokens * args.epochs / res["train_s"]
    res["vocab"] = len(wv)
    res.update(_evaluate(wv, args.quick))
    res["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(res), flush=True)


def _spawn(args: argparse.Namespace, who: str, sg: int, seed: int, epochs: int) -> dict:
    cmd = [sys.executable, str(HERE), "--child", who, "--sg", str(sg), "--seed", str(seed), "--epochs", str(epochs),
           "--workers", str(args.workers), "--corpus", args.corpus, "--max-tokens", str(args.max_tokens),
           "--glove-vocab", str(args.glove_vocab), "--glove-epochs", str(args.glove_epochs)]
    if args.quick:
        cmd.append("--quick")
    if args.check_eval:
        cmd.append("--check-eval")
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"child {who} failed:\n{out.stderr[-3000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="~1 M tokens, 1 epoch, WordSim-353 only")
    ap.add_argument("--corpus", default="builtin", help="'builtin' (adlkit corpus build), a corpus dir or a text file")
    ap.add_argument("--reps", type=int, default=1, help="seeds per architecture and library")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--glove", action="store_true", help="also train GloVe and report its quality")
    ap.add_argument("--glove-vocab", type=int, default=30000)
    ap.add_argument("--glove-epochs", type=int, default=50)
    ap.add_argument("--check-eval", action="store_true", help="also run gensim's own evaluate_* on its model")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sg", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--epochs", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--max-tokens", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.quick:
        args.max_tokens = args.max_tokens or 1_000_000
    epochs = args.epochs or (1 if args.quick else 5)
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}  load average before: {os.getloadavg()}",
          flush=True)
    rows: list[dict] = []
    summary: dict = {}
    for name, sg in (("sg", 1), ("cbow", 0)):
        for rep in range(args.reps):
            order = ("adlkit", "gensim") if rep % 2 == 0 else ("gensim", "adlkit")
            for who in order:
                r = _spawn(args, who, sg, seed=rep + 1, epochs=epochs)
                r["load"] = os.getloadavg()[0]
                rows.append(r)
                print(json.dumps(r), flush=True)
        med = {who: {k: statistics.median(r[k] for r in rows if r["who"] == who and r["sg"] == sg)
                     for k in ("wps", "ws353")} for who in ("adlkit", "gensim")}
        summary[name] = {"adlkit_wps": round(med["adlkit"]["wps"]), "gensim_wps": round(med["gensim"]["wps"]),
                         "ratio": round(med["adlkit"]["wps"] / med["gensim"]["wps"], 3),
                         "adlkit_ws353": round(med["adlkit"]["ws353"], 4), "gensim_ws353": round(med["gensim"]["ws353"], 4)}
    if args.glove:
        r = _spawn(args, "glove", 0, seed=1, epochs=1)
        r["load"] = os.getloadavg()[0]
        rows.append(r)
        print(json.dumps(r), flush=True)
        summary["glove"] = {k: r.get(k) for k in ("ws353", "simlex", "analogy", "analogy_n", "train_s", "vocab")}
    print(f"# load average after: {os.getloadavg()}", flush=True)
    if not args.quick:
        _table(rows)
    print(json.dumps({"corpus_tokens": rows[0]["tokens"], **summary}), flush=True)


def _table(rows: list[dict]) -> None:
    print("| model | seed | train s | words/s | peak RSS MB | WS-353 | SimLex | analogy (n) | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        name = {1: "skip-gram", 0: "CBOW"}[r["sg"]] if r["who"] != "glove" else "GloVe"
        print(f"| {r['who']} {name} | {r['seed']} | {r['train_s']:.1f} | {r['wps'] / 1e6:.3f} M | {r['peak_rss_mb']:.0f} "
              f"| {r['ws353']:.3f} | {r.get('simlex', float('nan')):.3f} | {r.get('analogy', float('nan')):.3f} "
              f"({r.get('analogy_n', 0)}) | {r['load']:.2f} |")


if __name__ == "__main__":
    main()
