"""Parallel text that works offline: English -> German (or another language) message pairs
from gettext catalogs, cleaned, deduplicated and split into train / valid / test.

Sources (all real translations made by people, read where they are installed):

- ``system``: the binary catalogs of installed Debian packages,
  ``/usr/share/locale/<lang>/LC_MESSAGES/*.mo`` (more packages installed -> more pairs; for
  example ``apt-get install -y iso-codes libc-l10n e2fsprogs-l10n util-linux-locales gnupg-l10n``);
- ``python``: the ``locale/<lang>/LC_MESSAGES/*.po`` (or ``.mo``) catalogs that installed Python
  distributions ship (Django, Sphinx, ...), found through :mod:`importlib.metadata` (their
  RECORD), so nothing is imported (``pip install django sphinx``: about 600 more German pairs
  after deduplication, measured here; the Debian catalogs give about 47,700);
- a user's own TSV file, one ``source<TAB>target`` pair per line.

Cleaning (:func:`clean_message`): printf/Python/shell placeholders (``%s``, ``%(name)s``,
``{0}``, ``${x}``), markup tags and entities, keyboard accelerators (``_File``, ``&Open``),
URLs, e-mail addresses, paths and command-line options are removed, white space collapsed.
A pair is dropped when either side has no word left, a side has more than ``max_tokens``
tokens, the token counts differ by more than a factor of ``max_ratio`` (+2), or both sides
are identical (untranslated strings and proper names would teach copying). Duplicates are
removed per English source (after tokenisation): its most frequent translation is kept.

Split: by a hash of the tokenised English source, so one source never appears in two splits
(a held-out score is held out), reproducible and independent of the order of the catalogs.

Tokenisation: English as everywhere in adlkit (lowercased ASCII letter runs, the vocabulary of
our word2vec/GloVe vectors); the target language as lowercased runs of Unicode letters.

A built corpus is a directory holding ``train.tsv``, ``valid.tsv``, ``test.tsv`` (cleaned text,
``source<TAB>target``) and ``meta.json`` (sources, sizes, drop counts).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from adlkit.core.paths import data_home
from adlkit.data.text import tokenize as tokenize_en  # English as everywhere in adlkit

SPLITS = ("train", "valid", "test")
SYSTEM_LOCALE_DIRS = ("/usr/share/locale", "/usr/share/locale-langpack")
INSTALL_HINT = ("no gettext catalogs found for language {lang!r}; install some, for example:\n"
                "  apt-get install -y iso-codes libc-l10n e2fsprogs-l10n util-linux-locales gnupg-l10n\n"
                "  pip install django sphinx\n"
                "or give your own pairs: adlkit corpus parallel --tsv FILE (source<TAB>target per line)")

_TGT_WORD = re.compile(r"[^\W\d_]+")


class ParallelSourceMissing(FileNotFoundError):
    """No parallel text could be found; the message holds the install commands."""


# ----------------------------------------------------------------------------- tokenisation
def tokenize_target(text: str) -> list[str]:
    """Target-language tokens: lowercased runs of Unicode letters (umlauts and accents kept)."""
    return _TGT_WORD.findall(text.lower())


# ----------------------------------------------------------------------------- catalog readers
def read_mo(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a binary gettext catalog (GNU ``.mo``, either byte order).

    The header entry (empty msgid) is skipped; a message context (``ctx\\x04id``) is removed;
    plural entries give (singular, form 0) and (plural, form 1); untranslated ones are skipped.
    """
    data = Path(path).read_bytes()
    if len(data) < 20:
        raise ValueError(f"{path}: not a gettext .mo file (too short)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0x950412DE:
        end = "<"
    elif magic == 0xDE120495:
        end = ">"
    else:
        raise ValueError(f"{path}: not a gettext .mo file (bad magic number)")
    _rev, n, orig_off, trans_off = struct.unpack(end + "4I", data[4:20])
    raw: list[tuple[bytes, bytes]] = []
    for i in range(n):
        ol, oo = struct.unpack(end + "2I", data[orig_off + 8 * i: orig_off + 8 * i + 8])
        tl, to = struct.unpack(end + "2I", data[trans_off + 8 * i: trans_off + 8 * i + 8])
        raw.append((data[oo: oo + ol], data[to: to + tl]))
    charset = "utf-8"
    for msgid, msgstr in raw:
        if msgid == b"":
            m = re.search(rb"charset=([A-Za-z0-9_.:-]+)", msgstr)
            if m:
                charset = m.group(1).decode("ascii")
    try:
        "".encode(charset)
    except LookupError:
        charset = "utf-8"
    pairs: list[tuple[str, str]] = []
    for msgid_b, msgstr_b in raw:
        if msgid_b == b"" or msgstr_b == b"":
            continue
        msgid = msgid_b.decode(charset, errors="replace")
        msgstr = msgstr_b.decode(charset, errors="replace")
        if "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]
        ids, strs = msgid.split("\x00"), msgstr.split("\x00")
        for _k, (i, s) in enumerate(zip(ids, strs[:2] if len(ids) > 1 else strs[:1])):
            if i and s:
                pairs.append((i, s))
    return pairs


_PO_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
               "f": "\f", "v": "\v"}


def _po_unquote(s: str) -> str:
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise ValueError(f"bad quoted string {s!r}")
    return re.sub(r"\\(.)", lambda m: _PO_ESCAPES.get(m.group(1), m.group(1)), s[1:-1])


def read_po(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a text gettext catalog (``.po``).

    Fuzzy entries (``#, fuzzy``: machine-guessed, unreviewed), obsolete entries (``#~``), the
    header and untranslated entries are skipped; plural entries give (msgid, msgstr[0]) and
    (msgid_plural, msgstr[1]).
    """
    text = Path(path).read_bytes().decode("utf-8", errors="replace")
    pairs: list[tuple[str, str]] = []
    entry: dict[str, str] = {}
    fuzzy = False
    key: str | None = None

    def flush() -> None:
        nonlocal entry, fuzzy, key
        if not fuzzy and entry.get("msgid"):
            if "msgid_plural" in entry:
                for i, s in ((entry["msgid"], entry.get("msgstr[0]", "")),
                             (entry["msgid_plural"], entry.get("msgstr[1]", ""))):
                    if i and s:
                        pairs.append((i, s))
            elif entry.get("msgstr"):
                pairs.append((entry["msgid"], entry["msgstr"]))
        entry, fuzzy, key = {}, False, None

    for line in text.splitlines():
        line = line.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if key is not None and "msgid" in entry and any(k.startswith("msgstr") for k in entry):
                flush()  # a comment after a complete entry starts the next one
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        m = _PO_KEYWORD.match(line)
        if m:
            kw = m.group(1)
            if kw in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
                saved = fuzzy
                flush()  # entries not separated by a blank line
                fuzzy = saved if kw == "msgctxt" else False
            key = kw
            entry[key] = _po_unquote(m.group(3))
        elif line.startswith('"') and key is not None:
            entry[key] += _po_unquote(line)
    flush()
    return pairs


def read_catalog(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """:func:`read_po` or :func:`read_mo` by file extension."""
    return read_po(path) if str(path).endswith(".po") else read_mo(path)


# ----------------------------------------------------------------------------- finding catalogs
def _lang_dir_matches(name: str, lang: str) -> bool:
    return name == lang or name.startswith((lang + "_", lang + "@"))


def system_catalogs(lang: str, roots: Iterable[str] = SYSTEM_LOCALE_DIRS) -> list[Path]:
    """``<root>/<lang>[_XX]/LC_MESSAGES/*.mo`` of the installed Debian packages, sorted."""
    found: list[Path] = []
    for root in roots:
        r = Path(root)
        if not r.is_dir():
            continue
        for d in sorted(r.iterdir()):
            if _lang_dir_matches(d.name, lang) and (d / "LC_MESSAGES").is_dir():
                found.extend(sorted((d / "LC_MESSAGES").glob("*.mo")))
    return found


def python_catalogs(lang: str) -> list[Path]:
    """``locale/<lang>/LC_MESSAGES/*.po`` shipped by installed Python distributions (a ``.mo``
    is used only where its ``.po`` is absent), found through their RECORD files."""
    from importlib import metadata

    pat = re.compile(r"(^|/)locale/([^/]+)/LC_MESSAGES/[^/]+\.(po|mo)$")
    found: dict[str, Path] = {}
    for dist in metadata.distributions():
        for f in dist.files or ():
            s = str(f).replace("\\", "/")
            m = pat.search(s)
            if not m or not _lang_dir_matches(m.group(2), lang):
                continue
            p = Path(str(dist.locate_file(f)))
            if not p.is_file():
                continue
            stem = str(p)[:-3]
            if m.group(3) == "po" or stem not in found:
                found[stem] = p
    return sorted(found.values())


# ----------------------------------------------------------------------------- cleaning
_PLACEHOLDERS = [
    re.compile(r"%(?:\([^)\s]*\))?(?:\d+\$)?[-+ #0'I]*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
               r"(?:hh|ll|[hlLqjzt]|I64|I32)?[diouxXeEfFgGaAcspnmrS]"),  # printf, Python %
    re.compile(r"%<[A-Za-z0-9_]+>"),                   # %<PRIu64>
    re.compile(r"%[A-Za-z_][A-Za-z0-9_]*%"),           # %VAR%
    re.compile(r"\{[^{}\s]{0,40}\}"),                  # {0}, {name}, {name!r:>10}, {}
    re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\d"),  # ${x}, $x, $1
    re.compile(r"@[A-Z_]+@"),                          # @VAR@
    re.compile(r"<[^<>]{0,200}>"),                     # markup tags
    re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+|\S+@\S+\.\w+"),  # URLs, e-mail
    re.compile(r"(?<!\w)(?:~|\.{1,2})?/[\w.\-~/*]+"),  # paths
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:=\S*)?"),  # --options, -x
    re.compile(r"`[^`]*`"),                            # `code`
]
_ACCEL = re.compile(r"(?<![\w&])[_&~](?=\w)")          # _File, &Open, ~Save
_SPACE = re.compile(r"\s+")


def clean_message(text: str) -> str:
    """The message with placeholders, markup, accelerators, URLs, paths and options removed
    and white space collapsed (may return ``""``)."""
    text = text.replace("%%", "\x00")  # a literal percent sign, not a placeholder
    for pat in _PLACEHOLDERS[:7]:
        text = pat.sub(" ", text)
    text = text.replace("\x00", "%")
    text = html.unescape(text)
    for pat in _PLACEHOLDERS[7:]:
        text = pat.sub(" ", text)
    text = _ACCEL.sub("", text)
    text = text.replace("\t", " ").replace("\\n", " ")
    return _SPACE.sub(" ", text).strip()


@dataclass
class PairFilter:
    max_tokens: int = 40
    max_ratio: float = 3.0

    def check(self, src: str, tgt: str) -> str | None:
        """``None`` when the cleaned pair is kept, else the reason it is dropped."""
        s, t = tokenize_en(src), tokenize_target(tgt)
        if not s or not t:
            return "empty after cleaning"
        if len(s) > self.max_tokens or len(t) > self.max_tokens:
            return "too long"
        if max(len(s), len(t)) > self.max_ratio * min(len(s), len(t)) + 2:
            return "length ratio"
        if s == t:
            return "identical (untranslated or a name)"
        return None


def split_of(src: str, valid: float = 0.05, test: float = 0.05) -> str:
    """The split of an English source, from a hash of its tokens (order-independent)."""
    key = " ".join(tokenize_en(src)).encode("utf-8")
    u = int.from_bytes(hashlib.sha1(key).digest()[:8], "big") / 2.0 ** 64
    return "test" if u < test else "valid" if u < test + valid else "train"


# ----------------------------------------------------------------------------- building
@dataclass
class ParallelCorpus:
    """A built parallel corpus: ``splits[name]`` is a list of (source, target) texts."""

    path: Path | None
    splits: dict[str, list[tuple[str, str]]]
    meta: dict = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.splits.items()}

    def tokenized(self, split: str) -> list[tuple[list[str], list[str]]]:
        return [(tokenize_en(s), tokenize_target(t)) for s, t in self.splits[split]]

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name, pairs in self.splits.items():
            with open(out / f"{name}.tsv", "w", encoding="utf-8") as fh:
                for s, t in pairs:
                    fh.write(f"{s}\t{t}\n")
        (out / "meta.json").write_text(json.dumps(self.meta, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
        self.path = out
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ParallelCorpus:
        p = Path(path)
        missing = [f"{s}.tsv" for s in SPLITS if not (p / f"{s}.tsv").is_file()]
        if missing:
            raise FileNotFoundError(f"{p} is not a built parallel corpus (missing {', '.join(missing)}); "
                                    f"run: adlkit corpus parallel")
        splits = {s: read_tsv(p / f"{s}.tsv")[0] for s in SPLITS}
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8")) if (p / "meta.json").exists() else {}
        return cls(p, splits, meta)


def read_tsv(path: str | os.PathLike[str]) -> tuple[list[tuple[str, str]], int]:
    """(pairs, number of malformed lines) of a ``source<TAB>target`` file."""
    pairs: list[tuple[str, str]] = []
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                bad += 1
                continue
            pairs.append((parts[0].strip(), parts[1].strip()))
    return pairs, bad


def build_pairs(raw: Iterable[tuple[str, str, str]], clean: bool = True, pair_filter: PairFilter | None = None,
                valid: float = 0.05, test: float = 0.05) -> tuple[dict[str, list[tuple[str, str]]], dict]:
    """Clean, filter, deduplicate and split ``(source_name, english, target)`` triples.

    Returns the splits and statistics (pairs read, drops by reason, pairs per source kept).
    """
    pf = pair_filter or PairFilter()
    dropped: Counter[str] = Counter()
    n_read = 0
    by_src: dict[str, Counter[str]] = {}
    first_text: dict[str, str] = {}
    origin: dict[str, str] = {}
    for name, src, tgt in raw:
        n_read += 1
        if clean:
            src, tgt = clean_message(src), clean_message(tgt)
        else:
            src, tgt = _SPACE.sub(" ", src).strip(), _SPACE.sub(" ", tgt).strip()
        why = pf.check(src, tgt)
        if why:
            dropped[why] += 1
            continue
        key = " ".join(tokenize_en(src))
        if key not in by_src:
            by_src[key] = Counter()
            first_text[key] = src
            origin[key] = name
        else:
            dropped["duplicate source"] += 1
        by_src[key][tgt] += 1
    splits: dict[str, list[tuple[str, str]]] = {s: [] for s in SPLITS}
    kept_by: Counter[str] = Counter()
    for key, tgts in by_src.items():  # insertion order: reproducible for a given input order
        tgt = tgts.most_common(1)[0][0]
        src = first_text[key]
        splits[split_of(src, valid, test)].append((src, tgt))
        kept_by[origin[key]] += 1
    stats = {"pairs_read": n_read, "dropped": dict(dropped), "kept": sum(len(v) for v in splits.values()),
             "kept_by_source": dict(kept_by)}
    return splits, stats


def default_parallel_dir(lang: str = "de") -> Path:
    """Where ``adlkit corpus parallel`` writes (``$ADLKIT_DATA`` or ``~/.cache/adlkit``)."""
    return data_home() / "corpus" / "parallel" / f"en-{lang}"


def catalog_triples(paths: Iterable[Path], kind: str,
                    progress: Callable[[int], None] | None = None) -> Iterator[tuple[str, str, str]]:
    """``(kind:catalog name, msgid, msgstr)`` of every readable catalog (unreadable ones are skipped)."""
    for p in paths:
        try:
            pairs = read_catalog(p)
        except (OSError, ValueError, struct.error):
            pairs = []
        name = f"{kind}:{p.stem}"
        for s, t in pairs:
            yield name, s, t
        if progress:
            progress(1)


def build_parallel(out_dir: str | os.PathLike[str] | None = None, lang: str = "de",
                   sources: Iterable[str] = ("system", "python"), tsv: str | os.PathLike[str] | None = None,
                   clean: bool = True, pair_filter: PairFilter | None = None, valid: float = 0.05,
                   test: float = 0.05, system_roots: Iterable[str] = SYSTEM_LOCALE_DIRS,
                   progress: Callable[[int], None] | None = None,
                   on_catalogs: Callable[[int], None] | None = None) -> ParallelCorpus:
    """Build and save the parallel corpus (see the module docstring); raises
    :class:`ParallelSourceMissing` when nothing can be read, ``ValueError`` on a bad TSV."""
    sources = list(sources)
    unknown = [s for s in sources if s not in ("system", "python")]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; choose from: system, python")
    cats: list[tuple[str, Path]] = []
    if "system" in sources:
        cats += [("system", p) for p in system_catalogs(lang, system_roots)]
    if "python" in sources:
        cats += [("python", p) for p in python_catalogs(lang)]
    tsv_pairs: list[tuple[str, str]] = []
    bad = 0
    if tsv is not None:
        if not Path(tsv).is_file():
            raise ValueError(f"TSV file not found: {tsv}")
        tsv_pairs, bad = read_tsv(tsv)
        if not tsv_pairs:
            raise ValueError(f"{tsv}: no 'source<TAB>target' lines found ({bad} malformed lines)")
    if not cats and not tsv_pairs:
        raise ParallelSourceMissing(INSTALL_HINT.format(lang=lang))
    if on_catalogs:
        on_catalogs(len(cats))

    def triples() -> Iterator[tuple[str, str, str]]:
        for kind in ("system", "python"):
            yield from catalog_triples([p for k, p in cats if k == kind], kind, progress)
        for s, t in tsv_pairs:
            yield "tsv", s, t

    splits, stats = build_pairs(triples(), clean=clean, pair_filter=pair_filter, valid=valid, test=test)
    if stats["kept"] == 0:
        raise ParallelSourceMissing(f"no usable pairs left after cleaning ({stats['pairs_read']} read)")
    meta = {
        "lang": lang, "sources": sources, "tsv": str(tsv) if tsv else None, "clean": clean,
        "catalogs": {"system": sum(1 for k, _ in cats if k == "system"),
                     "python": sum(1 for k, _ in cats if k == "python")},
        "tsv_malformed_lines": bad, "split_fractions": {"valid": valid, "test": test},
        **stats,
        "sizes": {k: len(v) for k, v in splits.items()},
        "tokens": {k: {"en": sum(len(tokenize_en(s)) for s, _ in v),
                       lang: sum(len(tokenize_target(t)) for _, t in v)} for k, v in splits.items()},
    }
    corpus = ParallelCorpus(None, splits, meta)
    corpus.save(out_dir if out_dir is not None else default_parallel_dir(lang))
    return corpus


def load_parallel(spec: str | os.PathLike[str] | None = None, lang: str = "de") -> ParallelCorpus:
    """A built corpus directory, or the default one for ``lang`` (``None`` / ``"builtin"``)."""
    if spec is None or str(spec) == "builtin":
        d = default_parallel_dir(lang)
        if not (d / "train.tsv").exists():
            raise FileNotFoundError(f"the parallel corpus is not built yet ({d}); run: adlkit corpus parallel")
        return ParallelCorpus.load(d)
    return ParallelCorpus.load(spec)
