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

from podium.alignment import Word

from .audio import to_float
from .paths import cache_dir

ENGINES = ("faster-whisper", "openai-whisper")  # fastest first


def default_engine() -> str:
    """The fastest engine installed: faster-whisper (CTranslate2) when it imports, else openai-whisper."""
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return "openai-whisper"
    return "faster-whisper"


@dataclass(frozen=True)
class DecodingSettings:
    """Whisper decoding settings; all of them are part of the cache key."""

    language: str | None  # 'zh', 'en'; None lets Whisper detect it
    temperature: float = 0.0  # greedy, no fallback: fallback retries took minutes per window on hard audio
    beam_size: int | None = None  # greedy decoding
    condition_on_previous_text: bool = False  # conditioning feeds repetition loops on long speech
    no_speech_threshold: float | None = None  # never drop a 30 s window as silence: alignment needs every word
    word_timestamps: bool = True
    vad: bool = False  # skip silence with Silero VAD (faster-whisper only)
    chunk_seconds: int = 300  # longer audio is transcribed in pieces cut at pauses: memory stays bounded
    compute_type: str | None = None  # CTranslate2 precision (faster-whisper only): int8 on CPU, float16 on GPU


def settings_for(engine: str, language: str | None) -> DecodingSettings:
    """The decoding settings Podium uses with an engine."""
    if engine == "faster-whisper":
        return DecodingSettings(language=language, vad=True, compute_type=_ct2_compute_type())
    return DecodingSettings(language=language)


def _ct2_compute_type() -> str:
    import ctranslate2

    return "float16" if ctranslate2.get_cuda_device_count() > 0 else "int8"


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


_models: dict[tuple[str, str, str | None], object] = {}  # (engine, model, compute type)


def load_model(engine: str, model: str, compute_type: str | None = None):
    """Load (once per process) the model for an engine."""
    key = (engine, model, compute_type)
    if key not in _models:
        if engine == "openai-whisper":
            from .weights import load_openai_whisper

            _models[key] = load_openai_whisper(model)
        elif engine == "faster-whisper":
            from faster_whisper import WhisperModel

            from .weights import packaged_ct2_model

            source = packaged_ct2_model(model) or model  # a name downloads from the Hugging Face hub
            device = "cuda" if compute_type == "float16" else "cpu"
            _models[key] = WhisperModel(str(source), device=device, compute_type=compute_type or "int8",
                                        download_root=str(cache_dir() / "models"))
        else:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return _models[key]


def _word(w) -> dict:
    return {"word": w["word"], "start": w["start"], "end": w["end"], "probability": w["probability"]}


def run_openai_whisper(samples: np.ndarray, model: str, settings: DecodingSettings, bar) -> tuple[str, list[dict]]:
    result = load_model("openai-whisper", model).transcribe(
        samples,
        language=settings.language,
        temperature=settings.temperature,
        beam_size=settings.beam_size,
        condition_on_previous_text=settings.condition_on_previous_text,
        no_speech_threshold=settings.no_speech_threshold,
        word_timestamps=settings.word_timestamps,
        fp16=False,
        verbose=None if bar.disable else False,  # False: whisper's own bar shows progress within the chunk
    )
    bar.update(len(samples) / 16000)
    segments = [
        {"start": s["start"], "end": s["end"], "text": s["text"], "words": [_word(w) for w in s.get("words", [])]}
        for s in result["segments"]
    ]
    return result["language"], segments


def run_faster_whisper(samples: np.ndarray, model: str, settings: DecodingSettings, bar) -> tuple[str, list[dict]]:
    pieces, info = load_model("faster-whisper", model, settings.compute_type).transcribe(
        samples,
        language=settings.language,
        temperature=settings.temperature,
        beam_size=settings.beam_size or 1,
        condition_on_previous_text=settings.condition_on_previous_text,
        no_speech_threshold=settings.no_speech_threshold,
        word_timestamps=settings.word_timestamps,
        vad_filter=settings.vad,
    )
    segments, done = [], 0.0
    for s in pieces:  # a generator: decoding happens as it is consumed
        words = [_word({"word": w.word, "start": w.start, "end": w.end, "probability": w.probability})
                 for w in s.words or []]
        segments.append({"start": s.start, "end": s.end, "text": s.text, "words": words})
        bar.update(max(0.0, s.end - done))
        done = max(done, s.end)
    bar.update(max(0.0, len(samples) / 16000 - done))
    return info.language, segments


RUNNERS = {"faster-whisper": run_faster_whisper, "openai-whisper": run_openai_whisper}


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
