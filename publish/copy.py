"""`podium publish`: a clean read-only copy of the archive for the public server (`podium serve --immutable`).

The copy is made with SQLite's ``VACUUM INTO`` (a consistent snapshot, even while the editing server writes),
then, in the copy only, the rows that only editors should see are deleted (struck off-script passages, schema
4's ``unscripted.struck``), with ``secure_delete`` on and a final ``VACUUM`` so that no deleted text is left in
free pages, and every search index is rebuilt. The file is written beside its final name and renamed over it,
so a server may keep the old copy open until it restarts. The meetings' web copies that the ``meetings`` table
names are copied into ``OUT_DIR/media/``, and the whole corpus to download into ``OUT_DIR/download/``
(``download.build_download``: the database, every public table as CSV in a zip, a manifest). Password hashes and
the signing secret live in the editors file, never in the archive, so the copy holds none.

The history (``changes``) stays in the copy, as the site shows it, less every change of a struck passage: a
passage's text corrected before it was struck is in the old and new values of those changes.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from podium import schema

from .download import DownloadResult, build_download, human_size
from .metadata import build_metadata


class PublishError(Exception):
    """A one-line reason: no archive, or an output folder that is the archive's own."""


@dataclass
class PublishResult:
    db: Path
    meetings: int = 0
    sentences: int = 0
    unscripted: int = 0
    struck: int = 0  # struck off-script passages left out
    media: list[Path] = field(default_factory=list)
    media_bytes: int = 0
    missing_media: list[str] = field(default_factory=list)
    history_left_out: int = 0  # changes of struck passages left out of the copy's history
    download: DownloadResult | None = None

    def lines(self) -> list[str]:
        size = self.db.stat().st_size / 1e6
        out = [f"{self.db}: {self.meetings} meeting{'' if self.meetings == 1 else 's'}, {self.sentences} sentences, "
               f"{self.unscripted} off-script passage{'' if self.unscripted == 1 else 's'} "
               f"({self.struck} struck left out), {size:.1f} MB",
               f"{self.db.parent / 'media'}: {len(self.media)} web cop{'y' if len(self.media) == 1 else 'ies'}, "
               f"{self.media_bytes / 1e6:.1f} MB"]
        out += [f"missing, not copied: {m}" for m in self.missing_media]
        if self.download is not None:
            for entry in self.download.files:
                rows = sum(entry["rows"].values())
                what = ("the database as served" if entry["kind"] == "database" else
                        f"{len(entry['rows'])} tables as CSV, {rows:,} rows")
                out.append(f"{self.download.folder / entry['name']}: {human_size(entry['bytes'])} ({what})")
            state = "built" if self.download.rebuilt else "the archive unchanged: kept as built"
            out.append(f"{self.download.folder / 'manifest.json'}: sizes, sha256, row counts and licence ({state} "
                       f"{self.download.files[0]['built']}); listed at /download")
        out.append(f"serve it with: podium serve --immutable --db {self.db}")
        return out


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"pragma table_info([{table}])")}


def publish_copy(db_path: Path | str, out_dir: Path | str) -> PublishResult:
    """Write the public copy of the archive at `db_path` into `out_dir` (same file name), with its media.

    :raises PublishError: no archive at `db_path`, `out_dir` is the archive's own folder or its media/, or the
        download could not be written (the copy is published then; the previous download stays as it was).
    :raises schema.ArchiveVersionError: the archive needs `podium upgrade` first (or is newer than Podium).
    """
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.is_file():
        raise PublishError(f"{db_path}: no archive here")
    source_dir = db_path.resolve().parent
    target_dir = out_dir.resolve()
    if target_dir == source_dir or target_dir.is_relative_to(source_dir / "media"):
        raise PublishError(f"{out_dir}: the archive's own folder; publish into another folder")
    source = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    try:
        schema.check_servable(source, str(db_path))
    finally:
        source.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / db_path.name
    tmp = out_dir / f".{db_path.name}.publishing"
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    try:
        source.execute("vacuum into ?", [str(tmp)])
    finally:
        source.close()
    result = PublishResult(db=target)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("pragma journal_mode = delete")  # one file: nothing beside it to copy or lose
            conn.execute("pragma secure_delete = on")  # deleted rows' text is overwritten, not left in free pages
            schema.add_functions(conn)
            with schema.transaction(conn):
                if "struck" in _columns(conn, "unscripted"):
                    result.history_left_out = _leave_out_struck_history(conn)
                    result.struck = conn.execute("delete from unscripted where struck = 1").rowcount
                schema.rebuild_indexes(conn)
            conn.execute("vacuum")
            result.meetings = conn.execute("select count(*) from meetings").fetchone()[0]
            result.sentences = conn.execute("select count(*) from sentences").fetchone()[0]
            result.unscripted = conn.execute("select count(*) from unscripted").fetchone()[0]
            media_paths = [r[0] for r in conn.execute("select media_path from meetings where media_path is not null "
                                                      "order by id")]
            schema.check_servable(conn, str(tmp))
        finally:
            conn.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _copy_media(source_dir, out_dir, media_paths, result)
    try:
        result.download = build_download(target, license=build_metadata()["license"])
    except OSError as e:  # a full disk, say: the copy is published, its download not (the old one stays whole)
        raise PublishError(f"{out_dir / 'download'}: the download was not built: {e}") from e
    return result


def _leave_out_struck_history(conn: sqlite3.Connection) -> int:
    """Delete every change of a struck passage from the copy's history; returns how many.

    A struck passage's changes are found by its ID and, since a re-alignment numbers passages anew, by its
    text: a change whose old or new text is a struck passage's text, or the text of such a change (a text
    corrected twice before the strike), to a fixed point. This may leave out a little more than needed (the
    history of a passage that later took a struck one's ID), never less.
    """
    if not conn.execute("select 1 from sqlite_master where type = 'table' and name = 'changes'").fetchone():
        return 0
    ids = {r[0] for r in conn.execute("select id from unscripted where struck = 1")}
    texts = {r[0] for r in conn.execute("select text from unscripted where struck = 1")}
    history = conn.execute("select id, row_id, field, old, new from changes where table_name = 'unscripted'").fetchall()

    def values(change) -> set:
        if change[2] != "text":
            return set()
        found = set()
        for raw in change[3:]:
            try:
                found.add(json.loads(raw) if raw is not None else None)
            except ValueError:
                found.add(raw)
        return found - {None}

    leave_out: set[int] = set()
    grew = True
    while grew:
        grew = False
        for change in history:
            if change[0] in leave_out or not (change[1] in ids or values(change) & texts):
                continue
            leave_out.add(change[0])
            ids.add(change[1])
            texts |= values(change)
            grew = True
    conn.executemany("delete from changes where id = ?", [[i] for i in sorted(leave_out)])
    return len(leave_out)


def _copy_media(source_dir: Path, out_dir: Path, media_paths: list[str], result: PublishResult) -> None:
    """Copy each web copy the meetings table names (only files inside the archive's media/), skipping those
    already there with the same size and time."""
    media_root = (source_dir / "media").resolve()
    for relative in media_paths:
        source = (source_dir / relative).resolve()
        if not source.is_relative_to(media_root) or not source.is_file():
            result.missing_media.append(relative)
            continue
        destination = out_dir / source.relative_to(source_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        st = source.stat()
        if not (destination.is_file() and destination.stat().st_size == st.st_size
                and int(destination.stat().st_mtime) == int(st.st_mtime)):
            shutil.copy2(source, destination)
        result.media.append(destination)
        result.media_bytes += st.st_size
