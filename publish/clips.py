"""Quotes as clips: the quote a link to a meeting names, and the player that other sites may embed.

A quote is a range of the recording, asked for in one of two forms:

- `?t=a,b`: from `a` to `b` seconds (as `meeting.clip_url` writes it);
- `?s=P-S..P-S`: from one sentence to another (paragraph-sentence, as the page's IDs `s-P-S`); it names the
  words, not times, so it follows an editor's correction of the times. `?s=P-S` alone is not a quote: it marks
  one sentence (`meeting.meeting_url`), as it always has.

The meeting page marks the quoted sentences and off-script passages, sets its player to play exactly them and
carries Open Graph and Twitter-card tags for the quote; /meeting/<id>/embed is a small player of the quote
alone, the only page that other sites may frame (plugin.py's headers). A malformed or impossible quote (an
end before its start, past the recording, no such sentence) is answered 400 with the reason in the reader's
language and a link to the whole meeting: a shared link that no longer holds is said to be wrong, not
silently played from somewhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datasette import Response

from podium.schema import MEETING_ID

from .i18n import choose_language, labels
from .meeting import build_blocks, hms, load_meeting, meeting_url, seconds
from .metadata import DB_NAME

T_RANGE = re.compile(r"^(\d{1,6}(?:\.\d{1,3})?),(\d{1,6}(?:\.\d{1,3})?)$")  # seconds, to the millisecond
S_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})\.\.(\d{1,5})-(\d{1,5})$")
S_ONE = re.compile(r"^(\d{1,5})-(\d{1,5})$")
END_SLACK = 0.5  # seconds a quote may end past the recording's stored duration (a decoder's rounding)
DESCRIPTION_CHARS = 300  # og:description: the quote, shortened to about what a link preview shows
OPENING_CHARS = 160  # without a quote: the opening of what was said


class QuoteError(ValueError):
    """A quote link names no range that can be played. `key` is the reason's label (i18n), `values` fill it."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, t: dict[str, str]) -> str:
        return t[self.key].format(**self.values)


@dataclass(frozen=True)
class Asked:
    """What a link asks for, before the archive is read: a time range, or a range of (paragraph, sentence)."""

    start: float | None = None
    end: float | None = None
    first: tuple[int, int] | None = None
    last: tuple[int, int] | None = None


@dataclass(frozen=True)
class Quote:
    """A quote found in a meeting: its times (seconds), the quoted sentences and off-script passages (rows,
    in time order), its link's query (`t=…` or `s=…`) and its words."""

    start: float
    end: float
    items: tuple[dict, ...]
    query: str
    text: str

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(item["id"] for item in self.items)


def parse_quote(args) -> Asked | None:
    """The quote that a request's `t` or `s` asks for; None when it asks for none (`?s=P-S` marks one sentence
    and is no quote). Only the form is checked here: `resolve_quote` checks it against the meeting.

    :raises QuoteError: a malformed t or s, or both given.
    """
    t, s = args.get("t"), args.get("s")
    if t is not None and s is not None:
        raise QuoteError("quote_both")
    if t is not None:
        match = T_RANGE.match(t)
        if not match:
            raise QuoteError("quote_bad_t", value=t)
        start, end = float(match[1]), float(match[2])
        if end <= start:
            raise QuoteError("quote_order")
        return Asked(start=start, end=end)
    if s is None or S_ONE.match(s):
        return None
    match = S_RANGE.match(s)
    if not match:
        raise QuoteError("quote_bad_s", value=s)
    first, last = (int(match[1]), int(match[2])), (int(match[3]), int(match[4]))
    if last < first:
        raise QuoteError("quote_order")
    return Asked(first=first, last=last)


def _overlaps(item: dict, start: float, end: float) -> bool:
    """Whether a timed row is in the quote: at least half of it is, or it holds at least half of the quote
    (a quote of a few words inside one long sentence quotes that sentence)."""
    shared = min(item["end"], end) - max(item["start"], start)
    return shared > 0 and (shared >= 0.5 * (item["end"] - item["start"]) or shared >= 0.5 * (end - start))


def resolve_quote(asked: Asked, sentences: list[dict], unscripted: list[dict], duration: float | None,
                  language: str = "zh") -> Quote:
    """The quote `asked` of a meeting with these sentences (in text order) and off-script passages.

    Sentences that were not spoken (no times) are never quoted; off-script passages are quoted where the
    recording of the quote holds them.

    :raises QuoteError: the range lies past the recording, names a sentence the meeting does not have, or
        holds no spoken sentence.
    """
    if asked.first is not None:
        keys = [(s["paragraph_seq"], s["seq"]) for s in sentences]
        for key in (asked.first, asked.last):
            if key not in keys:
                raise QuoteError("quote_no_sentence", id="{}-{}".format(*key))
        named = sentences[keys.index(asked.first):keys.index(asked.last) + 1]
        timed = [s for s in named if s["start"] is not None and s["end"] is not None]
        if not timed:
            raise QuoteError("quote_not_spoken")
        start, end = min(s["start"] for s in timed), max(s["end"] for s in timed)
        query = "s={}-{}..{}-{}".format(*asked.first, *asked.last)
        passages = [u for u in unscripted if u["start"] is not None and _overlaps(u, start, end)]
        items = timed + passages
    else:
        start, end = asked.start, asked.end
        if duration is not None and end > duration + END_SLACK:
            raise QuoteError("quote_past_end", end=hms(end), duration=hms(duration))
        query = f"t={seconds(start)},{seconds(end)}"
        items = [row for row in [*sentences, *unscripted]
                 if row["start"] is not None and row["end"] is not None and _overlaps(row, start, end)]
    items.sort(key=lambda row: row["start"])
    joiner = " " if language == "en" else ""
    return Quote(start, end, tuple(items), query, joiner.join(row["text"].strip() for row in items))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def speakers_of(quote: Quote, paragraphs: list[dict], speeches: list[dict], fallback: str | None) -> list[str]:
    """Who said the quote: the speakers of the speeches its rows belong to (in order, each once), else the
    meeting's speaker."""
    speech_of_paragraph = {p["seq"]: p["speech_id"] for p in paragraphs}
    speaker_of_speech = {sp["id"]: sp["speaker"] for sp in speeches}
    found = []
    for row in quote.items:
        speech = row["speech_id"] if "speech_id" in row else speech_of_paragraph.get(row.get("paragraph_seq"))
        name = speaker_of_speech.get(speech)
        if name and name not in found:
            found.append(name)
    return found or ([fallback] if fallback else [])


def opening(sentences: list[dict], language: str) -> str:
    """The first words said of a meeting (its spoken sentences, in text order), for a link's preview."""
    joiner = " " if language == "en" else ""
    return shorten(joiner.join(s["text"].strip() for s in sentences if s["start"] is not None), OPENING_CHARS)


def meta_tags(*, title: str, description: str, url: str, audio_url: str, language: str) -> list[tuple[str, str, str]]:
    """Open Graph and Twitter-card tags of a page, as (attribute, name, content): a shared link previews the
    title and the words."""
    return [
        ("name", "description", description),
        ("property", "og:type", "article"),
        ("property", "og:site_name", "Podium"),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:locale", "en_US" if language == "en" else "zh_CN"),
        ("property", "og:audio", audio_url),
        ("property", "og:audio:type", "audio/mpeg"),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]


def page_context(datasette, request, rows: dict, language: str) -> dict:
    """The meeting page's quote (None without one), its tags for a link's preview, and what podium.js needs
    to quote and cite from the page.

    :raises QuoteError: the link's t or s names no quote of this meeting.
    """
    meeting, t = rows["meeting"], labels(language)
    asked = parse_quote(request.args)
    quote = resolve_quote(asked, rows["sentences"], rows["unscripted"], meeting["duration"],
                          meeting.get("language") or "zh") if asked else None
    path = meeting_url(meeting["id"])
    if quote:
        who = speakers_of(quote, rows["paragraphs"], rows["speeches"], meeting.get("speaker"))
        title = " · ".join(filter(None, [meeting["title"], "、".join(who), meeting.get("date"),
                                         f"{hms(quote.start)}–{hms(quote.end)}"]))
        description = shorten(quote.text, DESCRIPTION_CHARS) or t["quote_no_words"].format(
            start=hms(quote.start), end=hms(quote.end))
        path = f"{path}?{quote.query}"
    else:
        title = " · ".join(filter(None, [meeting["title"], meeting.get("speaker"), meeting.get("date")]))
        description = opening(rows["sentences"], meeting.get("language") or "zh") or meeting["title"]
    return {
        "quote": quote,
        "meta_tags": meta_tags(title=title, description=description, url=datasette.absolute_url(request, path),
                               audio_url=datasette.absolute_url(request, f"/media/{meeting['id']}"),
                               language=language),
        "quote_data": quote_data(rows, language),
    }


QUOTE_LABELS = ("quote_count", "quote_count_one", "quote_copied", "quote_copy_by_hand", "quote_selected",
                "quote_cleared", "quote_now", "cite_text", "cite_source", "cite_separator", "cite_and", "cite_title",
                "cite_range", "embed_title")


def quote_data(rows: dict, language: str) -> dict:
    """What podium.js needs to quote any range the reader selects, and cite it: the meeting, its speakers by
    speech, and the labels."""
    meeting, t = rows["meeting"], labels(language)
    return {"meeting": meeting["id"], "title": meeting["title"], "date": meeting.get("date"),
            "speaker": meeting.get("speaker"), "language": meeting.get("language") or "zh", "lang": language,
            "speakers": {sp["id"]: sp["speaker"] for sp in rows["speeches"] if sp["speaker"]},
            "labels": {key: t[key] for key in QUOTE_LABELS}}


async def bad_quote(datasette, request, meeting_id: str, error: QuoteError, language: str) -> Response:
    """400: the reason, in the reader's language, and a link to the whole meeting."""
    t = labels(language)
    html = await datasette.render_template("podium_quote_error.html", {
        "t": t, "lang": language, "reason": error.message(t), "meeting_url": meeting_url(meeting_id)}, request=request)
    return Response.html(html, status=400)


async def embed(datasette, request):
    """/meeting/<id>/embed?t=a,b (or ?s=P-S..P-S): a small player of the quote alone, its words following
    along, for an <iframe> on any site; a link opens the whole meeting at the quote."""
    meeting_id = request.url_vars["id"]
    db = datasette.get_database(DB_NAME) if DB_NAME in datasette.databases else None
    rows = await load_meeting(db, meeting_id) if db is not None and MEETING_ID.match(meeting_id) else None
    if rows is None:
        return Response.text("Not found", status=404)
    language = choose_language(request)
    meeting = rows["meeting"]
    try:
        asked = parse_quote(request.args)
        if asked is None:
            raise QuoteError("quote_embed_needs_quote")
        quote = resolve_quote(asked, rows["sentences"], rows["unscripted"], meeting["duration"],
                              meeting.get("language") or "zh")
    except QuoteError as error:
        return await bad_quote(datasette, request, meeting_id, error, language)
    quoted = quote.ids
    blocks = build_blocks(rows["paragraphs"],
                          [s for s in rows["sentences"] if s["id"] in quoted],
                          [u for u in rows["unscripted"] if u["id"] in quoted])
    html = await datasette.render_template("podium_embed.html", {
        "meeting": meeting, "quote": quote, "hms": hms, "t": labels(language), "lang": language,
        "blocks": [b for b in blocks if b["items"]],
        "speaker": "、".join(speakers_of(quote, rows["paragraphs"], rows["speeches"], meeting.get("speaker"))),
        "full_url": f"{meeting_url(meeting_id)}?{quote.query}", "quote_data": quote_data(rows, language),
    }, request=request)
    return Response.html(html)


EMBED_PATH = re.compile(r"^/meeting/(?P<id>[^/]+)/embed$")
ROUTES: list = [(EMBED_PATH.pattern, embed)]

