"""One schema: metadata.json generated from it, archives created at its version, older archives upgraded,
newer ones refused; the package layout (one `podium` namespace) and the plugin under plain `datasette`."""

import ast
import functools
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from podium import schema
from podium.ingest import store
from podium.publish import make_datasette
from podium.publish.metadata import build_metadata


def test_metadata_json_is_generated_from_the_schema():
    assert json.loads((ROOT / "metadata.json").read_text(encoding="utf-8")) == build_metadata(), \
        "metadata.json is stale: run scripts/make_metadata.py"


def test_every_column_is_documented_in_both_languages():
    tables = build_metadata()["databases"]["archive"]["tables"]
    for table in schema.TABLES:
        assert table.zh and table.en
        assert list(tables[table.name]["columns"]) == table.column_names
        for column in table.columns:
            assert column.zh.strip() and column.en.strip(), (table.name, column.name)


def columns(conn, table):
    return [r[1] for r in conn.execute(f"pragma table_info([{table}])")]


def test_a_new_archive_has_the_schema_and_its_version(site_archive):
    conn = sqlite3.connect(site_archive)
    assert schema.version(conn) == schema.SCHEMA_VERSION
    for table in schema.TABLES:
        assert columns(conn, table.name) == table.column_names
    conn.close()


SCHEMAS = FIXTURES / "schemas"  # an archive of every earlier schema version, as SQL text
TITLE = "在2022年全县乡镇（街道）党（工）委书记座谈会上的发言"  # of the seed speech, which the archives hold


def archive_of_version(version: int, folder: Path) -> Path:
    """A fresh SQLite file holding the archive of schema `version` (tests/fixtures/schemas/v<version>.sql)."""
    db = folder / f"v{version}" / "archive.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    schema.add_functions(conn)  # versions 2 and 3 fill their character indexes with it
    conn.executescript((SCHEMAS / f"v{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    return db


def archive_version(db) -> int:
    conn = sqlite3.connect(db)
    try:
        return schema.version(conn)
    finally:
        conn.close()


def rows(db, table):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"select * from [{table}] order by id")]
    finally:
        conn.close()


def podium_tables(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [t.name for t in schema.TABLES
                if conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [t.name]).fetchone()]
    finally:
        conn.close()


def structure(db) -> dict:
    """An archive's schema as SQLite reports it, however it came to be (created or altered): every table's
    columns, foreign keys and indexes; the full-text tables' and the triggers' SQL."""
    def plain(sql):  # quoting and spacing are no part of the schema
        return " ".join(re.sub(r'["\[\]]', "", sql).lower().split())

    conn = sqlite3.connect(db)
    found = {}
    for kind, name, sql in conn.execute("select type, name, sql from sqlite_master where type in ('table', 'trigger')"):
        if kind == "trigger":
            found[name] = plain(sql)
            continue
        found[name] = {
            "columns": [r[1:] for r in conn.execute(f"pragma table_info([{name}])")],  # name, type, not null, default, pk
            "foreign keys": sorted(r[2:5] for r in conn.execute(f"pragma foreign_key_list([{name}])")),
            "indexes": sorted((r[1], r[2], [c[2] for c in conn.execute(f"pragma index_info([{r[1]}])")])
                              for r in conn.execute(f"pragma index_list([{name}])")),
            "virtual": plain(sql) if sql.lower().startswith("create virtual table") else None,
        }
    conn.close()
    return found


def write_closing_remarks(db: Path) -> None:
    """A new meeting, the seed speech's closing line, written as an ingest writes it (aligner, schema rows,
    store), its characters spread over 1-5 s: no audio needed."""
    from podium.alignment import Word, align

    text = "我就讲这么多，谢谢大家。\n"
    words = [Word(c, 1 + 0.3 * k, 1.3 + 0.3 * k) for k, c in enumerate(c for c in text if c.isalnum())]
    alignment = align(text, words, language="zh")
    meeting = {"id": "closing", "title": text.strip(), "language": "zh", "official_text": text, "engine": "none",
               "matched_share": alignment.matched_share, "duration": 5.0}
    store.write_meeting(db, schema.meeting_rows(meeting, schema.one_speech(meeting), alignment))


@pytest.mark.parametrize("version", sorted(int(p.stem[1:]) for p in SCHEMAS.glob("v*.sql")))
def test_an_archive_of_every_version_upgrades_with_every_row(tmp_path, version):
    db = archive_of_version(version, tmp_path)
    assert archive_version(db) == version
    before = {t: rows(db, t) for t in podium_tables(db)}
    assert [m["id"] for m in before["meetings"]] == ["zuotanhui", "zuotanhui-yi"]

    store.open_for_writing(db).close()  # what `podium upgrade`, ingest and align do
    assert archive_version(db) == schema.SCHEMA_VERSION
    after = {t: rows(db, t) for t in podium_tables(db)}
    assert {t: len(after[t]) for t in before} == {t: len(before[t]) for t in before}
    if version == 0:  # the ingest machine's paths, POSIX and Windows, no longer published: the names kept
        assert [m["source_path"] for m in after["meetings"]] == ["2022-01-21 座谈会.mp3", "0128 书记讲话.m4a"]
        for old, new in zip(before["meetings"], after["meetings"]):
            old["source_path"] = new["source_path"]
    assert {t: [{k: r[k] for k in before[t][0]} for r in after[t]] for t in before} == before  # every value kept

    if version < 3:  # each meeting became one speech, over its whole text, its times those of its sentences
        speeches = [(s["id"], s["title"], s["speaker"], s["start_hms"], s["end_hms"],
                     s["spoken"], s["partial"], s["estimated"], s["not_spoken"]) for s in after["speeches"]]
        first_paragraph = {p["meeting_id"]: p["text"] for p in after["paragraphs"] if p["seq"] == 0}
        assert speeches == [  # in the order of their IDs: "-" sorts before "_"
            ("zuotanhui-yi_s00", first_paragraph["zuotanhui-yi"], "乡镇党委书记", "00:00:01.470", "00:00:52.965",
             5, 1, 0, 0),
            ("zuotanhui_s00", TITLE, "乡镇党委书记", "00:00:05.100", "00:00:28.050", 3, 1, 0, 1),
        ]
        texts = {m["id"]: m["official_text"] for m in after["meetings"]}
        assert all(s["official_text"] == texts[s["meeting_id"]] for s in after["speeches"])
        for table in ("paragraphs", "sentences"):
            assert {r["speech_id"] for r in after[table]} == {"zuotanhui_s00", "zuotanhui-yi_s00"}
            assert all(r["speech_id"] == r["meeting_id"] + "_s00" for r in after[table])
        # the host before and after the speech is outside it; an ad-lib during it is in it
        assert [u["speech_id"] for u in after["unscripted"]] == [None, "zuotanhui_s00", None]
        assert [m["voiced_coverage"] for m in after["meetings"]] == [None, None]

    fresh = tmp_path / "fresh.db"
    schema.create_archive(fresh)
    assert structure(db) == structure(fresh)  # the frozen steps end where today's tables begin

    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    for table in ("paragraphs", "sentences", "unscripted"):  # the trigram indexes agree with the rows
        conn.execute(f"insert into [{table}_fts] ([{table}_fts]) values ('integrity-check')")
    hits = conn.execute("select s.id from sentences_chars c join sentences s on s.rowid = c.rowid "
                        "where sentences_chars match ?", [schema.char_phrase("谢")]).fetchall()
    assert hits == [("zuotanhui_p0003_s000",)]  # the character index holds the old rows
    conn.close()

    write_closing_remarks(db)  # and the archive takes new meetings
    assert [m["id"] for m in rows(db, "meetings")] == ["closing", "zuotanhui", "zuotanhui-yi"]
    assert [r for r in rows(db, "sentences") if r["meeting_id"] != "closing"] == after["sentences"]


async def test_an_archive_of_the_first_release_is_served_once_upgraded(tmp_path):
    db = archive_of_version(0, tmp_path)
    with pytest.raises(schema.ArchiveVersionError, match="podium upgrade"):
        make_datasette(db)  # serving never writes
    assert archive_version(db) == 0

    store.open_for_writing(db).close()
    ds = make_datasette(db)
    page = await ds.client.get("/meeting/zuotanhui")
    assert page.status_code == 200 and "谢谢大家" in page.text
    for q, paragraph in (("谢谢大家", 3), ("感想", 2), ("匪", 2)):  # trigram index, and the character index
        hits = (await ds.client.get("/search.json", params={"q": q})).json()["rows"]
        assert [(h["meeting_id"], h["paragraph_seq"]) for h in hits] == [("zuotanhui", paragraph)], q


def podium_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "podium", *args], capture_output=True, text=True)


def test_the_upgrade_command(tmp_path):
    db = archive_of_version(0, tmp_path)
    done = podium_command("upgrade", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "from schema 0" in done.stdout
    assert archive_version(db) == schema.SCHEMA_VERSION


def test_an_archive_of_a_newer_podium_is_refused(tmp_path):
    db = archive_of_version(3, tmp_path)
    conn = sqlite3.connect(db)
    conn.execute(f"pragma user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(schema.ArchiveVersionError, match="newer Podium"):
        store.open_for_writing(db)
    with pytest.raises(schema.ArchiveVersionError, match="newer Podium"):
        make_datasette(db)


@pytest.fixture
def short_lock_wait(monkeypatch):
    """SQLite waits 5 s for another connection's lock before it says "locked"; 0.1 s here."""
    monkeypatch.setattr(sqlite3, "connect", functools.partial(sqlite3.connect, timeout=0.1))


@contextmanager
def held(db: Path, lock: str):
    """Another program in a write transaction on the archive: `immediate` keeps other writers out,
    `exclusive` (in a rollback-journal archive) readers too."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute(f"begin {lock}")
    try:
        yield
    finally:
        other.execute("rollback")
        other.close()


def test_a_locked_archive_is_an_error_that_says_so(tmp_path, short_lock_wait):
    old, current = archive_of_version(0, tmp_path), archive_of_version(3, tmp_path)
    for db, write in ((old, store.open_for_writing), (current, store.reindex)):  # an upgrade, a write
        with held(db, "immediate"):
            with pytest.raises(schema.ArchiveUnreadableError, match=rf"^{re.escape(str(db))}: locked"):
                write(db)
    assert archive_version(old) == 0  # nothing half-done


def test_reading_a_locked_archive_is_not_reading_an_older_one(tmp_path, short_lock_wait):
    """A re-align reads the meeting and its speeches first: a locked archive is an error, not "no meeting" or
    "an archive from before speeches", which would turn a meeting of two speeches into one."""
    db = archive_of_version(3, tmp_path)
    with held(db, "exclusive"):
        for read in (store.existing_meeting, store.existing_speeches):
            with pytest.raises(schema.ArchiveUnreadableError, match=rf"^{re.escape(str(db))}: locked"):
                read(db, "zuotanhui")
    assert [s.speaker for s in store.existing_speeches(db, "zuotanhui")] == ["乡镇党委书记", "街道党工委书记"]


@pytest.fixture(params=["random bytes", "truncated"])
def damaged(request, tmp_path) -> Path:
    db = tmp_path / "damaged.db"
    if request.param == "random bytes":
        db.write_bytes(random.Random(0).randbytes(64 * 1024))
    else:  # an archive cut short, as by a full disk or an interrupted copy
        whole = archive_of_version(3, tmp_path).read_bytes()
        db.write_bytes(whole[:len(whole) // 2])
    return db


def test_a_damaged_archive_is_an_error_that_says_so(damaged):
    content = damaged.read_bytes()
    for use in (lambda: store.existing_meeting(damaged, "zuotanhui"), lambda: store.open_for_writing(damaged),
                lambda: store.existing_speeches(damaged, "zuotanhui"), lambda: make_datasette(damaged)):
        with pytest.raises(schema.ArchiveUnreadableError, match=rf"^{re.escape(str(damaged))}: damaged"):
            use()
    done = podium_command("upgrade", "--db", str(damaged))
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"Error: {damaged}: damaged (")
    assert damaged.read_bytes() == content  # left as it was


def test_a_database_that_is_not_an_archive_is_left_alone(tmp_path):
    db = tmp_path / "notes.db"
    conn = sqlite3.connect(db)
    conn.execute("create table notes (text)")
    conn.close()
    with pytest.raises(schema.ArchiveUnreadableError, match="not a Podium archive"):
        store.open_for_writing(db)
    with pytest.raises(schema.ArchiveUnreadableError, match="not a Podium archive"):
        store.existing_meeting(db, "zuotanhui")
    assert podium_tables(db) == [] and archive_version(db) == 0


async def test_plain_datasette_serves_complete_pages(tmp_path, site_archive):
    """`datasette archive.db` with Podium installed: the plugin's routes, scripts and stylesheets."""
    from datasette.app import Datasette

    shutil.copy(site_archive, tmp_path / "archive.db")
    shutil.copytree(site_archive.parent / "media", tmp_path / "media")
    ds = Datasette(files=[str(tmp_path / "archive.db")])
    for path in ("/meeting/seed", "/archive/sentences"):
        page = await ds.client.get(path)
        assert page.status_code == 200, path
        assets = re.findall(r'<script[^>]+src="([^"]+)"', page.text) + \
            re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', page.text)
        ours = [a for a in assets if "podium" in a]
        assert len(ours) == 2, (path, assets)
        for asset in assets:
            assert (await ds.client.get(asset.split("?")[0])).status_code == 200, asset
    assert (await ds.client.get("/media/seed")).status_code == 200


def test_one_namespace_when_installed(tmp_path):
    code = ("import podium.ingest, podium.alignment, podium.publish, podium.schema, podium.cli\n"
            "import importlib.util\n"
            "print([n for n in ('ingest', 'alignment', 'publish', 'schema', 'cli') if importlib.util.find_spec(n)])")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def imported_podium_packages(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found |= {n.split(".")[1] for n in names if n.startswith("podium.") and n.count(".") >= 1}
    return found


def test_ingest_and_publish_do_not_import_each_other_and_alignment_stays_pure():
    assert "publish" not in imported_podium_packages(ROOT / "ingest")
    assert "ingest" not in imported_podium_packages(ROOT / "publish")
    assert imported_podium_packages(ROOT / "alignment") == set()


async def test_reindex_after_a_hand_edit(tmp_path, site_archive):
    db = tmp_path / "archive.db"
    shutil.copy(site_archive, db)
    conn = sqlite3.connect(db)
    conn.execute("update sentences set text = '也成为地方政府的肉中刺' where id = 'seed_p0002_s000'")
    conn.commit()
    conn.close()

    async def found(q):
        ds = make_datasette(db)
        return [r["sentence_seq"] for r in (await ds.client.get("/search.json", params={"q": q})).json()["rows"]]

    assert await found("肉中刺") == [0]  # the trigram index follows by its triggers
    assert await found("肉") == []  # the character index is Podium's to keep: stale after a hand edit
    done = subprocess.run([sys.executable, "-m", "podium", "reindex", "--db", str(db)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert await found("肉") == [0] and await found("威") == []  # 树威, in the text replaced


def test_the_readme_lists_every_column_of_every_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in schema.TABLES:
        row = re.search(rf"^\| `{table.name}` \|(.+)$", readme, re.M)
        assert row, table.name
        missing = [c for c in table.column_names if f"`{c}`" not in row.group(1)]
        assert missing == [], table.name
