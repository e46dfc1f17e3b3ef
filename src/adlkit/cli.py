"""The ``adlkit`` command line. Each command family lives in ``adlkit.commands.<name>`` and
registers itself on the groups below; heavy imports happen inside the commands, so start-up
stays fast."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="adlkit: Advanced Deep Learning, executable. Worked solutions and the real models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
groups: dict[str, typer.Typer] = {"app": app}
for _name, _help in [
    ("train", "Train a model on real data."),
    ("sample", "Draw samples from a trained checkpoint."),
    ("eval", "Evaluate a trained model or vectors."),
    ("corpus", "Build the offline text corpora."),
    ("explain", "The sheet's prose answers, backed by measurements."),
]:
    groups[_name] = typer.Typer(help=_help, no_args_is_help=True)
    app.add_typer(groups[_name], name=_name)

# One module per command family; each defines ``register(groups)``.
COMMAND_MODULES = [
    "adlkit.commands.solve",
    "adlkit.commands.flows",
    "adlkit.commands.planar",
    "adlkit.commands.embeddings",
    "adlkit.commands.check",
    "adlkit.commands.gan",
    "adlkit.commands.vae",
    "adlkit.commands.ebm",
    "adlkit.commands.diffusion",
    "adlkit.commands.compare",
    "adlkit.commands.cove",
    "adlkit.commands.teach",
    "adlkit.commands.lm",
    "adlkit.commands.autoregressive",
]

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(groups)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
