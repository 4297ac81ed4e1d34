"""Transcribe a batch on a Dask cluster, then ingest it here from the cache.

Transcription is the cost; aligning and writing are cheap. So only transcription goes to the cluster:
each worker decodes one recording and transcribes it, and returns the raw transcript and the signal
levels. This process stores them in the transcript cache, and a normal `podium ingest` of the same batch
then finds every transcript there: the archive keeps one writer, and running either step again does no
work twice (cached recordings are not sent; ingested ones are skipped).

Workers need the recordings at the same paths (a shared file system) and the model: the packaged
weights install with Podium, so a worker needs no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from podium.alignment import detect_language

from .batch import Item
from .textfile import read_official_text
from .cache import cache_key, cached_transcript, store_transcript
from .engines import DecodingSettings, Transcript, default_engine, settings_for


def transcribe_on_worker(audio_path: str, engine: str, model: str, settings: dict) -> dict:
    """Runs on a worker: decode and transcribe one recording; nothing is written there."""
    from podium.alignment.pauses import frame_levels

    from . import audio
    from .transcribe import run_whisper

    samples = audio.decode(audio_path)
    levels = frame_levels(samples, audio.SAMPLE_RATE)  # where long audio may be cut, what was skipped
    transcript = run_whisper(samples, engine, model, DecodingSettings(**settings), False, levels)
    return {"audio_sha256": audio.sha256_file(audio_path), "language": transcript.language,
            "segments": transcript.segments, "seconds": transcript.seconds}


def transcribe_batch(items: list[Item], client, *, engine: str | None = None, model: str = "base",
                     language: str = "auto") -> Iterator[tuple[Item, str]]:
    """Send every recording whose transcript is not cached yet to the cluster behind the Dask `client`;
    store each result in the cache as it arrives. Yields (item, what happened)."""
    from distributed import as_completed

    from .audio import sha256_file

    engine = engine or default_engine()
    futures = {}
    for item in items:
        try:
            item_language = item.options.get("language") or language
            if item_language == "auto":
                item_language = (detect_language("\n".join(read_official_text(t) for t in item.texts))
                                 if item.texts else None)
            settings = settings_for(engine, item_language)
            if cached_transcript(cache_key(sha256_file(item.audio), engine, model, settings)) is not None:
                yield item, "already in the transcript cache"
                continue
        except (OSError, ValueError) as e:
            yield item, f"FAILED {e}"
            continue
        future = client.submit(transcribe_on_worker, str(item.audio.resolve()), engine, model, asdict(settings),
                               pure=False)
        futures[future] = (item, settings)
    for future in as_completed(futures):
        item, settings = futures[future]
        try:
            payload = future.result()
        except Exception as e:  # noqa: BLE001 -- a worker's error of any kind fails that recording only
            yield item, f"FAILED {item.audio}: {e}"
            continue
        transcript = Transcript(payload["language"], payload["segments"], payload["seconds"])
        key = cache_key(payload["audio_sha256"], engine, model, settings)
        store_transcript(key, payload["audio_sha256"], engine, model, settings, transcript)
        yield item, f"transcribed on the cluster in {payload['seconds']:.1f} s"
