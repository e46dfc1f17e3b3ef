"""The base of the config dataclasses next to each model module."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


class ModelConfig:
    """Base of the config dataclasses of the model modules (``RealNVPConfig``, ``VAEConfig``,
    ``EBMConfig``, ``GANConfig``): :meth:`as_dict` is what a checkpoint stores as
    ``model_config``, and ``Module(**config.as_dict())`` rebuilds the module."""

    def as_dict(self) -> dict[str, Any]:
        """The dataclass fields, JSON-safe: tuples (widths, shapes, betas) as lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
