"""Load test: concurrent clients against a running `podium serve` on loopback. Prints a table.

    .venv/bin/python scripts/load_test.py http://127.0.0.1:8001 MEETING_ID [--clients 50] [--seconds 30]

Each client loops over a search (3 and 2 characters), the meeting page, and a Range request for a
random second of the meeting's audio, until the time is up; the loop is bounded in time and stops by
itself. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from urllib.parse import urlparse

import httpx

REQUESTS = [
    ("search 3 chars", "/search.json?q=%E7%9C%BC%E4%B8%AD%E9%92%89"),
    ("search 2 chars", "/search.json?q=%E7%83%AD%E7%82%B9"),
    ("meeting page", "/meeting/{id}"),
    ("audio range", "/media/{id}"),
]


async def client_loop(client, base, meeting_id, deadline, results, rng):
    k = rng.randrange(len(REQUESTS))
    while time.perf_counter() < deadline:
        name, path = REQUESTS[k % len(REQUESTS)]
        k += 1
        headers = {}
        if name == "audio range":
            start = rng.randrange(0, 50_000)
            headers["Range"] = f"bytes={start}-{start + 16_383}"
        started = time.perf_counter()
        try:
            response = await client.get(base + path.format(id=meeting_id), headers=headers)
            ok = response.status_code == (206 if name == "audio range" else 200)
        except httpx.HTTPError:
            ok = False
        results.append((name, time.perf_counter() - started, ok))


async def run_load(base: str, meeting_id: str, clients: int = 50, seconds: float = 30.0) -> dict:
    host = urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests only run against loopback")
    results: list = []
    rng = random.Random(0)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(client_loop(client, base, meeting_id, deadline, results, random.Random(rng.random()))
                               for _ in range(clients)))
    report = {"requests": len(results), "errors": sum(1 for _, _, ok in results if not ok),
              "per_second": len(results) / seconds, "by_kind": {}}
    for name, _ in REQUESTS:
        times = sorted(t for n, t, _ in results if n == name)
        if times:
            report["by_kind"][name] = {"n": len(times), "median_ms": statistics.median(times) * 1000,
                                       "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("meeting_id")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    report = asyncio.run(run_load(args.base.rstrip("/"), args.meeting_id, args.clients, args.seconds))
    print(f"{args.clients} clients for {args.seconds:.0f} s: {report['requests']} requests, "
          f"{report['per_second']:.0f}/s, {report['errors']} errors")
    print(f"{'request':<16}{'n':>7}{'median ms':>11}{'p95 ms':>9}")
    for name, r in report["by_kind"].items():
        print(f"{name:<16}{r['n']:>7}{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}")


if __name__ == "__main__":
    main()
