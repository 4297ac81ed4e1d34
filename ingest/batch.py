"""Ingest a whole folder or manifest of recordings.

Each recording is its own transaction, and one already in the archive with the same inputs is skipped
without decoding, so a batch stopped anywhere (Ctrl-C, a crash) resumes where it stopped when run again.
A bad file is reported and skipped. While one recording is transcribed, a thread decodes the next
(ffmpeg runs outside the GIL); only the main thread writes to the archive.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import IngestError, IngestOptions, IngestResult, complete, prepare, slug_from_path

AUDIO_EXTENSIONS = {".mp3", ".wav", ".flac", ".m4a", ".mp4", ".aac", ".ogg", ".opus", ".oga", ".webm", ".wma",
                    ".amr", ".mkv", ".mov", ".avi"}
MANIFEST_COLUMNS = ("audio", "text", "id", "title", "date", "speaker", "language")
TEXT_BESIDE = (".txt", ".docx", ".pdf", ".html", ".htm")  # the official text beside a recording, first found


def text_beside(audio: Path) -> Path | None:
    """The official text of the same name beside a recording, in any format Podium reads."""
    return next((audio.with_suffix(s) for s in TEXT_BESIDE if audio.with_suffix(s).is_file()), None)


class ManifestError(ValueError):
    """A manifest that cannot be read."""


@dataclass
class Item:
    audio: Path
    texts: list[Path]  # one per speech, in the order given; empty when none was found
    options: dict = field(default_factory=dict)  # IngestOptions fields given for this recording (manifest rows)

    @property
    def meeting_id(self) -> str:
        return self.options.get("meeting_id") or slug_from_path(self.audio)


@dataclass
class Outcome:
    item: Item
    result: IngestResult | None = None
    error: str | None = None


def items_from_folder(folder: Path) -> list[Item]:
    """Every recording in `folder` (not recursive), each with the text of the same name beside it."""
    return [Item(p, [t for t in [text_beside(p)] if t])
            for p in sorted(folder.iterdir()) if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()]


def items_from_manifest(manifest: Path) -> list[Item]:
    """Rows of a CSV or JSON-lines manifest; paths are relative to the manifest. Rows with the same audio
    are the speeches of one recording, in row order: the first of them gives the recording's options."""
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{manifest}: cannot read the manifest ({e})") from e
    if manifest.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        try:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise ManifestError(f"{manifest}: line {e.lineno}: not JSON") from e
    items: dict[Path, Item] = {}
    for n, row in enumerate(rows, start=1):
        unknown = set(row) - set(MANIFEST_COLUMNS)
        if unknown or not row.get("audio"):
            raise ManifestError(f"{manifest}: row {n}: needs an 'audio' column; unknown columns: "
                                f"{', '.join(sorted(unknown)) or 'none'}")
        audio = manifest.parent / row["audio"]
        text_path = manifest.parent / row["text"] if row.get("text") else text_beside(audio)
        item = items.setdefault(audio, Item(audio, [], {
            "meeting_id": row.get("id") or None, "title": row.get("title") or None,
            "date": row.get("date") or None, "language": row.get("language") or None, "speakers": ()}))
        if text_path is not None:
            item.texts.append(text_path)
            item.options["speakers"] += (row.get("speaker") or None,)
    for item in items.values():  # a speaker not given is the batch's (--speaker), if any
        if not any(item.options["speakers"]):
            item.options["speakers"] = None
    return list(items.values())


def items_from_path(path: Path) -> list[Item]:
    return items_from_folder(path) if path.is_dir() else items_from_manifest(path)


def ingest_batch(items: list[Item], db_path: Path, options: IngestOptions = IngestOptions(), *,
                 progress: bool = True) -> Iterator[Outcome]:
    """Ingest each item, yielding its outcome as soon as it is known; an item's own options replace `options`.

    A recording that fails in any way is reported and the batch goes on with the next one.
    """
    seen: dict[str, Item] = {}

    def start(item: Item):
        if not item.texts:
            raise IngestError(f"{item.audio}: no official text beside it (a .txt, .docx, .pdf or .html of the "
                              f"same name)")
        given = {k: v for k, v in item.options.items() if v is not None}
        return prepare(item.audio, item.texts, db_path, dataclasses.replace(options, **given), progress=progress)

    queued: list[tuple[Item, str | None]] = []
    for item in items:
        if item.meeting_id in seen:  # both would pass the archive check before either is written
            queued.append((item, f"{item.audio}: ID {item.meeting_id} is also used by {seen[item.meeting_id].audio}"))
        else:
            seen[item.meeting_id] = item
            queued.append((item, None))

    with ThreadPoolExecutor(max_workers=1) as decoder:  # decodes the next recording during transcription
        pending = {}

        def submit(k: int) -> None:
            if k < len(queued) and queued[k][1] is None:
                pending[k] = decoder.submit(start, queued[k][0])

        submit(0)
        for k, (item, error) in enumerate(queued):
            submit(k + 1)
            if error:
                yield Outcome(item, error=error)
                continue
            try:
                yield Outcome(item, result=complete(pending.pop(k).result(), progress=progress))
            except IngestError as e:
                yield Outcome(item, error=str(e))
            except Exception as e:  # noqa: BLE001 -- an unexpected failure of one recording; the batch goes on
                traceback.print_exc()
                yield Outcome(item, error=f"{item.audio}: unexpected error: {e!r}")
