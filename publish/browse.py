"""The pages a reader browses the archive by: the home page (meetings, a page at a time, by year, speaker
or words of the title), a speaker's page, and the search page with its facets and chart of hits in time."""

from __future__ import annotations

from markupsafe import Markup

from datasette import Response

from .i18n import choose_language, labels
from .meeting import hms, meeting_url
from .routes import _archive, _count, _lang_response, _page_url, _run_search
from .search import QueryError, SearchQuery, parse_query, ranked_window


async def search_page(datasette, request):
    language = choose_language(request)
    try:
        query, error = parse_query(request.args), None
    except QueryError as e:
        query, error = SearchQuery(q=request.args.get("q") or ""), str(e)
    rows, more = ([], False) if error else await _run_search(datasette, query)
    counts = {} if error else await _count(datasette, query)
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
            "meeting_url": meeting_url,
            "error": error, "total": sum(counts.values()), "titles": {m["id"]: m["title"] for m in meetings},
            "ranked_window": not error and ranked_window(query, sum(counts.values())),
            "per_meeting": [(m, n, _page_url(request, "/search", meeting=m, page=1)) for m, n in counts.items()],
            "lang": language, "other_lang": "en" if language == "zh" else "zh",
            "next_url": _page_url(request, "/search", page=query.page + 1) if more else None,
            "prev_url": _page_url(request, "/search", page=query.page - 1) if query.page > 1 else None,
            "csv_url": _page_url(request, "/search.csv", _bom=1) if query.terms else None,
            "lang_url": _page_url(request, "/search", lang="en" if language == "zh" else "zh"),
        },
        request=request,
    )
    return _lang_response(Response.html(html, status=400 if error else 200), request, language)


async def home_page(datasette, request):
    """The archive's front page: every meeting, newest first, and the search box."""
    language = choose_language(request)
    db = _archive(datasette)
    meetings = [] if db is None else [dict(r) for r in (await db.execute(
        "select m.id, m.title, m.date, m.speaker, m.duration, m.matched_share, "
        "(select count(*) from unscripted u where u.meeting_id = m.id and coalesce(u.struck, 0) = 0) as unscripted "
        "from meetings m order by m.date desc, m.id")).rows]
    html = await datasette.render_template(
        "podium_index.html",
        {"meetings": meetings, "hms": hms, "meeting_url": meeting_url, "t": labels(language), "lang": language,
         "lang_url": _page_url(request, "/", lang="en" if language == "zh" else "zh")},
        request=request,
    )
    return _lang_response(Response.html(html), request, language)




ROUTES = [
    (r"^/$", home_page),
    (r"^/search$", search_page),
]
