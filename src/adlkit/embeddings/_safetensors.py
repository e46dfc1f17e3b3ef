"""Writing safetensors files so that a failed write is an ``OSError`` (safetensors raises its own
``SafetensorError`` for a missing folder or a full disk), which the rescue of a failed save
(:func:`adlkit.core.paths.save_or_rescue`) catches."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def write(save_file: Callable[..., None], tensors: dict[str, Any], path: str | os.PathLike[str],
          metadata: dict[str, str]) -> None:
    """``save_file(tensors, path, metadata=metadata)`` of ``safetensors.numpy`` or ``safetensors.torch``."""
    from safetensors import SafetensorError

    try:
        save_file(tensors, str(path), metadata=metadata)
    except SafetensorError as err:
        raise OSError(f"cannot write {path}: {err}") from None
