"""adlkit.lm.NGram against NLTK's nltk.lm on the English corpus: held-out perplexities and time.

Models: bigram and trigram, add-one (NLTK's Laplace) and interpolated Kneser-Ney (NLTK's
KneserNeyInterpolated, discount 0.75 for both), trained on the training part of the shared split
(:func:`adlkit.lm.data.split_sentences`: every 10th sentence held out) of the first ``--tokens``
tokens of the corpus.

NLTK's conventions are matched explicitly: NLTK gets OUR padded sentences (n - 1 ``<s>``, one
``</s>``; its padded_everygram_pipeline would add n - 1 ``</s>``) and their everygrams; add-one's V
is NLTK's ``len(lm.vocab)`` (which also counts ``<s>`` and ``<UNK>``), passed as ``vocab_size``;
held-out sentences with a word unseen in training are left out (both libraries give it
probability 0 under Kneser-Ney). NLTK's Kneser-Ney scans every stored n-gram for each query, so
Kneser-Ney is scored on the first ``--kn-sentences`` held-out sentences only (both libraries on the
same ones); add-one on all of them.

Timings: fitting plus scoring, per model, both libraries in this one process, one after the
other. NLTK counts once per order (its two models share the counts; each is charged half of
the counting time); adlkit fits each model from the sentences. ``speedup`` = total NLTK seconds
/ total adlkit seconds.

    python bench/ngram_vs_nltk.py --quick      # 200,000 tokens, < 60 s
    python bench/ngram_vs_nltk.py              # 1,000,000 tokens

The LAST line printed is ``{"max_rel_diff": .., "adlkit_s": .., "nltk_s": .., "speedup": ..}``.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200,000 tokens, 4 Kneser-Ney sentences")
    ap.add_argument("--corpus", default="builtin", help="'builtin' (adlkit corpus build), a corpus directory or a text file")
    ap.add_argument("--tokens", type=int, default=None)
    ap.add_argument("--kn-sentences", type=int, default=None)
    args = ap.parse_args()
    tokens = args.tokens or (200_000 if args.quick else 1_000_000)
    kn_sentences = args.kn_sentences or (4 if args.quick else 40)

    from nltk.lm import KneserNeyInterpolated, Laplace
    from nltk.util import everygrams

    from adlkit.data.text import load_corpus
    from adlkit.lm import NGram
    from adlkit.lm.data import split_sentences

    train, test = split_sentences(load_corpus(args.corpus), tokens)
    seen = {w for s in train for w in s}
    test = [s for s in test if all(w in seen for w in s)]
    rows, adl_total, nltk_total, worst = [], 0.0, 0.0, 0.0
    for n in (2, 3):
        pad = lambda s, n=n: ["<s>"] * (n - 1) + s + ["</s>"]
        t0 = time.perf_counter()  # NLTK counts once per order; both of its models share them
        base = Laplace(n)
        base.fit((everygrams(pad(s), max_len=n) for s in train), (t for s in train for t in pad(s)))
        t_counts = time.perf_counter() - t0
        for name, cls, smoothing in (("add_one", Laplace, "add_k"), ("kneser_ney", KneserNeyInterpolated, "kneser_ney")):
            held = test if smoothing == "add_k" else test[:kn_sentences]
            t0 = time.perf_counter()
            ref = base if smoothing == "add_k" else cls(n, discount=0.75, vocabulary=base.vocab, counter=base.counts)
            grams = [tuple(pad(s)[i - n + 1:i + 1]) for s in held for i in range(n - 1, len(pad(s)))]
            ppl_nltk = ref.perplexity(grams)
            t_nltk = time.perf_counter() - t0 + t_counts / 2  # each model is charged half of the counting
            t0 = time.perf_counter()
            ours = NGram(n, smoothing, discount=0.75, vocab_size=len(ref.vocab)).fit(train)
            ppl_ours = ours.perplexity(held)
            t_ours = time.perf_counter() - t0
            rel = abs(ppl_ours - ppl_nltk) / ppl_nltk
            worst = max(worst, rel)
            adl_total += t_ours
            nltk_total += t_nltk
            rows.append({"n": n, "smoothing": name, "held_out_sentences": len(held), "N": len(grams),
                         "ppl_adlkit": ppl_ours, "ppl_nltk": ppl_nltk, "rel_diff": rel,
                         "adlkit_s": round(t_ours, 3), "nltk_s": round(t_nltk, 3)})
            print(json.dumps(rows[-1]), flush=True)
    n_train = sum(len(s) for s in train)
    print(f"# {n_train} training tokens, {len(train)} sentences; {len(test)} in-vocabulary held-out sentences")
    print(json.dumps({"max_rel_diff": worst, "adlkit_s": round(adl_total, 3), "nltk_s": round(nltk_total, 3),
                      "speedup": round(nltk_total / adl_total, 1)}))


if __name__ == "__main__":
    main()
