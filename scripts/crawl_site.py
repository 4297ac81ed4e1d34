"""Walk a Podium site as a reader's browser would: from the home page, follow every same-site link of every
of Podium's pages (breadth first) and report each one that answers 4xx or 5xx. Podium's pages (HTML) are read
and their links followed; Datasette's own table pages (/archive/..., /-/...) are checked, not walked (their
sort, facet and page links multiply without end); other files (CSV, JSON, Atom, WebVTT, downloads) only have
their answer checked, their body not read.

    .venv/bin/python scripts/crawl_site.py --db /tmp/county5000.db [--limit N]

Starts `podium serve --immutable` on the archive and prints how many URLs answered, by kind, the failures,
and the time taken. Exit status 1 when any link failed. `--smoke` crawls a small archive of its own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_common import cpu_model, serving  # noqa: E402

# followed but not read: a link to a file is checked by its answer, not by reading the whole of it
FILE_SUFFIXES = (".csv", ".json", ".atom", ".vtt", ".zip", ".db", ".mp3")
NOT_WALKED = ("/archive", "/-/")  # Datasette's pages: checked, their links not followed


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def links(page: str, base: str) -> list[str]:
    """The same-site links of a page, as paths with their query, without fragments."""
    parser = _Links()
    parser.feed(page)
    out = []
    for href in parser.links:
        url = urlsplit(urljoin(base, href))
        if url.scheme in ("http", "https", "") and (not url.netloc or url.netloc == urlsplit(base).netloc):
            out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


def is_file(path: str) -> bool:
    return urlsplit(path).path.endswith(FILE_SUFFIXES) or urlsplit(path).path.startswith(("/download/", "/media/"))


def crawl(fetch, start: str = "/", limit: int | None = None, progress=None,
          one_language: bool = False) -> tuple[dict[str, int], list[tuple[str, int, str]]]:
    """Breadth-first from `start`. `fetch(path, read)` answers (status, content type, text or None); `read` is
    False for links to files; `progress(asked, queued, failed)`, if given, is called every 500 URLs;
    `one_language`: links that switch the page's language (`lang=`) are not followed, which halves a walk of a
    large archive. Returns the status of every URL asked, and the failures (path, status, the linking page)."""
    seen, queue = {start}, deque([(start, "")])
    answered: dict[str, int] = {}
    failures = []
    while queue and (limit is None or len(answered) < limit):
        path, parent = queue.popleft()
        status, content_type, text = fetch(path, not is_file(path))
        answered[path] = status
        if progress and len(answered) % 500 == 0:
            progress(len(answered), len(queue), len(failures))
        if status >= 400:
            failures.append((path, status, parent))
            continue
        if text is not None and "html" in content_type and not urlsplit(path).path.startswith(NOT_WALKED):
            for link in links(text, "http://site" + path):
                if one_language and "lang=" in urlsplit(link).query:
                    continue
                if link not in seen:
                    seen.add(link)
                    queue.append((link, path))
    return answered, failures


def http_fetcher(base: str):
    import httpx

    client = httpx.Client(base_url=base, timeout=120)

    def fetch(path: str, read: bool):
        with client.stream("GET", path) as response:
            text = response.read().decode("utf-8", "replace") if read else None
            return response.status_code, response.headers.get("content-type", ""), text

    return fetch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="stop after this many URLs (default: all)")
    parser.add_argument("--one-language", action="store_true",
                        help="do not follow the links that switch a page's language (half the URLs)")
    parser.add_argument("--smoke", action="store_true", help="crawl a small archive of its own")
    args = parser.parse_args()
    if args.smoke:
        from make_archive import make_archive

        folder = tempfile.mkdtemp()
        args.db = Path(folder) / "archive.db"
        make_archive(args.db, 6, progress=False)
    if args.db is None:
        parser.error("give --db (or --smoke)")
    print(f"CPU: {cpu_model()}")
    started = time.perf_counter()
    with serving(args.db, "--immutable") as (_, base):
        answered, failures = crawl(http_fetcher(base), limit=args.limit, one_language=args.one_language, progress=lambda asked, queued, failed: print(
            f"  {asked:,} asked, {queued:,} queued, {failed} failed, {time.perf_counter() - started:.0f} s", flush=True))
    took = time.perf_counter() - started
    print(f"{len(answered):,} URLs in {took:.0f} s")
    kinds = Counter(("file" if is_file(path) else "page", status // 100 * 100) for path, status in answered.items())
    for (kind, status), n in sorted(kinds.items()):
        print(f"  {kind} {status}: {n:,}")
    for path, status, parent in failures:
        print(f"FAILED {status} {path} (linked from {parent})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
