"""HTML printer: one self-contained solution page (CONTRACT.md: ``--format html``).

* every formula is MathML (LaTeX converted in Python by :mod:`.mathml`; browsers render it
  natively; no script or font is fetched);
* every figure is embedded as a data URI (PNG, JPEG, GIF, WebP or SVG shown through ``<img>``,
  so an SVG cannot run script);
* each step is a ``<details>`` element: expand and collapse one step, or all of them from the
  toolbar; printing opens every step (CSS ``::details-content`` plus a ``beforeprint`` hook);
* every piece of user text (titles, ids, tokens, conventions) is HTML-escaped, and the page's
  Content-Security-Policy allows only its own inline style and script (by hash) and data:
  images, so nothing on the page can reach the network or run injected script.

:func:`render_sheet` gives the page; :func:`render_fragment` the same content without
``<html>`` / script, for Jupyter's ``_repr_html_``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import mimetypes
import re
from functools import cache
from pathlib import Path
from typing import Any

from adlkit.core.numbers import fmt, fmt_matrix, fmt_vec, jsonable
from adlkit.solve.model import Solution, SolvedSheet, Step
from adlkit.solve.printers.mathml import render_math

_HERE = Path(__file__).parent
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
_DATA_URI = re.compile(r"data:(image/(?:png|jpeg|gif|webp|svg\+xml));base64,[A-Za-z0-9+/=\s]+\Z")
_LATEX_HINT = re.compile(r"\\[A-Za-z]+|[_^]\{")
SUBSTEPS_OPEN_MAX = 4  # longer lists of sub-steps start collapsed on screen


@cache
def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _slug(pid: str) -> str:
    """An HTML id for a problem id, one-to-one (any other character becomes ``.hex``)."""
    return "sol-" + "".join(c if (c.isascii() and c.isalnum()) or c in "_-" else f".{ord(c):x}" for c in pid)


# -- answers ------------------------------------------------------------------------------------
def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num_tex(v: float) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isinf(v) or math.isnan(v):
        return fmt(v)
    return fmt(v, digits=6)


def _answer_html(v: Any) -> str:
    v = jsonable(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v in ("inf", "-inf"):
        return render_math(r"\infty" if v == "inf" else r"-\infty")
    if _is_num(v):
        return render_math(_num_tex(v))
    if isinstance(v, str):
        if _LATEX_HINT.search(v):  # an answer that is itself a formula (LaTeX)
            return render_math(v)
        return f'<div class="prose">{esc(v)}</div>'
    if isinstance(v, list) and v and all(_is_num(a) for a in v):
        if len(v) <= 12:
            return render_math(fmt_vec(v, digits=6))
    if (isinstance(v, list) and v and all(isinstance(r, list) and r and all(_is_num(a) for a in r) for r in v)
            and len({len(r) for r in v}) == 1 and len(v) <= 12 and len(v[0]) <= 12):
        return render_math(fmt_matrix(v, digits=6))
    if isinstance(v, dict):
        rows = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{_answer_html(x)}</td></tr>' for k, x in v.items())
        return f'<table class="nested">{rows}</table>'
    items = v if isinstance(v, list) else [v]
    text = "\n".join(_listing_item(a) for a in items)
    if isinstance(v, list) and len(v) > 6:
        return (f'<details class="more"><summary>{len(v)} items</summary>'
                f'<div class="listing">{esc(text)}</div></details>')
    return f'<div class="listing">{esc(text)}</div>'


def _listing_item(a: Any, depth: int = 0) -> str:
    """A training sample as the sheet writes it: ``({w1, w3}, w2)``, ``(w1, w2)``."""
    if isinstance(a, list):
        inner = ", ".join(_listing_item(b, depth + 1) for b in a)
        return f"({inner})" if depth == 0 else "{" + inner + "}"
    return str(a)


# -- figures ------------------------------------------------------------------------------------
def figure_data_uri(src: str, base_dir: str | Path | None = None) -> str:
    """A figure (file path, relative to ``base_dir`` if given, or a data URI) as a base64 data
    URI; raises ValueError if it cannot be embedded."""
    src = str(src)
    if src.startswith("data:"):
        if not _DATA_URI.match(src):
            raise ValueError("only base64 data URIs of PNG, JPEG, GIF, WebP or SVG images can be embedded")
        return re.sub(r"\s+", "", src)
    path = Path(src)
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    mime = mimetypes.guess_type(path.name)[0]
    if mime not in _IMAGE_TYPES:
        raise ValueError(f"{path.name}: not a PNG, JPEG, GIF, WebP or SVG file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read {src}: {err.strerror or err}") from None
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _figure_html(name: str, src: str, base_dir: str | Path | None = None) -> str:
    try:
        uri = figure_data_uri(src, base_dir)
    except ValueError as err:
        return f'<p class="figure-missing">Figure {esc(name)} could not be embedded: {esc(err)}</p>'
    return (f'<figure class="figure"><img src="{esc(uri)}" alt="{esc(name)}">'
            f"<figcaption>{esc(name)}</figcaption></figure>")


# -- steps --------------------------------------------------------------------------------------
def _step_html(s: Step) -> str:
    body: list[str] = []
    if s.math:
        body.append(f'<div class="eq">{render_math(s.math, display=True)}</div>')
    if s.substeps:
        inner = "".join(f"<li>{_step_html(c)}</li>" for c in s.substeps)
        lst = f'<ol class="steps">{inner}</ol>'
        if len(s.substeps) > SUBSTEPS_OPEN_MAX:
            lst = (f'<details class="more"><summary>{len(s.substeps)} sub-steps</summary>'
                   f"{lst}</details>")
        body.append(lst)
    text = esc(s.text) if s.text else "&#8203;"
    if not body:
        return f'<p class="step-text">{text}</p>'
    return f'<details class="step" open><summary>{text}</summary>{"".join(body)}</details>'


def render_solution(sol: Solution, heading: int = 2, base_dir: str | Path | None = None) -> str:
    h = f"h{heading}"
    out = [f'<section class="problem" id="{esc(_slug(sol.id))}">',
           f'<{h}><span class="pid">{esc(sol.id)}</span><span class="ptype">{esc(sol.type)}</span></{h}>']
    if sol.title:
        out.append(f'<p class="problem-title">{esc(sol.title)}</p>')
    if sol.conventions:
        rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in sol.conventions.items())
        out.append(f'<aside class="conventions"><h3>Conventions</h3><dl>{rows}</dl></aside>')
    if sol.steps:
        steps = "".join(f'<li>{_step_html(s)}</li>' for s in sol.steps)
        out.append(f'<div class="solution"><h3>Solution</h3><ol class="steps">{steps}</ol></div>')
    for name, src in sol.figures.items():
        out.append(_figure_html(name, src, base_dir))
    if sol.answers:
        rows = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td>{_answer_html(v)}</td></tr>"
                       for k, v in sol.answers.items())
        out.append(f'<div class="answers"><h3>Answers</h3><table>{rows}</table></div>')
    out.append("</section>")
    return "".join(out)


def _body(sheet: SolvedSheet, toolbar: bool, base_dir: str | Path | None = None) -> str:
    from adlkit import __version__

    title = sheet.title or "Worked solutions"
    n = len(sheet.results)
    head = [f'<header class="sheet-header"><h1>{esc(title)}</h1>',
            f'<p class="meta">{n} problem{"s" if n != 1 else ""}, solved step by step by adlkit '
            f"{esc(__version__)}. Each answer states its conventions first; formulas show the "
            "symbols, then the numbers substituted, then the result.</p>"]
    if toolbar:
        head.append('<div class="toolbar" role="toolbar">'
                    '<button type="button" id="adlkit-expand">Expand all steps</button>'
                    '<button type="button" id="adlkit-collapse">Collapse all steps</button>'
                    '<button type="button" id="adlkit-print">Print</button></div>')
    head.append("</header>")
    parts = head
    if n > 1:
        links = "".join(f'<li><a href="#{esc(_slug(s.id))}">{esc(s.id)}</a> '
                        f'<span class="ptype">{esc(s.type)}</span></li>' for s in sheet.results)
        parts.append(f'<nav class="toc" aria-label="Problems"><ol>{links}</ol></nav>')
    parts.extend(render_solution(s, base_dir=base_dir) for s in sheet.results)
    return "".join(parts)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_sheet(sheet: SolvedSheet, base_dir: str | Path | None = None) -> str:
    """The whole page: a standalone HTML document that needs no network. Figure paths that are
    relative are read from ``base_dir`` (the directory the figures were drawn into)."""
    css, js = _asset("html.css"), _asset("html.js")
    csp = (f"default-src 'none'; img-src data:; style-src {_csp_hash(css)}; "
           f"script-src {_csp_hash(js)}; base-uri 'none'; form-action 'none'")
    title = sheet.title or "Worked solutions"
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="adlkit">'
            f"<title>{esc(title)}</title><style>{css}</style></head>\n"
            f'<body><main class="adlkit">{_body(sheet, toolbar=True, base_dir=base_dir)}'
            '<footer>Generated by adlkit. Formulas are MathML; figures are embedded; '
            "the page loads nothing from the network.</footer></main>"
            f"<script>{js}</script></body></html>\n")


def render_fragment(obj: Solution | SolvedSheet) -> str:
    """The same content as an HTML fragment (styles scoped, no script): Jupyter's display."""
    if isinstance(obj, Solution):
        content = render_solution(obj)
    else:
        content = _body(obj, toolbar=False)
    return f'<div class="adlkit"><style>{_asset("html.css")}</style>{content}</div>'
