"""Jupyter and the terminal: a solution's ``_repr_html_`` shows its figures (the same ones
``adlkit exam --out DIR`` draws as PNG files), and ``adlkit explain`` prints its formulas rendered,
with no LaTeX source left."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.solve import bundled_exam_path, solve_file, solve_one


def test_repr_html_embeds_the_figures_that_exam_out_draws(tmp_path):
    r = CliRunner().invoke(app, ["exam", "--out", str(tmp_path)])
    assert r.exit_code == 0
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs  # the seed exam has figures (Gaussians, Lipschitz plots, D*)
    html = solve_file(bundled_exam_path())._repr_html_()
    assert html.count('<img src="data:image/png;base64,') == len(pngs)
    one = solve_one("kl", p="N(3, 2)", q="N(4, 1)")
    assert one._repr_html_().count("<img") == 1 and one.to_dict() == solve_one("kl", p="N(3, 2)", q="N(4, 1)").to_dict()


def test_explain_prints_math_rendered_for_the_terminal(tmp_path):
    r = CliRunner().invoke(app, ["explain", "cove-vs-static", "--cove", str(tmp_path / "none.safetensors")])
    assert r.exit_code == 0
    assert not re.search(r"\\[A-Za-z]+", r.stdout), r.stdout  # no \mathrm, \tilde, ...
    assert "CoVe(w₁..wₙ) = MT-LSTM(GloVe(w₁..wₙ))" in r.stdout
