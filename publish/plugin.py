"""Datasette plugin: Podium's pages and routes on top of the `archive` database.

- /media/<id>: each meeting's web copy, with HTTP Range (browsers need 206
  answers to seek in <audio>; Datasette's static files give none). Only files
  registered in the archive are served: the request names a meeting ID, never
  a path.
- /search, /search.json, /search.csv: one search across the archive.
- /meeting/<id>: the follow-along meeting page.
- a play control in the `start` cells of paragraphs, sentences and unscripted;
  `?_bom=1` on any CSV URL adds a UTF-8 BOM for Excel.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlencode

from datasette import Response, hookimpl
from markupsafe import Markup

from . import DB_NAME
from .i18n import choose_language, labels
from .meeting import build_blocks, hms
from .search import SearchQuery, search

_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMED_TABLES = ("paragraphs", "sentences", "unscripted")
BOM = "\ufeff".encode()


def _archive(datasette):
    return datasette.get_database(DB_NAME) if DB_NAME in datasette.databases else None


async def _not_found(send, message="Not found"):
    await Response.text(message, status=404).asgi_send(send)


async def media(scope, receive, send, datasette, request):
    from starlette.responses import FileResponse

    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    if not _ID.match(meeting_id) or db is None:
        return await _not_found(send)
    row = (await db.execute("select media_path from meetings where id = ?", [meeting_id])).first()
    root = getattr(datasette, "_podium_root", None) or Path(db.path).parent
    path = (root / row["media_path"]).resolve() if row and row["media_path"] else None
    if path is None or not path.is_file() or not path.is_relative_to((root / "media").resolve()):
        return await _not_found(send)
    response = FileResponse(path, media_type="audio/mpeg", headers={"Cache-Control": "public, max-age=3600"})
    await response(scope, receive, send)


def _query_from(request) -> SearchQuery:
    def arg(name):
        value = (request.args.get(name) or "").strip()
        return value or None

    def number(name, default):
        try:
            return int(request.args.get(name, default))
        except ValueError:
            return default

    date_from, date_to = arg("date_from"), arg("date_to")
    return SearchQuery(
        q=request.args.get("q", ""),
        meeting_id=arg("meeting"),
        date_from=date_from if date_from and _DATE.match(date_from) else None,
        date_to=date_to if date_to and _DATE.match(date_to) else None,
        kind=arg("kind"),
        page=number("page", 1),
        size=number("size", 20),
    )


async def _run_search(datasette, query: SearchQuery):
    db = _archive(datasette)
    if db is None:
        return [], False
    return await db.execute_fn(lambda conn: search(conn, query))


def _page_url(request, path: str, **changes) -> str:
    args = {k: request.args.get(k) for k in request.args.keys()}
    args.update({k: str(v) for k, v in changes.items()})
    return f"{path}?{urlencode(args)}"


async def search_json(datasette, request):
    query = _query_from(request)
    rows, more = await _run_search(datasette, query)
    next_url = _page_url(request, "/search.json", page=query.page + 1) if more else None
    return Response.json({"rows": rows, "next": next_url, "page": query.page, "size": query.size},
                         headers={"Access-Control-Allow-Origin": "*"})


async def search_csv(datasette, request):
    """Every result, however many: pages through the search rather than stopping at a row limit."""
    query = _query_from(request)
    query.size, query.page = 200, 1
    out = io.StringIO()
    if request.args.get("_bom"):
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["kind", "meeting_id", "meeting_title", "meeting_date", "paragraph_seq", "sentence_seq",
                     "start", "end", "start_hms", "end_hms", "text"])
    while True:
        rows, more = await _run_search(datasette, query)
        for r in rows:
            writer.writerow([r["kind"], r["meeting_id"], r["meeting_title"], r["meeting_date"], r["paragraph_seq"],
                             r["sentence_seq"], r["start"], r["end"], r["start_hms"], r["end_hms"],
                             r["text"]])
        if not more:
            break
        query.page += 1
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="podium-search.csv"'})


def _lang_response(response: Response, request, language: str) -> Response:
    if request.args.get("lang") in ("zh", "en"):
        response.set_cookie("podium_lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


async def search_page(datasette, request):
    language = choose_language(request)
    query = _query_from(request)
    rows, more = await _run_search(datasette, query)
    db = _archive(datasette)
    meetings = [] if db is None else [
        dict(r) for r in (await db.execute("select id, title, date from meetings order by date desc, id")).rows
    ]
    for r in rows:
        r["snippet_html"] = Markup(r["snippet"])  # built from escaped text in search.snippet
        r["start_label"] = hms(r["start"])
    html = await datasette.render_template(
        "podium_search.html",
        {
            "q": query.q, "query": query, "rows": rows, "meetings": meetings, "t": labels(language),
            "lang": language, "other_lang": "en" if language == "zh" else "zh",
            "next_url": _page_url(request, "/search", page=query.page + 1) if more else None,
            "prev_url": _page_url(request, "/search", page=query.page - 1) if query.page > 1 else None,
            "csv_url": _page_url(request, "/search.csv", _bom=1) if query.terms else None,
            "lang_url": _page_url(request, "/search", lang="en" if language == "zh" else "zh"),
        },
        request=request,
    )
    return _lang_response(Response.html(html), request, language)


async def meeting_page(datasette, request):
    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    if db is None or not _ID.match(meeting_id):
        return Response.text("Not found", status=404)
    meeting = (await db.execute("select * from meetings where id = ?", [meeting_id])).first()
    if meeting is None:
        return Response.text("Not found", status=404)
    language = choose_language(request)

    async def fetch(sql):
        return [dict(r) for r in (await db.execute(sql, [meeting_id])).rows]

    paragraphs = await fetch("select seq, start, [end], status, text from paragraphs where meeting_id = ? order by seq")
    sentences = await fetch("select paragraph_seq, seq, start, [end], status, text from sentences "
                            "where meeting_id = ? order by paragraph_seq, seq")
    unscripted = await fetch("select start, [end], text from unscripted where meeting_id = ? order by start")
    html = await datasette.render_template(
        "podium_meeting.html",
        {
            "meeting": dict(meeting), "blocks": build_blocks(paragraphs, sentences, unscripted), "hms": hms,
            "t": labels(language), "lang": language, "other_lang": "en" if language == "zh" else "zh",
            "lang_url": _page_url(request, f"/meeting/{meeting_id}", lang="en" if language == "zh" else "zh"),
            "csv_url": f"/{DB_NAME}/sentences.csv?" + urlencode({"meeting_id": meeting_id, "_stream": "on",
                                                                  "_sort": "rowid", "_size": "max"}),
        },
        request=request,
    )
    return _lang_response(Response.html(html), request, language)


@hookimpl
def register_routes():
    return [
        (r"^/media/(?P<id>[^/]+)$", media),
        (r"^/search\.json$", search_json),
        (r"^/search\.csv$", search_csv),
        (r"^/search$", search_page),
        (r"^/meeting/(?P<id>[^/]+)$", meeting_page),
    ]


@hookimpl
def render_cell(row, value, column, table, database):
    """A play control in the `start` cell of timed rows: plays from start to end."""
    if database != DB_NAME or table not in TIMED_TABLES or column != "start" or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if "meeting_id" not in keys:
        return None
    meeting_id, end = row["meeting_id"], row["end"] if "end" in keys else None
    if isinstance(meeting_id, dict):  # the table view expands foreign keys to {value, label}
        meeting_id = meeting_id["value"]
    if isinstance(end, dict):
        end = end.get("value")
    return Markup(
        '<button type="button" class="podium-play" data-src="/media/{m}" data-start="{s}" data-end="{e}" '
        'title="Play">▶</button> <a href="/meeting/{m}#t={s}">{label}</a>'
    ).format(m=meeting_id, s=value, e="" if end is None else end, label=hms(value))


@hookimpl
def extra_js_urls():
    return ["/podium-static/podium.js"]


@hookimpl
def extra_css_urls():
    return ["/podium-static/podium.css"]


@hookimpl
def menu_links(datasette):
    return [{"href": "/search", "label": "Search · 搜索"}]


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    # scripts only from this site (Datasette's pages use inline scripts); no plugins, no framing elsewhere
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; media-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'"),
]


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def podium_app(scope, receive, send):
            """Headers a public deployment needs on every response; and `?_bom=1` on a .csv URL
            prepends a UTF-8 BOM so that Excel reads the text as UTF-8."""
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            bom = (scope.get("path", "").endswith(".csv") and b"_bom=1" in scope.get("query_string", b"")
                   and not scope["path"].startswith("/search"))
            first = True

            async def wrapped_send(message):
                nonlocal first
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", [])
                               if not (bom and k.lower() == b"content-length")]
                    present = {k.lower() for k, _ in headers}
                    headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and bom and first:
                    first = False
                    message = {**message, "body": BOM + message.get("body", b"")}
                await send(message)

            await app(scope, receive, wrapped_send)

        return podium_app

    return wrap


