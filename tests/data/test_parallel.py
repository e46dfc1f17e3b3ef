"""The parallel corpus builder: catalog readers, cleaning, splitting, building (tiny fixtures)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from adlkit.data import parallel as par

FIX = Path(__file__).parent / "fixtures"
EXPECTED = {
    "Open the _file": "Die _Datei öffnen",
    "cannot read %s: %d bytes missing": "%s kann nicht gelesen werden: %d Bytes fehlen",
    "Quit": "Beenden",
    "one file was copied": "eine Datei wurde kopiert",
    "%(count)s files were copied": "%(count)s Dateien wurden kopiert",
    "a long message on two lines\n": "eine lange Nachricht auf zwei Zeilen\n",
    'Show <b>{name}</b> in the "river" &amp; bank view':
        "<b>{name}</b> in der »Fluss«- &amp; Ufer-Ansicht zeigen",
}


@pytest.fixture(autouse=True)
def _seed():
    random.seed(0)


def test_read_po_skips_header_fuzzy_obsolete_untranslated():
    assert dict(par.read_po(FIX / "tiny.de.po")) == EXPECTED


def test_read_mo_matches_msgfmt_output():
    # tiny.mo was compiled from tiny.de.po by GNU msgfmt (which drops fuzzy entries itself)
    assert dict(par.read_mo(FIX / "locale/de/LC_MESSAGES/tiny.mo")) == EXPECTED


def test_read_mo_rejects_other_files(tmp_path):
    bad = tmp_path / "x.mo"
    bad.write_bytes(b"not a catalog at all, really")
    with pytest.raises(ValueError, match="magic"):
        par.read_mo(bad)


@pytest.mark.parametrize("raw, clean", [
    ("Open the _file", "Open the file"),
    ("&Open %s now", "Open now"),
    ("cannot read %(name)s: %3$-10lu bytes, 100%% done", "cannot read : bytes, 100% done"),
    ("Show <b>{name}</b> &amp; {0}", "Show &"),
    ("see https://example.org/x or /usr/share/doc for --help-all", "see or for"),
    ("Fluss &amp; Ufer", "Fluss & Ufer"),
    ("line one\nline two", "line one line two"),
    ("_Datei öffnen", "Datei öffnen"),
])
def test_clean_message(raw, clean):
    assert par.clean_message(raw) == clean


def test_tokenizers():
    assert par.tokenize_en("Don't open 3 files!") == ["don", "t", "open", "files"]
    assert par.tokenize_target("Die Datei »Größe« öffnen: 3 Bytes") == ["die", "datei", "größe", "öffnen", "bytes"]


def test_pair_filter_reasons():
    f = par.PairFilter(max_tokens=5, max_ratio=2.0)
    assert f.check("open the file", "die datei öffnen") is None
    assert f.check("", "leer") == "empty after cleaning"
    assert f.check("42 %", "42 %") == "empty after cleaning"
    assert f.check("a b c d e f", "a") == "too long"
    assert f.check("one", "eins zwei drei vier fünf") == "length ratio"
    assert f.check("Status", "status") == "identical (untranslated or a name)"


def test_split_is_by_source_and_covers_all_splits():
    words = ["river", "bank", "money", "file", "open", "close", "save", "print", "copy", "move"]
    sources = [" ".join(random.sample(words, 4)) for _ in range(400)]
    got = [par.split_of(s, valid=0.2, test=0.2) for s in sources]
    assert set(got) == {"train", "valid", "test"}
    # the split depends on the tokenised source only: case and punctuation do not move a pair
    for s, g in zip(sources, got):
        assert par.split_of(s.upper() + " !", valid=0.2, test=0.2) == g


def test_build_pairs_dedup_keeps_most_frequent_translation():
    raw = [("a", "Open file", "Datei öffnen"), ("b", "open file!", "Öffne Datei"),
           ("c", "Open file", "Datei öffnen"), ("a", "Close", "Schließen"), ("a", "Status", "Status")]
    splits, stats = par.build_pairs(raw, valid=0.0, test=0.0)
    assert splits["train"] == [("Open file", "Datei öffnen"), ("Close", "Schließen")]
    assert stats["dropped"] == {"duplicate source": 2, "identical (untranslated or a name)": 1}
    assert stats["kept"] == 2 and stats["pairs_read"] == 5


def test_build_parallel_from_system_catalogs_and_tsv(tmp_path):
    roots = tmp_path / "locale"
    shutil.copytree(FIX / "locale", roots)
    tsv = tmp_path / "mine.tsv"
    tsv.write_text("the river bank\tdas Flussufer\nno tab here\n\nthe bank account\tdas Bankkonto\n",
                   encoding="utf-8")
    out = tmp_path / "out"
    c = par.build_parallel(out, lang="de", sources=["system"], tsv=tsv, system_roots=[str(roots)])
    assert c.meta["catalogs"] == {"system": 1, "python": 0}
    assert c.meta["tsv_malformed_lines"] == 1
    assert c.meta["pairs_read"] == len(EXPECTED) + 2
    all_pairs = [p for s in par.SPLITS for p in c.splits[s]]
    assert ("Open the file", "Die Datei öffnen") in all_pairs
    assert ("the river bank", "das Flussufer") in all_pairs
    assert sum(c.sizes().values()) == c.meta["kept"] == len(all_pairs)
    again = par.ParallelCorpus.load(out)
    assert again.splits == c.splits and again.meta["sizes"] == c.sizes()
    for name, pairs in c.splits.items():
        for s, _ in pairs:
            assert par.split_of(s) == name


def test_missing_sources_and_bad_tsv_raise_clear_errors(tmp_path):
    with pytest.raises(par.ParallelSourceMissing, match="apt-get install"):
        par.build_parallel(tmp_path / "o", lang="xx", sources=["system"], system_roots=[str(tmp_path)])
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tabs\nat all\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2 malformed"):
        par.build_parallel(tmp_path / "o", sources=[], tsv=bad)
    with pytest.raises(ValueError, match="unknown source"):
        par.build_parallel(tmp_path / "o", sources=["web"])
    with pytest.raises(FileNotFoundError, match="adlkit corpus parallel"):
        par.ParallelCorpus.load(tmp_path)
