"""The data of a meeting page: the official text as published, with off-script passages in place."""

from __future__ import annotations

import bisect

from podium import schema


def hms(seconds: float | None) -> str:
    """hh:mm:ss.s for display; empty for None."""
    return schema.hms(seconds, decimals=1) or ""


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
