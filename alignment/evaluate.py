"""Compare an aligned meeting's rows with ground-truth timings (the fixtures' truth format). Pure statistics.

Truth files: `paragraphs[]` (index, start, end), `sentences[]` (paragraph,
sentence, status, start, end), optional `adlibs[]`, `host[]` and
`deviations[]` with spans. Truth status `partially_spoken` is our `partial`,
`spoken_with_replacement` and `spoken_with_repetition` are `spoken`.

A clip-span truth (`clips[]`: recordings of real people joined into one, as in zh_voices) says which
sentences each clip holds and where its voice starts (`speech_start`); `from_clips` turns it into the
form above, with a start only where that estimate is reliable, so that the rest count for losses only.
"""

from __future__ import annotations

import numpy as np

from .pauses import merge_spans, time_within
from .spans import CHECK_BELOW, to_check

TRUTH_STATUS = {"partially_spoken": "partial", "spoken_with_replacement": "spoken", "spoken_with_repetition": "spoken"}


def from_clips(truth: dict) -> dict:
    """A clip-span truth as sentences: each clip's first sentence starts at its voice onset (where
    `speech_estimate_reliable`), every sentence of a clip was said (`said`), and the sentences no clip
    holds (an unspoken title, say) were not."""
    sentences = []
    for clip in truth["clips"]:
        reliable = clip.get("speech_estimate_reliable", True)
        for k in range(clip.get("sentence_count", 1)):
            first = k == 0
            sentences.append({
                "paragraph": clip["paragraph"], "sentence": clip["sentence"] + k, "status": "spoken", "said": True,
                "start": clip["speech_start"] if first and reliable else None,
                "end": clip["speech_end"] if k == clip.get("sentence_count", 1) - 1 and clip.get(
                    "speech_end_reliable", reliable) else None,
                "clip": clip.get("file", ""), "clip_span": [clip["start"], clip["end"]],
            })
    return {"paragraphs": [], "sentences": sentences}


def _status(t: dict) -> str:
    """A truth sentence's status; truths that give none say what was spoken (`spoken`) or time it."""
    if t.get("status"):
        return t["status"]
    return "spoken" if t.get("spoken") or t.get("start") is not None else "not_spoken"


def _errors(pairs: list[tuple[float | None, float | None]]) -> dict:
    errs = np.array([abs(a - b) for a, b in pairs if a is not None and b is not None], dtype=float)
    missing = sum(1 for a, b in pairs if b is not None and a is None)
    if errs.size == 0:
        return {"n": 0, "missing": missing}
    return {
        "n": int(errs.size),
        "missing": missing,
        "median": float(np.median(errs)),
        "p95": float(np.percentile(errs, 95)),
        "max": float(errs.max()),
        "within_0.25": float((errs <= 0.25).mean()),
        "within_0.5": float((errs <= 0.5).mean()),
        "within_1": float((errs <= 1.0).mean()),
    }


def _covered(span: tuple[float, float], intervals: list[tuple[float, float]]) -> float:
    """Share of `span` covered by the union of `intervals`."""
    lo, hi = span
    union = merge_spans(np.array(intervals, dtype=float).reshape(-1, 2))
    return time_within(union, lo, hi) / (hi - lo) if hi > lo else 0.0


def evaluate(paragraphs: list[dict], sentences: list[dict], unscripted: list[dict], truth: dict) -> dict:
    """Error statistics of one meeting's rows against its truth."""
    if "clips" in truth:
        truth = from_clips(truth)
    truth = {"paragraphs": [], **truth, "sentences": [{**t, "status": _status(t)} for t in truth.get("sentences", [])]}
    ours_p = {p["seq"]: p for p in paragraphs}
    ours_s = {(s["paragraph_seq"], s["seq"]): s for s in sentences}
    report: dict = {}
    p_pairs = [(ours_p.get(t["index"], {}), t) for t in truth["paragraphs"] if t.get("start") is not None]
    report["paragraph_start"] = _errors([(o.get("start"), t["start"]) for o, t in p_pairs])
    report["paragraph_end"] = _errors([(o.get("end"), t["end"]) for o, t in p_pairs])
    spoken = [(ours_s.get((t["paragraph"], t["sentence"]), {}), t) for t in truth["sentences"]]
    spoken = [(o, t) for o, t in spoken if t.get("start") is not None]
    report["sentence_start"] = _errors([(o.get("start"), t["start"]) for o, t in spoken])
    report["sentence_end"] = _errors([(o.get("end"), t["end"]) for o, t in spoken])

    # lost: said (the truth times it) but published as not spoken or without a time: a loss of data that
    # timing statistics over matched sentences do not show
    said = [(ours_s.get((t["paragraph"], t["sentence"]), {}), t) for t in truth["sentences"]
            if t.get("said") or t.get("start") is not None]
    lost = [f"p{t['paragraph']}s{t['sentence']}" for o, t in said
            if o.get("start") is None or o.get("status") == "not_spoken"]
    report["lost"] = {"spoken": len(said), "lost": len(lost), "sentences": lost}
    # the worst starts, by sentence: where a person's review of the timing should look first
    report["worst_starts"] = sorted(
        ({"sentence": f"p{t['paragraph']}s{t['sentence']}", "clip": t.get("clip"), "truth": t["start"],
          "ours": o["start"], "error": round(o["start"] - t["start"], 3), "status": o.get("status"),
          "confidence": o.get("confidence")}
         for o, t in spoken if o.get("start") is not None),
        key=lambda r: -abs(r["error"]))[:5]
    report["to_check"] = [
        {"sentence": f"p{s['paragraph_seq']}s{s['seq']}", "status": s["status"], "confidence": s.get("confidence"),
         "start": s.get("start")}
        for s in sentences if to_check(s["status"], s.get("confidence"))]

    truly_not = {(t["paragraph"], t["sentence"]) for t in truth["sentences"] if t["status"] == "not_spoken"}
    flagged = {k for k, s in ours_s.items() if s["status"] == "not_spoken"}
    hits = len(truly_not & flagged)
    report["not_spoken"] = {
        "truth": len(truly_not),
        "flagged": len(flagged),
        "precision": hits / len(flagged) if flagged else (1.0 if not truly_not else 0.0),
        "recall": hits / len(truly_not) if truly_not else 1.0,
    }
    statuses = {}
    for t in truth["sentences"]:
        o = ours_s.get((t["paragraph"], t["sentence"]))
        want = TRUTH_STATUS.get(t["status"], t["status"])
        if want != "spoken" and o is not None:
            statuses[f"p{t['paragraph']}s{t['sentence']}"] = {"truth": want, "ours": o["status"]}
    report["deviating_sentences"] = statuses

    spans = [(u["start"], u["end"]) for u in unscripted]
    # each off-script stretch: where it is, and the places an unscripted row may stand for it
    offscript = [(a["start"], a["end"], "adlib", [(a["start"], a["end"])]) for a in truth.get("adlibs", [])]
    offscript += [(h["start"], h["end"], "host", [(h["start"], h["end"])]) for h in truth.get("host", [])]
    for d in truth.get("deviations", []):
        first, second = d.get("first_occurrence_aborted"), d.get("second_occurrence")
        if first:
            # a phrase said twice: either saying is the extra one (the truth names the first; an aligner
            # that matches the first to the text rightly reports the second)
            sayings = [(first["start"], first["end"])] + ([(second["start"], second["end"])] if second else [])
            offscript.append((first["start"], first["end"], "stumble", sayings))
    report["offscript_coverage"] = [
        {"kind": kind, "start": a, "end": b, "covered": round(max(_covered(x, spans) for x in sayings), 3)}
        for a, b, kind, sayings in offscript
    ]
    total = sum(b - a for a, b in spans)
    truly = [(a - 0.5, b + 0.5) for _, _, _, sayings in offscript for a, b in sayings]
    inside = sum(_covered((a, b), truly) * (b - a) for a, b in spans)
    report["unscripted"] = {"rows": len(spans), "seconds": round(total, 2),
                            "share_in_offscript": round(inside / total, 3) if total else None}
    return report


def format_report(report: dict) -> str:
    """The report as a plain-text table."""
    lines = [f"{'measure':<16}{'n':>5}{'median':>9}{'p95':>9}{'max':>9}{'≤0.25s':>8}{'≤0.5s':>8}{'≤1s':>8}"]
    for key in ("paragraph_start", "paragraph_end", "sentence_start", "sentence_end"):
        r = report[key]
        if not r["n"]:
            lines.append(f"{key:<16}{0:>5}")
            continue
        lines.append(
            f"{key:<16}{r['n']:>5}{r['median']:>9.3f}{r['p95']:>9.3f}{r['max']:>9.3f}"
            f"{r['within_0.25']:>8.0%}{r['within_0.5']:>8.0%}{r['within_1']:>8.0%}"
            + (f"  ({r['missing']} spoken but not timed)" if r["missing"] else "")
        )
    lost = report["lost"]
    lines.append(f"spoken sentences lost: {lost['lost']} of {lost['spoken']}"
                 + (f" ({', '.join(lost['sentences'])})" if lost["sentences"] else ""))
    ns = report["not_spoken"]
    lines.append(f"skips found: {round(ns['recall'] * ns['truth'])} of {ns['truth']}; not_spoken flagged "
                 f"{ns['flagged']}, precision {ns['precision']:.2f}")
    for w in report.get("worst_starts", []):
        lines.append(f"worst start {w['sentence']}: {w['error']:+.2f} s ({w['status']}, confidence {w['confidence']})"
                     + (f" {w['clip']}" if w.get("clip") else ""))
    if report.get("to_check"):
        lines.append(f"to check ({len(report['to_check'])}: estimated, partial or confidence below {CHECK_BELOW}): "
                     + ", ".join(f"{c['sentence']} {c['status']} {c['confidence']}" for c in report["to_check"]))
    for key, v in report["deviating_sentences"].items():
        lines.append(f"deviating {key}: truth {v['truth']}, ours {v['ours']}")
    for c in report["offscript_coverage"]:
        lines.append(f"off-script {c['kind']} {c['start']:.2f}-{c['end']:.2f} s: {c['covered']:.0%} covered by unscripted rows")
    u = report["unscripted"]
    share = "n/a" if u["share_in_offscript"] is None else f"{u['share_in_offscript']:.0%}"
    lines.append(f"unscripted: {u['rows']} rows, {u['seconds']} s, {share} of it in truly off-script speech (±0.5 s)")
    return "\n".join(lines)
