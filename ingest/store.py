"""The published archive: schema, and writing one meeting in one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

FTS_TABLES = ("paragraphs", "sentences", "unscripted")


@dataclass
class MeetingRecord:
    """Everything written for one meeting."""

    meeting: dict
    paragraphs: list[dict]
    sentences: list[dict]
    unscripted: list[dict]


def hms(seconds: float | None, decimals: int = 3) -> str | None:
    """hh:mm:ss.mmm (with `decimals` digits after the seconds' point); None for None."""
    if seconds is None:
        return None
    scale = 10**decimals
    units = int(round(seconds * scale))
    h, rest = divmod(units, 3600 * scale)
    m, rest = divmod(rest, 60 * scale)
    width = 3 + decimals if decimals else 2
    return f"{h:02d}:{m:02d}:{rest / scale:0{width}.{decimals}f}"


def paragraph_id(meeting_id: str, seq: int) -> str:
    return f"{meeting_id}_p{seq:04d}"


def sentence_id(meeting_id: str, paragraph_seq: int, seq: int) -> str:
    return f"{meeting_id}_p{paragraph_seq:04d}_s{seq:03d}"


def unscripted_id(meeting_id: str, seq: int) -> str:
    return f"{meeting_id}_u{seq:04d}"


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables, indexes and full-text indexes that are missing."""
    db.enable_wal()  # readers (the site) keep reading while an ingest writes
    if "meetings" not in db.table_names():
        db["meetings"].create(
            {
                "id": str, "title": str, "date": str, "speaker": str, "language": str,
                "duration": float, "audio_sha256": str, "text_sha256": str, "source_path": str,
                "media_path": str, "official_text": str, "engine": str, "model": str,
                "settings": str, "matched_share": float, "ingested_at": str,
            },
            pk="id",
        )
    if "paragraphs" not in db.table_names():
        db["paragraphs"].create(
            {"id": str, "meeting_id": str, "seq": int, "text": str, "start": float, "end": float,
             "start_hms": str, "end_hms": str, "status": str, "confidence": float},
            pk="id",
            foreign_keys=[("meeting_id", "meetings", "id")],
        )
        db["paragraphs"].create_index(["meeting_id", "seq"], unique=True)
    if "sentences" not in db.table_names():
        db["sentences"].create(
            {"id": str, "meeting_id": str, "paragraph_id": str, "paragraph_seq": int, "seq": int,
             "text": str, "start": float, "end": float, "start_hms": str, "end_hms": str,
             "status": str, "confidence": float},
            pk="id",
            foreign_keys=[("meeting_id", "meetings", "id"), ("paragraph_id", "paragraphs", "id")],
        )
        db["sentences"].create_index(["meeting_id", "paragraph_seq", "seq"], unique=True)
        db["sentences"].create_index(["meeting_id", "start"])
    if "unscripted" not in db.table_names():
        db["unscripted"].create(
            {"id": str, "meeting_id": str, "start": float, "end": float, "start_hms": str, "end_hms": str,
             "text": str},
            pk="id",
            foreign_keys=[("meeting_id", "meetings", "id")],
        )
        db["unscripted"].create_index(["meeting_id", "start"])
    for table in FTS_TABLES:
        if not db[table].detect_fts():
            # trigram: FTS5's only built-in tokenizer that finds Chinese words (3+ characters)
            db[table].enable_fts(["text"], tokenize="trigram", create_triggers=True)


def existing_meeting(db_path: Path, meeting_id: str) -> dict | None:
    """The meetings row for `meeting_id`, read without creating or changing the archive."""
    if not db_path.exists():
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("select * from meetings where id = ?", [meeting_id]).fetchone()
    except sqlite3.OperationalError:  # no meetings table yet
        return None
    finally:
        conn.close()
    return dict(row) if row else None


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' for _ in columns)})"
    conn.executemany(sql, [[r[c] for c in columns] for r in rows])


def write_meeting(db_path: Path, record: MeetingRecord) -> None:
    """Replace the meeting and all its rows in one transaction: all or nothing."""
    db = sqlite_utils.Database(db_path)
    ensure_schema(db)
    conn = db.conn
    meeting_id = record.meeting["id"]
    # sqlite-utils' helpers commit on their own; plain statements keep this one transaction
    conn.execute("begin immediate")
    try:
        for table in ("unscripted", "sentences", "paragraphs"):
            conn.execute(f"delete from [{table}] where meeting_id = ?", [meeting_id])
        conn.execute("delete from meetings where id = ?", [meeting_id])
        _insert(conn, "meetings", [record.meeting])
        _insert(conn, "paragraphs", record.paragraphs)
        _insert(conn, "sentences", record.sentences)
        _insert(conn, "unscripted", record.unscripted)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        db.close()
