"""The web app under load: C clients, each sending three-problem ``POST /api/solve`` requests one
after another, against ``adlkit serve`` (uvicorn, 127.0.0.1, a free port) run as its own process,
timed per request.

    python bench/serve_load.py [--clients 20] [--requests 200] [--workers 2]
                               [--generator python|wrk] [--duration 10] [--same]

The bodies: by default ``--specs`` different three-problem specs (a kl, a coupling and a
vae_loss problem, each drawn as ``adlkit variants`` would with seed k), sent in turn, so that no
cache of identical requests could answer them; ``--same`` sends the one fixed spec (the first
measurement) every time.

The load generators (both on the same machine as the server, so they take CPU from it):

- ``python``: ``--clients`` threads of httpx in this process, ``--requests`` requests in all
  (the first measurement);
- ``wrk`` (``apt-get install wrk``, C, far cheaper per request): ``--clients`` connections on 2
  threads for ``--duration`` seconds, the bodies cycled by a Lua script; wrk's own latency
  percentiles.

Prints one JSON object: every status code (or wrk's count of non-2xx answers), the latency
percentiles (ms), requests per second, and the CPU seconds per request of the server process, of
its solver workers and of the load generator.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

THREE = {"title": "three", "problems": [
    {"id": "a", "type": "kl", "p": "N(3, 2)", "q": "N(4, 1)"},
    {"id": "b", "type": "coupling", "x": [1, 1], "s": "0.5*x1", "t": "2*x1 + 1"},
    {"id": "c", "type": "vae_loss", "x": [1, 0], "x_hat": [0.9, 0.1], "mu": 0.5, "logvar": -0.2}]}
TYPES = ("kl", "coupling", "vae_loss")

WRK_SCRIPT = r"""
local bodies = {}
local i = 0
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  i = (id or 0) * math.floor(#bodies / 2)
end
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/solve", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\nRESULT {"requests": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, '
    .. '"p90_us": %d, "p99_us": %d, "max_us": %d, "duration_us": %d}\n', summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.duration))
end
"""


def varied_specs(n: int) -> list[dict]:
    """``n`` three-problem specs: spec k holds the kl, coupling and vae_loss variants of seed k."""
    from adlkit.solve.variants import draw_variants

    specs = []
    for k in range(n):
        problems = []
        for pid, t in zip("abc", TYPES):
            (p,) = draw_variants(t, 1, seed=k, pid=pid)
            problems.append({**p, "id": pid})
        specs.append({"title": f"three (variant {k})", "problems": problems})
    return specs


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def _cpu_children(proc: psutil.Process) -> float:
    return sum(_cpu(c) for c in proc.children(recursive=True) if c.is_running())


def run_python(url: str, bodies: list[bytes], clients: int, requests: int) -> dict:
    per_client = requests // clients
    headers = {"Content-Type": "application/json"}

    def run_client(j: int):
        out = []
        with httpx.Client(timeout=120) as c:
            for r in range(per_client):
                body = bodies[(j * per_client + r) % len(bodies)]
                t = time.perf_counter()
                resp = c.post(url, content=body, headers=headers)
                out.append((resp.status_code, time.perf_counter() - t))
        return out

    cpu0, t0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        results = [x for xs in ex.map(run_client, range(clients)) for x in xs]
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    ms = sorted(1000 * dt for _, dt in results)
    q = statistics.quantiles(ms, n=100)
    codes: dict[int, int] = {}
    for code, _ in results:
        codes[code] = codes.get(code, 0) + 1
    return {"requests": len(results), "status": codes, "p50_ms": round(q[49], 1), "p90_ms": round(q[89], 1),
            "p99_ms": round(q[98], 1), "max_ms": round(ms[-1], 1), "wall_s": round(wall, 2),
            "generator_cpu_s": cpu}


def run_wrk(port: int, bodies: list[bytes], clients: int, duration: float) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --generator python")
    with tempfile.TemporaryDirectory(prefix="adlkit-wrk-") as tmp:
        script, data = Path(tmp) / "bodies.lua", Path(tmp) / "bodies.jsonl"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        data.write_bytes(b"\n".join(bodies) + b"\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([wrk, "-t", "2", "-c", str(clients), "-d", f"{duration:g}s", "--timeout", "60s",
                              "-s", str(script), f"http://127.0.0.1:{port}", "--", str(data)],
                             capture_output=True, text=True, check=True).stdout
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    r = json.loads(line[len("RESULT "):])
    return {"requests": r["requests"], "status": {"non_2xx": r["non_2xx"], "socket_errors": r["socket_errors"]},
            "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000, "wall_s": round(r["duration_us"] / 1e6, 2), "wall_with_start_s": round(wall, 2),
            "generator_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200, help="python generator: requests in all")
    ap.add_argument("--duration", type=float, default=10.0, help="wrk: seconds of load")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--generator", choices=("python", "wrk"), default="wrk" if shutil.which("wrk") else "python")
    ap.add_argument("--same", action="store_true", help="send the one fixed spec every time")
    ap.add_argument("--specs", type=int, default=200, help="how many different specs to cycle through")
    args = ap.parse_args()
    specs = [THREE] if args.same else varied_specs(args.specs)
    bodies = [json.dumps(s).encode("utf-8") for s in specs]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "adlkit.cli", "serve", "--port", str(port),
                               "--workers", str(args.workers), "--time-limit", "60"])
    url = f"http://127.0.0.1:{port}/api/solve"
    deadline = time.monotonic() + 300
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/types", timeout=5)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("adlkit serve did not start") from None
            time.sleep(0.2)
    with httpx.Client(timeout=120) as c:  # warm-up: the first solves in each worker
        for b in bodies[: args.workers * 2]:
            c.post(url, content=b, headers={"Content-Type": "application/json"})
    proc = psutil.Process(server.pid)
    server0, workers0 = _cpu(proc), _cpu_children(proc)
    if args.generator == "wrk":
        r = run_wrk(port, bodies, args.clients, args.duration)
    else:
        r = run_python(url, bodies, args.clients, args.requests)
    server_cpu, workers_cpu = _cpu(proc) - server0, _cpu_children(proc) - workers0
    server.terminate()
    server.wait(60)
    n = max(r["requests"], 1)
    gen_cpu = r.pop("generator_cpu_s")
    print(json.dumps({"generator": args.generator, "clients": args.clients, "workers": args.workers,
                      "bodies": "one fixed spec" if args.same else f"{len(specs)} different specs", **r,
                      "requests_per_s": round(r["requests"] / r["wall_s"], 1),
                      "cpu_ms_per_request": {"server": round(1000 * server_cpu / n, 2),
                                             "workers": round(1000 * workers_cpu / n, 2),
                                             "generator": round(1000 * gen_cpu / n, 2)},
                      "load_average": [round(x, 2) for x in os.getloadavg()]}, indent=1))


if __name__ == "__main__":
    main()
