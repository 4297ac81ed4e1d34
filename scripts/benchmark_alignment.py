"""Benchmark: alignment time and peak memory against text length, the time of each ingest stage on the seed
recording, and what each alignment stage buys in timing accuracy. Prints tables; not a test.

    .venv/bin/python scripts/benchmark_alignment.py [--skip-seed] [--engine faster-whisper] [--smoke]

Each size runs in its own process so its peak memory (max RSS) is its own; the baseline row is a
process that imports the aligner and builds the inputs but does not align. The seed recording is
transcribed with an empty transcript cache (converted weights are kept), then aligned stage by stage as
`podium ingest` does (pipeline._align): text alone, then pauses, voice, and the forced alignment of what the
transcript could not place. `--smoke`: the 1,000-character row and the seed speech's first two paragraphs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark_common import SEED, SMOKE_HELP, cache_in_this_process, cpu_model, empty_cache, seed_excerpt

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TEXT = ROOT / "ingest" / "sample" / "official.txt"
SIZES = (1_000, 10_000, 50_000)


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


def length_table(sizes=SIZES) -> None:
    print("Alignment time and peak memory against text length (synthetic transcript, one process per row)")
    print(f"{'official chars':>15}{'transcript words':>18}{'align s':>10}{'peak RSS MB':>13}{'over baseline MB':>18}")
    for n in sizes:
        base = run_child(n, False)
        r = run_child(n, True)
        print(f"{r['chars']:>15,}{r['words']:>18,}{r['seconds']:>10.2f}{r['peak_mb']:>13.0f}"
              f"{r['peak_mb'] - base['peak_mb']:>18.0f}")


def seed_table(audio: Path, official: Path, truth: Path, engine: str) -> None:
    from podium.alignment.pauses import find_pauses, frame_levels
    from podium.ingest.audio import SAMPLE_RATE, decode, sha256_file
    from podium.ingest.engines import settings_for
    from podium.ingest.transcribe import transcribe
    from podium.ingest.voice import speech_spans

    text = official.read_text(encoding="utf-8")
    settings = settings_for(engine, "zh")
    with empty_cache() as cache, cache_in_this_process(cache):  # a cold transcript cache: transcribe for real
        started = time.perf_counter()
        samples = decode(audio)
        decode_s = time.perf_counter() - started
        started = time.perf_counter()
        levels = frame_levels(samples, SAMPLE_RATE)
        voice = speech_spans(samples, find_pauses(levels))
        levels_s = time.perf_counter() - started
        started = time.perf_counter()
        transcript = transcribe(samples, sha256_file(audio), engine=engine, settings=settings, progress=False,
                                levels=levels)
        transcribe_s = time.perf_counter() - started
        stages, align_s = aligned_by_stage(text, transcript.words(), samples, levels, voice, engine, settings,
                                           sha256_file(audio))
    duration = len(samples) / SAMPLE_RATE
    print(f"\n{audio.name} ({duration:.1f} s of audio), {engine} base, one run; CPU: {cpu_model()}")
    print(f"{'stage':<42}{'seconds':>9}{'x real time':>13}")
    for name, s in (("decode", decode_s), ("levels and voice (Silero VAD)", levels_s),
                    ("transcribe (incl. model load)", transcribe_s),
                    ("align (text, pauses, voice, forced)", align_s)):
        print(f"{name:<42}{s:>9.2f}{duration / s:>13.1f}")
    print(f"alignment / transcription time: {align_s / transcribe_s:.4f}; {len(stages[-1][1].sentences)} sentences")
    stage_table(text, stages, json.loads(truth.read_text(encoding="utf-8")))


def aligned_by_stage(text, words, samples, levels, voice, engine, settings, audio_sha256):
    """The alignment after each stage of `podium ingest` (as pipeline._align runs them), and the seconds of
    the whole: [(stage, Alignment)], seconds."""
    from podium.alignment import align
    from podium.ingest.forced import force_align

    started = time.perf_counter()
    stages = [("text alignment, Whisper word times", align(text, words, language="zh")),
              ("+ edges snapped to pauses", align(text, words, language="zh", levels=levels)),
              ("+ voice (Silero VAD)", align(text, words, language="zh", levels=levels, voice=voice))]
    regions = stages[-1][1].regions
    if regions:
        forced = force_align(samples, text, regions, engine=engine, model="base", settings=settings, language="zh",
                             audio_sha256=audio_sha256)
        stages.append(("+ forced alignment of what was not placed",
                       align(text, words, language="zh", levels=levels, voice=voice, forced=forced)))
    else:
        stages.append(("+ forced alignment (nothing left to place)", stages[-1][1]))
    return stages, time.perf_counter() - started


def stage_table(text: str, stages, truth: dict) -> None:
    """What each alignment stage buys, on the recording's truth (sentences)."""
    from podium import schema
    from podium.alignment.evaluate import evaluate

    def stats(r: dict) -> str:
        return (f"{r['median']:>10.3f}{r['p95']:>8.3f}{r['max']:>8.3f}" if r["n"] else f"{'–':>10}{'–':>8}{'–':>8}")

    print(f"\n{'alignment stage (sentences)':<44}{'lost':>6}{'start med':>10}{'p95':>8}{'max':>8}"
          f"{'end med':>10}{'p95':>8}{'max':>8}")
    meeting = {"id": "x", "official_text": text}
    for name, result in stages:
        rows = schema.meeting_rows(meeting, schema.one_speech(meeting), result)
        r = evaluate(rows.paragraphs, rows.sentences, rows.unscripted, truth)
        print(f"{name:<44}{r['lost']['lost']:>6}{stats(r['sentence_start'])}{stats(r['sentence_end'])}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), sys.argv[3] == "1")))
        sys.exit(0)
    from podium.ingest.engines import ENGINES, default_engine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-seed", action="store_true", help="only the text-length table")
    parser.add_argument("--engine", choices=ENGINES, default=default_engine())
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    length_table(SIZES[:1] if args.smoke else SIZES)
    if args.skip_seed:
        sys.exit(0)
    with tempfile.TemporaryDirectory() as scratch:
        recording = (seed_excerpt(Path(scratch)) if args.smoke else
                     (SEED / "seed_plain.mp3", SEED / "official.txt", SEED / "seed_plain_truth.json"))
        seed_table(*recording, args.engine)
