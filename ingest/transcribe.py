"""Transcription of a whole recording, a chunk at a time, behind the transcript cache."""

from __future__ import annotations

import time

import numpy as np

from .audio import to_float
from .cache import cache_key, cached_transcript, store_transcript
from .engines import ENGINES, RUNNERS, DecodingSettings, Transcript


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


def run_whisper(samples: np.ndarray, engine: str, model: str, settings: DecodingSettings, progress: bool,
                pauses: np.ndarray | None = None) -> Transcript:
    """Transcribe 16 kHz mono int16 samples with word timestamps, a chunk at a time.

    Only one chunk is ever converted to float32 and turned into features, so memory stays bounded
    on recordings of hours.
    """
    from tqdm import tqdm

    if engine not in RUNNERS:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    bounds = chunk_bounds(len(samples), np.zeros((0, 2)) if pauses is None else pauses, settings.chunk_seconds)
    segments, language = [], settings.language or ""
    with tqdm(total=round(len(samples) / 16000), unit="s", desc="transcribe", disable=not progress,
              bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]") as bar:
        for lo, hi in bounds:
            language, pieces = RUNNERS[engine](to_float(samples[lo:hi]), model, settings, bar)
            offset = lo / 16000
            for s in pieces:
                s["start"], s["end"] = s["start"] + offset, s["end"] + offset
                for w in s["words"]:
                    w["start"], w["end"] = w["start"] + offset, w["end"] + offset
            segments += pieces
    return Transcript(language, segments, time.perf_counter() - started)


def transcribe(
    samples: np.ndarray,
    audio_sha256: str,
    *,
    engine: str,
    model: str = "base",
    settings: DecodingSettings,
    progress: bool = True,
    pauses: np.ndarray | None = None,
) -> Transcript:
    """The transcript of 16 kHz mono int16 samples, from the cache when it is there.

    :param pauses: (n × 2) pause spans in seconds, where long audio may be cut into chunks.
    """
    key = cache_key(audio_sha256, engine, model, settings)
    hit = cached_transcript(key)
    if hit is not None:
        return hit
    transcript = run_whisper(samples, engine, model, settings, progress, pauses)
    store_transcript(key, audio_sha256, engine, model, settings, transcript)
    return transcript
