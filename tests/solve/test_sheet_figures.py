"""``--out DIR``: the sheet and its figures; plain solving never imports matplotlib."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from adlkit.cli import app

PNG = b"\x89PNG\r\n\x1a\n"


def test_exam_markdown_with_figures(tmp_path):
    out = tmp_path / "sheet"
    r = CliRunner().invoke(app, ["exam", "--format", "markdown", "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    md = (out / "sheet.md").read_text()
    expected = ["q1a_coupling_grid.png", "q1b_log_likelihood.png", "q3a_i_derivative.png",
                "q3a_ii_derivative.png", "q4a_density.png", "q4b_discriminator.png",
                "q3c_distributions.png"]
    for name in expected:
        assert (out / name).read_bytes()[:8] == PNG, name
        assert f"]({name})" in md, name


def test_out_and_output_together_is_an_error(tmp_path):
    r = CliRunner().invoke(app, ["exam", "--out", str(tmp_path), "--output", str(tmp_path / "x.md")])
    assert r.exit_code == 2 and r.stdout == ""


def test_plain_exam_imports_no_matplotlib():
    code = ("import sys; from typer.testing import CliRunner; from adlkit.cli import app; "
            "r = CliRunner().invoke(app, ['exam', '--format', 'json']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('matplotlib', 'scipy.stats', 'scipy.integrate') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
