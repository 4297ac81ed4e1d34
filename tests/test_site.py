"""The published archive, in process: metadata, search, media with HTTP Range, CSV, meeting page."""

import csv
import html
import re
import shutil
import io
import sqlite3

import pytest

from conftest import SITE_SPEAKER
from podium.publish import make_datasette


@pytest.fixture(scope="module")
def site(site_archive):
    return make_datasette(site_archive), site_archive


async def test_archive_is_published_as_archive_with_our_metadata(site):
    ds, _ = site
    home = await ds.client.get("/")
    assert home.status_code == 200 and "Podium" in home.text and "_memory" not in home.text
    data = (await ds.client.get("/archive/paragraphs.json?_shape=array&meeting_id=seed&_sort=seq")).json()
    assert [p["seq"] for p in data] == [0, 1, 2, 3]
    search = (await ds.client.get("/archive/paragraphs.json?_search=打硬仗&_shape=array")).json()
    assert [p["seq"] for p in search] == [3]


async def search(ds, **params):
    response = await ds.client.get("/search.json", params=params)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "q, expected",
    [
        ("树", ("seed", 2, 0)),  # 1 character: LIKE fallback
        ("硬仗", ("seed", 3, 0)),  # 2 characters
        ("用人的", ("seed", 2, 0)),  # 3 characters: FTS5 trigram
        ("不是树威的", ("seed", 2, 0)),  # 5 characters
        ("戰鬥力", ("seed", 3, 0)),  # traditional script finds the simplified text
        ("Welcome", ("en", 0, 0)),
        ("SPEAKERS moment", ("en", 0, 0)),  # two terms, any case
    ],
)
async def test_search_any_length_either_script(site, q, expected):
    ds, _ = site
    data = await search(ds, q=q)
    assert data["rows"], q
    top = data["rows"][0]
    assert (top["meeting_id"], top["paragraph_seq"], top["sentence_seq"]) == expected
    assert top["kind"] == "official" and top["start"] is not None and top["end"] > top["start"]
    assert "<mark>" in top["snippet"]
    assert set(top) >= {"meeting_id", "paragraph_seq", "sentence_seq", "kind", "start", "end", "text", "snippet"}


async def test_search_filters_and_pages(site):
    ds, _ = site
    assert (await search(ds, q="的"))["rows"]  # in the seed meeting
    assert not (await search(ds, q="的", meeting="en"))["rows"]
    assert not (await search(ds, q="的", date_from="2025-01-01"))["rows"]
    assert (await search(ds, q="的", date_to="2024-05-01"))["rows"]
    first = await search(ds, q="的", size=1)
    assert len(first["rows"]) == 1 and first["next"]
    second = (await ds.client.get(first["next"])).json()
    assert second["rows"] and second["rows"][0] != first["rows"][0]
    assert (await search(ds, q=""))["rows"] == []


async def test_search_page_escapes_and_highlights(site):
    ds, _ = site
    page = await ds.client.get("/search", params={"q": "硬仗"}, headers={"Accept-Language": "en-US,en"})
    assert page.status_code == 200
    assert "<mark>硬仗</mark>" in page.text and "Off-script" not in page.text.split("<ol")[1].split("</ol>")[0]
    assert "Search" in page.text and "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    zh = await ds.client.get("/search", params={"q": "硬仗"}, headers={"Accept-Language": "zh-CN,zh"})
    assert "搜索结果" in zh.text


async def test_meeting_page(site, seed):
    ds, db = site
    page = await ds.client.get("/meeting/seed", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert '<audio id="podium-audio"' in page.text and 'src="/media/seed"' in page.text
    assert page.text.count('class="podium-paragraph') == 4
    # each spoken paragraph carries its times, the title line (not read) none; the first starts where its voice does
    rows = sqlite3.connect(db).execute("select start, [end] from paragraphs where meeting_id = 'seed' "
                                       "order by seq").fetchall()
    shown = [(float(p["data-start"]), float(p["data-end"])) if "data-start" in p else (None, None)
             for p in elements(page.text, "podium-paragraph")]
    assert shown == rows and rows[0] == (None, None)
    assert rows[1][0] == pytest.approx(seed.spans[1][0], abs=0.05)
    assert "podium-not_spoken" in page.text  # the title line was not read
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert (await ds.client.get("/meeting/nope")).status_code == 404


def elements(page: str, css_class: str) -> list[dict]:
    """The attributes of every element of the page that has `css_class`, in document order."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if css_class in (attrs.get("class") or "").split():
                found.append(attrs)

    Parser().feed(page)
    return found


def band_box(band: dict) -> tuple[float, float]:
    left, width = re.fullmatch(r"left:([0-9.]+)%;width:([0-9.]+)%", band["style"]).groups()
    return float(left), float(width)


async def test_meeting_page_sentence_by_sentence(site):
    ds, db = site
    page = (await ds.client.get("/meeting/seed", headers={"Accept-Language": "zh-CN"})).text
    rows = sqlite3.connect(db).execute("select paragraph_seq, seq, start, [end], status from sentences "
                                       "where meeting_id = 'seed' order by paragraph_seq, seq").fetchall()
    sentences = elements(page, "podium-sentence")
    assert [s["id"] for s in sentences] == [f"s-{p}-{k}" for p, k, *_ in rows]
    spoken = [r for r in rows if r[2] is not None]
    assert len(spoken) == 3 and len(rows) == 4  # the title line was not read
    for (p, k, start, end, status), s in zip(rows, sentences):
        assert f"podium-{status}" in s["class"].split()
        if start is None:
            assert "data-start" not in s and "data-end" not in s
        else:
            assert float(s["data-start"]) == start and float(s["data-end"]) == end > start
    # a copyable link to each spoken sentence's moment
    links = [a["href"] for a in elements(page, "podium-slink")]
    assert links == [f"/meeting/seed#t={start:g}" for _, _, start, _, _ in spoken]
    # paragraphs keep their time links; the player has its speeds; the 'back to now' button waits hidden
    assert [a["href"] for a in elements(page, "podium-time")] == [f"#t={start:g}" for _, _, start, _, _ in spoken]
    speeds = re.search(r'<select id="podium-speed">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="([0-9.]+)"', speeds) == ["0.75", "1", "1.25", "1.5", "2"]
    assert 'value="1" selected' in speeds
    assert "hidden" in elements(page, "podium-back")[0]
    # every sentence spoken and heard in full (the title line not spoken): nothing to check, so no count line
    assert not elements(page, "podium-to-check") and "podium-check-line" not in page and "待核对" not in page


async def test_meeting_page_timeline(site):
    ds, db = site
    page = (await ds.client.get("/meeting/seed", headers={"Accept-Language": "zh-CN"})).text
    duration = sqlite3.connect(db).execute("select duration from meetings where id = 'seed'").fetchone()[0]
    spoken = sqlite3.connect(db).execute("select start, [end] from sentences where meeting_id = 'seed' "
                                         "and start is not null order by start").fetchall()
    timeline = elements(page, "podium-timeline")[0]
    assert float(timeline["data-duration"]) == pytest.approx(duration) and timeline["role"] == "slider"
    bands = elements(page, "podium-band")
    assert [b["data-kind"] for b in bands] == ["spoken"] * 3  # one per sentence: 0.35 s apart, far from touching
    previous_end = 0.0
    for band, (start, end) in zip(bands, spoken):
        left, width = band_box(band)
        assert 0 <= left and width > 0 and left + width <= 100.5
        assert left == pytest.approx(start / duration * 100, abs=0.01)
        assert width == pytest.approx((end - start) / duration * 100, abs=0.01)
        assert left >= previous_end
        previous_end = left + width
        assert f"podium-band-{band['data-kind']}" in band["class"].split()
    assert elements(page, "podium-playhead")
    legend = page.split('<ul class="podium-legend"')[1].split("</ul>")[0]
    for label in ("已讲", "部分讲述", "脱稿", "间隙", "未讲：1 句"):
        assert label in legend
    for kind in ("spoken", "partial", "unscripted", "gap"):
        assert f"podium-band-{kind}" in legend


@pytest.mark.parametrize("language, labels", [
    ("zh-CN,zh", ["播放速度", "时间轴", "图例", "已讲", "部分讲述", "脱稿", "回到当前", "点击句子即从该处播放",
                  "本句链接"]),
    ("en-US,en", ["Speed", "Timeline", "Legend", "spoken", "partly spoken", "off-script", "Back to now",
                  "Click a sentence to play", "Link to this sentence"]),
])
async def test_meeting_page_labels_in_both_languages(site, language, labels):
    ds, _ = site
    page = (await ds.client.get("/meeting/seed", headers={"Accept-Language": language})).text
    for label in labels:
        assert label in page, label
    other = "Back to now" if language.startswith("zh") else "回到当前"
    assert other not in page


async def test_meeting_page_partial_and_unscripted_bands(site, tmp_path):
    """A partly spoken sentence and an off-script passage: their own bands, and the passage in place with its times."""
    _, db = site
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    conn.execute("update sentences set status = 'partial' where meeting_id = 'seed' and paragraph_seq = 2")
    conn.execute("insert into unscripted (id, meeting_id, start, [end], start_hms, end_hms, text, speech_id) values "
                 "('seed_u0000', 'seed', 4.86, 5.16, '00:00:04.860', '00:00:05.160', '<b>大家好</b>', 'seed_s00')")
    conn.commit()
    conn.close()
    page = (await make_datasette(copy).client.get("/meeting/seed")).text
    bands = elements(page, "podium-band")
    assert [b["data-kind"] for b in bands] == ["spoken", "unscripted", "partial", "spoken"]
    assert all(0 <= band_box(b)[0] and sum(band_box(b)) <= 100.5 for b in bands)
    passage = [e for e in elements(page, "podium-unscripted") if "data-start" in e]
    assert [(float(e["data-start"]), float(e["data-end"])) for e in passage] == [(4.86, 5.16)]
    assert "&lt;b&gt;大家好&lt;/b&gt;" in page and "<b>大家好" not in page
    partial = [s for s in elements(page, "podium-sentence") if s["id"] == "s-2-0"][0]
    assert "podium-partial" in partial["class"] and "data-start" in partial
    assert "podium-to-check" in partial["class"].split()  # partly spoken: to check


def archive_with(db, tmp_path, updates: dict[str, tuple[str, float | None]]):
    """A copy of the site archive in which the sentences named ("s-<paragraph>-<sentence>") of the seed
    meeting have the given (status, confidence)."""
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    for name, (status, confidence) in updates.items():
        paragraph, sentence = map(int, name.split("-")[1:])
        conn.execute("update sentences set status = ?, confidence = ? where meeting_id = 'seed' and "
                     "paragraph_seq = ? and seq = ?", [status, confidence, paragraph, sentence])
    conn.commit()
    conn.close()
    return make_datasette(copy)


@pytest.mark.parametrize("status, confidence, marked, title", [
    ("spoken", 0.3, True, "待核对 · 已讲 · 置信度 0.30"),  # heard with low confidence
    ("estimated", 0.9, True, "待核对 · 可能已讲但无把握，时间为估计 · 置信度 0.90"),
    ("partial", 0.8, True, "待核对 · 部分讲述 · 置信度 0.80"),
    ("spoken", 0.95, False, None),
])
async def test_sentences_to_check_are_marked(site, tmp_path, status, confidence, marked, title):
    _, db = site
    ds = archive_with(db, tmp_path, {"s-2-0": (status, confidence)})
    page = (await ds.client.get("/meeting/seed", headers={"Accept-Language": "zh-CN"})).text
    sentence = [s for s in elements(page, "podium-sentence") if s["id"] == "s-2-0"][0]
    assert ("podium-to-check" in sentence["class"].split()) is marked
    assert sentence.get("title") == title  # its status and confidence; none on a sentence spoken in full
    mark = re.search(r'id="s-2-0"[^>]*>([^<]*)(<small class="podium-check-mark">([^<]*)</small>)?', page)
    assert mark.group(1) == "对于乡镇干部来讲，党委书记是用人的，不是树威的。" and (mark.group(3) == "待核对") is marked
    assert len(elements(page, "podium-check-mark")) == int(marked)
    if marked:
        assert re.search(r'class="podium-check-count">1 句待核对<', page)
        assert elements(page, "podium-next-check")[0]["type"] == "button"
    else:
        assert "podium-check-line" not in page and "podium-next-check" not in page and "待核对" not in page


async def test_meeting_page_counts_the_sentences_to_check(site, tmp_path):
    """Low confidence and estimated: marked; spoken in full: not; not spoken (confidence 0): never to check.
    The count line says how many, in the page's language, with the button that walks through them."""
    from podium.alignment import to_check

    _, db = site
    ds = archive_with(db, tmp_path, {"s-1-0": ("spoken", 0.3), "s-2-0": ("estimated", 0.7),
                                     "s-0-0": ("not_spoken", 0.0)})
    zh = (await ds.client.get("/meeting/seed", headers={"Accept-Language": "zh-CN"})).text
    marked = [s["id"] for s in elements(zh, "podium-sentence") if "podium-to-check" in s["class"].split()]
    assert marked == ["s-1-0", "s-2-0"]  # not s-3-0 (spoken, confidence 1) nor s-0-0 (not spoken)
    assert [s["id"] for s in elements(zh, "podium-to-check")] == marked
    rows = sqlite3.connect(ds.get_database("archive").path).execute(
        "select paragraph_seq, seq, status, confidence from sentences where meeting_id = 'seed'").fetchall()
    assert sorted(marked) == sorted(f"s-{p}-{k}" for p, k, status, c in rows if to_check(status, c))
    assert re.search(r'class="podium-check-count">2 句待核对<', zh)
    button = elements(zh, "podium-next-check")[0]
    assert button["id"] == "podium-next-check" and button["aria-keyshortcuts"] == "n"
    assert "下一处待核对" in zh and "N 键：下一处待核对" in zh.split('class="podium-hint"')[1].split("</p>")[0]
    assert re.findall(r'class="podium-check-mark">([^<]*)<', zh) == ["待核对", "待核对"]
    low = [s for s in elements(zh, "podium-sentence") if s["id"] == "s-1-0"][0]
    assert low["title"] == "待核对 · 已讲 · 置信度 0.30"
    en = (await ds.client.get("/meeting/seed", headers={"Accept-Language": "en"})).text
    assert re.search(r'class="podium-check-count">2 sentences to check<', en)
    assert "Next to check" in en and "待核对" not in en
    assert re.findall(r'class="podium-check-mark">([^<]*)<', en) == ["to check", "to check"]
    assert [s for s in elements(en, "podium-sentence") if s["id"] == "s-1-0"][0]["title"] == \
        "to check · spoken · confidence 0.30"


def test_timeline_bands_join_clamp_and_count():
    from podium.publish.meeting import build_timeline

    def sentence(status, start, end):
        return {"status": status, "start": start, "end": end}

    sentences = [sentence("spoken", 0.0, 10.0), sentence("spoken", 10.05, 20.0), sentence("partial", 30.0, 40.0),
                 sentence("not_spoken", None, None), sentence("spoken", 50.0, 60.0)]
    timeline = build_timeline(100.0, sentences, [{"start": 40.0, "end": 45.0, "speech_id": "m_s00"},
                                                 {"start": 90.0, "end": 95.0, "speech_id": None}])
    assert timeline["duration"] == 100.0 and timeline["not_spoken"] == 1
    assert [(b["kind"], b["start"], b["end"], b["left"], b["width"]) for b in timeline["bands"]] == [
        ("spoken", 0.0, 20.0, 0.0, 20.0),  # 0.05 s apart: one band
        ("partial", 30.0, 40.0, 30.0, 10.0),
        ("unscripted", 40.0, 45.0, 40.0, 5.0),
        ("spoken", 50.0, 60.0, 50.0, 10.0),
        ("host", 90.0, 95.0, 90.0, 5.0),  # outside every speech
    ]
    # a sentence ending after the recording's stated length stretches the bar instead of leaving it
    longer = build_timeline(50.0, sentences, [])
    assert longer["duration"] == 60.0 and longer["bands"][-1]["left"] + longer["bands"][-1]["width"] <= 100.0
    assert build_timeline(None, [sentence("not_spoken", None, None)], []) == {
        "duration": 0.0, "bands": [], "speeches": [], "not_spoken": 1}


async def test_play_control_in_tables(site):
    ds, _ = site
    page = await ds.client.get("/archive/sentences?meeting_id=seed")
    assert 'class="podium-play" data-src="/media/seed"' in page.text
    assert "/meeting/seed#t=" in page.text


async def test_table_csv_streams_every_row_with_optional_bom(site):
    ds, db = site
    ds._settings["max_returned_rows"] = 2  # far fewer than the table holds
    try:
        full = await ds.client.get("/archive/sentences.csv?_stream=on&_size=max")
        with_bom = await ds.client.get("/archive/sentences.csv?_stream=on&_size=max&_bom=1")
    finally:
        ds._settings["max_returned_rows"] = 1000
    count = sqlite3.connect(db).execute("select count(*) from sentences").fetchone()[0]
    rows = list(csv.DictReader(io.StringIO(full.text)))
    assert count > 2 and len(rows) == count
    assert {"meeting_id", "seq", "start", "end", "start_hms", "end_hms", "status", "text"} <= set(rows[0])
    assert not full.content.startswith(b"\xef\xbb\xbf")
    assert with_bom.content.startswith(b"\xef\xbb\xbf") and with_bom.content[3:] == full.content


async def test_search_csv_exports_all_results(site):
    ds, _ = site
    data = await search(ds, q="的", size=200)
    exported = await ds.client.get("/search.csv", params={"q": "的", "_bom": "1"})
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == len(data["rows"]) == 2 and rows[0]["start_hms"].count(":") == 2


async def test_media_route_answers_ranges(site):
    ds, db = site
    size = next((db.parent / "media").glob("seed-*.mp3")).stat().st_size
    full = await ds.client.get("/media/seed")
    assert full.status_code == 200 and len(full.content) == size
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "audio/mpeg"
    part = await ds.client.get("/media/seed", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    suffix = await ds.client.get("/media/seed", headers={"Range": "bytes=-50"})
    assert suffix.status_code == 206 and len(suffix.content) == 50 and suffix.content == full.content[-50:]
    bad = await ds.client.get("/media/seed", headers={"Range": f"bytes={size + 10}-"})
    assert bad.status_code == 416


@pytest.mark.parametrize("path", ["/media/nope", "/media/..%2Fmy-archive.db", "/media/%2Fetc%2Fpasswd",
                                  "/media/%2E%2E", "/media/seed%00"])
async def test_media_route_serves_only_archived_media(site, path):
    ds, _ = site
    response = await ds.client.get(path)
    assert response.status_code == 404


async def test_immutable_deployment_counts_rows_once(site):
    _, db = site
    ds = make_datasette(db, immutable=True)
    database = ds.get_database("archive")
    assert not database.is_mutable
    counts = await database.table_counts()
    assert counts["sentences"] == sqlite3.connect(db).execute("select count(*) from sentences").fetchone()[0]
    assert (await ds.client.get("/search.json?q=硬仗")).json()["rows"]


async def test_public_site_headers_and_read_only_bounded_sql(site):
    ds, db = site
    page = await ds.client.get("/meeting/seed")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    before = sqlite3.connect(db).execute("select count(*) from meetings").fetchone()[0]
    write = await ds.client.get("/archive.json", params={"sql": "delete from meetings"})
    assert write.status_code == 400
    assert sqlite3.connect(db).execute("select count(*) from meetings").fetchone()[0] == before
    slow = await ds.client.get("/archive.json", params={
        "sql": "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"})
    assert slow.status_code == 400 and "interrupted" in slow.text.lower()


async def test_media_route_does_not_follow_links_out_of_media(site, tmp_path):
    """Even a media_path that points at a symlink in media/ leading elsewhere is not served."""
    _, db = site
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    link = db.parent / "media" / "evil.mp3"
    link.symlink_to(secret)
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    (tmp_path / "media").symlink_to(db.parent / "media", target_is_directory=True)
    conn = sqlite3.connect(copy)
    conn.execute("update meetings set media_path = 'media/evil.mp3' where id = 'en'")
    conn.commit()
    conn.close()
    try:
        response = await make_datasette(copy).client.get("/media/en")
        assert response.status_code == 404 and b"not for the web" not in response.content
    finally:
        link.unlink()


async def test_home_lists_every_meeting_newest_first_with_links(site):
    ds, _ = site
    page = await ds.client.get("/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    links = re.findall(r'href="/meeting/([^"]+)"', page.text)
    assert links == ["seed", "en"]  # 2024 before 2023
    assert "会议录音档案" in page.text and 'href="/archive"' in page.text and "<script>alert(1)" not in page.text
    english = await ds.client.get("/", headers={"Accept-Language": "en"})
    assert "Meeting archive" in english.text and "Off-script passages" in english.text


@pytest.mark.parametrize("params", [
    {"q": "乡镇", "page": "99999999999999999999"}, {"q": "乡镇", "page": "-1"}, {"q": "乡镇", "page": "0"},
    {"q": "乡镇", "size": "100000000"}, {"q": "乡镇", "date_from": "2022-13-45"}, {"q": "乡镇", "kind": "zzz"},
    {"q": "乡镇", "meeting": "../x"},
])
async def test_bad_search_parameters_are_refused_with_a_reason(site, params):
    ds, _ = site
    for path in ("/search.json", "/search.csv"):
        response = await ds.client.get(path, params=params)
        assert response.status_code == 400 and list(params)[-1] in response.json()["error"], path
    page = await ds.client.get("/search", params=params)
    assert page.status_code == 400 and "podium-error" in page.text


async def test_search_counts_hits_per_meeting_and_links_to_the_sentence(site):
    ds, _ = site
    page = await ds.client.get("/search", params={"q": "用人的"})
    assert 'href="/meeting/seed?s=2-0#t=' in page.text
    assert 'data-src="/search/facets?q=' in page.text  # the count comes from the facets page
    facets = await ds.client.get("/search/facets", params={"q": "用人的"})
    assert re.search(r'class="podium-total">1<', facets.text)
    quoted = await ds.client.get("/search", params={"q": '"用人的" OR'})
    assert quoted.status_code == 200 and "podium-note" in quoted.text


async def test_search_csv_has_status_speaker_and_the_url_of_the_moment(site):
    ds, _ = site
    response = await ds.client.get("/search.csv", params={"q": "用人的", "_bom": "1"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["status"] == "spoken" and row["speaker"] == SITE_SPEAKER
    assert row["url"].startswith("/meeting/seed?s=2-0#t=")


@pytest.mark.parametrize("path", ["/nope", "/archive/nope", "/archive/sentences/nope", "/meeting/nope"])
async def test_a_missing_page_is_a_404_page_not_a_crash(site, path):
    ds, _ = site
    page = await ds.client.get(path)
    assert page.status_code == 404 and "not found" in page.text.lower()


async def test_every_link_of_every_page_answers(site):
    """A crawler from the home page: every same-site link (two clicks deep, and every page those reach)
    must answer below 400."""
    ds, _ = site
    seen, frontier, failures = set(), ["/"], []
    for depth in range(3):
        found = []
        for url in frontier:
            if url in seen or len(seen) > 600:
                continue
            seen.add(url)
            response = await ds.client.get(url)
            if response.status_code >= 400:
                failures.append((url, response.status_code))
                continue
            if depth < 2 and "text/html" in response.headers.get("content-type", ""):
                for link in re.findall(r'(?:href|src)="(/[^"#]*)', response.text):
                    found.append(html.unescape(link))
        frontier = found
    assert len(seen) > 30
    assert failures == []


@pytest.mark.parametrize("path", ["/archive", "/archive/sentences", "/archive/meetings/seed"])
async def test_datasette_pages_speak_the_readers_language(site, path):
    ds, _ = site
    zh = (await ds.client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9"})).text
    assert ">首页<" in zh and "Data license" not in zh and "数据许可" in zh
    en = (await ds.client.get(path, headers={"Accept-Language": "en-GB"})).text
    assert ">home<" in en and "Data license" in en


@pytest.mark.parametrize("q, table, expected", [
    ("树", "sentences", ["seed_p0002_s000"]), ("硬仗", "sentences", ["seed_p0003_s000"]),
    ("戰鬥", "sentences", ["seed_p0003_s000"]), ("用人的", "paragraphs", ["seed_p0002"]),
    ("班子 关键", "paragraphs", ["seed_p0003"]), ("welcome", "sentences", ["en_p0000_s000"]),
    ("树仗", "sentences", []),  # both characters are in the text, but not side by side
])
async def test_table_pages_search_terms_of_any_length(site, q, table, expected):
    ds, _ = site
    data = (await ds.client.get(f"/archive/{table}.json", params={"_search": q, "_shape": "array"})).json()
    assert [r["id"] for r in data] == expected


async def test_search_csv_holds_every_match_the_page_counts_past_the_ranking_window(tmp_path):
    """More matches than the ranking looks at (RANK_WINDOW): the page counts them all, and the CSV, streamed
    a batch at a time, holds every one of them."""
    import sys
    from pathlib import Path

    from podium.publish.search import EXPORT_BATCH, RANK_WINDOW, facets, parse_query

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from benchmark_search import build

    db = tmp_path / "archive.db"
    build(db, 2 * RANK_WINDOW + 500, per_meeting=2_000)
    term = "的"  # in most sentences: the 5,000 newest matches are a fraction of them
    conn = sqlite3.connect(db)
    counted = facets(conn, parse_query({"q": term})).total  # what the search page says
    by_hand = conn.execute("select count(*) from sentences where text like ?", [f"%{term}%"]).fetchone()[0]
    conn.close()
    assert counted == by_hand and counted > RANK_WINDOW and counted > 2 * EXPORT_BATCH
    ds = make_datasette(db)
    page = await ds.client.get("/search", params={"q": term, "lang": "en"})
    assert "the ranking compares the newest 5,000" in page.text
    # a full window is ranked by how often the term occurs (more first), then shorter first
    hits = (await ds.client.get("/search.json", params={"q": term, "size": 200})).json()["rows"]
    order = [(-h["text"].count(term), len(h["text"])) for h in hits]
    assert len(hits) == 200 and order == sorted(order) and order[0] < order[-1]
    assert f">{counted}<" in (await ds.client.get("/search/facets", params={"q": term})).text
    exported = await ds.client.get("/search.csv", params={"q": term})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8"))))
    assert len(rows) == counted and all(term in r["text"] for r in rows)
    assert len({(r["meeting_id"], r["paragraph_seq"], r["sentence_seq"]) for r in rows}) == counted
