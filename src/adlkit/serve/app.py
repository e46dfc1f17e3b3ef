"""``adlkit serve``: a local web app over the solver (CONTRACT.md, "Tools around the solver").

Routes: ``GET /`` the page (pick a type, fill its form, which is generated from the type's schema,
solve, check an answer, draw a variant, download an export); ``GET /api/types``;
``POST /api/solve`` (a spec -> the JSON of ``adlkit solve --format json``, or 400 with
``{"errors": [...]}``); ``POST /api/check`` (``{"answers", "exam"}`` -> the JSON of ``adlkit
check``). Bodies over :data:`MAX_BODY` get 413, malformed JSON 400, a job past the time limit 503.
Every solve runs in a :class:`~adlkit.serve.pool.SolverPool` worker process. A request's text is
read by the spec reader (YAML/JSON, expressions through the whitelist parser), never by eval.
The page's own stylesheet and script are served from ``/static``; nothing comes from elsewhere.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from adlkit.serve.pool import JobTimeout, SolverPool, WorkerCrash

MAX_BODY = 1 << 20  # 1 MB
_HERE = Path(__file__).parent
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
_FAULT = re.compile(r"^[^:]+: field '([^']+)' (.*)$")


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request) -> bytes:
    """The request's body, refusing (:class:`BodyTooLarge`) one over :data:`MAX_BODY` before
    reading it all."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _errors(status: int, lines: list[str]) -> JSONResponse:
    return JSONResponse({"errors": lines}, status_code=status)


async def _json_body(request: Request) -> Any:
    body = await read_body(request)
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("body: not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"body: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from None


async def _run(request: Request, job: str, payload: Any) -> tuple[str, Any]:
    pool: SolverPool = request.app.state.pool
    return await pool.run(job, payload)


async def _api(request: Request, job: str, check_spec: bool) -> Response:
    try:
        data = await _json_body(request)
    except BodyTooLarge:
        return _errors(413, [f"body: larger than {MAX_BODY} bytes"])
    except ValueError as err:
        return _errors(400, [str(err)])
    if not isinstance(data, dict):
        return _errors(400, ["body: must be a JSON object" + (" (a spec with a 'problems' list)" if check_spec else "")])
    try:
        status, result = await _run(request, job, data)
    except JobTimeout as err:
        return _errors(503, [str(err)])
    except WorkerCrash as err:
        return _errors(500, [f"internal error: {err}"])
    if status != "ok":
        return _errors(400, result)
    if isinstance(result, str):  # the CLI's own JSON text, byte for byte
        return Response(result, media_type="application/json")
    return JSONResponse(result)


async def api_types(request: Request) -> Response:
    from adlkit.solve.catalog import catalog

    return JSONResponse(catalog())


async def api_solve(request: Request) -> Response:
    return await _api(request, "solve_json", True)


async def api_check(request: Request) -> Response:
    return await _api(request, "check", False)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "app.css":
        from adlkit.solve.printers.html import _asset

        return Response(_asset("html.css") + (_HERE / "app.css").read_text(encoding="utf-8"), media_type="text/css")
    if name == "app.js":
        return Response((_HERE / "app.js").read_text(encoding="utf-8"), media_type="text/javascript")
    return Response("not found", status_code=404, media_type="text/plain")


# -- the page ------------------------------------------------------------------------------------
def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _as_text(v: Any) -> str:
    """A raw spec value as a form field shows it: text as is, anything else as JSON."""
    from adlkit.core.numbers import jsonable

    return v if isinstance(v, str) else json.dumps(jsonable(v))


_TEXT_KINDS = {"expression", "expressions", "tokens", "choice"}


def read_form_value(kind: str, text: str) -> Any:
    """A form field's text -> the raw spec value: YAML (so ``[1, 2]``, ``{mean: 0, var: 1}``,
    ``true``, ``0.5``), except that an expression or token text stays text. Raises ValueError."""
    import yaml

    text = text.strip()
    if kind in _TEXT_KINDS and not text.startswith(("[", "{")):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"is not valid YAML/JSON: {getattr(err, 'problem', err)}") from None


def _field_html(p, value: str, fault: str | None) -> str:
    name = f"f_{p.name}"
    cls = "field invalid" if fault else "field"
    if p.kind == "boolean" or p.kind == "choice":
        options = ["true", "false"] if p.kind == "boolean" else [str(c) for c in p.choices]
        opts = ([] if p.required else [f'<option value=""{" selected" if not value else ""}>(default)</option>'])
        opts += [f'<option value="{_esc(o)}"{" selected" if o == value else ""}>{_esc(o)}</option>' for o in options]
        control = f'<select id="{name}" name="{name}">{"".join(opts)}</select>'
    elif p.kind in ("number", "integer"):
        control = f'<input id="{name}" name="{name}" type="text" inputmode="decimal" value="{_esc(value)}">'
    else:
        rows = max(1, min(6, value.count("\n") + 1, len(value) // 70 + 1))
        control = f'<textarea id="{name}" name="{name}" rows="{rows}">{_esc(value)}</textarea>'
    default = "required" if p.required else f"default: {p.describe_default()}"
    out = [f'<div class="{cls}" data-field="{_esc(p.name)}"><label for="{name}">{_esc(p.name)}</label>{control}',
           f'<span class="help">{_esc(p.kind)}: {_esc(p.help)} ({_esc(default)})</span>']
    if fault:
        out.append(f'<span class="fault" id="fault-{_esc(p.name)}" role="alert">{_esc(fault)}</span>')
    out.append("</div>")
    return "".join(out)


def page(type_name: str, values: dict[str, str], faults: dict[str, str] | None = None, other: list[str] | None = None,
         result_html: str = "", answers: dict[str, str] | None = None, seed: int = 1) -> str:
    """The whole page for one type: picker, form (from the schema), and what was computed."""
    from adlkit.solve.registry import problem_types

    units = problem_types()
    unit = units[type_name]
    faults = faults or {}
    picker = "".join(f'<option value="{_esc(n)}"{" selected" if n == type_name else ""}>{_esc(n)} '
                     f"(module {min(u.modules)})</option>" for n, u in units.items())
    fields = "".join(_field_html(p, values.get(p.name, ""), faults.get(p.name)) for p in unit.parameters)
    answers = answers or {}
    answer_rows = "" if not unit.marked else "".join(
        f'<div class="field"><label for="a_{_esc(k)}">{_esc(k)}</label>'
        f'<input id="a_{_esc(k)}" name="a_{_esc(k)}" type="text" value="{_esc(answers.get(k, ""))}"></div>'
        for k in unit.answers)
    general = "".join(f'<p class="faults" role="alert">{_esc(m)}</p>' for m in (other or []))
    check_block = (f'<details class="check"{" open" if answers else ""}><summary>Check an answer</summary>'
                   f"{answer_rows}</details>") if answer_rows else ""
    body = f"""<header class="app-header"><h1>adlkit</h1>
<form method="get" action="/"><label for="type-picker">Problem type </label>
<select id="type-picker" name="type">{picker}</select> <button type="submit">Open</button></form></header>
<p class="summary">{_esc(unit.summary)}</p>
<form method="post" action="/" id="problem-form" class="problem-form">
<input type="hidden" name="type" value="{_esc(type_name)}">{general}{fields}{check_block}
<div class="actions"><button type="submit" name="action" value="solve" id="solve">Solve</button>
<button type="submit" name="action" value="check" id="check"{"" if answer_rows else " disabled"}>Check my answers</button>
<button type="submit" name="action" value="variant" id="variant">Draw a variant</button>
<label for="seed">seed</label><input id="seed" name="seed" type="text" size="6" value="{seed}">
<button type="submit" name="action" value="moodle">Moodle XML</button>
<button type="submit" name="action" value="qti">QTI 2.1</button>
<button type="submit" name="action" value="pdf">PDF</button>
<span id="status" role="status"></span></div></form>
<div id="result">{result_html}</div>"""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>adlkit: {_esc(type_name)}</title>"
            '<link rel="stylesheet" href="/static/app.css"></head>'
            f'<body><main class="adlkit">{body}</main><script src="/static/app.js"></script></body></html>\n')


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": CSP})


def _example_values(unit) -> dict[str, str]:
    return {k: _as_text(v) for k, v in unit.example.items() if k not in ("id", "type")}


async def index(request: Request) -> Response:
    from adlkit.solve.registry import problem_types

    units = problem_types()
    name = request.query_params.get("type") or next(iter(units))
    if name not in units:
        return _html(page(next(iter(units)), _example_values(next(iter(units.values()))),
                          other=[f"no problem type {name!r}; pick one from the list"]), 404)
    return _html(page(name, _example_values(units[name])))


def _verdicts_html(report: dict[str, Any]) -> str:
    rows = []
    for v in report["results"]:
        cls, word = ("right", "right") if v["correct"] else ("wrong", "WRONG")
        slip = f" (slip: {_esc(v['slip']['label'])}: {_esc(v['slip']['detail'])})" if v.get("slip") else ""
        rows.append(f'<li class="verdict {cls}" data-key="{_esc(v["key"])}">{word}: {_esc(v["key"])} given '
                    f"{_esc(json.dumps(v['given']))}, right {_esc(json.dumps(v['right']))}{slip}; "
                    f"score {v['score']:g} of {v['max_score']:g}</li>")
    return (f'<section class="check-report"><h2>Check</h2><ol>{"".join(rows)}</ol>'
            f'<p class="score">score: {report["score"]:g} of {report["max_score"]:g}</p></section>')


async def index_post(request: Request) -> Response:
    from adlkit.solve.registry import problem_types

    try:
        body = await read_body(request)
    except BodyTooLarge:
        return _html(f"<p>The form is larger than {MAX_BODY} bytes.</p>", 413)
    form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    units = problem_types()
    name = form.get("type", "")
    if name not in units:
        return _html(f"<p>No problem type {_esc(name)!s}.</p>", 400)
    unit = units[name]
    action = form.get("action", "solve")
    values = {p.name: form.get(f"f_{p.name}", "") for p in unit.parameters}
    answers = {k: form.get(f"a_{k}", "") for k in unit.answers if form.get(f"a_{k}", "").strip()}
    seed_text = form.get("seed", "1").strip() or "1"
    seed = int(seed_text) if seed_text.isdigit() else 1
    faults: dict[str, str] = {}
    other: list[str] = []
    try:
        if action == "variant":
            status, drawn = await _run(request, "variant", {"type": name, "seed": seed})
            if status != "ok":
                return _html(page(name, values, other=drawn, seed=seed), 400)
            values = {k: _as_text(v) for k, v in drawn.items() if k not in ("id", "type", "note")}
            note = f'<p class="note">{_esc(drawn["note"])}</p>'
            return _html(page(name, values, result_html=note, seed=seed + 1))
        problem: dict[str, Any] = {"id": "p1", "type": name}
        for p in unit.parameters:
            text = values[p.name]
            if not text.strip():
                continue
            try:
                problem[p.name] = read_form_value(p.kind, text)
            except ValueError as err:
                faults[p.name] = f"field '{p.name}' {err}"
        checked: dict[str, Any] = {}
        for k, text in answers.items():
            try:
                checked[k] = read_form_value("number", text)
            except ValueError as err:
                other.append(f"answer {k}: {err}")
        if faults or other:
            return _html(page(name, values, faults, other, answers=answers, seed=seed), 400)
        spec = {"title": f"adlkit: {name}", "problems": [problem]}
        if action in ("moodle", "qti", "pdf"):
            status, data = await _run(request, "export", {"spec": spec, "to": action, "answers": True})
            if status == "ok":
                from adlkit.export import FORMATS

                media = {"moodle": "application/xml", "qti": "application/zip", "pdf": "application/pdf"}[action]
                fname = FORMATS[action][0]
                return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{fname}"'})
        elif action == "check" and checked:
            status, data = await _run(request, "check", {"answers": {"p1": checked}, "exam": spec})
            if status == "ok":
                s2, solved = await _run(request, "solve_html", spec)
                extra = solved["html"] if s2 == "ok" else ""
                return _html(page(name, values, result_html=_verdicts_html(data) + extra, answers=answers, seed=seed))
        else:
            status, data = await _run(request, "solve_html", spec)
            if status == "ok":
                return _html(page(name, values, result_html=data["html"], answers=answers, seed=seed))
    except JobTimeout as err:
        return _html(page(name, values, other=[str(err)], answers=answers, seed=seed), 503)
    for line in data:
        m = _FAULT.match(line)
        if m and m.group(1) in values:
            faults.setdefault(m.group(1), f"field '{m.group(1)}' {m.group(2)}")
        else:
            other.append(line)
    return _html(page(name, values, faults, other, answers=answers, seed=seed), 400)


def create_app(workers: int = 2, time_limit: float = 10.0) -> Starlette:
    """The ASGI app; its solver pool starts with the app (lifespan) and stops with it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await app.state.pool.start()
        try:
            yield
        finally:
            await app.state.pool.aclose()

    app = Starlette(routes=[
        Route("/", index, methods=["GET"]),
        Route("/", index_post, methods=["POST"]),
        Route("/api/types", api_types, methods=["GET"]),
        Route("/api/solve", api_solve, methods=["POST"]),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/static/{name}", static, methods=["GET"]),
    ], lifespan=lifespan)
    app.state.pool = SolverPool(workers, time_limit)
    return app
