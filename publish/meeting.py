"""The data of a meeting page: the official text as published, with off-script passages in place."""

from __future__ import annotations

import bisect

from podium import schema
from podium.corrections import still_to_check


def hms(seconds: float | None) -> str:
    """hh:mm:ss.s for display; empty for None."""
    return schema.hms(seconds, decimals=1) or ""


def meeting_url(meeting_id: str, start: float | None = None, paragraph_seq: int | None = None,
                sentence_seq: int | None = None) -> str:
    """The site's link to a meeting, to a moment of it (`#t=`), or to a sentence (`?s=`, which the page then
    marks). podium.js reads these same forms (its `#t=` and `?s=` handling): change both together. A quote, which
    plays a range and stops, is `clip_url` (`?t=a,b`) or `?s=P-S..P-S` (clips.py)."""
    mark = f"?s={paragraph_seq}-{sentence_seq}" if sentence_seq is not None else ""
    moment = f"#t={seconds(start)}" if start is not None else ""  # ms, as stored
    return f"/meeting/{meeting_id}{mark}{moment}"


def clip_url(meeting_id: str, start: float, end: float) -> str:
    """The site's link to a quote: the recording from `start` to `end` (seconds), played and stopped there
    (publish/clips.py reads it)."""
    return f"/meeting/{meeting_id}?t={seconds(start)},{seconds(end)}"


def seconds(value: float) -> str:
    """Seconds as a URL gives them: to the millisecond, as stored, without trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


async def load_meeting(db, meeting_id: str) -> dict | None:
    """A meeting's rows for its pages, or None: `meeting`, and its `paragraphs`, `speeches`, `sentences` (in
    text order) and off-script passages not struck (`unscripted`, by time). `db` is Datasette's database."""
    meeting = (await db.execute("select * from meetings where id = ?", [meeting_id])).first()
    if meeting is None:
        return None

    async def fetch(sql):
        return [dict(r) for r in (await db.execute(sql, [meeting_id])).rows]

    return {
        "meeting": dict(meeting),
        "paragraphs": await fetch("select seq, start, [end], status, text, speech_id from paragraphs "
                                  "where meeting_id = ? order by seq"),
        "speeches": await fetch("select * from speeches where meeting_id = ? order by seq"),
        "sentences": await fetch("select id, paragraph_seq, seq, start, [end], status, confidence, text, version, "
                                 "corrected from sentences where meeting_id = ? order by paragraph_seq, seq"),
        "unscripted": await fetch("select id, start, [end], text, speech_id, version, corrected from unscripted "
                                  "where meeting_id = ? and coalesce(struck, 0) = 0 order by start"),
    }


def mark_to_check(sentences: list[dict]) -> int:
    """Set each sentence's `to_check` (a person should check it first: `podium.alignment.to_check`, unless
    a person already set its times or status); returns how many are marked."""
    for s in sentences:
        s["to_check"] = still_to_check(s["status"], s.get("confidence"), s.get("corrected"))
    return sum(s["to_check"] for s in sentences)


def build_blocks(paragraphs: list[dict], sentences: list[dict], unscripted: list[dict]) -> list[dict]:
    """Paragraph blocks in text order, each with its sentences; off-script passages placed by time.

    A passage that falls inside a paragraph's span goes after the last sentence that started
    before it; one between paragraphs becomes a block of its own before the next paragraph.
    """
    by_paragraph: dict[int, list[dict]] = {}
    for s in sentences:
        by_paragraph.setdefault(s["paragraph_seq"], []).append({**s, "kind": "sentence"})
    blocks = [{**p, "kind": "paragraph", "items": by_paragraph.get(p["seq"], [])} for p in paragraphs]

    # time at which each paragraph begins, carried forward over paragraphs that were not spoken
    starts, last = [], 0.0
    for b in blocks:
        last = b["start"] if b["start"] is not None else last
        starts.append(last)
    standalone: dict[int, list[dict]] = {}
    for u in sorted(unscripted, key=lambda u: u["start"]):
        k = bisect.bisect_right(starts, u["start"]) - 1  # the last paragraph begun before the passage
        passage = {**u, "kind": "unscripted"}
        if k >= 0 and blocks[k]["end"] is not None and u["start"] < blocks[k]["end"]:
            items = blocks[k]["items"]
            at = 0
            for i, item in enumerate(items):
                if item["start"] is not None and item["start"] <= u["start"]:
                    at = i + 1
            items.insert(at, passage)
        else:
            standalone.setdefault(k + 1, []).append(passage)
    out = []
    for k, block in enumerate(blocks):
        out += [{**p, "kind": "passage", "items": [p]} for p in standalone.get(k, [])]
        out.append(block)
    out += [{**p, "kind": "passage", "items": [p]} for p in standalone.get(len(blocks), [])]
    return out


# --- the timeline: the whole recording as coloured bands -------------------------------------------

TIMELINE_KINDS = ("spoken", "partial", "estimated", "unscripted", "host")  # in legend order; other kinds (speakers) may be added
JOIN_WITHIN = 0.001  # bands of one kind closer than this share of the recording (about a pixel) are joined


def band(kind: str, start: float, end: float, total: float, label: str | None = None) -> dict:
    """One band of the timeline: its kind (a CSS class), an optional label, its times, and its position
    as CSS percentages of the bar (0 ≤ left, left + width ≤ 100)."""
    left = min(max(start / total * 100, 0.0), 100.0)
    width = min(max((end - start) / total * 100, 0.0), 100.0 - left)
    return {"kind": kind, "label": label, "start": start, "end": end, "left": round(left, 3),
            "width": round(width, 3)}


def timeline_bands(spans: list[tuple[str, float, float, str | None]], total: float,
                   join_within: float = JOIN_WITHIN) -> list[dict]:
    """Bands from (kind, start, end, label) spans, by start; consecutive spans of one kind and label
    closer than `join_within` of the recording become one band (a 3-hour meeting stays a few hundred)."""
    if total <= 0:
        return []
    gap = join_within * total
    merged: list[list] = []
    for kind, start, end, label in sorted(spans, key=lambda s: (s[1], s[2])):
        last = merged[-1] if merged else None
        if last and last[0] == kind and last[3] == label and start - last[2] <= gap:
            last[2] = max(last[2], end)
        else:
            merged.append([kind, start, end, label])
    return [band(kind, start, end, total, label) for kind, start, end, label in merged]


def build_timeline(duration: float | None, sentences: list[dict], unscripted: list[dict],
                   speeches: list[dict] = ()) -> dict:
    """The timeline of a meeting page: the bar's length in seconds (the recording, or the last time
    if longer), its bands (spoken and partial sentences, off-script passages within a speech, and the
    host or others outside every speech), a band per speech labelled with its speaker, and how many
    sentences were not spoken (they have no time, so no band)."""
    spans = [(s["status"], s["start"], s["end"], None) for s in sentences
             if s["start"] is not None and s["end"] is not None]
    spans += [("unscripted" if u.get("speech_id") else "host", u["start"], u["end"], None) for u in unscripted
              if u["start"] is not None and u["end"] is not None]
    total = max([duration or 0.0] + [end for _, _, end, _ in spans])
    speech_spans = [(f"speech{sp['seq'] % 4}", sp["start"], sp["end"], " · ".join(filter(None, [sp["speaker"],
                     sp["title"]]))) for sp in speeches if sp["start"] is not None]
    return {
        "duration": total,
        "bands": timeline_bands(spans, total),
        "speeches": timeline_bands(speech_spans, total, join_within=0) if len(speeches) > 1 else [],
        "not_spoken": sum(1 for s in sentences if s["start"] is None),
    }

SPEEDS = (0.75, 1, 1.25, 1.5, 2)  # the playback speeds offered beside the player
