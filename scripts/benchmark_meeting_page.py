"""Benchmark: the meeting page of a long meeting, rendered in process. Prints a summary; not a test.

    .venv/bin/python scripts/benchmark_meeting_page.py [--hours 3] [--sentences 1100] [--runs 20] [--keep DIR] [--smoke]

Builds an archive holding one synthetic meeting of `--hours` hours and `--sentences` sentences (the
sample speech's sentences, in paragraphs of 1-4 minutes; some not spoken, some partly spoken, and
off-script passages between paragraphs), written through the schema module (`schema.MeetingRows`)
and `ingest.store.write_meeting` like a real ingest. Then times `GET /meeting/<id>` through Datasette's
in-process client (`ds.client`, no network): wall time and this process's CPU time (time.process_time),
median and p95 over `--runs` requests after two warm-up requests. Exits 1 if the median wall time is
over the budget (300 ms). `--smoke`: 6 minutes and 60 sentences, 3 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmark_common import ROOT, SMOKE_HELP, cpu_model, percentile

BUDGET_MS = 300.0
MEETING_ID = "long"


def build(db_path: Path, hours: float, n_sentences: int, seed: int = 0) -> dict:
    """One meeting of `hours` hours and `n_sentences` sentences in a new archive at `db_path`."""
    from podium import schema
    from podium.alignment import split_text
    from podium.ingest import store

    sample = (ROOT / "ingest" / "sample" / "official.txt").read_text(encoding="utf-8")
    base = [sample[s.start:s.end].strip() for s in split_text(sample)[1]]
    base = [s for s in base if s]
    rng = random.Random(seed)
    texts = [rng.choice(base) for _ in range(n_sentences)]
    # sizes of paragraphs: 6-24 sentences (1-4 minutes at about 10 s a sentence)
    sizes, left = [], n_sentences
    while left > 0:
        sizes.append(min(left, rng.randint(6, 24)))
        left -= sizes[-1]
    total = hours * 3600.0
    passages = len(sizes) // 3  # an off-script passage after every third paragraph
    step = (total - passages * 20.0 - 5.0) / n_sentences  # seconds per sentence, gaps included

    def row(table: str, **values) -> dict:
        return {**{c: None for c in schema.TABLE[table].column_names}, **values}

    def timed(start, end) -> dict:
        return {"start": start, "end": end, "start_hms": schema.hms(start), "end_hms": schema.hms(end)}

    paragraphs, sentences, unscripted = [], [], []
    t, k = 5.0, 0
    for p_seq, size in enumerate(sizes):
        p_start, spoken_any = None, False
        for s_seq in range(size):
            text = texts[k]
            k += 1
            status = "not_spoken" if k % 40 == 0 else "partial" if k % 25 == 0 else "spoken"
            if status == "not_spoken":
                times = timed(None, None)
            else:
                times = timed(round(t, 3), round(t + step * 0.9, 3))
                p_start = times["start"] if p_start is None else p_start
                spoken_any = True
                t += step
            sentences.append(row("sentences", id=schema.sentence_id(MEETING_ID, p_seq, s_seq), meeting_id=MEETING_ID,
                                 paragraph_id=schema.paragraph_id(MEETING_ID, p_seq), paragraph_seq=p_seq,
                                 seq=s_seq, text=text, status=status, confidence=0.5 if status == "partial" else 1.0,
                                 **times))
        own = [s for s in sentences if s["paragraph_seq"] == p_seq]
        paragraphs.append(row("paragraphs", id=schema.paragraph_id(MEETING_ID, p_seq), meeting_id=MEETING_ID,
                              seq=p_seq, text="".join(s["text"] for s in own),
                              status="spoken" if spoken_any else "not_spoken", confidence=1.0,
                              **timed(p_start, round(t - step * 0.1, 3) if spoken_any else None)))
        if p_seq % 3 == 2 and len(unscripted) < passages:
            unscripted.append(row("unscripted", id=schema.unscripted_id(MEETING_ID, len(unscripted)),
                                  meeting_id=MEETING_ID, text="（主持人）下面请继续发言。",
                                  **timed(round(t, 3), round(t + 18, 3))))
            t += 20.0
    meeting = row("meetings", id=MEETING_ID, title="三小时的会议 · a three-hour meeting", date="2024-01-01",
                  speaker="Benchmark", language="zh", duration=total, official_text="\n".join(texts),
                  engine="none", matched_share=0.95)
    store.write_meeting(db_path, schema.MeetingRows(meeting=meeting, paragraphs=paragraphs, sentences=sentences,
                                                    unscripted=unscripted))
    return {"paragraphs": len(paragraphs), "sentences": len(sentences), "unscripted": len(unscripted),
            "duration": total}


async def measure(db_path: Path, runs: int) -> dict:
    from podium.publish import make_datasette

    ds = make_datasette(db_path)
    url = f"/meeting/{MEETING_ID}"
    headers = {"Accept-Language": "zh-CN"}
    for _ in range(2):  # warm-up: templates compiled, connections opened
        response = await ds.client.get(url, headers=headers)
        assert response.status_code == 200, response.status_code
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = await ds.client.get(url, headers=headers)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        assert response.status_code == 200
    page = response.text
    return {"walls": walls, "cpus": cpus, "bytes": len(response.content),
            "sentence_elements": page.count('class="podium-sentence '),
            "bands": page.count('class="podium-band ')}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--sentences", type=int, default=1100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the archive in this folder and keep it")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args(argv)
    if args.smoke:
        args.hours, args.sentences, args.runs, args.keep = 0.1, 60, 3, None

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "benchmark-meeting.db"
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        built = build(db, args.hours, args.sentences)
        build_s = time.perf_counter() - started
        result = asyncio.run(measure(db, args.runs))

    walls, cpus = result["walls"], result["cpus"]
    median = statistics.median(walls)
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}")
    print(f"meeting: {built['duration'] / 3600:.1f} h, {built['paragraphs']} paragraphs, "
          f"{built['sentences']} sentences, "
          f"{built['unscripted']} off-script passages (archive built in {build_s:.1f} s)")
    print(f"page: {result['bytes'] / 1024:.0f} KiB, {result['sentence_elements']} sentence elements, "
          f"{result['bands']} timeline bands")
    print(f"GET /meeting/{MEETING_ID} in process, {len(walls)} runs:")
    print(f"  wall  median {median:7.1f} ms   p95 {percentile(walls, 0.95):7.1f} ms   "
          f"min {min(walls):7.1f} ms   max {max(walls):7.1f} ms")
    print(f"  CPU   median {statistics.median(cpus):7.1f} ms   p95 {percentile(cpus, 0.95):7.1f} ms   "
          f"(time.process_time: this process, all threads)")
    ok = median < BUDGET_MS
    print(f"budget {BUDGET_MS:.0f} ms (median wall): {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
