"""One schema: metadata.json generated from it, archives created at its version, older archives upgraded,
newer ones refused; the package layout (one `podium` namespace) and the plugin under plain `datasette`."""

import ast
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, write_meeting_from_spans
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


def old_archive(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "archive_v0", tmp_path / "old")
    return tmp_path / "old" / "archive.db"


def rows(db, table):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"select * from [{table}] order by id")]
    finally:
        conn.close()


async def test_an_archive_of_the_first_release_upgrades_serves_and_takes_new_ingests(tmp_path):
    db = old_archive(tmp_path)
    first_release = ("meetings", "paragraphs", "sentences", "unscripted")
    before = {t: rows(db, t) for t in first_release}
    assert len(before["sentences"]) == 4 and before["meetings"][0]["source_path"].startswith("/")

    with pytest.raises(schema.ArchiveVersionError, match="podium upgrade"):
        make_datasette(db)  # serving never writes
    assert sqlite3.connect(db).execute("pragma user_version").fetchone()[0] == 0

    store.open_for_writing(db).close()  # what `podium upgrade`, ingest and align do
    conn = sqlite3.connect(db)
    assert schema.version(conn) == schema.SCHEMA_VERSION
    conn.close()
    after = {t: rows(db, t) for t in first_release}
    assert after["meetings"][0]["source_path"] == "audio.wav"  # no longer the ingest machine's path
    after["meetings"][0]["source_path"] = before["meetings"][0]["source_path"]
    old_columns = {t: list(before[t][0]) for t in before if before[t]}
    assert {t: [{k: r[k] for k in old_columns[t]} for r in after[t]] for t in old_columns} == \
        {t: before[t] for t in old_columns}  # every other value of every row kept
    assert {r["speech_id"] for r in after["sentences"]} == {"aishell_s00"}
    (speech,) = rows(db, "speeches")
    assert (speech["title"], speech["speaker"], speech["spoken"], speech["not_spoken"]) == ("AISHELL 样例", "主持人", 3, 1)
    assert speech["start"] == min(r["start"] for r in after["sentences"] if r["start"] is not None)

    ds = make_datasette(db)
    page = await ds.client.get("/meeting/aishell")
    assert page.status_code == 200 and "眼中钉" in page.text
    assert (await ds.client.get("/media/aishell")).status_code == 200
    for q, paragraph in (("眼中钉", 2), ("热点", 3), ("钉", 2)):  # the character index was built for old rows
        hits = (await ds.client.get("/search.json", params={"q": q})).json()["rows"]
        assert [(h["meeting_id"], h["paragraph_seq"]) for h in hits] == [("aishell", paragraph)], q

    write_meeting_from_spans(db, {"id": "jfk"}, FIXTURES / "en_jfk" / "jfk.flac",
                             FIXTURES / "en_jfk" / "official.txt", {0: (0.3, 10.5)})
    assert [{k: v for k, v in r.items() if k != "speech_id"} for r in rows(db, "sentences")[:4]] == before["sentences"]
    assert [m["id"] for m in rows(db, "meetings")] == ["aishell", "jfk"]


def test_the_upgrade_command(tmp_path):
    db = old_archive(tmp_path)
    done = subprocess.run([sys.executable, "-m", "podium", "upgrade", "--db", str(db)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "from schema 0" in done.stdout
    assert sqlite3.connect(db).execute("pragma user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_an_archive_of_a_newer_podium_is_refused(tmp_path, site_archive):
    db = tmp_path / "archive.db"
    shutil.copy(site_archive, db)
    conn = sqlite3.connect(db)
    conn.execute(f"pragma user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(schema.ArchiveVersionError, match="newer Podium"):
        store.open_for_writing(db)
    with pytest.raises(schema.ArchiveVersionError, match="newer Podium"):
        make_datasette(db)


async def test_plain_datasette_serves_complete_pages(tmp_path, site_archive):
    """`datasette archive.db` with Podium installed: the plugin's routes, scripts and stylesheets."""
    from datasette.app import Datasette

    shutil.copy(site_archive, tmp_path / "archive.db")
    shutil.copytree(site_archive.parent / "media", tmp_path / "media")
    ds = Datasette(files=[str(tmp_path / "archive.db")])
    for path in ("/meeting/aishell", "/archive/sentences"):
        page = await ds.client.get(path)
        assert page.status_code == 200, path
        assets = re.findall(r'<script[^>]+src="([^"]+)"', page.text) + \
            re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', page.text)
        ours = [a for a in assets if "podium" in a]
        assert len(ours) == 2, (path, assets)
        for asset in assets:
            assert (await ds.client.get(asset.split("?")[0])).status_code == 200, asset
    assert (await ds.client.get("/media/aishell")).status_code == 200


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
    conn.execute("update sentences set text = '也成为地方政府的肉中刺' where id = 'aishell_p0002_s000'")
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
    assert await found("肉") == [0] and await found("钉") == []


def test_the_readme_lists_every_column_of_every_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in schema.TABLES:
        row = re.search(rf"^\| `{table.name}` \|(.+)$", readme, re.M)
        assert row, table.name
        missing = [c for c in table.column_names if f"`{c}`" not in row.group(1)]
        assert missing == [], table.name
