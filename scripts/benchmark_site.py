"""Benchmark: every kind of Podium page through `podium serve --immutable`, one request at a time. Prints a table.

    .venv/bin/python scripts/benchmark_site.py --db /tmp/county5000.db [--requests 100] [--seed 1]
    .venv/bin/python scripts/benchmark_site.py --smoke

The archive is one that scripts/make_archive.py wrote (any Podium archive will do). Each row of the table is
one kind of request, made `--requests` times, the rows taken in turn (one request of each, then again) so that
no row has the machine to itself or a cache warmed by the row before it. What varies is drawn at random from the
archive: meetings, speakers, years, words of titles, pages; search terms of 1, 2, 3 and 5 characters come from
random sentences of the archive's own text and none is asked twice in a run, so no cache of results can help.
Targets (issue 20): every page p95 <= 300 ms, the search page (`/search`) <= 100 ms.

Every request must answer 200: the others are counted and printed, and the run then exits with status 1.
Beside the table: the CPU, its int8 instruction set (the kernels Whisper's int8 inference can use: it matters to
the ingest machine, and says which machine this is), and the server's CPU-seconds over the run against the
wall time (from /proc/<pid>/stat of the server and its children). `--smoke`: 5 meetings written by
make_archive in a temporary directory, 3 requests a row.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_common import cpu_and_int8, cpu_seconds, percentile, serving  # noqa: E402

PAGE_MS, SEARCH_MS = 300, 100  # p95 targets of issue 20: every page, and the search page
TERM_LENGTHS = (1, 2, 3, 5)  # characters per search term


@dataclass
class Archive:
    """What requests are drawn from: read once from the archive file, before the server starts."""

    path: Path
    meetings: list[str]
    speakers: list[str]
    years: list[str]
    titles: list[str]
    max_sentence: int  # the sentences' largest rowid: a random rowid is a random sentence
    used_terms: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> Archive:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meetings = [r[0] for r in conn.execute("select id from meetings order by id")]
            speakers = [r[0] for r in conn.execute("select distinct speaker from speeches where speaker is not null "
                                                   "order by speaker")]
            years = [r[0] for r in conn.execute("select distinct substr(date, 1, 4) from meetings "
                                                "where date is not null order by 1")]
            titles = [r[0] for r in conn.execute("select title from meetings order by id")]
            max_sentence = conn.execute("select max(rowid) from sentences").fetchone()[0] or 0
        finally:
            conn.close()
        return cls(path, meetings, speakers, years, titles, max_sentence)

    def fresh_term(self, length: int, rng: random.Random) -> str | None:
        """A term of `length` Chinese characters from a random sentence of the archive, never drawn before in
        this run (None when the text holds no new one, as happens to 1-character terms in a small archive)."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            for _ in range(2_000):
                row = conn.execute("select text from sentences where rowid = ?",
                                   [rng.randint(1, self.max_sentence)]).fetchone()
                runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", row[0] if row else "") if len(r) >= length]
                if not runs:
                    continue
                run = rng.choice(runs)
                at = rng.randrange(len(run) - length + 1)
                term = run[at:at + length]
                if term not in self.used_terms:
                    self.used_terms.add(term)
                    return term
        finally:
            conn.close()
        return None

    def title_words(self, rng: random.Random) -> str:
        """2-4 characters of a random meeting's title, as a reader types part of a title they remember."""
        runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", rng.choice(self.titles)) if len(r) >= 2] or ["会议"]
        run = rng.choice(runs)
        length = min(len(run), rng.randint(2, 4))
        at = rng.randrange(len(run) - length + 1)
        return run[at:at + length]


@dataclass(frozen=True)
class Row:
    label: str
    target_ms: int
    url: Callable[[random.Random], str | None]  # a fresh request's path and query; None: nothing left to ask


def rows(archive: Archive) -> list[Row]:
    from podium.publish.listing import PAGE_SIZE

    last_page = max(1, math.ceil(len(archive.meetings) / PAGE_SIZE))
    q = quote

    def search(length: int, path: str = "/search", speaker: bool = False):
        def url(rng):
            term = archive.fresh_term(length, rng)
            if term is None:
                return None
            extra = f"&speaker={q(rng.choice(archive.speakers))}" if speaker else ""
            return f"{path}?q={q(term)}{extra}"
        return url

    return [
        Row("home `/`", PAGE_MS, lambda rng: "/"),
        Row(f"home `/?page={min(100, last_page)}`", PAGE_MS, lambda rng: f"/?page={min(100, last_page)}"),
        Row("home `/?year=YYYY`", PAGE_MS, lambda rng: f"/?year={rng.choice(archive.years)}"),
        Row("home `/?speaker=NAME`", PAGE_MS, lambda rng: f"/?speaker={q(rng.choice(archive.speakers))}"),
        Row("home `/?q=<title words>`", PAGE_MS, lambda rng: f"/?q={q(archive.title_words(rng))}"),
        Row("meeting `/meeting/<id>`", PAGE_MS, lambda rng: f"/meeting/{q(rng.choice(archive.meetings))}"),
        Row("speaker `/speaker/<name>`", PAGE_MS, lambda rng: f"/speaker/{q(rng.choice(archive.speakers))}"),
        *[Row(f"search `/search` {n} char", SEARCH_MS, search(n)) for n in TERM_LENGTHS],
        Row("search 2 char `&speaker=NAME`", SEARCH_MS, search(2, speaker=True)),
        *[Row(f"chart `/search/facets` {n} char", PAGE_MS, search(n, "/search/facets")) for n in (1, 2, 3)],
        Row("API `/api/meetings?page=N`", PAGE_MS, lambda rng: f"/api/meetings?page={rng.randint(1, last_page)}"),
        Row("feed `/feed.atom`", PAGE_MS, lambda rng: "/feed.atom"),
        Row("feed `/search.atom?q=` 2 char", PAGE_MS, search(2, "/search.atom")),
    ]


def measure(base: str, table: list[Row], requests: int, seed: int) -> tuple[dict, list[str]]:
    """Each row's request made `requests` times, the rows in turn. Returns each row's timings in ms (of the
    200 answers) and the failures."""
    import httpx

    rng = random.Random(seed)
    timings: dict[str, list[float]] = {row.label: [] for row in table}
    failures: list[str] = []
    failed: dict[str, int] = {row.label: 0 for row in table}
    exhausted: set[str] = set()
    with httpx.Client(timeout=120) as client:
        client.get(base + "/")  # the first request of a new server sets up its templates: not a reader's wait
        for _ in range(requests):
            for row in table:
                url = row.url(rng)
                if url is None:
                    exhausted.add(row.label)
                    continue
                started = time.perf_counter()
                try:
                    response = client.get(base + url)
                    status = response.status_code
                except httpx.HTTPError as e:
                    status = f"{type(e).__name__}: {e}"
                ms = (time.perf_counter() - started) * 1000
                if status == 200:
                    timings[row.label].append(ms)
                else:
                    failed[row.label] += 1
                    failures.append(f"{row.label}: {url} answered {status}")
    for label in sorted(exhausted):
        print(f"note: {label}: the archive's text held too few new terms for every request")
    return {"timings": timings, "failed": failed}, failures


def report(table: list[Row], result: dict, failures: list[str]) -> bool:
    """Print the table; True when every request answered 200 and every row is within its target."""
    print("| request | n | failed | p50 ms | p95 ms | target p95 ms | within |")
    print("|---|---:|---:|---:|---:|---:|---|")
    all_within = True
    for row in table:
        times = sorted(result["timings"][row.label])
        failed = result["failed"][row.label]
        if times:
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            within = p95 <= row.target_ms and not failed
            cells = f"{p50:.1f} | {p95:.1f} | {row.target_ms} | {'yes' if within else 'NO'}"
        else:
            within, cells = False, f"– | – | {row.target_ms} | NO"
        all_within &= within
        print(f"| {row.label} | {len(times)} | {failed} | {cells} |")
    if failures:
        print(f"\n{len(failures)} request(s) did not answer 200:")
        shown: dict[str, int] = {}
        for failure in failures:
            label = failure.split(":", 1)[0]
            shown[label] = shown.get(label, 0) + 1
            if shown[label] <= 3:  # a few of each kind: enough to see what is wrong
                print(f"  {failure}")
    return all_within


def run(db_path: Path, requests: int, seed: int) -> int:
    archive = Archive.read(db_path)
    size_mb = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 1e6
    model, int8 = cpu_and_int8()
    print(f"archive: {db_path}: {len(archive.meetings):,} meetings, {len(archive.speakers)} speakers, "
          f"{archive.max_sentence:,} sentences, {size_mb:,.0f} MB")
    print(f"CPU: {model}, {os.cpu_count()} cores; int8: {int8}")
    table = rows(archive)
    started_serving = time.perf_counter()
    with serving(db_path, "--immutable") as (proc, base):
        print(f"podium serve --immutable: listening after {time.perf_counter() - started_serving:.1f} s")
        cpu_before, wall_before = cpu_seconds(proc.pid), time.perf_counter()
        result, failures = measure(base, table, requests, seed)
        cpu = cpu_seconds(proc.pid) - cpu_before
        wall = time.perf_counter() - wall_before
    print(f"{requests} requests a row, one at a time, rows in turn; seed {seed}\n")
    within = report(table, result, failures)
    print(f"\nserver: {cpu:.1f} CPU-seconds in {wall:.1f} s of wall time")
    print(f"targets: pages p95 <= {PAGE_MS} ms, /search p95 <= {SEARCH_MS} ms: {'all met' if within else 'NOT all met'}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="A Podium archive (e.g. written by scripts/make_archive.py).")
    parser.add_argument("--requests", type=int, default=100, help="Requests per row (default 100).")
    parser.add_argument("--seed", type=int, default=1, help="What the requests draw from the archive.")
    parser.add_argument("--smoke", action="store_true",
                        help="5 meetings written by make_archive in a temporary directory, 3 requests a row.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            from make_archive import make_archive

            args.db, args.requests = Path(scratch) / "county.db", 3
            make_archive(args.db, 5, seed=0, progress=False)
        elif args.db is None or not args.db.is_file():
            parser.error("--db: give an archive (scripts/make_archive.py writes one)")
        status = run(args.db, args.requests, args.seed)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
