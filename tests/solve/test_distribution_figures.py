"""Figures of kl, jsd and wasserstein for discrete and uniform distributions: produced in the
sheet (`adlkit exam FILE --out DIR`), and the bars and boxes show the distributions given."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.divergences.types import Discrete, Normal, Uniform
from adlkit.solve import figures
from adlkit.solve.model import Solution

PNG = b"\x89PNG\r\n\x1a\n"

PROBLEMS = [
    {"id": "k1", "type": "kl", "p": {"probs": [0.2, 0.5, 0.3]}, "q": {"probs": [0.5, 0.5, 0]}},
    {"id": "j1", "type": "jsd", "p": "U(0, 2)", "q": "N(1, 0.5)"},
    {"id": "w1", "type": "wasserstein", "p": 1, "a": {"probs": [0.2, 0.8], "support": [0, 3]}, "b": "U(1, 2)"},
    {"id": "k2", "type": "kl", "p": "N(3, 2)", "q": "N(4, 1)"},  # two Gaussians: the figure as before
]


def test_the_sheet_draws_one_distributions_figure_per_problem(tmp_path):
    exam = tmp_path / "exam.json"
    exam.write_text(json.dumps({"problems": PROBLEMS}))
    out = tmp_path / "sheet"
    r = CliRunner().invoke(app, ["exam", str(exam), "--format", "markdown", "--out", str(out)])
    assert r.exit_code == 0, r.output
    md = (out / "sheet.md").read_text()
    for pid in ("k1", "j1", "w1", "k2"):
        name = f"{pid}_distributions.png"
        assert (out / name).read_bytes()[:8] == PNG, name
        assert f"]({name})" in md, name


def _drawn(monkeypatch, tmp_path, params, keys=("p", "q")):
    """The matplotlib figure the pair figure draws for ``params`` (``save`` intercepted)."""
    seen = {}

    def keep(fig, outdir, name):
        seen["fig"] = fig
        return f"{name}.png"

    monkeypatch.setattr(figures, "save", keep)
    sol = Solution("t", "kl", answers={"kl_pq": 0.1, "kl_qp": float("inf")})
    got = figures.distribution_pair_figure("KL(p||q) = {kl_pq:.4f}, KL(q||p) = {kl_qp:.4f}", keys, keys)(sol, params, tmp_path)
    assert got == {"distributions": "t_distributions.png"}
    return seen["fig"]


def test_bars_are_the_probabilities_beside_the_support_points(monkeypatch, tmp_path):
    """Two discrete distributions on {0, 1, 2}: one bar per point and distribution, as high as
    its probability, side by side around the point; the title carries the infinite KL."""
    p, q = Discrete(np.array([0.2, 0.5, 0.3])), Discrete(np.array([0.5, 0.5, 0.0]))
    fig = _drawn(monkeypatch, tmp_path, {"p": p, "q": q})
    [ax] = fig.axes
    bars = [(b.get_x() + b.get_width() / 2, b.get_height()) for b in ax.patches]
    centres = np.array([x for x, _ in bars])
    heights = np.array([h for _, h in bars])
    np.testing.assert_allclose(heights, [0.2, 0.5, 0.3, 0.5, 0.5, 0.0])
    np.testing.assert_allclose(centres[:3] < [0, 1, 2], True)
    np.testing.assert_allclose(centres[3:] > [0, 1, 2], True)
    assert "inf" in ax.get_title()


def test_a_uniform_is_a_box_and_a_discrete_one_gets_its_own_probability_axis(monkeypatch, tmp_path):
    """U(1, 2) against a Gaussian: the uniform's line is 1/(b - a) = 1 inside [1, 2] and 0
    outside; with a discrete distribution the bars sit on a second (probability) axis."""
    fig = _drawn(monkeypatch, tmp_path, {"p": Uniform(1.0, 2.0), "q": Normal(1.5, 1.0)})
    [ax] = fig.axes
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(y[(x > 1.01) & (x < 1.99)], 1.0)
    np.testing.assert_allclose(y[(x < 0.99) | (x > 2.01)], 0.0)
    np.testing.assert_allclose(ax.lines[1].get_data()[1], Normal(1.5, 1.0).pdf(ax.lines[1].get_data()[0]))
    fig = _drawn(monkeypatch, tmp_path, {"p": Discrete(np.array([0.4, 0.6]), np.array([0.0, 3.0])), "q": Uniform(1.0, 2.0)})
    density, probability = fig.axes
    assert density.get_ylabel() == "density" and probability.get_ylabel() == "probability"
    assert [b.get_height() for b in probability.patches] == [0.4, 0.6]


def test_no_figure_for_a_multivariate_gaussian(tmp_path):
    from adlkit.divergences.types import MultivariateNormal

    mvn = MultivariateNormal(np.zeros(2), np.eye(2))
    sol = Solution("t", "kl", answers={})
    assert figures.distribution_pair_figure("x")(sol, {"p": mvn, "q": mvn}, tmp_path) == {}
