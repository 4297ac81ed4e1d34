"""Transcription of a whole recording, a chunk at a time, behind the transcript cache.

Whisper skips speech now and then: a 30 s window decoded as silence, a VAD that calls quiet speech
noise, a repetition loop or a few words stretched over applause. So after the first pass, unreliable
segments are dropped (`is_unreliable`) and the voiced stretches of the signal that no word covers are
decoded again on their own (`recover_gaps`), greedily and without VAD.
"""

from __future__ import annotations

import dataclasses
import re
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from podium.alignment.pauses import UNCOVERED_MIN, find_pauses, subtract_spans, voiced_spans

from .audio import SAMPLE_RATE, to_float
from .cache import cache_key, cached_transcript, store_transcript
from .engines import ENGINES, RUNNERS, DecodingSettings, Transcript, cpu_lanes

RECOVERY_MIN_VOICE = 0.5  # seconds of voice that no word covers (a short line: 同志们) before it is decoded again
RECOVERY_JOIN = 2.0  # seconds: uncovered stretches closer than this are decoded in one window
RECOVERY_CONTEXT = 0.5  # seconds of audio either side of such a window given to the decoder
LOOP_RATIO = 2.4  # a segment whose text compresses more than this is a repetition loop (Whisper's own test)...
LOOP = re.compile(r"(\w{2,8}?)\1{4,}")  # ...as is one that says a short phrase five times running
SPARSE = 1.0  # characters per second: a segment of over 4 s rendered this thinly lost most of its speech
# the second pass: no VAD (it may be what dropped the speech), one window at a time, Whisper's own no-speech
# test against hallucinating on noise, and greedy: temperature fallback samples, and CTranslate2's generators
# (one per worker thread, seeded once) made the same file lose 0, 2 or 6 sentences from run to run. What
# greedy decoding still misses, the forced alignment of the official text places (docs/benchmarks.md).
RECOVERY = {"vad": False, "batch_size": None, "temperature": 0.0, "no_speech_threshold": 0.6}


def chunk_bounds(n_samples: int, pauses: np.ndarray, chunk_seconds: float, sample_rate: int = 16000,
                 search: float = 60.0) -> list[tuple[int, int]]:
    """Sample ranges of at most about `chunk_seconds`, cut in the middle of the longest pause within
    `search` seconds of each nominal cut (Whisper reads 30 s windows: a cut in a pause costs nothing)."""
    bounds, start = [], 0
    while n_samples - start > 1.25 * chunk_seconds * sample_rate:
        target = start / sample_rate + chunk_seconds
        middles = pauses.mean(axis=1) if len(pauses) else np.zeros(0)
        near = (middles > target - search) & (middles < target + search)
        cut_s = target
        if near.any():
            lengths = np.where(near, pauses[:, 1] - pauses[:, 0], -1.0)
            cut_s = float(middles[int(np.argmax(lengths))])
        cut = int(cut_s * sample_rate)
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n_samples))
    return bounds


def is_unreliable(segment: dict) -> bool:
    """A decoder stuck repeating itself ("生病者生病者…"), or a few words stretched over many seconds (over
    applause, say): its words cover the speech they replaced, so they are dropped and the recovery pass
    decodes that stretch again."""
    text = segment["text"].encode("utf-8")
    duration = segment["end"] - segment["start"]
    return (bool(LOOP.search(segment["text"]))
            or (len(text) > 24 and len(text) / len(zlib.compress(text)) > LOOP_RATIO)
            or (duration > 4.0 and len(segment["text"].strip()) / duration < SPARSE))


def _shift(pieces: list[dict], offset: float) -> list[dict]:
    for s in pieces:
        s["start"], s["end"] = s["start"] + offset, s["end"] + offset
        for w in s["words"]:
            w["start"], w["end"] = w["start"] + offset, w["end"] + offset
    return pieces


def recover_gaps(samples: np.ndarray, segments: list[dict], engine: str, model: str, settings: DecodingSettings,
                 levels: np.ndarray, progress: bool = False) -> list[dict]:
    """Segments decoded again over the voiced audio that no word of `segments` covers; only their words
    inside such a gap are kept (with a tolerance of a quarter second)."""
    from tqdm import tqdm

    again = dataclasses.replace(settings, **RECOVERY)
    voiced, recovered = voiced_spans(levels), []
    for round_ in range(settings.recover_rounds):
        words = np.array([[w["start"], w["end"]] for s in segments + recovered for w in s["words"]],
                         dtype=float).reshape(-1, 2)
        windows = _windows(subtract_spans(voiced, words, min_length=UNCOVERED_MIN))
        if progress and windows:
            seconds = sum(float(np.sum(w[:, 1] - w[:, 0])) for w in windows)
            tqdm.write(f"[podium] decoding again {seconds:.0f} s of voice that no word covers "
                       f"({len(windows)} windows, round {round_ + 1})")
        found = _decode_gaps(samples, windows, engine, model, again)
        if not found:
            break
        recovered += found
    return recovered


def _windows(gaps: np.ndarray) -> list[np.ndarray]:
    """Uncovered stretches grouped into decoding windows: near ones together, and only groups holding at
    least RECOVERY_MIN_VOICE seconds of uncovered voice."""
    groups: list[list] = []
    for gap in gaps:
        if groups and gap[0] - groups[-1][-1][1] <= RECOVERY_JOIN:
            groups[-1].append(gap)
        else:
            groups.append([gap])
    return [np.array(g) for g in groups if sum(b - a for a, b in g) >= RECOVERY_MIN_VOICE]


def _decode_gaps(samples: np.ndarray, windows: list[np.ndarray], engine: str, model: str,
                 settings: DecodingSettings) -> list[dict]:
    """Decode each window of uncovered stretches (as many at once as the engine has lanes); keep the words
    whose middle falls in one of them."""
    from tqdm import tqdm

    def decode(gaps: np.ndarray) -> list[dict]:
        lo = max(0, int((gaps[0, 0] - RECOVERY_CONTEXT) * SAMPLE_RATE))
        hi = min(len(samples), int((gaps[-1, 1] + RECOVERY_CONTEXT) * SAMPLE_RATE))
        with tqdm(disable=True) as quiet:
            _, pieces = RUNNERS[engine](to_float(samples[lo:hi]), model, settings, quiet)
        found = []
        for s in _shift(pieces, lo / SAMPLE_RATE):
            kept = [w for w in s["words"]
                    if any(a - 0.25 <= (w["start"] + w["end"]) / 2 <= b + 0.25 for a, b in gaps)]
            if kept:
                found.append({"start": kept[0]["start"], "end": kept[-1]["end"],
                              "text": "".join(w["word"] for w in kept), "words": kept, "recovered": True})
        return found

    with ThreadPoolExecutor(cpu_lanes(engine, settings.compute_type)) as pool:
        return [s for found in pool.map(decode, windows) for s in found]


def run_whisper(samples: np.ndarray, engine: str, model: str, settings: DecodingSettings, progress: bool,
                levels: np.ndarray | None = None) -> Transcript:
    """Transcribe 16 kHz mono int16 samples with word timestamps, a chunk at a time, then decode again
    what the first pass skipped (when `settings.recover_rounds` and the signal's `levels` are given).

    Only one chunk is ever converted to float32 and turned into features, so memory stays bounded
    on recordings of hours.
    """
    from tqdm import tqdm

    if engine not in RUNNERS:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    pauses = np.zeros((0, 2)) if levels is None else find_pauses(levels)
    bounds = chunk_bounds(len(samples), pauses, settings.chunk_seconds)
    segments, language = [], settings.language or ""
    with tqdm(total=round(len(samples) / 16000), unit="s", desc="transcribe", disable=not progress,
              bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]") as bar:
        for lo, hi in bounds:
            language, pieces = RUNNERS[engine](to_float(samples[lo:hi]), model, settings, bar)
            segments += _shift(pieces, lo / SAMPLE_RATE)
    if settings.recover_rounds and levels is not None:
        segments = [s for s in segments if not is_unreliable(s)]
        segments = sorted(segments + recover_gaps(samples, segments, engine, model, settings, levels, progress),
                          key=lambda s: s["start"])
    return Transcript(language, segments, time.perf_counter() - started)


def transcribe(
    samples: np.ndarray,
    audio_sha256: str,
    *,
    engine: str,
    model: str = "base",
    settings: DecodingSettings,
    progress: bool = True,
    levels: np.ndarray | None = None,
) -> Transcript:
    """The transcript of 16 kHz mono int16 samples, from the cache when it is there.

    :param levels: the signal's frame levels (`pauses.frame_levels`): long audio is cut into chunks in
        its pauses, and the voice that no word covers is decoded again.
    """
    key = cache_key(audio_sha256, engine, model, settings)
    hit = cached_transcript(key)
    if hit is not None:
        return hit
    transcript = run_whisper(samples, engine, model, settings, progress, levels)
    store_transcript(key, audio_sha256, engine, model, settings, transcript)
    return transcript
