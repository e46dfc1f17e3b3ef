"""A printable sheet: the questions (each problem's statement and the answers it asks for) or,
with ``answers=True``, the answer key with the worked solutions; an HTML page made with the HTML
printer (MathML, embedded figures, no network) and printed to PDF by headless Chromium.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from adlkit.export.quiz import Quiz
from adlkit.solve.printers.html import _asset, render_solution

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm; }
.question { break-inside: avoid; margin: 0 0 1.4em; }
.question h2 { font-size: 1.05em; margin: 0 0 .3em; }
.asked { color: #444; font-size: .92em; }
.blank { border-bottom: 1px solid #999; display: inline-block; min-width: 9em; }
details > *:not(summary) { display: block; }
"""


class PDFError(RuntimeError):
    """The PDF could not be printed (no Chromium, or it failed)."""


def find_chromium() -> str | None:
    """Headless Chromium: ``$ADLKIT_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH."""
    env = os.environ.get("ADLKIT_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def sheet_html(quiz: Quiz, answers: bool = False) -> str:
    """The printable page: the questions, or the answer key with worked solutions."""
    title = quiz.title + (" (answer key)" if answers else "")
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for q in quiz.questions:
        parts.append(f'<section class="question"><h2>{html.escape(q.id)} '
                     f'<span class="ptype">{html.escape(q.type)}</span></h2>'
                     f'<p class="statement">{html.escape(q.statement)}</p>')
        if answers:
            # every step printed open, sub-steps too
            parts.append(render_solution(q.solution, heading=3).replace("<details ", "<details open ")
                         .replace("<details>", "<details open>").replace("open open", "open"))
        elif q.fields:
            rows = "".join(f"<li>{html.escape(f.label)} = <span class=\"blank\">&#160;</span></li>" for f in q.fields)
            parts.append(f'<ul class="asked">{rows}</ul>')
        parts.append("</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title><style>{_asset('html.css')}{PRINT_CSS}</style></head>"
            f'<body><main class="adlkit">{"".join(parts)}</main></body></html>\n')


def to_pdf(quiz: Quiz, answers: bool = False, timeout: float = 120.0) -> bytes:
    """The PDF bytes, printed by headless Chromium; :class:`PDFError` when it cannot be."""
    chromium = find_chromium()
    if chromium is None:
        raise PDFError("headless Chromium is needed to print a PDF (install chromium, or set ADLKIT_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="adlkit-pdf-") as tmp:
        page, out = Path(tmp) / "sheet.html", Path(tmp) / "sheet.pdf"
        page.write_text(sheet_html(quiz, answers), encoding="utf-8")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PDFError(f"Chromium did not print the PDF within {timeout:g} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            last = (r.stderr.strip().splitlines() or ["no message"])[-1]
            raise PDFError(f"Chromium failed to print the PDF (exit {r.returncode}): {last[:200]}")
        return out.read_bytes()
