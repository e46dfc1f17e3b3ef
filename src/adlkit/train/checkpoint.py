"""Checkpoints: written atomically, loaded with ``torch.load(weights_only=True)``.

A checkpoint is a dict of tensors and plain Python values. It names the model class as
``"module:QualName"`` (module under ``adlkit.``) and stores the model's constructor arguments,
so :func:`load_model` rebuilds the model from the file alone. No pickle of arbitrary objects,
no eval.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

FORMAT = "adlkit-checkpoint/1"
_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16}


def class_path(model: nn.Module) -> str:
    cls = type(model)
    return f"{cls.__module__}:{cls.__qualname__}"


#: classes renamed since checkpoints naming them were written: old path -> new path
RENAMED = {"adlkit.gan.models:GAN": "adlkit.gan.models:GANModule"}


def resolve_class(path: str) -> type:
    """Import ``"adlkit.module:Class"`` (or the class it was renamed to, :data:`RENAMED`); only
    classes inside the adlkit package are allowed."""
    module, _, name = RENAMED.get(path, path).partition(":")
    if not (module == "adlkit" or module.startswith("adlkit.")) or not name.isidentifier():
        raise ValueError(f"refusing to load model class {path!r}: only adlkit classes can be loaded")
    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(f"{path!r} is not an adlkit nn.Module class")
    return cls


def atomic_save(obj: Any, path: str | Path) -> None:
    """``torch.save`` to a temporary file in the same folder, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(model: nn.Module, path: str | Path, **extra: Any) -> None:
    """Save ``model`` (class, ``get_config()``, state dict) plus ``extra`` entries atomically."""
    first = next((p for p in model.parameters() if p.is_floating_point()), None)
    obj = {
        "format": FORMAT,
        "model_class": class_path(model),
        "model_config": model.get_config(),
        "model_dtype": str(first.dtype).removeprefix("torch.") if first is not None else "float32",
        "model_state": model.state_dict(),
    }
    obj.update(extra)
    atomic_save(obj, path)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint dict with ``weights_only=True`` (no arbitrary unpickling)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # pickle, zip and torch's own errors: the file is not ours
        raise ValueError(f"{path} is not an adlkit checkpoint (torch.load cannot read it with "
                         "weights_only=True)") from err
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError(f"{path} is not an adlkit checkpoint")
    return obj


def load_model(path: str | Path) -> nn.Module:
    """Rebuild the model stored in a checkpoint from its own arguments; returns it in eval mode."""
    ckpt = load_checkpoint(path)
    cls = resolve_class(ckpt["model_class"])
    model = cls(**ckpt["model_config"])
    dtype = ckpt.get("model_dtype", "float32")
    if dtype not in _DTYPES:
        raise ValueError(f"unsupported model dtype {dtype!r} in {path}")
    model = model.to(_DTYPES[dtype])
    model.load_state_dict(ckpt["model_state"])
    return model.eval()
