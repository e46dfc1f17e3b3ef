"""A pool of solver worker processes (``python -m adlkit.serve.worker``) with a time limit per job.

Each worker is a process of its own, spoken to in JSON lines over its stdin and stdout. A job
takes an idle worker and awaits its answer on the event loop; a job that runs past the time
limit gets :class:`JobTimeout`, and its worker is killed and replaced, so one slow problem never
holds up the other requests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from typing import Any

LINE_LIMIT = 256 << 20  # the longest answer line (a PDF, base64)


class JobTimeout(Exception):
    """The job ran past the time limit (its worker was stopped)."""


class WorkerCrash(Exception):
    """The worker died or raised an unexpected error."""


async def _spawn() -> asyncio.subprocess.Process:
    env = dict(os.environ)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adlkit.serve.worker", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, env=env, limit=LINE_LIMIT)


class SolverPool:
    def __init__(self, workers: int = 2, time_limit: float = 10.0) -> None:
        self.size = max(1, workers)
        self.time_limit = time_limit
        self._idle: asyncio.Queue[asyncio.subprocess.Process] | None = None
        self._all: set[asyncio.subprocess.Process] = set()

    async def start(self) -> None:
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        for proc in await asyncio.gather(*(_spawn() for _ in range(self.size))):
            self._all.add(proc)
            self._idle.put_nowait(proc)
        await asyncio.gather(*(self.run("warm", None, limit=300.0) for _ in range(self.size)))

    async def run(self, job: str, payload: Any, limit: float | None = None) -> tuple[str, Any]:
        """Run ``job(payload)`` in a worker: its ``(status, result)``; :class:`JobTimeout` past
        the limit, :class:`WorkerCrash` when the worker fails."""
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        proc = await self._idle.get()
        ok = False
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps({"job": job, "payload": payload}).encode("utf-8") + b"\n")
            await proc.stdin.drain()
            line = await asyncio.wait_for(proc.stdout.readline(), limit if limit is not None else self.time_limit)
            if not line:
                raise WorkerCrash("the solver process stopped")
            answer = json.loads(line)
            ok = True
        except TimeoutError:
            raise JobTimeout(f"the problem was not solved within the time limit of {self.time_limit:g} s") from None
        except (OSError, ValueError) as err:
            raise WorkerCrash(f"the solver process failed: {type(err).__name__}") from None
        finally:
            if ok:
                self._idle.put_nowait(proc)
            else:  # timed out, crashed or cancelled: its state is unknown, so replace it
                await self._replace(proc)
        if answer["status"] == "crash":
            raise WorkerCrash(answer["value"])
        if "bytes" in answer:
            return answer["status"], base64.b64decode(answer["bytes"])
        return answer["status"], answer["value"]

    async def _replace(self, proc: asyncio.subprocess.Process) -> None:
        self._all.discard(proc)
        await _stop(proc)
        with_new = await _spawn()
        self._all.add(with_new)
        if self._idle is not None:
            self._idle.put_nowait(with_new)

    async def aclose(self) -> None:
        """Stop every worker and wait for it, on the loop that started it."""
        procs, self._all, self._idle = list(self._all), set(), None
        await asyncio.gather(*(_stop(p) for p in procs))


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """Kill a worker and reap it, so its pipes close while the loop still runs."""
    if proc.returncode is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    await proc.wait()
