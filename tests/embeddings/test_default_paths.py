"""`adlkit train glove` with no --out writes where `adlkit train cove` looks, and
`adlkit train cove` with no options, when those vectors are missing, says how to get them."""

from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.embeddings.pipeline import default_vectors
from tests.cli_checks import one_line_exit_2

runner = CliRunner()


def test_train_cove_without_vectors_says_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    line = one_line_exit_2(runner.invoke(app, ["train", "cove"]))
    assert str(default_vectors()) in line and "adlkit corpus build && adlkit train glove" in line


def test_train_glove_default_output_is_where_cove_looks(tmp_path, monkeypatch):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    text = tmp_path / "t.txt"
    text.write_text("\n".join("the cat sat on the mat and the dog ran to the park." for _ in range(50)) + "\n")
    r = runner.invoke(app, ["train", "glove", "--corpus", str(text), "--epochs", "1", "--min-count", "1",
                            "--vector-size", "4", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert default_vectors().is_file() and str(tmp_path / "data") in str(default_vectors())
