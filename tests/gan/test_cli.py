"""The GAN commands: they run, and bad input gives one line and a non-zero exit."""

from typer.testing import CliRunner

from adlkit.cli import app
from tests.cli_checks import one_line_exit_2

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
    assert "note: not every mode is covered yet" in r.output and "leave out the options you changed" in r.output


def test_bad_output_path_stops_before_training(tmp_path):
    """`train gan --out` under a file (as /proc/x): one line naming the path, nothing trained;
    `sample gan -o` there too, before any sampling."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = runner.invoke(app, ["train", "gan", "--iters", "2", "--hidden", "8,8", "-q", "--out", str(blocker / "run")])
    assert str(blocker / "run") in one_line_exit_2(r)
    assert "training" not in r.stdout
    r = runner.invoke(app, ["explain", "optimal-discriminator", "--steps", "10", "-q", "--plot", str(blocker / "d.png")])
    assert str(blocker) in one_line_exit_2(r) and "Question 4B" not in r.stdout


def test_bad_checkpoint_is_one_line_and_exit_2(tmp_path):
    """A missing file, a file that is not an adlkit checkpoint, another model's checkpoint:
    `sample gan` and `eval gan` say so in one line and exit 2."""
    r = runner.invoke(app, ["eval", "gan", str(tmp_path / "nope.pt")])
    assert "no such checkpoint" in one_line_exit_2(r)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    for cmd in ("sample", "eval"):
        r = runner.invoke(app, [cmd, "gan", str(bad)])
        assert "is not an adlkit checkpoint" in one_line_exit_2(r)
    from adlkit.ebm import EBMModule
    from adlkit.train import save_checkpoint

    save_checkpoint(EBMModule(2, hidden=(4,), buffer_size=10), tmp_path / "ebm.pt")
    r = runner.invoke(app, ["sample", "gan", str(tmp_path / "ebm.pt")])
    assert "holds an EBMModule, not a GAN" in one_line_exit_2(r)


def test_bad_choice_and_bad_hidden_are_usage_errors():
    r = runner.invoke(app, ["train", "gan", "--loss", "lsgan"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = runner.invoke(app, ["train", "gan", "--hidden", "a,b"])
    assert r.exit_code == 2 and "comma-separated" in r.output
