"""Benchmark: every match of a common term exported as CSV (`/search.csv`) from a large synthetic archive, with
the server's memory. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_export.py [--sentences 1000000] [--db PATH] [--term 工作 ...] [--smoke]

The archive is scripts/benchmark_search.py's (built at PATH if it is not there, and kept: the two scripts can
share one). Through `podium serve --immutable` on loopback, for each term, one request at a time: the number of
hits the search page says (its facets, `/search/facets?q=`), then `/search.csv?q=` read to its end as a client reads it, rows
counted by a CSV reader as they arrive. Per term: the page's count, the CSV's rows, its size, the time to its
first byte and to its end, and the server process's CPU time and peak resident memory during the export (the
kernel's high-water mark, VmHWM in /proc/PID/status, reset through /proc/PID/clear_refs before each export),
beside its resident memory before it. The client shares the machine with the server. Exits 1 if a CSV does
not hold as many rows as the page counts. `--smoke`: 3,000 sentences in a temporary archive.
"""

from __future__ import annotations

import argparse
import csv
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from benchmark_common import SMOKE_HELP, cpu_seconds, serving
from benchmark_search import reuse_or_build

# the commonest two-character term of the sample speech (in 26 of its 70 sentences: character index), a
# four-character one (trigram index) and a rarer one
TERMS = ("工作", "党委书记", "群众")
TOTAL = re.compile(r'class="podium-total">\s*([\d,]+)\s*<')


def memory_kb(pid: int, field: str) -> int | None:
    """VmRSS or VmHWM of a process, in kB (None where /proc does not say)."""
    try:
        found = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def reset_peak(pid: int) -> bool:
    """Reset a process's peak resident memory (VmHWM) to its resident memory now (Linux 4.0+)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def page_count(client, base: str, term: str) -> int:
    """The number of hits the search page says it found (its facets part, /search/facets)."""
    response = client.get(f"{base}/search/facets", params={"q": term})
    response.raise_for_status()
    found = TOTAL.search(response.text)
    if not found:
        raise SystemExit(f"/search/facets?q={term}: the page says no total (class podium-total)")
    return int(found.group(1).replace(",", ""))


def read_csv(client, url: str) -> dict:
    """`url` read to its end: its data rows (the header not counted), bytes, and seconds to the first byte
    and to the end."""
    started = time.perf_counter()
    first_byte = None
    with client.stream("GET", url) as response:
        response.raise_for_status()

        def lines():  # the text as it arrives, a line at a time (a quoted field may span lines: csv joins them)
            nonlocal first_byte
            pending = ""
            for chunk in response.iter_text():
                first_byte = first_byte or time.perf_counter() - started
                pending += chunk
                *complete, pending = pending.split("\n")
                for line in complete:
                    yield line + "\n"
            if pending:
                yield pending

        reader = csv.reader(lines())
        header = next(reader, None)
        rows = sum(1 for _ in reader)
    if header is None or "meeting_id" not in header:
        raise SystemExit(f"{url}: no CSV header (got {header!r})")
    return {"rows": rows, "bytes": response.num_bytes_downloaded, "first_byte": first_byte or 0.0,
            "wall": time.perf_counter() - started}


def export(base: str, pid: int, terms: list[str]) -> list[dict]:
    import httpx

    results = []
    with httpx.Client(timeout=600) as client:
        for term in terms:
            count = page_count(client, base, term)
            rss, peak_reset, cpu = memory_kb(pid, "VmRSS"), reset_peak(pid), cpu_seconds(pid)
            r = read_csv(client, f"{base}/search.csv?q={quote(term)}")
            cpu_after = cpu_seconds(pid)
            results.append({"term": term, "count": count, **r, "rss_mb": (rss or 0) / 1024,
                            "peak_mb": (memory_kb(pid, "VmHWM") or 0) / 1024, "peak_reset": peak_reset,
                            "cpu": None if cpu is None or cpu_after is None else cpu_after - cpu})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("benchmark-search.db"),
                        help="Built here if missing, and kept (default: ./benchmark-search.db).")
    parser.add_argument("--term", action="append", help=f"Default: {' '.join(TERMS)}.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.sentences, args.db = 3_000, Path(scratch) / "benchmark-search.db"
        db_path = reuse_or_build(args.db, args.sentences)
        started = time.perf_counter()
        with serving(db_path, "--immutable") as (proc, base):
            print(f"podium serve --immutable listening after {time.perf_counter() - started:.1f} s")
            results = export(base, proc.pid, args.term or list(TERMS))
    print("| term | hits (search page) | CSV rows | same | CSV MB | first byte s | wall s | rows/s "
          "| server CPU s | server RSS before MB | server peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cpu = "–" if r["cpu"] is None else f"{r['cpu']:.1f}"
        peak = f"{r['peak_mb']:.0f}" + ("" if r["peak_reset"] else " (since start)")
        print(f"| {r['term']} | {r['count']:,} | {r['rows']:,} | {'yes' if r['rows'] == r['count'] else 'NO'} "
              f"| {r['bytes'] / 1e6:,.1f} | {r['first_byte']:.2f} | {r['wall']:.1f} | {r['rows'] / r['wall']:,.0f} "
              f"| {cpu} | {r['rss_mb']:.0f} | {peak} |")
    if any(r["rows"] != r["count"] for r in results):
        raise SystemExit("the CSV does not hold every match the search page counts")


if __name__ == "__main__":
    main()
