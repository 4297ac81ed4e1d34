"""Ingest one recording and its official text into the archive: the Python API behind `podium ingest`."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from podium import schema
from podium.alignment import AlignOptions, Alignment, WrongTextError, align, detect_language
from podium.alignment.pauses import find_pauses, frame_levels

from . import audio, store
from .cache import cache_key, cached_levels, cached_transcript, cached_voice, store_levels, store_voice
from .engines import (ENGINES, DecodingSettings, Transcript, default_engine, settings_for, settings_from_record,
                      settings_record)
from .forced import force_align
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


def slug_from_path(path: Path) -> str:
    """A meeting ID from a file name: letters, digits, '-' and '_' only."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_")
    if not slug:  # e.g. a Chinese file name: fall back on a short hash of it
        slug = "meeting-" + hashlib.sha256(path.stem.encode()).hexdigest()[:8]
    return slug


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class SpeechText:
    """One speech's official text, as read from its file."""

    path: Path
    text: str
    speaker: str | None

    @property
    def title(self) -> str:
        return next(line.strip() for line in self.text.splitlines() if line.strip())


@dataclass
class Prepared:
    """An ingest checked against the archive and, unless the archive already holds it, decoded."""

    audio_path: Path
    speeches: list[SpeechText]  # as given; complete() puts them in the order spoken
    db_path: Path
    meeting: dict  # the meetings row as far as it is known before transcription
    settings: DecodingSettings
    existing: dict | None  # the row this ingest replaces
    started: float
    samples: object = None  # int16 numpy array, 16 kHz mono; None when `unchanged`
    unchanged: bool = False  # the archive already holds these very inputs: nothing to do


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
    db_path: str | Path = "archive.db",
    options: IngestOptions = IngestOptions(),
    *,
    progress: bool = True,
) -> Prepared:
    """Check the inputs against the archive and decode the audio; read-only, safe to run in a thread.

    :raises IngestError: bad input, or an ID already used for other inputs.
    """
    started = time.perf_counter()
    audio_path, db_path = Path(audio_path), Path(db_path)
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
    speeches = [SpeechText(path, _read_text(path), speaker) for path, speaker in zip(text_paths, speakers)]
    all_text = schema.SPEECH_SEPARATOR.join(s.text for s in speeches)
    language = detect_language(all_text) if options.language == "auto" else options.language
    settings = settings_for(engine, language)
    try:
        settings = dataclasses.replace(settings, **(options.decoding or {}))
    except TypeError as e:
        raise IngestError(f"{options.decoding}: not decoding settings ({e})") from e
    inputs = {
        "audio_sha256": audio.sha256_file(audio_path),
        # one text: its hash, as since the first release; several: of all of them in the order given
        "text_sha256": _text_sha256("\x00".join(s.text for s in speeches)),
        "title": options.title or speeches[0].title,
        "date": options.date,
        "speaker": "、".join(s for s in speakers if s) or None,
        "language": language,
        "engine": engine,
        "model": options.model,
        "settings": settings_record(settings),
    }
    meeting = {**inputs, "id": meeting_id, "source_path": audio_path.name}
    prepared = Prepared(audio_path, speeches, db_path, meeting, settings, None, started)

    existing = store.existing_meeting(db_path, meeting_id)
    if existing is not None:
        if _same_inputs(existing, inputs):
            prepared.meeting, prepared.unchanged = existing, True
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


def _same_inputs(existing: dict, inputs: dict) -> bool:
    """Whether a meeting in the archive came from these very inputs (settings compared as this release
    reads them: a record of an older release, or one naming the hardware, may say the same)."""
    for key, value in inputs.items():
        have = existing.get(key)
        if key == "settings":
            try:
                have = settings_record(settings_from_record(have))
            except ValueError:
                return False
        if have != value:
            return False
    return True


def complete(p: Prepared, *, progress: bool = True) -> IngestResult:
    """Transcribe (or take from the cache), align and write one prepared meeting: the archive's only writer.

    The web copy is in place under its own name (the meeting and the audio's hash) before the meeting is
    committed, so no crash leaves a meeting without its audio: at worst a copy that no meeting names yet,
    which the next run writes again.
    """
    if p.unchanged:
        return _restore_media(p, progress)
    meeting, samples = p.meeting, p.samples
    audio_sha = meeting["audio_sha256"]
    media_rel = f"{MEDIA_DIR}/{meeting['id']}-{audio_sha[:12]}.mp3"
    media_abs = p.db_path.parent / media_rel
    tmp_media = media_abs.with_name(media_abs.name + ".part")
    web_copy = audio.WebCopy(p.audio_path, tmp_media)  # ffmpeg writes it while Whisper transcribes
    try:
        rows, alignment, transcript = _transcribe_and_align(p, samples, media_rel, progress)
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
        result = _write(p.db_path, rows, alignment, transcript, "replaced" if p.existing else "ingested", p.started)
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
    meeting = p.meeting
    result = IngestResult(meeting["id"], "unchanged", duration=meeting["duration"] or 0.0)
    if not meeting.get("media_path") or (p.db_path.parent / meeting["media_path"]).exists():
        return result
    media = p.db_path.parent / meeting["media_path"]
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


def _transcribe_and_align(p: Prepared, samples, media_rel: str, progress: bool):
    """A prepared meeting's rows, alignment and transcript (from the cache when it is there)."""
    meeting = p.meeting
    engine, model, audio_sha = meeting["engine"], meeting["model"], meeting["audio_sha256"]
    duration = len(samples) / audio.SAMPLE_RATE
    detail = f" ({p.settings.compute_type}, VAD)" if engine == "faster-whisper" else ""
    _stage(progress, f"transcribing {duration:.0f} s of audio with {engine} {model}{detail}")
    levels = frame_levels(samples, audio.SAMPLE_RATE)
    store_levels(audio_sha, levels)
    voice = speech_spans(samples, find_pauses(levels))
    store_voice(audio_sha, voice)
    transcript = transcribe(samples, audio_sha, engine=engine, model=model, settings=p.settings, progress=progress,
                            levels=levels)
    if transcript.cached:
        _stage(progress, "transcript found in the cache: not transcribed again")

    _stage(progress, "aligning the transcript to the official text" + ("s" if len(p.speeches) > 1 else ""))
    speeches = _in_spoken_order(p.speeches, transcript, meeting["language"])
    meeting["official_text"], placed = _joined(speeches)
    alignment = _align(meeting["official_text"], transcript, meeting, speeches[0].path,
                       Evidence(levels, voice, samples, p.settings), progress)
    rows = _rows({**meeting, "duration": round(duration, 3), "media_path": media_rel}, placed, alignment)
    for speech, row in zip(speeches, rows.speeches):
        if len(speeches) > 1 and row["matched_share"] < AlignOptions().min_matched_share:
            raise IngestError(f"{speech.path}: only {row['matched_share']:.0%} of this speech's text was found in "
                              "the recording: is it the text of another recording?")
    return rows, alignment, transcript


@dataclass
class Evidence:
    """What the audio says besides the transcript: its levels, where the voice model hears speech, and the
    samples themselves to force-align the official text to (None in `podium align`: only the forced
    alignments in the cache are used then)."""

    levels: object = None  # numpy arrays
    voice: object = None
    samples: object = None
    settings: DecodingSettings | None = None


def _align(official_text: str, transcript: Transcript, meeting: dict, text_name, evidence: Evidence | None = None,
           progress: bool = False) -> Alignment:
    """The transcript aligned to the official text; then the sentences it could not place with confidence are
    placed by force-aligning their text to the audio between the placed ones, and aligned again with that."""
    evidence = evidence or Evidence()
    language = meeting["language"]
    try:
        first = align(official_text, transcript.words(), language=language, levels=evidence.levels,
                      voice=evidence.voice)
        if not first.regions or evidence.settings is None:
            return first
        seconds = sum(r.end - r.start for r in first.regions)
        _stage(progress, f"placing the official text of {len(first.regions)} stretches ({seconds:.0f} s) that the "
                         "transcript could not, by forced alignment")
        forced = force_align(evidence.samples, official_text, first.regions, engine=meeting["engine"],
                             model=meeting["model"], settings=evidence.settings, language=language,
                             audio_sha256=meeting["audio_sha256"])
        return align(official_text, transcript.words(), language=language, levels=evidence.levels,
                     voice=evidence.voice, forced=forced)
    except WrongTextError as e:
        raise IngestError(f"{text_name}: {e}") from e


def _in_spoken_order(speeches: list[SpeechText], transcript: Transcript, language: str) -> list[SpeechText]:
    """The speeches in the order the recording holds them: each is located alone in the whole transcript
    (the median start of its spoken sentences); the order given stands where the audio does not tell."""
    if len(speeches) == 1:
        return speeches
    places = []
    for k, speech in enumerate(speeches):
        alone = _align(speech.text, transcript, {"language": language}, speech.path)
        starts = sorted(s.start for s in alone.sentences if s.status == "spoken")
        places.append((starts[len(starts) // 2] if starts else float(k), k))
    return [speeches[k] for _, k in sorted(places)]


def _joined(speeches: list[SpeechText]) -> tuple[str, list[schema.Speech]]:
    """The meeting's official text (the speeches' texts in order, a blank line between) and where each lies."""
    text, placed = "", []
    for speech in speeches:
        if text:
            text += schema.SPEECH_SEPARATOR
        placed.append(schema.Speech(speech.title, speech.speaker, len(text), len(text) + len(speech.text)))
        text += speech.text
    return text, placed


def _rows(meeting: dict, speeches: list[schema.Speech], alignment: Alignment) -> schema.MeetingRows:
    """A meeting's rows, with what its alignment says of the whole meeting."""
    meeting = {**meeting, "matched_share": round(alignment.matched_share, 4), "ingested_at": _now(),
               "voiced_coverage": None if alignment.voiced_coverage is None else round(alignment.voiced_coverage, 4)}
    return schema.meeting_rows(meeting, speeches, alignment)


def _write(db_path: Path, rows: schema.MeetingRows, alignment: Alignment, transcript: Transcript, action: str,
           started: float) -> IngestResult:
    """Store a meeting's rows (one transaction) and say what was done."""
    store.write_meeting(db_path, rows)
    return IngestResult(
        rows.meeting["id"],
        action,
        duration=rows.meeting["duration"],
        transcribe_seconds=transcript.seconds,
        align_seconds=alignment.seconds,
        total_seconds=time.perf_counter() - started,
        transcript_cached=transcript.cached,
        sentences=len(alignment.sentences),
        not_spoken=sum(s.status == "not_spoken" for s in alignment.sentences),
        unscripted=len(alignment.unscripted),
    )


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
    speeches = store.existing_speeches(db_path, meeting_id) or schema.one_speech(meeting)
    if text_path is not None:
        if len(speeches) > 1:
            raise IngestError(f"{meeting_id}: a meeting of {len(speeches)} speeches; correct it with `podium ingest "
                              "AUDIO --text … --text … --replace` (the transcript comes from the cache)")
        meeting["official_text"] = _read_text(Path(text_path))
        meeting["text_sha256"] = _text_sha256(meeting["official_text"])
        speeches = schema.one_speech({**meeting, "speaker": speeches[0].speaker})
    try:  # with the defaults of the release that stored them (before recovery existed: none)
        settings = settings_from_record(meeting["settings"])
    except ValueError as e:
        raise IngestError(f"{meeting_id}: {e}") from e
    transcript = cached_transcript(cache_key(meeting["audio_sha256"], meeting["engine"], meeting["model"], settings))
    if transcript is None:
        raise IngestError(f"{meeting_id}: its transcript is not in the cache; ingest the recording again")
    _stage(progress, "aligning the cached transcript to the official text")
    sha = meeting["audio_sha256"]
    alignment = _align(meeting["official_text"], transcript, meeting, text_path or meeting_id,
                       Evidence(cached_levels(sha), cached_voice(sha), None, settings))
    return _write(db_path, _rows(meeting, speeches, alignment), alignment, transcript, "realigned", started)
