"""The HTML printer without a browser: self-contained, escaped, complete; the CLI's --format html."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import adlkit
from adlkit.solve import bundled_exam_path, solve_file, solve_spec
from adlkit.solve.model import Solution, SolvedSheet
from adlkit.solve.printers import PRINTERS, get_printer
from adlkit.solve.printers.html import render_sheet
from adlkit.solve.printers.mathml import render_math, to_mathml


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.inline:
            self._in = tag
            self.inline[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline[self._in][-1] += data


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


@pytest.fixture(scope="module")
def sheet() -> SolvedSheet:
    return solve_file(bundled_exam_path())


@pytest.fixture(scope="module")
def page(sheet) -> str:
    return render_sheet(sheet)


def _steps(steps):
    for s in steps:
        yield s
        yield from _steps(s.substeps)


def test_registered_as_a_printer():
    assert "html" in PRINTERS
    assert get_printer("html") is render_sheet


def test_page_is_self_contained(page):
    t = parse(page)
    for tag, attrs in t.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            v = attrs.get(name)
            if v is not None:
                assert v.startswith(("data:", "#")), (tag, name, v[:60])
        assert tag not in ("link", "iframe", "object", "embed", "base")
    assert not re.search(r"https?://(?!www\.w3\.org/1998/Math/MathML)", page)
    assert "@import" not in page and "url(" not in "".join(t.inline["style"])


def test_csp_allows_exactly_the_inline_script_and_style(page):
    t = parse(page)
    csp = next(a["content"] for tag, a in t.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "img-src data:" in csp
    [script], [style] = t.inline["script"], t.inline["style"]
    for kind, text in (("script-src", script), ("style-src", style)):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in csp


def test_every_formula_is_mathml_with_its_source(sheet, page):
    maths = [s.math for r in sheet.results for s in _steps(r.steps) if s.math]
    assert len(maths) > 30
    assert page.count("<math ") >= len(maths)
    assert "math-fallback\"" not in page.split("</style>", 1)[1]
    for tex in maths:
        # the source is kept as the formula's annotation (escaped), never as visible text
        ann = tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f'<annotation encoding="application/x-tex">{ann}</annotation>' in page


def test_conventions_come_before_the_steps_of_each_answer(sheet, page):
    body = page.split("<body>", 1)[1]
    for r in sheet.results:
        section = body.split(f'<span class="pid">{r.id}</span>', 1)[1].split("</section>", 1)[0]
        if r.conventions:
            assert section.index('class="conventions"') < section.index('class="solution"')
            for k in r.conventions:
                assert f"<dt>{k}</dt>" in section


def test_steps_collapse_and_print_open():
    sol = solve_file(bundled_exam_path()).results[0]
    html = render_sheet(SolvedSheet("t", [sol]))
    assert html.count('<details class="step" open>') == sum(1 for s in _steps(sol.steps) if s.math or s.substeps)
    assert "::details-content" in html and "beforeprint" in html


def test_user_text_is_escaped():
    spec = {"title": "<script>alert('t')</script>",
            "problems": [{"id": "a<b>&", "type": "word2vec",
                          "sentence": ["<img src=x onerror=alert(1)>", "b&c", "</mtext><script>x</script>"],
                          "window": 3, "dim": 2}]}
    page = render_sheet(solve_spec(spec))
    t = parse(page)
    assert [tag for tag, _ in t.tags].count("script") == 1
    assert [tag for tag, _ in t.tags].count("img") == 0
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page
    assert "a&lt;b&gt;&amp;" in page
    assert "<img src=x" not in page and "</mtext><script>" not in page


def test_mathml_escapes_text_that_latex2mathml_would_pass_through():
    # latex2mathml's own string output un-escapes \text{...}; ours must not
    out = to_mathml(r"\text{<script>alert(1)</script> & more}")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_unknown_command_falls_back_to_readable_text():
    out = render_math(r"\frac{1}{2} + \unknowncommand{x}")
    assert out.startswith('<span class="math-fallback"')
    assert "\\" not in out


def test_figures_are_embedded_as_data_uris(tmp_path):
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
    (tmp_path / "dot.png").write_bytes(png)
    sol = Solution("f", "demo", answers={"x": 1}, figures={"dot": str(tmp_path / "dot.png"),
                                                          "gone": str(tmp_path / "missing.png")})
    page = render_sheet(SolvedSheet("", [sol]))
    assert 'src="data:image/png;base64,' + base64.b64encode(png).decode() + '"' in page
    assert str(tmp_path) not in page.replace(str(tmp_path / "missing.png"), "")
    assert "Figure gone could not be embedded" in page
    # a path relative to the directory the figures were drawn into
    rel = Solution("f", "demo", answers={"x": 1}, figures={"dot": "dot.png"})
    page = render_sheet(SolvedSheet("", [rel]), base_dir=tmp_path)
    assert 'src="data:image/png;base64,' + base64.b64encode(png).decode() + '"' in page


def test_jupyter_reprs():
    sol = adlkit.solve("coupling", x=[1, 1], s="0.5*x1", t="2*x1 + 1")
    frag = sol._repr_html_()
    assert frag.startswith('<div class="adlkit"><style>') and "<script" not in frag
    assert "<math " in frag and "log_det" in frag
    assert "<html" not in frag and "Content-Security-Policy" not in frag
    assert "$$" in sol._repr_markdown_()
    sheet = solve_file(bundled_exam_path())
    assert sheet._repr_html_().count('<section class="problem"') == len(sheet.results)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "adlkit.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_cli_exam_writes_one_html_file(tmp_path):
    out = tmp_path / "sheet.html"
    r = _cli("exam", "--format", "html", "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "q1a" in text and "0.5625" in text


def test_cli_html_embeds_the_figures(tmp_path):
    from typer.testing import CliRunner

    from adlkit.cli import app

    r = CliRunner().invoke(app, ["exam", "--format", "html", "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    pngs = sorted((tmp_path / "out").glob("*.png"))
    page = (tmp_path / "out" / "sheet.html").read_text(encoding="utf-8")
    assert len(pngs) >= 5
    for png in pngs:  # every PNG drawn is in the page, as data, not as a link
        assert base64.b64encode(png.read_bytes()).decode() in page
        assert png.name not in page.split("<body>", 1)[1].replace(f'alt="{png.stem}"', "")


def test_cli_html_invalid_spec_exits_2_without_output(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("problems:\n  - id: q\n    type: word2vec\n    length: 5\n    window: 4\n    dim: 2\n")
    r = _cli("solve", str(spec), "--format", "html")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        "q: field 'window' is the total span including the centre word: odd and at least 3, got 4"]
