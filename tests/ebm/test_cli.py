"""`adlkit train ebm` and `adlkit sample ebm` on bad paths and bad checkpoints: one line, exit 2."""

from typer.testing import CliRunner

from adlkit.cli import app
from tests.cli_checks import one_line_exit_2

runner = CliRunner()


def test_bad_output_path_stops_before_training(tmp_path):
    """`train ebm --out` under a file (as /proc/x): one line naming the path, nothing trained."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = runner.invoke(app, ["train", "ebm", "--max-steps", "2", "--hidden", "4", "--no-ais", "-q",
                            "--out", str(blocker / "run")])
    assert str(blocker / "run") in one_line_exit_2(r)
    assert "training" not in r.stdout


def test_bad_checkpoint_and_bad_sample_folder(tmp_path):
    """A missing file, a file that is not an adlkit checkpoint, a GAN's checkpoint: one line and
    exit 2; a good checkpoint with an unwritable -o: the same, before sampling."""
    r = runner.invoke(app, ["sample", "ebm", str(tmp_path / "nope.pt")])
    assert "no such checkpoint" in one_line_exit_2(r)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    assert "is not an adlkit checkpoint" in one_line_exit_2(runner.invoke(app, ["sample", "ebm", str(bad)]))
    from adlkit.ebm import EBMModule
    from adlkit.gan.models import GANModule
    from adlkit.train import save_checkpoint

    save_checkpoint(GANModule("wgan", hidden=[4]), tmp_path / "gan.pt")
    r = runner.invoke(app, ["sample", "ebm", str(tmp_path / "gan.pt")])
    assert "holds a GANModule, not an EBM" in one_line_exit_2(r)
    save_checkpoint(EBMModule(2, hidden=(4,), buffer_size=10), tmp_path / "ebm.pt")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = runner.invoke(app, ["sample", "ebm", str(tmp_path / "ebm.pt"), "-n", "3", "--steps", "2",
                            "-o", str(blocker / "s")])
    assert str(blocker / "s") in one_line_exit_2(r)
