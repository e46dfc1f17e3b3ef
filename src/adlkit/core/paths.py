"""Where adlkit keeps its data, and output paths checked before any work is done.

``data_home()`` is ``$ADLKIT_DATA`` (``$ADLKIT_CACHE``, its former name, is still read), else
``~/.cache/adlkit``: corpora, trained models and cached measurements live below it.

A command that will write a file calls :func:`prepare_output_file` (or
:func:`prepare_output_dir`) BEFORE it trains anything: missing parent folders are created, and
a path that cannot be written raises :class:`OutputPathError` with one line saying why. A save
that still fails after the work is done goes through :func:`save_or_rescue`, which writes the
result to a safe place instead and says where, so that no trained model is lost.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ENV_DATA = "ADLKIT_DATA"
ENV_DATA_OLD = "ADLKIT_CACHE"


class OutputPathError(ValueError):
    """An output path that cannot be written (the message is one line)."""


def data_home() -> Path:
    """``$ADLKIT_DATA``, else ``$ADLKIT_CACHE``, else ``~/.cache/adlkit``."""
    base = os.environ.get(ENV_DATA) or os.environ.get(ENV_DATA_OLD)
    return Path(base) if base else Path.home() / ".cache" / "adlkit"


def _probe(folder: Path) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".adlkit-write-test-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        raise OutputPathError(f"cannot write to {folder}: {err.strerror or err}") from None


def prepare_output_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and its parents) if missing and check that files can be written there."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise OutputPathError(f"{p} exists and is not a folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"cannot create the folder {p}: {err.strerror or err}") from None
    _probe(p)
    return p


def prepare_output_file(path: str | os.PathLike[str]) -> Path:
    """Check that the file ``path`` can be written (its folder is created if missing)."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise OutputPathError(f"{p} is a folder; give a file name")
    prepare_output_dir(p.parent)
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputPathError(f"cannot write to {p}: permission denied")
    return p


def rescue_dir() -> Path:
    """A folder that can be written: ``data_home()/rescued``, else the system's temporary folder."""
    for base in (data_home() / "rescued", Path(tempfile.gettempdir()) / "adlkit-rescued"):
        try:
            return prepare_output_dir(base)
        except OutputPathError:
            continue
    return Path(tempfile.mkdtemp(prefix="adlkit-rescued-"))


def save_or_rescue(save: Callable[[Path], None], path: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """``save(path)``; if that fails with an OSError, ``save`` to a file of the same name in
    :func:`rescue_dir` instead. Returns ``(where it was saved, the first error or None)``."""
    p = Path(path)
    try:
        save(p)
        return p, None
    except OSError as err:
        alt = rescue_dir() / f"{time.strftime('%Y%m%d-%H%M%S')}-{p.name}"
        save(alt)
        return alt, f"could not write {p} ({err.strerror or err})"
