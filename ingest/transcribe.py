"""Transcription with Whisper, behind a cache that is never published.

The raw output (segments and words with times) is stored in a SQLite file in
the cache directory, keyed by the audio's SHA-256, the engine, the model and
the decoding settings, so the same audio is never transcribed twice: not when
re-ingested, not into another archive, not when re-aligned after the official
text was corrected.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import sqlite_utils

from alignment import Word

from .paths import cache_dir

ENGINES = ("openai-whisper",)


@dataclass(frozen=True)
class DecodingSettings:
    """Whisper decoding settings; all of them are part of the cache key."""

    language: str | None  # 'zh', 'en'; None lets Whisper detect it
    temperature: float = 0.0  # greedy, no fallback: fallback retries took minutes per window on hard audio
    beam_size: int | None = None  # greedy decoding
    condition_on_previous_text: bool = False  # conditioning feeds repetition loops on long speech
    no_speech_threshold: float | None = None  # never drop a 30 s window as silence: alignment needs every word
    word_timestamps: bool = True


@dataclass
class Transcript:
    language: str
    segments: list[dict]  # Whisper's segments, each with its words
    seconds: float  # compute time of the transcription (0 when it came from the cache)
    cached: bool = False

    def words(self) -> list[Word]:
        return [
            Word(w["word"], float(w["start"]), float(w["end"]))
            for s in self.segments
            for w in s.get("words", [])
        ]


def cache_db_path() -> Path:
    return cache_dir() / "transcripts.sqlite3"


def cache_key(audio_sha256: str, engine: str, model: str, settings: DecodingSettings) -> str:
    payload = json.dumps([audio_sha256, engine, model, asdict(settings)], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def cached_transcript(key: str) -> Transcript | None:
    db = sqlite_utils.Database(cache_db_path())
    if "transcripts" not in db.table_names():
        return None
    rows = list(db.query("select language, segments from transcripts where key = ?", [key]))
    if not rows:
        return None
    return Transcript(rows[0]["language"], json.loads(rows[0]["segments"]), 0.0, cached=True)


def store_transcript(key: str, audio_sha256: str, engine: str, model: str, settings: DecodingSettings, t: Transcript):
    db = sqlite_utils.Database(cache_db_path())
    db["transcripts"].insert(
        {
            "key": key,
            "audio_sha256": audio_sha256,
            "engine": engine,
            "model": model,
            "settings": json.dumps(asdict(settings), sort_keys=True),
            "language": t.language,
            "segments": json.dumps(t.segments, ensure_ascii=False),
            "seconds": t.seconds,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        pk="key",
        replace=True,
    )


def store_levels(audio_sha256: str, levels: np.ndarray) -> None:
    """Keep the recording's frame levels, so `podium align` can snap to pauses without the audio."""
    db = sqlite_utils.Database(cache_db_path())
    db["levels"].insert({"audio_sha256": audio_sha256, "levels": levels.astype(np.float16).tobytes()},
                        pk="audio_sha256", replace=True)


def cached_levels(audio_sha256: str) -> np.ndarray | None:
    db = sqlite_utils.Database(cache_db_path())
    if "levels" not in db.table_names():
        return None
    rows = list(db.query("select levels from levels where audio_sha256 = ?", [audio_sha256]))
    return np.frombuffer(rows[0]["levels"], dtype=np.float16).astype(np.float32) if rows else None


_models: dict[tuple[str, str], object] = {}


def load_model(engine: str, model: str):
    """Load (once per process) the model for an engine."""
    if (engine, model) not in _models:
        if engine != "openai-whisper":
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        from .weights import load_openai_whisper

        _models[engine, model] = load_openai_whisper(model)
    return _models[engine, model]


def run_whisper(samples: np.ndarray, engine: str, model: str, settings: DecodingSettings, progress: bool) -> Transcript:
    """Transcribe 16 kHz mono samples with word timestamps."""
    whisper_model = load_model(engine, model)
    started = time.perf_counter()
    result = whisper_model.transcribe(
        samples,
        language=settings.language,
        temperature=settings.temperature,
        beam_size=settings.beam_size,
        condition_on_previous_text=settings.condition_on_previous_text,
        no_speech_threshold=settings.no_speech_threshold,
        word_timestamps=settings.word_timestamps,
        fp16=False,
        verbose=False if progress else None,  # False shows whisper's own progress bar
    )
    segments = [
        {
            "start": s["start"],
            "end": s["end"],
            "text": s["text"],
            "words": [
                {"word": w["word"], "start": w["start"], "end": w["end"], "probability": w["probability"]}
                for w in s.get("words", [])
            ],
        }
        for s in result["segments"]
    ]
    return Transcript(result["language"], segments, time.perf_counter() - started)


def transcribe(
    samples: np.ndarray,
    audio_sha256: str,
    *,
    engine: str = "openai-whisper",
    model: str = "base",
    settings: DecodingSettings,
    progress: bool = True,
) -> Transcript:
    """The transcript of the audio, from the cache when it is there."""
    key = cache_key(audio_sha256, engine, model, settings)
    hit = cached_transcript(key)
    if hit is not None:
        return hit
    transcript = run_whisper(samples, engine, model, settings, progress)
    store_transcript(key, audio_sha256, engine, model, settings, transcript)
    return transcript
