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
from pathlib import Path

import numpy as np
import sqlite_utils

from .engines import DecodingSettings, Transcript, settings_record
from .paths import cache_dir


def cache_db_path() -> Path:
    return cache_dir() / "transcripts.sqlite3"


def cache_key(audio_sha256: str, engine: str, model: str, settings: DecodingSettings) -> str:
    payload = json.dumps([audio_sha256, engine, model, json.loads(settings_record(settings))], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def cached_transcript(key: str) -> Transcript | None:
    row = _row("transcripts", "key", key, "language, segments")
    return Transcript(row["language"], json.loads(row["segments"]), 0.0, cached=True) if row else None


def store_transcript(key: str, audio_sha256: str, engine: str, model: str, settings: DecodingSettings, t: Transcript):
    db = sqlite_utils.Database(cache_db_path())
    db["transcripts"].insert(
        {
            "key": key,
            "audio_sha256": audio_sha256,
            "engine": engine,
            "model": model,
            "settings": settings_record(settings),
            "language": t.language,
            "segments": json.dumps(t.segments, ensure_ascii=False),
            "seconds": t.seconds,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        pk="key",
        replace=True,
    )


def _row(table: str, key_column: str, key: str, columns: str) -> dict | None:
    """The cached row of `table` whose `key_column` is `key` (its `columns`), or None."""
    db = sqlite_utils.Database(cache_db_path())
    if table not in db.table_names():
        return None
    rows = list(db.query(f"select {columns} from {table} where {key_column} = ?", [key]))
    return rows[0] if rows else None


def _keep(table: str, row: dict, pk: str) -> None:
    sqlite_utils.Database(cache_db_path())[table].insert(row, pk=pk, replace=True)


def store_levels(audio_sha256: str, levels: np.ndarray) -> None:
    """Keep the recording's frame levels, so `podium align` can snap to pauses without the audio."""
    _keep("levels", {"audio_sha256": audio_sha256, "levels": levels.astype(np.float16).tobytes()}, "audio_sha256")


def cached_levels(audio_sha256: str) -> np.ndarray | None:
    row = _row("levels", "audio_sha256", audio_sha256, "levels")
    return np.frombuffer(row["levels"], dtype=np.float16).astype(np.float32) if row else None


def store_voice(audio_sha256: str, voice: np.ndarray) -> None:
    """Keep where the voice-activity model heard speech, so `podium align` can snap to it without the audio."""
    _keep("voice", {"audio_sha256": audio_sha256, "spans": voice.astype(np.float32).tobytes()}, "audio_sha256")


def cached_voice(audio_sha256: str) -> np.ndarray | None:
    row = _row("voice", "audio_sha256", audio_sha256, "spans")
    return np.frombuffer(row["spans"], dtype=np.float32).astype(float).reshape(-1, 2) if row else None


def forced_key(audio_sha256: str, engine: str, model: str, language: str, text: str, start: float, end: float) -> str:
    """A region's forced alignment depends on the audio, the model, its text and its bounds, nothing else."""
    payload = json.dumps([audio_sha256, engine, model, language, text, round(start, 3), round(end, 3)])
    return hashlib.sha256(payload.encode()).hexdigest()


def store_forced(key: str, words: list[list[float]]) -> None:
    """Keep a region's forced alignment: [start_char, end_char, start, end, probability] per word, the
    characters counted from the region's start (so a change elsewhere in the text does not move them)."""
    _keep("forced", {"key": key, "words": json.dumps(words)}, "key")


def cached_forced(key: str) -> list[list[float]] | None:
    row = _row("forced", "key", key, "words")
    return json.loads(row["words"]) if row else None
