"""``adlkit serve``: the endpoints of CONTRACT.md through starlette's TestClient, then the real
server (uvicorn) under load (200 requests from 20 clients, every one answered with the CLI's
JSON) and in headless Chromium as a user would use it (fill a form, solve, read the answer,
check a wrong answer and see the slip named)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from adlkit.cli import app as cli
from adlkit.serve import MAX_BODY, create_app
from adlkit.solve import bundled_exam_path
from adlkit.solve.registry import problem_types
from adlkit.solve.spec import load_spec_file
from tests.test_browser import browser  # noqa: F401  (the headless Chromium fixture)

SEED = str(bundled_exam_path())
THREE = {"title": "three", "problems": [
    {"id": "a", "type": "kl", "p": "N(3, 2)", "q": "N(4, 1)"},
    {"id": "b", "type": "coupling", "x": [1, 1], "s": "0.5*x1", "t": "2*x1 + 1"},
    {"id": "c", "type": "vae_loss", "x": [1, 0], "x_hat": [0.9, 0.1], "mu": 0.5, "logvar": -0.2}]}


def _cli_json(*args: str):
    r = CliRunner().invoke(cli, list(args))
    return r, (json.loads(r.stdout) if r.stdout.strip() else None)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=2, time_limit=60)) as c:
        yield c


def test_api_types_is_adlkit_types_json(client):
    r = client.get("/api/types")
    assert r.status_code == 200 and r.json() == _cli_json("types", "--format", "json")[1]


def test_api_solve_equals_the_cli_json(client, tmp_path):
    r = client.post("/api/solve", json=load_spec_file(SEED))
    assert r.status_code == 200 and r.json() == _cli_json("solve", SEED, "--format", "json")[1]
    p = tmp_path / "three.json"
    p.write_text(json.dumps(THREE))
    assert client.post("/api/solve", json=THREE).json() == _cli_json("solve", str(p), "--format", "json")[1]


def test_api_solve_invalid_spec_is_400_with_the_cli_lines(client, tmp_path):
    bad = {"problems": [{"id": "q", "type": "kl", "p": "N(0, -1)", "q": {"mean": 0}}]}
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(bad))
    r = client.post("/api/solve", json=bad)
    cli_r = CliRunner().invoke(cli, ["solve", str(p), "--format", "json"])
    assert r.status_code == 400 and r.json() == {"errors": cli_r.stderr.strip().splitlines()}
    assert len(r.json()["errors"]) == 2


@pytest.mark.parametrize("body, message", [
    (b"{\"problems\": [", "body: not valid JSON (line 1, column 15)"),
    (b"[1, 2]", "body: must be a JSON object"),
    (b"\xff\xfe", "body: not UTF-8 text"),
])
def test_malformed_json_is_400(client, body, message):
    r = client.post("/api/solve", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"][0].startswith(message)


def test_expressions_never_reach_eval(client):
    r = client.post("/api/solve", json={"problems": [{"type": "lipschitz", "f": "__import__('os').getpid()"}]})
    assert r.status_code == 400 and "p1: field 'f' is not a valid expression" in r.json()["errors"][0]


def test_bodies_over_1_mb_are_413(client):
    big = b"{\"title\": \"" + b"x" * MAX_BODY + b"\"}"
    for path in ("/api/solve", "/api/check", "/"):
        assert client.post(path, content=big).status_code == 413
    # without a Content-Length (chunked), the limit holds while reading
    r = client.post("/api/solve", content=iter([b"{\"title\": \"", b"x" * MAX_BODY, b"\"}"]))
    assert r.status_code == 413


def test_api_check_equals_the_cli_json(client, tmp_path):
    answers = {"q3c": {"kl_pq": 1.3068528194400546, "kl_qp": 0.3466}, "q1a": {"y": [1, 5]}}
    p = tmp_path / "answers.json"
    p.write_text(json.dumps({"answers": answers}))
    r = client.post("/api/check", json={"answers": answers, "exam": load_spec_file(SEED)})
    cli_r, expected = _cli_json("check", str(p), "--exam", SEED, "--format", "json")
    assert r.status_code == 200 and cli_r.exit_code == 1
    got = r.json()
    assert got.pop("exam") == "the given exam" and expected.pop("exam") == SEED
    assert got == expected
    assert got["results"][0]["slip"]["name"] == "variance_as_std" and got["score"] == 1.5
    r = client.post("/api/check", json={"answers": {"q9": {"x": 1}}})
    assert r.status_code == 400 and r.json()["errors"][0].startswith("q9: no such problem")


def test_a_job_past_the_time_limit_is_503_and_the_pool_recovers():
    with TestClient(create_app(workers=1, time_limit=0.001)) as c:  # no solve fits in 1 ms
        r = c.post("/api/solve", json=THREE)
        assert r.status_code == 503 and "time limit of 0.001 s" in r.json()["errors"][0]
        c.app.state.pool.time_limit = 60  # the killed worker was replaced: the next job runs
        assert c.post("/api/solve", json=THREE).status_code == 200


@pytest.mark.parametrize("name", list(problem_types()))
def test_every_type_has_its_form_from_its_schema(client, name):
    r = client.get("/", params={"type": name})
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]
    for p in problem_types()[name].parameters:
        assert f'name="f_{p.name}"' in r.text
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text)  # nothing from elsewhere


def test_form_solve_check_variant_and_export(client):
    form = {"type": "kl", "f_p": "N(3, 2)", "f_q": "N(4, 1)"}
    r = client.post("/", data={**form, "action": "solve"})
    assert r.status_code == 200 and "<math" in r.text and "kl_pq" in r.text
    r = client.post("/", data={**form, "f_p": "N(3, -2)", "action": "solve"})
    assert r.status_code == 400
    assert re.search(r'data-field="p">.*?<span class="fault" id="fault-p" role="alert">field &#x27;p&#x27; '
                     r"variance must be &gt; 0, got -2</span>", r.text)
    r = client.post("/", data={**form, "action": "check", "a_kl_pq": "1.3068528194400546"})
    assert "WRONG: kl_pq" in r.text and "slip: variance taken as standard deviation" in r.text
    r1 = client.post("/", data={**form, "action": "variant", "seed": "4"})
    r2 = client.post("/", data={**form, "action": "variant", "seed": "4"})
    assert r1.status_code == 200 and "drawn from the kl schema" in r1.text and r1.text == r2.text
    r = client.post("/", data={**form, "action": "moodle"})
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="quiz.xml"'
    assert r.text.startswith("<?xml") and "<quiz>" in r.text


# -- the real server ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(workers=2, time_limit=60), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 120
    while not srv.started:
        assert time.monotonic() < deadline and t.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(60)
    assert not t.is_alive(), "uvicorn did not stop"


def test_200_requests_from_20_clients_are_all_answered(server, tmp_path):
    import httpx

    p = tmp_path / "three.json"
    p.write_text(json.dumps(THREE))
    expected = _cli_json("solve", str(p), "--format", "json")[1]

    def client_run(_):
        with httpx.Client(base_url=server, timeout=120) as c:
            return [c.post("/api/solve", json=THREE) for _ in range(10)]

    with ThreadPoolExecutor(20) as ex:
        responses = [r for rs in ex.map(client_run, range(20)) for r in rs]
    assert len(responses) == 200
    assert all(r.status_code == 200 for r in responses)
    assert all(r.json() == expected for r in responses)


def test_in_a_browser_fill_solve_and_check(server, browser):  # noqa: F811
    cdp = browser

    def load(url=None):
        cdp.events.clear()
        if url:
            cdp.call("Page.navigate", url=url)
        cdp.wait_event("Page.loadEventFired", timeout=120)

    load(f"{server}/?type=kl")
    cdp.js("document.getElementById('f_p').value = 'N(3, 2)'; document.getElementById('f_q').value = 'N(4, 1)';"
           "document.getElementById('problem-form').requestSubmit(document.getElementById('solve'))")
    load()
    answers = cdp.js("Object.fromEntries([...document.querySelectorAll('#result .answers tr')]"
                     ".map(tr => [tr.querySelector('th').textContent.trim(), tr.querySelector('td').innerText.trim()]))")
    # KL(N(3,2) || N(4,1)) = 1/2 (2/1 + (4-3)^2/1 - 1 + ln(1/2)) = 1 - ln(2)/2 = 0.653426
    assert answers["kl_pq"].replace("\n", "").startswith("0.653426"), answers
    cdp.js("document.querySelector('details.check').open = true;"
           "document.getElementById('a_kl_pq').value = '1.30685';"
           "document.getElementById('problem-form').requestSubmit(document.getElementById('check'))")
    load()
    verdict = cdp.js("document.querySelector('.verdict[data-key=\"kl_pq\"]').innerText")
    assert verdict.startswith("WRONG: kl_pq") and "variance taken as standard deviation" in verdict
    # a bad field: its fault is shown beside it
    cdp.js("document.getElementById('f_q').value = 'N(4, 0)';"
           "document.getElementById('problem-form').requestSubmit(document.getElementById('solve'))")
    load()
    fault = cdp.js("document.querySelector('[data-field=\"q\"] .fault').innerText")
    assert fault == "field 'q' variance must be > 0, got 0"
    assert cdp.js("document.getElementById('status').textContent") == ""  # a fresh page, the script idle
