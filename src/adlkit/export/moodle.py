"""Moodle XML (the question bank's import format): one question per problem.

- one number to give: a ``numerical`` question, the right answer at 100 % with its tolerance
  (Moodle's tolerance is absolute: ``max(abs, rel * |right|)`` of ``adlkit check``'s rule), and
  each slip ``adlkit check`` knows as a 0 % answer whose feedback names it;
- several fields: a ``cloze`` question (embedded NUMERICAL, MULTICHOICE and SHORTANSWER
  sub-questions, each with its tolerance and its slips at 0 %);
- prose (``concept``): an ``essay`` question, the summary as information for the grader.

The worked solution is the general feedback: the HTML printer's solution, its math as MathML.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from adlkit.export.quiz import Field, Question, Quiz
from adlkit.solve.printers.html import render_solution


def _num(v: float) -> str:
    return repr(float(v)) if v != int(v) or abs(v) >= 1e15 else str(int(v))


def _text(parent: ET.Element, tag: str, content: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = content
    return el


def _statement_html(q: Question) -> str:
    parts = [f"<p>{html.escape(q.statement)}</p>"]
    if q.shown:
        parts.append(f"<p><em>Also asked, shown in the worked solution: {html.escape(', '.join(q.shown))}.</em></p>")
    return "".join(parts)


def _feedback_html(q: Question) -> str:
    return render_solution(q.solution, heading=3)


def _cloze_escape(s: str) -> str:
    """Text inside a cloze sub-question: its special characters escaped with a backslash."""
    for c in "\\}#~/\"":
        s = s.replace(c, "\\" + c)
    return s.replace("{", "\\{")


def cloze_field(f: Field) -> str:
    """One embedded sub-question: ``{1:NUMERICAL:=right:tol#Right~%0%slip:tol#feedback}``."""
    if f.kind == "number":
        parts = [f"={_num(f.value)}:{_num(f.tolerance)}#{_cloze_escape('Right.')}"]
        parts += [f"%0%{_num(w.value)}:{_num(f.tolerance)}#{_cloze_escape(w.feedback)}" for w in f.wrong]
        return "{1:NUMERICAL:" + "~".join(parts) + "}"
    if f.kind == "boolean":
        fb = {w.value: w.feedback for w in f.wrong}
        opts = [("=" if f.value is v else "%0%") + ("true" if v else "false")
                + (f"#{_cloze_escape(fb[v])}" if v in fb else "") for v in (True, False)]
        return "{1:MULTICHOICE:" + "~".join(opts) + "}"
    return "{1:SHORTANSWER:=" + _cloze_escape(str(f.value)) + "}"


def _numerical(root: ET.Element, q: Question) -> None:
    f = q.fields[0]
    el = ET.SubElement(root, "question", {"type": "numerical"})
    _common(el, q, _statement_html(q) + f"<p>Give <strong>{html.escape(f.label)}</strong>.</p>")
    for fraction, value, feedback in [(100, f.value, "Right."), *((0, w.value, w.feedback) for w in f.wrong)]:
        a = ET.SubElement(el, "answer", {"fraction": str(fraction), "format": "moodle_auto_format"})
        ET.SubElement(a, "text").text = _num(value)
        ET.SubElement(a, "tolerance").text = _num(f.tolerance)
        _text(a, "feedback", html.escape(feedback))
    ET.SubElement(el, "unitgradingtype").text = "0"
    ET.SubElement(el, "showunits").text = "3"


def _cloze(root: ET.Element, q: Question) -> None:
    el = ET.SubElement(root, "question", {"type": "cloze"})
    rows = "".join(f"<tr><th>{html.escape(f.label)}</th><td>{cloze_field(f)}</td></tr>" for f in q.fields)
    _common(el, q, _statement_html(q) + f"<table>{rows}</table>", grade=False)


def _essay(root: ET.Element, q: Question) -> None:
    el = ET.SubElement(root, "question", {"type": "essay"})
    _common(el, q, _statement_html(q))
    ET.SubElement(el, "responseformat").text = "editor"
    ET.SubElement(el, "responsefieldlines").text = "10"
    summary = q.solution.answers.get("summary", "")
    _text(el, "graderinfo", f"<p>{html.escape(str(summary))}</p>")


def _common(el: ET.Element, q: Question, text: str, grade: bool = True) -> None:
    name = ET.SubElement(el, "name")
    ET.SubElement(name, "text").text = q.id
    _text(el, "questiontext", text)
    _text(el, "generalfeedback", _feedback_html(q))
    if grade:
        ET.SubElement(el, "defaultgrade").text = "1"
    ET.SubElement(el, "penalty").text = "0.3333333"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = q.id


def to_moodle(quiz: Quiz) -> str:
    """The Moodle XML of ``quiz`` (a category named after its title, then one question per problem)."""
    root = ET.Element("quiz")
    cat = ET.SubElement(root, "question", {"type": "category"})
    c = ET.SubElement(cat, "category")
    ET.SubElement(c, "text").text = f"$course$/adlkit/{quiz.title.replace('/', '-')}"
    for q in quiz.questions:
        if not q.marked or not q.fields:
            _essay(root, q)
        elif len(q.fields) == 1 and q.fields[0].kind == "number":
            _numerical(root, q)
        else:
            _cloze(root, q)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
