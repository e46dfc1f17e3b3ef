"""LaTeX -> MathML for the HTML printer, safe to inline in a page.

latex2mathml builds an element tree; we never use its string output (``convert``), which
un-escapes every text node and so would pass ``\\text{<script>}`` through as markup. Instead
the tree is cleaned (MathML elements and presentation attributes only), its character
references are decoded into characters, and ElementTree serialises it with proper escaping.

A formula latex2mathml cannot convert (an exception, or a command it leaves as raw text such
as ``\\foo``) falls back to the terminal printer's Unicode rendering in a ``span.math-fallback``,
so no LaTeX source is ever shown as text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_ELEMENTS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "mfenced",
    "merror", "mmultiscripts", "mprescripts", "none", "maction",
}
_ATTRIBUTES = {
    "xmlns", "display", "mathvariant", "stretchy", "fence", "form", "separator", "width",
    "height", "depth", "lspace", "rspace", "voffset", "columnalign", "rowalign", "columnlines",
    "rowlines", "columnspacing", "rowspacing", "notation", "scriptlevel", "displaystyle",
    "accent", "accentunder", "movablelimits", "linethickness", "largeop", "symmetric",
    "minsize", "maxsize", "frame", "framespacing", "open", "close", "separators", "encoding",
    "mathsize", "mathcolor", "mathbackground",
}
_RAW_COMMAND = re.compile(r"\\[A-Za-z]+")
# TeX's operator names: latex2mathml writes them as <mi>, which browsers set without TeX's thin
# spaces ("9logp"); they become <mo> with those spaces, none before an opening bracket.
_FUNCTIONS = {"log", "ln", "exp", "det", "sin", "cos", "tan", "tanh", "sinh", "cosh", "min",
              "max", "sup", "inf", "lim", "arg", "argmax", "argmin", "sigmoid", "softplus",
              "relu", "sgn", "Pr", "KL", "var", "Var", "tr"}
_OPENERS = {"(", "[", "{", "|", "\u2016", "\u27e8"}


class MathMLError(ValueError):
    """A formula that cannot be shown as MathML."""


def _space_functions(el: ET.Element) -> None:
    kids = list(el)
    for i, k in enumerate(kids):
        if k.tag != "mi" or (k.text or "").strip() not in _FUNCTIONS:
            continue
        nxt = kids[i + 1] if i + 1 < len(kids) else None
        prev = kids[i - 1] if i > 0 else None
        k.tag = "mo"
        k.attrib.clear()
        k.set("form", "prefix")
        k.set("lspace", "0.167em" if prev is not None and prev.tag in ("mi", "mn", "msub", "msup", "mrow") else "0")
        opener = nxt is not None and nxt.tag == "mo" and html.unescape(nxt.text or "").strip() in _OPENERS
        k.set("rspace", "0" if nxt is None or opener else "0.167em")


def _clean(el: ET.Element) -> None:
    for child in list(el):
        if child.tag not in _ELEMENTS:
            raise MathMLError(f"unexpected element <{child.tag}>")
        _clean(child)
    for name in list(el.attrib):
        if name not in _ATTRIBUTES:
            del el.attrib[name]
    for name in ("mathcolor", "mathbackground"):  # colours only as plain words or #hex
        v = el.attrib.get(name)
        if v is not None and not re.fullmatch(r"#?[A-Za-z0-9]{1,20}", v):
            del el.attrib[name]
    if el.text:
        el.text = html.unescape(el.text)
        if el.tag in ("mi", "mo", "mtext", "mn") and _RAW_COMMAND.search(el.text):
            raise MathMLError(f"unknown command {_RAW_COMMAND.search(el.text).group(0)}")
    if el.tail:
        el.tail = html.unescape(el.tail)
    _space_functions(el)


@lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool = False) -> str:
    """The MathML of ``tex`` with its source as an ``annotation``, or raise MathMLError."""
    from latex2mathml.converter import convert_to_element

    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception as err:  # latex2mathml raises many kinds on bad input
        raise MathMLError(str(err)) from None
    if root.tag != "math":
        raise MathMLError("no math element")
    _clean(root)
    if root.find(".//merror") is not None:
        raise MathMLError("conversion error")
    body = list(root)
    for child in body:
        root.remove(child)
    sem = ET.SubElement(root, "semantics")
    row = ET.SubElement(sem, "mrow")
    row.extend(body)
    ann = ET.SubElement(sem, "annotation", {"encoding": "application/x-tex"})
    ann.text = tex
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def render_math(tex: str, display: bool = False) -> str:
    """HTML for one formula: MathML, or the Unicode fallback when it cannot be converted."""
    try:
        return to_mathml(tex, display)
    except MathMLError:
        from adlkit.solve.printers.plain import to_plain

        cls = "math-fallback display" if display else "math-fallback"
        text = re.sub(r"\\([A-Za-z]+)", r"\1", to_plain(tex)).replace("{", "").replace("}", "")
        return f'<span class="{cls}" title="formula shown as plain text">{html.escape(text)}</span>'
