"""The GAN commands: they run, and bad input gives one line and a non-zero exit."""

from typer.testing import CliRunner

from adlkit.cli import app

runner = CliRunner()


def test_train_sample_eval_round_trip(tmp_path):
    out = tmp_path / "run"
    r = runner.invoke(app, ["train", "gan", "--loss", "wgan", "--data", "8gaussians", "--iters", "2",
                            "--hidden", "8,8", "--batch-size", "16", "--out", str(out), "--eval-n", "200", "-q"])
    assert r.exit_code == 0, r.output
    assert "exact W1" in r.output and "modes covered" in r.output
    r = runner.invoke(app, ["sample", "gan", str(out / "best.pt"), "-n", "50"])
    assert r.exit_code == 0, r.output
    assert (out / "gan_samples.npy").is_file()
    r = runner.invoke(app, ["eval", "gan", str(out / "best.pt"), "-n", "100", "--json"])
    assert r.exit_code == 0, r.output
    assert '"w1"' in r.output


def test_wgan_gp_run_short_of_the_modes_says_what_to_try(tmp_path):
    """Two iterations cannot cover 8 modes: the run ends with the note on how to get there."""
    r = runner.invoke(app, ["train", "gan", "--data", "8gaussians", "--iters", "2", "--hidden", "8,8",
                            "--eval-n", "50", "-q", "-o", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    assert "note: not every mode is covered yet" in r.output and "--gp-lambda 0.1" in r.output


def test_missing_checkpoint_is_one_line(tmp_path):
    r = runner.invoke(app, ["eval", "gan", str(tmp_path / "nope.pt")])
    assert r.exit_code == 1
    assert "no such checkpoint" in r.output and "Traceback" not in r.output


def test_foreign_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    r = runner.invoke(app, ["sample", "gan", str(bad)])
    assert r.exit_code == 1 and "cannot load" in r.output and "Traceback" not in r.output


def test_bad_choice_and_bad_hidden_are_usage_errors():
    r = runner.invoke(app, ["train", "gan", "--loss", "lsgan"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = runner.invoke(app, ["train", "gan", "--hidden", "a,b"])
    assert r.exit_code == 2 and "comma-separated" in r.output
