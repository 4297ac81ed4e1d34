"""The whole corpus to download (issue 20, item 8): `podium publish` builds OUT_DIR/download/ (the database as
served, every public table as CSV in a zip, a manifest with sizes, sha256, row counts, the build date and the
licence), and the public server lists it at /download and serves the files the manifest names, with Range."""

import csv
import hashlib
import http.client
import io
import json
import os
import re
import sqlite3
import tracemalloc
import urllib.parse
import zipfile
from html.parser import HTMLParser

import pytest

from conftest import ROOT, copy_archive, db_rows, podium, running_server
from podium import corrections, schema
from podium.publish import download, make_datasette
from podium.publish.copy import PublishError, publish_copy

STRUCK_BEFORE = "误识别的掌声乱码甲乙丙"  # an off-script passage as the machine heard it ...
STRUCK_AFTER = "编辑改过又删掉的丁戊己庚"  # ... its text as an editor corrected it, before striking it
KEPT_BEFORE = "主持人宣布会议开始"
KEPT_AFTER = "主持人宣布会议现在开始"  # a kept passage's corrected text: public, in the history too
LICENSE = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))["license"]


def _insert_passage(conn, seq: int, text: str) -> str:
    row = {"id": schema.unscripted_id("seed", seq), "meeting_id": "seed", "start": 0.1 * seq - 8.9,
           "end": 0.1 * seq - 8.8, "text": text, "struck": 0}
    conn.execute(f"insert into unscripted ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                 list(row.values()))
    schema.index_rows(conn, "unscripted", "id = ?", [row["id"]])
    return row["id"]


@pytest.fixture
def archive(site_archive, tmp_path):
    """The site archive with two off-script passages in meeting "seed", both corrected by an editor; the
    second then struck as misheard, so that both of its texts are in the editing archive's history."""
    db = copy_archive(site_archive, tmp_path / "editing")
    conn = sqlite3.connect(db, isolation_level=None)
    schema.add_functions(conn)
    with schema.transaction(conn):
        kept, struck = _insert_passage(conn, 90, KEPT_BEFORE), _insert_passage(conn, 91, STRUCK_BEFORE)
    corrections.apply(conn, [corrections.Edit("unscripted", kept, "text", KEPT_AFTER)], editor="李雷")
    corrections.apply(conn, [corrections.Edit("unscripted", struck, "text", STRUCK_AFTER)], editor="李雷",
                      reason="听错了")
    corrections.apply(conn, [corrections.Edit("unscripted", struck, "struck", 1)], editor="韩梅梅")
    conn.close()
    return db


@pytest.fixture
def published(archive, tmp_path):
    return publish_copy(archive, tmp_path / "public")



def _manifest(result) -> dict:
    return json.loads((result.download.folder / download.MANIFEST).read_text(encoding="utf-8"))


def _zip_path(result):
    return result.download.folder / f"{result.db.stem}-csv.zip"


def _cell(value) -> str:
    return "" if value is None else str(value)


def test_every_schema_table_is_in_the_corpus_or_left_out_on_purpose():
    assert sorted(download.CORPUS_TABLES + tuple(download.LEFT_OUT)) == sorted(t.name for t in schema.TABLES)


def test_the_zip_holds_every_public_table_with_exactly_the_published_rows(published):
    with zipfile.ZipFile(_zip_path(published)) as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == sorted(["README.txt", *(f"{t}.csv" for t in download.CORPUS_TABLES)])
        for table in download.CORPUS_TABLES:
            with z.open(f"{table}.csv") as member:
                raw = member.read()
            assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM
            header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
            conn = sqlite3.connect(published.db)
            cursor = conn.execute(f"select * from [{table}] order by rowid")
            assert header == [d[0] for d in cursor.description]
            expected = [[_cell(v) for v in row] for row in cursor]
            conn.close()
            assert rows == expected and rows  # every row, every column, as the database has it
        readme = z.read("README.txt").decode("utf-8")
    assert LICENSE in readme and "changes" in readme
    assert db_rows(published.db, "select count(*) from unscripted where text = ?", [KEPT_AFTER]) == [(1,)]


def test_struck_text_is_nowhere_in_the_database_the_zip_or_the_history(archive, published):
    # the editing archive keeps both texts of the struck passage, in its row and its history
    assert db_rows(archive, "select count(*) from changes where old like ? or new like ?",
                 [f"%{STRUCK_BEFORE}%", f"%{STRUCK_AFTER}%"]) == [(1,)]
    assert published.struck == 1 and published.history_left_out == 2  # its text correction and its strike
    folder = published.download.folder
    for path in (published.db, folder / published.db.name, folder / download.MANIFEST):
        data = path.read_bytes()
        for text in (STRUCK_BEFORE, STRUCK_AFTER, STRUCK_BEFORE[-3:], STRUCK_AFTER[-4:]):
            assert text.encode() not in data, (path, text)
    with zipfile.ZipFile(_zip_path(published)) as z:
        for name in z.namelist():
            content = z.read(name).decode("utf-8")
            assert STRUCK_BEFORE not in content and STRUCK_AFTER not in content
    # the kept passage's correction is still in the public history, with its editor
    assert db_rows(published.db, "select editor, old, new from changes where table_name = 'unscripted'") == [
        ("李雷", json.dumps(KEPT_BEFORE, ensure_ascii=False), json.dumps(KEPT_AFTER, ensure_ascii=False))]
    assert not db_rows(published.db, "select * from changes where editor = '韩梅梅' or reason = '听错了'")


def test_history_of_a_struck_passage_renumbered_by_a_realignment_is_left_out(archive, tmp_path):
    """A re-alignment numbers passages anew: the struck passage's history may name an ID it no longer has."""
    conn = sqlite3.connect(archive, isolation_level=None)
    with schema.transaction(conn):
        old_id = schema.unscripted_id("seed", 91)
        conn.execute("update unscripted set id = ? where id = ?", [schema.unscripted_id("seed", 95), old_id])
    conn.close()
    result = publish_copy(archive, tmp_path / "public")
    assert result.history_left_out == 2
    assert STRUCK_BEFORE.encode() not in result.db.read_bytes()


def test_the_manifest_gives_true_sizes_digests_row_counts_and_the_licence(published):
    folder, manifest = published.download.folder, _manifest(published)
    assert manifest["license"] == LICENSE and manifest["format"] == download.FORMAT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["built"])
    names = [f["name"] for f in manifest["files"]]
    assert names == [published.db.name, f"{published.db.stem}-csv.zip"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, download.MANIFEST])  # no temporary left
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["built"] == manifest["built"]
        tables = list(download.CORPUS_TABLES) + (["changes"] if entry["kind"] == "database" else [])
        assert entry["rows"] == {t: db_rows(published.db, f"select count(*) from [{t}]")[0][0] for t in tables}
    assert {e["media_type"] for e in manifest["files"]} == {"application/vnd.sqlite3", "application/zip"}
    # the database to download is the file the public server serves: the same file, not a second copy on disk
    assert os.path.samefile(folder / published.db.name, published.db)
    assert manifest["files"][0]["rows"]["unscripted"] == len(db_rows(published.db, "select 1 from unscripted"))


def test_publishing_an_unchanged_archive_keeps_the_download_and_a_changed_one_rebuilds_it(archive, tmp_path,
                                                                                          published):
    zip_path = _zip_path(published)
    before, manifest_before = zip_path.stat(), _manifest(published)
    again = publish_copy(archive, tmp_path / "public")
    assert not again.download.rebuilt and _manifest(again) == manifest_before
    assert zip_path.stat().st_ino == before.st_ino and zip_path.stat().st_mtime_ns == before.st_mtime_ns
    assert os.path.samefile(again.download.folder / again.db.name, again.db)  # linked to the new copy
    # a zip damaged on disk is noticed and built again
    with open(zip_path, "r+b") as f:
        f.seek(40)
        f.write(b"\0")
    assert publish_copy(archive, tmp_path / "public").download.rebuilt
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == _manifest(again)["files"][1]["sha256"]
    # a change to the archive: built again, with the new rows
    conn = sqlite3.connect(archive, isolation_level=None)
    schema.add_functions(conn)
    with schema.transaction(conn):
        _insert_passage(conn, 92, "新增的一段脱稿内容")
    conn.close()
    changed = publish_copy(archive, tmp_path / "public")
    assert changed.download.rebuilt
    rows = _manifest(changed)["files"][1]["rows"]
    assert rows["unscripted"] == manifest_before["files"][1]["rows"]["unscripted"] + 1
    with zipfile.ZipFile(zip_path) as z:
        assert "新增的一段脱稿内容" in z.read("unscripted.csv").decode("utf-8")


def test_a_download_that_cannot_be_written_leaves_the_previous_one_whole(archive, tmp_path, published, monkeypatch):
    folder, manifest = published.download.folder, _manifest(published)
    conn = sqlite3.connect(archive, isolation_level=None)
    schema.add_functions(conn)
    with schema.transaction(conn):
        _insert_passage(conn, 93, "又一段脱稿内容")
    conn.close()

    def full_disk(conn, path, **options):
        path.write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(download, "_write_zip", full_disk)
    with pytest.raises(PublishError, match="download was not built: .*No space left"):
        publish_copy(archive, tmp_path / "public")
    assert _manifest(published) == manifest and sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f["name"] for f in manifest["files"]), download.MANIFEST])
    for entry in manifest["files"]:  # the old files, as the old manifest describes them
        assert hashlib.sha256((folder / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]


def test_csv_writing_streams_in_bounded_memory(published, tmp_path):
    """Rows are read, written and compressed a batch at a time: the Python heap does not grow with the table
    (the rows below are ~40 MB as Python strings; fetching them at once would hold them all)."""
    db = tmp_path / "big" / "big.db"
    db.parent.mkdir()
    db.write_bytes(published.db.read_bytes())
    conn = sqlite3.connect(db, isolation_level=None)
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger [{name}]")  # the search index is not what this measures
    conn.execute("with recursive n(i) as (select 0 union all select i + 1 from n where i < 39999) "
                 "insert into sentences (id, meeting_id, paragraph_id, paragraph_seq, seq, text, status) "
                 "select printf('big_p%06d_s000', i), 'seed', 'seed_p0000', 900000 + i, 0, "
                 "printf('%06d', i) || substr(replace(hex(zeroblob(250)), '00', '会议'), 1, 500), 'spoken' from n")
    conn.close()
    tracemalloc.start()
    try:
        result = download.build_download(db, license=LICENSE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.files[1]["rows"]["sentences"] >= 40000
    assert peak < 8_000_000, f"{peak / 1e6:.1f} MB at the peak"
    with zipfile.ZipFile(result.folder / "big-csv.zip") as z:
        assert z.getinfo("sentences.csv").file_size > 40_000 * 500


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("http://", "https://", "#")):
            self.links.append(href)


async def test_the_download_page_lists_the_files_and_every_link_answers(published):
    ds = make_datasette(published.db, immutable=True)
    manifest = _manifest(published)
    for lang, words in (("zh", ("下载全部数据", "数据许可", "生成时间")), ("en", ("Download the whole corpus", "Built"))):
        page = await ds.client.get(f"/download?lang={lang}")
        assert page.status_code == 200
        for word in words:
            assert word in page.text
        assert LICENSE.split(" · ")[0] in page.text or LICENSE in page.text
        for entry in manifest["files"]:
            assert entry["name"] in page.text and entry["sha256"] in page.text
            assert download.human_size(entry["bytes"]) in page.text
            assert f"{entry['rows']['sentences']:,}" in page.text
        assert manifest["built"][:10] in page.text
        parser = _Links()
        parser.feed(page.text)
        assert {f"/download/{e['name']}" for e in manifest["files"]} <= set(parser.links)
        for link in parser.links:
            answer = await ds.client.get(link)
            assert answer.status_code == 200, link
    assert (await ds.client.get("/download.json")).json() == manifest


async def test_a_file_is_served_whole_or_in_ranges_only_if_the_manifest_names_it(published):
    ds = make_datasette(published.db, immutable=True)
    folder = published.download.folder
    for entry in _manifest(published)["files"]:
        data = (folder / entry["name"]).read_bytes()
        whole = await ds.client.get(f"/download/{entry['name']}")
        assert whole.status_code == 200 and whole.content == data
        assert whole.headers["content-type"] == entry["media_type"]
        assert whole.headers["content-disposition"] == f'attachment; filename="{entry["name"]}"'
        assert whole.headers["accept-ranges"] == "bytes" and int(whole.headers["content-length"]) == len(data)
        part = await ds.client.get(f"/download/{entry['name']}", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == data[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
        # the ETag is the content's sha256: a resumed download of another publish's file starts over
        assert whole.headers["etag"] == f'"{entry["sha256"]}"' and whole.headers["cache-control"] == "no-cache"
        resumed = await ds.client.get(f"/download/{entry['name']}",
                                      headers={"Range": "bytes=100-199", "If-Range": f'"{entry["sha256"]}"'})
        assert resumed.status_code == 206 and resumed.content == data[100:200]
        stale = await ds.client.get(f"/download/{entry['name']}", headers={"Range": "bytes=100-199",
                                                                            "If-Range": f'"{"0" * 64}"'})
        assert stale.status_code == 200 and stale.content == data
    (folder / "notes.txt").write_text("not in the manifest")
    for name in ("manifest.json", "notes.txt", "nope.zip", ".archive.db.building", "%2e%2e%2fx"):
        assert (await ds.client.get(f"/download/{name}")).status_code == 404, name


async def test_a_server_of_an_unpublished_archive_says_how_to_build_the_download(site_archive):
    ds = make_datasette(site_archive, immutable=True)
    for lang in ("zh", "en"):
        page = await ds.client.get(f"/download?lang={lang}")
        assert page.status_code == 200
        # in both languages at once, whichever the reader's
        assert "podium publish OUT_DIR" in page.text and "本站尚未生成下载文件" in page.text
        assert "No download has been built" in page.text
    for path in ("/download/my-archive.db", "/download/my-archive-csv.zip", "/download/x", "/download.json"):
        assert (await ds.client.get(path)).status_code == 404, path


def test_publish_names_the_downloads_and_the_public_server_serves_them(archive, tmp_path):
    out = tmp_path / "site"
    done = podium("publish", str(out), "--db", str(archive), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy, folder = out / archive.name, out / "download"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert f"{folder / entry['name']}: {download.human_size(entry['bytes'])}" in done.stdout
    assert f"{folder / 'manifest.json'}" in done.stdout and "/download" in done.stdout
    zip_entry = manifest["files"][1]
    data = (folder / zip_entry["name"]).read_bytes()
    with running_server(copy, "--immutable") as base:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")

        def get(path, headers=None):
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                connection.request("GET", path, headers=headers or {})  # the path sent as written: no clean-up
                answer = connection.getresponse()
                return answer.status, dict(answer.getheaders()), answer.read()
            finally:
                connection.close()

        status, headers, body = get("/download")
        assert status == 200 and zip_entry["sha256"].encode() in body
        status, headers, body = get(f"/download/{zip_entry['name']}", {"Range": "bytes=0-9"})
        assert status == 206 and body == data[:10] and headers["content-type"] == "application/zip"
        status, headers, body = get(f"/download/{zip_entry['name']}")
        assert status == 200 and hashlib.sha256(body).hexdigest() == zip_entry["sha256"]
        assert headers["content-disposition"].startswith("attachment")
        # a path that climbs out of download/ is refused, however it is written
        for path in ("/download/../archive.db", "/download/%2e%2e/archive.db", "/download/..%2farchive.db",
                     "/download/%2e%2e%2farchive.db", "/download/%2E%2E%2F..%2F" + archive.name,
                     "/download/..%5c" + archive.name, "/download/manifest.json", "/download/nope.zip"):
            status, headers, body = get(path)
            for _ in range(3):  # Datasette redirects %-escapes to its ~-escapes: follow to the final answer
                if status not in (301, 302):
                    break
                status, headers, body = get(headers["Location"])
            assert status in (400, 404), (path, status, headers)
            assert not body.startswith(b"SQLite format 3"), path
