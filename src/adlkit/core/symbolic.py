"""Guarded SymPy calls: symbolic integration, limits and equation solving can run for a very
long time on innocent-looking inputs, so every such call in adlkit goes through
:func:`with_timeout` and the caller falls back to numerics when it gives up.

The call runs in a worker thread. On timeout the worker is stopped, not abandoned: an
exception is raised inside it (``PyThreadState_SetAsyncExc``), which pure-Python code such as
SymPy meets at its next bytecode, and :func:`with_timeout` waits for the thread to end before
it returns. No thread outlives the call (a C routine that never returns to Python would delay
the stop until it does; ``STOP_GRACE`` bounds the wait).

The stop is only sent while every frame of the worker above the guarded call is the guarded
code (SymPy, mpmath, adlkit, the standard library, the guarded function's own file): a
finalizer or a garbage-collector callback of another library that happens to run in the worker
thread (pytest's unraisable hook, hypothesis's gc hooks) is never interrupted; the stop is
sent again 20 ms later, once the worker is back in the computation.
"""

from __future__ import annotations

import ctypes
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from pathlib import Path
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


#: packages whose code a stop may interrupt (besides the standard library and the guarded
#: function's own file)
GUARDED_PACKAGES = ("sympy", "mpmath", "adlkit")
_STDLIB = sysconfig.get_paths()["stdlib"]


def _stoppable(ident: int, until: Any, own_file: str | None) -> bool:
    """Whether every frame of thread ``ident`` above the code object ``until`` is guarded code
    (not a finalizer, not another library's hook), so that a stop lands in the computation."""
    frame = sys._current_frames().get(ident)
    while frame is not None and frame.f_code is not until:
        code = frame.f_code
        name = code.co_filename
        if code.co_name == "__del__" or name.startswith("<") or name.endswith("weakref.py"):
            return False
        ours = name == own_file or any(p in GUARDED_PACKAGES for p in Path(name).parts)
        if not (ours or (name.startswith(_STDLIB) and "site-packages" not in name)):
            return False
        frame = frame.f_back
    return frame is not None


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
    own_file = getattr(getattr(fn, "__code__", None), "co_filename", None)
    while worker.is_alive() and time.monotonic() < deadline:
        with lock:
            if running[0] and worker.ident is not None and _stoppable(worker.ident, call.__code__, own_file):
                _set_async(worker.ident, _Stop)  # again if a bare ``except:`` swallowed it
        worker.join(0.02)
    if "value" in box and "stopped" not in box:  # it finished on its own just in time
        return box["value"]
    return TIMED_OUT
