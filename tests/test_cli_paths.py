"""Every command of the CLI, given an output path it cannot write or an input file that is not
what it should be, stops BEFORE any work with one line on stderr and exit 2: no traceback, no
lost model. The list below must name every command (a new command fails the last test until
it is added)."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from adlkit.cli import app
from tests.cli_checks import one_line_exit_2

BAD = "/proc/adlkit-no/such"  # a folder that cannot be created, even by root
SEED = "src/adlkit/solve/exams/seed.yaml"

#: command -> arguments that give it an unwritable output path (the message must name it)
BAD_OUTPUT = {
    "solve": [SEED, "-o", f"{BAD}/sheet.txt"],
    "exam": ["--out", BAD],
    "compare": ["--quick", "-o", BAD],
    "train flow": ["-o", BAD],
    "train planar": ["-o", BAD],
    "train word2vec": ["-o", f"{BAD}/x.safetensors"],
    "train glove": ["-o", f"{BAD}/x.safetensors"],
    "train gan": ["-o", BAD],
    "train vae": ["-o", BAD],
    "train ebm": ["-o", BAD],
    "train rbm": ["-o", BAD],
    "train score": ["-o", BAD],
    "train diffusion": ["-o", BAD],
    "train cove": ["--vectors", "{junk}", "-o", BAD],
    "train lm": ["-o", f"{BAD}/lm.npz"],
    "train fvsbn": ["-o", BAD],
    "train made": ["-o", BAD],
    "train pixelcnn": ["-o", BAD],
    "sample flow": ["{flow}", "-o", BAD],
    "sample gan": ["{gan}", "-o", BAD],
    "sample vae": ["{vae}", "-o", BAD],
    "sample ebm": ["{ebm}", "-o", BAD],
    "sample diffusion": ["{diffusion}", "-o", BAD],
    "eval senses": ["--plot", f"{BAD}/x.png"],
    "corpus build": ["-o", BAD],
    "corpus parallel": ["-o", BAD],
    "explain wgan-gp": ["--cache", f"{BAD}/x.json"],
    "explain optimal-discriminator": ["--plot", f"{BAD}/x.png"],
    "variants": [SEED, "-n", "2", "-o", f"{BAD}/v.yaml"],
    "export": [SEED, "--to", "moodle", "-o", f"{BAD}/quiz.xml"],
}
#: command -> arguments that hand it a file that is not what it reads
BAD_INPUT = {
    "sample flow": ["{junk}"], "sample gan": ["{junk}"], "sample vae": ["{junk}"], "sample ebm": ["{junk}"],
    "sample diffusion": ["{junk}"],
    "eval gan": ["{junk}"], "eval embeddings": ["{junk}"], "similar": ["{junk}", "king"],
    "embed": ["a b", "--cove", "{junk}"], "generate": ["{junk}"], "explain cove-vs-static": ["--cove", "{junk}"],
}
#: commands that write nothing and read no model file of their own (their input errors are
#: tested with their families: spec and answers files in tests/solve and tests/test_check.py)
NO_PATHS = {"check", "explain glove-vs-word2vec", "types", "serve"}


def _commands() -> set[str]:
    root = get_command(app)
    names = set()
    for name, cmd in root.commands.items():
        sub = getattr(cmd, "commands", None)
        names |= {f"{name} {s}" for s in sub} if sub else {name}
    return names


@pytest.fixture
def files(tmp_path):
    """A file that is no model, and a tiny untrained checkpoint of each family."""
    from adlkit.diffusion.model import DiffusionModule
    from adlkit.ebm import EBMModule
    from adlkit.flows import RealNVPFlow
    from adlkit.gan import GANModule
    from adlkit.train import save_checkpoint
    from adlkit.vae import VAEModule

    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model\n")
    out = {"junk": str(junk)}
    for name, model in [("flow", RealNVPFlow(2, n_couplings=1, hidden=[4])), ("gan", GANModule(hidden=[4])),
                        ("vae", VAEModule(2, latent_dim=1, hidden=[4], likelihood="gaussian")),
                        ("ebm", EBMModule(2, hidden=[4], buffer_size=8)),
                        ("diffusion", DiffusionModule(2, hidden=[4], steps=10))]:
        save_checkpoint(model, tmp_path / f"{name}.pt")
        out[name] = str(tmp_path / f"{name}.pt")
    return out


def _args(template, files):
    return [a.format(**files) for a in template]


@pytest.mark.parametrize("command", sorted(BAD_OUTPUT))
def test_unwritable_output_is_one_line_before_any_work(command, files, monkeypatch, tmp_path):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    args = _args(BAD_OUTPUT[command], files)
    line = one_line_exit_2(CliRunner().invoke(app, [*command.split(), *args]))
    assert "/proc/adlkit-no" in line


@pytest.mark.parametrize("command", sorted(BAD_INPUT))
def test_a_file_that_is_not_a_model_is_one_line(command, files, monkeypatch, tmp_path):
    monkeypatch.setenv("ADLKIT_DATA", str(tmp_path / "data"))
    line = one_line_exit_2(CliRunner().invoke(app, [*command.split(), *_args(BAD_INPUT[command], files)]))
    assert "junk.pt" in line


def test_every_command_is_covered():
    covered = set(BAD_OUTPUT) | set(BAD_INPUT) | NO_PATHS
    assert _commands() == covered, (_commands() - covered, covered - _commands())
