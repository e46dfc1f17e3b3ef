"""English text corpora that work offline, streamed into an int32 token-id array on disk.

Tokenisation (the one used everywhere in adlkit): a text unit (a verse, a gloss, a dictionary
paragraph, a fortune, a line of a user file) is split into sentences after ``.``, ``!``, ``?``
or ``;`` followed by white space; each sentence is lowercased and its tokens are the maximal
runs of ASCII letters ``[a-z]+`` (so "don't" -> "don", "t"; digits and punctuation vanish).
Sentences with fewer than two tokens are dropped (they carry no context).

A built corpus is a directory holding

- ``tokens.npy``   int32, shape (N,): every token of every sentence, as ids into the vocabulary;
- ``offsets.npy``  int64, shape (S + 1,): sentence ``s`` is ``tokens[offsets[s]:offsets[s+1]]``;
- ``vocab.tsv``    ``word<TAB>count`` per line, id = line number, sorted by count (descending,
  ties by first appearance);
- ``meta.json``    sources and sizes.

Building streams: memory is the vocabulary dictionary plus fixed-size buffers, never the text.
Loading memory-maps the arrays.
"""

from __future__ import annotations

import bz2
import gzip
import html
import importlib.util
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from adlkit.core.paths import data_home

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"[a-z]+")


class CorpusSourceMissing(FileNotFoundError):
    """A corpus source is not installed; the message holds the exact install command."""


def tokenize(text: str) -> list[str]:
    """Lowercased ASCII letter runs of ``text``."""
    return _WORD.findall(text.lower())


def split_sentences(text: str) -> Iterator[list[str]]:
    """Sentences of ``text`` (see the module docstring), each a list of >= 2 tokens."""
    for piece in _SENTENCE_END.split(text):
        toks = tokenize(piece)
        if len(toks) >= 2:
            yield toks


# ----------------------------------------------------------------------------- sources
def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Join consecutive non-blank lines into one text unit."""
    buf: list[str] = []
    for line in lines:
        if line.strip():
            buf.append(line.strip())
        elif buf:
            yield " ".join(buf)
            buf = []
    if buf:
        yield " ".join(buf)


def _dictd(name: str, package: str) -> Callable[[], Iterator[str]]:
    path = Path(f"/usr/share/dictd/{name}.dict.dz")

    def units() -> Iterator[str]:
        if not path.exists():
            raise CorpusSourceMissing(f"{path} not found: apt-get install -y {package}")
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            # skip the 00-database-* header entries
            for para in _paragraphs(f):
                if not para.startswith("00-database") and not para.startswith("00database"):
                    yield para

    return units


def _wordnet() -> Iterator[str]:
    root = Path("/usr/share/wordnet")
    files = [root / f"data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
    if not all(p.exists() for p in files):
        raise CorpusSourceMissing(f"{root}/data.* not found: apt-get install -y wordnet-base")
    for p in files:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(" "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                # offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id ...] ...
                n_words = int(fields[3], 16)
                lemmas = [fields[4 + 2 * k].replace("_", " ") for k in range(n_words)]
                parts = [p.strip().strip('"') for p in gloss.split(";")]
                # the lemmas open the definition: "dog domestic dog: a member of the genus ..."
                yield ", ".join(lemmas) + ": " + parts[0] + "."
                for ex in parts[1:]:
                    yield ex + "."


def _kjv() -> Iterator[str]:
    exe = "/usr/bin/bible"
    if not (os.path.exists(exe) and os.path.exists("/usr/lib/bible.data")):
        raise CorpusSourceMissing("the King James Bible is not installed: apt-get install -y bible-kjv-text bible-kjv")
    proc = subprocess.Popen([exe, "-l100000", "Gen1:1-Rev22:21"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    verse = re.compile(r"^\s*\d+\s+(.*)$")
    try:
        for line in proc.stdout:
            m = verse.match(line)
            if m:
                yield m.group(1)
    finally:  # also when the consumer stops early
        proc.stdout.close()
        proc.kill()
        proc.wait()


def _fortunes() -> Iterator[str]:
    root = Path("/usr/share/games/fortunes")
    if not root.is_dir():
        raise CorpusSourceMissing(f"{root} not found: apt-get install -y fortunes")
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.is_symlink() and p.suffix not in (".dat", ".u8"))
    for p in files:
        with open(p, encoding="utf-8", errors="replace") as f:
            buf: list[str] = []
            for line in f:
                if line.rstrip("\n") == "%":
                    yield from _paragraphs(buf)
                    buf = []
                else:
                    buf.append(line)
            yield from _paragraphs(buf)


def gensim_test_data() -> Path:
    """Folder of gensim's test data (Wikipedia sample, Lee corpus, evaluation sets)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise CorpusSourceMissing("gensim's test data is not installed: pip install gensim")
    return Path(spec.origin).parent / "test" / "test_data"


_WIKI_DROP = [
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<ref[^>]*/>"),
    re.compile(r"<ref.*?</ref>", re.S),
    re.compile(r"<[^>]+>"),
    re.compile(r"\[\[(?:File|Image|Category|[a-z][a-z-]*):[^\]]*\]\]"),
    re.compile(r"\[https?://\S+\s?([^\]]*)\]"),
]
_WIKI_LINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_WIKI_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")


def _wiki_clean(text: str) -> str:
    text = html.unescape(html.unescape(text))
    for _ in range(3):  # nested templates
        text = _WIKI_TEMPLATE.sub(" ", text)
    for pat in _WIKI_DROP:
        text = pat.sub(r" \1 " if pat.groups else " ", text)
    text = _WIKI_LINK.sub(r"\1", text)
    return text


def _wikipedia() -> Iterator[str]:
    path = gensim_test_data() / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
    if not path.exists():
        raise CorpusSourceMissing(f"{path} not found: pip install gensim")
    with bz2.open(path, "rt", encoding="utf-8", errors="replace") as f:
        in_text = False
        buf: list[str] = []
        for line in f:
            if "<text" in line:
                in_text = True
                line = line[line.index(">", line.index("<text")) + 1 :]
            if in_text:
                end = "</text>" in line
                if end:
                    line = line[: line.index("</text>")]
                buf.append(line)
                if end:
                    in_text = False
                    article = _wiki_clean("".join(buf))
                    buf = []
                    for raw in article.split("\n"):
                        s = raw.strip()
                        if s and not s.startswith(("|", "!", "{|", "|}", "=", "*", "#", ":", ";")):
                            yield s


def _lee() -> Iterator[str]:
    path = gensim_test_data() / "lee_background.cor"
    if not path.exists():
        raise CorpusSourceMissing(f"{path} not found: pip install gensim")
    with open(path, encoding="utf-8", errors="replace") as f:
        yield from f


#: Built-in sources: name -> (description, generator of text units).
SOURCES: dict[str, tuple[str, Callable[[], Iterator[str]]]] = {
    "gcide": ("GNU Collaborative International Dictionary of English (apt: dict-gcide)", _dictd("gcide", "dict-gcide")),
    "wordnet": ("WordNet glosses and lemmas (apt: wordnet-base)", _wordnet),
    "kjv": ("King James Bible (apt: bible-kjv-text)", _kjv),
    "foldoc": ("Free On-line Dictionary of Computing (apt: dict-foldoc)", _dictd("foldoc", "dict-foldoc")),
    "jargon": ("Jargon File (apt: dict-jargon)", _dictd("jargon", "dict-jargon")),
    "devil": ("The Devil's Dictionary (apt: dict-devil)", _dictd("devil", "dict-devil")),
    "fortunes": ("fortune cookies (apt: fortunes)", _fortunes),
    "wikipedia": ("gensim's Wikipedia sample (pip: gensim)", _wikipedia),
    "lee": ("gensim's Lee background news corpus (pip: gensim)", _lee),
}

INSTALL_ALL = (
    "apt-get install -y dict-gcide wordnet-base bible-kjv-text dict-foldoc dict-jargon dict-devil fortunes"
    " && pip install gensim"
)


def check_sources(names: Iterable[str]) -> list[str]:
    """Return one message per missing source (empty when all are installed)."""
    missing = []
    for name in names:
        if name not in SOURCES:
            raise ValueError(f"unknown corpus source {name!r}; known: {', '.join(SOURCES)}")
        try:
            next(iter(SOURCES[name][1]()), None)
        except CorpusSourceMissing as e:
            missing.append(f"{name}: {e}")
    return missing


def builtin_sentences(names: Iterable[str] | None = None) -> Iterator[list[str]]:
    """Stream the tokenised sentences of the built-in sources (all by default)."""
    for name in names if names is not None else SOURCES:
        for unit in SOURCES[name][1]():
            yield from split_sentences(unit)


def file_sentences(path: str | os.PathLike[str], mode: str = "lines") -> Iterator[list[str]]:
    """Stream a user text file (UTF-8; ``.gz``/``.bz2`` read transparently).

    ``mode="lines"``: one sentence per line (already segmented text; only tokenised).
    ``mode="raw"``: running text; paragraphs (blank-line separated) are split into sentences.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"corpus file not found: {p}")
    opener: Callable[..., object] = open
    if p.suffix == ".gz":
        opener = gzip.open
    elif p.suffix == ".bz2":
        opener = bz2.open
    with opener(p, "rt", encoding="utf-8", errors="replace") as f:  # type: ignore[operator]
        if mode == "lines":
            for line in f:  # type: ignore[attr-defined]
                toks = tokenize(line)
                if len(toks) >= 2:
                    yield toks
        elif mode == "raw":
            for para in _paragraphs(f):  # type: ignore[arg-type]
                yield from split_sentences(para)
        else:
            raise ValueError(f"mode must be 'lines' or 'raw', got {mode!r}")


# ----------------------------------------------------------------------------- storage
@dataclass
class Corpus:
    """A tokenised corpus: ``tokens`` (int32, N), ``offsets`` (int64, S + 1), ``words``, ``counts``.

    ``words[i]`` is the word of id ``i``; ``counts[i]`` its count in ``tokens``; ids are sorted by
    decreasing count. Arrays may be memory maps (see :meth:`load`).
    """

    tokens: np.ndarray
    offsets: np.ndarray
    words: list[str]
    counts: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def n_tokens(self) -> int:
        return int(self.tokens.shape[0])

    @property
    def n_sentences(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def sentences(self) -> Iterator[list[str]]:
        """Iterate sentences as lists of words (for peers such as gensim)."""
        words = self.words
        toks, offs = self.tokens, self.offsets
        for s in range(self.n_sentences):
            yield [words[t] for t in toks[offs[s] : offs[s + 1]]]

    def head(self, max_tokens: int) -> Corpus:
        """The first whole sentences holding at most ``max_tokens`` tokens (vocab ids kept)."""
        s = int(np.searchsorted(self.offsets, max_tokens, side="right")) - 1
        s = max(s, 1)
        end = int(self.offsets[s])
        toks = np.asarray(self.tokens[:end])
        counts = np.bincount(toks, minlength=len(self.words)).astype(np.int64)
        return Corpus(toks, np.asarray(self.offsets[: s + 1]), self.words, counts, dict(self.meta, head=max_tokens))

    # -- construction
    @classmethod
    def from_sentences(cls, sentences: Iterable[list[str]], out_dir: str | os.PathLike[str] | None = None,
                       meta: dict | None = None, progress: Callable[[int], None] | None = None,
                       chunk_tokens: int = 1 << 20) -> Corpus:
        """Build from a stream of tokenised sentences.

        With ``out_dir`` the arrays are streamed to disk in chunks of ``chunk_tokens`` and the
        result is memory-mapped; without it everything stays in memory (small corpora, tests).
        ``progress(n_new_tokens)`` is called after each chunk.
        """
        index: dict[str, int] = {}
        counts: list[int] = []
        tmp_dir = Path(out_dir) if out_dir is not None else None
        if tmp_dir is not None:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            raw_tok = tempfile.NamedTemporaryFile(dir=tmp_dir, delete=False, suffix=".tok.tmp")
            raw_off = tempfile.NamedTemporaryFile(dir=tmp_dir, delete=False, suffix=".off.tmp")
        chunks_tok: list[np.ndarray] = []
        chunks_off: list[np.ndarray] = []
        buf = np.empty(chunk_tokens, dtype=np.int32)
        fill = 0
        lens: list[int] = []
        n_tok = 0

        def flush() -> None:
            nonlocal fill, lens
            arr = buf[:fill].copy()
            ln = np.asarray(lens, dtype=np.int64)
            if tmp_dir is not None:
                raw_tok.write(arr.tobytes())
                raw_off.write(ln.tobytes())
            else:
                chunks_tok.append(arr)
                chunks_off.append(ln)
            if progress is not None:
                progress(fill)
            fill = 0
            lens = []

        for sent in sentences:
            if len(sent) > chunk_tokens:
                sent = sent[:chunk_tokens]
            if fill + len(sent) > chunk_tokens:
                flush()
            for w in sent:
                i = index.get(w)
                if i is None:
                    i = index[w] = len(counts)
                    counts.append(0)
                counts[i] += 1
                buf[fill] = i
                fill += 1
            lens.append(len(sent))
            n_tok += len(sent)
        flush()

        # frequency order: new id of old id
        cnt = np.asarray(counts, dtype=np.int64)
        order = np.argsort(-cnt, kind="stable")
        remap = np.empty_like(order)
        remap[order] = np.arange(len(order))
        remap = remap.astype(np.int32)
        old_words = list(index)
        words = [old_words[i] for i in order]
        counts_sorted = cnt[order]
        meta = dict(meta or {}, n_tokens=n_tok, n_types=len(words))

        if tmp_dir is None:
            toks = remap[np.concatenate(chunks_tok)] if chunks_tok else np.zeros(0, np.int32)
            lens_all = np.concatenate(chunks_off) if chunks_off else np.zeros(0, np.int64)
            offsets = np.zeros(len(lens_all) + 1, dtype=np.int64)
            np.cumsum(lens_all, out=offsets[1:])
            meta["n_sentences"] = len(lens_all)
            return cls(toks, offsets, words, counts_sorted, meta)

        raw_tok.close()
        raw_off.close()
        src = np.memmap(raw_tok.name, dtype=np.int32, mode="r", shape=(n_tok,)) if n_tok else np.zeros(0, np.int32)
        out = np.lib.format.open_memmap(tmp_dir / "tokens.npy", mode="w+", dtype=np.int32, shape=(n_tok,))
        for a in range(0, n_tok, chunk_tokens):
            out[a : a + chunk_tokens] = remap[src[a : a + chunk_tokens]]
        out.flush()
        del out, src
        n_sent = os.path.getsize(raw_off.name) // 8
        lsrc = np.memmap(raw_off.name, dtype=np.int64, mode="r", shape=(n_sent,)) if n_sent else np.zeros(0, np.int64)
        offs = np.lib.format.open_memmap(tmp_dir / "offsets.npy", mode="w+", dtype=np.int64, shape=(n_sent + 1,))
        offs[0] = 0
        total = 0
        for a in range(0, n_sent, chunk_tokens):
            c = np.cumsum(lsrc[a : a + chunk_tokens]) + total
            offs[a + 1 : a + 1 + len(c)] = c
            total = int(c[-1])
        offs.flush()
        del offs, lsrc
        os.unlink(raw_tok.name)
        os.unlink(raw_off.name)
        with open(tmp_dir / "vocab.tsv", "w", encoding="utf-8") as f:
            for w, c in zip(words, counts_sorted.tolist()):
                f.write(f"{w}\t{c}\n")
        meta["n_sentences"] = n_sent
        (tmp_dir / "meta.json").write_text(json.dumps(meta, indent=1))
        return cls.load(tmp_dir)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Corpus:
        """Memory-map a corpus directory written by :meth:`from_sentences`."""
        p = Path(path)
        if not (p / "tokens.npy").exists():
            raise FileNotFoundError(f"{p} is not a built corpus (no tokens.npy); run: adlkit corpus build")
        words: list[str] = []
        counts: list[int] = []
        with open(p / "vocab.tsv", encoding="utf-8") as f:
            for line in f:
                w, c = line.rstrip("\n").split("\t")
                words.append(w)
                counts.append(int(c))
        meta = json.loads((p / "meta.json").read_text()) if (p / "meta.json").exists() else {}
        return cls(np.load(p / "tokens.npy", mmap_mode="r"), np.load(p / "offsets.npy", mmap_mode="r"),
                   words, np.asarray(counts, dtype=np.int64), meta)


def default_corpus_dir() -> Path:
    """Where ``adlkit corpus build`` writes the built-in corpus (``$ADLKIT_DATA`` or ~/.cache)."""
    return data_home() / "corpus" / "english"


def build_builtin(out_dir: str | os.PathLike[str] | None = None, names: Iterable[str] | None = None,
                  progress: Callable[[int], None] | None = None) -> Corpus:
    """Build the built-in English corpus; raises :class:`CorpusSourceMissing` listing every
    missing source with its install command before reading anything."""
    names = list(names) if names is not None else list(SOURCES)
    missing = check_sources(names)
    if missing:
        raise CorpusSourceMissing("missing corpus sources:\n  " + "\n  ".join(missing))
    out = Path(out_dir) if out_dir is not None else default_corpus_dir()
    return Corpus.from_sentences(builtin_sentences(names), out, meta={"sources": names}, progress=progress)


def load_corpus(spec: str | os.PathLike[str], mode: str = "lines") -> Corpus:
    """``"builtin"`` (the built corpus, see :func:`default_corpus_dir`), a corpus directory, or a
    text file, tokenised once by streaming into a cache directory
    (``$ADLKIT_DATA/corpus/files/NAME-HASH``, default ``~/.cache/adlkit/...``), rebuilt when the
    file's modification time or ``mode`` changes."""
    s = str(spec)
    if s == "builtin":
        d = default_corpus_dir()
        if not (d / "tokens.npy").exists():
            raise FileNotFoundError(f"the built-in corpus is not built yet ({d}); run: adlkit corpus build")
        return Corpus.load(d)
    p = Path(s)
    if p.is_dir():
        return Corpus.load(p)
    if not p.exists():
        raise FileNotFoundError(f"corpus not found: {p} (give a text file, a corpus directory or 'builtin')")
    import hashlib

    digest = hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:12]
    cache = default_corpus_dir().parent / "files" / f"{p.name}-{digest}"
    if (cache / "tokens.npy").exists() and (cache / "meta.json").exists():
        meta = json.loads((cache / "meta.json").read_text())
        if meta.get("source_mtime") == p.stat().st_mtime and meta.get("mode") == mode:
            return Corpus.load(cache)
    return Corpus.from_sentences(file_sentences(p, mode), cache,
                                 meta={"source": str(p), "source_mtime": p.stat().st_mtime, "mode": mode})
