"""Jupyter: the example notebook executes (nbclient, a real ipykernel), solution objects display
themselves as HTML with MathML and as Markdown, and ``adlkit.solve`` validates like the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import adlkit
from adlkit.cli import app

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "exam_walkthrough.ipynb"


def test_example_notebook_executes(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # the kernel imports the same adlkit as this test, wherever it was imported from
    src = str(Path(adlkit.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any failing cell (its asserts included)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o["data"] for o in outputs if o.output_type == "execute_result" and "text/html" in o["data"]]
    # q1a, q1b, q2a and the whole sheet display as HTML with MathML, with Markdown beside it
    assert len(rich) >= 4
    for data in rich:
        assert "<math " in data["text/html"] and "text/markdown" in data
        assert "<script" not in data["text/html"]
    sheet_html = rich[-1]["text/html"]
    assert sheet_html.count('<section class="problem"') == len(adlkit.solve.solve_file(
        adlkit.solve.bundled_exam_path()).results)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "q2a: field 'window' is the total span" not in text  # id of one-off problems is p1
    assert "p1: field 'window' is the total span including the centre word: odd and at least 3, got 4" in text
    assert "slip: a log-det term forgotten" in text and "slip: window counted one-sided" in text


def test_python_solve_validates_like_the_cli(tmp_path):
    import yaml

    # the seed's Q3C from Python: KL(N(3, 2) || N(4, 1)) = 0.6534, the other way 0.3466
    sol = adlkit.solve("kl", p="N(3, 2)", q="N(4, 1)")
    assert round(sol.answers["kl_pq"], 4) == 0.6534 and round(sol.answers["kl_qp"], 4) == 0.3466
    for bad in ({"p": "N(3, -2)", "q": {"mean": 1}, "r": 3},
                {"x": [1], "s": "0.5*x1 + __import__('os')", "t": "1", "split": 0, "type": "coupling"}):
        bad = dict(bad)
        ptype = bad.pop("type", "kl")
        with pytest.raises(adlkit.solve.SpecError) as err:
            adlkit.solve(ptype, **bad)
        spec = tmp_path / "bad.yaml"
        spec.write_text(yaml.safe_dump({"problems": [{"id": "p1", "type": ptype, **bad}]}))
        r = CliRunner().invoke(app, ["solve", str(spec)])
        assert r.exit_code == 2
        assert r.stderr.strip().splitlines() == err.value.messages
        assert len(err.value.messages) >= 2


def test_solve_is_callable_after_the_subpackage_is_imported():
    import adlkit.solve.model

    sol = adlkit.solve("word2vec", length=5, window=3, dim=4)
    assert sol.answers["skipgram_training_set_size"] == 8
    assert isinstance(sol, adlkit.solve.Solution)
