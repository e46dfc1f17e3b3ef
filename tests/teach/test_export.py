"""``adlkit export``: the Moodle XML and the QTI 2.1 package parse back (xml.etree, zipfile) and
hold, for every problem, the engine's answers (as ``adlkit solve --format json`` prints them)
with the tolerance of ``adlkit check``'s rule computed here, the worked solution as feedback
with MathML, and every 0 % answer is a value that ``adlkit check`` itself names as a slip. The
PDF's text (pdftotext) holds every question's statement."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest
from typer.testing import CliRunner

from adlkit.check import check_answers
from adlkit.cli import app
from adlkit.solve import bundled_exam_path, validate_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.variants import draw_variants

SEED = str(bundled_exam_path())
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
CLOZE = re.compile(r"\{1:(NUMERICAL|MULTICHOICE|SHORTANSWER):((?:\\.|[^}\\])*)\}")


def _tol(v: float) -> float:  # adlkit check's default rule, |given - right| <= max(0.001, 0.005 |right|)
    return max(0.001, 0.005 * abs(v))


def _flat(v):
    if isinstance(v, list):
        for a in v:
            yield from _flat(a)
    else:
        yield v


def _solved(spec_path: str) -> dict:
    r = CliRunner().invoke(app, ["solve", spec_path, "--format", "json"])
    assert r.exit_code == 0
    return {x["id"]: x for x in json.loads(r.stdout)["results"]}


def _export(tmp_path, spec: str, to: str, *extra: str):
    out = tmp_path / f"out.{to}"
    r = CliRunner().invoke(app, ["export", spec, "--to", to, "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out


def _split_cloze(body: str) -> list[tuple[str, str]]:
    """The parts of an embedded answer list, split on unescaped ~."""
    return [p.replace("\\", "") for p in re.split(r"(?<!\\)~", body)]


def _moodle(path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"
    return {q.findtext("name/text"): q for q in root.findall("question") if q.get("type") != "category"}


def test_moodle_numerical_and_cloze_hold_the_engines_answers_and_tolerances(tmp_path):
    qs = _moodle(_export(tmp_path, SEED, "moodle"))
    solved = _solved(SEED)
    assert list(qs) == list(solved)
    units = problem_types()
    for pid, q in qs.items():
        sol = solved[pid]
        assert "<math" in q.findtext("generalfeedback/text")  # the worked solution, math as MathML
        if not units[sol["type"]].marked:
            assert q.get("type") == "essay" and sol["answers"]["summary"][:40] in q.findtext("graderinfo/text")
            continue
        if q.get("type") == "numerical":
            (key,) = [k for k in units[sol["type"]].answers if isinstance(sol["answers"].get(k), (int, float))]
            right = [a for a in q.findall("answer") if a.get("fraction") == "100"]
            assert len(right) == 1
            assert float(right[0].findtext("text")) == pytest.approx(sol["answers"][key], rel=1e-12)
            assert float(right[0].findtext("tolerance")) == pytest.approx(_tol(sol["answers"][key]))
            continue
        assert q.get("type") == "cloze"
        numbers = [float(x) for x in _flat([sol["answers"].get(k) for k in units[sol["type"]].answers])
                   if isinstance(x, (int, float)) and not isinstance(x, bool)]
        for kind, body in CLOZE.findall(q.findtext("questiontext/text")):
            first = _split_cloze(body)[0]
            if kind == "NUMERICAL":
                value, tol = first.split("#")[0].lstrip("=").split(":")
                assert any(float(value) == pytest.approx(n, rel=1e-12) for n in numbers), (pid, value)
                assert float(tol) == pytest.approx(_tol(float(value)))
    # q1a in full: y, log_det, the Jacobian's entries, x_inverse, in order; by hand, with
    # x = (1, 1), s = x1/2, t = 2 x1 + 1: y2 = e^0.5 + 3, dy2/dx1 = x2 e^s / 2 + 2, dy2/dx2 = e^0.5
    vals = [float(_split_cloze(b)[0].split("#")[0].lstrip("=").split(":")[0])
            for k, b in CLOZE.findall(qs["q1a"].findtext("questiontext/text"))]
    e = 2.718281828459045 ** 0.5
    assert vals == pytest.approx([1, e + 3, 0.5, 1, 0, e / 2 + 2, e, 1, 1], rel=1e-9)


def test_moodle_wrong_answers_are_the_slips_adlkit_check_names(tmp_path):
    qs = _moodle(_export(tmp_path, SEED, "moodle"))
    solved = _solved(SEED)
    seen = 0
    for pid, q in qs.items():
        pairs = []  # (key, value, feedback) of the 0 % answers of scalar answer keys
        if q.get("type") == "numerical":
            key = q.find("questiontext/text").text.split("<strong>")[1].split("<")[0]
            pairs = [(key, float(a.findtext("text")), a.findtext("feedback/text")) for a in q.findall("answer")
                     if a.get("fraction") == "0"]
        elif q.get("type") == "cloze":
            text = q.findtext("questiontext/text")
            for label, kind, body in re.findall(r"<th>([^<]+)</th><td>\{1:(\w+):((?:\\.|[^}\\])*)\}", text):
                if kind != "NUMERICAL" or label not in solved[pid]["answers"]:
                    continue
                for part in _split_cloze(body)[1:]:
                    value, feedback = part.removeprefix("%0%").split("#", 1)
                    pairs.append((label, float(value.split(":")[0]), feedback))
        for key, value, feedback in pairs:
            (v,) = check_answers({pid: {key: value}}).verdicts
            assert not v.correct and v.slip is not None, (pid, key, value)
            assert v.slip.label in feedback
            seen += 1
    assert seen >= 10  # the seed exam's KL, JSD, W2, coupling, word2vec and VAE slips


def test_every_registered_type_exports_to_moodle_and_qti(tmp_path):
    """One drawn problem of every type (so types added later are covered): both formats parse."""
    problems = [draw_variants(name, 1, seed=11, pid=f"t_{name}")[0] for name in problem_types()]
    spec = tmp_path / "all.json"
    spec.write_text(json.dumps({"title": "every type", "problems": problems}))
    validate_spec(json.loads(spec.read_text()))
    assert len(_moodle(_export(tmp_path, str(spec), "moodle"))) == len(problems)
    with zipfile.ZipFile(_export(tmp_path, str(spec), "qti")) as z:
        items = [n for n in z.namelist() if n.startswith("items/")]
        assert len(items) == len(problems)
        for n in items:
            ET.fromstring(z.read(n))


def test_qti_package_parses_back_with_answers_tolerances_and_solutions(tmp_path):
    solved = _solved(SEED)
    with zipfile.ZipFile(_export(tmp_path, SEED, "qti")) as z:
        names = set(z.namelist())
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        hrefs = [r.get("href") for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_item_xmlv2p1"]
        assert len(hrefs) == len(solved) and set(hrefs) <= names
        test = ET.fromstring(z.read("test.xml"))
        assert [r.get("href") for r in test.iter(f"{QTI}assessmentItemRef")] == hrefs
        for href, (pid, sol) in zip(hrefs, solved.items()):
            item = ET.fromstring(z.read(href))
            assert item.tag == f"{QTI}assessmentItem" and item.get("title").startswith(pid)
            fb = item.find(f"{QTI}modalFeedback")
            assert fb.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None
            numbers = [float(x) for x in _flat(list(sol["answers"].values()))
                       if isinstance(x, (int, float)) and not isinstance(x, bool)]
            decl = {d.get("identifier"): d for d in item.findall(f"{QTI}responseDeclaration")}
            for eq in item.iter(f"{QTI}equal"):
                rid = eq.find(f"{QTI}variable").get("identifier")
                right = float(decl[rid].findtext(f"{QTI}correctResponse/{QTI}value"))
                assert any(right == pytest.approx(n, rel=1e-12) for n in numbers)
                lo, hi = (float(t) for t in eq.get("tolerance").split())
                assert eq.get("toleranceMode") == "absolute" and lo == hi == pytest.approx(_tol(right))
            # every response the body asks for is declared and scored
            asked = {e.get("responseIdentifier") for e in item.iter() if e.get("responseIdentifier")}
            assert asked <= set(decl)


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="headless Chromium is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("answers", [False, True])
def test_pdf_text_holds_every_question(tmp_path, answers):
    from adlkit.solve.spec import load_spec_file

    pdf = _export(tmp_path, SEED, "pdf", *(["--answers"] if answers else []))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # compared without spaces and hyphens: a line may break after a hyphen, which pdftotext drops
    squash = lambda s: re.sub(r"[\s-]+", "", s)
    flat = squash(text)
    _, parsed = validate_spec(load_spec_file(SEED))
    units = problem_types()
    for pid, ptype, params in parsed:
        assert squash(units[ptype].statement(params)) in flat, pid
    if answers:  # the answer key: worked solutions with their answers (q1b: p_hat = 9/16)
        assert flat.upper().count("ANSWERS") >= len(parsed)  # each solution's answers table (CSS capitals)
        assert "p_hat0.5625" in flat


def test_export_bad_input_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("problems:\n  - {id: q, type: kl, p: 'N(0, -1)', q: 'N(0, 1)'}\n")
    r = CliRunner().invoke(app, ["export", str(bad), "--to", "moodle", "-o", str(tmp_path / "x.xml")])
    assert r.exit_code == 2 and "q: field 'p'" in r.stderr and r.stdout == ""
    assert not (tmp_path / "x.xml").exists()


# -- QTI 2.1's content model (the XSD's sequences, required attributes and enumerations; no XSD
# -- ships with PyPI or Debian, so these rules of imsqti_v2p1.xsd are checked here by hand) --------
ITEM_SEQUENCE = ("responseDeclaration", "outcomeDeclaration", "templateDeclaration", "templateProcessing",
                 "stylesheet", "itemBody", "responseProcessing", "modalFeedback")
AT_MOST_ONCE = {"templateProcessing", "itemBody", "responseProcessing"}
REQUIRED = {"assessmentItem": ("identifier", "title", "adaptive", "timeDependent"),
            "responseDeclaration": ("identifier", "cardinality"), "outcomeDeclaration": ("identifier", "cardinality"),
            "modalFeedback": ("outcomeIdentifier", "showHide", "identifier"),
            "assessmentTest": ("identifier", "title"),
            "testPart": ("identifier", "navigationMode", "submissionMode"),
            "assessmentSection": ("identifier", "title", "visible"), "assessmentItemRef": ("identifier", "href")}
ENUMS = {"cardinality": {"single", "multiple", "ordered", "record"},
         "baseType": {"identifier", "boolean", "integer", "float", "string", "point", "pair", "directedPair",
                      "duration", "file", "uri", "intOrIdentifier"},
         "showHide": {"show", "hide"}, "navigationMode": {"linear", "nonlinear"},
         "submissionMode": {"individual", "simultaneous"}, "toleranceMode": {"exact", "absolute", "relative"},
         "adaptive": {"true", "false"}, "timeDependent": {"true", "false"}, "visible": {"true", "false"}}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # QTI's identifier: an NCName without ':'


def _local(tag: str) -> str:
    return tag.split("}", 1)[-1]


def _check_attributes(root: ET.Element) -> None:
    for el in root.iter():
        name = _local(el.tag)
        for a in REQUIRED.get(name, ()):
            assert el.get(a), f"<{name}> lacks its required attribute {a!r}"
        if el.tag.startswith(QTI):
            for a, allowed in ENUMS.items():
                if el.get(a) is not None:
                    assert el.get(a) in allowed, f"<{name} {a}={el.get(a)!r}> is not one of QTI's values"


def test_qti_package_follows_the_qti21_content_model(tmp_path):
    """Every item of every type: children in the XSD's order, required attributes, enumerations,
    identifiers, and every reference (response, outcome, feedback, test, manifest) resolves."""
    problems = [draw_variants(name, 1, seed=5, pid=f"t_{name}")[0] for name in problem_types()]
    spec = tmp_path / "all.json"
    spec.write_text(json.dumps({"title": "every type", "problems": problems}))
    with zipfile.ZipFile(_export(tmp_path, str(spec), "qti")) as z:
        names = set(z.namelist())
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
        for rid, r in resources.items():
            assert r.get("href") in names and r.get("href") in {f.get("href") for f in r.iter(f"{CP}file")}, rid
            for dep in r.iter(f"{CP}dependency"):
                assert dep.get("identifierref") in resources, dep.get("identifierref")
        test = ET.fromstring(z.read("test.xml"))
        assert _local(test.tag) == "assessmentTest"
        _check_attributes(test)
        refs = list(test.iter(f"{QTI}assessmentItemRef"))
        assert len(refs) == len(problems) == len({r.get("identifier") for r in refs})
        kinds: set[str] = set()
        for ref in refs:
            item = ET.fromstring(z.read(ref.get("href")))
            assert item.tag == f"{QTI}assessmentItem" and item.get("identifier") == ref.get("identifier")
            assert resources[ref.get("identifier")].get("href") == ref.get("href")
            _check_attributes(item)
            order = [_local(c.tag) for c in item]
            ranks = [ITEM_SEQUENCE.index(t) for t in order]  # an element outside the sequence fails here
            assert ranks == sorted(ranks), order
            assert all(order.count(t) <= 1 for t in AT_MOST_ONCE), order
            responses = {d.get("identifier"): d for d in item.findall(f"{QTI}responseDeclaration")}
            outcomes = {d.get("identifier"): d for d in item.findall(f"{QTI}outcomeDeclaration")}
            declared = [*responses, *outcomes]
            assert len(declared) == len(set(declared)) and all(IDENTIFIER.fullmatch(i) for i in declared)
            assert IDENTIFIER.fullmatch(item.get("identifier"))
            body = item.find(f"{QTI}itemBody")
            asked = {e.get("responseIdentifier") for e in body.iter() if e.get("responseIdentifier")}
            assert asked == set(responses), (ref.get("identifier"), asked, set(responses))
            kinds |= {_local(e.tag) for e in body.iter() if _local(e.tag).endswith("Interaction")}
            for e in item.iter():
                if _local(e.tag) in ("variable", "correct"):
                    assert e.get("identifier") in declared, e.get("identifier")
                if _local(e.tag) == "correct":
                    assert responses[e.get("identifier")].find(f"{QTI}correctResponse") is not None
                if _local(e.tag) == "setOutcomeValue":
                    assert e.get("identifier") in outcomes, e.get("identifier")
            for fb in item.findall(f"{QTI}modalFeedback"):
                assert outcomes[fb.get("outcomeIdentifier")].get("baseType") == "identifier"
            for d in responses.values():  # a choice's right answer is one of its choices
                if d.get("baseType") == "identifier":
                    choices = {c.get("identifier") for c in body.iter() if _local(c.tag) == "simpleChoice"}
                    assert d.findtext(f"{QTI}correctResponse/{QTI}value") in choices
        # the kinds of fields the quiz knows all occur: numbers, yes/no and prose
        assert {"textEntryInteraction", "choiceInteraction", "extendedTextInteraction"} <= kinds, kinds
