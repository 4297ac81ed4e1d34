"""Benchmark: search latency through Podium's site on a large synthetic archive. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_search.py [--sentences 100000] [--runs 40]

The archive is built from the sample speech's sentences, reshuffled per meeting, in the real schema
(`ingest.store`), with the real FTS5 trigram indexes and triggers. Requests go through Datasette's
HTTP API: `podium serve --immutable` on loopback, one request at a time (`/search.json`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUERIES = {
    "3 characters": ["党委书", "执行力", "县政府", "经济社", "抓落实"],
    "2 characters": ["乡镇", "干部", "落实", "群众", "项目"],
    "5 characters": ["乡镇党委书", "提升执行力"],
}


def build(db_path: Path, n_sentences: int, per_meeting: int = 200) -> float:
    from podium.alignment import split_text
    from podium.ingest import store

    sample = (ROOT / "ingest" / "sample" / "official.txt").read_text(encoding="utf-8")
    base = [sample[s.start:s.end] for s in split_text(sample)[1]]
    rng = random.Random(0)
    started = time.perf_counter()
    meetings = (n_sentences + per_meeting - 1) // per_meeting
    for m in range(meetings):
        meeting_id = f"m{m:05d}"
        count = min(per_meeting, n_sentences - m * per_meeting)
        texts = [rng.choice(base) for _ in range(count)]
        paragraphs, sentences, t = [], [], 0.0
        for k, text in enumerate(texts):
            p_seq = k // 5
            if k % 5 == 0:
                paragraphs.append({"id": store.paragraph_id(meeting_id, p_seq), "meeting_id": meeting_id,
                                   "seq": p_seq, "text": "".join(texts[k:k + 5]), "start": t, "end": t + 50,
                                   "start_hms": store.hms(t), "end_hms": store.hms(t + 50),
                                   "status": "spoken", "confidence": 1.0})
            sentences.append({"id": store.sentence_id(meeting_id, p_seq, k % 5), "meeting_id": meeting_id,
                              "paragraph_id": store.paragraph_id(meeting_id, p_seq), "paragraph_seq": p_seq,
                              "seq": k % 5, "text": text, "start": t, "end": t + 9, "start_hms": store.hms(t),
                              "end_hms": store.hms(t + 9), "status": "spoken", "confidence": 1.0})
            t += 10
        meeting = {"id": meeting_id, "title": f"会议 {m}", "date": f"{2000 + m % 25}-{1 + m % 12:02d}-15",
                   "speaker": None, "language": "zh", "duration": t, "audio_sha256": None, "text_sha256": None,
                   "source_path": None, "media_path": None, "official_text": "\n".join(texts), "engine": None,
                   "model": None, "settings": None, "matched_share": 1.0, "ingested_at": None}
        store.write_meeting(db_path, store.MeetingRecord(meeting, paragraphs, sentences, []))
    return time.perf_counter() - started


def measure(base: str, runs: int) -> list[tuple[str, float, float, int]]:
    import httpx

    results = []
    with httpx.Client(timeout=60) as client:
        client.get(base + "/search.json", params={"q": "乡镇"})  # warm the page cache once
        for label, terms in QUERIES.items():
            timings, hits = [], 0
            for r in range(runs):
                q = terms[r % len(terms)]
                started = time.perf_counter()
                response = client.get(base + "/search.json", params={"q": q, "size": 20})
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                hits += len(response.json()["rows"])
            timings.sort()
            results.append((label, statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], hits // runs))
    return results


def serve(db_path: Path):
    """`podium serve --immutable` on a free loopback port; returns (process, base URL)."""
    import socket
    import subprocess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "podium.cli", "serve", "--db", str(db_path), "--port", str(port),
                             "--immutable"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "archive.db"
        build_s = build(db_path, args.sentences)
        size_mb = sum(p.stat().st_size for p in Path(tmp).glob("archive.db*")) / 1e6
        print(f"archive: {args.sentences:,} sentences in {args.sentences // 200:,} meetings, "
              f"built (with FTS triggers) in {build_s:.1f} s, {size_mb:.0f} MB")
        proc, base = serve(db_path)
        try:
            results = measure(base, args.runs)
        finally:
            proc.terminate()
            proc.wait()
    print(f"{'query':<14}{'median ms':>11}{'p95 ms':>9}{'rows/page':>11}   ({args.runs} requests each, HTTP /search.json)")
    for label, median, p95, hits in results:
        print(f"{label:<14}{median:>11.1f}{p95:>9.1f}{hits:>11}")


if __name__ == "__main__":
    main()
