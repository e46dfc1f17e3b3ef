"""A word-sense discrimination test from WordNet's example sentences (question 2D, measured).

WordNet (Debian ``wordnet-base``: ``/usr/share/wordnet/data.{noun,verb,adj,adv}``) gives each
synset (word sense) a gloss with quoted example sentences. For a polysemous word such as
*bank*, the examples of its different senses are sentences where the same word form means
different things ("he sat on the bank of the river" / "the bank is on the corner").

Test set (:func:`sense_occurrences`): every single-word lemma with at least ``min_senses`` senses
that have an example sentence containing the word (its base form or an inflection: WordNet's
exception lists plus the regular -s/-es/-ed/-ing/-er/-est rules), at least one of them with two
examples; the occurrence is the word's first position in the sentence. Every occurrence is a
candidate neighbour; the occurrences whose sense has another example are the queries. Sentences are tokenised like the
rest of adlkit (lowercased ASCII letter runs).

Measures (:func:`evaluate`), for one way of turning an occurrence into a vector:

- nearest-neighbour sense accuracy, leave one out: for each query, the most cosine-similar
  other occurrence OF THE SAME WORD; correct when it has the same sense. Ties are broken
  uniformly at random *in expectation* (the fraction of the tied neighbours with the right
  sense), so a static vector, for which every occurrence of a word is the same vector and every
  other occurrence ties at cosine 1, scores exactly the chance rate: the expected accuracy of
  guessing a random other example of the word;
- the mean cosine similarity between occurrences of the same word: over all pairs, over pairs
  with the same sense and over pairs with different senses (exactly 1.0 for static vectors).

Scores are micro-averaged over occurrences (each occurrence is a query).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORDNET_DIR = "/usr/share/wordnet"
INSTALL = "apt-get install -y wordnet-base"
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
FOCUS_WORDS = ("bank", "bass", "plant", "spring", "bat", "crane", "match", "run", "light", "play")
_WORD = re.compile(r"[a-z]+")
_EXAMPLE = re.compile(r'"([^"]+)"')


class WordNetMissing(FileNotFoundError):
    """WordNet's data files are not installed; the message holds the install command."""


@dataclass(frozen=True)
class Synset:
    sense: str          # pos + offset, e.g. "n09213565"
    pos: str            # n, v, a (satellites included), r
    lemmas: tuple[str, ...]
    gloss: str          # the definition, without the examples
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Occurrence:
    word: str
    sense: str
    gloss: str
    tokens: tuple[str, ...]
    position: int


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def parse_data_line(line: str) -> Synset | None:
    """One line of a WordNet ``data.*`` file (``None`` for the license header lines)."""
    if not line or line[0] == " ":
        return None
    head, _, gloss = line.partition(" | ")
    f = head.split()
    offset, pos, n = f[0], f[2], int(f[3], 16)
    pos = "a" if pos == "s" else pos
    lemmas = tuple(re.sub(r"\(.*\)$", "", f[4 + 2 * i]).lower() for i in range(n))
    examples = tuple(e.strip() for e in _EXAMPLE.findall(gloss))
    definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
    return Synset(pos + offset, pos, lemmas, definition, examples)


def read_wordnet(directory: str | Path = WORDNET_DIR) -> Iterator[Synset]:
    d = Path(directory)
    missing = [f"data.{v}" for v in POS_FILES.values() if not (d / f"data.{v}").is_file()]
    if missing:
        raise WordNetMissing(f"WordNet data files not found in {d} ({', '.join(missing)}); install them: {INSTALL}")
    for name in POS_FILES.values():
        with open(d / f"data.{name}", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                s = parse_data_line(line.rstrip("\n"))
                if s is not None:
                    yield s


def read_exceptions(directory: str | Path = WORDNET_DIR) -> dict[str, dict[str, set[str]]]:
    """``{pos: {base: {inflected forms}}}`` from WordNet's ``*.exc`` files (missing files: empty)."""
    out: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in POS_FILES}
    for pos, name in POS_FILES.items():
        p = Path(directory) / f"{name}.exc"
        if not p.is_file():
            continue
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            f = line.split()
            for base in f[1:]:
                out[pos][base].add(f[0])
    return out


def inflections(lemma: str, pos: str) -> set[str]:
    """Regular inflected forms of ``lemma`` (over-generating is harmless: forms are only matched
    against the lemma's own example sentences)."""
    f = {lemma}
    if pos == "n":
        f |= {lemma + "s", lemma + "es"}
        if lemma.endswith("y"):
            f.add(lemma[:-1] + "ies")
    elif pos == "v":
        f |= {lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing", lemma + lemma[-1] + "ed",
              lemma + lemma[-1] + "ing"}
        if lemma.endswith("e"):
            f.add(lemma[:-1] + "ing")
        if lemma.endswith("y"):
            f |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    elif pos == "a":
        f |= {lemma + "er", lemma + "est", lemma + "r", lemma + "st"}
        if lemma.endswith("y"):
            f |= {lemma[:-1] + "ier", lemma[:-1] + "iest"}
    return f


def sense_occurrences(synsets: Iterable[Synset], exceptions: dict[str, dict[str, set[str]]] | None = None,
                      words: Iterable[str] | None = None, min_senses: int = 2, min_examples: int = 2,
                      max_tokens: int = 40) -> list[Occurrence]:
    """The test set (see the module docstring), sorted by word then sense."""
    exceptions = exceptions or {}
    wanted = set(words) if words is not None else None
    per_word: dict[str, dict[str, list[Occurrence]]] = defaultdict(lambda: defaultdict(list))
    for s in synsets:
        for lemma in s.lemmas:
            if not _WORD.fullmatch(lemma) or (wanted is not None and lemma not in wanted):
                continue
            forms = inflections(lemma, s.pos) | exceptions.get(s.pos, {}).get(lemma, set())
            for ex in s.examples:
                toks = tokenize(ex)
                if len(toks) > max_tokens:
                    continue
                pos = next((i for i, t in enumerate(toks) if t in forms), None)
                if pos is not None:
                    per_word[lemma][s.sense].append(Occurrence(lemma, s.sense, s.gloss, tuple(toks), pos))
    out: list[Occurrence] = []
    for word in sorted(per_word):
        senses = per_word[word]
        if len(senses) >= min_senses and max(len(v) for v in senses.values()) >= min_examples:
            for k in sorted(senses):
                out.extend(senses[k])
    return out


def wordnet_dir() -> Path:
    """``$ADLKIT_WORDNET`` if set, else Debian's ``/usr/share/wordnet``."""
    return Path(os.environ.get("ADLKIT_WORDNET") or WORDNET_DIR)


def load_sense_test(directory: str | Path | None = None, words: Iterable[str] | None = None,
                    min_senses: int = 2, min_examples: int = 2) -> list[Occurrence]:
    d = wordnet_dir() if directory is None else Path(directory)
    return sense_occurrences(read_wordnet(d), read_exceptions(d), words, min_senses, min_examples)


def by_word(occ: Sequence[Occurrence]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(occ):
        groups[o.word].append(i)
    return dict(groups)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def evaluate(occ: Sequence[Occurrence], vectors: np.ndarray, tie_tol: float = 1e-9) -> dict:
    """Sense accuracy and cross-context cosines of ``vectors`` (one row per occurrence)."""
    if len(vectors) != len(occ):
        raise ValueError(f"{len(vectors)} vectors for {len(occ)} occurrences")
    correct = 0.0
    n_q = 0
    cos_all: list[float] = []
    cos_same: list[float] = []
    cos_diff: list[float] = []
    words: dict[str, dict] = {}
    for word, idx in by_word(occ).items():
        u = _unit(vectors[idx])
        sim = np.clip(u @ u.T, -1.0, 1.0)
        senses = np.array([occ[i].sense for i in idx])
        same = senses[:, None] == senses[None, :]
        n = len(idx)
        off = ~np.eye(n, dtype=bool)
        wc = 0.0
        queries = [q for q in range(n) if (same[q] & off[q]).any()]
        for q in queries:
            s = np.where(off[q], sim[q], -np.inf)
            best = s >= s.max() - tie_tol
            wc += float(same[q][best].mean())
        iu = np.triu_indices(n, 1)
        cs, sm = sim[iu], same[iu]
        cos_all += cs.tolist()
        cos_same += cs[sm].tolist()
        cos_diff += cs[~sm].tolist()
        if not queries:
            continue
        words[word] = {"occurrences": n, "queries": len(queries), "senses": int(len(set(senses))),
                       "accuracy": wc / len(queries),
                       "cos_same_sense": float(cs[sm].mean()) if sm.any() else float("nan"),
                       "cos_diff_sense": float(cs[~sm].mean()) if (~sm).any() else float("nan")}
        correct += wc
        n_q += len(queries)
    return {"accuracy": correct / max(n_q, 1), "queries": n_q, "words": len(words),
            "cos_all": float(np.mean(cos_all)) if cos_all else float("nan"),
            "cos_same_sense": float(np.mean(cos_same)) if cos_same else float("nan"),
            "cos_diff_sense": float(np.mean(cos_diff)) if cos_diff else float("nan"),
            "per_word": words}


# ----------------------------------------------------------------------------- vectorisers
def static_vectors(occ: Sequence[Occurrence], lookup: Callable[[str], np.ndarray | None]) -> np.ndarray:
    """The static vector of the target word at every occurrence (the same for all of them)."""
    return np.stack([lookup(o.word) for o in occ])


def context_mean_vectors(occ: Sequence[Occurrence], lookup: Callable[[str], np.ndarray | None], dim: int
                         ) -> np.ndarray:
    """A bag-of-static-vectors baseline: the mean static vector of the OTHER known words of the
    sentence (context without order or composition)."""
    out = np.zeros((len(occ), dim))
    for i, o in enumerate(occ):
        vs = [v for j, t in enumerate(o.tokens) if j != o.position and (v := lookup(t)) is not None]
        if vs:
            out[i] = np.mean(vs, axis=0)
    return out


def cove_vectors(occ: Sequence[Occurrence], cove, include_static: bool = False) -> np.ndarray:
    """The CoVe vector (optionally ``[GloVe; CoVe]``) at each occurrence's position."""
    enc = cove.encode([list(o.tokens) for o in occ], include_static=include_static)
    return np.stack([enc[i][o.position].numpy() for i, o in enumerate(occ)])


def known(occ: Sequence[Occurrence], vocab: Callable[[str], bool]) -> list[Occurrence]:
    """The occurrences whose target word has a static vector (words that still have two senses,
    one of them with two examples)."""
    kept = [o for o in occ if vocab(o.word)]
    out = []
    for _word, idx in by_word(kept).items():
        counts: dict[str, int] = defaultdict(int)
        for i in idx:
            counts[kept[i].sense] += 1
        if len(counts) >= 2 and max(counts.values()) >= 2:
            out += [kept[i] for i in idx]
    return out


def run_sense_test(cove, occ: Sequence[Occurrence]) -> dict:
    """All four representations on the same occurrences: static GloVe, context mean of GloVe,
    CoVe, and the downstream ``[GloVe; CoVe]``."""
    E = cove.encoder.embedding.weight.detach().numpy()

    def lookup(w: str) -> np.ndarray | None:
        i = cove.index.get(w)
        return None if i is None or i < 2 else E[i]

    occ = known(occ, lambda w: w in cove.index)
    if not occ:
        raise ValueError("no test word has a static vector")
    static = static_vectors(occ, lookup)
    contextual = cove_vectors(occ, cove)
    reps = {
        "static (GloVe)": static,
        "context mean of GloVe": context_mean_vectors(occ, lookup, E.shape[1]),
        "CoVe": contextual,
        "[GloVe; CoVe]": np.concatenate([static, contextual], axis=1),
    }
    return {"occurrences": occ, "vectors": reps, "results": {k: evaluate(occ, v) for k, v in reps.items()}}


def plot_word(occ: Sequence[Occurrence], reps: dict[str, np.ndarray], word: str, path: str | Path,
              methods: Sequence[str] = ("static (GloVe)", "CoVe")) -> Path:
    """2-D PCA of ``word``'s occurrences, one panel per representation, coloured by sense."""
    import matplotlib

    from adlkit.plotting import subplots

    idx = [i for i, o in enumerate(occ) if o.word == word]
    if not idx:
        raise ValueError(f"{word!r} is not in the sense test")
    senses = sorted({occ[i].sense for i in idx})
    colors = matplotlib.colormaps["tab20"]
    fig, axes = subplots(1, len(methods), figsize=(6.5 * len(methods), 6.5))
    for ax, m in zip(np.atleast_1d(axes), methods):
        X = np.asarray(reps[m][idx], dtype=np.float64)
        Xc = X - X.mean(0)
        _, s, vt = np.linalg.svd(Xc, full_matrices=False)
        P = Xc @ vt[:2].T if s.size and s[0] > 1e-9 else np.zeros((len(idx), 2))
        if P.shape[1] < 2:
            P = np.pad(P, ((0, 0), (0, 2 - P.shape[1])))
        for k, sense in enumerate(senses):
            sel = [j for j, i in enumerate(idx) if occ[i].sense == sense]
            gloss = next(occ[idx[j]].gloss for j in sel)
            ax.scatter(P[sel, 0], P[sel, 1], color=colors(k % 20), s=40, alpha=0.85,
                       marker="o" if sense[0] == "n" else "^", label=f"{sense[0]}. {gloss[:50]}")
            if not m.startswith("static"):
                for j in sel:
                    o = occ[idx[j]]
                    snippet = " ".join(o.tokens[max(0, o.position - 2): o.position + 3])
                    ax.annotate(snippet, (P[j, 0], P[j, 1]), fontsize=6, alpha=0.8,
                                xytext=(3, 3), textcoords="offset points")
        title = f"{m}: every '{word}' is one point" if m.startswith("static") else f"{m}: '{word}' in context"
        ax.set_title(title)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    handles, labels = np.atleast_1d(axes)[-1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="lower center", ncol=2, frameon=False)
    fig.suptitle(f"'{word}' in {len(idx)} WordNet example sentences ({len(senses)} senses; o noun, ^ other), "
                 "PCA to 2-D")
    fig.tight_layout(rect=(0, 0.05 + 0.018 * ((len(senses) + 1) // 2), 1, 1))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=110)
    return p
