"""The web app under load: R requests from C clients, each a three-problem ``POST /api/solve``,
against ``adlkit serve`` (uvicorn, 127.0.0.1, a free port) run as its own process (so the
clients' threads do not share its interpreter), timed per request.

    python bench/serve_load.py [--clients 20] [--requests 200] [--workers 2]

Prints one JSON object: every status code seen, and the latency percentiles (ms).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

THREE = {"title": "three", "problems": [
    {"id": "a", "type": "kl", "p": "N(3, 2)", "q": "N(4, 1)"},
    {"id": "b", "type": "coupling", "x": [1, 1], "s": "0.5*x1", "t": "2*x1 + 1"},
    {"id": "c", "type": "vae_loss", "x": [1, 0], "x_hat": [0.9, 0.1], "mu": 0.5, "logvar": -0.2}]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
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
    with httpx.Client(timeout=120) as c:  # one warm-up request (first solve in each worker)
        for _ in range(args.workers * 2):
            c.post(url, json=THREE)
    per_client = args.requests // args.clients

    def run_client(_):
        out = []
        with httpx.Client(timeout=120) as c:
            for _ in range(per_client):
                t = time.perf_counter()
                r = c.post(url, json=THREE)
                out.append((r.status_code, time.perf_counter() - t))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as ex:
        results = [x for xs in ex.map(run_client, range(args.clients)) for x in xs]
    wall = time.perf_counter() - t0
    server.terminate()
    server.wait(60)
    ms = sorted(1000 * dt for _, dt in results)
    q = statistics.quantiles(ms, n=100)
    codes: dict[int, int] = {}
    for code, _ in results:
        codes[code] = codes.get(code, 0) + 1
    print(json.dumps({"clients": args.clients, "requests": len(results), "workers": args.workers, "status": codes,
                      "p50_ms": round(q[49], 1), "p90_ms": round(q[89], 1), "p99_ms": round(q[98], 1),
                      "max_ms": round(ms[-1], 1), "wall_s": round(wall, 2),
                      "requests_per_s": round(len(results) / wall, 1)}, indent=1))


if __name__ == "__main__":
    main()
