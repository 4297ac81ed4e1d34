"""Datasette plugin: Podium's hooks. Its pages and routes are in `routes.py`; its static files
and templates are found by Datasette beside the package (served at /-/static-plugins/podium/).

- a play control in the `start` cells of paragraphs, sentences and unscripted;
- `?_bom=1` on any CSV URL adds a UTF-8 BOM for Excel;
- the headers a public site needs, on every response.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup

from podium.schema import char_phrase

from . import api, auth, browse, clips, download, edit, feeds, routes
from .i18n import choose_language, labels
from .meeting import hms, meeting_url
from .metadata import DB_NAME

TIMED_TABLES = ("paragraphs", "sentences", "unscripted")
STATIC = "/-/static-plugins/podium"
BOM = "\ufeff".encode()

# Each module lists its own routes. Datasette tries them in order: the specific forms of a meeting's URL
# (/meeting/<id>.vtt, /meeting/<id>/embed) come before the meeting page's /meeting/<id>.
EDITING_ROUTES = [
    (r"^/-/podium/sign-in$", auth.sign_in),
    (r"^/-/podium/sign-out$", auth.sign_out),
    (r"^/-/podium/edit$", edit.edit),
    (r"^/-/podium/undo$", edit.undo),
    (r"^/-/podium/history/(?P<id>[^/]+)\.json$", edit.history),
    (r"^/-/podium/review$", edit.review),
]


@hookimpl
def register_routes():
    return [*api.ROUTES, *feeds.ROUTES, *clips.ROUTES, *download.ROUTES, *browse.ROUTES, *routes.ROUTES,
            *EDITING_ROUTES]


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
        'title="Play">▶</button> <a href="{url}">{label}</a>'
    ).format(m=meeting_id, s=value, e="" if end is None else end, url=meeting_url(meeting_id, value), label=hms(value))


@hookimpl(trylast=True)  # after Datasette's own sql_functions plugin, so that this definition wins
def prepare_connection(conn, database):
    """Table pages search (`?_search=`) the character index of the archive's tables (metadata `fts_table`),
    so Datasette's `escape_fts(:search)` must turn what the reader typed into that index's phrases:
    terms of any length, 1- and 2-character Chinese words included, in either script."""
    if database == DB_NAME:
        conn.create_function("escape_fts", 1, char_query, deterministic=True)


def char_query(query: str) -> str:
    phrases = [char_phrase(term) for term in query.split()]
    return " ".join(p for p in phrases if p) or '""'


@hookimpl
def extra_template_vars(datasette, request):
    """`podium_t`: Podium's labels in the reader's language, for the templates that replace Datasette's
    crumbs, footer and licence line; on the editing server, the header's sign-in or sign-out (auth.py)."""
    return {"podium_t": labels(choose_language(request)) if request is not None else labels("zh"),
            **auth.template_vars(datasette, request)}


@hookimpl
def permission_allowed(datasette, actor, action):
    """`podium-edit`: only a signed-in editor on the editing server (`podium serve --edit`); False on every
    other server, whoever asks. Other actions: no opinion (Datasette 0.65 has no write API to turn off)."""
    return auth.permission(datasette, actor, action)


@hookimpl
def extra_js_urls():
    return [f"{STATIC}/podium.js"]


@hookimpl
def extra_css_urls():
    return [f"{STATIC}/podium.css"]


@hookimpl
def menu_links(datasette):
    return [{"href": "/search", "label": "Search · 搜索"}]


# scripts only from this site (Datasette's pages use inline scripts); no plugins
CSP = (b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       b"img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'self'; ")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),  # no framing by other sites: clickjacking, on the editing server too
    (b"content-security-policy", CSP + b"frame-ancestors 'self'"),
]
# The embedded player of a quote (clips.py) is the one page any site may frame: no X-Frame-Options (it knows
# only SAMEORIGIN and DENY), and frame-ancestors * in its place. It has no form and no control that changes
# anything, so there is nothing to click-jack.
EMBED_HEADERS = [(k, v) for k, v in SECURITY_HEADERS if k not in (b"x-frame-options", b"content-security-policy")] + [
    (b"content-security-policy", CSP + b"frame-ancestors *")]


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    return EMBED_HEADERS if clips.EMBED_PATH.match(path) else SECURITY_HEADERS


SEARCHED_TABLE = re.compile(rf"^/{DB_NAME}/(paragraphs|sentences|unscripted)(\.json)?$")


def _light_search(scope: dict) -> dict:
    query = scope.get("query_string", b"")
    if b"_search=" not in query or not SEARCHED_TABLE.match(scope.get("path", "")):
        return scope
    args = dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    extra = {k: "1" for k in ("_nocount", "_nofacet") if k not in args and not (k == "_nofacet" and "_facet" in args)}
    return {**scope, "query_string": query + (b"&" + urlencode(extra).encode() if extra else b"")}


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def podium_app(scope, receive, send):
            """Headers a public deployment needs on every response; `?_bom=1` on a .csv URL prepends a
            UTF-8 BOM so that Excel reads the text as UTF-8; a table page's search skips Datasette's
            count and facets of the matches (seconds over a million sentences; /search counts fast)."""
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            scope = _light_search(scope)
            added = security_headers(scope.get("path", ""))
            bom = scope.get("path", "").endswith(".csv") and b"_bom=1" in scope.get("query_string", b"")
            first = True

            async def wrapped_send(message):
                nonlocal first
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", [])
                               if not (bom and k.lower() == b"content-length")]
                    present = {k.lower() for k, _ in headers}
                    headers += [(k, v) for k, v in added if k not in present]
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and bom and first:
                    first = False
                    message = {**message, "body": BOM + message.get("body", b"")}
                await send(message)

            await app(scope, receive, wrapped_send)

        return podium_app

    return wrap
