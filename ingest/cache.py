"""The transcript cache, never published: raw Whisper output, signal levels, speech spans and forced
alignments per recording.

A SQLite file in the cache directory, keyed by the audio's SHA-256, the engine, the model and the
decoding settings, so the same audio is never transcribed twice: not when re-ingested, not into
another archive, not when re-aligned after the official text was corrected.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import sqlite_utils

from .engines import DecodingSettings, Transcript
from .paths import cache_dir


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




def store_voice(audio_sha256: str, voice: np.ndarray) -> None:
    """Keep where the voice-activity model heard speech, so `podium align` can snap to it without the audio."""
    db = sqlite_utils.Database(cache_db_path())
    db["voice"].insert({"audio_sha256": audio_sha256, "spans": voice.astype(np.float32).tobytes()},
                       pk="audio_sha256", replace=True)


def cached_voice(audio_sha256: str) -> np.ndarray | None:
    db = sqlite_utils.Database(cache_db_path())
    if "voice" not in db.table_names():
        return None
    rows = list(db.query("select spans from voice where audio_sha256 = ?", [audio_sha256]))
    return np.frombuffer(rows[0]["spans"], dtype=np.float32).astype(float).reshape(-1, 2) if rows else None


def forced_key(audio_sha256: str, engine: str, model: str, language: str, text: str, start: float, end: float) -> str:
    """A region's forced alignment depends on the audio, the model, its text and its bounds, nothing else."""
    payload = json.dumps([audio_sha256, engine, model, language, text, round(start, 3), round(end, 3)])
    return hashlib.sha256(payload.encode()).hexdigest()


def store_forced(key: str, words: list[list[float]]) -> None:
    """Keep a region's forced alignment: [start_char, end_char, start, end, probability] per word, the
    characters counted from the region's start (so a change elsewhere in the text does not move them)."""
    db = sqlite_utils.Database(cache_db_path())
    db["forced"].insert({"key": key, "words": json.dumps(words)}, pk="key", replace=True)


def cached_forced(key: str) -> list[list[float]] | None:
    db = sqlite_utils.Database(cache_db_path())
    if "forced" not in db.table_names():
        return None
    rows = list(db.query("select words from forced where key = ?", [key]))
    return json.loads(rows[0]["words"]) if rows else None
