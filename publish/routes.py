"""The pages and files Podium adds to Datasette (registered in `plugin.py`).

- /media/<id>: each meeting's web copy, with HTTP Range (browsers need 206
  answers to seek in <audio>; Datasette's static files give none). Only files
  registered in the archive are served: the request names a meeting ID, never
  a path.
- /search.json, /search.csv: one search across the archive (its page is in `browse.py`).
- /meeting/<id>: the follow-along meeting page (and a quote of it: clips.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlencode

from datasette import Response
from datasette.utils.asgi import AsgiStream

from podium.schema import MEETING_ID, SEARCH_COLUMNS

from . import auth, clips
from .i18n import choose_language, labels, other_language, remember_language
from .meeting import (SPEEDS, TIMELINE_KINDS, build_blocks, build_timeline, hms, load_meeting, mark_to_check,
                      meeting_url)
from .listing import speaker_url
from .metadata import DB_NAME
from .search import Page, QueryError, SearchQuery, export_batch, parse_query, search



def _archive(datasette):
    return datasette.get_database(DB_NAME) if DB_NAME in datasette.databases else None


async def _not_found(send, message="Not found"):
    await Response.text(message, status=404).asgi_send(send)


async def media(scope, receive, send, datasette, request):
    from starlette.responses import FileResponse

    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    if not MEETING_ID.match(meeting_id) or db is None:
        return await _not_found(send)
    row = (await db.execute("select media_path from meetings where id = ?", [meeting_id])).first()
    root = getattr(datasette, "_podium_root", None) or Path(db.path).parent
    path = (root / row["media_path"]).resolve() if row and row["media_path"] else None
    if path is None or not path.is_file() or not path.is_relative_to((root / "media").resolve()):
        return await _not_found(send)
    response = FileResponse(path, media_type="audio/mpeg", headers={"Cache-Control": "public, max-age=3600"})
    await response(scope, receive, send)


async def _run_search(datasette, query: SearchQuery) -> Page:
    db = _archive(datasette)
    if db is None:
        return Page([], False, False)
    return await db.execute_fn(lambda conn: search(conn, query))


def _page_url(request, path: str, **changes) -> str:
    args = {k: request.args.get(k) for k in request.args.keys()}
    args.update({k: str(v) for k, v in changes.items()})
    return f"{path}?{urlencode(args)}"


def _bad_query(error: QueryError) -> Response:
    return Response.json({"error": str(error)}, status=400, headers={"Access-Control-Allow-Origin": "*"})


async def search_json(datasette, request):
    try:
        query = parse_query(request.args)
    except QueryError as e:
        return _bad_query(e)
    found = await _run_search(datasette, query)
    next_url = _page_url(request, "/search.json", page=query.page + 1) if found.more else None
    return Response.json({"rows": found.rows, "next": next_url, "page": query.page, "size": query.size},
                         headers={"Access-Control-Allow-Origin": "*"})


async def search_csv(datasette, request):
    """Every match that the page counts, in archive order (meeting by meeting, in text order), streamed a
    batch at a time: memory stays bounded however many there are."""
    try:
        query = parse_query(request.args)
    except QueryError as e:
        return _bad_query(e)
    db = _archive(datasette)

    async def stream(response):
        out = io.StringIO()  # `_bom=1` is handled by the plugin's asgi_wrapper, as on every .csv URL
        writer = csv.DictWriter(out, fieldnames=SEARCH_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for kind in query.kinds if db is not None and query.terms else []:
            after: int | None = 0
            while after is not None:
                rows, after = await db.execute_fn(lambda conn, a=after: export_batch(conn, query, kind, a))
                writer.writerows(rows)
                await response.write(out.getvalue())
                out.seek(0)
                out.truncate()
        await response.write(out.getvalue())

    return AsgiStream(stream, content_type="text/csv; charset=utf-8",
                      headers={"Content-Disposition": 'attachment; filename="podium-search.csv"'})


def _language_vars(request, language: str, path: str) -> dict:
    """What a page's template needs of the reader's language: its labels, the language and the other one, and
    the page at `path` in the other language (its arguments kept)."""
    other = other_language(language)
    return {"t": labels(language), "lang": language, "other_lang": other,
            "lang_url": _page_url(request, path, lang=other)}


async def meeting_page(datasette, request):
    """The follow-along page of a meeting; with a quote (`?t=a,b`, `?s=P-S..P-S`: clips.py) it marks and plays
    the quote, and a shared link previews its words; a quote that names nothing to play is a 400."""
    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    if db is None or not MEETING_ID.match(meeting_id):
        return Response.text("Not found", status=404)
    rows = await load_meeting(db, meeting_id)
    if rows is None:
        return Response.text("Not found", status=404)
    language = choose_language(request)
    try:
        quoted = clips.page_context(datasette, request, rows, language)
    except clips.QuoteError as error:
        return await clips.bad_quote(datasette, request, meeting_id, error, language)
    meeting, sentences, speeches = rows["meeting"], rows["sentences"], rows["speeches"]
    to_check = mark_to_check(sentences)
    # the edit controls: only on the editing server, only for a signed-in editor; never in a reader's page
    editor = auth.editor_name(datasette, request) if auth.editing(datasette) and await auth.can_edit(
        datasette, request) else None
    html = await datasette.render_template(
        "podium_meeting.html",
        {
            "meeting": meeting, "blocks": build_blocks(rows["paragraphs"], sentences, rows["unscripted"]),
            "hms": hms, "meeting_url": meeting_url, "speaker_url": speaker_url,
            "speakers": list(dict.fromkeys(sp["speaker"] for sp in speeches if sp["speaker"])),
            "timeline": build_timeline(meeting["duration"], sentences, rows["unscripted"], speeches),
            "timeline_kinds": TIMELINE_KINDS, "speeches": speeches if len(speeches) > 1 else [],
            "speeds": SPEEDS, "to_check": to_check, "editor": editor,
            "editor_labels": {k: v for k, v in labels(language).items()
                              if k.startswith(("edit_", "history", "key_")) or k in (
                                  "machine", "corrected", "corrected_title", "spoken", "partial", "estimated",
                                  "not_spoken")},
            **_language_vars(request, language, meeting_url(meeting_id)),
            "csv_url": f"/{DB_NAME}/sentences.csv?" + urlencode({"meeting_id": meeting_id, "_stream": "on",
                                                                  "_sort": "id", "_size": "max"}),
            **quoted,
        },
        request=request,
    )
    return remember_language(Response.html(html), request, language)


ROUTES = [
    (r"^/media/(?P<id>[^/]+)$", media),
    (r"^/search\.json$", search_json),
    (r"^/search\.csv$", search_csv),
    (r"^/meeting/(?P<id>[^/]+)$", meeting_page),
]
