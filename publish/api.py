"""The JSON API (/api/...), its OpenAPI 3.1 description (/api/openapi.json), its human page (/api), and each
meeting's captions as WebVTT (/meeting/<id>.vtt).

The JSON is what the pages show, read through the same queries (`listing.py` for meetings and speakers,
`search.py` behind /search.json); any site may call it (CORS). A bad parameter answers 400 and an unknown
meeting or speaker 404, both as {"error": "..."}. An off-script passage an editor struck is never served.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote, unquote, urlencode

from datasette import Response

from podium.schema import LANGUAGES, MEETING_ID, STATUSES, hms

from . import listing
from .i18n import choose_language, labels, remember_language
from .meeting import meeting_url
from .routes import _archive, _language_vars, _page_url
from .search import KINDS, MAX_PAGE, MAX_SIZE

CORS = {"Access-Control-Allow-Origin": "*"}
NOT_STRUCK = "coalesce(struck, 0) = 0"  # a passage an editor struck as misheard is never public

# What the API gives of each table: the public columns (not the official text, kept whole in paragraphs;
# not the local file names, the decoding settings or the editing server's row versions).
MEETING_COLUMNS = ("id", "title", "date", "speaker", "language", "duration", "matched_share", "voiced_coverage",
                   "engine", "model", "ingested_at", "audio_sha256", "text_sha256")
SPEECH_COLUMNS = ("id", "seq", "title", "speaker", "start", "end", "start_hms", "end_hms", "matched_share",
                  *STATUSES)
TIMES = ("start", "end", "start_hms", "end_hms")
PARAGRAPH_COLUMNS = ("id", "seq", "text", *TIMES, "status", "confidence", "speech_id")
SENTENCE_COLUMNS = ("id", "paragraph_seq", "seq", "text", *TIMES, "status", "confidence", "speech_id", "corrected")
UNSCRIPTED_COLUMNS = ("id", "text", *TIMES, "speech_id", "corrected")


def _json(body, status: int = 200) -> Response:
    return Response.json(body, status=status, headers=CORS)


def _error(message: str, status: int) -> Response:
    return _json({"error": message}, status)


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _select(columns, table: str) -> str:
    return f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]"


def speaker_url(name: str) -> str:
    return "/speaker/" + quote(name, safe="")


def speaker_api_url(name: str) -> str:
    return "/api/speakers/" + quote(name, safe="")


# --- reading the archive ---------------------------------------------------------------------------

def meeting_detail(conn: sqlite3.Connection, meeting_id: str) -> dict | None:
    """A meeting with its speeches, paragraphs (each with its sentences) and off-script passages in time
    order; None for no such meeting."""
    found = _dicts(conn.execute(f"{_select(MEETING_COLUMNS, 'meetings')} where id = ?", [meeting_id]))
    if not found:
        return None
    meeting = found[0]
    speeches = _dicts(conn.execute(f"{_select(SPEECH_COLUMNS, 'speeches')} where meeting_id = ? order by seq",
                                   [meeting_id]))
    paragraphs = _dicts(conn.execute(f"{_select(PARAGRAPH_COLUMNS, 'paragraphs')} where meeting_id = ? order by seq",
                                     [meeting_id]))
    sentences = _dicts(conn.execute(f"{_select(SENTENCE_COLUMNS, 'sentences')} where meeting_id = ? "
                                    f"order by paragraph_seq, seq", [meeting_id]))
    unscripted = _dicts(conn.execute(f"{_select(UNSCRIPTED_COLUMNS, 'unscripted')} where meeting_id = ? "
                                     f"and {NOT_STRUCK} order by start, id", [meeting_id]))
    by_paragraph: dict[int, list[dict]] = {}
    for s in sentences:
        s["url"] = meeting_url(meeting_id, s["start"], s["paragraph_seq"], s["seq"])
        by_paragraph.setdefault(s.pop("paragraph_seq"), []).append(s)
    for p in paragraphs:
        p["sentences"] = by_paragraph.get(p["seq"], [])
    for u in unscripted:
        u["url"] = meeting_url(meeting_id, u["start"])
    return {**meeting, "url": meeting_url(meeting_id), "audio_url": f"/media/{meeting_id}",
            "captions_url": f"/meeting/{meeting_id}.vtt", "speeches": speeches, "paragraphs": paragraphs,
            "unscripted": unscripted}


def examples(conn: sqlite3.Connection) -> dict:
    """Arguments for the example links of /api and the OpenAPI description, taken from the archive so that
    each answers with data: the newest meeting, its year, the speaker of most speeches, and a word said in
    the newest meeting. Empty where the archive has no meeting."""
    newest = conn.execute("select id, date from meetings order by date desc, id limit 1").fetchone()
    if newest is None:
        return {}
    found = {"meeting": newest[0], "year": int(newest[1][:4]) if (newest[1] or "")[:4].isdigit() else None,
             "q": "会议"}
    speaker = conn.execute("select speaker from speeches where coalesce(speaker, '') != '' group by speaker "
                           "order by count(*) desc, speaker limit 1").fetchone()
    found["speaker"] = speaker[0] if speaker else None
    said = conn.execute("select text from sentences where meeting_id = ? and start is not null "
                        "order by start limit 1", [newest[0]]).fetchone()
    # two Chinese characters (a word, most often) or a Latin word of three letters or more
    word = re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3,}", said[0] if said else "")
    if word:
        found["q"] = word.group()
    return found


# --- WebVTT --------------------------------------------------------------------------------------

def _vtt_text(text: str) -> str:
    """A cue's text on one line, with the characters WebVTT reserves escaped (so no cue holds '-->')."""
    text = " ".join((text or "").split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def captions(conn: sqlite3.Connection, meeting_id: str) -> str | None:
    """The meeting's captions as WebVTT: a cue per timed sentence and per off-script passage (marked), each
    with its speaker as the voice, in time order; None for no such meeting."""
    meeting = conn.execute("select language from meetings where id = ?", [meeting_id]).fetchone()
    if meeting is None:
        return None
    mark = labels(meeting[0] if meeting[0] in LANGUAGES else "zh")["captions_unscripted"]
    rows = conn.execute(
        "select s.id, s.start, s.[end], s.text, sp.speaker, 0 from sentences s "
        "left join speeches sp on sp.id = s.speech_id where s.meeting_id = :m and s.start is not null "
        "union all "
        "select u.id, u.start, u.[end], u.text, sp.speaker, 1 from unscripted u "
        "left join speeches sp on sp.id = u.speech_id where u.meeting_id = :m and coalesce(u.struck, 0) = 0 "
        "order by 2, 3, 1", {"m": meeting_id}).fetchall()
    cues = ["WEBVTT", ""]
    for row_id, start, end, text, speaker, off_script in rows:
        if end is None or end <= start:  # a cue must end after it starts
            continue
        voice = f"<v {_vtt_text(speaker)}>" if speaker else ""
        cues += [row_id, f"{hms(start)} --> {hms(end)}",
                 voice + (mark if off_script else "") + _vtt_text(text), ""]
    return "\n".join(cues)


async def captions_vtt(datasette, request):
    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    vtt = None if db is None or not MEETING_ID.match(meeting_id) else await db.execute_fn(
        lambda conn: captions(conn, meeting_id))
    if vtt is None:
        return Response.text("Not found", status=404)
    return Response(vtt, content_type="text/vtt; charset=utf-8", headers=CORS)


# --- the JSON endpoints ---------------------------------------------------------------------------

async def meetings_json(datasette, request):
    try:
        f = listing.parse_filter(request.args)
    except listing.FilterError as e:
        return _error(str(e), 400)
    db = _archive(datasette)
    rows, total = ([], 0) if db is None else await db.execute_fn(lambda conn: listing.meetings(conn, f))
    for r in rows:
        r["url"], r["api_url"] = meeting_url(r["id"]), f"/api/meetings/{r['id']}"
    return _json({
        "rows": rows, "total": total, "page": f.page, "size": f.size,
        "next": _page_url(request, "/api/meetings", page=f.page + 1) if f.page * f.size < total else None,
        "prev": _page_url(request, "/api/meetings", page=f.page - 1) if f.page > 1 else None,
    })


async def meeting_json(datasette, request):
    meeting_id = request.url_vars["id"]
    db = _archive(datasette)
    meeting = None if db is None or not MEETING_ID.match(meeting_id) else await db.execute_fn(
        lambda conn: meeting_detail(conn, meeting_id))
    if meeting is None:
        return _error(f"no meeting {meeting_id}", 404)
    return _json(meeting)


async def speakers_json(datasette, request):
    db = _archive(datasette)
    rows = [] if db is None else await db.execute_fn(listing.speakers)
    for r in rows:
        r["url"], r["api_url"] = speaker_url(r["name"]), speaker_api_url(r["name"])
    return _json({"rows": rows, "total": len(rows)})


async def speaker_json(datasette, request):
    name = unquote(request.url_vars["name"])  # Datasette routes the raw, percent-encoded path
    db = _archive(datasette)
    found = None if db is None else await db.execute_fn(lambda conn: listing.speaker(conn, name))
    if found is None:
        return _error(f"no speaker {name}", 404)
    for s in found["speeches"]:
        s["url"] = meeting_url(s["meeting_id"], s["start"])
    return _json({**found, "url": speaker_url(name), "api_url": speaker_api_url(name)})


async def openapi_json(datasette, request):
    db = _archive(datasette)
    found = {} if db is None else await db.execute_fn(examples)
    return _json(openapi(datasette.absolute_url(request, "/").rstrip("/"), found))


# --- the human page ---------------------------------------------------------------------------------

def endpoints(found: dict) -> list[dict]:
    """The endpoints the /api page lists, each with its path, the label that says what it gives, and
    example links (those that need a meeting or a speaker only where the archive has one)."""
    meeting, speaker, q, year = (found.get(k) for k in ("meeting", "speaker", "q", "year"))
    search = urlencode({"q": q or "会议"})

    def link(path: str, **args) -> str:
        args = {k: v for k, v in args.items() if v}
        return path + ("?" + urlencode(args) if args else "")

    return [
        {"path": "/api/meetings", "what": "api_meetings",
         "examples": [link("/api/meetings"), link("/api/meetings", year=year, size=10),
                      *([link("/api/meetings", speaker=speaker)] if speaker else [])]},
        {"path": "/api/meetings/{id}", "what": "api_meeting",
         "examples": [f"/api/meetings/{meeting}"] if meeting else []},
        {"path": "/api/speakers", "what": "api_speakers", "examples": ["/api/speakers"]},
        {"path": "/api/speakers/{name}", "what": "api_speaker",
         "examples": [speaker_api_url(speaker)] if speaker else []},
        {"path": "/search.json", "what": "api_search",
         "examples": [f"/search.json?{search}", f"/search.json?{search}&kind=unscripted&size=5"]},
        {"path": "/search.csv", "what": "api_search_csv", "examples": [f"/search.csv?{search}"]},
        {"path": "/meeting/{id}.vtt", "what": "api_captions",
         "examples": [f"/meeting/{meeting}.vtt"] if meeting else []},
        {"path": "/feed.atom", "what": "api_feed", "examples": ["/feed.atom"]},
        {"path": "/search.atom", "what": "api_search_feed", "examples": [f"/search.atom?{search}"]},
        {"path": "/api/openapi.json", "what": "api_openapi", "examples": ["/api/openapi.json"]},
    ]


async def api_page(datasette, request):
    language = choose_language(request)
    db = _archive(datasette)
    found = {} if db is None else await db.execute_fn(examples)
    html = await datasette.render_template(
        "podium_api.html",
        {"endpoints": endpoints(found), "unquote": unquote, **_language_vars(request, language, "/api")},
        request=request,
    )
    return remember_language(Response.html(html), request, language)


# --- the OpenAPI description ------------------------------------------------------------------------

def _nullable(kind: str, description: str, **more) -> dict:
    return {"type": [kind, "null"], "description": description, **more}


def _typed(kind: str, description: str, **more) -> dict:
    return {"type": kind, "description": description, **more}


def _object(description: str, properties: dict) -> dict:
    """A JSON object that has exactly these properties, every one of them (null where the schema allows)."""
    return {"type": "object", "description": description, "properties": properties,
            "required": list(properties), "additionalProperties": False}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(item: dict, description: str) -> dict:
    return {"type": "array", "items": item, "description": description}


def _times(what: str) -> dict:
    return {
        "start": _nullable("number", f"Start of the {what} in the recording, in seconds (null: not spoken)"),
        "end": _nullable("number", f"End of the {what} in the recording, in seconds (null: not spoken)"),
        "start_hms": _nullable("string", "The start as hh:mm:ss.mmm"),
        "end_hms": _nullable("string", "The end as hh:mm:ss.mmm"),
    }


_STATUS = {"type": "string", "enum": list(STATUSES),
           "description": "spoken, partial (partly spoken), estimated (probably said; times estimated) or not_spoken"}
_CONFIDENCE = _nullable("number", "How sure the alignment is of the status and times, 0-1 (below 0.5: to check)")
_CORRECTED = _nullable("string", "The fields an editor corrected, comma-separated (e.g. start,end); null if none")
_SHARE = _nullable("number", "Share of the official text found in the recording, 0-1")

SCHEMAS = {
    "Error": _object("What was wrong", {"error": _typed("string", "The parameter at fault and what it accepts, "
                                                                  "or the meeting or speaker not found")}),
    "MeetingSummary": _object("A meeting as the home page lists it", {
        "id": _typed("string", "Meeting ID"),
        "title": _nullable("string", "Title"),
        "date": _nullable("string", "Date of the meeting, YYYY-MM-DD"),
        "speaker": _nullable("string", "Its speakers, in speech order, separated by 、"),
        "speakers": _array({"type": "string"}, "Its speeches' named speakers, in speech order, each once"),
        "duration": _nullable("number", "Length of the recording in seconds"),
        "matched_share": _SHARE,
        "unscripted": _typed("integer", "Passages said off-script"),
        "url": _typed("string", "The meeting page"),
        "api_url": _typed("string", "The meeting in this API"),
    }),
    "MeetingList": _object("One page of meetings, newest first", {
        "rows": _array(_ref("MeetingSummary"), "The meetings of this page"),
        "total": _typed("integer", "Meetings matching the filters, on all pages"),
        "page": _typed("integer", "This page's number, from 1"),
        "size": _typed("integer", "Meetings a page"),
        "next": _nullable("string", "The next page (null: this is the last)"),
        "prev": _nullable("string", "The previous page (null: this is the first)"),
    }),
    "Speech": _object("A speech of the meeting", {
        "id": _typed("string", "Speech ID: <meeting>_s<seq>"),
        "seq": _typed("integer", "Its order in the recording, from 0"),
        "title": _nullable("string", "Its title (its text's first line)"),
        "speaker": _nullable("string", "Its speaker"),
        **_times("speech"),
        "matched_share": _SHARE,
        **{s: _typed("integer", f"Sentences {s.replace('_', ' ')}") for s in STATUSES},
    }),
    "Sentence": _object("A sentence of the official text", {
        "id": _typed("string", "Sentence ID: <meeting>_p<paragraph>_s<seq>"),
        "seq": _typed("integer", "Its number in its paragraph, from 0"),
        "text": _typed("string", "The sentence as published"),
        **_times("sentence"),
        "status": _STATUS,
        "confidence": _CONFIDENCE,
        "speech_id": _nullable("string", "The speech it belongs to"),
        "corrected": _CORRECTED,
        "url": _typed("string", "The sentence on the meeting page"),
    }),
    "Paragraph": _object("A paragraph of the official text (paragraph 0 is the title line)", {
        "id": _typed("string", "Paragraph ID: <meeting>_p<seq>"),
        "seq": _typed("integer", "Its number, from 0"),
        "text": _typed("string", "The paragraph as published"),
        **_times("paragraph"),
        "status": _STATUS,
        "confidence": _CONFIDENCE,
        "speech_id": _nullable("string", "The speech it belongs to"),
        "sentences": _array(_ref("Sentence"), "Its sentences, in text order"),
    }),
    "Unscripted": _object("A passage said off-script (struck passages are never served)", {
        "id": _typed("string", "Passage ID: <meeting>_u<seq>"),
        "text": _typed("string", "The automatic transcript of the passage"),
        **_times("passage"),
        "speech_id": _nullable("string", "The speech it was said in; null outside every speech"),
        "corrected": _CORRECTED,
        "url": _typed("string", "Its moment on the meeting page"),
    }),
    "Meeting": _object("A meeting with everything said in it", {
        "id": _typed("string", "Meeting ID"),
        "title": _nullable("string", "Title"),
        "date": _nullable("string", "Date of the meeting, YYYY-MM-DD"),
        "speaker": _nullable("string", "Its speakers, in speech order, separated by 、"),
        "language": _nullable("string", "Language of the text and recording", enum=[*LANGUAGES, None]),
        "duration": _nullable("number", "Length of the recording in seconds"),
        "matched_share": _SHARE,
        "voiced_coverage": _nullable("number", "Share of the recording's voiced time the transcript covers, 0-1"),
        "engine": _nullable("string", "Speech recognition engine"),
        "model": _nullable("string", "Whisper model"),
        "ingested_at": _nullable("string", "When it was ingested (UTC, ISO 8601)"),
        "audio_sha256": _nullable("string", "SHA-256 of the original recording"),
        "text_sha256": _nullable("string", "SHA-256 of the official text(s)"),
        "url": _typed("string", "The meeting page"),
        "audio_url": _typed("string", "The recording (MP3)"),
        "captions_url": _typed("string", "Its captions (WebVTT)"),
        "speeches": _array(_ref("Speech"), "Its speeches, in the order spoken"),
        "paragraphs": _array(_ref("Paragraph"), "The official text, paragraph by paragraph"),
        "unscripted": _array(_ref("Unscripted"), "What was said off-script, in time order"),
    }),
    "SpeakerSummary": _object("A speaker", {
        "name": _typed("string", "The speaker's name"),
        "speeches": _typed("integer", "Speeches given"),
        "meetings": _typed("integer", "Meetings spoken at"),
        "first": _nullable("string", "Date of the first, YYYY-MM-DD"),
        "last": _nullable("string", "Date of the last, YYYY-MM-DD"),
        "url": _typed("string", "The speaker's page"),
        "api_url": _typed("string", "The speaker in this API"),
    }),
    "SpeakerList": _object("Every speaker, most speeches first", {
        "rows": _array(_ref("SpeakerSummary"), "The speakers"),
        "total": _typed("integer", "How many"),
    }),
    "SpeakerSpeech": _object("A speech of the speaker", {
        "id": _typed("string", "Speech ID"),
        "meeting_id": _typed("string", "Its meeting"),
        "meeting_title": _nullable("string", "Its meeting's title"),
        "date": _nullable("string", "Its meeting's date, YYYY-MM-DD"),
        "title": _nullable("string", "The speech's title"),
        "start": _nullable("number", "Start in the recording, in seconds"),
        "end": _nullable("number", "End in the recording, in seconds"),
        "duration": _nullable("number", "Seconds from start to end"),
        "matched_share": _SHARE,
        "unscripted": _typed("integer", "Passages said off-script during it"),
        "unscripted_seconds": _typed("number", "Their seconds"),
        "unscripted_share": _nullable("number", "Their share of the speech's time, 0-1"),
        "url": _typed("string", "The speech's moment on the meeting page"),
    }),
    "Speaker": _object("A speaker with every speech, newest first", {
        "name": _typed("string", "The speaker's name"),
        "speeches": _array(_ref("SpeakerSpeech"), "Every speech, newest meeting first"),
        "meetings": _typed("integer", "Meetings spoken at"),
        "first": _nullable("string", "Date of the first, YYYY-MM-DD"),
        "last": _nullable("string", "Date of the last, YYYY-MM-DD"),
        "seconds": _typed("number", "Speaking time in all, seconds"),
        "unscripted": _typed("integer", "Passages said off-script in all"),
        "unscripted_seconds": _typed("number", "Their seconds"),
        "unscripted_share": _nullable("number", "Their share of the speaking time, 0-1"),
        "url": _typed("string", "The speaker's page"),
        "api_url": _typed("string", "The speaker in this API"),
    }),
    "SearchHit": _object("A sentence of the official text, or a passage said off-script, that matches", {
        "kind": {"type": "string", "enum": list(KINDS), "description": "official (a sentence) or unscripted"},
        "meeting_id": _typed("string", "Its meeting"),
        "paragraph_seq": _nullable("integer", "Its paragraph (official only)"),
        "sentence_seq": _nullable("integer", "Its sentence in the paragraph (official only)"),
        "status": _nullable("string", "The sentence's status (official only)", enum=[*STATUSES, None]),
        **_times("hit"),
        "text": _typed("string", "The text"),
        "meeting_title": _nullable("string", "Its meeting's title"),
        "meeting_date": _nullable("string", "Its meeting's date, YYYY-MM-DD"),
        "speaker": _nullable("string", "The speaker of its speech"),
        "speech_title": _nullable("string", "Its speech's title"),
        "snippet": _typed("string", "HTML: the text around the first match, escaped, matches in <mark>"),
        "url": _typed("string", "Its moment on the meeting page"),
    }),
    "SearchResults": _object("One page of hits, best first (bm25)", {
        "rows": _array(_ref("SearchHit"), "The hits of this page"),
        "next": _nullable("string", "The next page (null: this is the last)"),
        "page": _typed("integer", "This page's number, from 1"),
        "size": _typed("integer", "Hits a page"),
    }),
}


def _param(name: str, where: str, description: str, schema: dict, example=None, required: bool = False) -> dict:
    param = {"name": name, "in": where, "description": description, "required": required or where == "path",
             "schema": schema}
    if example is not None:
        param["example"] = example
    return param


def _json_answer(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict:
    what = {400: "A parameter out of range or malformed", 404: "No such meeting or speaker"}
    return {str(c): _json_answer(what[c], "Error") for c in codes}


def _search_params(found: dict, paged: bool = True) -> list[dict]:
    params = [
        _param("q", "query", "Words that must all match (separated by spaces), in either Chinese script, "
                             "any length; quotes and operators are searched as plain text",
               {"type": "string"}, found.get("q", "会议")),
        _param("meeting", "query", "Only this meeting (an ID)", {"type": "string", "pattern": MEETING_ID.pattern}),
        _param("date_from", "query", "Only meetings on or after this date", {"type": "string", "format": "date"}),
        _param("date_to", "query", "Only meetings on or before this date", {"type": "string", "format": "date"}),
        _param("year", "query", "Only meetings of this year (sets date_from and date_to where they are not given)",
               {"type": "string", "pattern": "^[0-9]{4}$"}),
        _param("speaker", "query", "Only what this speaker said in their speeches", {"type": "string"}),
        _param("kind", "query", "Only official sentences or only off-script passages",
               {"type": "string", "enum": list(KINDS)}),
    ]
    if paged:
        params += [_param("page", "query", "Page number", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                           "default": 1}),
                   _param("size", "query", "Hits a page", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                                           "default": 20})]
    return params


def openapi(base: str, found: dict) -> dict:
    """The OpenAPI 3.1 description of every endpoint, with examples from this archive (`examples`)."""
    meeting_id = _param("id", "path", "Meeting ID", {"type": "string", "pattern": MEETING_ID.pattern},
                        found.get("meeting"))
    atom = {"application/atom+xml": {"schema": {"type": "string"}}}
    search_feed_params = [p for p in _search_params(found, paged=False)]
    search_feed_params[0] = {**search_feed_params[0], "required": True}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Podium",
            "version": "1",
            "description": "Spoken meetings aligned sentence by sentence to their official text: meetings, "
                           "speakers, search, captions and feeds. Every JSON answer allows any origin (CORS). "
                           "A bad parameter answers 400, an unknown meeting or speaker 404, both with "
                           '{"error": "..."}. The human page is /api.',
        },
        "servers": [{"url": base}],
        "paths": {
            "/api/meetings": {"get": {
                "summary": "Meetings, newest first, a page at a time",
                "operationId": "listMeetings",
                "parameters": [
                    _param("year", "query", "Only meetings of this year", {"type": "integer", "minimum": 1000,
                                                                          "maximum": 9999}, found.get("year")),
                    _param("speaker", "query", "Only meetings where this speaker gave a speech", {"type": "string"},
                           found.get("speaker")),
                    _param("q", "query", "Words (separated by spaces) that must all be in the title",
                           {"type": "string"}),
                    _param("page", "query", "Page number", {"type": "integer", "minimum": 1, "maximum": 1_000_000,
                                                            "default": 1}),
                    _param("size", "query", "Meetings a page", {"type": "integer", "minimum": 1,
                                                                "maximum": listing.MAX_SIZE,
                                                                "default": listing.PAGE_SIZE}),
                ],
                "responses": {"200": _json_answer("A page of meetings", "MeetingList"), **_errors(400)},
            }},
            "/api/meetings/{id}": {"get": {
                "summary": "A meeting with its speeches, paragraphs, sentences and off-script passages",
                "operationId": "getMeeting",
                "parameters": [meeting_id],
                "responses": {"200": _json_answer("The meeting", "Meeting"), **_errors(404)},
            }},
            "/api/speakers": {"get": {
                "summary": "Every speaker",
                "operationId": "listSpeakers",
                "responses": {"200": _json_answer("The speakers", "SpeakerList")},
            }},
            "/api/speakers/{name}": {"get": {
                "summary": "A speaker's speeches with their off-script share",
                "operationId": "getSpeaker",
                "parameters": [_param("name", "path", "The speaker's name (percent-encoded)", {"type": "string"},
                                      found.get("speaker"))],
                "responses": {"200": _json_answer("The speaker", "Speaker"), **_errors(404)},
            }},
            "/search.json": {"get": {
                "summary": "Search official sentences and off-script passages",
                "operationId": "search",
                "parameters": _search_params(found),
                "responses": {"200": _json_answer("A page of hits (none without q)", "SearchResults"),
                              **_errors(400)},
            }},
            "/search.csv": {"get": {
                "summary": "Every hit of a search as CSV, meeting by meeting in text order",
                "operationId": "searchCsv",
                "parameters": [*_search_params(found, paged=False),
                               _param("_bom", "query", "1: begin with a UTF-8 BOM, for Excel",
                                      {"type": "string", "enum": ["1"]})],
                "responses": {"200": {"description": "CSV with a header row",
                                      "content": {"text/csv": {"schema": {"type": "string"}}}}, **_errors(400)},
            }},
            "/meeting/{id}.vtt": {"get": {
                "summary": "A meeting's captions: a cue per timed sentence and off-script passage, in time order",
                "operationId": "getCaptions",
                "parameters": [meeting_id],
                "responses": {"200": {"description": "WebVTT; each cue's ID is its row's ID, its voice the speaker",
                                      "content": {"text/vtt": {"schema": {"type": "string"}}}},
                              "404": {"description": "No such meeting"}},
            }},
            "/media/{id}": {"get": {
                "summary": "A meeting's recording (MP3), with HTTP Range",
                "operationId": "getAudio",
                "parameters": [meeting_id],
                "responses": {"200": {"description": "The whole recording",
                                      "content": {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}}}},
                              "206": {"description": "The range asked for"},
                              "404": {"description": "No such meeting, or no recording"}},
            }},
            "/feed.atom": {"get": {
                "summary": "New meetings, as an Atom feed (the newest 50)",
                "operationId": "meetingsFeed",
                "responses": {"200": {"description": "Atom 1.0", "content": atom}},
            }},
            "/search.atom": {"get": {
                "summary": "New hits of a saved search, as an Atom feed (the newest meetings' first 50 hits)",
                "operationId": "searchFeed",
                "parameters": search_feed_params,
                "responses": {"200": {"description": "Atom 1.0", "content": atom}, **_errors(400)},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }


ROUTES = [
    (r"^/api$", api_page),
    (r"^/api/openapi\.json$", openapi_json),
    (r"^/api/meetings$", meetings_json),
    (r"^/api/meetings/(?P<id>[^/]+)$", meeting_json),
    (r"^/api/speakers$", speakers_json),
    (r"^/api/speakers/(?P<name>[^/]+)$", speaker_json),
    # before the meeting page's /meeting/<id>, which would take "<id>.vtt" for an ID
    (r"^/meeting/(?P<id>[^/]+)\.vtt$", captions_vtt),
]
