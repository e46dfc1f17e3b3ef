"""CoVe commands: ``corpus parallel``, ``train cove``, ``eval senses``, ``embed``,
``explain cove-vs-static`` and ``explain glove-vs-word2vec``. The pipelines they run live in
:mod:`adlkit.embeddings.pipeline`.

Heavy imports (torch, numpy, matplotlib) happen inside the functions.
"""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import fail, nonfinite_exit, output_dir, output_file, save_safely, user_errors


class Objective(str, Enum):
    """The choices of ``--objective`` (``adlkit.embeddings.pipeline.train_cove``'s objectives)."""

    translation = "translation"
    bilm = "bilm"


TRAIN_HINT = ("adlkit corpus build && adlkit corpus parallel && adlkit train glove && "
              "adlkit train cove  (adlkit train glove writes {vec}, where adlkit train cove looks)")


# ----------------------------------------------------------------------------- corpus parallel
def corpus_parallel(
    lang: str = typer.Option("de", "--lang", "-l", help="Target language code of the catalogs (de, fr, ...)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (default: ~/.cache/adlkit/corpus/parallel/en-LANG, or $ADLKIT_DATA)."),
    tsv: Optional[Path] = typer.Option(None, "--tsv", help="Your own pairs: a UTF-8 file, 'english<TAB>target' per line."),
    sources: str = typer.Option("system,python", "--sources", help="Catalog sources: 'system' (/usr/share/locale/*/*.mo), 'python' (.po files of installed packages); '' for none (with --tsv)."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Keep placeholders and markup (only white space is normalised)."),
    max_tokens: int = typer.Option(40, "--max-tokens", help="Drop pairs with a longer side."),
    valid: float = typer.Option(0.05, "--valid", help="Fraction of English sources held out for validation."),
    test: float = typer.Option(0.05, "--test", help="Fraction held out for testing."),
) -> None:
    """Build the English -> LANG parallel corpus from gettext catalogs (and/or your TSV)."""
    from tqdm.auto import tqdm

    from adlkit.data import parallel as par

    if not (0 <= valid < 1 and 0 <= test < 1 and valid + test < 1):
        fail("--valid and --test must be fractions in [0, 1) with valid + test < 1")
    if max_tokens < 1:
        fail("--max-tokens must be at least 1")
    dest = output_dir(out or par.default_parallel_dir(lang))
    srcs = [s.strip() for s in sources.split(",") if s.strip()]
    bar: list = []

    def on_catalogs(n: int) -> None:
        bar.append(tqdm(total=n, desc="reading catalogs", unit="catalog", leave=False))

    def progress(k: int) -> None:
        if bar:
            bar[0].update(k)

    t0 = time.perf_counter()
    with user_errors():
        c = par.build_parallel(dest, lang=lang, sources=srcs, tsv=tsv, clean=not no_clean,
                               pair_filter=par.PairFilter(max_tokens=max_tokens), valid=valid, test=test,
                               progress=progress, on_catalogs=on_catalogs)
    if bar:
        bar[0].close()
    m = c.meta
    typer.echo(f"wrote {c.path} in {time.perf_counter() - t0:.1f} s")
    typer.echo(f"catalogs: {m['catalogs']['system']} system (.mo), {m['catalogs']['python']} from Python packages"
               + (f"; TSV {tsv} ({m['tsv_malformed_lines']} malformed lines skipped)" if tsv else ""))
    typer.echo(f"pairs read {m['pairs_read']}, kept {m['kept']}; dropped: "
               + ", ".join(f"{k} {v}" for k, v in sorted(m["dropped"].items(), key=lambda x: -x[1])))
    typer.echo(f"{'split':<6} {'pairs':>7} {'en tokens':>10} {lang + ' tokens':>10}")
    for s in par.SPLITS:
        t = m["tokens"][s]
        typer.echo(f"{s:<6} {m['sizes'][s]:>7} {t['en']:>10} {t[lang]:>10}")
    if m["kept"] < 5000:
        typer.echo("note: a small corpus; more catalogs: " + par.INSTALL_HINT.split("\n", 1)[1].split("\nor")[0].strip(),
                   err=True)


# ----------------------------------------------------------------------------- train cove
def train_cove(
    vectors: Optional[Path] = typer.Option(None, "--vectors", "-v", help="Frozen input vectors: our GloVe (.safetensors from 'adlkit train glove') or any word2vec text file. Default: ~/.cache/adlkit/models/glove.safetensors."),
    corpus: str = typer.Option("builtin", "--corpus", "-c", help="translation: 'builtin' (after adlkit corpus parallel) or a parallel corpus directory. bilm: 'builtin' (after adlkit corpus build), a corpus directory or a text file."),
    objective: Objective = typer.Option(Objective.translation, "--objective", help="translation (needs a parallel corpus; CoVe's) or bilm (monolingual text)."),
    hidden: int = typer.Option(150, "--hidden", help="MT-LSTM hidden size per direction (CoVe vectors have 2x this)."),
    layers: int = typer.Option(2, "--layers", help="MT-LSTM layers."),
    decoder_hidden: int = typer.Option(256, "--decoder-hidden", help="Translation decoder hidden size."),
    target_vocab: int = typer.Option(6000, "--target-vocab", help="Most frequent target words kept (others -> <unk>)."),
    epochs: int = typer.Option(8, "--epochs", "-e"),
    batch_size: int = typer.Option(128, "--batch-size", "-b"),
    lr: float = typer.Option(2e-3, "--lr", help="Adam learning rate."),
    dropout: float = typer.Option(0.2, "--dropout"),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes", help="Stop training after this many minutes (keeps the best checkpoint)."),
    max_train: Optional[int] = typer.Option(None, "--max-train", help="Use only the first N training pairs/sentences."),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch CPU threads (default: torch's)."),
    seed: int = typer.Option(0, "--seed"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (default: ~/.cache/adlkit/models/cove)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from OUT/checkpoints/last.pt (same options)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train CoVe's MT-LSTM (translation or bidirectional-LM objective) and report held-out
    perplexity and BLEU; writes cove.safetensors (the encoder), the full model and results.json
    (and the training loop's checkpoints, for --resume, to OUT/checkpoints)."""
    import torch

    from adlkit.embeddings import pipeline
    from adlkit.train import NonFiniteLossError

    for name, v in (("--hidden", hidden), ("--layers", layers), ("--decoder-hidden", decoder_hidden),
                    ("--target-vocab", target_vocab), ("--epochs", epochs), ("--batch-size", batch_size)):
        if v < 1:
            fail(f"{name} must be at least 1")
    if threads is not None:
        if threads < 1:
            fail("--threads must be at least 1")
        torch.set_num_threads(threads)
    vec_path = vectors or pipeline.default_vectors()
    if not vec_path.is_file():
        if vectors is None:
            fail(f"input vectors not found: {vec_path}; get them with: adlkit corpus build && adlkit train glove "
                 "(it writes there by default), or pass --vectors FILE")
        fail(f"input vectors not found: {vec_path} (--vectors); 'adlkit train glove' with no --out writes "
             f"{pipeline.default_vectors()}, the default here")
    out_dir = output_dir(out or pipeline.default_model_dir())
    try:
        with user_errors():
            run = pipeline.train_cove(
                vec_path, corpus, objective.value, hidden=hidden, layers=layers, decoder_hidden=decoder_hidden,
                target_vocab=target_vocab, epochs=epochs, batch_size=batch_size, lr=lr, dropout=dropout,
                max_minutes=max_minutes, max_train=max_train, seed=seed, checkpoint_dir=out_dir / "checkpoints",
                resume=resume, progress=not quiet, command="adlkit " + " ".join(sys.argv[1:]), echo=typer.echo)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    paths = run.save(out_dir, save=save_safely)
    typer.echo(f"wrote {paths['encoder']} and {paths['results']} ({run.record['total_seconds'] / 60:.1f} min)")


# ----------------------------------------------------------------------------- senses
def _default_cove() -> Path:
    from adlkit.embeddings.pipeline import default_model_dir

    return default_model_dir() / "cove.safetensors"


def _train_hint() -> str:
    from adlkit.embeddings.pipeline import default_vectors

    return TRAIN_HINT.format(vec=default_vectors())


def _load_cove(path: Optional[Path]):
    from adlkit.embeddings.cove import CoVe

    p = path or _default_cove()
    if not p.is_file():
        fail(f"no trained CoVe at {p}; train it: " + _train_hint())
    with user_errors():
        return CoVe.load(p), p


def _sense_report(cove, word: Optional[str], plot: Optional[Path], echo=typer.echo) -> dict:
    from adlkit.embeddings import senses as se

    with user_errors():
        occ = se.load_sense_test()
    run = se.run_sense_test(cove, occ)
    res = run["results"]
    o = run["occurrences"]
    echo(f"WordNet sense test: {res['CoVe']['words']} polysemous words, {len(o)} example sentences, "
         f"{res['CoVe']['queries']} queries (nearest other occurrence of the same word, cosine)")
    echo(f"{'representation':<24} {'sense acc.':>10} {'cos all':>8} {'same sense':>11} {'diff. sense':>12}")
    for k, r in res.items():
        echo(f"{k:<24} {r['accuracy']:>10.3f} {r['cos_all']:>8.3f} {r['cos_same_sense']:>11.3f} {r['cos_diff_sense']:>12.3f}")
    echo("static vectors give every occurrence the same vector: cosine 1.000 across contexts, and the "
         "nearest neighbour is a tie, so their accuracy is the chance rate of picking another example.")
    focus = [w for w in se.FOCUS_WORDS if w in res["CoVe"]["per_word"]]
    if focus:
        echo(f"{'word':<8} {'occ.':>5} {'senses':>6} {'static':>7} {'CoVe':>6} {'CoVe cos same/diff':>19}")
        for w in focus:
            c, s = res["CoVe"]["per_word"][w], res["static (GloVe)"]["per_word"][w]
            echo(f"{w:<8} {c['occurrences']:>5} {c['senses']:>6} {s['accuracy']:>7.3f} {c['accuracy']:>6.3f} "
                 f"{c['cos_same_sense']:>9.3f}/{c['cos_diff_sense']:.3f}")
    out = {"results": {k: {kk: vv for kk, vv in r.items() if kk != "per_word"} for k, r in res.items()}}
    if plot is not None:
        w = word or "bank"
        with user_errors():
            p = se.plot_word(o, run["vectors"], w, plot)
        echo(f"wrote {p}")
        out["plot"] = str(p)
    return out


def eval_senses(
    cove_path: Optional[Path] = typer.Option(None, "--cove", help="A CoVe checkpoint (default: ~/.cache/adlkit/models/cove/cove.safetensors)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Also write a 2-D projection of --word's occurrences (PNG)."),
    word: str = typer.Option("bank", "--word", help="The word to plot."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the figures as JSON."),
) -> None:
    """WordNet word-sense test: static GloVe vs CoVe (contextual) vectors."""
    plot = output_file(plot) if plot is not None else None
    json_out = output_file(json_out) if json_out is not None else None
    cove, p = _load_cove(cove_path)
    typer.echo(f"CoVe: {p}")
    out = _sense_report(cove, word, plot)
    if json_out:
        json_out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- embed
def embed(
    sentences: list[str] = typer.Argument(..., help="One or more sentences (quote each)."),
    word: Optional[str] = typer.Option(None, "--word", "-w", help="Compare this word's vectors across the sentences."),
    cove_path: Optional[Path] = typer.Option(None, "--cove", help="A CoVe checkpoint (default: ~/.cache/adlkit/models/cove/cove.safetensors)."),
) -> None:
    """Contextual vectors of a sentence: [GloVe(w); CoVe(w)] and their cosine similarities."""
    import torch

    from adlkit.data.parallel import tokenize_en

    toks = [tokenize_en(s) for s in sentences]
    empty = [s for s, t in zip(sentences, toks) if not t]
    if empty:
        fail(f"no words in {empty[0]!r} (tokens are ASCII letter runs)")
    cove, p = _load_cove(cove_path)
    enc = cove.encode(toks)
    d, h = cove.input_size, cove.output_size
    typer.echo(f"CoVe {p}: GloVe d = {d}, CoVe 2h = {h}, downstream [GloVe; CoVe] = {d + h}")

    def cos(a, b) -> float:
        return float(torch.nn.functional.cosine_similarity(a, b, dim=0))

    E = cove.encoder.embedding.weight
    if word is None:
        for s, t, v in zip(sentences, toks, enc):
            typer.echo(f"\n{s}")
            unk = [w for w in t if w not in cove.index]
            if unk:
                typer.echo(f"  no static vector (zero input): {', '.join(unk)}")
            typer.echo("  cosine of CoVe vectors between the tokens:")
            typer.echo("  " + " " * 12 + "".join(f"{w[:7]:>8}" for w in t))
            for i, w in enumerate(t):
                typer.echo(f"  {w[:12]:<12}" + "".join(f"{cos(v[i], v[j]):>8.3f}" for j in range(len(t))))
        return
    w = word.lower()
    pos = []
    for s, t in zip(sentences, toks):
        if w not in t:
            fail(f"{word!r} does not occur in {s!r}")
        pos.append(t.index(w))
    if w not in cove.index:
        typer.echo(f"note: {w!r} has no static vector (zero input); CoVe still sees its context", err=True)
    vs = [enc[k][pos[k]] for k in range(len(sentences))]
    g = E[cove.index.get(w, 1)].detach()
    typer.echo(f"'{w}': static GloVe vector norm {float(g.norm()):.3f}; CoVe vector norms "
               + ", ".join(f"{float(v.norm()):.3f}" for v in vs))
    if len(sentences) == 1:
        t = toks[0]
        typer.echo(f"cosine of CoVe('{w}') with the CoVe vectors of the other tokens:")
        for j, x in enumerate(t):
            if j != pos[0]:
                typer.echo(f"  {x:<14} {cos(vs[0], enc[0][j]):.3f}")
        return
    n = len(sentences)
    for title, mat in (("static GloVe (same vector in every sentence)", lambda i, j: 1.0 if float(g.norm()) > 0 else float("nan")),
                       ("CoVe", lambda i, j: cos(vs[i], vs[j])),
                       ("[GloVe; CoVe]", lambda i, j: cos(torch.cat([g, vs[i]]), torch.cat([g, vs[j]])))):
        typer.echo(f"\ncosine similarity of '{w}' across the sentences, {title}:")
        typer.echo("      " + "".join(f"{'s' + str(j + 1):>8}" for j in range(n)))
        for i in range(n):
            typer.echo(f"  s{i + 1:<3}" + "".join(f"{mat(i, j):>8.3f}" for j in range(n)))
    for i, s in enumerate(sentences):
        typer.echo(f"  s{i + 1}: {s}")


# ----------------------------------------------------------------------------- explain
def _print_concept(key: str) -> None:
    from adlkit.solve.printers.plain import to_plain
    from adlkit.solve.problems.concept import CONCEPTS

    c = CONCEPTS[key]
    typer.echo(c.question)
    typer.echo("")
    typer.echo(c.summary)
    for text, formula in c.points:  # the formulas rendered for the terminal, as the text printer does
        typer.echo(f"  - {text}" + (f":  {to_plain(formula)}" if formula else ""))
    typer.echo("")


def explain_cove_vs_static(
    cove_path: Optional[Path] = typer.Option(None, "--cove", help="A CoVe checkpoint (default: ~/.cache/adlkit/models/cove/cove.safetensors)."),
    plot: Path = typer.Option(Path("cove_bank.png"), "--plot", help="Where to write the 2-D projection of 'bank' in its WordNet contexts."),
    word: str = typer.Option("bank", "--word", help="The word to plot."),
) -> None:
    """Question 2D: the sheet's answer, then CoVe's context sensitivity measured."""
    from adlkit.embeddings.cove import read_extra

    p = cove_path or _default_cove()
    if not p.is_file():
        _print_concept("cove_vs_static")
        typer.echo("Measured (our models, our corpora):")
        typer.echo(f"  no trained CoVe at {p}. Train it (about half an hour on 2 CPU cores):\n    " + _train_hint())
        typer.echo("  then run this command again.")
        return
    plot = output_file(plot)
    cove, _ = _load_cove(p)
    full = p.parent / "cove-translation.safetensors"
    with user_errors():
        r = read_extra(full) if full.is_file() else None
    _print_concept("cove_vs_static")
    typer.echo("Measured (our models, our corpora):")
    if r is not None:
        t = r.get("test", {})
        typer.echo(f"  MT-LSTM trained as the encoder of an English->German translation model on "
                   f"{r.get('sizes', {}).get('train', '?')} message pairs of gettext catalogs "
                   f"({r.get('train_seconds', 0) / 60:.0f} min, {r.get('machine', '?')}):")
        if t:
            typer.echo(f"  held-out test perplexity {t['perplexity']:.2f} (a model that learned nothing: "
                       f"{r.get('target_vocab', '?')}, the target vocabulary), BLEU {t['bleu']:.2f} "
                       f"({t['sentences']} sentences, greedy decoding)")
    typer.echo("")
    _sense_report(cove, word, plot)


def _print_glove_evidence(rec: dict, echo=typer.echo) -> None:
    w, g = rec["word2vec"], rec["glove"]
    echo(f"  corpus: {rec['corpus_tokens']:,} tokens, {rec['corpus_sentences']:,} sentences; "
         f"{rec['machine']}, {rec['workers']} threads; measured {rec['date']}")
    echo(f"  {'':<34} {'word2vec (skip-gram)':>21} {'GloVe':>12}")
    echo(f"  {'passes over the corpus':<34} {str(w['passes_over_corpus']) + ' (windows)':>21} "
         f"{'1 (counting)':>12}")
    nnz = g["nonzero_cooccurrences"]
    echo(f"  {'an epoch trains on':<34} {'every window':>21} {(f'{nnz:,} X_ij' if nnz > 0 else 'X_ij != 0'):>12}")
    echo(f"  {'epochs':<34} {w['epochs']:>21} {g['epochs']:>12}")
    echo(f"  {'training time (s)':<34} {w['seconds']:>21.0f} {g['seconds']:>12.0f}")
    for key, label in (("wordsim353", "WordSim-353 Spearman"), ("simlex999", "SimLex-999 Spearman")):
        echo(f"  {label:<34} {w['eval'][key]['spearman']:>21.3f} {g['eval'][key]['spearman']:>12.3f}")
    wa, ga = w["eval"]["analogies"], g["eval"]["analogies"]
    echo(f"  {'Google analogies (3CosAdd)':<34} {wa['accuracy']:>21.3f} {ga['accuracy']:>12.3f}"
         f"   ({wa['questions']:,} / {ga['questions']:,} questions in vocabulary)")
    echo("  GloVe's work per epoch is the number of distinct co-occurring pairs, fixed once counted, "
         "while word2vec's grows with the corpus: that is the global-statistics advantage. Which vectors "
         "score higher on this small corpus is measured above, not assumed.")


def explain_glove_vs_word2vec(
    measure: bool = typer.Option(False, "--measure", help="Train both models now on the built corpus and time them (minutes)."),
    corpus: str = typer.Option("builtin", "--corpus", "-c", help="For --measure: 'builtin' (after adlkit corpus build), a corpus directory or a text file."),
    epochs_w2v: int = typer.Option(5, "--w2v-epochs"),
    epochs_glove: int = typer.Option(15, "--glove-epochs"),
    max_vocab: int = typer.Option(30000, "--max-vocab", help="Vocabulary of both models (most frequent words)."),
    workers: int = typer.Option(2, "--workers", "-j"),
) -> None:
    """Question 2C: the sheet's answer, then GloVe and word2vec measured side by side."""
    import importlib.util

    from adlkit.embeddings import pipeline

    p = pipeline.glove_w2v_record_path()
    if measure:
        output_dir(pipeline.models_dir())
        output_dir(p.parent)
        if importlib.util.find_spec("gensim") is None:
            fail("the evaluation sets ship with gensim's test data: pip install gensim")
    _print_concept("glove_vs_word2vec")
    typer.echo("Measured (our models, our corpus):")
    if measure:
        with user_errors():
            rec = pipeline.measure_glove_vs_word2vec(corpus, epochs_w2v, epochs_glove, max_vocab, workers,
                                                     echo=typer.echo, save=save_safely)
    elif p.is_file():
        with user_errors():
            rec = json.loads(p.read_text(encoding="utf-8"))
    else:
        typer.echo(f"  no measurements yet ({p}). Run (about 10-20 minutes on 2 CPU cores):\n"
                   "    adlkit corpus build && adlkit explain glove-vs-word2vec --measure")
        return
    _print_glove_evidence(rec)


def register(groups: dict[str, typer.Typer]) -> None:
    groups["corpus"].command("parallel")(corpus_parallel)
    groups["train"].command("cove")(train_cove)
    groups["eval"].command("senses")(eval_senses)
    groups["app"].command("embed")(embed)
    groups["explain"].command("cove-vs-static")(explain_cove_vs_static)
    groups["explain"].command("glove-vs-word2vec")(explain_glove_vs_word2vec)
