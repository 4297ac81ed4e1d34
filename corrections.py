"""Corrections: what a person changes in the archive, checked, applied in one transaction, and kept.

Every change is a row of `changes` (who, when, which row and field, old and new value, why); the changes
of one action (one edit, one undo, one machine run) share its number. An undo is a new action that sets
the old values back, never a deletion. Each corrected row counts its `version` up, so an edit made on a
row that changed meanwhile is refused with the row as it now is (`StaleEdit`), and lists the fields a
person set in `corrected`, which every re-alignment keeps.

Used by the editing server (podium.publish.edit), `podium correct` and re-alignment (podium.ingest).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from dataclasses import dataclass

from podium import schema
from podium.alignment.spans import paragraph_status, to_check

EDITABLE = {"sentences": ("start", "end", "status", "text"), "unscripted": ("start", "end", "text", "struck")}
PERSON_STATUSES = ("spoken", "partial", "not_spoken")  # `estimated` is the machine's word for "probably"
TIME_FIELDS = ("start", "end")


class EditError(ValueError):
    """An edit that cannot be made (HTTP 400): the message says why."""


class RealignError(RuntimeError):
    """A corrected text was kept but the meeting could not be aligned again (no cached transcript, say)."""


class StaleEdit(Exception):
    """The row changed since the editor saw it (HTTP 409); `row` is how it is now."""

    def __init__(self, row: dict):
        super().__init__(f"{row['id']} was changed meanwhile (now version {row['version']})")
        self.row = row


@dataclass(frozen=True)
class Edit:
    """Set `field` of one row of `table` to `value`; `version`: the row's version the editor saw (None: any)."""

    table: str
    row_id: str
    field: str
    value: object
    version: int | None = None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _row(conn: sqlite3.Connection, table: str, row_id: str) -> dict:
    cursor = conn.execute(f"select * from [{table}] where id = ?", [row_id])
    values = cursor.fetchone()
    if values is None:
        raise EditError(f"{row_id}: no such row in {table}")
    return dict(zip([d[0] for d in cursor.description], values))


def _checked(edit: Edit, row: dict, duration: float | None) -> object:
    """The value to store, or EditError saying why not."""
    if edit.table not in EDITABLE or edit.field not in EDITABLE[edit.table]:
        raise EditError(f"{edit.table}.{edit.field}: not a field an editor changes")
    value = edit.value
    if edit.field in TIME_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise EditError(f"{row['id']}: {edit.field} must be a number of seconds")
        value = round(float(value), 3)
        if value < 0 or (duration is not None and value > duration + 1e-6):
            raise EditError(f"{row['id']}: {edit.field} {value} s is outside the recording (0–{duration} s)")
    elif edit.field == "status":
        if value not in PERSON_STATUSES:
            raise EditError(f"{row['id']}: status must be one of {', '.join(PERSON_STATUSES)}")
    elif edit.field == "text":
        if not isinstance(value, str) or not value.strip():
            raise EditError(f"{row['id']}: the text may not be empty")
        value = value.strip()
        if "\n" in value:
            raise EditError(f"{row['id']}: a sentence's text is one line")
    elif edit.field == "struck":
        if value not in (0, 1, True, False):
            raise EditError(f"{row['id']}: struck is 0 or 1")
        value = int(value)
    return value


def _check_row(row: dict) -> None:
    """A row as it would be stored after its edits: its times in order, a time for whatever was said."""
    start, end = row.get("start"), row.get("end")
    if start is not None and end is not None and not start < end:
        raise EditError(f"{row['id']}: the start ({start} s) must come before the end ({end} s)")
    if row.get("status") in ("spoken", "partial") and (start is None or end is None):
        raise EditError(f"{row['id']}: a sentence said needs a start and an end; set them first")


def _new_action(conn: sqlite3.Connection) -> int:
    return (conn.execute("select max(action) from changes").fetchone()[0] or 0) + 1


def _log(conn, action: int, meeting_id: str, table: str, row_id: str, field: str, old, new, *, editor: str | None,
         reason: str | None, undoes: int | None = None, at: str) -> None:
    conn.execute(
        "insert into changes (action, meeting_id, table_name, row_id, field, old, new, editor, machine, reason, at, "
        "undoes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [action, meeting_id, table, row_id, field, json.dumps(old, ensure_ascii=False),
         json.dumps(new, ensure_ascii=False), editor, int(editor is None), reason, at, undoes])


def _write(conn: sqlite3.Connection, table: str, before: dict, after: dict, fields: list[str]) -> None:
    """Store a row's new values, its search index entries with them, and what follows from its times."""
    corrected = set(filter(None, (before.get("corrected") or "").split(","))) | set(fields)
    changes = {f: after[f] for f in ("status", "text", "struck") if f in after}
    changes.update(schema.timed(after.get("start"), after.get("end")), version=(before.get("version") or 0) + 1,
                   corrected=",".join(sorted(corrected)))
    reindex = "text" in fields or "struck" in fields
    if reindex:  # (a struck passage is not in the character index: schema leaves it out both ways)
        schema.unindex_rows(conn, table, "id = ?", [before["id"]])
    conn.execute(f"update [{table}] set {', '.join(f'[{k}] = ?' for k in changes)} where id = ?",
                 [*changes.values(), before["id"]])
    if reindex:
        schema.index_rows(conn, table, "id = ?", [before["id"]])
    if table == "sentences":
        _follow_sentence(conn, after, "text" in fields)


def _follow_sentence(conn: sqlite3.Connection, sentence: dict, text_changed: bool) -> None:
    """A sentence's paragraph takes its span from its sentences; a corrected text is the official text's."""
    paragraph_id = sentence["paragraph_id"]
    cursor = conn.execute("select start, [end], status, text from sentences where paragraph_id = ? order by seq",
                          [paragraph_id])
    rows = [dict(zip(("start", "end", "status", "text"), r)) for r in cursor]
    update = paragraph_of(rows)
    if text_changed:
        update["text"] = "".join(r["text"] for r in rows)
        schema.unindex_rows(conn, "paragraphs", "id = ?", [paragraph_id])
    conn.execute(f"update paragraphs set {', '.join(f'[{k}] = ?' for k in update)} where id = ?",
                 [*update.values(), paragraph_id])
    if text_changed:
        schema.index_rows(conn, "paragraphs", "id = ?", [paragraph_id])
        _rejoin_official_text(conn, sentence["meeting_id"])


def paragraph_of(sentences: list[dict]) -> dict:
    """A paragraph's times and status from its sentences' rows, as the aligner derives them."""
    starts = [s["start"] for s in sentences if s["start"] is not None]
    ends = [s["end"] for s in sentences if s["end"] is not None]
    return {**schema.timed(min(starts, default=None), max(ends, default=None)),
            "status": paragraph_status({s["status"] for s in sentences})}


def checked_by_hand(corrected: str | None) -> bool:
    """Whether a person set a row's times or status: it has been checked."""
    return bool(set((corrected or "").split(",")) & {"start", "end", "status"})


def still_to_check(status: str, confidence: float | None, corrected: str | None) -> bool:
    """To check first (`podium.alignment.to_check`), unless a person has already set its times or status."""
    return to_check(status, confidence) and not checked_by_hand(corrected)


def _rejoin_official_text(conn: sqlite3.Connection, meeting_id: str) -> None:
    """The meeting's and its speeches' official texts from their paragraphs (a line each; speeches apart)."""
    speeches = conn.execute("select id from speeches where meeting_id = ? order by seq", [meeting_id]).fetchall()
    texts = []
    for (speech_id,) in speeches:
        lines = [r[0] for r in conn.execute("select text from paragraphs where speech_id = ? order by seq",
                                            [speech_id])]
        text = "\n".join(lines)
        conn.execute("update speeches set official_text = ? where id = ?", [text, speech_id])
        texts.append(text)
    conn.execute("update meetings set official_text = ? where id = ?", [schema.SPEECH_SEPARATOR.join(texts), meeting_id])


def apply(conn: sqlite3.Connection, edits: list[Edit], *, editor: str, reason: str | None = None,
          undoes: int | None = None, meeting_id: str | None = None) -> int:
    """Check and make one action's edits in one transaction (search indexes included); returns its number.
    With `meeting_id`, every row edited must be that meeting's.

    :raises EditError: an edit that cannot be made; nothing is changed.
    :raises StaleEdit: a row changed since its version was read; nothing is changed.
    """
    if not edits:
        raise EditError("nothing to change")
    if not editor:
        raise EditError("an edit needs its editor's name")
    schema.add_functions(conn)
    at = _now()
    with schema.transaction(conn):
        action = _new_action(conn)
        by_row: dict[tuple[str, str], list[Edit]] = {}
        for edit in edits:
            by_row.setdefault((edit.table, edit.row_id), []).append(edit)
        for (table, row_id), row_edits in by_row.items():
            if table not in EDITABLE:  # checked before its name is put into any SQL
                raise EditError(f"{table}: not a table an editor changes")
            before = _row(conn, table, row_id)
            if meeting_id is not None and before["meeting_id"] != meeting_id:
                raise EditError(f"{row_id}: no such row in {table} of meeting {meeting_id}")
            for edit in row_edits:
                if edit.version is not None and edit.version != (before.get("version") or 0):
                    raise StaleEdit(before)
            duration = conn.execute("select duration from meetings where id = ?", [before["meeting_id"]]).fetchone()[0]
            after = dict(before)
            for edit in row_edits:
                after[edit.field] = _checked(edit, before, duration)
            if after.get("status") == "not_spoken":  # nothing said has no time (kept in the history to undo)
                after["start"] = after["end"] = None
            _check_row(after)
            fields = [f for f in EDITABLE[table] if after.get(f) != before.get(f)]
            if not fields:
                continue
            for field in fields:
                _log(conn, action, before["meeting_id"], table, row_id, field, before[field], after[field],
                     editor=editor, reason=reason, undoes=undoes, at=at)
            _write(conn, table, before, after, fields)
    return action


def undo(conn: sqlite3.Connection, meeting_id: str, *, editor: str, reason: str | None = None) -> int | None:
    """Undo the last action of a person on a meeting that is not itself undone: a new action setting the
    old values back. Returns its number (None: nothing to undo).

    :raises StaleEdit: a row changed after that action (a later machine run or edit).
    """
    done = conn.execute(
        "select action from changes where meeting_id = ? and machine = 0 and action not in "
        "(select undoes from changes where undoes is not null) and undoes is null order by action desc limit 1",
        [meeting_id]).fetchone()
    if done is None:
        return None
    rows = conn.execute("select table_name, row_id, field, old from changes where action = ? order by id",
                        [done[0]]).fetchall()
    edits = [Edit(table, row_id, field, json.loads(old)) for table, row_id, field, old in rows]
    return apply(conn, edits, editor=editor, reason=reason or f"undo of action {done[0]}", undoes=done[0])


def record_machine_run(conn: sqlite3.Connection, meeting_id: str, what: str, detail: dict | None = None) -> int:
    """Note a machine run (ingest, re-alignment) in the history, inside the caller's transaction."""
    action = _new_action(conn)
    _log(conn, action, meeting_id, "meetings", meeting_id, what, None, detail or {}, editor=None, reason=None,
         at=_now())
    return action


def history(conn: sqlite3.Connection, meeting_id: str) -> list[dict]:
    """A meeting's changes, newest action first."""
    cursor = conn.execute("select * from changes where meeting_id = ? order by action desc, id", [meeting_id])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor]


def realign(db_path, meeting_id: str) -> list[str]:
    """Align a meeting again from its cached transcript after its text was corrected, keeping every
    correction; returns the conflicts. (The aligner and the transcript cache live in podium.ingest; the
    editing server reaches them only through here, and only for this.)"""
    from podium.ingest.pipeline import IngestError
    from podium.ingest.pipeline import realign as run

    try:
        return run(db_path, meeting_id, progress=False).conflicts
    except (IngestError, schema.ArchiveVersionError) as e:
        raise RealignError(f"{meeting_id}: the text is corrected, but the meeting was not aligned again: {e}") from e
