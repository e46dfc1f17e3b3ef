"""The digits likelihood table: rows come from the entries' evaluate_digits-style functions,
bits/dim is -loglik / (64 ln 2), a family whose package lacks evaluate_digits is named as not
built yet, and the model measured in its own space is marked."""

from __future__ import annotations

import math
import types

import numpy as np

import adlkit.compare as C


def _fake(name, ll, params):
    def run(seed=0, quick=False):
        return {"model": name, "test_ll": float(np.mean(ll)), "test_ll_per_image": np.asarray(ll), "how": "exact",
                "parameters": params, "seconds": 0.5, "samples": np.full((16, 64), 0.5)}

    return run


def test_rows_come_from_the_entries_and_pending_families_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "DIGITS_ENTRIES", (C.DigitsEntry("a", _fake("model a", [-20.0, -22.0], 10)),
                                              C.DigitsEntry("b", _fake("model b", [-30.0, -31.0], 20), own_space=True)))
    fam = types.ModuleType("adlkit_fake_family")
    fam.evaluate_digits = _fake("hooked", [-15.0, -16.0], 30)
    monkeypatch.setitem(__import__("sys").modules, "adlkit_fake_family", fam)
    monkeypatch.setattr(C, "PENDING", (("hooked", "adlkit_fake_family", "a hooked family"),
                                       ("nope", "adlkit_no_such_family", "a family not built")))
    rows, fig = C.compare("digits", quick=True, out=tmp_path, progress=False, log=lambda s: None)
    assert [r["model"] for r in rows] == ["model a", "model b", "hooked"]
    a = rows[0]
    assert a["loglik_nats"] == -21.0 and math.isclose(a["bits_per_dim"], 21.0 / (64 * math.log(2)))
    assert math.isclose(a["stderr_nats"], np.std([-20.0, -22.0], ddof=1) / math.sqrt(2))
    assert fig.is_file()
    _, missing = C.digits_entries()
    assert missing == ["a family not built: not built yet (adlkit_no_such_family.evaluate_digits does not exist), left out"]
    table = C.format_table(rows, "digits", missing)
    assert "model b *" in table and "measured in its own space" in table and "not built yet" in table
    assert "parameters" in table and "train s" in table and "bits/dim = -loglik / (64 ln 2)" in table


def test_the_real_registry_holds_every_built_family():
    keys = [e.key for e in C.DIGITS_ENTRIES]
    assert keys == ["bernoulli", "fvsbn", "made", "pixelcnn", "vae", "realnvp"]
    assert [e.key for e in C.DIGITS_ENTRIES if e.own_space] == ["realnvp"]


def test_conv_vae_and_rbm_rows_carry_per_image_values_whose_mean_is_the_row():
    """The conv-VAE and RBM rows give one log-likelihood per test image (so the table has a
    standard error, not nan), their mean is the row's figure, and each IWAE bound of a binary
    image is a log-probability bound, so at most 0."""
    from adlkit.data.registry import density_split
    from adlkit.ebm.rbm_model import evaluate_digits as rbm_digits
    from adlkit.vae.conv import evaluate_digits as conv_digits

    n_test = len(density_split("digits", 0).test)
    conv = conv_digits(0, quick=True, steps=20, k=10)
    for r in (conv, rbm_digits(0, quick=True)):
        ll = np.asarray(r["test_ll_per_image"], dtype=float)
        assert ll.shape == (n_test,)
        assert math.isclose(float(ll.mean()), r["test_ll"], rel_tol=1e-6)
    assert (np.asarray(conv["test_ll_per_image"]) <= 0).all()
