"""Writing the archive: opening it for writing (created or upgraded), one meeting in one transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from podium import corrections, schema

from . import keep


def existing_meeting(db_path: Path, meeting_id: str) -> dict | None:
    """The meetings row for `meeting_id`, read without creating or changing the archive (None: no archive
    or no such meeting).

    :raises schema.ArchiveUnreadableError: locked, damaged or not a Podium archive.
    """
    if not db_path.exists():
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        schema.archive_version(conn, db_path)  # a Podium archive of any version has a meetings table
        with schema.file_errors(db_path):
            row = conn.execute("select * from meetings where id = ?", [meeting_id]).fetchone()
    finally:
        conn.close()
    return dict(row) if row else None


def existing_speeches(db_path: Path, meeting_id: str) -> list[schema.Speech]:
    """The speeches of a meeting in order, placed in its official text (empty before schema 3).

    :raises schema.ArchiveUnreadableError: locked, damaged or not a Podium archive.
    """
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if schema.archive_version(conn, db_path) < 3:  # speeches came with schema 3
            return []
        with schema.file_errors(db_path):
            rows = conn.execute("select title, speaker, official_text from speeches where meeting_id = ? "
                                "order by seq", [meeting_id]).fetchall()
    finally:
        conn.close()
    speeches, at = [], 0
    for title, speaker, text in rows:
        speeches.append(schema.Speech(title, speaker, at, at + len(text)))
        at += len(text) + len(schema.SPEECH_SEPARATOR)
    return speeches


def open_for_writing(db_path: Path) -> sqlite3.Connection:
    """A connection to the archive at the current schema: created if missing, upgraded if older.

    :raises schema.ArchiveVersionError: written by a newer Podium.
    :raises schema.ArchiveUnreadableError: locked, damaged or not a Podium archive.
    """
    if not db_path.exists():
        schema.create_archive(db_path)
    conn = sqlite3.connect(db_path)
    schema.add_functions(conn)
    try:
        schema.upgrade(conn, str(db_path))
    except BaseException:
        conn.close()
        raise
    return conn


def reindex(db_path: Path) -> None:
    """Rebuild every search index of the archive from its tables, in one transaction."""
    conn = open_for_writing(db_path)
    try:
        with schema.file_errors(db_path), schema.transaction(conn):
            schema.rebuild_indexes(conn)
    finally:
        conn.close()


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [[r[c] for c in columns] for r in rows])


def write_meeting(db_path: Path, rows: schema.MeetingRows, run: str = "ingested", *,
                  keep_corrections: bool = False) -> list[str]:
    """Replace the meeting and all its rows in one transaction: all or nothing. With `keep_corrections`, the
    people's corrections stored for it are merged into `rows` first (`keep.keep`), in that transaction, so an
    edit made while the machine worked is kept too. The history notes the machine run (`run`: ingested,
    replaced, realigned) with the conflicts found. Returns them."""
    conn = open_for_writing(db_path)
    meeting_id = rows.meeting["id"]
    try:
        with schema.file_errors(db_path), schema.transaction(conn):
            conflicts = keep.keep(rows, *keep.stored_corrections(conn, meeting_id)) if keep_corrections else []
            for table in ("unscripted", "sentences", "paragraphs"):
                schema.unindex_rows(conn, table, "meeting_id = ?", [meeting_id])
                conn.execute(f"delete from [{table}] where meeting_id = ?", [meeting_id])
            conn.execute("delete from speeches where meeting_id = ?", [meeting_id])
            conn.execute("delete from meetings where id = ?", [meeting_id])
            _insert(conn, "meetings", [rows.meeting])
            _insert(conn, "speeches", rows.speeches)
            for table in ("paragraphs", "sentences", "unscripted"):
                _insert(conn, table, getattr(rows, table))
                schema.index_rows(conn, table, "meeting_id = ?", [meeting_id])
            corrections.record_machine_run(conn, meeting_id, run, {"conflicts": conflicts} if conflicts else None)
    finally:
        conn.close()
    return conflicts
