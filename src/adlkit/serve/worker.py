"""A solver worker process (``python -m adlkit.serve.worker``) and the jobs it runs: each takes
JSON data and returns ``("ok", result)`` or ``("errors", [one line per fault])``; requests and
answers cross the process boundary as JSON lines (bytes as base64), never pickled."""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from typing import Any


def _errors(err: Exception) -> tuple[str, list[str]]:
    return "errors", list(getattr(err, "messages", None) or [str(err)])


def solve_json(spec: dict[str, Any]) -> tuple[str, Any]:
    """The text ``adlkit solve --format json`` prints for ``spec`` (the same printer)."""
    from adlkit.solve import solve_spec
    from adlkit.solve.printers.json_ import render_sheet
    from adlkit.solve.spec import SpecError

    try:
        return "ok", render_sheet(solve_spec(spec))
    except SpecError as err:
        return _errors(err)


def solve_html(spec: dict[str, Any]) -> tuple[str, Any]:
    """The worked solutions as HTML (the HTML printer, figures embedded), for the page."""
    from adlkit.solve import solve_spec, validate_spec
    from adlkit.solve.figures import attach_figures
    from adlkit.solve.printers.html import render_solution
    from adlkit.solve.spec import SpecError

    try:
        parsed = validate_spec(spec)[1]
        sheet = solve_spec(spec)
    except SpecError as err:
        return _errors(err)
    with tempfile.TemporaryDirectory(prefix="adlkit-serve-") as tmp:
        attach_figures(sheet, parsed, tmp)
        return "ok", {"html": "".join(render_solution(s, base_dir=tmp) for s in sheet.results),
                      "json": sheet.to_dict()}


def check(body: dict[str, Any]) -> tuple[str, Any]:
    """The JSON object of ``adlkit check`` for ``{"answers": .., "exam": spec, "tolerance": ..}``."""
    from adlkit.check import AnswersError, _read_answers, check_answers
    from adlkit.solve.spec import SpecError

    exam = body.get("exam")
    extra = sorted(set(body) - {"answers", "exam", "tolerance"})
    if extra:
        return "errors", [f"body: field {k!r} is not allowed (expected 'answers', 'exam', 'tolerance')" for k in extra]
    if exam is not None and not isinstance(exam, dict):
        return "errors", ["body: field 'exam' must be a spec (an object with a 'problems' list)"]
    try:
        answers, tol = _read_answers({k: body[k] for k in ("answers", "tolerance") if k in body}, "body")
        return "ok", check_answers(answers, exam, tol).to_dict()
    except AnswersError as err:
        return _errors(err)
    except SpecError as err:
        return "errors", [f"exam: {m}" for m in err.messages]


def export(payload: dict[str, Any]) -> tuple[str, Any]:
    """``{"spec": .., "to": moodle|qti|pdf, "answers": bool}`` -> the file's bytes."""
    from adlkit.export import build_quiz
    from adlkit.solve.spec import SpecError

    try:
        quiz = build_quiz(payload["spec"])
    except SpecError as err:
        return _errors(err)
    to = payload["to"]
    if to == "moodle":
        from adlkit.export.moodle import to_moodle

        return "ok", to_moodle(quiz).encode("utf-8")
    if to == "qti":
        from adlkit.export.qti import to_qti

        return "ok", to_qti(quiz)
    from adlkit.export.pdf import PDFError, to_pdf

    try:
        return "ok", to_pdf(quiz, bool(payload.get("answers")))
    except PDFError as err:
        return "errors", [str(err)]


def variant(payload: dict[str, Any]) -> tuple[str, Any]:
    """``{"type": name, "seed": s}`` -> one drawn raw problem of that type (validated)."""
    from adlkit.solve.variants import VariantError, draw_variants

    try:
        return "ok", draw_variants(payload["type"], 1, seed=int(payload["seed"]), pid="p1")[0]
    except VariantError as err:
        return _errors(err)


def warm() -> tuple[str, Any]:
    """Import the engine and every unit once, so that the first request is not the slow one."""
    from adlkit.solve.registry import problem_types

    return "ok", len(problem_types())


JOBS = {"solve_json": solve_json, "solve_html": solve_html, "check": check, "export": export, "variant": variant,
        "warm": lambda payload: warm()}


def _encode(result: tuple[str, Any]) -> str:
    status, value = result
    if isinstance(value, bytes):
        return json.dumps({"status": status, "bytes": base64.b64encode(value).decode("ascii")})
    return json.dumps({"status": status, "value": value}, allow_nan=False)


def main() -> None:
    """A worker's loop: one JSON request per line on stdin (``{"job", "payload"}``), one JSON
    answer per line on the original stdout; whatever the library prints goes to stderr."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for line in sys.stdin:
        try:
            request = json.loads(line)
            result = JOBS[request["job"]](request.get("payload"))
            text = _encode(result)
        except Exception as err:  # a bug, reported as such rather than killing the worker
            text = json.dumps({"status": "crash", "value": f"{type(err).__name__}: {err}"})
        out.write(text + "\n")
        out.flush()


if __name__ == "__main__":
    main()
