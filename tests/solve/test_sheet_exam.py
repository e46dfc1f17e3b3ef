"""``adlkit exam``: the bundled sheet reproduces every number of the seed's worked solutions,
plus what the sheet lacks (the JSD value, D* values), checked against independent references."""

from __future__ import annotations

import json
import math

import mpmath as mp
import pytest
from typer.testing import CliRunner

from adlkit.cli import app

IDS = ["q1a", "q1b", "q2a", "q2c", "q2d", "q3a_i", "q3a_ii", "q3b", "q3c", "q3c_iii",
       "q4a", "q4b", "q4c", "q4d"]


@pytest.fixture(scope="module")
def sheet():
    r = CliRunner().invoke(app, ["exam", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    return {x["id"]: x for x in out["results"]}


def test_ids_in_order(sheet):
    assert list(sheet) == IDS


def test_sheet_numbers(sheet):
    a = {k: v["answers"] for k, v in sheet.items()}
    assert round(a["q1a"]["y"][1], 4) == 4.6487 and a["q1a"]["log_det"] == 0.5
    assert a["q1b"]["p_hat"] == 0.5625
    assert a["q2a"]["cbow_parameters"] == 40 and a["q2a"]["skipgram_parameters"] == 40
    assert a["q2a"]["cbow_training_set_size"] == 5 and a["q2a"]["skipgram_training_set_size"] == 8
    # Q3A: exp(x*x) is not Lipschitz on R ("inf"); x^2 on [-1, 1] has K = 2; neither for WGAN
    assert a["q3a_i"]["constant"] == "inf" and a["q3a_i"]["is_lipschitz"] is False
    assert a["q3a_ii"]["constant"] == 2.0 and a["q3a_ii"]["wgan_ok"] is False
    assert a["q3a_i"]["wgan_ok"] is False
    # Q3B: W2 = sqrt(1 + (sqrt 2 - 1)^2) with N(3, 2) meaning variance 2
    assert a["q3b"]["distance"] == pytest.approx(math.sqrt(1 + (math.sqrt(2) - 1) ** 2), rel=1e-14)
    assert round(a["q3b"]["distance"], 4) == 1.0824
    # Q3C: 1 - log(2)/2 and log(2)/2
    assert round(a["q3c"]["kl_pq"], 4) == 0.6534 and round(a["q3c"]["kl_qp"], 4) == 0.3466
    assert a["q3c"]["symmetric"] is False
    assert a["q3c_iii"]["symmetric"] is True
    # Q4A: 3 sqrt(pi)
    assert round(a["q4a"]["Z"], 3) == 5.317 and a["q4a"]["Z_exact"] == "3*sqrt(pi)"
    # Q4D
    assert round(a["q4d"]["reconstruction"], 4) == 0.02
    assert round(a["q4d"]["kl"], 4) == 0.5533 and round(a["q4d"]["total"], 4) == 0.5733
    assert "glove" in a["q2c"]["summary"].lower() and "WGAN-GP" in a["q4c"]["summary"]


def _pdf(x, m, v):
    return mp.exp(-(x - m) ** 2 / (2 * v)) / mp.sqrt(2 * mp.pi * v)


def test_what_the_sheet_lacks_jsd_and_discriminator_values(sheet):
    mp.mp.dps = 25

    def h(x):
        p, q = _pdf(x, 3, 2), _pdf(x, 4, 1)
        return (p * mp.log(2 * p / (p + q)) + q * mp.log(2 * q / (p + q))) / 2

    ref = float(mp.quad(h, [-40, 3, 4, 45]))
    j = sheet["q3c_iii"]["answers"]
    assert j["jsd"] == pytest.approx(ref, rel=1e-9)
    assert j["jsd_pq"] == pytest.approx(j["jsd_qp"], rel=1e-10)
    d = sheet["q4b"]["answers"]
    for x, v in zip([1, 2, 3, 4, 5, 6], d["values"]):
        pd, pg = _pdf(x, 3, 2), _pdf(x, 4, 1)
        assert v == pytest.approx(float(pd / (pd + pg)), rel=1e-12)
    assert d["game_value"] == pytest.approx(-math.log(4) + 2 * ref, rel=1e-9)


def test_conventions_state_variance_and_units(sheet):
    assert "VARIANCE" in sheet["q3c"]["conventions"]["gaussian"]
    assert "nats" in sheet["q3c_iii"]["conventions"]["units"]
    assert "1/2" in sheet["q4d"]["conventions"]["reconstruction"]
    assert "N(0, I)" in sheet["q4d"]["conventions"]["kl"]


def test_text_and_markdown_render_the_whole_sheet():
    r = CliRunner().invoke(app, ["exam"])
    assert r.exit_code == 0
    for frag in ("q3c_iii", "0.6534", "0.3466", "1.0824", "5.3174", "0.5733", "E_p[log p(x)"):
        assert frag in r.stdout, frag
    r = CliRunner().invoke(app, ["exam", "--format", "markdown"])
    assert r.exit_code == 0 and r"\sqrt{\pi}" in r.stdout
