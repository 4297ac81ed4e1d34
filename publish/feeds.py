"""Atom feeds: new meetings (/feed.atom) and new hits of a saved search (/search.atom?q=).

Atom 1.0 (RFC 4287), written with xml.etree, so every text is escaped by the serializer. IDs are absolute
URLs on the host the reader asked (a feed reader stores them to tell new entries from seen ones); `updated`
is when a meeting entered the archive (`ingested_at`), else its date.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from datasette import Response

from podium.schema import hms

from .i18n import choose_language, labels
from .meeting import meeting_url
from .routes import _archive
from .search import KIND_TABLES, QueryError, SearchQuery, _columns, _filters, _matches, parse_query

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50  # entries a feed holds: readers poll it and keep what they have seen
WALK = 31  # meetings a search feed reads newest first (1 + 2 + 4 + 8 + 16) before it counts the matches of the rest
EXCERPT = 300  # characters of a meeting's official text in its summary
EPOCH = "1970-01-01T00:00:00Z"  # `updated` of an entry that has neither an ingest time nor a date
HEADERS = {"Access-Control-Allow-Origin": "*"}


def atom_time(ingested_at: str | None, date: str | None) -> str:
    """An RFC 3339 time in UTC: the ingest time if it reads as one, else midnight of the date, else EPOCH."""
    for value in (ingested_at, date):
        try:
            moment = datetime.datetime.fromisoformat(value) if value else None
        except ValueError:
            continue
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return EPOCH


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def build_feed(*, feed_id: str, title: str, subtitle: str, self_url: str, alternate_url: str, language: str,
               entries: list[dict]) -> bytes:
    """An Atom document. Each entry: id, title, updated, link, summary, authors (names, perhaps none).
    The feed's author is Podium, so an entry without one still has an author (RFC 4287 4.1.1)."""
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: language})
    ET.SubElement(feed, "id").text = feed_id
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "subtitle").text = subtitle
    ET.SubElement(feed, "updated").text = max((e["updated"] for e in entries), default=EPOCH)
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "Podium"
    ET.SubElement(feed, "generator").text = "Podium"
    for e in entries:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = e["id"]
        ET.SubElement(entry, "title").text = e["title"]
        ET.SubElement(entry, "updated").text = e["updated"]
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=e["link"])
        for name in e["authors"]:
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = name
        ET.SubElement(entry, "summary").text = e["summary"]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def newest_meetings(conn: sqlite3.Connection, limit: int = ENTRIES) -> list[dict]:
    """The newest meetings (by date, then by when they were ingested), each with its speakers in speech
    order and the start of its official text."""
    cursor = conn.execute(
        "select id, title, date, duration, ingested_at, substr(official_text, 1, :chars) as excerpt from meetings "
        "order by date desc, ingested_at desc, id limit :limit", {"chars": EXCERPT * 2, "limit": limit})
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
    speakers: dict[str, list[str]] = {}
    for meeting_id, name in conn.execute(
            "select meeting_id, speaker from speeches where meeting_id in (select value from json_each(?)) "
            "and coalesce(speaker, '') != '' order by meeting_id, seq", [json.dumps([r["id"] for r in rows])]):
        speakers.setdefault(meeting_id, []).append(name)
    for r in rows:
        r["speakers"] = list(dict.fromkeys(speakers.get(r["id"], [])))
    return rows


def newest_hits(conn: sqlite3.Connection, query: SearchQuery, limit: int = ENTRIES) -> list[dict]:
    """The hits of a search in the newest meetings that have any, newest meeting first, in time order within
    a meeting; at most `limit`.

    Never a sort of every match. The newest WALK meetings that the filters allow are read first, 1, 2, 4 ...
    at a time, each over its own rows only: a common term, whose every match would take seconds to count in a
    county's archive, fills the feed there. Where they hold too few hits (a rarer term, cheap to count), the
    matches in the older meetings are counted per meeting, and the hits of the newest of them read."""
    if not query.terms:
        return []
    allowed = _candidates(conn, query)
    newest = allowed[:WALK]
    hits: list[dict] = []
    for batch in _doubling(newest):
        hits += _hits_in(conn, query, batch, limit - len(hits))
        if len(hits) >= limit:
            return hits
    if len(allowed) == len(newest):  # every hit lies in an allowed meeting: all of them were read
        return hits
    older = _meetings_with_hits(conn, query, limit - len(hits), skip=set(newest))
    return hits + (_hits_in(conn, query, older, limit - len(hits)) if older else [])


def _where(kind: str, query: SearchQuery, params: dict, rows: str = "") -> str:
    """The conditions on a hit of one kind (table `t`, meeting `m`): every index it needs matches (within the
    rowid range `rows`, where given), and the query's filters."""
    where = [f"t.rowid in (select rowid from [{i}] where [{i}] match :{p}{rows})"
             for i, p in _matches(kind, query, params)]
    return " and ".join(where + _filters(query, params, kind))


def _meetings_with_hits(conn: sqlite3.Connection, query: SearchQuery, limit: int, skip: set[str]) -> list[str]:
    """The newest meetings holding hits, those in `skip` aside, as many as hold `limit` hits between them."""
    params: dict = {}
    union = " union all ".join(f"select t.meeting_id from [{KIND_TABLES[kind]}] t join meetings m "
                               f"on m.id = t.meeting_id where {_where(kind, query, params)}" for kind in query.kinds)
    counts = conn.execute(f"select g.meeting_id, g.n from (select meeting_id, count(*) as n from ({union}) "
                          f"group by meeting_id) g join meetings m on m.id = g.meeting_id "
                          f"order by m.date desc, m.ingested_at desc, m.id", params).fetchall()
    chosen, held = [], 0
    for meeting_id, n in counts:
        if held >= limit:
            break
        if meeting_id in skip:
            continue
        chosen.append(meeting_id)
        held += n
    return chosen


def _candidates(conn: sqlite3.Connection, query: SearchQuery) -> list[str]:
    """Every meeting that the query's meeting, dates and speaker allow, newest first: each hit's meeting is
    one of them. (A shortcut: the hits are filtered by the search's own `_filters`, whatever others it gains.)"""
    where, params = [], {}
    for condition, name, value in (("m.id = :v0", "v0", query.meeting_id), ("m.date >= :v1", "v1", query.date_from),
                                   ("m.date <= :v2", "v2", query.date_to),
                                   ("m.id in (select meeting_id from speeches where speaker = :v3)", "v3",
                                    query.speaker)):
        if value:
            where.append(condition)
            params[name] = value
    return [m for (m,) in conn.execute(f"select m.id from meetings m where {' and '.join(where) or '1'} "
                                       f"order by m.date desc, m.ingested_at desc, m.id", params)]


def _doubling(meetings: list[str]):
    """The meetings in batches of 1, 2, 4, 8 ...: a common term fills a feed from the first few."""
    start, size = 0, 1
    while start < len(meetings):
        yield meetings[start:start + size]
        start, size = start + size, size * 2


def _hits_in(conn: sqlite3.Connection, query: SearchQuery, meetings: list[str], limit: int) -> list[dict]:
    """The hits in these meetings, newest meeting first, at most `limit`. Each index is read only over the
    rowids of these meetings' rows (FTS5 seeks to a rowid range), not over every match in the archive."""
    params: dict = {"chosen": json.dumps(meetings), "limit": limit}
    selects = []
    for kind in query.kinds:
        table = KIND_TABLES[kind]
        lo, hi = conn.execute(f"select min(rowid), max(rowid) from [{table}] "
                              f"where meeting_id in (select value from json_each(:chosen))", params).fetchone()
        if lo is None:
            continue
        params[f"{kind}_lo"], params[f"{kind}_hi"] = lo, hi
        rows = f" and rowid between :{kind}_lo and :{kind}_hi"
        selects.append(f"select {_columns(kind)}, t.id as row_id, m.ingested_at as meeting_ingested_at "
                       f"from [{table}] t join meetings m on m.id = t.meeting_id "
                       f"left join speeches sp on sp.id = t.speech_id "
                       f"where t.meeting_id in (select value from json_each(:chosen)) and "
                       f"{_where(kind, query, params, rows)}")
    if not selects:
        return []
    cursor = conn.execute(
        f"select * from ({' union all '.join(selects)}) order by meeting_date desc, meeting_ingested_at desc, "
        f"meeting_id, start is null, start, paragraph_seq, seq limit :limit", params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def _meeting_entry(base: str, m: dict) -> dict:
    url = base + meeting_url(m["id"])
    facts = [m["date"], "、".join(m["speakers"]) or None, hms(m["duration"], decimals=0)]
    excerpt = shorten("\n".join((m["excerpt"] or "").splitlines()[1:]), EXCERPT)  # the title line left out
    return {"id": url, "title": m["title"] or m["id"], "updated": atom_time(m["ingested_at"], m["date"]),
            "link": url, "authors": m["speakers"],
            "summary": " · ".join(f for f in facts if f) + ("\n" + excerpt if excerpt else "")}


def _hit_entry(base: str, h: dict, t: dict) -> dict:
    link = base + meeting_url(h["meeting_id"], h["start"], h["paragraph_seq"], h["seq"])
    where = [h["meeting_date"], h["meeting_title"], h["speaker"], (h["start_hms"] or "")[:8] or None]
    kind = t["unscripted"] if h["kind"] == "unscripted" else t["official"]
    return {"id": f"{base}{meeting_url(h['meeting_id'])}#{h['row_id']}", "title": shorten(h["text"] or "", 80),
            "updated": atom_time(h["meeting_ingested_at"], h["meeting_date"]), "link": link,
            "authors": [h["speaker"]] if h["speaker"] else [],
            "summary": f"{h['text']}\n— {kind} · " + " · ".join(w for w in where if w)}


def _base(datasette, request) -> str:
    return datasette.absolute_url(request, "/").rstrip("/")


async def meetings_feed(datasette, request):
    language = choose_language(request)
    t = labels(language)
    base = _base(datasette, request)
    db = _archive(datasette)
    rows = [] if db is None else await db.execute_fn(newest_meetings)
    body = build_feed(feed_id=f"{base}/feed.atom", title=f"Podium · {t['feed_meetings']}",
                      subtitle=t["feed_meetings_subtitle"], self_url=f"{base}/feed.atom", alternate_url=f"{base}/",
                      language=language, entries=[_meeting_entry(base, m) for m in rows])
    return Response(body, content_type=CONTENT_TYPE, headers=HEADERS)


async def search_feed(datasette, request):
    try:
        query = parse_query(request.args)
    except QueryError as e:
        return Response.json({"error": str(e)}, status=400, headers=HEADERS)
    if not query.terms:
        return Response.json({"error": "q: give the words to search for"}, status=400, headers=HEADERS)
    language = choose_language(request)
    t = labels(language)
    base = _base(datasette, request)
    db = _archive(datasette)
    hits = [] if db is None else await db.execute_fn(lambda conn: newest_hits(conn, query))
    # the saved search is the feed: its ID is the search's own arguments, in one order (not the page asked)
    args = urlencode(sorted((k, request.args.get(k)) for k in request.args.keys()
                           if request.args.get(k) and k not in ("page", "size", "lang")))
    body = build_feed(feed_id=f"{base}/search.atom?{args}", title=f"Podium · {t['feed_search']}: {query.q.strip()}",
                      subtitle=t["feed_search_subtitle"], self_url=datasette.absolute_url(request, request.full_path),
                      alternate_url=f"{base}/search?{args}", language=language,
                      entries=[_hit_entry(base, h, t) for h in hits])
    return Response(body, content_type=CONTENT_TYPE, headers=HEADERS)


ROUTES = [
    (r"^/feed\.atom$", meetings_feed),
    (r"^/search\.atom$", search_feed),
]
