"""A re-alignment keeps what people corrected.

The machine's new rows are merged with the stored rows' corrected fields (`corrected` lists them): every
manual time, status and text stays exactly as set, and is an anchor: the sentences the machine placed
between two manual times are kept within the audio between them. Struck passages stay struck where the
new alignment finds the same passage (half its time or more). Where the machine now disagrees with a
person by more than `TOLERANCE` seconds, or about a status, or no longer has a corrected sentence in the
text, that is a conflict: listed, kept in the history, and the person's value wins.
"""

from __future__ import annotations

import sqlite3

from podium import corrections, schema

TOLERANCE = 0.5  # seconds between a manual time and the machine's before they are called a conflict


def stored_corrections(conn: sqlite3.Connection, meeting_id: str) -> tuple[list[dict], list[dict]]:
    """The meeting's corrected sentences and its corrected or struck passages, as stored (read inside the
    transaction that replaces them, so that no edit made meanwhile is lost)."""
    def rows(sql: str) -> list[dict]:
        cursor = conn.execute(sql, [meeting_id])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor]

    return (rows("select * from sentences where meeting_id = ? and coalesce(corrected, '') != ''"),
            rows("select * from unscripted where meeting_id = ? and (coalesce(corrected, '') != '' or struck = 1)"))


def keep(rows: schema.MeetingRows, sentences: list[dict], passages: list[dict]) -> list[str]:
    """Merge the stored corrections into a meeting's new rows, in place; returns the conflicts found."""
    conflicts = []
    new = {r["id"]: r for r in rows.sentences}
    for old in sentences:
        fields = old["corrected"].split(",")
        row = new.get(old["id"])
        if row is None:
            conflicts.append(f"{old['id']}: corrected ({', '.join(fields)}) but no longer in the text; "
                             f"its manual values stay in the history")
            continue
        for field in fields:
            mine, theirs = row.get(field), old[field]
            if field in ("start", "end") and mine is not None and theirs is not None and abs(mine - theirs) > TOLERANCE:
                conflicts.append(f"{old['id']}: {field} set by hand to {theirs:.3f} s, the alignment says {mine:.3f} s")
            elif field == "status" and mine != theirs:
                conflicts.append(f"{old['id']}: status set by hand to {theirs}, the alignment says {mine}")
            row[field] = theirs
        row.update(schema.timed(row["start"], row["end"]), corrected=old["corrected"], version=(old["version"] or 0) + 1)
    _between_anchors(rows.sentences)
    _paragraph_spans(rows)
    for old in passages:
        match = max(rows.unscripted, key=lambda u: _overlap(u, old), default=None)
        if match is None or _overlap(match, old) < 0.5 * (old["end"] - old["start"]):
            continue  # the machine no longer hears that passage: nothing to strike or correct
        for field in filter(None, (old["corrected"] or "").split(",")):
            match[field] = old[field]
        match.update(schema.timed(match["start"], match["end"]), struck=old["struck"], corrected=old["corrected"],
                     version=(old["version"] or 0) + 1)
    return conflicts


def _overlap(a: dict, b: dict) -> float:
    return max(0.0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def _between_anchors(sentences: list[dict]) -> None:
    """The machine's times stay within the audio between the manual times around them (text order)."""
    def manual(row: dict, field: str) -> bool:
        return field in (row.get("corrected") or "").split(",")

    floor = 0.0
    for row in sentences:  # forward: after the last manual end
        if row["start"] is None:
            continue
        if manual(row, "start"):
            floor = row["start"]
        else:
            row["start"] = max(row["start"], floor)
        if manual(row, "end"):
            floor = row["end"]
        else:
            row["end"] = max(row["end"], row["start"])
    ceiling = float("inf")
    for row in reversed(sentences):  # backward: before the next manual start
        if row["start"] is None:
            continue
        if manual(row, "end"):
            ceiling = row["end"]
        else:
            row["end"] = min(row["end"], ceiling)
        if manual(row, "start"):
            ceiling = row["start"]
        else:
            row["start"] = min(row["start"], row["end"])
        row.update(schema.timed(row["start"], row["end"]))


def _paragraph_spans(rows: schema.MeetingRows) -> None:
    """Each paragraph spans its sentences as they now are, and takes its status from theirs (a status a
    person set included), as an edit in the browser makes it."""
    by_paragraph: dict[str, list[dict]] = {}
    for s in rows.sentences:
        by_paragraph.setdefault(s["paragraph_id"], []).append(s)
    for p in rows.paragraphs:
        p.update(corrections.paragraph_of(by_paragraph.get(p["id"], [])))
