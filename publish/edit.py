"""Editing on the editing server (`podium serve --edit`): the JSON endpoints behind the meeting page's edit
controls, the history of a meeting, and the review page (registered in `plugin.py`).

- POST /-/podium/edit  {"meeting_id", "edits": [{"table", "row_id", "field", "value", "version"}], "reason"}
  -> 200 {"action", "rows": {row_id: row as now}, "paragraphs": [...], "conflicts", "realigned", ...};
  400 {"error"} for an edit that cannot be made (`corrections.EditError`) or a malformed request;
  409 {"error", "row"} when the row changed since its version was read (`corrections.StaleEdit`).
- POST /-/podium/undo  {"meeting_id"} -> the same answer for the undo's action ({"action": null}: nothing to undo).
- GET /-/podium/history/<meeting_id>.json: the meeting's changes, newest action first (what /archive/changes
  holds, read for one meeting; public like that table).
- GET /-/podium/review: the meetings with the most sentences to check, each linked to its first one (public).

Every write answers 403 unless this is the editing server and the request's actor holds the `podium-edit`
permission (a signed-in editor: publish/auth.py). Cross-site requests are refused by Datasette's asgi-csrf
before they get here: the page sends its token in the `x-csrftoken` header. Writes go through the Datasette
database's single write connection (`execute_write_fn`), so two editors' edits are made one after the other,
each in its own transaction (`corrections.apply`), search indexes included: the page, search and exports
show an edit as soon as it is acknowledged.
"""

from __future__ import annotations

import json
import re

from datasette import Response

from podium import corrections
from podium.schema import MEETING_ID

from . import auth
from .i18n import choose_language, remember_language
from .meeting import meeting_url
from .metadata import DB_NAME
from .routes import _language_vars

MAX_EDITS = 20  # edits in one action (a coupled boundary is two)
MAX_REASON = 500  # characters
MAX_TEXT = 5000  # characters of a corrected text
ROW_LABEL = re.compile(r"_p(\d+)_s(\d+)$|_u(\d+)$")


def _json(data, status: int = 200) -> Response:
    return Response.json(data, status=status, headers={"Cache-Control": "no-store"})


def _error(message: str, status: int, **extra) -> Response:
    return _json({"error": message, **extra}, status=status)


def _archive(datasette):
    return datasette.get_database(DB_NAME) if DB_NAME in datasette.databases else None


async def _editor_or_refusal(datasette, request) -> tuple[str | None, Response | None]:
    """(the signed-in editor's name, None), or (None, the 403/405 answer)."""
    if request.method != "POST":
        return None, Response.text("Method not allowed", status=405, headers={"Allow": "POST"})
    if not auth.editing(datasette) or _archive(datasette) is None:
        return None, _error("this server does not edit (only `podium serve --edit` does)", 403)
    if not await datasette.permission_allowed(request.actor, auth.EDIT_PERMISSION, default=False):
        return None, _error("sign in as an editor to make changes", 403)
    name = auth.editor_name(datasette, request)
    if not name:
        return None, _error("sign in as an editor to make changes", 403)
    return name, None


async def _body(request) -> dict:
    """The request's JSON object, or ValueError saying what is wrong with it."""
    raw = await request.post_body()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"the request is not JSON ({e.__class__.__name__})") from e
    if not isinstance(body, dict):
        raise ValueError("the request must be a JSON object")
    meeting_id = body.get("meeting_id")
    if not isinstance(meeting_id, str) or not MEETING_ID.match(meeting_id):
        raise ValueError("meeting_id: a meeting's ID is needed")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValueError("reason: text or nothing")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValueError(f"reason: at most {MAX_REASON} characters")
    body["reason"] = reason or None
    return body


def _edits(body: dict) -> list[corrections.Edit]:
    edits = body.get("edits")
    if not isinstance(edits, list) or not edits:
        raise ValueError("edits: a list of at least one edit")
    if len(edits) > MAX_EDITS:
        raise ValueError(f"edits: at most {MAX_EDITS} in one action")
    out = []
    for k, e in enumerate(edits):
        if not isinstance(e, dict):
            raise ValueError(f"edits[{k}]: an object with table, row_id, field, value and version")
        table, row_id, field, version = e.get("table"), e.get("row_id"), e.get("field"), e.get("version")
        if table not in corrections.EDITABLE:  # never into SQL unchecked
            raise ValueError(f"edits[{k}].table: one of {', '.join(corrections.EDITABLE)}")
        if field not in corrections.EDITABLE[table]:
            raise ValueError(f"edits[{k}].field: one of {', '.join(corrections.EDITABLE[table])} for {table}")
        if not isinstance(row_id, str) or not row_id.startswith(f"{body['meeting_id']}_"):
            raise ValueError(f"edits[{k}].row_id: a row of meeting {body['meeting_id']}")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ValueError(f"edits[{k}].version: the row's version as read (an integer)")
        if isinstance(e.get("value"), str) and len(e["value"]) > MAX_TEXT:
            raise ValueError(f"edits[{k}].value: at most {MAX_TEXT} characters")
        out.append(corrections.Edit(table, row_id, field, e.get("value"), version))
    return out


def _rows(conn, pairs) -> tuple[dict, list[dict]]:
    """The rows (table, id) as they now are, and the paragraphs of the sentences among them."""
    rows, paragraph_ids = {}, []
    for table, row_id in pairs:
        cursor = conn.execute(f"select * from [{table}] where id = ?", [row_id])  # table checked in _edits
        values = cursor.fetchone()
        if values is None:
            continue
        row = dict(zip([d[0] for d in cursor.description], values))
        row["table"] = table
        rows[row_id] = row
        if table == "sentences" and row["paragraph_id"] not in paragraph_ids:
            paragraph_ids.append(row["paragraph_id"])
    paragraphs = [dict(zip(("id", "seq", "start", "end", "status"), r)) for r in (
        conn.execute("select id, seq, start, [end], status from paragraphs where id = ?", [p]).fetchone()
        for p in paragraph_ids) if r is not None]
    return rows, paragraphs


def _realign(db_path: str, meeting_id: str) -> dict:
    """Align the meeting again after its text changed, every correction kept; what the page is told."""
    try:
        conflicts = corrections.realign(db_path, meeting_id)
    except corrections.RealignError as e:  # e.g. no cached transcript: the corrected text stands, the times stay
        return {"realigned": False, "realign_error": str(e), "conflicts": []}
    return {"realigned": True, "conflicts": list(conflicts)}


def _text_changed(conn, action: int) -> bool:
    return conn.execute("select 1 from changes where action = ? and table_name = 'sentences' and field = 'text' "
                        "limit 1", [action]).fetchone() is not None


def _answer(conn, db_path: str, meeting_id: str, action: int | None) -> dict:
    """After an action: the rows it changed as they now are (after a re-alignment if it changed a text)."""
    if action is None:
        return {"action": None, "rows": {}, "paragraphs": [], "conflicts": [], "realigned": False}
    extra = {"conflicts": [], "realigned": False}
    if _text_changed(conn, action):
        extra = _realign(db_path, meeting_id)
    pairs = conn.execute("select distinct table_name, row_id from changes where action = ? order by id",
                         [action]).fetchall()
    rows, paragraphs = _rows(conn, [(t, r) for t, r in pairs if t in corrections.EDITABLE])
    return {"action": action, "rows": rows, "paragraphs": paragraphs, **extra}


async def _write(datasette, fn) -> Response:
    """Run `fn(conn)` on the archive's write connection; the answer for what it returns or raises."""
    db = _archive(datasette)
    try:
        return _json(await db.execute_write_fn(lambda conn: fn(conn, db.path), block=True))
    except corrections.StaleEdit as e:
        return _error(str(e), 409, row=e.row)
    except corrections.EditError as e:
        return _error(str(e), 400)


async def edit(datasette, request):
    editor, refusal = await _editor_or_refusal(datasette, request)
    if refusal:
        return refusal
    try:
        body = await _body(request)
        edits = _edits(body)
    except ValueError as e:
        return _error(str(e), 400)
    meeting_id = body["meeting_id"]

    def make(conn, db_path):
        # each row must be this meeting's: the ID's prefix is not enough (meeting "a_b"'s rows start with "a_")
        action = corrections.apply(conn, edits, editor=editor, reason=body["reason"], meeting_id=meeting_id)
        return _answer(conn, db_path, meeting_id, action)

    return await _write(datasette, make)


async def undo(datasette, request):
    editor, refusal = await _editor_or_refusal(datasette, request)
    if refusal:
        return refusal
    try:
        body = await _body(request)
    except ValueError as e:
        return _error(str(e), 400)
    meeting_id = body["meeting_id"]

    def make(conn, db_path):
        action = corrections.undo(conn, meeting_id, editor=editor, reason=body["reason"])
        return _answer(conn, db_path, meeting_id, action)

    return await _write(datasette, make)


def row_label(row_id: str) -> str:
    """A row as the page names it: a sentence "P-S" (paragraph-sentence), an off-script passage "uN"."""
    match = ROW_LABEL.search(row_id or "")
    if not match:
        return row_id
    if match.group(3) is not None:
        return f"u{int(match.group(3))}"
    return f"{int(match.group(1))}-{int(match.group(2))}"


def _decoded(value):
    try:
        return json.loads(value) if value is not None else None
    except ValueError:
        return value


async def history(datasette, request):
    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    if db is None or not MEETING_ID.match(meeting_id):
        return _error("no such meeting", 404)
    if (await db.execute("select 1 from meetings where id = ?", [meeting_id])).first() is None:
        return _error("no such meeting", 404)
    changes = await db.execute_fn(lambda conn: corrections.history(conn, meeting_id))
    for c in changes:
        c.update(old=_decoded(c["old"]), new=_decoded(c["new"]), row=row_label(c["row_id"]))
    return _json({"meeting_id": meeting_id, "changes": changes})


def _review_rows(conn) -> list[dict]:
    conn.create_function("podium_still_to_check", 3, corrections.still_to_check, deterministic=True)
    sql = """
        with checks as (
          select meeting_id, paragraph_seq, seq, start from sentences
          where podium_still_to_check(status, confidence, corrected)
        ), counted as (
          select meeting_id, count(*) as n, min(paragraph_seq * 100000 + seq) as first from checks group by meeting_id
        )
        select m.id, m.title, m.date, m.duration, counted.n,
               (select count(*) from sentences s where s.meeting_id = m.id) as sentences,
               counted.first / 100000 as paragraph_seq, counted.first % 100000 as seq
        from counted join meetings m on m.id = counted.meeting_id
        order by counted.n desc, m.date desc, m.id
    """
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor]


async def review(datasette, request):
    """The meetings with the most sentences to check (estimated, partial or unsure, not yet checked by hand)."""
    language = choose_language(request)
    db = _archive(datasette)
    meetings = [] if db is None else await db.execute_fn(_review_rows)
    for m in meetings:
        m["url"] = meeting_url(m["id"], paragraph_seq=m["paragraph_seq"], sentence_seq=m["seq"])
    html = await datasette.render_template(
        "podium_review.html",
        {"meetings": meetings, **_language_vars(request, language, "/-/podium/review")},
        request=request,
    )
    return remember_language(Response.html(html), request, language)
