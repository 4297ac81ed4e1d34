"""Browsing an archive of many meetings: the home page a page at a time and its filters, speaker pages, search
by year and speaker, the facets and the charts in time. On `county_archive` (scripts/make_archive.py: dozens of
meetings, several speakers, years apart), checked against the archive's own rows."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from conftest import db_rows
from podium.publish import make_datasette
from podium.publish.charts import bar_chart, date_range, periods_between
from podium.publish.listing import PAGE_SIZE


@pytest.fixture(scope="module")
def county(county_archive):
    return make_datasette(county_archive, immutable=True), county_archive



def listed(page: str) -> list[str]:
    """The meeting IDs a home page lists, in order."""
    return re.findall(r'<td><a href="/meeting/([^"?#]+)">', page)


def bars(page: str) -> list[tuple[str, int, str]]:
    """(period, count, link) of every bar of a page's chart."""
    return [(p, int(n), unescape(url)) for url, p, n in re.findall(r'<a href="([^"]+)" aria-label="([\d-]+): (\d+)">', page)]


async def test_home_lists_every_meeting_a_page_at_a_time_newest_first(county):
    ds, db = county
    expected = [r[0] for r in db_rows(db, "select id from meetings order by date desc, id")]
    first = listed((await ds.client.get("/")).text)
    assert first == expected[:PAGE_SIZE]
    size = 15  # the fixture's few dozen meetings, on several pages
    seen, page = [], 1
    while True:
        response = await ds.client.get("/", params={"page": page, "size": size})
        assert response.status_code == 200
        ids = listed(response.text)
        assert len(ids) <= size and f"({len(expected)})" in response.text
        seen += ids
        if 'rel="next"' not in response.text:
            break
        page += 1
    assert seen == expected
    assert page == -(-len(expected) // size)
    beyond = await ds.client.get("/", params={"page": page + 1, "size": size})
    assert beyond.status_code == 200 and listed(beyond.text) == []


@pytest.mark.parametrize("bad", [{"page": "0"}, {"page": "x"}, {"year": "20"}, {"size": "100000"}])
async def test_bad_home_parameters_are_refused_with_a_reason(county, bad):
    ds, _ = county
    response = await ds.client.get("/", params=bad)
    assert response.status_code == 400 and list(bad)[0] in response.text and "podium-error" in response.text


async def test_home_filters_by_year_speaker_and_title_words(county):
    ds, db = county
    (year, n_year), *_ = db_rows(db, "select substr(date, 1, 4) y, count(*) n from meetings group by y order by n desc")
    page = (await ds.client.get("/", params={"year": year, "size": 500})).text
    assert sorted(listed(page)) == sorted(r[0] for r in db_rows(db, "select id from meetings where date like ?", [f"{year}-%"]))
    assert len(listed(page)) == n_year

    (speaker,), = db_rows(db, "select speaker from speeches group by speaker order by count(*) limit 1")
    page = (await ds.client.get("/", params={"speaker": speaker, "size": 500})).text
    assert sorted(listed(page)) == sorted(r[0] for r in db_rows(
        db, "select distinct meeting_id from speeches where speaker = ?", [speaker]))

    (title,), = db_rows(db, "select title from meetings limit 1")
    word = title[3:7]
    page = (await ds.client.get("/", params={"q": word, "size": 500})).text
    assert sorted(listed(page)) == sorted(r[0] for r in db_rows(db, "select id from meetings where instr(title, ?)", [word]))


async def test_home_chart_counts_meetings_per_year_and_each_bar_filters_to_its_year(county):
    ds, db = county
    page = (await ds.client.get("/")).text
    found = bars(page)
    truth = dict(db_rows(db, "select substr(date, 1, 4), count(*) from meetings group by 1"))
    years = [str(y) for y in range(int(min(truth)), int(max(truth)) + 1)]
    assert [p for p, _, _ in found] == years  # every year from the first to the last, empty ones too
    assert {p: n for p, n, _ in found} == {y: truth.get(y, 0) for y in years}
    period, n, url = max(found, key=lambda b: b[1])
    filtered = (await ds.client.get(url)).text
    assert f"({n})" in filtered and all(d.startswith(period) for d in re.findall(r"<td>(\d{4}-\d\d-\d\d)</td>", filtered))


async def test_speakers_are_links_to_pages_of_every_speech(county):
    ds, db = county
    (speaker, n), = db_rows(db, "select speaker, count(*) from speeches group by speaker order by count(*) desc limit 1")
    home = (await ds.client.get("/")).text
    assert "/speaker/" in home
    page = await ds.client.get(f"/speaker/{quote(speaker)}")
    assert page.status_code == 200 and f"<h1>{speaker}</h1>" in page.text
    rows = re.findall(r"<tr>\s*<td>(\d{4}-\d\d-\d\d)?</td>\s*<td><a href=\"/meeting/([^\"#?]+)", page.text)
    assert len(rows) == n
    assert [d for d, _ in rows] == sorted((d for d, _ in rows), reverse=True)  # newest first
    passages, seconds, spoken = db_rows(db, "select count(u.id), coalesce(sum(u.[end] - u.start), 0), "
                                          "(select sum([end] - start) from speeches where speaker = ?) "
                                          "from speeches sp join unscripted u on u.speech_id = sp.id "
                                          "where sp.speaker = ? and coalesce(u.struck, 0) = 0", [speaker, speaker])[0]
    assert f"<dd>{passages} · {seconds / spoken * 100:.1f}%" in page.text
    assert f'name="speaker" value="{speaker}"' in page.text  # a search of their words
    assert (await ds.client.get("/speaker/nobody")).status_code == 404


async def test_search_filters_by_speaker_and_year_without_listing_every_meeting(county):
    ds, db = county
    (speaker,), = db_rows(db, "select speaker from speeches group by speaker order by count(*) desc limit 1")
    hits = (await ds.client.get("/search.json", params={"q": "工作", "speaker": speaker, "size": 200})).json()["rows"]
    assert hits and all(h["speaker"] == speaker for h in hits)
    (year,), = db_rows(db, "select substr(date, 1, 4) from meetings group by 1 order by count(*) desc limit 1")
    hits = (await ds.client.get("/search.json", params={"q": "工作", "year": year, "size": 200})).json()["rows"]
    assert hits and all(h["meeting_date"].startswith(year) for h in hits)
    page = (await ds.client.get("/search", params={"q": "工作"})).text
    assert '<select name="meeting"' not in page and f'<option value="{year}"' in page
    assert page.count("<option") < 100  # years and speakers, not meetings


async def test_search_facets_count_every_hit_by_period_speaker_and_meeting(county):
    ds, db = county
    term = "工作"
    truth = db_rows(db, "select count(*) from sentences where instr(text, ?)", [term])[0][0]
    truth += db_rows(db, "select count(*) from unscripted where instr(text, ?) and coalesce(struck, 0) = 0", [term])[0][0]
    page = (await ds.client.get("/search/facets", params={"q": term})).text
    assert f'class="podium-total">{truth}<' in page
    found = bars(page)
    assert sum(n for _, n, _ in found) == truth  # every hit is in a year (every meeting is dated)
    period, n, url = max(found, key=lambda b: b[1])
    narrowed = (await ds.client.get(url.replace("/search?", "/search/facets?"))).text
    assert f'class="podium-total">{n}<' in narrowed
    # a single year's hits span less than two years: the narrowed chart counts by month
    assert re.search(rf'aria-label="{period}-\d\d: \d+"', narrowed)


def test_chart_fills_empty_periods_and_scales_to_the_largest():
    assert periods_between("2016", "2019") == ["2016", "2017", "2018", "2019"]
    assert periods_between("2019-11", "2020-02") == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert date_range("2020-02") == ("2020-02-01", "2020-02-29") and date_range("2021") == ("2021-01-01", "2021-12-31")
    chart = bar_chart([("2016", 4), ("2018", 2)], lambda p: f"/?year={p}")
    assert [(b["period"], b["n"]) for b in chart["bars"]] == [("2016", 4), ("2017", 0), ("2018", 2)]
    heights = [b["height"] for b in chart["bars"]]
    assert heights[0] == chart["baseline"] and heights[1] == 0 and heights[2] == pytest.approx(heights[0] / 2)
    assert bar_chart([], str) is None


@pytest.mark.slow  # a minute or two: every meeting page of the archive, and every file they link
def test_a_crawler_walks_every_page_of_the_archive_without_a_failure(county_archive):
    """From the home page, every same-site link of every Podium page (all meetings, all home pages, every
    speaker, search, facets, feeds, API, downloads), through `podium serve --immutable`: none answers 4xx/5xx."""
    import sys
    from pathlib import Path

    from conftest import running_server

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from crawl_site import crawl, http_fetcher

    with running_server(county_archive, "--immutable") as base:
        answered, failures = crawl(http_fetcher(base))
    assert failures == []
    meetings = {f"/meeting/{m}" for m, in db_rows(county_archive, "select id from meetings")}
    speakers = {f"/speaker/{quote(s, safe='')}" for s, in db_rows(county_archive, "select distinct speaker from speeches")}
    assert meetings | speakers <= set(answered)  # it reached every meeting and every speaker
