"""The whole corpus (/download): the published database and a zip of every public table as CSV.

Built by `podium publish` (`build_download`, called from `copy.publish_copy`) into `OUT_DIR/download/`, never
on request: the database as the public server serves it (a hard link to the published file, a copy where the
file system has no links), `<name>-csv.zip` (one UTF-8 CSV per public table and a README with the licence),
and `manifest.json` (each file's name, size, sha256, row counts and build date, and the licence line). Every
file is written under a temporary name and renamed into place, the manifest last, so a reader sees either the
old set or the new one.

The server (`podium serve --db OUT_DIR/<name>.db`) lists the manifest's files at /download (and the manifest
itself at /download.json) and serves them at /download/<name>, with HTTP Range, only the names the manifest
lists. A server whose archive was not published has no manifest beside it: /download says how to build one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from datasette import Response

from podium import schema

from .i18n import choose_language, labels, remember_language
from .routes import _archive, _language_vars

FOLDER = "download"  # beside the published database
MANIFEST = "manifest.json"
FORMAT = 1  # the layout of the CSV zip and the manifest: a zip of another format is built again, never reused
CORPUS_TABLES = ("meetings", "speeches", "paragraphs", "sentences", "unscripted")
# `changes`, the correction history, is left out of the CSV corpus: it names the editors (staff, not speakers)
# and carries their free-text reasons, which a research corpus of what was said does not need; each row's
# `version` and `corrected` columns already say what a person corrected. The database download, being the
# file the site serves, has it as /archive/changes shows it (publish leaves out every change of a struck passage).
LEFT_OUT = {"changes"}
DATABASE_TYPE = "application/vnd.sqlite3"  # IANA's registration for SQLite files
ZIP_TYPE = "application/zip"
CHUNK = 1 << 20  # bytes read at a time to hash a file
BATCH = 1000  # rows fetched at a time while writing a CSV: memory stays bounded whatever the table's size


@dataclass
class DownloadResult:
    folder: Path
    files: list[dict]  # the manifest's entries
    rebuilt: bool  # False: the published database was unchanged since the last build: its zip and manifest kept


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def human_size(n: int) -> str:
    """Bytes in decimal units, as disks and browsers count them: 812 B, 14.2 KB, 3.1 MB, 1.2 GB."""
    if n < 1000:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1000
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}"
    raise AssertionError("unreachable")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
            for t in (*CORPUS_TABLES, *sorted(LEFT_OUT)) if t in tables}


def _readme(license: str, built: str, counts: dict[str, int]) -> str:
    """The zip's README.txt: what it holds, its licence, and each table's columns (from the schema)."""
    lines = ["Podium 会议录音档案：全部数据 · Meeting archive: the whole corpus", "",
             f"数据许可 · Licence: {license}", f"生成时间 · Built: {built}", "",
             "每个表一个 CSV 文件：UTF-8（无 BOM），首行为列名，空单元格表示空值，时间以秒计。",
             "One CSV file per table: UTF-8 (no BOM), column names on the first line, an empty cell for no value, "
             "times in seconds.", "修改记录（changes 表）不在其中；发布时已删除编辑判定为误识的脱稿内容。",
             "The correction history (the changes table) is not included; off-script passages struck by an editor "
             "as misheard were left out when the archive was published.", ""]
    for name in CORPUS_TABLES:
        table = schema.TABLE[name]
        lines += [f"{name}.csv ({counts.get(name, 0)} rows): {table.zh} · {table.en}"]
        lines += [f"  {c.name}: {c.zh} · {c.en}" for c in table.columns]
        lines.append("")
    return "\n".join(lines)


def _write_zip(conn: sqlite3.Connection, path: Path, *, license: str, built: str, counts: dict[str, int]) -> None:
    """Every corpus table as CSV, streamed: a batch of rows is read, written and compressed at a time."""
    stamp = time.strptime(built, "%Y-%m-%dT%H:%M:%SZ")[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("README.txt", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, _readme(license, built, counts))
        for table in CORPUS_TABLES:
            info = zipfile.ZipInfo(f"{table}.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # a plain readable file once unzipped
            # force_zip64: the size is not known before it is written, and a large archive's sentences pass 2 GiB
            with archive.open(info, "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                cursor = conn.execute(f"select * from [{table}] order by rowid")
                writer = csv.writer(text)
                writer.writerow([d[0] for d in cursor.description])
                while rows := cursor.fetchmany(BATCH):
                    writer.writerows(rows)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _link_or_copy(source: Path, destination: Path) -> None:
    """A hard link: the same file as the server's, no second copy on disk; a copy where links are refused."""
    import shutil

    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)
        _fsync(destination)


def read_manifest(folder: Path) -> dict | None:
    """The manifest in `folder`, or None where there is none or it cannot be read."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    return manifest


def _reusable(old: dict | None, db_entry: dict, zip_path: Path, license: str) -> tuple[dict, dict] | None:
    """The previous build's database and zip entries, if that build was of the same database (same sha256),
    in the same format and under the same licence line, and its zip is still there as built (same size and
    sha256); else None."""
    if not old or old.get("format") != FORMAT or old.get("license") != license:
        return None
    entries = {f.get("name"): f for f in old["files"] if isinstance(f, dict)}
    previous_db, previous_zip = entries.get(db_entry["name"]), entries.get(zip_path.name)
    if not previous_db or not previous_zip or previous_db.get("sha256") != db_entry["sha256"]:
        return None
    if not zip_path.is_file() or zip_path.stat().st_size != previous_zip.get("bytes"):
        return None
    return (previous_db, previous_zip) if sha256_of(zip_path) == previous_zip.get("sha256") else None


def build_download(db: Path | str, *, license: str) -> DownloadResult:
    """Build `download/` beside the published database `db`: the database, the CSV zip and the manifest.

    An unchanged archive (the published database has the sha256 the manifest gives, the zip is intact) keeps
    its zip and its manifest: hashing them is much cheaper than compressing every row again, and their build
    date stays the date of their content. Otherwise everything is built anew.
    """
    db = Path(db)
    folder = db.parent / FOLDER
    folder.mkdir(exist_ok=True)
    db_final, zip_final, manifest_final = folder / db.name, folder / f"{db.stem}-csv.zip", folder / MANIFEST
    temps = [folder / f".{p.name}.building" for p in (db_final, zip_final, manifest_final)]
    for leftover in temps:  # from a publish that was killed half-way
        leftover.unlink(missing_ok=True)
    db_temp, zip_temp, manifest_temp = temps
    built = _now()
    try:
        # everything that can fail (a full disk) is written under temporary names first ...
        conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
        try:
            counts = _counts(conn)
            db_entry = {"name": db_final.name, "kind": "database", "media_type": DATABASE_TYPE,
                        "bytes": db.stat().st_size, "sha256": sha256_of(db), "built": built, "rows": counts}
            old = read_manifest(folder)
            previous = _reusable(old, db_entry, zip_final, license)
            if previous is not None:
                db_entry, zip_entry = previous  # the same bytes as then, built then
            else:
                _write_zip(conn, zip_temp, license=license, built=built, counts=counts)
                _fsync(zip_temp)
                zip_entry = {"name": zip_final.name, "kind": "csv", "media_type": ZIP_TYPE,
                             "bytes": zip_temp.stat().st_size, "sha256": sha256_of(zip_temp), "built": built,
                             "rows": {t: counts[t] for t in CORPUS_TABLES if t in counts}}
        finally:
            conn.close()
        manifest = {"format": FORMAT, "built": db_entry["built"], "license": license,
                    "files": [db_entry, zip_entry]}
        _link_or_copy(db, db_temp)
        if manifest != old:
            manifest_temp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            _fsync(manifest_temp)
        # ... then renamed into place one after the other, the manifest last
        if zip_temp.exists():
            os.replace(zip_temp, zip_final)
        os.replace(db_temp, db_final)
        if manifest_temp.exists():
            os.replace(manifest_temp, manifest_final)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return DownloadResult(folder=folder, files=manifest["files"], rebuilt=previous is None)


# --- the pages -----------------------------------------------------------------------------------------------

def _folder(datasette) -> Path | None:
    root = getattr(datasette, "_podium_root", None)
    if root is None:
        db = _archive(datasette)
        root = Path(db.path).parent if db is not None and db.path else None
    return None if root is None else Path(root) / FOLDER


def _served_manifest(datasette) -> tuple[Path, dict] | None:
    folder = _folder(datasette)
    manifest = read_manifest(folder) if folder is not None else None
    return None if manifest is None else (folder, manifest)


def _db_name(datasette) -> str:
    db = _archive(datasette)
    return Path(db.path).name if db is not None and db.path else "archive.db"


def _entries(manifest: dict) -> dict[str, dict]:
    """The manifest's files by name: only plain names, never a path."""
    return {f["name"]: f for f in manifest["files"] if isinstance(f, dict) and isinstance(f.get("name"), str)
            and f["name"] and "/" not in f["name"] and "\\" not in f["name"] and not f["name"].startswith(".")
            and isinstance(f.get("bytes"), int) and isinstance(f.get("sha256"), str)}


def _when(stamp: str | None) -> str:
    """2026-05-01T08:30:00Z as 2026-05-01 08:30 UTC."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp and len(stamp) >= 16 else (stamp or "")


async def download_page(datasette, request):
    language = choose_language(request)
    found = _served_manifest(datasette)
    files = []
    manifest = found[1] if found else None
    for entry in _entries(manifest).values() if manifest else []:
        files.append({**entry, "url": f"/download/{quote(entry['name'])}", "size": human_size(int(entry["bytes"])),
                      "when": _when(entry.get("built")),
                      "rows_list": list((entry.get("rows") or {}).items())})
    html = await datasette.render_template(
        "podium_download.html",
        {**_language_vars(request, language, "/download"), "files": files, "license": (manifest or {}).get("license"), "db_name": _db_name(datasette),
         # a server of an unpublished archive says how to build the download in both languages at once
         "not_built": [(code, labels(code)["download_not_built"]) for code in ("zh", "en")]},
        request=request,
    )
    response = Response.html(html)
    remember_language(response, request, language)
    return response


async def download_manifest(datasette, request):
    found = _served_manifest(datasette)
    if found is None:
        return Response.json({"error": "not published: build the download with `podium publish OUT_DIR`"},
                             status=404)
    return Response.json(found[1], headers={"Access-Control-Allow-Origin": "*"})


async def download_file(scope, receive, send, datasette, request):
    """One file the manifest lists, with HTTP Range (Starlette's FileResponse), as an attachment."""
    from starlette.responses import FileResponse

    found = _served_manifest(datasette)
    # Datasette matches routes on the raw path: the name arrives percent-encoded
    name = unquote(request.url_vars["name"])
    entry = _entries(found[1]).get(name) if found else None
    path = (found[0] / name).resolve() if entry else None
    if path is None or not path.is_relative_to(found[0].resolve()) or not path.is_file():
        return await Response.text("Not found", status=404).asgi_send(send)
    # the name stays from one publish to the next while the content changes: caches revalidate, against an ETag
    # that is the content's sha256 (a hard link made again for the same bytes keeps it; If-Range relies on it)
    response = FileResponse(path, media_type=entry.get("media_type") or "application/octet-stream", filename=name,
                            headers={"Cache-Control": "no-cache", "ETag": f'"{entry["sha256"]}"'})
    await response(scope, receive, send)


ROUTES = [
    (r"^/download/?$", download_page),
    (r"^/download\.json$", download_manifest),
    (r"^/download/(?P<name>[^/]+)$", download_file),
]
