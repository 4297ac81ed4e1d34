"""Benchmark: search latency through Podium's site on a large synthetic archive. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_search.py [--sentences 1000000] [--db PATH] [--runs 100] [--smoke]

The archive at PATH is built if it is not there (and kept, so a second run measures the same archive):
the sample speech's sentences, reshuffled per meeting, written through the schema module with every
search index. Requests go through `podium serve --immutable` on loopback, one at a time, each with a term
drawn at random from the archive's own text and never asked before (no result cache can help); the
table pages' `_search` is measured the same way. `--smoke`: 3,000 sentences in a temporary archive, 3 queries
a row (2 for the table page). scripts/benchmark_export.py builds its archive the same way (`build`).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from benchmark_common import ROOT, SMOKE_HELP, cpu_model, percentile, serving
LENGTHS = (1, 2, 3, 5)  # characters per query term


def sample_sentences() -> list[str]:
    from podium.alignment import split_text

    text = (ROOT / "ingest" / "sample" / "official.txt").read_text(encoding="utf-8")
    return [text[s.start:s.end] for s in split_text(text)[1]]


def build(db_path: Path, n_sentences: int, per_meeting: int = 1000) -> float:
    """An archive of `n_sentences` sentences, written meeting by meeting as ingest writes them."""
    from podium import schema
    from podium.ingest import store

    base = sample_sentences()
    rng = random.Random(0)
    started = time.perf_counter()
    for m in range((n_sentences + per_meeting - 1) // per_meeting):
        meeting_id = f"m{m:05d}"
        texts = [rng.choice(base) for _ in range(min(per_meeting, n_sentences - m * per_meeting))]
        rows = schema.MeetingRows({"id": meeting_id, "title": f"会议 {m}", "date": f"{2000 + m % 25}-{1 + m % 12:02d}-15",
                                   "language": "zh", "official_text": "\n".join(texts), "matched_share": 1.0})
        for k, text in enumerate(texts):
            p_seq, seq, t = k // 5, k % 5, 10.0 * k
            times = {"start": t, "end": t + 9, "start_hms": schema.hms(t), "end_hms": schema.hms(t + 9),
                     "status": "spoken", "confidence": 1.0}
            if seq == 0:
                rows.paragraphs.append({"id": schema.paragraph_id(meeting_id, p_seq), "meeting_id": meeting_id,
                                        "seq": p_seq, "text": "".join(texts[k:k + 5]), **times})
            rows.sentences.append({"id": schema.sentence_id(meeting_id, p_seq, seq), "meeting_id": meeting_id,
                                   "paragraph_id": schema.paragraph_id(meeting_id, p_seq), "paragraph_seq": p_seq,
                                   "seq": seq, "text": text, **times})
        rows.meeting = {c: rows.meeting.get(c) for c in schema.TABLE["meetings"].column_names}
        store.write_meeting(db_path, rows)
        if m % 100 == 0:
            print(f"  built {m * per_meeting:,} sentences in {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def fresh_terms(length: int, count: int, rng: random.Random, used: set[str]) -> list[str]:
    """`count` distinct terms of `length` Chinese characters taken from the sample's text, none used before."""
    runs = [r for s in sample_sentences() for r in re.findall(r"[\u4e00-\u9fff]+", s) if len(r) >= length]
    terms: list[str] = []
    for _ in range(100_000):
        if len(terms) == count:
            break
        run = rng.choice(runs)
        at = rng.randrange(len(run) - length + 1)
        term = run[at:at + length]
        if term not in used:
            used.add(term)
            terms.append(term)
    return terms


def measure(base: str, runs: int, table_runs: int) -> list[tuple[str, float, float, int, int]]:
    import httpx

    rng, used, results = random.Random(1), set(), []
    with httpx.Client(timeout=60) as client:
        client.get(base + "/search.json", params={"q": "会议"})  # warm the page cache once (this term is not reused)
        used.add("会议")
        # the table page also counts the matches and facets them (Datasette's own queries): far slower
        for where, path, param, size, n in (("/search", "/search.json", "q", "size", runs),
                                             ("_search", "/archive/sentences.json", "_search", "_size", table_runs)):
            for length in LENGTHS:
                terms = fresh_terms(length, n, rng, used)
                timings, hits = [], 0
                for term in terms:
                    started = time.perf_counter()
                    response = client.get(base + path, params={param: term, size: 20})
                    timings.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    hits += len(response.json()["rows"])
                timings.sort()
                results.append((f"{where} {length} char", statistics.median(timings),
                                percentile(timings, 0.95), len(terms), hits // max(1, len(terms))))
    return results


def main() -> None:
    import psutil

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("benchmark-search.db"),
                        help="Built here if missing, and kept (default: ./benchmark-search.db).")
    parser.add_argument("--runs", type=int, default=100, help="Distinct queries per row of /search.")
    parser.add_argument("--table-runs", type=int, default=10, help="Distinct queries per row of table _search.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.sentences, args.runs, args.table_runs = 3_000, 3, 2
            args.db = Path(scratch) / "benchmark-search.db"
        db_path = reuse_or_build(args.db, args.sentences)
        with serving(db_path, "--immutable") as (proc, base):
            server = psutil.Process(proc.pid)
            cpu_before, wall_before = sum(server.cpu_times()[:2]), time.perf_counter()
            results = measure(base, args.runs, args.table_runs)
            cpu = sum(server.cpu_times()[:2]) - cpu_before
            wall = time.perf_counter() - wall_before
    print(f"{'query':<18}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'rows/page':>11}   (HTTP, one at a time)")
    for label, median, p95, n, hits in results:
        print(f"{label:<18}{median:>10.1f}{p95:>9.1f}{n:>9}{hits:>11}")
    print(f"server: {cpu:.1f} CPU-seconds in {wall:.1f} s of wall time")


def reuse_or_build(db_path: Path, sentences: int) -> Path:
    """The archive at `db_path`, built there first if it is missing; prints which, its size and the CPU."""
    if db_path.exists():
        print(f"archive: {db_path} (reused)")
    else:
        build_s = build(db_path, sentences)
        print(f"archive: {sentences:,} sentences built in {build_s:.0f} s")
    size_mb = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 1e6
    print(f"{size_mb:,.0f} MB; CPU: {cpu_model()}")
    return db_path


if __name__ == "__main__":
    main()
