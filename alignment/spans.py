"""The aligner's inputs and outputs: words, spans, passages, the evidence of a forced alignment, options."""

from __future__ import annotations

from dataclasses import dataclass, field

SPOKEN, PARTIAL, NOT_SPOKEN = "spoken", "partial", "not_spoken"
ESTIMATED = "estimated"  # said, but placed with confidence neither by the transcript nor by the forced alignment
CHECK_BELOW = 0.5  # a sentence of lower confidence (or estimated, or partial) is where a person's review starts


def to_check(status: str, confidence: float | None) -> bool:
    """Whether a person should check a sentence first: the aligner placed it without confidence, or heard
    only part of it. (A sentence not spoken has no time to check: its neighbours say where it would be.)"""
    if status == NOT_SPOKEN:
        return False
    return status in (ESTIMATED, PARTIAL) or confidence is None or confidence < CHECK_BELOW


def paragraph_status(statuses: set[str]) -> str:
    """A paragraph's status from its sentences': estimated if all are; spoken if all were said (some perhaps
    not heard); not spoken if none was; partial otherwise."""
    if statuses == {ESTIMATED}:
        return ESTIMATED
    if statuses <= {SPOKEN, ESTIMATED}:
        return SPOKEN
    if statuses <= {NOT_SPOKEN}:
        return NOT_SPOKEN
    return PARTIAL


def mean_confidence(spans, *, found_only: bool = False) -> float:
    """The confidence of several timed spans together: each counts by its length in characters. With
    `found_only`, one not spoken counts nothing, however sure that is (the share of a text found)."""
    weights = [max(1, s.end_char - s.start_char) for s in spans]
    total = sum(w * s.confidence for w, s in zip(weights, spans) if not (found_only and s.status == NOT_SPOKEN))
    return total / sum(weights) if spans else 0.0


class WrongTextError(ValueError):
    """The transcript does not match the official text at all."""


@dataclass(frozen=True, slots=True)
class Word:
    """A transcribed word with its times in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class ForcedWord:
    """Official text [start_char, end_char) found in the audio by forced alignment (the known text's tokens
    placed by the recogniser's cross-attention), with the decoder's probability of that text there."""

    start_char: int
    end_char: int
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Region:
    """Official text [start_char, end_char) that the transcript could not place with confidence, and the
    stretch of audio between the confidently placed sentences around it, where it must have been said."""

    start_char: int
    end_char: int
    start: float
    end: float


@dataclass(frozen=True)
class AlignOptions:
    """Tuning knobs, each a structural property of text and speech, not of one recording."""

    min_anchor: int = 3  # matched runs at least this long are trusted wherever they are
    near: int = 6  # a shorter matched run is kept only this close (tokens) to its neighbours
    wildcard_span: int = 6  # tokens one redaction mark may absorb (a name, a place, a number)
    min_unscripted_tokens: int = 4  # shorter leftover runs are ASR noise, not a passage
    split_pause: float = 2.0  # seconds of silence that split one unscripted passage in two
    # a leftover run where official text went unheard is that text misheard, unless it makes the stretch
    # more than this many times longer than the text (a phrase garbled, perhaps decoded twice, is not)
    misheard_stretch: float = 2.0
    not_spoken_below: float = 0.3  # share of a sentence heard below which it was not spoken
    spoken_from: float = 0.8  # share heard from which a sentence counts as fully spoken
    partial_gap_tokens: int = 4  # a run of this many unheard tokens inside a sentence makes it partial...
    partial_gap_share: float = 0.2  # ...or of this share of the sentence, if that is longer
    min_matched_share: float = 0.2  # below this share of the text matched, it is the wrong text
    unheard_min_voice: float = 0.5  # seconds of voice no word covers, where sentences went unheard...
    unheard_share: float = 0.5  # ...and at least this share of the time they would take to say
    # a sentence the transcript places is said at no less than 1/stretch of the recording's typical pace
    # (speakers differ about twofold), plus a pause; slower, its matched words are chance matches elsewhere
    stretch: float = 2.5
    # a second inside a sentence with no heard token (or one token stretched over it) is more often a
    # sentence boundary, or speech the decoder skipped, that the transcript's timing bridged than a pause
    hole: float = 1.0
    # a transcript token lasts at most this many typical tokens: Whisper's timing stretches the first word
    # after speech it skipped over all of it (its own word timing cuts such words at twice the median)
    longest_token: float = 3.0
    region_min_voice: float = 0.3  # seconds of voice between placed sentences that may hold unplaced ones
    # the forced alignment's mean probability of a sentence's text given the audio: the decoder rates
    # text that was said there at well over half per token, other text at a few per cent
    forced_accept: float = 0.4  # from this, the text is there
    forced_reject: float = 0.2  # below this, it is not
    forced_slack: float = 1.0  # seconds a forced word may lie outside its region (the window has margins)
    repeat_share: float = 0.6  # a passage this much of which is the official text it overlaps is that text again


@dataclass(slots=True)
class TimedSpan:
    """A paragraph or sentence with its alignment result."""

    seq: int
    start_char: int
    end_char: int
    paragraph_seq: int
    start: float | None
    end: float | None
    status: str
    confidence: float


@dataclass(slots=True)
class Passage:
    """Transcript speech with no counterpart in the official text."""

    start: float
    end: float
    text: str


@dataclass
class Alignment:
    paragraphs: list[TimedSpan]
    sentences: list[TimedSpan]
    unscripted: list[Passage]
    matched_share: float  # share of the official text found in the transcript
    language: str = "zh"
    seconds: float = 0.0  # compute time of the alignment
    voiced_coverage: float | None = None  # share of the voiced audio under transcript words (with levels)
    regions: list[Region] = field(default_factory=list)  # what the transcript could not place: to force-align


