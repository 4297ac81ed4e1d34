"""Export a meeting's timed segments: CSV, JSON, SubRip (SRT), WebVTT, and audio clips."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

from podium import schema

from . import audio

FORMATS = ("csv", "json", "srt", "vtt")
# Subtitle cues a viewer can read: about two lines of Chinese subtitles, on screen at most 7 s.
CUE_MAX_CHARS = 36
CUE_MAX_SECONDS = 7.0
CUE_BREAKS = "，、；：,;:—…）)”"  # a cue preferably ends just after one of these
LEVELS = ("sentence", "paragraph")
COLUMNS = schema.SEGMENT_COLUMNS


class ExportError(ValueError):
    """Nothing to export, or a format that needs one meeting was given several."""


def segments(db_path: Path, meeting_ids: list[str] | None, level: str = "sentence") -> list[dict]:
    """Rows in meeting and text order; all meetings when `meeting_ids` is None."""
    if not db_path.exists():
        raise ExportError(f"{db_path}: no archive here")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        schema.check_servable(conn, str(db_path))
        known = [r[0] for r in conn.execute("select id from meetings order by date, id")]
        ids = known if meeting_ids is None else meeting_ids
        missing = [m for m in ids if m not in known]
        if missing:
            raise ExportError(f"{', '.join(missing)}: no such meeting in {db_path}")
        if level == "sentence":
            sql = ("select t.*, sp.speaker from sentences t left join speeches sp on sp.id = t.speech_id "
                   "where t.meeting_id = ? order by t.paragraph_seq, t.seq")
        else:
            sql = ("select t.*, t.seq as paragraph_seq, sp.speaker from paragraphs t left join speeches sp "
                   "on sp.id = t.speech_id where t.meeting_id = ? order by t.seq")
        return [{c: dict(r)[c] for c in COLUMNS} for m in ids for r in conn.execute(sql, [m])]
    except schema.ArchiveVersionError as e:
        raise ExportError(str(e)) from e
    finally:
        conn.close()


def _cue_time(seconds: float, separator: str) -> str:
    return schema.hms(seconds).replace(".", separator)


def _cue_text(text: str) -> str:
    # a blank line ends a cue and "-->" starts a timing line: neither may appear in cue text
    return " ".join(text.split()).replace("-->", "→")


def split_cue(text: str, start: float, end: float) -> list[tuple[float, float, str]]:
    """One sentence as subtitle cues of at most CUE_MAX_CHARS characters and CUE_MAX_SECONDS: clauses
    (cut after punctuation) are gathered while they fit; a clause too long alone is cut at the limit.
    Times are shared out by characters (no word times are stored)."""
    text = _cue_text(text)
    per_char = (end - start) / max(1, len(text))
    limit = max(1, min(CUE_MAX_CHARS, int(CUE_MAX_SECONDS / per_char) if per_char > 0 else CUE_MAX_CHARS))
    clauses = [c for c in re.split(f"(?<=[{re.escape(CUE_BREAKS)}])", text) if c]
    pieces: list[str] = []
    for clause in clauses:
        while len(clause) > limit:  # no punctuation to cut at: cut at the limit (at a space in English)
            cut = clause.rfind(" ", 0, limit + 1)
            cut = cut if cut > limit // 2 else limit
            pieces.append(clause[:cut])
            clause = clause[cut:]
        if pieces and len(pieces[-1]) + len(clause) <= limit:
            pieces[-1] += clause
        else:
            pieces.append(clause)
    cues, at = [], 0
    for piece in pieces:
        if piece.strip():
            cues.append((start + at * per_char, start + (at + len(piece)) * per_char, piece.strip()))
        at += len(piece)
    return cues


def _cues(rows: list[dict]) -> list[tuple[float, float, str]]:
    """Every spoken row's cues; where the speaker changes, the first cue names the new one ("县长：…")."""
    cues, speaker = [], None
    for r in rows:
        if r["start"] is None:
            continue
        pieces = split_cue(r["text"], r["start"], r["end"])
        if r.get("speaker") and r["speaker"] != speaker:
            start, end, text = pieces[0]
            pieces[0] = (start, end, f"{r['speaker']}：{text}")
        speaker = r.get("speaker") or speaker
        cues += pieces
    return cues


def to_srt(rows: list[dict]) -> str:
    cues = [f"{n}\n{_cue_time(start, ',')} --> {_cue_time(end, ',')}\n{text}\n"
            for n, (start, end, text) in enumerate(_cues(rows), start=1)]
    return "\n".join(cues)


def to_vtt(rows: list[dict]) -> str:
    cues = []
    for start, end, text in _cues(rows):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cues.append(f"{_cue_time(start, '.')} --> {_cue_time(end, '.')}\n{text}\n")
    return "WEBVTT\n\n" + "\n".join(cues)


def to_csv(rows: list[dict], bom: bool = False) -> str:
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def render(rows: list[dict], fmt: str, *, bom: bool = False) -> str:
    """The rows in one of FORMATS. SRT and VTT leave out what was not spoken."""
    if fmt in ("srt", "vtt") and len({r["meeting_id"] for r in rows}) > 1:
        raise ExportError(f"{fmt} holds the cues of one recording: export one meeting at a time")
    if fmt == "csv":
        return to_csv(rows, bom)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    return to_srt(rows) if fmt == "srt" else to_vtt(rows)


def write_clips(db_path: Path, rows: list[dict], directory: Path) -> list[Path]:
    """Cut each spoken segment out of its meeting's web copy, named to sort by meeting and time."""
    directory.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    media = dict(conn.execute("select id, media_path from meetings"))
    conn.close()
    written, decoded = [], {}
    for r in rows:
        if r["start"] is None:
            continue
        m = r["meeting_id"]
        if m not in decoded:
            decoded = {m: audio.decode(db_path.parent / media[m])}  # one meeting in memory at a time
        name = f"{m}_{int(r['start'] * 1000):09d}ms_p{r['paragraph_seq']:04d}_s{r['seq']:03d}.mp3"
        clip = decoded[m][int(r["start"] * audio.SAMPLE_RATE):int(r["end"] * audio.SAMPLE_RATE)]
        audio.export_mp3(clip, directory / name)
        written.append(directory / name)
    return written
