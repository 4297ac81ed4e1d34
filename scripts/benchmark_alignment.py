"""Benchmark: alignment time and peak memory against text length, and transcription vs alignment
time on the seed recording. Prints tables; not a test.

    .venv/bin/python scripts/benchmark_alignment.py [--skip-seed]

Each size runs in its own process so its peak memory (max RSS) is its own; the baseline row is a
process that imports the aligner and builds the inputs but does not align.
"""

from __future__ import annotations

import argparse
import os
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"
SAMPLE_TEXT = ROOT / "ingest" / "sample" / "official.txt"


def build_inputs(n_chars: int):
    """An official text of about n_chars characters and a perturbed 'transcript' of it.

    The transcript drops one character in 40, replaces one in 9 by another character (an ASR
    error), and inserts an off-script passage every 2,000 characters; 0.2 s per character.
    """
    from podium.alignment import Word

    from podium.alignment import split_text

    sample = SAMPLE_TEXT.read_text(encoding="utf-8")
    sentences = [sample[sp.start:sp.end] for sp in split_text(sample)[1]]
    # the sample's sentences in a new order each round: a long text that does not repeat itself whole
    rng, lines, total = random.Random(0), [], 0
    while total < n_chars:
        order = sentences[:]
        rng.shuffle(order)
        for k in range(0, len(order), 4):
            lines.append("".join(order[k:k + 4]))
            total += len(lines[-1])
            if total >= n_chars:
                break
    text = "\n".join(lines)
    words, t = [], 0.0
    for i, ch in enumerate(text):
        if not ch.strip() or ch in "，。、；：“”（）！？":
            t += 0.1
            continue
        if i % 40 == 7:
            continue
        if i % 2000 == 1999:
            for extra in "这里我再多说两句大家回去以后一定要把会议精神传达到":
                words.append(Word(extra, t, t + 0.2))
                t += 0.2
        words.append(Word("错" if i % 9 == 4 else ch, t, t + 0.2))
        t += 0.2
    return text, words


def child(n_chars: int, do_align: bool) -> dict:
    from podium.alignment import align

    text, words = build_inputs(n_chars)
    seconds = None
    if do_align:
        started = time.perf_counter()
        result = align(text, words, language="zh")
        seconds = time.perf_counter() - started
        assert result.matched_share > 0.5
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"chars": len(text), "words": len(words), "seconds": seconds, "peak_mb": peak_mb}


def run_child(n_chars: int, do_align: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(n_chars), "1" if do_align else "0"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def length_table() -> None:
    print("Alignment time and peak memory against text length (synthetic transcript, one process per row)")
    print(f"{'official chars':>15}{'transcript words':>18}{'align s':>10}{'peak RSS MB':>13}{'over baseline MB':>18}")
    for n in (1_000, 10_000, 50_000):
        base = run_child(n, False)
        r = run_child(n, True)
        print(f"{r['chars']:>15,}{r['words']:>18,}{r['seconds']:>10.2f}{r['peak_mb']:>13.0f}"
              f"{r['peak_mb'] - base['peak_mb']:>18.0f}")


def seed_table() -> None:
    from podium.alignment import align
    from podium.alignment.pauses import frame_levels
    from podium.ingest import transcribe as tr
    from podium.ingest.audio import SAMPLE_RATE, decode, sha256_file

    audio = SEED / "seed_plain.mp3"
    text = (SEED / "official.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["PODIUM_CACHE_DIR"] = cache  # a cold cache: transcribe for real
        started = time.perf_counter()
        samples = decode(audio)
        decode_s = time.perf_counter() - started
        started = time.perf_counter()
        transcript = tr.transcribe(samples, sha256_file(audio), settings=tr.DecodingSettings(language="zh"),
                                   progress=False)
        transcribe_s = time.perf_counter() - started
    started = time.perf_counter()
    levels = frame_levels(samples, SAMPLE_RATE)
    result = align(text, transcript.words(), language="zh", levels=levels)
    align_s = time.perf_counter() - started
    duration = len(samples) / SAMPLE_RATE
    print(f"\nseed_plain.mp3 ({duration:.1f} s of audio), openai-whisper base on CPU, one run")
    print(f"{'stage':<34}{'seconds':>9}{'x real time':>13}")
    for name, s in (("decode", decode_s), ("transcribe (incl. model load)", transcribe_s),
                    ("align (levels + text + snapping)", align_s)):
        print(f"{name:<34}{s:>9.2f}{duration / s:>13.1f}")
    print(f"alignment / transcription time: {align_s / transcribe_s:.4f}; {len(result.sentences)} sentences")
    stage_table(text, transcript.words(), levels)


def stage_table(text, words, levels) -> None:
    """What each alignment stage buys, on the seed recording's truth."""
    from podium.alignment import align
    from podium.ingest.evaluate import evaluate, load_truth
    from podium.ingest.pipeline import build_record

    truth = load_truth(SEED / "seed_plain_truth.json")
    print(f"\n{'stage (seed_plain, sentences)':<40}{'start med':>10}{'p95':>8}{'max':>8}{'end med':>9}{'p95':>8}{'max':>8}")
    for name, lv in (("text alignment, Whisper word times", None), ("+ edges snapped to pauses", levels)):
        result = align(text, words, language="zh", levels=lv)
        record = build_record("x", text, result, {})
        r = evaluate(record.paragraphs, record.sentences, record.unscripted, truth)
        s, e = r["sentence_start"], r["sentence_end"]
        print(f"{name:<40}{s['median']:>10.3f}{s['p95']:>8.3f}{s['max']:>8.3f}{e['median']:>9.3f}{e['p95']:>8.3f}{e['max']:>8.3f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), sys.argv[3] == "1")))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-seed", action="store_true", help="only the text-length table")
    args = parser.parse_args()
    length_table()
    if not args.skip_seed:
        seed_table()
