"""`podium publish OUT_DIR`: a clean read-only copy for the public server (issue 19, item 2): VACUUM INTO,
struck off-script passages left out (their text gone from the file, not only from the rows), search indexes
rebuilt, the meetings' web copies alongside; served by `podium serve --immutable`."""

import json
import sqlite3
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import archive_checksum, copy_archive, db_rows, podium, running_server
from podium import schema
from podium.cli import main as cli
from podium.publish import make_datasette
from podium.publish.copy import PublishError, publish_copy

STRUCK_TEXT = "误识别的掌声乱码甲乙丙"  # a passage an editor struck as misheard
KEPT_TEXT = "主持人宣布会议开始了"


@pytest.fixture
def archive(site_archive, tmp_path):
    """A copy of the site archive with two off-script passages in meeting "seed": one kept, one struck."""
    db = copy_archive(site_archive, tmp_path / "editing")
    conn = sqlite3.connect(db, isolation_level=None)
    schema.add_functions(conn)
    with schema.transaction(conn):
        has_struck = "struck" in {r[1] for r in conn.execute("pragma table_info(unscripted)")}
        for seq, (text, struck) in enumerate(((KEPT_TEXT, 0), (STRUCK_TEXT, 1)), start=90):
            row = {"id": schema.unscripted_id("seed", seq), "meeting_id": "seed", "start": 0.1 * seq - 8.9,
                   "end": 0.1 * seq - 8.8, "text": text}
            if has_struck:
                row["struck"] = struck
            conn.execute(f"insert into unscripted ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                         list(row.values()))
            schema.index_rows(conn, "unscripted", "id = ?", [row["id"]])
    conn.close()
    if not has_struck:
        pytest.skip("the archive's schema has no struck passages yet")
    return db



async def test_publish_leaves_out_struck_passages_everywhere(archive, tmp_path):
    before = archive_checksum(archive)
    result = publish_copy(archive, tmp_path / "public")
    assert archive_checksum(archive) == before  # the archive itself is untouched
    copy = tmp_path / "public" / archive.name
    assert result.db == copy and result.struck == 1 and result.meetings == 2
    assert db_rows(copy, "select text from unscripted where meeting_id = 'seed' and text in (?, ?)",
                 [KEPT_TEXT, STRUCK_TEXT]) == [(KEPT_TEXT,)]
    assert db_rows(copy, "select count(*) from unscripted where struck = 1") == [(0,)]
    assert STRUCK_TEXT.encode() not in copy.read_bytes()  # not left behind in a free page either
    assert db_rows(copy, "pragma journal_mode") == [("delete",)]  # one file
    assert not list((tmp_path / "public").glob(".*"))  # nothing half-written left beside it
    # both search indexes were rebuilt from the rows kept
    assert db_rows(copy, "select count(*) from unscripted_fts where unscripted_fts match ?", [f'"{STRUCK_TEXT[:4]}"']) \
        == [(0,)]
    assert db_rows(copy, "select count(*) from unscripted_chars where unscripted_chars match ?",
                 [schema.char_phrase("甲乙丙")]) == [(0,)]
    assert db_rows(copy, "select count(*) from unscripted_chars where unscripted_chars match ?",
                 [schema.char_phrase("宣布")]) == [(1,)]
    # sentences and paragraphs as they were
    for table in ("meetings", "speeches", "paragraphs", "sentences"):
        assert db_rows(copy, f"select * from [{table}] order by 1") == db_rows(archive, f"select * from [{table}] order by 1")
    # the web copies the meetings name, and nothing else from the archive's folder
    named = sorted(r[0] for r in db_rows(archive, "select media_path from meetings"))
    assert sorted(str(p.relative_to(copy.parent)) for p in (copy.parent / "media").iterdir()) == named
    assert sorted(p.name for p in copy.parent.iterdir()) == [archive.name, "download", "media"]  # tests/test_download.py
    for path in named:
        assert (copy.parent / path).read_bytes() == (archive.parent / path).read_bytes()
    # served immutable (in process here): the struck passage is on no page and in no search
    ds = make_datasette(copy, immutable=True)
    assert STRUCK_TEXT not in (await ds.client.get("/meeting/seed")).text
    assert (await ds.client.get("/search.json", params={"q": "甲乙丙"})).json()["rows"] == []
    assert (await ds.client.get("/archive/unscripted.json", params={"_search": "甲乙丙"})).json()["rows"] == []
    assert len((await ds.client.get("/search.json", params={"q": "宣布"})).json()["rows"]) == 1
    # publishing again replaces the copy (the web copies already there are kept)
    again = publish_copy(archive, tmp_path / "public")
    assert again.struck == 1 and len(again.media) == len(named)


def test_publish_refuses_the_archives_own_folder(archive, tmp_path):
    for out in (archive.parent, archive.parent / "media", archive.parent / "media" / "x"):
        with pytest.raises(PublishError, match="own folder"):
            publish_copy(archive, out)
    with pytest.raises(PublishError, match="no archive"):
        publish_copy(tmp_path / "nope.db", tmp_path / "public")
    result = CliRunner().invoke(cli, ["publish", str(archive.parent), "--db", str(archive)])
    assert result.exit_code == 1 and "own folder" in result.output and len(result.output.strip().splitlines()) == 1


def test_publish_refuses_an_archive_of_an_older_schema(archive, tmp_path):
    conn = sqlite3.connect(archive)
    conn.execute(f"pragma user_version = {schema.SCHEMA_VERSION - 1}")
    conn.commit()
    conn.close()
    with pytest.raises(schema.ArchiveVersionError, match="podium upgrade"):
        publish_copy(archive, tmp_path / "public")
    assert not (tmp_path / "public" / archive.name).exists()


def test_published_copy_is_served_by_serve_immutable(archive, tmp_path):
    out = tmp_path / "site"
    done = podium("publish", str(out), "--db", str(archive), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = out / archive.name
    assert f"{copy}: 2 meetings" in done.stdout and "1 struck left out" in done.stdout
    assert f"podium serve --immutable --db {copy}" in done.stdout
    with running_server(copy, "--immutable") as base:
        with urllib.request.urlopen(f"{base}/meeting/seed") as page:
            assert page.status == 200
            text = page.read().decode("utf-8")
            assert STRUCK_TEXT not in text and KEPT_TEXT in text
            assert "sign-in" not in text and "sign-out" not in text  # no editing on the public server
        with urllib.request.urlopen(f"{base}/media/seed") as audio:
            assert audio.status == 200 and audio.headers["content-type"] == "audio/mpeg"
        with urllib.request.urlopen(f"{base}/search.json?q=%E7%94%B2%E4%B9%99%E4%B8%99") as found:
            assert json.load(found)["rows"] == []
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/-/podium/sign-in")
        assert refused.value.code == 404
