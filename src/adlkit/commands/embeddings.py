"""``adlkit corpus build``, ``adlkit train word2vec|glove``, ``adlkit eval embeddings``, ``adlkit similar``.

numpy/numba/gensim-heavy modules are imported inside the commands.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import fail, output_dir, output_file, save_safely, user_errors


class Mode(str, Enum):
    lines = "lines"
    raw = "raw"


# ----------------------------------------------------------------------------- corpus
def corpus_build(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (default: ~/.cache/adlkit/corpus/english, or $ADLKIT_DATA)."),
    sources: Optional[str] = typer.Option(None, "--sources", help="Comma-separated built-in sources (default: all). See --list."),
    input: Optional[list[Path]] = typer.Option(None, "--input", "-i", help="Your own text file(s) instead of the built-in sources (repeatable)."),
    mode: Mode = typer.Option(Mode.lines, "--mode", help="For --input: 'lines' = one sentence per line, 'raw' = running text split into sentences."),
    list_sources: bool = typer.Option(False, "--list", help="List the built-in sources and whether each is installed."),
) -> None:
    """Build a tokenised corpus (int32 token ids on disk) from the offline English sources or your files.

    Tokenisation: lowercased ASCII letter runs; sentences split after . ! ? ; (see adlkit.data.text).
    """
    from adlkit.data import text

    if list_sources:
        for name, (desc, _) in text.SOURCES.items():
            missing = text.check_sources([name])
            typer.echo(f"{name:10s} {'installed' if not missing else 'MISSING: ' + missing[0].split(': ', 1)[1]:s}  {desc}")
        return
    for p in input or []:
        if not p.is_file():
            fail(f"input file not found: {p}")
    dest = output_dir(out or (text.default_corpus_dir().parent / input[0].stem if input else text.default_corpus_dir()))
    from tqdm import tqdm

    with user_errors():
        bar = tqdm(unit="tok", unit_scale=True, desc="tokenising", dynamic_ncols=True)
        if input:
            def stream():
                for p in input:
                    yield from text.file_sentences(p, mode.value)

            c = text.Corpus.from_sentences(stream(), dest, meta={"inputs": [str(p) for p in input], "mode": mode.value},
                                           progress=bar.update)
        else:
            names = [s.strip() for s in sources.split(",") if s.strip()] if sources else None
            c = text.build_builtin(dest, names, progress=bar.update)
        bar.close()
    n5 = int((c.counts >= 5).sum())
    typer.echo(f"corpus: {c.n_tokens:,} tokens, {c.n_sentences:,} sentences, {len(c.words):,} word types "
               f"({n5:,} with count >= 5)\nwritten to {dest}")
    if not input and out is None:
        typer.echo("next: adlkit train word2vec --corpus builtin --sg")


# ----------------------------------------------------------------------------- training
def _save(wv, out: Path) -> Path:
    """Write the vectors (.txt/.vec: word2vec text format, else safetensors); a save that fails
    goes to a safe place (said on stderr). Returns where they went."""

    def write(p: Path) -> None:
        if p.suffix in (".txt", ".vec"):
            wv.save_word2vec_format(p)
        else:
            wv.save(p)

    where = save_safely(write, out, "the vectors")
    typer.echo(f"wrote {where} ({len(wv):,} words x {wv.vector_size})")
    return where


def _quick_eval(wv) -> None:
    import importlib.util

    if importlib.util.find_spec("gensim") is None:
        typer.echo("(evaluation sets come with gensim: pip install gensim)")
        return
    from adlkit.data.text import gensim_test_data

    d = gensim_test_data()
    try:
        _, rho, oov = wv.evaluate_word_pairs(d / "wordsim353.tsv")
    except ValueError as e:  # a tiny vocabulary
        typer.echo(f"(WordSim-353 not computed: {e})")
        return
    typer.echo(f"WordSim-353 Spearman {rho:.3f} (OOV {oov:.1f}%)")


def train_word2vec(
    corpus: str = typer.Option("builtin", "--corpus", "-c", help="'builtin' (after adlkit corpus build), a corpus directory, or a text file (one sentence per line)."),
    sg: bool = typer.Option(True, "--sg/--cbow", help="Skip-gram (default) or CBOW."),
    vector_size: int = typer.Option(100, "--vector-size", "-d", help="Embedding dimension."),
    window: int = typer.Option(5, "--window", "-w", help="Context words ON EACH SIDE (gensim's meaning; the course's total span is 2*window+1)."),
    min_count: int = typer.Option(5, "--min-count", help="Ignore words rarer than this."),
    negative: int = typer.Option(5, "--negative", help="Negative samples per prediction."),
    sample: float = typer.Option(1e-3, "--sample", help="Frequent-word subsampling threshold (0 = off)."),
    alpha: float = typer.Option(0.025, "--alpha", help="Initial learning rate (decays linearly to --min-alpha)."),
    min_alpha: float = typer.Option(0.0001, "--min-alpha"),
    epochs: int = typer.Option(5, "--epochs", "-e"),
    workers: int = typer.Option(2, "--workers", "-j", help="Hogwild threads."),
    seed: int = typer.Option(1, "--seed", help="Seed (bit-for-bit reproducible with --workers 1)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output: .safetensors (fast binary, default) or .txt/.vec (word2vec text format)."),
) -> None:
    """Train word2vec (negative sampling) on a corpus; shows the float64 loss and words/s per epoch."""
    with user_errors():
        from adlkit.data.text import load_corpus
        from adlkit.embeddings import Word2Vec

        model = Word2Vec(vector_size=vector_size, window=window, min_count=min_count, sg=int(sg), negative=negative,
                         sample=sample, alpha=alpha, min_alpha=min_alpha, epochs=epochs, workers=workers, seed=seed,
                         progress=True)
        out = output_file(out or Path(f"word2vec-{'sg' if sg else 'cbow'}.safetensors"))
        c = load_corpus(corpus)
        typer.echo(f"corpus: {c.n_tokens:,} tokens; {'skip-gram' if sg else 'CBOW'}, d={vector_size}, "
                   f"window={window} per side, {epochs} epochs, {workers} workers", err=True)
        model.fit(c)
    where = _save(model.wv, out)
    for h in model.history:
        typer.echo(f"epoch {h.epoch}: loss {h.mean_loss:.4f} per prediction (sum {h.loss:.6g}), "
                   f"{h.words_per_sec / 1e6:.2f} M words/s")
    _quick_eval(model.wv)
    typer.echo(f"next: adlkit eval embeddings {where}")


def train_glove(
    corpus: str = typer.Option("builtin", "--corpus", "-c", help="'builtin', a corpus directory, or a text file."),
    vector_size: int = typer.Option(200, "--vector-size", "-d"),
    window: int = typer.Option(15, "--window", "-w", help="Context words on each side (weights 1/distance with --distance-weighting)."),
    max_vocab: int = typer.Option(0, "--max-vocab", help="Keep the most frequent words only (0 = all)."),
    min_count: int = typer.Option(5, "--min-count"),
    epochs: int = typer.Option(30, "--epochs", "-e"),
    x_max: float = typer.Option(100.0, "--x-max"),
    alpha: float = typer.Option(0.75, "--alpha", help="Weighting exponent of f(x) = min(1, (x/x_max)^alpha)."),
    eta: float = typer.Option(0.1, "--eta", help="AdaGrad step (glove.c: 0.05)."),
    sample: float = typer.Option(1e-4, "--sample", help="Frequent-word subsampling before counting (word2vec's threshold; 0: off, as glove.c)."),
    init: str = typer.Option("glove", "--init", help="Starting vectors: scaled (U(-0.5, 0.5)/sqrt(d)) | glove (glove.c's U(-0.5, 0.5)/d)."),
    distance_weighting: bool = typer.Option(False, "--distance-weighting/--no-distance-weighting", help="A pair dist words apart adds 1/dist (--distance-weighting, glove.c's default) or 1 (plain counts)."),
    workers: int = typer.Option(2, "--workers", "-j"),
    seed: int = typer.Option(1, "--seed"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output (.safetensors, or .txt/.vec text). Default: ~/.cache/adlkit/models/glove.safetensors, where 'adlkit train cove' looks."),
) -> None:
    """Train GloVe (sparse co-occurrence, AdaGrad); the vectors are W + W~.

    The defaults are the best full-vocabulary setting measured on the built corpus (every word
    seen 5 times, d 200, window 15 without distance weighting, subsampling 1e-4, glove.c's small
    start, 30 epochs: WordSim-353 0.600 with --workers 1, bench/RESULTS.md); glove.c's own
    defaults differ (--distance-weighting --sample 0)."""
    with user_errors():
        from adlkit.data.text import load_corpus
        from adlkit.embeddings import GloVe
        from adlkit.embeddings.pipeline import default_vectors

        out = out if out is not None else default_vectors()

        model = GloVe(vector_size=vector_size, window=window, max_vocab=max_vocab or None, min_count=min_count,
                      x_max=x_max, alpha=alpha, eta=eta, epochs=epochs, workers=workers, seed=seed, sample=sample,
                      init=init, distance_weighting=distance_weighting, progress=True)
        out = output_file(out)
        model.fit(load_corpus(corpus))
    where = _save(model.wv, out)
    typer.echo(f"co-occurrence: {model.nnz_:,} non-zero pairs in {model.cooc_seconds_:.1f} s; "
               f"final cost {model.history[-1]:.4f}")
    _quick_eval(model.wv)
    typer.echo(f"next: adlkit eval embeddings {where}")


# ----------------------------------------------------------------------------- evaluation
def eval_embeddings(
    vectors: Path = typer.Argument(..., help="Vectors file (.safetensors from adlkit, or word2vec text format)."),
    restrict_vocab: int = typer.Option(30000, "--restrict-vocab", help="Analogies: search the N most frequent words."),
    sections: bool = typer.Option(False, "--sections", help="Also list every analogy section."),
    abtt: int = typer.Option(0, "--all-but-the-top", help="Post-process first: subtract the mean and remove the top N principal directions (Mu & Viswanath 2018; N ~ d/100). 0: the vectors as saved."),
) -> None:
    """WordSim-353, SimLex-999 (Spearman) and the Google analogies (3CosAdd) in one table."""
    import importlib.util

    from rich.console import Console
    from rich.table import Table

    from adlkit.embeddings import KeyedVectors
    from adlkit.embeddings.benchmarks import evaluate_vectors

    with user_errors():
        wv = KeyedVectors.load(vectors)  # a file that is not vectors is the first fault to report
    if abtt:
        from adlkit.embeddings import all_but_the_top

        if not 0 < abtt <= min(len(wv), wv.vector_size):
            fail(f"--all-but-the-top must be in 0..{min(len(wv), wv.vector_size)} for {len(wv)} vectors of "
                 f"dimension {wv.vector_size}, got {abtt}")
        wv = all_but_the_top(wv, abtt)
    if importlib.util.find_spec("gensim") is None:
        fail("the evaluation sets ship with gensim's test data: pip install gensim")
    with user_errors():
        ev = evaluate_vectors(wv, restrict_vocab)
    table = Table(title=f"{vectors} ({len(wv):,} words x {wv.vector_size})" + (" post-processed" if abtt else ""))
    for col in ("benchmark", "metric", "score", "coverage"):
        table.add_column(col, justify="right" if col in ("score", "coverage") else "left")
    for name, key in (("WordSim-353", "wordsim353"), ("SimLex-999", "simlex999")):
        r = ev[key]
        if "error" in r:
            fail(r["error"])
        table.add_row(name, "Spearman", f"{r['spearman']:.3f}", f"{100 - r['oov_percent']:.1f}% pairs")
        table.add_row("", "Pearson", f"{r['pearson']:.3f}", "")
    a = ev["analogies"]
    for label in ("semantic", "syntactic", "all"):
        t = a[label] if label != "all" else a
        c, n = t["correct"], t["questions"]
        table.add_row("Google analogies" if label == "semantic" else "", f"3CosAdd {label}",
                      f"{c / n:.3f}" if n else "n/a",
                      f"{n:,} questions" + (f" of {a['questions_in_file']:,}" if label == "all" else ""))
    console = Console()
    if abtt:
        typer.echo(f"post-processed: all-but-the-top {abtt} (the mean and the top {abtt} principal directions "
                   "removed); these are not the vectors as trained")
    console.print(table)
    console.print(f"analogies searched among the {min(restrict_vocab, len(wv)):,} most frequent words; questions "
                  "with a word outside them are skipped")
    if sections:
        for s in a["sections"]:
            n = s["questions"]
            console.print(f"  {s['section']:30s} {s['correct'] / n if n else float('nan'):.3f}  ({n} questions)")


def similar(
    vectors: Path = typer.Argument(..., help="Vectors file (.safetensors or word2vec text format)."),
    words: list[str] = typer.Argument(..., help="Query word(s); several are averaged."),
    minus: Optional[list[str]] = typer.Option(None, "--minus", help="Subtract these (analogy: king --minus man --plus woman)."),
    plus: Optional[list[str]] = typer.Option(None, "--plus", help="Add these."),
    topn: int = typer.Option(10, "--topn", "-n"),
) -> None:
    """Nearest words by cosine similarity."""
    with user_errors():
        from adlkit.embeddings import KeyedVectors

        wv = KeyedVectors.load(vectors)
        pos = [w.lower() if w not in wv and w.lower() in wv else w for w in list(words) + list(plus or [])]
        neg = [w.lower() if w not in wv and w.lower() in wv else w for w in (minus or [])]
        res = wv.most_similar(positive=pos, negative=neg, topn=topn)
    for w, s in res:
        typer.echo(f"{s:7.4f}  {w}")


def register(groups: dict[str, typer.Typer]) -> None:
    groups["corpus"].command("build")(corpus_build)
    groups["train"].command("word2vec")(train_word2vec)
    groups["train"].command("glove")(train_glove)
    groups["eval"].command("embeddings")(eval_embeddings)
    groups["app"].command("similar")(similar)
