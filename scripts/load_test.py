"""Load test: concurrent clients against a running `podium serve` on loopback. Prints a table.

    .venv/bin/python scripts/load_test.py http://127.0.0.1:8001 MEETING_ID [--clients 50] [--seconds 30 | --requests N]
    .venv/bin/python scripts/load_test.py --smoke

The clients share out the requests in turn: a search (3 and 2 characters), the meeting page, and a Range
request for 16 KB somewhere in the meeting's audio, each client taking the next as soon as it is free, until the time
is up or, with `--requests`, until exactly N have been made (N/4 of each kind; no time limit, so a slow
machine makes the same requests, only later). Only loopback addresses are accepted. `--smoke`: a tiny
archive of its own in the temporary directory (the seed speech's first three paragraphs, written without
Whisper), served by `podium serve --immutable`, 5 clients, 40 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

REQUESTS = [
    ("search 3 chars", "/search.json?q=%E7%9C%BC%E4%B8%AD%E9%92%89"),
    ("search 2 chars", "/search.json?q=%E7%83%AD%E7%82%B9"),
    ("meeting page", "/meeting/{id}"),
    ("audio range", "/media/{id}"),
]


RANGE = 16_384  # bytes of audio a Range request asks for: about 3 s of the 48 kbit/s web copy


async def audio_size(client, base: str, meeting_id: str) -> int:
    """The size of the meeting's web copy in bytes, from a Range request for its first byte (0 if it has none)."""
    response = await client.get(f"{base}/media/{meeting_id}", headers={"Range": "bytes=0-0"})
    total = response.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if response.status_code == 206 and total.isdigit() else 0


async def client_loop(client, base, meeting_id, next_request, results, rng, size):
    while (k := next_request()) is not None:
        name, path = REQUESTS[k % len(REQUESTS)]
        headers = {}
        if name == "audio range":  # somewhere in the recording, as a listener seeks
            start = rng.randrange(0, max(1, size - RANGE))
            headers["Range"] = f"bytes={start}-{start + RANGE - 1}"
        started = time.perf_counter()
        try:
            response = await client.get(base + path.format(id=meeting_id), headers=headers)
            expected = 206 if name == "audio range" else 200
            failure = None if response.status_code == expected else f"HTTP {response.status_code}, not {expected}"
        except httpx.HTTPError as e:
            failure = f"{type(e).__name__}: {e}"
        results.append((name, time.perf_counter() - started, failure))


async def run_load(base: str, meeting_id: str, clients: int = 50, seconds: float = 30.0,
                   requests: int | None = None) -> dict:
    """`clients` concurrent clients taking the requests in turn: exactly `requests` of them when given (no time
    limit), else as many as they make in `seconds`. Returns the count of requests and of errors, the first
    few failures, requests per second and, per kind, n, median and p95 milliseconds."""
    host = urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests only run against loopback")
    results: list = []
    rng = random.Random(0)
    counter = itertools.count()

    def next_request() -> int | None:
        k = next(counter)  # the clients run in one event loop: no two take the same number
        if requests is not None:
            return k if k < requests else None
        return k if time.perf_counter() < deadline else None

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        size = await audio_size(client, base, meeting_id)
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client_loop(client, base, meeting_id, next_request, results, random.Random(rng.random()),
                                           size) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    failures = [f"{name}: {failure}" for name, _, failure in results if failure]
    report = {"requests": len(results), "errors": len(failures), "failures": failures[:5], "seconds": elapsed,
              "per_second": len(results) / elapsed, "by_kind": {}}
    for name, _ in REQUESTS:
        times = sorted(t for n, t, _ in results if n == name)
        if times:
            report["by_kind"][name] = {"n": len(times), "median_ms": statistics.median(times) * 1000,
                                       "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000}
    return report


def tiny_archive(folder: Path) -> tuple[Path, str]:
    """An archive of one meeting in `folder`, the seed speech's first three paragraphs, written without Whisper:
    each sentence's characters spread over its true span, then aligned and stored through the same code as an
    ingest (aligner, schema rows, store, web copy). Returns the archive's path and the meeting's ID."""
    from benchmark_common import seed_excerpt

    from podium import schema
    from podium.alignment import Word, align
    from podium.ingest import audio as audio_io
    from podium.ingest import store

    audio, official, truth = seed_excerpt(folder, paragraphs=3)
    text = official.read_text(encoding="utf-8")
    words = []
    for t in json.loads(truth.read_text(encoding="utf-8"))["sentences"]:
        chars = [c for c in t["official"] if c.isalnum()]
        step = (t["end"] - t["start"]) / len(chars)
        words += [Word(c, t["start"] + k * step, t["start"] + (k + 1) * step) for k, c in enumerate(chars)]
    alignment = align(text, words, language="zh")
    meeting = {"id": "smoke", "title": text.splitlines()[0], "date": "2024-01-01", "language": "zh",
               "official_text": text, "engine": "none", "media_path": "media/smoke.mp3", "source_path": audio.name,
               "matched_share": alignment.matched_share, "duration": len(audio_io.decode(audio)) / audio_io.SAMPLE_RATE}
    audio_io.write_web_copy(audio, folder / meeting["media_path"])
    db_path = folder / "archive.db"
    store.write_meeting(db_path, schema.meeting_rows(meeting, schema.one_speech(meeting), alignment))
    return db_path, meeting["id"]


def print_report(report: dict, clients: int) -> None:
    print(f"{clients} clients, {report['seconds']:.1f} s: {report['requests']} requests, "
          f"{report['per_second']:.0f}/s, {report['errors']} errors")
    for failure in report["failures"]:
        print(f"  {failure}")
    print(f"{'request':<16}{'n':>7}{'median ms':>11}{'p95 ms':>9}")
    for name, r in report["by_kind"].items():
        print(f"{name:<16}{r['n']:>7}{r['median_ms']:>11.1f}{r['p95_ms']:>9.1f}")


def smoke() -> dict:
    from benchmark_common import serving

    with tempfile.TemporaryDirectory() as scratch:
        db_path, meeting_id = tiny_archive(Path(scratch))
        with serving(db_path, "--immutable") as (_, base):
            report = asyncio.run(run_load(base, meeting_id, clients=5, requests=40))
    print_report(report, 5)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", help="The site, e.g. http://127.0.0.1:8001 (loopback only).")
    parser.add_argument("meeting_id", nargs="?")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--requests", type=int, help="Make exactly this many requests, however long they take.")
    parser.add_argument("--smoke", action="store_true", help="A tiny run in seconds on an archive of its own, "
                        "writing only under the temporary directory.")
    args = parser.parse_args()
    if args.smoke:
        raise SystemExit(1 if smoke()["errors"] else 0)
    if not (args.base and args.meeting_id):
        parser.error("give BASE and MEETING_ID (or --smoke)")
    report = asyncio.run(run_load(args.base.rstrip("/"), args.meeting_id, args.clients, args.seconds, args.requests))
    print_report(report, args.clients)
    raise SystemExit(1 if report["errors"] else 0)


if __name__ == "__main__":
    main()
