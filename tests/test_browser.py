"""The HTML solution page in a real browser: headless Chromium (Debian's ``chromium``), driven
through its DevTools protocol over a local websocket.

What is measured comes from the browser's layout, not from our HTML string: every ``math``
element has a non-zero box, fractions are laid out with the numerator above the denominator
(real MathML layout, not a line of text), no rendered text node shows LaTeX source, every
figure decoded, the answers shown equal the seed sheet's worked solution, nothing was
requested from the network, the page's own script ran under its Content-Security-Policy and
injected markup did not, and the print layout shows every formula even of collapsed steps.

Set ``ADLKIT_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from adlkit.solve import bundled_exam_path, solve_file, solve_spec
from adlkit.solve.model import Solution, SolvedSheet
from adlkit.solve.printers.html import render_sheet

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*"]


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDP:
    """A minimal Chrome DevTools Protocol client for one page."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        for i, ev in enumerate(self.events):
            if ev["method"] == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def js(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"page script failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self):
        self.ws.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _find_chromium()
    if exe is None:
        reason = os.environ.get("ADLKIT_NO_CHROMIUM")
        if os.environ.get("CI") and not reason:
            pytest.fail("Chromium is not installed, and .ci/run did not report that it cannot be "
                        "installed (it sets ADLKIT_NO_CHROMIUM when apt-get fails)")
        pytest.skip("headless Chromium is not available"
                    + (f": {reason}" if reason else "; install it with `apt-get install chromium`"))
    pytest.importorskip("websocket", reason="websocket-client is a test dependency: pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None:
                pytest.fail(f"chromium exited with status {proc.returncode} before opening DevTools")
            if time.monotonic() > deadline:
                pytest.fail("chromium did not open its DevTools port within 60 s")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        cdp = CDP(pages[0]["webSocketDebuggerUrl"])
        cdp.call("Page.enable")
        cdp.call("Network.enable")
        cdp.call("Runtime.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=1100, height=900, deviceScaleFactor=1, mobile=False)
        yield cdp
        cdp.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _open(cdp: CDP, path: Path) -> list[str]:
    """Load a file in the page; returns the URLs it requested."""
    cdp.events.clear()
    cdp.call("Emulation.setEmulatedMedia", media="")
    cdp.call("Page.navigate", url=path.resolve().as_uri())
    cdp.wait_event("Page.loadEventFired")
    cdp.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return [e["params"]["request"]["url"] for e in cdp.events if e["method"] == "Network.requestWillBeSent"]


MEASURE = r"""
(() => {
  const rawTex = /\\[A-Za-z]+|\\[{}|,;!]|[_^]\{|\$/;
  const maths = [...document.querySelectorAll('math')];
  const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const shown = el => el.checkVisibility({visibilityProperty: true});
  const zero = maths.filter(m => { const [w, h] = box(m); return !(w > 0 && h > 0 && shown(m)); })
                    .map(m => m.outerHTML.slice(0, 160));
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const p = n.parentElement;
    if (!p || p.closest('script, style') || !n.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const rendered = [...range.getClientRects()].some(r => r.width > 0 && r.height > 0);
    if (rendered && shown(p) && rawTex.test(n.textContent))
      raw.push(n.textContent.slice(0, 120));
  }
  const fracs = [...document.querySelectorAll('mfrac')].map(f => {
    const [num, den] = f.children;
    return num.getBoundingClientRect().bottom <= den.getBoundingClientRect().top + 0.5;
  });
  const imgs = [...document.images].map(i => ({alt: i.alt, complete: i.complete,
    w: i.naturalWidth, h: i.naturalHeight, shown: box(i)[0] > 0 && box(i)[1] > 0 && shown(i)}));
  const answers = {};
  document.querySelectorAll('section.problem').forEach(s => {
    const rows = {};
    s.querySelectorAll('.answers > table > tbody > tr').forEach(tr => {
      rows[tr.querySelector(':scope > th').textContent.trim()] = tr.querySelector(':scope > td').innerText.trim();
    });
    answers[s.querySelector('.pid').textContent] = rows;
  });
  return {nMath: maths.length, zero, raw, fracs, imgs, answers,
          fallbacks: document.querySelectorAll('.math-fallback').length,
          missing: document.querySelectorAll('.figure-missing').length,
          conventionsFirst: [...document.querySelectorAll('section.problem')].every(s =>
            !s.querySelector('aside.conventions') ||
            s.querySelector('aside.conventions').compareDocumentPosition(s.querySelector('.solution, .answers'))
              & Node.DOCUMENT_POSITION_FOLLOWING),
          scriptRan: document.documentElement.classList.contains('js'),
          scripts: document.scripts.length,
          width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight};
})()
"""


def _screenshot(cdp: CDP, name: str, tmp_path: Path) -> Path:
    m = cdp.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": m[0], "height": m[1], "scale": 1})
    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (m[0], m[1])
    out = Path(os.environ.get("ADLKIT_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(png)
    return out / name


def _number(text: str) -> float:
    return float("".join(text.split()).replace("\u2212", "-"))


# The seed sheet's worked solution (../shared/seeds/000_90933dd7a033a1b7.md), to its digits.
SEED_VALUES = {
    ("q1a", "log_det"): 0.5,
    ("q1b", "p_hat"): 0.5625,
    ("q2a", "cbow_parameters"): 40,
    ("q2a", "skipgram_parameters"): 40,
    ("q2a", "cbow_training_set_size"): 5,
    ("q2a", "skipgram_training_set_size"): 8,
    ("q3b", "distance"): 1.0824,
    ("q3c", "kl_pq"): 0.6534,
    ("q3c", "kl_qp"): 0.3466,
    ("q4a", "Z"): 5.317,
    ("q4d", "reconstruction"): 0.02,
    ("q4d", "total"): 0.5733,
}


def test_seed_sheet_renders_as_a_finished_solution_sheet(browser, tmp_path):
    from typer.testing import CliRunner

    from adlkit.cli import app

    page = tmp_path / "sheet.html"
    r = CliRunner().invoke(app, ["exam", "--format", "html", "-o", str(page)])
    assert r.exit_code == 0, r.output
    requests = _open(browser, page)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert browser.js("document.querySelectorAll('details:not([open])').length") > 0  # collapsible
    browser.js("document.getElementById('adlkit-expand').click()")
    assert browser.js("document.querySelectorAll('details:not([open])').length") == 0
    m = browser.js(MEASURE)
    shot = _screenshot(browser, "sheet.png", tmp_path)
    assert shot.stat().st_size > 10_000
    assert m["scriptRan"] and m["scripts"] == 1
    assert m["nMath"] > 50
    assert m["zero"] == [], "math elements with an empty box"
    assert m["raw"] == [], "LaTeX source visible as text"
    assert m["fallbacks"] == 0, "formulas that latex2mathml could not convert"
    assert m["fracs"] and all(m["fracs"]), "fractions not laid out as fractions"
    assert m["missing"] == 0
    assert all(i["complete"] and i["w"] > 0 and i["h"] > 0 and i["shown"] for i in m["imgs"]), m["imgs"]
    # each problem of a type that draws a figure shows at least one, decoded by the browser
    from adlkit.solve.registry import problem_types

    with_figures = [s for s in solve_file(bundled_exam_path()).results if problem_types()[s.type].figures]
    assert len(with_figures) >= 5 and len(m["imgs"]) >= len(with_figures)
    assert m["conventionsFirst"]
    assert m["width"] <= 1100, "the page scrolls sideways"
    # every problem of the exam is on the page, and the answers shown are the sheet's
    ids = [s.id for s in solve_file(bundled_exam_path()).results]
    assert list(m["answers"]) == ids
    checked = 0
    for (pid, key), want in SEED_VALUES.items():
        if pid in m["answers"]:
            assert _number(m["answers"][pid][key]) == pytest.approx(want, abs=5e-4), (pid, key)
            checked += 1
    assert checked >= 6
    assert "".join(m["answers"]["q1a"]["y"].split()).startswith("[1,4.6487")
    # collapse everything, then lay the page out for print: every formula is still there
    browser.js("document.getElementById('adlkit-collapse').click()")
    assert browser.js("document.querySelectorAll('details[open]').length") == 0
    hidden = browser.js("[...document.querySelectorAll('math')].filter(e => !e.checkVisibility()).length")
    assert hidden > 0  # on screen, collapsed steps hide their formulas
    browser.call("Emulation.setEmulatedMedia", media="print")
    p = browser.js(MEASURE)
    assert p["zero"] == [] and p["raw"] == []
    assert browser.js("getComputedStyle(document.querySelector('.toolbar')).display") == "none"
    pdf = base64.b64decode(browser.call("Page.printToPDF", printBackground=True)["data"])
    assert pdf[:5] == b"%PDF-"


def test_figures_are_embedded_and_load(browser, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot([0, 1, 2], [0, 1, 4])
    fig.savefig(tmp_path / "curve.png", dpi=60)
    fig.savefig(tmp_path / "curve.svg")
    plt.close(fig)
    sol = Solution("f1", "demo", answers={"x": 1.0})
    sol.figures = {"png": str(tmp_path / "curve.png"), "svg": str(tmp_path / "curve.svg"),
                   "broken": "data:image/png;base64,iVBORw0KGgoAAAAN"}
    page = tmp_path / "figures.html"
    page.write_text(render_sheet(SolvedSheet("figures", [sol])), encoding="utf-8")
    assert str(tmp_path) not in page.read_text()  # embedded, not linked
    requests = _open(browser, page)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    m = browser.js(MEASURE)
    imgs = {i["alt"]: i for i in m["imgs"]}
    assert imgs["png"]["complete"] and imgs["png"]["w"] == 240 and imgs["png"]["h"] == 150
    assert imgs["svg"]["w"] > 0 and imgs["svg"]["shown"]
    # the check can fail: a corrupt image is seen as not loaded
    assert imgs["broken"]["w"] == 0


def test_raw_latex_check_can_fail(browser, tmp_path):
    sol = Solution("t1", "demo", answers={"x": 1})
    sol.step(r"a step whose text is LaTeX: \frac{a}{b}", formula=r"\frac{a}{b}")
    page = tmp_path / "raw.html"
    page.write_text(render_sheet(SolvedSheet("", [sol])), encoding="utf-8")
    _open(browser, page)
    m = browser.js(MEASURE)
    assert m["raw"] == [r"a step whose text is LaTeX: \frac{a}{b}"]  # only the text, not the MathML
    assert m["zero"] == [] and m["fracs"] == [True]


def test_user_text_cannot_inject_markup(browser, tmp_path):
    evil = "<img src=x onerror=\"document.documentElement.dataset.pwned='1'\">"
    spec = {"title": "<script>document.documentElement.dataset.pwned='t'</script> & co",
            "problems": [{"id": "<b>q</b>", "type": "word2vec", "sentence": ["a", evil, "c"],
                          "window": 3, "dim": 2}]}
    page = tmp_path / "evil.html"
    page.write_text(render_sheet(solve_spec(spec)), encoding="utf-8")
    requests = _open(browser, page)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert not any(u.endswith("/x") for u in requests)
    assert browser.js("document.documentElement.dataset.pwned === undefined")
    assert browser.js("document.scripts.length") == 1
    assert browser.js("document.querySelector('h1').textContent") == spec["title"]
    assert browser.js("document.querySelector('.pid').textContent") == "<b>q</b>"
    assert browser.js("document.images.length") == 0
    assert browser.js(f"document.body.textContent.includes({json.dumps(evil)})")
