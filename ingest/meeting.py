"""A meeting as ingest knows it before it has rows: what it is made from (`Inputs`) and its speeches.

The chain of one ingest: `Inputs` and `Speeches` (read and checked), a `Transcript` (podium.ingest.engines),
an `Alignment` (podium.alignment), then the meeting's rows (`schema.meeting_rows`, the one builder).
Each value is made once and not changed after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from podium import schema

from .engines import DecodingSettings, settings_from_record, settings_record


@dataclass(frozen=True)
class Inputs:
    """What a meeting is made from, and so what it is: an ingest with equal inputs is the same meeting,
    and a meeting of other inputs under the same ID is refused unless replaced. Never the hardware: the
    same files ingested on a GPU machine (float16 there, int8 here) are the same meeting."""

    audio_sha256: str
    text_sha256: str
    title: str
    date: str | None
    speaker: str | None
    language: str
    engine: str
    model: str
    settings: DecodingSettings

    def columns(self) -> dict:
        """The meetings row's columns that hold the inputs."""
        return {"audio_sha256": self.audio_sha256, "text_sha256": self.text_sha256, "title": self.title,
                "date": self.date, "speaker": self.speaker, "language": self.language, "engine": self.engine,
                "model": self.model, "settings": settings_record(self.settings)}

    def same_as(self, row: dict) -> bool:
        """Whether a meetings row came from these very inputs (its settings read as this release reads them:
        a record of an older release, or one naming the hardware, may say the same)."""
        try:
            settings = settings_record(settings_from_record(row.get("settings")))
        except ValueError:
            return False
        return {**{k: row.get(k) for k in self.columns()}, "settings": settings} == self.columns()

    @classmethod
    def from_row(cls, row: dict) -> Inputs:
        """The inputs a stored meeting was made from, settings with the defaults of the release that stored
        them. :raises ValueError: settings that cannot be read."""
        return cls(row["audio_sha256"], row["text_sha256"], row["title"], row["date"], row["speaker"],
                   row["language"], row["engine"], row["model"], settings_from_record(row["settings"]))


@dataclass(frozen=True)
class SpeechText:
    """One speech's official text and who gave it; `path` is the file it was read from (None: the archive)."""

    text: str
    speaker: str | None
    path: Path | None = None

    @property
    def title(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")

    @property
    def name(self) -> str:
        """What to call it in a message."""
        return str(self.path) if self.path else self.title


@dataclass(frozen=True)
class Speeches:
    """The speeches of one meeting, in order: the one owner of their order, of where each lies in the
    meeting's official text (the texts joined by `schema.SPEECH_SEPARATOR`) and of who gave each."""

    items: tuple[SpeechText, ...]

    @property
    def text(self) -> str:
        """The meeting's official text."""
        return schema.SPEECH_SEPARATOR.join(s.text for s in self.items)

    @property
    def placed(self) -> list[schema.Speech]:
        """Each speech with its stretch [start_char, end_char) of the official text."""
        placed, at = [], 0
        for s in self.items:
            placed.append(schema.Speech(s.title, s.speaker, at, at + len(s.text)))
            at += len(s.text) + len(schema.SPEECH_SEPARATOR)
        return placed

    @property
    def text_sha256(self) -> str:
        """One text: its hash, as since the first release; several: of all of them in this order."""
        return hashlib.sha256("\x00".join(s.text for s in self.items).encode("utf-8")).hexdigest()

    @property
    def speaker(self) -> str | None:
        """The meeting's speakers, as one column holds them."""
        return "、".join(s.speaker for s in self.items if s.speaker) or None

    def reordered(self, order: list[int]) -> Speeches:
        return Speeches(tuple(self.items[k] for k in order))

    @classmethod
    def from_archive(cls, official_text: str, speeches: list[schema.Speech], speaker: str | None) -> Speeches:
        """A stored meeting's speeches (none stored, before schema 3: one speech of all its text, by `speaker`)."""
        if not speeches:
            return cls((SpeechText(official_text, speaker),))
        return cls(tuple(SpeechText(official_text[s.start_char:s.end_char], s.speaker) for s in speeches))
