"""Ingest one recording and its official text into the archive: the Python API behind `podium ingest`."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from podium import schema
from podium.alignment import AlignOptions, Alignment, WrongTextError, align, detect_language
from podium.alignment.pauses import find_pauses, frame_levels

from . import audio, store
from .cache import cache_key, cached_levels, cached_transcript, cached_voice, store_levels, store_voice
from .engines import ENGINES, Transcript, default_engine, settings_for
from .forced import force_align
from .meeting import Inputs, SpeechText, Speeches
from .textfile import read_official_text
from .transcribe import transcribe
from .voice import speech_spans

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MEDIA_DIR = "media"  # beside the database


class IngestError(ValueError):
    """An ingest refused; the archive is unchanged. The message names the file and the problem."""


@dataclass(frozen=True)
class IngestOptions:
    """How a recording is ingested. In a batch, a manifest row's values replace these per recording."""

    meeting_id: str | None = None  # default: from the audio file name
    title: str | None = None  # default: the first line of the official text
    date: str | None = None  # YYYY-MM-DD
    speakers: tuple[str | None, ...] = ()  # the n-th speaker gave the speech of the n-th official text
    language: str = "auto"  # 'zh', 'en', or 'auto': from the official text
    model: str = "base"  # Whisper model name
    engine: str | None = None  # one of ENGINES; None: the fastest installed
    replace: bool = False  # replace a meeting already ingested under this ID with other inputs
    discard_corrections: bool = False  # replacing: start over without the people's corrections, on purpose
    decoding: dict | None = None  # fields of the engine's DecodingSettings to change (for benchmarks)


@dataclass
class IngestResult:
    meeting_id: str
    action: str  # 'ingested', 'replaced', 'realigned', 'unchanged' or 'media restored'
    duration: float = 0.0
    transcribe_seconds: float = 0.0
    align_seconds: float = 0.0
    total_seconds: float = 0.0
    transcript_cached: bool = False
    sentences: int = 0
    not_spoken: int = 0
    unscripted: int = 0
    conflicts: list[str] = field(default_factory=list)  # where the machine now disagrees with a person


def slug_from_path(path: Path) -> str:
    """A meeting ID from a file name: letters, digits, '-' and '_' only."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_")
    if not slug:  # e.g. a Chinese file name: fall back on a short hash of it
        slug = "meeting-" + hashlib.sha256(path.stem.encode()).hexdigest()[:8]
    return slug


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _stage(progress: bool, name: str) -> None:
    if progress:
        tqdm.write(f"[podium] {name}")


def _read_text(path: Path) -> str:
    try:
        return read_official_text(path)
    except ValueError as e:
        raise IngestError(str(e)) from e


@dataclass
class Prepared:
    """An ingest checked against the archive and, unless the archive already holds it, decoded."""

    meeting_id: str
    audio_path: Path
    inputs: Inputs
    speeches: Speeches  # as given; transcribe_and_align puts them in the order spoken
    db_path: Path | None  # None: aligned only (`podium eval`), never stored
    started: float
    existing: dict | None = None  # the stored meeting this ingest replaces, or (unchanged) is
    samples: object = None  # int16 numpy array, 16 kHz mono; None when `unchanged`
    unchanged: bool = False  # the archive already holds these very inputs: nothing to do
    discard_corrections: bool = False  # replacing: without the people's corrections


@dataclass(frozen=True)
class Aligned:
    """A recording aligned to its speeches: the meeting's rows, and what they were made from."""

    rows: schema.MeetingRows
    alignment: Alignment
    transcript: Transcript


def ingest(
    audio_path: str | Path,
    text_paths: str | Path | list[str | Path],
    db_path: str | Path = "archive.db",
    options: IngestOptions = IngestOptions(),
    *,
    progress: bool = True,
) -> IngestResult:
    """Ingest a recording and its official text (or the texts of its speeches) into the archive at `db_path`.

    Everything that can fail is done before the archive is opened for writing,
    and the meeting is written in one transaction, so a refused ingest leaves
    the archive exactly as it was.

    :raises IngestError: bad input, or an ID already used for other inputs.
    """
    return complete(prepare(audio_path, text_paths, db_path, options, progress=progress), progress=progress)


def prepare(
    audio_path: str | Path,
    text_paths: str | Path | list[str | Path],
    db_path: str | Path | None = "archive.db",
    options: IngestOptions = IngestOptions(),
    *,
    progress: bool = True,
) -> Prepared:
    """Check the inputs against the archive (none: `db_path` None) and decode the audio; read-only, safe to
    run in a thread.

    :raises IngestError: bad input, or an ID already used for other inputs.
    """
    started = time.perf_counter()
    audio_path, db_path = Path(audio_path), None if db_path is None else Path(db_path)
    text_paths = [Path(text_paths)] if isinstance(text_paths, (str, Path)) else [Path(p) for p in text_paths]
    meeting_id = options.meeting_id or slug_from_path(audio_path)
    if not schema.MEETING_ID.match(meeting_id):
        raise IngestError(f"{meeting_id!r}: an ID may hold only letters, digits, '-' and '_'")
    if options.date is not None and not DATE.match(options.date):
        raise IngestError(f"{options.date!r}: give the date as YYYY-MM-DD")
    if options.language not in (*schema.LANGUAGES, "auto"):
        raise IngestError(f"{options.language!r}: the language is {', '.join(schema.LANGUAGES)} or auto")
    engine = options.engine or default_engine()
    if engine not in ENGINES:
        raise IngestError(f"{engine!r}: the engine is one of {', '.join(ENGINES)}")
    if not audio_path.is_file():
        raise IngestError(f"{audio_path}: no such audio file")

    if not text_paths or len(options.speakers) > len(text_paths):
        raise IngestError(f"{audio_path}: give one official text per speech, and at most one speaker per text")
    speakers = list(options.speakers) + [None] * (len(text_paths) - len(options.speakers))
    speeches = Speeches(tuple(SpeechText(_read_text(path), speaker, path) for path, speaker in zip(text_paths, speakers)))
    language = detect_language(speeches.text) if options.language == "auto" else options.language
    settings = settings_for(engine, language)
    try:
        settings = dataclasses.replace(settings, **(options.decoding or {}))
    except TypeError as e:
        raise IngestError(f"{options.decoding}: not decoding settings ({e})") from e
    inputs = Inputs(audio.sha256_file(audio_path), speeches.text_sha256, options.title or speeches.items[0].title,
                    options.date, speeches.speaker, language, engine, options.model, settings)
    prepared = Prepared(meeting_id, audio_path, inputs, speeches, db_path, started,
                        discard_corrections=options.discard_corrections)

    existing = store.existing_meeting(db_path, meeting_id) if db_path is not None else None
    if existing is not None:
        if inputs.same_as(existing):
            prepared.existing, prepared.unchanged = existing, True
            return prepared
        if not options.replace:
            raise IngestError(
                f"{meeting_id}: already in {db_path} with other inputs; use --replace to replace it"
            )
        prepared.existing = existing

    _stage(progress, f"decoding {audio_path}")
    try:
        prepared.samples = audio.decode(audio_path)
    except audio.AudioError as e:
        raise IngestError(str(e)) from e
    return prepared


def complete(p: Prepared, *, progress: bool = True) -> IngestResult:
    """Transcribe (or take from the cache), align and write one prepared meeting: the archive's only writer.

    The web copy is in place under its own name (the meeting and the audio's hash) before the meeting is
    committed, so no crash leaves a meeting without its audio: at worst a copy that no meeting names yet,
    which the next run writes again.
    """
    if p.unchanged:
        return _restore_media(p, progress)
    media_rel = f"{MEDIA_DIR}/{p.meeting_id}-{p.inputs.audio_sha256[:12]}.mp3"
    media_abs = p.db_path.parent / media_rel
    tmp_media = media_abs.with_name(media_abs.name + ".part")
    web_copy = audio.WebCopy(p.audio_path, tmp_media)  # ffmpeg writes it while Whisper transcribes
    try:
        aligned = transcribe_and_align(p, media_path=media_rel, progress=progress)
        _stage(progress, "writing the web copy and the archive")
        try:
            web_copy.finish()
        except audio.AudioError as e:
            raise IngestError(str(e)) from e
    except BaseException:
        web_copy.abandon()
        raise
    had_media = media_abs.exists()  # the same recording under the same ID: the same copy
    os.replace(tmp_media, media_abs)
    try:
        # a person's times belong to a recording: they are kept when the same audio is aligned again
        same_audio = p.existing is not None and p.existing["audio_sha256"] == p.inputs.audio_sha256
        result = _write(p.db_path, aligned, "replaced" if p.existing else "ingested", p.started,
                        keep_corrections=same_audio and not p.discard_corrections)
    except BaseException:
        if not had_media:
            media_abs.unlink(missing_ok=True)
        raise
    old_media = (p.existing or {}).get("media_path")
    if old_media and old_media != media_rel:
        (p.db_path.parent / old_media).unlink(missing_ok=True)
    return result


def _restore_media(p: Prepared, progress: bool) -> IngestResult:
    """An ingest the archive already holds: nothing to do, unless the meeting's web copy is missing (lost
    by hand or by a crash of an older Podium), which is written again from the recording."""
    stored = p.existing
    result = IngestResult(p.meeting_id, "unchanged", duration=stored["duration"] or 0.0)
    if not stored.get("media_path") or (p.db_path.parent / stored["media_path"]).exists():
        return result
    media = p.db_path.parent / stored["media_path"]
    _stage(progress, f"the web copy {media} is missing: writing it again from {p.audio_path}")
    tmp = media.with_name(media.name + ".part")
    try:
        audio.write_web_copy(p.audio_path, tmp)
    except audio.AudioError as e:
        tmp.unlink(missing_ok=True)
        raise IngestError(str(e)) from e
    os.replace(tmp, media)
    result.action = "media restored"
    return result


def transcribe_and_align(p: Prepared, *, media_path: str | None = None, progress: bool = True) -> Aligned:
    """A prepared meeting transcribed (or its transcript taken from the cache) and aligned to its speeches,
    as the rows it would be stored as (with `media_path` for its web copy). Writes nothing but the cache.

    :raises IngestError: a text (or, of several speeches, one of them) that the recording does not hold.
    """
    inputs, samples = p.inputs, p.samples
    duration = len(samples) / audio.SAMPLE_RATE
    detail = f" ({inputs.settings.compute_type}, VAD)" if inputs.engine == "faster-whisper" else ""
    _stage(progress, f"transcribing {duration:.0f} s of audio with {inputs.engine} {inputs.model}{detail}")
    levels = frame_levels(samples, audio.SAMPLE_RATE)
    store_levels(inputs.audio_sha256, levels)
    voice = speech_spans(samples, find_pauses(levels))
    store_voice(inputs.audio_sha256, voice)
    transcript = transcribe(samples, inputs.audio_sha256, engine=inputs.engine, model=inputs.model,
                            settings=inputs.settings, progress=progress, levels=levels)
    if transcript.cached:
        _stage(progress, "transcript found in the cache: not transcribed again")

    _stage(progress, "aligning the transcript to the official text" + ("s" if len(p.speeches.items) > 1 else ""))
    speeches = _in_spoken_order(p.speeches, transcript, inputs.language)
    alignment = _align(speeches.text, transcript, inputs, speeches.items[0].name,
                       Evidence(levels, voice, samples), progress)
    meeting = {**inputs.columns(), "id": p.meeting_id, "source_path": p.audio_path.name, "media_path": media_path,
               "duration": round(duration, 3), "official_text": speeches.text, "ingested_at": _now()}
    rows = schema.meeting_rows(meeting, speeches.placed, alignment)
    for speech, row in zip(speeches.items, rows.speeches):
        if len(speeches.items) > 1 and row["matched_share"] < AlignOptions().min_matched_share:
            raise IngestError(f"{speech.name}: only {row['matched_share']:.0%} of this speech's text was found in "
                              "the recording: is it the text of another recording?")
    return Aligned(rows, alignment, transcript)


@dataclass
class Evidence:
    """What the audio says besides the transcript: its levels, where the voice model hears speech, and the
    samples themselves to force-align the official text to (None in `podium align`: only the forced
    alignments in the cache are used then)."""

    levels: object = None  # numpy arrays
    voice: object = None
    samples: object = None


def _align(official_text: str, transcript: Transcript, inputs: Inputs, text_name: str, evidence: Evidence,
           progress: bool = False) -> Alignment:
    """The transcript aligned to the official text; then the sentences it could not place with confidence are
    placed by force-aligning their text to the audio between the placed ones, and aligned again with that."""
    try:
        first = align(official_text, transcript.words(), language=inputs.language, levels=evidence.levels,
                      voice=evidence.voice)
        if not first.regions:
            return first
        seconds = sum(r.end - r.start for r in first.regions)
        _stage(progress, f"placing the official text of {len(first.regions)} stretches ({seconds:.0f} s) that the "
                         "transcript could not, by forced alignment")
        forced = force_align(evidence.samples, official_text, first.regions, engine=inputs.engine,
                             model=inputs.model, settings=inputs.settings, language=inputs.language,
                             audio_sha256=inputs.audio_sha256)
        return align(official_text, transcript.words(), language=inputs.language, levels=evidence.levels,
                     voice=evidence.voice, forced=forced)
    except WrongTextError as e:
        raise IngestError(f"{text_name}: {e}") from e


def _in_spoken_order(speeches: Speeches, transcript: Transcript, language: str) -> Speeches:
    """The speeches in the order the recording holds them: each is located alone in the whole transcript
    (the median start of its spoken sentences); the order given stands where the audio does not tell."""
    if len(speeches.items) == 1:
        return speeches
    places = []
    for k, speech in enumerate(speeches.items):
        try:
            alone = align(speech.text, transcript.words(), language=language)
        except WrongTextError as e:
            raise IngestError(f"{speech.name}: {e}") from e
        starts = sorted(s.start for s in alone.sentences if s.status == "spoken")
        places.append((starts[len(starts) // 2] if starts else float(k), k))
    return speeches.reordered([k for _, k in sorted(places)])


def _write(db_path: Path, aligned: Aligned, action: str, started: float, *, keep_corrections: bool) -> IngestResult:
    """Store a meeting's rows (one transaction), with the people's corrections kept unless told otherwise,
    and say what was done."""
    conflicts = store.write_meeting(db_path, aligned.rows, action, keep_corrections=keep_corrections)
    alignment = aligned.alignment
    return IngestResult(
        aligned.rows.meeting["id"],
        action,
        duration=aligned.rows.meeting["duration"],
        transcribe_seconds=aligned.transcript.seconds,
        align_seconds=alignment.seconds,
        total_seconds=time.perf_counter() - started,
        transcript_cached=aligned.transcript.cached,
        sentences=len(alignment.sentences),
        not_spoken=sum(s.status == "not_spoken" for s in alignment.sentences),
        unscripted=len(alignment.unscripted),
        conflicts=conflicts,
    )


def realign(
    db_path: str | Path, meeting_id: str, text_path: str | Path | None = None, *, progress: bool = True,
    discard_corrections: bool = False,
) -> IngestResult:
    """Align a meeting again from its cached transcript, e.g. after its official text was corrected; every
    correction a person made is kept (`podium.ingest.keep`) unless `discard_corrections`.

    Neither the audio nor the model is needed: the transcript comes from the cache.
    """
    started = time.perf_counter()
    db_path = Path(db_path)
    stored = store.existing_meeting(db_path, meeting_id)
    if stored is None:
        raise IngestError(f"{meeting_id}: no such meeting in {db_path}")
    speeches = Speeches.from_archive(stored["official_text"], store.existing_speeches(db_path, meeting_id),
                                     stored["speaker"])
    try:  # with the defaults of the release that stored them (before recovery existed: none)
        inputs = Inputs.from_row(stored)
    except ValueError as e:
        raise IngestError(f"{meeting_id}: {e}") from e
    if text_path is not None:
        if len(speeches.items) > 1:
            raise IngestError(f"{meeting_id}: a meeting of {len(speeches.items)} speeches; correct it with `podium "
                              "ingest AUDIO --text … --text … --replace` (the transcript comes from the cache)")
        speeches = Speeches((SpeechText(_read_text(Path(text_path)), speeches.items[0].speaker, Path(text_path)),))
        inputs = dataclasses.replace(inputs, text_sha256=speeches.text_sha256)
    transcript = cached_transcript(cache_key(inputs.audio_sha256, inputs.engine, inputs.model, inputs.settings))
    if transcript is None:
        raise IngestError(f"{meeting_id}: its transcript is not in the cache; ingest the recording again")
    _stage(progress, "aligning the cached transcript to the official text")
    sha = inputs.audio_sha256
    alignment = _align(speeches.text, transcript, inputs, str(text_path or meeting_id),
                       Evidence(cached_levels(sha), cached_voice(sha)))
    meeting = {**stored, **inputs.columns(), "official_text": speeches.text, "ingested_at": _now()}
    rows = schema.meeting_rows(meeting, speeches.placed, alignment)
    return _write(db_path, Aligned(rows, alignment, transcript), "realigned", started,
                  keep_corrections=not discard_corrections)
