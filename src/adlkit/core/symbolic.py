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


def _set_async(ident: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in thread ``ident`` at its next bytecode check (None clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


def with_timeout(fn: Callable[..., Any], *args: Any, timeout: float = 2.0, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, or :data:`TIMED_OUT` after ``timeout`` seconds (the call is
    stopped and its thread has ended), or :data:`FAILED` when it raised."""
    box: dict[str, Any] = {}
    lock = threading.Lock()
    running = [True]  # guarded by lock: a stop is only ever sent while fn may still be running

    def call() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except _Stop:
            box["stopped"] = True
        except Exception as err:  # sympy raises many kinds (NotImplementedError, ...)
            box["error"] = err

    def run() -> None:
        called = False
        while True:
            try:
                if not called:
                    called = True
                    call()
                with lock:  # after this no stop can be sent; clear one sent just before
                    running[0] = False
                    _set_async(threading.get_ident(), None)
                return
            except _Stop:  # a stop that arrived after fn returned: finish closing
                continue

    worker = threading.Thread(target=run, daemon=True, name="adlkit-sympy")
    worker.start()
    worker.join(timeout)
    if not worker.is_alive():
        return FAILED if "error" in box else box.get("value", FAILED)
    deadline = time.monotonic() + STOP_GRACE
    while worker.is_alive() and time.monotonic() < deadline:
        with lock:
            if running[0] and worker.ident is not None:
                _set_async(worker.ident, _Stop)  # again if a bare ``except:`` swallowed it
        worker.join(0.02)
    if "value" in box and "stopped" not in box:  # it finished on its own just in time
        return box["value"]
    return TIMED_OUT
