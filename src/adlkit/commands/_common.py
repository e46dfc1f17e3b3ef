"""Helpers shared by the command modules: one-line failures, option parsing, output paths and
checkpoints. A command is a thin adapter: parse and check its options, check its output paths
BEFORE any work, call the library, print what it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer


def fail(msg: str, code: int = 2) -> NoReturn:
    """Print ``error: msg`` (one line) on stderr and exit with ``code`` (2: bad input)."""
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def nonfinite_exit(e: Exception) -> NoReturn:
    """Training stopped on NaN/inf: exit 1 with the loop's message (the last good weights are kept)."""
    fail(str(e), code=1)


def check_data(data: str, allow_digits: bool = True, kind: str | None = "toy") -> str:
    """A registered data set name (case-insensitive), or a usage error naming the choices."""
    from adlkit.data.registry import names

    name = data.lower()
    ok = names(kind) + (["digits"] if allow_digits and "digits" not in names(kind) else [])
    if name not in ok:
        raise typer.BadParameter(f"unknown data set {data!r}; choose one of {', '.join(ok)}", param_hint="--data")
    return name


def parse_widths(hidden: str, opt: str = "--hidden") -> list[int]:
    """``"64,64"`` -> ``[64, 64]`` (positive integers), or a usage error."""
    try:
        w = [int(h) for h in hidden.split(",") if h.strip()]
        if not w or min(w) < 1:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated positive integers, got {hidden!r}", param_hint=opt) from None
    return w


def output_dir(path: str | Path) -> Path:
    """The output folder, created and checked before any work (exit 2 with one line if not writable)."""
    from adlkit.core.paths import OutputPathError, prepare_output_dir

    try:
        return prepare_output_dir(path)
    except OutputPathError as e:
        fail(str(e))


def output_file(path: str | Path) -> Path:
    """An output file's path, checked before any work (its folder is created if missing)."""
    from adlkit.core.paths import OutputPathError, prepare_output_file

    try:
        return prepare_output_file(path)
    except OutputPathError as e:
        fail(str(e))


def save_safely(save, path: str | Path, what: str = "the result") -> Path:
    """``save(path)``; if the file cannot be written, save to a safe place and say where."""
    from adlkit.core.paths import save_or_rescue

    where, err = save_or_rescue(save, path)
    if err is not None:
        typer.echo(f"warning: {err}; saved {what} to {where} instead", err=True)
    return where


def load_checkpoint(checkpoint: Path, cls_name: str | tuple[str, ...], what: str) -> Any:
    """The model of an adlkit checkpoint whose class is ``cls_name``; anything else (a missing
    file, a file that is not an adlkit checkpoint, another model) is one line and exit 2."""
    from adlkit.train import load_model

    if not checkpoint.is_file():
        fail(f"no such checkpoint: {checkpoint}")
    try:
        model = load_model(checkpoint)
    except ValueError as e:  # not an adlkit checkpoint, or a class adlkit does not load
        fail(str(e).strip().splitlines()[0])
    except Exception as e:  # a checkpoint that does not fit its model: the first line names why
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        fail(f"cannot load {checkpoint}: {first[:200]}")
    names = (cls_name,) if isinstance(cls_name, str) else cls_name
    if type(model).__name__ not in names:
        fail(f"{checkpoint} holds {_a(type(model).__name__)}, not {_a(what)}")
    return model


#: what a wrong path or a wrong file raises (UnicodeDecodeError is a ValueError; a source that
#: is not installed, such as adlkit.data.text.CorpusSourceMissing, a FileNotFoundError)
USER_ERRORS: tuple[type[BaseException], ...] = (FileNotFoundError, NotADirectoryError, IsADirectoryError,
                                                 PermissionError, ValueError, KeyError)


@contextmanager
def user_errors() -> Iterator[None]:
    """The user's input errors (:data:`USER_ERRORS`: a wrong path, a file that is not what it
    should be, a source that is not installed) -> ``error: message`` on stderr, exit 2."""
    try:
        yield
    except USER_ERRORS as e:
        fail(str(e.args[0] if isinstance(e, KeyError) and e.args else e))


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: an EBM, a VAE (acronyms by the letter's sound), a flow."""
    if noun[:2].isupper():
        return ("an " if noun[0] in "AEFHILMNORSX" else "a ") + noun
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
