"""Guarded SymPy calls: a time-out stops the call and leaves no thread behind."""

import threading
import time

import sympy as sp

from adlkit.core.symbolic import FAILED, TIMED_OUT, with_timeout


def _adlkit_threads() -> int:
    return sum(t.name == "adlkit-sympy" for t in threading.enumerate())


def test_result_and_failure():
    x = sp.Symbol("x")
    assert with_timeout(sp.integrate, sp.exp(-x**2), (x, -sp.oo, sp.oo)) == sp.sqrt(sp.pi)
    assert with_timeout(lambda: 1 / 0) is FAILED


def test_timeout_leaves_no_thread_behind():
    """A pure-Python computation that would run for minutes is stopped at the time limit, and
    its worker thread has ended when with_timeout returns."""
    def forever():
        n = 0
        while True:
            n += 1

    before = _adlkit_threads()
    t = time.perf_counter()
    assert with_timeout(forever, timeout=0.2) is TIMED_OUT
    assert time.perf_counter() - t < 3.0
    assert _adlkit_threads() == before


def test_sympy_timeout_leaves_no_thread_behind():
    x = sp.Symbol("x", real=True)
    hard = sp.exp(-x**4 + sp.sin(x)**3) * sp.log(1 + x**2) / (1 + sp.cos(x)**2)
    before = _adlkit_threads()
    assert with_timeout(sp.integrate, hard, (x, -sp.oo, sp.oo), timeout=0.3) is TIMED_OUT
    assert _adlkit_threads() == before


def test_a_stop_never_lands_in_another_librarys_code():
    """While the worker runs code of another library (a finalizer or a hook that happens to run
    in its thread, here a function compiled as a file of site-packages), no stop is sent; it is
    sent once the worker is back in the guarded code, and the thread ends."""
    src = ("import time\n"
           "def hook(seconds, seen):\n"
           "    end = time.perf_counter() + seconds\n"
           "    try:\n"
           "        while time.perf_counter() < end:\n"
           "            pass\n"
           "    except BaseException as err:\n"
           "        seen.append(err)\n"
           "        raise\n")
    ns: dict = {}
    exec(compile(src, "/opt/site-packages/otherlib/hooks.py", "exec"), ns)
    seen: list = []

    def guarded():
        ns["hook"](0.6, seen)  # past the time limit, inside another library
        while True:  # then the computation itself, which the stop ends
            pass

    before = _adlkit_threads()
    assert with_timeout(guarded, timeout=0.1) is TIMED_OUT
    assert seen == [] and _adlkit_threads() == before
