"""A QTI 2.1 content package (Canvas, and other LMSs that import IMS QTI): a zip with
``imsmanifest.xml`` and one ``assessmentItem`` per problem (``items/<id>.xml``), plus an
``assessmentTest`` that lists them in order.

Each gradable field (:mod:`adlkit.export.quiz`) is a response: a number is a ``float`` text entry
scored within its absolute tolerance (``<equal toleranceMode="absolute">``), a yes/no a choice,
a short text an exact string. A problem scores the fraction of its fields that are right (out of
1), as ``adlkit check``'s partial credit does. The worked solution is the item's modal feedback,
shown once the item is answered; prose problems are extended-text items for the grader.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile

from adlkit.export.quiz import Field, Question, Quiz
from adlkit.solve.printers.html import render_solution

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MATHML = "http://www.w3.org/1998/Math/MathML"
SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"


def item_identifier(pid: str) -> str:
    """A QTI identifier (letters, digits, ``_-.``, not starting with a digit) for a problem id."""
    s = re.sub(r"[^A-Za-z0-9_.-]", lambda m: f"-{ord(m.group()):x}-", pid)
    return s if re.match(r"[A-Za-z_]", s) else "i" + s


def _num(v: float) -> str:
    return repr(float(v))


def _el(parent: ET.Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> ET.Element:
    e = ET.SubElement(parent, tag, attrib or {})
    if text is not None:
        e.text = text
    return e


def _xhtml(parent: ET.Element, fragment: str) -> None:
    """Append an HTML fragment (the printer's XHTML-compatible output) to a QTI body."""
    wrapper = ET.fromstring(f'<div xmlns="{NS}" class="solution">{fragment}</div>')
    parent.append(wrapper)


def _declare(item: ET.Element, rid: str, f: Field) -> None:
    base = {"number": "float", "boolean": "identifier", "text": "string"}[f.kind]
    d = _el(item, "responseDeclaration", {"identifier": rid, "cardinality": "single", "baseType": base})
    value = {"number": lambda: _num(f.value), "boolean": lambda: "true" if f.value else "false",
             "text": lambda: str(f.value)}[f.kind]()
    _el(_el(d, "correctResponse"), "value", text=value)


def _rule(rp: ET.Element, rid: str, f: Field, weight: float) -> None:
    cond = _el(_el(rp, "responseCondition"), "responseIf")
    if f.kind == "number":
        t = _num(f.tolerance)
        test = _el(cond, "equal", {"toleranceMode": "absolute", "tolerance": f"{t} {t}"})
    else:
        test = _el(cond, "match")
    _el(test, "variable", {"identifier": rid})
    _el(test, "correct", {"identifier": rid})
    s = _el(cond, "setOutcomeValue", {"identifier": "SCORE"})
    total = _el(s, "sum")
    _el(total, "variable", {"identifier": "SCORE"})
    _el(total, "baseValue", {"baseType": "float"}, repr(weight))


def _interaction(parent: ET.Element, rid: str, f: Field) -> None:
    if f.kind == "boolean":
        ch = _el(parent, "choiceInteraction", {"responseIdentifier": rid, "shuffle": "false", "maxChoices": "1"})
        for v in ("true", "false"):
            _el(ch, "simpleChoice", {"identifier": v}, "yes" if v == "true" else "no")
    else:
        _el(parent, "textEntryInteraction", {"responseIdentifier": rid, "expectedLength": "16"})


def item_xml(q: Question) -> str:
    """One ``assessmentItem`` as XML text."""
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    ET.register_namespace("m", MATHML)
    ident = item_identifier(q.id)
    item = ET.Element(f"{{{NS}}}assessmentItem", {
        "identifier": ident, "title": f"{q.id} ({q.type})", "adaptive": "false", "timeDependent": "false",
        f"{{{XSI}}}schemaLocation": f"{NS} {SCHEMA}"})
    fields = q.fields if q.marked else []
    rids = [f"RESPONSE_{i}" for i in range(1, len(fields) + 1)]
    for rid, f in zip(rids, fields):
        _declare(item, rid, f)
    if not fields:
        _el(item, "responseDeclaration", {"identifier": "RESPONSE", "cardinality": "single", "baseType": "string"})
    _el(_el(_el(item, "outcomeDeclaration", {"identifier": "SCORE", "cardinality": "single", "baseType": "float"}),
            "defaultValue"), "value", text="0")
    _el(item, "outcomeDeclaration", {"identifier": "FEEDBACK", "cardinality": "single", "baseType": "identifier"})
    body = _el(item, "itemBody")
    _el(body, "p", text=q.statement)
    if q.shown:
        _el(body, "p", text=f"Also asked, shown in the worked solution: {', '.join(q.shown)}.")
    if fields:
        table = _el(_el(body, "table"), "tbody")
        for rid, f in zip(rids, fields):
            tr = _el(table, "tr")
            _el(tr, "th", text=f.label)
            _interaction(_el(tr, "td"), rid, f)
    else:
        _el(body, "extendedTextInteraction", {"responseIdentifier": "RESPONSE", "expectedLines": "10"})
    rp = _el(item, "responseProcessing")
    for rid, f in zip(rids, fields):
        _rule(rp, rid, f, 1.0 / len(fields))
    sfb = _el(rp, "setOutcomeValue", {"identifier": "FEEDBACK"})
    _el(sfb, "baseValue", {"baseType": "identifier"}, "SOLUTION")
    fb = _el(item, "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "identifier": "SOLUTION",
                                     "showHide": "show", "title": "Worked solution"})
    _xhtml(fb, _solution_xhtml(q))
    ET.indent(item)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(item, encoding="unicode") + "\n"


def _solution_xhtml(q: Question) -> str:
    """The worked solution for QTI: the HTML printer's, with its MathML put in the MathML
    namespace and HTML5-only elements (details, section, ...) as plain divs."""
    text = render_solution(q.solution, heading=3)
    text = re.sub(r"<(/?)(section|aside|details|summary|figure|figcaption|dl|dt|dd)\b([^>]*)>",
                  lambda m: f"<{m.group(1)}div>" if m.group(1) else "<div>", text)
    text = re.sub(r"<math>", '<math xmlns="http://www.w3.org/1998/Math/MathML">', text)
    text = text.replace("&nbsp;", "&#160;").replace("&#8203;", "")
    try:
        ET.fromstring(f"<div>{text}</div>")
    except ET.ParseError:  # never a broken item: fall back to the plain answers
        rows = "".join(f"<p>{html.escape(k)}: {html.escape(str(v))}</p>" for k, v in q.solution.answers.items())
        return rows
    return text


def manifest_xml(quiz: Quiz, items: list[tuple[str, str]]) -> str:
    ET.register_namespace("", CP)
    m = ET.Element(f"{{{CP}}}manifest", {"identifier": "adlkit-manifest"})
    _el(m, f"{{{CP}}}organizations")
    res = _el(m, f"{{{CP}}}resources")
    r = _el(res, f"{{{CP}}}resource", {"identifier": "adlkit-test", "type": "imsqti_test_xmlv2p1", "href": "test.xml"})
    _el(r, f"{{{CP}}}file", {"href": "test.xml"})
    for ident, _ in items:
        _el(r, f"{{{CP}}}dependency", {"identifierref": ident})
    for ident, href in items:
        r = _el(res, f"{{{CP}}}resource", {"identifier": ident, "type": "imsqti_item_xmlv2p1", "href": href})
        _el(r, f"{{{CP}}}file", {"href": href})
    ET.indent(m)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(m, encoding="unicode") + "\n"


def test_xml(quiz: Quiz, items: list[tuple[str, str]]) -> str:
    ET.register_namespace("", NS)
    t = ET.Element(f"{{{NS}}}assessmentTest", {"identifier": "adlkit-test", "title": quiz.title})
    part = _el(t, f"{{{NS}}}testPart", {"identifier": "part1", "navigationMode": "nonlinear", "submissionMode": "individual"})
    sec = _el(part, f"{{{NS}}}assessmentSection", {"identifier": "section1", "title": quiz.title, "visible": "true"})
    for ident, href in items:
        _el(sec, f"{{{NS}}}assessmentItemRef", {"identifier": ident, "href": href})
    ET.indent(t)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(t, encoding="unicode") + "\n"


def to_qti(quiz: Quiz) -> bytes:
    """The QTI 2.1 package of ``quiz`` as zip bytes."""
    items = [(item_identifier(q.id), f"items/{item_identifier(q.id)}.xml") for q in quiz.questions]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", manifest_xml(quiz, items))
        z.writestr("test.xml", test_xml(quiz, items))
        for q, (_, href) in zip(quiz.questions, items):
            z.writestr(href, item_xml(q))
    return buf.getvalue()
