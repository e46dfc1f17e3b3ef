"""What a train-evaluate-report pipeline returns (``adlkit.<family>.pipeline``): one shape for
every family, so the CLI, benches and notebooks read runs the same way."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunReport:
    """The fitted ``model`` (an estimator, or a run object that holds it), the ``metrics`` (the
    content of ``metrics.json``), the output folder ``out`` (None: nothing written) and the
    ``files`` written there, in the order a command lists them."""

    model: Any
    metrics: dict[str, Any]
    out: Path | None = None
    files: list[Path] = field(default_factory=list)

    @staticmethod
    def checkpoints_in(out: Path) -> list[Path]:
        """The loop's checkpoints ``best.pt`` and ``last.pt`` that exist in ``out``, in that order."""
        return [p for p in (out / "best.pt", out / "last.pt") if p.is_file()]

    def write_metrics(self, name: str = "metrics.json") -> Path | None:
        """Write :attr:`metrics` as JSON into :attr:`out` (if any) and list the file."""
        if self.out is None:
            return None
        path = Path(self.out) / name
        path.write_text(json.dumps(self.metrics, indent=1))
        self.files.append(path)
        return path

    @property
    def metrics_path(self) -> Path | None:
        """Where :meth:`write_metrics` wrote ``metrics.json`` (None when nothing was written)."""
        return next((p for p in self.files if p.name == "metrics.json"), None)
