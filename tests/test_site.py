"""The published archive, in process: metadata, search, media with HTTP Range, CSV, meeting page."""

import csv
import html
import re
import shutil
import io
import sqlite3

import pytest

from conftest import HOSTILE_TITLE
from podium.publish import make_datasette


@pytest.fixture(scope="module")
def site(site_archive):
    return make_datasette(site_archive), site_archive


async def test_archive_is_published_as_archive_with_our_metadata(site):
    ds, _ = site
    home = await ds.client.get("/")
    assert home.status_code == 200 and "Podium" in home.text and "_memory" not in home.text
    data = (await ds.client.get("/archive/paragraphs.json?_shape=array&meeting_id=aishell&_sort=seq")).json()
    assert [p["seq"] for p in data] == [0, 1, 2, 3]
    search = (await ds.client.get("/archive/paragraphs.json?_search=社会热点&_shape=array")).json()
    assert [p["seq"] for p in search] == [3]


async def search(ds, **params):
    response = await ds.client.get("/search.json", params=params)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "q, expected",
    [
        ("钉", ("aishell", 2, 0)),  # 1 character: LIKE fallback
        ("热点", ("aishell", 3, 0)),  # 2 characters
        ("眼中钉", ("aishell", 2, 0)),  # 3 characters: FTS5 trigram
        ("地方政府的", ("aishell", 2, 0)),  # 5 characters
        ("廣州日報", ("aishell", 3, 0)),  # traditional script finds the simplified text
        ("Americans", ("jfk", 0, 0)),
        ("ask COUNTRY", ("jfk", 0, 0)),  # two terms, any case
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
    assert (await search(ds, q="的"))["rows"]  # in aishell
    assert not (await search(ds, q="的", meeting="jfk"))["rows"]
    assert not (await search(ds, q="的", date_from="2025-01-01"))["rows"]
    assert (await search(ds, q="的", date_to="2024-05-01"))["rows"]
    first = await search(ds, q="a", size=1)
    assert len(first["rows"]) == 1 and first["next"]
    second = (await ds.client.get(first["next"])).json()
    assert second["rows"] and second["rows"][0] != first["rows"][0]
    assert (await search(ds, q=""))["rows"] == []


async def test_search_page_escapes_and_highlights(site):
    ds, _ = site
    page = await ds.client.get("/search", params={"q": "热点"}, headers={"Accept-Language": "en-US,en"})
    assert page.status_code == 200
    assert "<mark>热点</mark>" in page.text and "Off-script" not in page.text.split("<ol")[1].split("</ol>")[0]
    assert "Search" in page.text and "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    zh = await ds.client.get("/search", params={"q": "热点"}, headers={"Accept-Language": "zh-CN,zh"})
    assert "搜索结果" in zh.text


async def test_meeting_page(site):
    ds, _ = site
    page = await ds.client.get("/meeting/aishell", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert '<audio id="podium-audio"' in page.text and 'src="/media/aishell"' in page.text
    assert page.text.count('class="podium-paragraph') == 4
    assert 'data-start="0.492"' in page.text or "data-start=" in page.text
    assert "podium-not_spoken" in page.text  # the title line was not read
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert (await ds.client.get("/meeting/nope")).status_code == 404


async def test_play_control_in_tables(site):
    ds, _ = site
    page = await ds.client.get("/archive/sentences?meeting_id=aishell")
    assert 'class="podium-play" data-src="/media/aishell"' in page.text
    assert "/meeting/aishell#t=" in page.text


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
    data = await search(ds, q="a", size=200)
    exported = await ds.client.get("/search.csv", params={"q": "a", "_bom": "1"})
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == len(data["rows"]) and rows[0]["start_hms"].count(":") == 2


async def test_media_route_answers_ranges(site):
    ds, db = site
    size = next((db.parent / "media").glob("aishell-*.mp3")).stat().st_size
    full = await ds.client.get("/media/aishell")
    assert full.status_code == 200 and len(full.content) == size
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "audio/mpeg"
    part = await ds.client.get("/media/aishell", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    suffix = await ds.client.get("/media/aishell", headers={"Range": "bytes=-50"})
    assert suffix.status_code == 206 and len(suffix.content) == 50 and suffix.content == full.content[-50:]
    bad = await ds.client.get("/media/aishell", headers={"Range": f"bytes={size + 10}-"})
    assert bad.status_code == 416


@pytest.mark.parametrize("path", ["/media/nope", "/media/..%2Fmy-archive.db", "/media/%2Fetc%2Fpasswd",
                                  "/media/%2E%2E", "/media/aishell%00"])
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
    assert (await ds.client.get("/search.json?q=热点")).json()["rows"]


async def test_public_site_headers_and_read_only_bounded_sql(site):
    ds, db = site
    page = await ds.client.get("/meeting/aishell")
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
    conn.execute("update meetings set media_path = 'media/evil.mp3' where id = 'jfk'")
    conn.commit()
    conn.close()
    try:
        response = await make_datasette(copy).client.get("/media/jfk")
        assert response.status_code == 404 and b"not for the web" not in response.content
    finally:
        link.unlink()


async def test_home_lists_every_meeting_newest_first_with_links(site):
    ds, _ = site
    page = await ds.client.get("/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    links = re.findall(r'href="/meeting/([^"]+)"', page.text)
    assert links == ["aishell", "jfk"]  # 2024 before 1961
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
    page = await ds.client.get("/search", params={"q": "眼中钉"})
    assert re.search(r'class="podium-total">1<', page.text)
    assert 'href="/meeting/aishell?s=2-0#t=' in page.text
    quoted = await ds.client.get("/search", params={"q": '"眼中钉" OR'})
    assert quoted.status_code == 200 and "podium-note" in quoted.text


async def test_search_csv_has_status_speaker_and_the_url_of_the_moment(site):
    ds, _ = site
    response = await ds.client.get("/search.csv", params={"q": "眼中钉", "_bom": "1"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["status"] == "spoken" and row["speaker"] == "AISHELL"
    assert row["url"].startswith("/meeting/aishell?s=2-0#t=")


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
