"""Export a meeting's timed segments: CSV, JSON, SubRip (SRT), WebVTT, and audio clips."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata
from pathlib import Path

from podium import schema
from podium.alignment.text import is_cjk

from . import audio

FORMATS = ("csv", "json", "srt", "vtt")
# Subtitle cues within the norm: Simplified Chinese at most 16 characters a line (punctuation not counted),
# English at most 42; at most 2 lines and 7 s on screen.
LINE_CHARS = {"zh": 16, "en": 42}
CUE_LINES = 2
CUE_MAX_SECONDS = 7.0
CUE_BREAKS = "，、；：,;:—…）)”"  # a cue or a line preferably ends just after one of these
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


def _width(text: str, chinese: bool) -> int:
    """A line's length as the norm counts it: in Chinese, punctuation does not count."""
    if not chinese:
        return len(text)
    return sum(1 for c in text if not unicodedata.category(c).startswith(("P", "Z")))


def _wrap(text: str, line: int, chinese: bool, first: int) -> list[str]:
    """`text` in lines of at most `line` width (the first: `first`): whole clauses (cut after punctuation)
    or, in English, whole words while they fit; a Chinese clause that does not fit fills the line and goes
    on in the next."""
    units = re.split(f"(?<=[{re.escape(CUE_BREAKS)}])" if chinese else r"(?<= )", text)
    lines: list[str] = [""]

    def limit() -> int:
        return first if len(lines) == 1 else line

    for unit in filter(None, units):
        if _width(lines[-1] + unit, chinese) <= limit():
            lines[-1] += unit
            continue
        if chinese and (not lines[-1] or _width(unit, chinese) > line):  # fill the line, then carry on
            room = next(k for k in range(len(unit), -1, -1) if _width(lines[-1] + unit[:k], chinese) <= limit())
            lines[-1], unit = lines[-1] + unit[:room], unit[room:]
        if lines[-1]:
            lines.append("")
        while _width(unit, chinese) > line:  # a word or clause longer than a line
            k = max(k for k in range(1, len(unit) + 1) if _width(unit[:k], chinese) <= line)
            lines[-1] = unit[:k]
            lines.append("")
            unit = unit[k:]
        lines[-1] = unit
    return [x for x in lines if x]


def split_cue(text: str, start: float, end: float, prefix: str = "") -> list[tuple[float, float, str]]:
    """One sentence as subtitle cues within the norm: lines of at most `LINE_CHARS` (Chinese punctuation not
    counted), at most CUE_LINES lines and CUE_MAX_SECONDS a cue. `prefix` (the speaker's name) opens the
    first line, untimed. Times are shared out by characters (no word times are stored)."""
    text = _cue_text(text)
    chinese = any(is_cjk(c) for c in text)
    per_char = (end - start) / max(1, _width(text, chinese))
    line = LINE_CHARS["zh" if chinese else "en"]
    if per_char > 0:  # a slow speaker: a line must not stay on screen longer than a cue may
        line = max(1, min(line, int(CUE_MAX_SECONDS / per_char)))
    lines = _wrap(text, line, chinese, first=max(line // 2, line - _width(prefix, chinese)))
    timed = [_width(x, chinese) for x in lines]  # the prefix is not said: it takes no time
    lines[0] = prefix + lines[0]
    cues, at, n = [], 0, 0
    while n < len(lines):
        size = min(CUE_LINES, len(lines) - n)
        while size > 1 and sum(timed[n:n + size]) * per_char > CUE_MAX_SECONDS:
            size -= 1
        width = sum(timed[n:n + size])
        cues.append((start + at * per_char, start + (at + width) * per_char,
                     "\n".join(x.strip() for x in lines[n:n + size])))
        at += width
        n += size
    return cues


def _cues(rows: list[dict]) -> list[tuple[float, float, str]]:
    """Every spoken row's cues; where the speaker changes, the first cue names the new one ("县长：…")."""
    cues, speaker = [], None
    for r in rows:
        if r["start"] is None:
            continue
        new_speaker = r.get("speaker") and r["speaker"] != speaker
        cues += split_cue(r["text"], r["start"], r["end"], prefix=f"{r['speaker']}：" if new_speaker else "")
        speaker = r.get("speaker") or speaker
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
