"""adlkit.data.text: tokenisation, streaming build on disk, user files, missing sources."""

from __future__ import annotations

import numpy as np
import pytest

from adlkit.data import text


def test_tokenisation_is_lowercased_ascii_letter_runs():
    assert text.tokenize("Don't PANIC: 42 towels, naïve!") == ["don", "t", "panic", "towels", "na", "ve"]


def test_sentences_split_after_terminal_punctuation_and_drop_short_ones():
    got = list(text.split_sentences("The cat sat. A dog? Yes! one; two words here."))
    assert got == [["the", "cat", "sat"], ["a", "dog"], ["two", "words", "here"]]


SENTS = [["b", "a", "c"], ["a", "a"], ["c", "d", "a", "b"]]


def test_in_memory_and_on_disk_builds_agree(tmp_path):
    mem = text.Corpus.from_sentences(SENTS)
    disk = text.Corpus.from_sentences(SENTS, tmp_path / "c", chunk_tokens=4)  # force several chunks
    for c in (mem, disk):
        assert c.words == ["a", "b", "c", "d"]  # by count, ties by first appearance
        assert c.counts.tolist() == [4, 2, 2, 1]
        assert list(c.sentences()) == SENTS
        assert c.tokens.dtype == np.int32 and c.offsets.tolist() == [0, 3, 5, 9]
    assert isinstance(disk.tokens, np.memmap)
    again = text.Corpus.load(tmp_path / "c")
    assert list(again.sentences()) == SENTS


def test_head_keeps_whole_sentences_and_recounts():
    c = text.Corpus.from_sentences(SENTS).head(6)
    assert list(c.sentences()) == SENTS[:2]
    assert c.counts.tolist() == [3, 1, 1, 0]


def test_user_text_file_lines_and_raw_modes(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "cache"))
    p = tmp_path / "mine.txt"
    p.write_text("First line here.\nSecond line, two sentences. Yes it is\n\nX\n")
    assert list(text.file_sentences(p, "lines")) == [["first", "line", "here"],
                                                     ["second", "line", "two", "sentences", "yes", "it", "is"]]
    assert list(text.file_sentences(p, "raw")) == [["first", "line", "here"], ["second", "line", "two", "sentences"],
                                                   ["yes", "it", "is"]]
    c = text.load_corpus(p)
    assert c.n_sentences == 2
    assert len(list((tmp_path / "cache" / "corpus" / "files").glob("mine.txt-*/tokens.npy"))) == 1
    p.write_text("Changed text now\n")
    import os
    os.utime(p, (1, 1))  # a new modification time rebuilds the cache
    assert list(text.load_corpus(p).sentences()) == [["changed", "text", "now"]]


def test_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus not found"):
        text.load_corpus(tmp_path / "nope.txt")
    with pytest.raises(ValueError, match="unknown corpus source"):
        text.check_sources(["nope"])


def test_missing_source_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(text, "_dictd", None)
    src = text.SOURCES["devil"]
    monkeypatch.setitem(text.SOURCES, "devil", (src[0], lambda: (_ for _ in ()).throw(
        text.CorpusSourceMissing("/usr/share/dictd/devil.dict.dz not found: apt-get install -y dict-devil"))))
    msgs = text.check_sources(["devil"])
    assert msgs == ["devil: /usr/share/dictd/devil.dict.dz not found: apt-get install -y dict-devil"]
    with pytest.raises(text.CorpusSourceMissing, match="apt-get install -y dict-devil"):
        text.build_builtin(tmp_path, names=["devil"])
