"""Guarded SymPy calls: symbolic integration, limits and equation solving can run for a very
long time on innocent-looking inputs, so every such call in adlkit goes through
:func:`with_timeout` and the caller falls back to numerics when it gives up.

The call runs in a worker thread. On timeout the worker is stopped, not abandoned: an
exception is raised inside it (``PyThreadState_SetAsyncExc``), which pure-Python code such as
SymPy meets at its next bytecode, and :func:`with_timeout` waits for the thread to end before
it returns. No thread outlives the call (a C routine that never returns to Python would delay
the stop until it does; ``STOP_GRACE`` bounds the wait).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from typing import Any

STOP_GRACE = 5.0  # seconds to wait for a stopped worker before giving up on it


class _Sentinel:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


TIMED_OUT: Any = _Sentinel("TIMED_OUT")
FAILED: Any = _Sentinel("FAILED")


class _Stop(BaseException):
    """Raised inside a worker whose time is up (a BaseException: ``except Exception`` in the
    guarded code does not swallow it)."""


def _raise_in(thread: threading.Thread) -> None:
    ident = thread.ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Stop))


def with_timeout(fn: Callable[..., Any], *args: Any, timeout: float = 2.0, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, or :data:`TIMED_OUT` after ``timeout`` seconds (the call is
    stopped and its thread has ended), or :data:`FAILED` when it raised."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except _Stop:
            box["stopped"] = True
        except Exception as err:  # sympy raises many kinds (NotImplementedError, ...)
            box["error"] = err

    worker = threading.Thread(target=run, daemon=True, name="adlkit-sympy")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        deadline = time.monotonic() + STOP_GRACE
        while worker.is_alive() and time.monotonic() < deadline:
            _raise_in(worker)  # again if a bare ``except:`` in the guarded code swallowed it
            worker.join(0.02)
        return TIMED_OUT
    if "error" in box:
        return FAILED
    return box["value"]
