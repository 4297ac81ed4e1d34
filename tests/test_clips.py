"""Quotes as clips, in process: a link's t and s, the quote it names, the meeting page's marks and preview tags,
the embedded player, and the headers that let other sites frame the embed and nothing else."""

import html
import json
import re
import sqlite3
from html.parser import HTMLParser

import pytest

from conftest import ENGLISH_TEXT, HOSTILE_TITLE, SITE_SPEAKER
from podium.publish import clips, make_datasette
from podium.publish.i18n import LABELS


@pytest.fixture(scope="module")
def site(site_archive):
    return make_datasette(site_archive), site_archive


def seed_rows(db, table="sentences"):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        order = "paragraph_seq, seq" if table == "sentences" else "start"
        return [dict(r) for r in conn.execute(f"select * from {table} where meeting_id = 'seed' order by {order}")]
    finally:
        conn.close()


class Page(HTMLParser):
    """The start tags of a page: its <meta> tags by name or property, and every element's attributes."""

    def __init__(self, text):
        super().__init__()
        self.meta, self.tags = {}, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")

    def with_class(self, css_class):
        return [(tag, a) for tag, a in self.tags if css_class in (a.get("class") or "").split()]

    def by_id(self, element_id):
        return next((a for _, a in self.tags if a.get("id") == element_id), None)


# --- the link's t and s --------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, asked", [
    ({"t": "5.2,17.6"}, clips.Asked(start=5.2, end=17.6)),
    ({"t": "0,1.005"}, clips.Asked(start=0.0, end=1.005)),
    ({"s": "3-0..3-2"}, clips.Asked(first=(3, 0), last=(3, 2))),
    ({"s": "1-4..2-0"}, clips.Asked(first=(1, 4), last=(2, 0))),
    ({"s": "3-1..3-1"}, clips.Asked(first=(3, 1), last=(3, 1))),  # one sentence, quoted
    ({"s": "3-0"}, None),  # marks one sentence, as always: no quote
    ({}, None),
    ({"lang": "en"}, None),
])
def test_parse_a_quote(args, asked):
    assert clips.parse_quote(args) == asked


@pytest.mark.parametrize("args, key", [
    ({"t": "5"}, "quote_bad_t"), ({"t": ""}, "quote_bad_t"), ({"t": "a,b"}, "quote_bad_t"),
    ({"t": "-1,5"}, "quote_bad_t"), ({"t": "nan,inf"}, "quote_bad_t"), ({"t": "1e3,2e3"}, "quote_bad_t"),
    ({"t": "1,2,3"}, "quote_bad_t"), ({"t": "1.0001,2"}, "quote_bad_t"), ({"t": "9999999,99999999"}, "quote_bad_t"),
    ({"t": "9,5"}, "quote_order"), ({"t": "5,5"}, "quote_order"), ({"s": "3-0..2-5"}, "quote_order"),
    ({"s": "x"}, "quote_bad_s"), ({"s": "3-0..3"}, "quote_bad_s"), ({"s": "3-0...3-2"}, "quote_bad_s"),
    ({"t": "1,2", "s": "1-0..2-0"}, "quote_both"),
])
def test_a_malformed_quote_is_refused_with_its_reason(args, key):
    with pytest.raises(clips.QuoteError) as refused:
        clips.parse_quote(args)
    assert refused.value.key == key
    for language in ("zh", "en"):  # every reason reads in both languages, its value filled in
        message = refused.value.message({k: v[language] for k, v in LABELS.items()})
        assert "{" not in message and (args.get("t", args.get("s", "")) in message or key != "quote_bad_t")


# --- the quote a link names, in the site archive's meeting "seed" (sentences 1-0, 2-0, 3-0 spoken; 0-0 not) ------

def test_a_time_range_quotes_the_sentences_it_holds(site_archive):
    sentences, passages = seed_rows(site_archive), seed_rows(site_archive, "unscripted")
    by_id = {f"{s['paragraph_seq']}-{s['seq']}": s for s in sentences}
    second, third = by_id["2-0"], by_id["3-0"]
    # exactly one sentence's span
    quote = clips.resolve_quote(clips.Asked(second["start"], second["end"]), sentences, passages, 18.1)
    assert [r["id"] for r in quote.items] == [second["id"]] and quote.text == second["text"]
    assert quote.query == f"t={second['start']:g},{second['end']:g}" and (quote.start, quote.end) == (
        second["start"], second["end"])
    # from inside 2-0 into 3-0: a sentence is quoted when at least half of it is heard
    assert [r["id"] for r in clips.resolve_quote(clips.Asked(6.0, 12.0), sentences, passages, 18.1).items] == [
        second["id"]]  # 2.2 s of 3-0's 7.8 s
    quote = clips.resolve_quote(clips.Asked(6.0, 14.0), sentences, passages, 18.1)
    assert [r["id"] for r in quote.items] == [second["id"], third["id"]]  # 4.2 s of them
    assert quote.text == second["text"] + third["text"]  # Chinese: no space between sentences
    # or when it holds at least half of the quote: a second inside a long sentence quotes that sentence
    assert [r["id"] for r in clips.resolve_quote(clips.Asked(12.0, 13.0), sentences, passages, 18.1).items] == [
        third["id"]]
    assert [r["id"] for r in clips.resolve_quote(clips.Asked(9.0, 17.0), sentences, passages, 18.1).items] == [
        third["id"]]
    # between the sentences (0.35 s of silence): a quote of no words, still a quote
    gap = clips.resolve_quote(clips.Asked(second["end"] + 0.05, third["start"] - 0.05), sentences, passages, 18.1)
    assert gap.items == () and gap.text == ""


def test_a_sentence_range_quotes_from_the_first_to_the_last(site_archive):
    sentences = seed_rows(site_archive)
    passage = {"id": "seed_u0000", "start": 4.9, "end": 5.1, "text": "大家好", "speech_id": "seed_s00"}
    quote = clips.resolve_quote(clips.Asked(first=(0, 0), last=(2, 0)), sentences, [passage], 18.1)
    # the title line was not spoken: not in the quote, which runs from 1-0's start to 2-0's end
    assert [r["id"] for r in quote.items] == ["seed_p0001_s000", "seed_u0000", "seed_p0002_s000"]
    assert (quote.start, quote.end) == (sentences[1]["start"], sentences[2]["end"])
    assert quote.query == "s=0-0..2-0" and quote.text == sentences[1]["text"] + "大家好" + sentences[2]["text"]
    assert quote.ids == {"seed_p0001_s000", "seed_u0000", "seed_p0002_s000"}


@pytest.mark.parametrize("asked, key", [
    (clips.Asked(5.0, 99.0), "quote_past_end"),
    (clips.Asked(first=(1, 0), last=(9, 0)), "quote_no_sentence"),
    (clips.Asked(first=(1, 1), last=(2, 0)), "quote_no_sentence"),
    (clips.Asked(first=(0, 0), last=(0, 0)), "quote_not_spoken"),
])
def test_an_impossible_quote_is_refused(site_archive, asked, key):
    with pytest.raises(clips.QuoteError) as refused:
        clips.resolve_quote(asked, seed_rows(site_archive), [], 18.13)
    assert refused.value.key == key


def test_a_quote_may_end_a_little_past_the_stored_duration(site_archive):
    """The duration is the decoder's; a player may give a few hundredths more: up to END_SLACK is the end."""
    quote = clips.resolve_quote(clips.Asked(17.0, 18.13 + clips.END_SLACK), seed_rows(site_archive), [], 18.13)
    assert quote.end == pytest.approx(18.63)


# --- the meeting page with a quote ----------------------------------------------------------------------------------

async def test_the_meeting_page_marks_the_quote_and_previews_its_words(site):
    ds, db = site
    second = next(s for s in seed_rows(db) if s["paragraph_seq"] == 2)
    link = f"/meeting/seed?t={second['start']:g},{second['end']:g}"
    response = await ds.client.get(link, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    page = Page(response.text)
    assert [a["id"] for _, a in page.with_class("podium-quoted")] == ["s-2-0"]
    panel = page.by_id("podium-quote")
    assert "hidden" not in panel and float(panel["data-start"]) == second["start"]
    assert float(panel["data-end"]) == second["end"] and panel["data-query"] == link.split("?")[1]
    assert "autofocus" in page.by_id("podium-quote-play")  # the one thing to do: press play
    assert "浏览器不会自动播放声音" in response.text  # and why
    # a shared link previews the quote's words, its speaker, the meeting, its date and the time range
    meta = page.meta
    assert meta["og:description"] == second["text"] == meta["twitter:description"] == meta["description"]
    assert meta["og:title"] == f"{HOSTILE_TITLE} · {SITE_SPEAKER} · 2024-05-01 · 00:00:05.2–00:00:09.5"
    assert meta["og:url"] == f"http://localhost{link}" and meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary" and meta["og:audio"] == "http://localhost/media/seed"
    assert "<script>alert(1)" not in response.text  # the title, escaped in the tags too
    # the page's data for citing, as JSON that no title can break out of
    data = json.loads(html.unescape(re.search(r'<script type="application/json" id="podium-quote-data">(.*?)</script>',
                                              response.text, re.S).group(1)))
    assert (data["meeting"], data["title"], data["date"], data["speaker"]) == ("seed", HOSTILE_TITLE, "2024-05-01",
                                                                              SITE_SPEAKER)
    assert data["labels"]["cite_title"] == "《{title}》"


async def test_the_sentence_form_of_a_quote_and_english(site):
    ds, db = site
    sentences = seed_rows(db)
    response = await ds.client.get("/meeting/seed?s=1-0..3-0", headers={"Accept-Language": "en"})
    page = Page(response.text)
    assert [a["id"] for _, a in page.with_class("podium-quoted")] == ["s-1-0", "s-2-0", "s-3-0"]
    assert page.meta["og:description"] == "".join(s["text"] for s in sentences[1:])
    assert page.meta["og:url"] == "http://localhost/meeting/seed?s=1-0..3-0" and page.meta["og:locale"] == "en_US"
    assert "Play the quote" in response.text and "3 sentences" in response.text
    english = Page((await ds.client.get("/meeting/en?t=0.3,10.5")).text)
    assert english.meta["og:description"] == ENGLISH_TEXT


async def test_without_a_quote_the_page_previews_the_meeting_and_its_opening(site):
    ds, db = site
    for link in ("/meeting/seed", "/meeting/seed?s=3-0"):  # a marked sentence is no quote
        response = await ds.client.get(link, headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200
        page = Page(response.text)
        assert not page.with_class("podium-quoted") and "hidden" in page.by_id("podium-quote")
        assert "autofocus" not in page.by_id("podium-quote-play")
        assert page.meta["og:title"] == f"{HOSTILE_TITLE} · {SITE_SPEAKER} · 2024-05-01"
        assert page.meta["og:url"] == "http://localhost/meeting/seed"
        opening = page.meta["og:description"]
        assert opening.startswith(seed_rows(db)[1]["text"]) and len(opening) <= clips.OPENING_CHARS


@pytest.mark.parametrize("query, zh, en", [
    ("t=9,5", "结束在开始之前", "ends before it starts"),
    ("t=5,99", "录音只有 00:00:18.1", "past the end of the recording (00:00:18.1)"),
    ("t=abc", "而不是“abc”", "not “abc”"),
    ("s=1-0..7-0", "没有第 7-0 句", "has no sentence 7-0"),
    ("s=0-0..0-0", "都未讲", "None of the quoted sentences was spoken"),
    ("t=1,2&s=1-0..2-0", "只给 t 或 s", "Give t or s, not both"),
])
async def test_a_bad_quote_link_is_a_400_that_says_why(site, query, zh, en):
    ds, _ = site
    for path in ("/meeting/seed", "/meeting/seed/embed"):
        for language, reason in (("zh-CN", zh), ("en", en)):
            response = await ds.client.get(f"{path}?{query}", headers={"Accept-Language": language})
            assert response.status_code == 400, (path, query)
            assert reason in html.unescape(response.text)
            assert 'href="/meeting/seed"' in response.text  # and the way to the whole meeting


async def test_the_captions_track_of_the_player(site):
    ds, _ = site
    for path in ("/meeting/seed", "/meeting/seed/embed?t=1,2", "/meeting/en"):
        page = Page((await ds.client.get(path, headers={"Accept-Language": "en"})).text)
        (track,) = [a for tag, a in page.tags if tag == "track"]
        meeting = path.split("/")[2].split("?")[0]
        assert track["kind"] == "captions" and track["src"] == f"/meeting/{meeting}.vtt"
        assert track["srclang"] == ("en" if meeting == "en" else "zh") and track["label"] == "Captions (official text)"
        captions = await ds.client.get(track["src"])
        assert captions.status_code == 200 and captions.text.startswith("WEBVTT")


# --- the embedded player ---------------------------------------------------------------------------------------------

async def test_the_embed_is_a_small_player_of_the_quote_alone(site):
    ds, db = site
    second = next(s for s in seed_rows(db) if s["paragraph_seq"] == 2)
    query = f"t={second['start']:g},{second['end']:g}"
    response = await ds.client.get(f"/meeting/seed/embed?{query}", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    page = Page(response.text)
    tags = [tag for tag, _ in page.tags]
    assert "header" not in tags and "footer" not in tags and "nav" not in tags  # no Datasette chrome
    assert page.tags[0] == ("html", {"lang": "zh"})
    (audio,) = [a for tag, a in page.tags if tag == "audio"]
    assert audio["src"] == "/media/seed" and audio["id"] == "podium-audio" and audio["aria-label"]
    # the quoted words only, each with its times, to follow along
    quoted = page.with_class("podium-quoted")
    assert [a["id"] for _, a in quoted] == ["s-2-0"]
    assert (float(quoted[0][1]["data-start"]), float(quoted[0][1]["data-end"])) == (second["start"], second["end"])
    assert second["text"] in response.text and seed_rows(db)[3]["text"] not in response.text
    # the way back to the whole meeting at the quote, in a new window (the embed lives in another site's page)
    back = [a for tag, a in page.tags if tag == "a" and a.get("href") == f"/meeting/seed?{query}"]
    assert back and all(a["target"] == "_blank" and "noopener" in a["rel"] for a in back)
    assert page.by_id("podium-quote")["data-end"] == str(second["end"])


async def test_an_embed_needs_a_quote_of_a_meeting_that_exists(site):
    ds, _ = site
    response = await ds.client.get("/meeting/seed/embed", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "needs a quote" in response.text
    assert (await ds.client.get("/meeting/nope/embed?t=1,2")).status_code == 404
    assert (await ds.client.get("/meeting/..%2F/embed?t=1,2")).status_code == 404


# --- framing: the embed by any site, nothing else by any other site ---------------------------------------------------

def frame_policy(response):
    csp = response.headers["content-security-policy"]
    return re.search(r"frame-ancestors ([^;]+)", csp).group(1).strip(), response.headers.get("x-frame-options")


async def test_only_the_embed_may_be_framed_by_other_sites(site):
    ds, _ = site
    for path in ("/meeting/seed/embed?t=1,2", "/meeting/seed/embed?s=1-0..2-0", "/meeting/seed/embed?t=9,1"):
        response = await ds.client.get(path)
        assert frame_policy(response) == ("*", None), path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self' 'unsafe-inline'" in csp and "object-src 'none'" in csp  # the rest as elsewhere
        assert response.headers["x-content-type-options"] == "nosniff"
    for path in ("/", "/meeting/seed", "/meeting/seed?t=1,2", "/meeting/seed.vtt", "/media/seed", "/search?q=的",
                 "/archive", "/archive/sentences", "/meeting/seed/embedded", "/meeting/seed/embed/x", "/nope",
                 "/-/static-plugins/podium/podium.js"):
        response = await ds.client.get(path)
        assert frame_policy(response) == ("'self'", "SAMEORIGIN"), path


def test_every_label_of_quotes_in_both_languages():
    start = list(LABELS).index("quote")
    ours = [k for k in list(LABELS)[start:] if k.startswith(("quote", "cite_", "embed_"))]
    assert len(ours) > 30 and all(set(LABELS[k]) == {"zh", "en"} and all(LABELS[k].values()) for k in ours)
    assert set(clips.QUOTE_LABELS) <= set(ours)
