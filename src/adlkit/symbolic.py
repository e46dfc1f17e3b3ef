"""Guarded SymPy calls: symbolic integration, limits and equation solving can run for a very
long time on innocent-looking inputs, so every such call in adlkit goes through
:func:`with_timeout` and the caller falls back to numerics when it gives up.

The call runs in a daemon worker thread; on timeout the caller continues and the worker's
result is discarded (Python cannot stop a thread: the worker finishes or dies with the process).
"""

from __future__ import annotations

import threading
from typing import Any, Callable


class _TimedOut:
    def __repr__(self) -> str:
        return "TIMED_OUT"


TIMED_OUT: Any = _TimedOut()
FAILED: Any = type("_Failed", (), {"__repr__": lambda self: "FAILED"})()


def with_timeout(fn: Callable[..., Any], *args: Any, timeout: float = 2.0, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` or :data:`TIMED_OUT` after ``timeout`` seconds, or
    :data:`FAILED` when it raised."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except Exception as err:  # sympy raises many kinds (NotImplementedError, ...)
            box["error"] = err

    worker = threading.Thread(target=run, daemon=True, name="adlkit-sympy")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return TIMED_OUT
    if "error" in box:
        return FAILED
    return box["value"]
