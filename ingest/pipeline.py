"""Ingest one recording and its official text into the archive: the Python API behind `podium ingest`."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from podium.alignment import Alignment, WrongTextError, align, detect_language
from podium.alignment.pauses import find_pauses, frame_levels
from podium.alignment.text import to_simplified

from . import audio, store
from .textfile import read_official_text
from .transcribe import (
    ENGINES,
    DecodingSettings,
    cache_key,
    cached_levels,
    cached_transcript,
    default_engine,
    settings_for,
    store_levels,
    transcribe,
)

SLUG = re.compile(r"^[A-Za-z0-9_-]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MEDIA_DIR = "media"  # beside the database


class IngestError(ValueError):
    """An ingest refused; the archive is unchanged. The message names the file and the problem."""


@dataclass
class IngestResult:
    meeting_id: str
    action: str  # 'ingested', 'replaced', 'realigned' or 'unchanged'
    duration: float = 0.0
    transcribe_seconds: float = 0.0
    align_seconds: float = 0.0
    total_seconds: float = 0.0
    transcript_cached: bool = False
    sentences: int = 0
    not_spoken: int = 0
    unscripted: int = 0


def slug_from_path(path: Path) -> str:
    """A meeting ID from a file name: letters, digits, '-' and '_' only."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_")
    if not slug:  # e.g. a Chinese file name: fall back on a short hash of it
        slug = "meeting-" + hashlib.sha256(path.stem.encode()).hexdigest()[:8]
    return slug


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stage(progress: bool, name: str) -> None:
    if progress:
        tqdm.write(f"[podium] {name}")


@dataclass
class Prepared:
    """An ingest checked and decoded, ready to transcribe, align and write."""

    audio_path: Path
    text_path: Path
    db_path: Path
    meeting_id: str
    official_text: str
    inputs: dict
    settings: DecodingSettings
    existing: dict | None
    samples: object = None  # int16 numpy array, 16 kHz mono
    started: float = 0.0


def ingest(
    audio_path: str | Path,
    text_path: str | Path,
    db_path: str | Path = "archive.db",
    *,
    progress: bool = True,
    **options,
) -> IngestResult:
    """Ingest a recording and its official text into the archive at `db_path`.

    Everything that can fail is done before the archive is opened for writing,
    and the meeting is written in one transaction, so a refused ingest leaves
    the archive exactly as it was. Options: see `prepare`.

    :raises IngestError: bad input, or an ID already used for other inputs.
    """
    prepared = prepare(audio_path, text_path, db_path, progress=progress, **options)
    if isinstance(prepared, IngestResult):
        return prepared
    return complete(prepared, progress=progress)


def prepare(
    audio_path: str | Path,
    text_path: str | Path,
    db_path: str | Path = "archive.db",
    *,
    meeting_id: str | None = None,
    title: str | None = None,
    date: str | None = None,
    speaker: str | None = None,
    language: str = "auto",
    model: str = "base",
    engine: str | None = None,
    replace: bool = False,
    progress: bool = True,
) -> Prepared | IngestResult:
    """Check the inputs against the archive and decode the audio; read-only, safe to run in a thread.

    Returns an 'unchanged' result when the archive already holds these very inputs.

    :raises IngestError: bad input, or an ID already used for other inputs.
    """
    started = time.perf_counter()
    audio_path, text_path, db_path = Path(audio_path), Path(text_path), Path(db_path)
    meeting_id = meeting_id or slug_from_path(audio_path)
    if not SLUG.match(meeting_id):
        raise IngestError(f"{meeting_id!r}: an ID may hold only letters, digits, '-' and '_'")
    if date is not None and not DATE.match(date):
        raise IngestError(f"{date!r}: give the date as YYYY-MM-DD")
    if language not in ("zh", "en", "auto"):
        raise IngestError(f"{language!r}: the language is zh, en or auto")
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise IngestError(f"{engine!r}: the engine is one of {', '.join(ENGINES)}")
    if not audio_path.is_file():
        raise IngestError(f"{audio_path}: no such audio file")

    try:
        official_text = read_official_text(text_path)
    except ValueError as e:
        raise IngestError(str(e)) from e
    lines = [line.strip() for line in official_text.splitlines() if line.strip()]
    title = title or lines[0]
    language = detect_language(official_text) if language == "auto" else language
    settings = settings_for(engine, language)
    audio_sha = audio.sha256_file(audio_path)
    inputs = {
        "audio_sha256": audio_sha,
        "text_sha256": _text_sha256(official_text),
        "title": title,
        "date": date,
        "speaker": speaker,
        "language": language,
        "engine": engine,
        "model": model,
        "settings": json.dumps(asdict(settings), sort_keys=True),
    }

    existing = store.existing_meeting(db_path, meeting_id)
    if existing is not None:
        if all(existing.get(k) == v for k, v in inputs.items()):
            return IngestResult(meeting_id, "unchanged", duration=existing["duration"] or 0.0)
        if not replace:
            raise IngestError(
                f"{meeting_id}: already in {db_path} with other inputs; use --replace to replace it"
            )

    _stage(progress, f"decoding {audio_path}")
    try:
        samples = audio.decode(audio_path)
    except audio.AudioError as e:
        raise IngestError(str(e)) from e
    return Prepared(audio_path, text_path, db_path, meeting_id, official_text, inputs, settings, existing,
                    samples, started)


def complete(p: Prepared, *, progress: bool = True) -> IngestResult:
    """Transcribe (or take from the cache), align and write one prepared meeting: the archive's only writer."""
    audio_path, text_path, db_path, meeting_id = p.audio_path, p.text_path, p.db_path, p.meeting_id
    official_text, inputs, settings, existing = p.official_text, p.inputs, p.settings, p.existing
    samples, started = p.samples, p.started
    engine, model, language, audio_sha = inputs["engine"], inputs["model"], inputs["language"], inputs["audio_sha256"]
    duration = len(samples) / audio.SAMPLE_RATE

    detail = f" ({settings.compute_type}, VAD)" if engine == "faster-whisper" else ""
    _stage(progress, f"transcribing {duration:.0f} s of audio with {engine} {model}{detail}")
    levels = frame_levels(samples, audio.SAMPLE_RATE)
    store_levels(audio_sha, levels)
    transcript = transcribe(samples, audio_sha, engine=engine, model=model, settings=settings, progress=progress,
                            pauses=find_pauses(levels))
    if transcript.cached:
        _stage(progress, "transcript found in the cache: not transcribed again")

    _stage(progress, "aligning the transcript to the official text")
    try:
        alignment = align(official_text, transcript.words(), language=language, levels=levels)
    except WrongTextError as e:
        raise IngestError(f"{text_path}: {e}") from e

    _stage(progress, "writing the web copy and the archive")
    media_rel = f"{MEDIA_DIR}/{meeting_id}-{audio_sha[:12]}.mp3"
    media_abs = db_path.parent / media_rel
    tmp_media = media_abs.with_name(media_abs.name + ".part")
    try:
        audio.write_web_copy(audio_path, tmp_media)
    except audio.AudioError as e:
        raise IngestError(str(e)) from e
    record = build_record(
        meeting_id, official_text, alignment,
        meeting={
            **inputs,
            "id": meeting_id,
            "duration": round(duration, 3),
            "source_path": str(audio_path.resolve()),
            "media_path": media_rel,
            "official_text": official_text,
            "matched_share": round(alignment.matched_share, 4),
            "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    )
    try:
        store.write_meeting(db_path, record)
    except BaseException:
        tmp_media.unlink(missing_ok=True)
        raise
    os.replace(tmp_media, media_abs)
    if existing and existing.get("media_path") and existing["media_path"] != media_rel:
        (db_path.parent / existing["media_path"]).unlink(missing_ok=True)

    return _result(meeting_id, "replaced" if existing else "ingested", duration, transcript, alignment, started)


def _result(meeting_id, action, duration, transcript, alignment, started) -> IngestResult:
    return IngestResult(
        meeting_id,
        action,
        duration=duration,
        transcribe_seconds=transcript.seconds,
        align_seconds=alignment.seconds,
        total_seconds=time.perf_counter() - started,
        transcript_cached=transcript.cached,
        sentences=len(alignment.sentences),
        not_spoken=sum(s.status == "not_spoken" for s in alignment.sentences),
        unscripted=len(alignment.unscripted),
    )


def build_record(meeting_id: str, text: str, alignment: Alignment, meeting: dict) -> store.MeetingRecord:
    """The rows of one meeting. Official rows carry the official text, redaction marks included;
    unscripted passages are Whisper's text, in simplified script for Chinese like the official texts."""
    def timed(span) -> dict:
        return {"text": text[span.start_char:span.end_char], **_times(span),
                "status": span.status, "confidence": span.confidence}

    paragraphs = [
        {"id": store.paragraph_id(meeting_id, p.seq), "meeting_id": meeting_id, "seq": p.seq, **timed(p)}
        for p in alignment.paragraphs
    ]
    sentences = [
        {
            "id": store.sentence_id(meeting_id, s.paragraph_seq, s.seq),
            "meeting_id": meeting_id,
            "paragraph_id": store.paragraph_id(meeting_id, s.paragraph_seq),
            "paragraph_seq": s.paragraph_seq,
            "seq": s.seq,
            **timed(s),
        }
        for s in alignment.sentences
    ]
    unscripted = [
        {"id": store.unscripted_id(meeting_id, k), "meeting_id": meeting_id, **_times(u),
         "text": to_simplified(u.text) if alignment.language == "zh" else u.text}
        for k, u in enumerate(alignment.unscripted)
    ]
    return store.MeetingRecord(meeting, paragraphs, sentences, unscripted)


def _times(span) -> dict:
    start, end = (None if t is None else round(t, 3) for t in (span.start, span.end))
    return {"start": start, "end": end, "start_hms": store.hms(start), "end_hms": store.hms(end)}


def realign(
    db_path: str | Path, meeting_id: str, text_path: str | Path | None = None, *, progress: bool = True
) -> IngestResult:
    """Align a meeting again from its cached transcript, e.g. after its official text was corrected.

    Neither the audio nor the model is needed: the transcript comes from the cache.
    """
    started = time.perf_counter()
    db_path = Path(db_path)
    meeting = store.existing_meeting(db_path, meeting_id)
    if meeting is None:
        raise IngestError(f"{meeting_id}: no such meeting in {db_path}")
    if text_path is None:
        official_text = meeting["official_text"]
    else:
        try:
            official_text = read_official_text(text_path)
        except ValueError as e:
            raise IngestError(str(e)) from e
    settings = DecodingSettings(**json.loads(meeting["settings"]))
    key = cache_key(meeting["audio_sha256"], meeting["engine"], meeting["model"], settings)
    transcript = cached_transcript(key)
    if transcript is None:
        raise IngestError(f"{meeting_id}: its transcript is not in the cache; ingest the recording again")
    _stage(progress, "aligning the cached transcript to the official text")
    try:
        alignment = align(official_text, transcript.words(), language=meeting["language"],
                          levels=cached_levels(meeting["audio_sha256"]))
    except WrongTextError as e:
        raise IngestError(f"{text_path or meeting_id}: {e}") from e
    meeting.update(
        official_text=official_text,
        text_sha256=_text_sha256(official_text),
        matched_share=round(alignment.matched_share, 4),
        ingested_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    store.write_meeting(db_path, build_record(meeting_id, official_text, alignment, meeting))
    return _result(meeting_id, "realigned", meeting["duration"], transcript, alignment, started)
