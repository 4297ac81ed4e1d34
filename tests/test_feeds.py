"""Atom feeds, read by feedparser as a feed reader reads them: new meetings (/feed.atom) and new hits of a saved
search (/search.atom), on the site archive and on a county's archive of 40 meetings."""

import sqlite3
import xml.etree.ElementTree as ET

import feedparser
import pytest

from conftest import HOSTILE_TITLE, SITE_SPEAKER
from podium.publish import make_datasette
from podium.schema import sentence_id
from podium.publish import feeds
from podium.publish.feeds import ENTRIES, newest_meetings
from podium.publish.search import export_batch, parse_query

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(site_archive):
    return make_datasette(site_archive)


@pytest.fixture(scope="module")
def county(county_archive):
    return make_datasette(county_archive)


async def read_feed(ds, path, headers=None, **params):
    """The feed at `path`, parsed by feedparser; it must be well-formed Atom 1.0 served as such."""
    response = await ds.client.get(path, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(response.content)  # the document itself: what every reader gets
    assert root.tag == f"{ATOM}feed"
    for element in (root, *root.findall(f"{ATOM}entry")):  # RFC 4287: id, title and updated, each once
        for name in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{name}")) == 1, (element.tag, name)
    return parsed, response


async def test_meetings_feed_on_the_site(site):
    parsed, response = await read_feed(site, "/feed.atom")
    assert parsed.feed.id == "http://localhost/feed.atom"
    assert parsed.feed.title == "Podium · 新会议"
    assert [link.rel for link in parsed.feed.links] == ["self", "alternate"]
    # newest first; each entry links to its meeting page, the ID is that absolute URL
    assert [e.link for e in parsed.entries] == ["http://localhost/meeting/seed", "http://localhost/meeting/en"]
    assert [e.id for e in parsed.entries] == [e.link for e in parsed.entries]
    seed, english = parsed.entries
    # the hostile title arrives as text: escaped in the XML, whole in the reader
    assert seed.title == HOSTILE_TITLE and b"<script>" not in response.content
    assert ET.fromstring(response.content).find(f"{ATOM}entry/{ATOM}title").text == HOSTILE_TITLE
    assert [a.name for a in seed.authors] == [SITE_SPEAKER] and "authors" not in english
    assert seed.summary.startswith(f"2024-05-01 · {SITE_SPEAKER} · 00:00:")
    assert "党委书记是用人的" in seed.summary  # the start of the official text, its title line left out
    # neither meeting records when it was ingested: its date stands for it
    assert [e.updated for e in parsed.entries] == ["2024-05-01T00:00:00Z", "2023-11-20T00:00:00Z"]
    assert parsed.feed.updated == "2024-05-01T00:00:00Z"


async def test_feed_ids_and_links_follow_the_host_asked(site):
    parsed, _ = await read_feed(site, "/feed.atom", headers={"host": "archive.example.org"})
    assert parsed.feed.id == "http://archive.example.org/feed.atom"
    assert all(e.link.startswith("http://archive.example.org/meeting/") for e in parsed.entries)


async def test_meetings_feed_in_english(site):
    parsed, _ = await read_feed(site, "/feed.atom", lang="en")
    assert parsed.feed.title == "Podium · New meetings" and parsed.feed.language == "en"


async def test_meetings_feed_on_a_county_archive(county, county_archive):
    parsed, _ = await read_feed(county, "/feed.atom")
    conn = sqlite3.connect(county_archive)
    meetings = conn.execute("select id, ingested_at from meetings order by date desc, ingested_at desc, id").fetchall()
    assert len(meetings) == 40 < ENTRIES
    assert [e.link for e in parsed.entries] == [f"http://localhost/meeting/{m}" for m, _ in meetings]
    assert [e.updated for e in parsed.entries] == [at for _, at in meetings]
    for entry, (meeting_id, _) in zip(parsed.entries, meetings):
        speakers = [s for (s,) in conn.execute("select speaker from speeches where meeting_id = ? order by seq",
                                               [meeting_id])]
        assert [a.name for a in entry.authors] == speakers
    # at most ENTRIES: the newest, by date and then by when they were ingested
    conn.row_factory = None
    assert [m["id"] for m in newest_meetings(conn, limit=7)] == [m for m, _ in meetings[:7]]


async def test_search_feed_on_the_site(site):
    parsed, _ = await read_feed(site, "/search.atom", q="硬仗")
    assert parsed.feed.title == "Podium · 搜索: 硬仗"
    assert parsed.feed.id == "http://localhost/search.atom?q=%E7%A1%AC%E4%BB%97"
    assert {link.rel: link.href for link in parsed.feed.links}["alternate"] == \
        "http://localhost/search?q=%E7%A1%AC%E4%BB%97"
    [hit] = parsed.entries
    assert hit.link == "http://localhost/meeting/seed?s=3-0#t=9.83"  # the sentence, at its moment
    assert hit.id == "http://localhost/meeting/seed#seed_p0003_s000"
    assert hit.title.startswith("抓班子带队伍") and [a.name for a in hit.authors] == [SITE_SPEAKER]
    assert HOSTILE_TITLE in hit.summary and "00:00:09" in hit.summary
    # a search without hits is a feed without entries, not an error
    empty, _ = await read_feed(site, "/search.atom", q="不存在的词语")
    assert empty.entries == [] and empty.feed.updated == "1970-01-01T00:00:00Z"


def newest_first(conn: sqlite3.Connection, args: dict) -> list[str]:
    """The oracle: every hit of the search, read as the CSV export reads them (by keyset, in archive order),
    sorted newest meeting first (date, then ingest time) and in time order within a meeting; their row IDs."""
    query = parse_query(args)
    ingested = dict(conn.execute("select id, ingested_at from meetings"))
    passages = {(m, s): i for i, m, s in conn.execute("select id, meeting_id, start from unscripted")}
    hits = []
    for kind in query.kinds:
        after = 0
        while after is not None:
            rows, after = export_batch(conn, query, kind, after)
            hits += rows
    for h in hits:  # the export gives no row ID: a passage is told by its meeting and start
        h["row_id"] = (sentence_id(h["meeting_id"], h["paragraph_seq"], h["sentence_seq"]) if h["kind"] == "official"
                       else passages[(h["meeting_id"], h["start"])])
    hits.sort(key=lambda h: (h["meeting_id"], h["start"] is None, h["start"] or 0, h["paragraph_seq"] or 0,
                             h["sentence_seq"] or 0))
    hits.sort(key=lambda h: (h["meeting_date"] or "", ingested[h["meeting_id"]] or ""), reverse=True)
    return [h["row_id"] for h in hits]


@pytest.mark.parametrize("args", [
    {"q": "安全生产"},  # trigram index, common: more than one feed's worth
    {"q": "发展"},  # character index
    {"q": "发展", "kind": "unscripted"},
    {"q": "会议 工作", "year": "2019"},
    {"q": "安全生产", "date_from": "2024-01-01", "date_to": "2024-12-31"},
])
@pytest.mark.parametrize("walk", [1, 3, feeds.WALK, 1000])  # meetings read newest first before the rest are counted
async def test_search_feed_holds_the_newest_hits(county, county_archive, monkeypatch, args, walk):
    monkeypatch.setattr(feeds, "WALK", walk)
    parsed, _ = await read_feed(county, "/search.atom", **args)
    conn = sqlite3.connect(county_archive)
    expected = newest_first(conn, args)
    assert expected, "a search that finds nothing tests nothing"
    assert [e.id.rsplit("#", 1)[1] for e in parsed.entries] == expected[:ENTRIES]
    # each entry links to its moment on the meeting page, in the meeting the ID names
    for entry in parsed.entries:
        meeting_id = entry.id.split("/meeting/")[1].split("#")[0]
        assert entry.link.startswith(f"http://localhost/meeting/{meeting_id}")


async def test_search_feed_by_speaker(county, county_archive):
    conn = sqlite3.connect(county_archive)
    (speaker,) = conn.execute("select speaker from speeches group by speaker order by count(*) desc").fetchone()
    parsed, _ = await read_feed(county, "/search.atom", q="发展", speaker=speaker)
    assert parsed.entries and all([a.name for a in e.authors] == [speaker] for e in parsed.entries)


@pytest.mark.parametrize("args, named", [
    ({}, "q"),
    ({"q": " "}, "q"),
    ({"q": "会议", "kind": "speech"}, "kind"),
    ({"q": "会议", "date_from": "2024-13-01"}, "date_from"),
    ({"q": "会议", "meeting": "../etc"}, "meeting"),
])
async def test_search_feed_refuses_bad_parameters(site, args, named):
    response = await site.client.get("/search.atom", params=args)
    assert response.status_code == 400
    assert response.json()["error"].startswith(named)
