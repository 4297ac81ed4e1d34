"""The pages a reader browses the archive by: the home page (meetings a page at a time, by year, speaker or
words of the title, with a chart of meetings per year), a speaker's page, and the search page with its
facets (hits per period, speaker and meeting, and their chart), which come from /search/facets: counting
every hit of a common term takes longer than a page of ranked results, so the page shows its results at
once and podium.js fills in the facets (a reader without scripts follows a link to them)."""

from __future__ import annotations

from urllib.parse import unquote

from datasette import Response
from markupsafe import Markup

from . import listing
from .listing import speaker_url
from .charts import bar_chart, date_range
from .i18n import choose_language, remember_language
from .meeting import hms, meeting_url
from .routes import _archive, _language_vars, _run_search, _page_url
from .search import Facets, Page, QueryError, SearchQuery, facets, parse_query

TOP = 20  # speakers and meetings listed in the search facets; the rest are a click on a narrower search


def _common(request, language: str, path: str) -> dict:
    """What every browse page's template needs."""
    return {**_language_vars(request, language, path), "hms": hms, "meeting_url": meeting_url,
            "speaker_url": speaker_url}


async def _query(datasette, fn):
    db = _archive(datasette)
    return None if db is None else await db.execute_fn(fn)


async def home_page(datasette, request):
    """The archive's front page: meetings newest first, a page at a time, filtered by year, speaker or words of
    the title, under a chart of meetings per year (each bar filters to its year)."""
    language = choose_language(request)
    try:
        f, error = listing.parse_filter(request.args), None
    except listing.FilterError as e:
        f, error = listing.MeetingFilter(), str(e)

    def read(conn):
        rows, total = listing.meetings(conn, f)
        return rows, total, listing.meetings_per_year(conn, f), listing.years(conn), listing.speaker_options(conn)

    rows, total, per_year, years, speakers = await _query(datasette, read) or ([], 0, [], [], [])
    pages = max(1, -(-total // f.size))
    chart = bar_chart(per_year, lambda year: _page_url(request, "/", year=year, page=1))
    html = await datasette.render_template(
        "podium_index.html",
        {**_common(request, language, "/"), "meetings": rows, "total": total, "filter": f, "error": error,
         "years": years, "speakers": speakers, "chart": chart, "page": f.page, "pages": pages,
         "filtered": bool(f.year or f.speaker or f.q),
         "prev_url": _page_url(request, "/", page=f.page - 1) if f.page > 1 else None,
         "next_url": _page_url(request, "/", page=f.page + 1) if f.page < pages else None},
        request=request,
    )
    return remember_language(Response.html(html, status=400 if error else 200), request, language)


async def speaker_page(datasette, request):
    """Everything one speaker said: their speeches across meetings (share of the official text found, the
    off-script passages and their share of the speaking time), their latest off-script passages, and a
    search of their words."""
    name = unquote(request.url_vars["name"])  # Datasette matches routes on the raw, percent-encoded path
    language = choose_language(request)

    def read(conn):
        return listing.speaker(conn, name), listing.speaker_passages(conn, name, PASSAGES)

    found, passages = await _query(datasette, read) or (None, [])
    if found is None:
        return Response.text("Not found", status=404)
    html = await datasette.render_template(
        "podium_speaker.html",
        {**_common(request, language, speaker_url(name)), "speaker": found, "passages": passages,
         "passages_shown": PASSAGES},
        request=request,
    )
    return remember_language(Response.html(html), request, language)


PASSAGES = 50  # off-script passages on a speaker's page, newest first; search finds the others


async def search_page(datasette, request):
    language = choose_language(request)
    try:
        query, error = parse_query(request.args), None
    except QueryError as e:
        query, error = SearchQuery(q=request.args.get("q") or ""), str(e)
    found = Page([], False, False) if error else await _run_search(datasette, query)
    rows = found.rows
    options = await _query(datasette, lambda conn: (listing.years(conn), listing.speaker_options(conn))) or ([], [])
    for r in rows:
        r["snippet_html"] = Markup(r["snippet"])  # built from escaped text in search.snippet
        r["start_label"] = hms(r["start"])
    html = await datasette.render_template(
        "podium_search.html",
        {
            **_common(request, language, "/search"),
            "q": query.q, "query": query, "rows": rows, "error": error,
            "years": options[0], "speakers": options[1], "year": (request.args.get("year") or "").strip(),
            "ranked_window": found.ranked_window,
            "facets_url": _page_url(request, "/search/facets") if query.terms and not error else None,
            "atom_url": _page_url(request, "/search.atom") if query.terms and not error else None,
            "next_url": _page_url(request, "/search", page=query.page + 1) if found.more else None,
            "prev_url": _page_url(request, "/search", page=query.page - 1) if query.page > 1 else None,
            "csv_url": _page_url(request, "/search.csv", _bom=1) if query.terms else None,
        },
        request=request,
    )
    return remember_language(Response.html(html, status=400 if error else 200), request, language)


async def search_facets(datasette, request):
    """Where a search's hits are: the total, a chart of hits per year (per month when they span less than two
    years; each bar narrows the search to its period), the speakers and meetings with the most hits. A page
    of its own; the search page shows its `#podium-facets` part in place."""
    language = choose_language(request)
    try:
        query = parse_query(request.args)
    except QueryError as e:
        return Response.text(str(e), status=400)
    def read(conn):
        found = facets(conn, query)
        shown = [m for m, _ in found.meetings[:TOP]]
        return found, dict(conn.execute(f"select id, title from meetings where id in ({','.join('?' * len(shown))})",
                                        shown).fetchall())

    found, titles = await _query(datasette, read) or (Facets(), {})

    def period_url(period: str) -> str:
        if len(period) == 4:
            return _page_url(request, "/search", year=period, date_from="", date_to="", page=1)
        first, last = date_range(period)
        return _page_url(request, "/search", year="", date_from=first, date_to=last, page=1)

    html = await datasette.render_template(
        "podium_search_facets.html",
        {
            **_common(request, language, "/search/facets"), "q": query.q, "query": query, "facets": found,
            "chart": bar_chart(found.periods, period_url), "top": TOP, "titles": titles,
            "search_url": _page_url(request, "/search"),
            "speaker_urls": {s: _page_url(request, "/search", speaker=s, page=1) for s, _ in found.speakers[:TOP]},
            "meeting_urls": {m: _page_url(request, "/search", meeting=m, page=1) for m, _ in found.meetings[:TOP]},
        },
        request=request,
    )
    return remember_language(Response.html(html), request, language)


ROUTES = [
    (r"^/$", home_page),
    (r"^/search$", search_page),
    (r"^/search/facets$", search_facets),
    (r"^/speaker/(?P<name>[^/]+)$", speaker_page),
]
