"""LaTeX -> readable Unicode for the terminal (a small, deterministic subset of LaTeX)."""

from __future__ import annotations

import re

_SYMBOLS = {
    r"\cdot": "·", r"\times": "×", r"\infty": "∞", r"\Rightarrow": "⇒", r"\le": "≤",
    r"\leq": "≤", r"\ge": "≥", r"\geq": "≥", r"\ne": "≠", r"\neq": "≠", r"\approx": "≈",
    r"\pi": "π", r"\mu": "μ", r"\sigma": "σ", r"\alpha": "α", r"\beta": "β", r"\lambda": "λ",
    r"\epsilon": "ε", r"\theta": "θ", r"\nabla": "∇", r"\partial": "∂", r"\sum": "Σ",
    r"\prod": "Π", r"\int": "∫", r"\in": "∈", r"\|": "‖", r"\odot": "⊙", r"\to": "→",
    r"\sim": "~", r"\log": "log", r"\exp": "exp", r"\det": "det", r"\min": "min",
    r"\max": "max", r"\sup": "sup", r"\inf": "inf", r"\sqrt": "√", r"\quad": "  ",
    r"\qquad": "    ", r"\tanh": "tanh", r"\sin": "sin", r"\cos": "cos", r"\tan": "tan",
    r"\ell": "ℓ", r"\mathbb{E}": "E", r"\mathbb{R}": "ℝ", r"\operatorname": "", r"\top": "ᵀ", r"\pm": "±",
}
_ACCENTS = {r"\hat": "\u0302", r"\tilde": "\u0303", r"\bar": "\u0304", r"\dot": "\u0307"}
_SUB_KEYS = "0123456789+-=()aeijkmnoprstuvx"
_SUP_KEYS = "0123456789+-=()n"
_SUB = str.maketrans(_SUB_KEYS, "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans(_SUP_KEYS, "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")


def _group(s: str, i: int) -> tuple[str, int]:
    """The brace group (or single char) starting at s[i]; returns (content, next index)."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        if s[i] == "\\":
            m = re.match(r"\\[A-Za-z]+", s[i:])
            if m:
                return m.group(0), i + len(m.group(0))
        return s[i], i + 1
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
    return s[i + 1:], len(s)


def _script(content: str, sub: bool) -> str | None:
    """Unicode sub/superscript of ``content`` when every character has one, else None."""
    keys, table = (_SUB_KEYS, _SUB) if sub else (_SUP_KEYS, _SUP)
    if content and all(ch in keys for ch in content):
        return content.translate(table)
    return None


def to_plain(tex: str) -> str:
    """Convert a LaTeX math string to plain Unicode text."""
    s = tex.replace("\\\\", "\x00")  # row separator of matrices
    s = re.sub(r"\\(left|right|big|Big|bigg|Bigg)(?=[\(\)\[\]\|.\\])", "", s)
    s = s.replace(r"\left.", "").replace(r"\right.", "")
    s = re.sub(r"\\(mathbf|mathrm|mathcal|text|boxed|operatorname|mathit)\b", "", s)
    s = s.replace(r"\,", " ").replace(r"\;", " ").replace(r"\!", "").replace(r"\ ", " ")
    s = s.replace(r"\{", "\x01").replace(r"\}", "\x02")
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if s.startswith(r"\frac", i) or s.startswith(r"\dfrac", i):
            i += 5 if s.startswith(r"\frac", i) else 6
            a, i = _group(s, i)
            b, i = _group(s, i)
            a, b = to_plain(a), to_plain(b)
            wrap = lambda t: t if re.fullmatch(r"[\w.·√∂πσμ]+", t) else f"({t})"
            out.append(f"{wrap(a)}/{wrap(b)}")
            continue
        if s.startswith(r"\sqrt", i):
            i += 5
            a, i = _group(s, i)
            a = to_plain(a)
            out.append(f"√{a}" if re.fullmatch(r"[\w.]+", a) else f"√({a})")
            continue
        if s.startswith(r"\begin{bmatrix}", i):
            j = s.find(r"\end{bmatrix}", i)
            body = s[i + len(r"\begin{bmatrix}"):j if j >= 0 else len(s)]
            rows = [" ".join(to_plain(c.strip()) for c in r.split("&")) for r in body.split("\x00")]
            out.append("[" + "; ".join(r.strip() for r in rows) + "]")
            i = j + len(r"\end{bmatrix}") if j >= 0 else len(s)
            continue
        if c == "\\":
            m = re.match(r"\\[A-Za-z]+|\\.", s[i:])
            tok = m.group(0)
            i += len(tok)
            if tok in _ACCENTS:
                a, i = _group(s, i)
                out.append(to_plain(a) + _ACCENTS[tok])
                continue
            if tok in (r"\mathbb",):
                a, i = _group(s, i)
                out.append(_SYMBOLS.get(rf"\mathbb{{{a}}}", a))
                continue
            word = _SYMBOLS.get(tok, tok.lstrip("\\"))
            if word[:1].isalpha() and out and out[-1][-1:].isalnum():
                out.append(" ")
            out.append(word)
            continue
        if c in "_^":
            a, i = _group(s, i + 1)
            a = to_plain(a)
            conv = _script(a, c == "_")
            if conv is not None:
                out.append(conv)
            else:
                out.append(("_" if c == "_" else "^") + (a if len(a) == 1 else f"({a})"))
            continue
        if c in "{}":
            i += 1
            continue
        out.append(c)
        i += 1
    text = "".join(out).replace("\x01", "{").replace("\x02", "}").replace("\x00", "; ")
    return re.sub(r"[ ]{2,}", " ", text).strip()
