"""The WordNet sense test: parsing, occurrence finding, the nearest-neighbour measure (tiny fixtures)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from adlkit.embeddings import senses as se

NOUN = [
    "  1 This software and database is being provided to you, the LICENSEE, by  ",
    '09213565 17 n 01 bank 0 002 @ 09238143 n 0000 | sloping land (especially the slope beside a body of water); '
    '"they pulled the canoe up on the bank"; "he sat on the bank of the river and watched the currents"  ',
    '08420278 14 n 03 depository_financial_institution 0 bank 0 banking_concern 0 001 @ 08054721 n 0000 | '
    'a financial institution that accepts deposits; "he cashed a check at the bank"; '
    '"that bank holds the mortgage on my home"  ',
    '02787772 06 n 02 bank 0 bank_building 0 001 @ 03177349 n 0000 | a building in which the business of '
    'banking transacted; "the bank is on the corner of Nassau and Witherspoon"  ',
    '00017222 03 n 01 plant 0 001 @ 00004475 n 0000 | a living organism lacking the power of locomotion  ',
    '05906080 09 n 01 plant 0 001 @ 05898568 n 0000 | something planted secretly for discovery by another; '
    '"the police used a plant to trick the thieves"; "he claimed that the evidence against him was a plant"  ',
    '04123456 06 n 01 mouse 0 001 @ 03177349 n 0000 | a small rodent; "the mice ran away"; "a mouse squeaked"  ',
    '04123457 06 n 01 mouse 0 001 @ 03177349 n 0000 | a hand-operated pointing device; "he moved the mouse"  ',
]
VERB = [
    '01371219 35 v 01 plant 0 001 @ 01494310 v 0000 01 + 08 00 | put or set (seeds) in the ground; '
    '"Let\'s plant flowers in the garden"; "we planted tomatoes"  ',
    '02343392 40 v 01 bank 0 001 @ 02343056 v 0000 01 + 08 00 | do business with a bank; "Where do you bank?"  ',
]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)


@pytest.fixture
def wordnet(tmp_path):
    (tmp_path / "data.noun").write_text("\n".join(NOUN) + "\n", encoding="utf-8")
    (tmp_path / "data.verb").write_text("\n".join(VERB) + "\n", encoding="utf-8")
    (tmp_path / "data.adj").write_text("", encoding="utf-8")
    (tmp_path / "data.adv").write_text("", encoding="utf-8")
    (tmp_path / "noun.exc").write_text("mice mouse\n", encoding="utf-8")
    return tmp_path


def test_parse_data_line():
    assert se.parse_data_line(NOUN[0]) is None
    s = se.parse_data_line(NOUN[2])
    assert s.sense == "n08420278" and s.pos == "n"
    assert s.lemmas == ("depository_financial_institution", "bank", "banking_concern")
    assert s.gloss == "a financial institution that accepts deposits"
    assert s.examples == ("he cashed a check at the bank", "that bank holds the mortgage on my home")


def test_occurrences_inflections_and_exceptions(wordnet):
    occ = se.load_sense_test(wordnet)
    words = {o.word for o in occ}
    assert words == {"bank", "plant", "mouse"}
    plants = [o for o in occ if o.word == "plant"]
    # "we planted tomatoes": regular verb inflection; the noun sense without examples is absent
    assert {(o.sense, o.tokens[o.position]) for o in plants} == {
        ("n05906080", "plant"), ("v01371219", "plant"), ("v01371219", "planted")}
    mice = [o for o in occ if o.word == "mouse" and o.tokens[o.position] == "mice"]
    assert len(mice) == 1  # WordNet's exception list: mice -> mouse
    banks = [o for o in occ if o.word == "bank"]
    assert len(banks) == 6 and len({o.sense for o in banks}) == 4
    b = next(o for o in banks if o.tokens[0] == "he" and o.tokens[1] == "sat")
    assert b.position == 4 and b.sense == "n09213565"


def test_missing_wordnet_names_the_install_command(tmp_path):
    with pytest.raises(se.WordNetMissing, match="apt-get install -y wordnet-base"):
        se.load_sense_test(tmp_path)


def occ_of(senses):
    return [se.Occurrence("w", s, "", ("w",), 0) for s in senses]


def test_static_vectors_score_chance_and_cosine_one():
    occ = occ_of(["a", "a", "a", "b", "b"])
    r = se.evaluate(occ, np.ones((5, 3)))
    # every other occurrence ties; queries from "a": 2 of 4 right, from "b": 1 of 4 right
    assert r["accuracy"] == pytest.approx((3 * 2 / 4 + 2 * 1 / 4) / 5)
    assert r["cos_all"] == r["cos_same_sense"] == r["cos_diff_sense"] == pytest.approx(1.0)


def test_separating_vectors_score_one_and_singletons_are_not_queries():
    occ = occ_of(["a", "a", "b", "b", "c"])
    v = np.array([[1, 0.1], [1, 0], [0, 1], [0.1, 1], [-1, -1]], dtype=float)
    r = se.evaluate(occ, v)
    assert r["queries"] == 4 and r["accuracy"] == 1.0
    assert r["cos_same_sense"] > 0.99 and r["cos_diff_sense"] < 0.2
    # a nearest neighbour of the wrong sense counts as wrong
    v2 = np.array([[1, 0], [0, 1], [1, 0.01], [0, 1], [5, 5]], dtype=float)
    assert se.evaluate(occ, v2)["accuracy"] == 0.0


def test_run_sense_test_static_vs_cove(wordnet):
    from adlkit.embeddings.cove import CoVe

    occ = se.load_sense_test(wordnet)
    words = sorted({t for o in occ for t in o.tokens})
    rng = np.random.default_rng(0)
    c = CoVe(words, rng.normal(size=(len(words), 8)), hidden_size=6).eval()
    run = se.run_sense_test(c, occ)
    res = run["results"]
    assert set(res) == {"static (GloVe)", "context mean of GloVe", "CoVe", "[GloVe; CoVe]"}
    assert res["static (GloVe)"]["cos_all"] == pytest.approx(1.0)
    assert res["CoVe"]["cos_all"] < 0.999
    assert res["CoVe"]["queries"] == res["static (GloVe)"]["queries"]
    n_words = len({o.word for o in run["occurrences"]})
    assert res["CoVe"]["words"] == n_words
    assert run["vectors"]["CoVe"].shape == (len(run["occurrences"]), 12)
    assert run["vectors"]["[GloVe; CoVe]"].shape == (len(run["occurrences"]), 20)


def test_plot_word(wordnet, tmp_path):
    from adlkit.embeddings.cove import CoVe

    occ = se.load_sense_test(wordnet)
    words = sorted({t for o in occ for t in o.tokens})
    c = CoVe(words, np.random.default_rng(1).normal(size=(len(words), 8)), hidden_size=6).eval()
    run = se.run_sense_test(c, occ)
    p = se.plot_word(run["occurrences"], run["vectors"], "bank", tmp_path / "bank.png")
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="not in the sense test"):
        se.plot_word(run["occurrences"], run["vectors"], "zebra", tmp_path / "z.png")
