"""Pauses in speech from the signal level, and snapping span edges to them.

Whisper's word times are biased towards the pauses around words: a start
often falls inside the pause before the sentence. No sentence starts in
silence, so an edge that lands in a pause moves to its speech side, and one
that lands in speech moves to the nearest pause edge within reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOP = 0.01  # seconds per level frame
WINDOW = 0.025  # seconds of signal per level frame
DIGITAL_SILENCE = -90.0  # dBFS: frames this quiet are zeros (padding, a muted input), not a room


@dataclass(frozen=True)
class PauseOptions:
    min_pause: float = 0.12  # seconds: shorter dips are stops and plosives inside words
    contrast: float = 0.25  # threshold between the quiet and loud levels, as a share of their distance
    reach: float = 0.4  # seconds an edge in speech may move to reach a pause edge


def frame_levels(samples: np.ndarray, sample_rate: int, *, block: int = 1 << 20) -> np.ndarray:
    """Level in dB of each HOP-second frame (RMS over WINDOW seconds).

    Works through the signal `block` samples at a time, so hours of audio need no float copy of the
    whole recording. Takes float samples in [-1, 1] or int16.
    """
    hop, win = int(HOP * sample_rate), int(WINDOW * sample_rate)
    n = max(0, (len(samples) - win) // hop + 1)
    scale = 32768.0 if samples.dtype == np.int16 else 1.0
    levels = np.empty(n)
    step = max(hop, block // hop * hop)  # frames per block start on the hop grid
    for first in range(0, n * hop, step):
        piece = samples[first:first + step + win].astype(np.float64) / scale
        power = np.convolve(piece**2, np.ones(win) / win, mode="valid")[::hop]
        k = first // hop
        count = min(len(power), n - k)
        levels[k:k + count] = 10 * np.log10(power[:count] + 1e-10)
    return levels


def find_pauses(levels: np.ndarray, options: PauseOptions | None = None) -> np.ndarray:
    """Pauses as an (n × 2) array of [start, end) times in seconds."""
    opts = options or PauseOptions()
    if levels.size == 0:
        return np.zeros((0, 2))
    quiet, loud = np.percentile(levels, 10), np.percentile(levels, 90)
    silent = levels < quiet + opts.contrast * (loud - quiet)
    edges = np.diff(np.concatenate([[0], silent.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = (ends - starts) * HOP >= opts.min_pause
    # a frame's level describes the centre of its window
    return np.stack([starts[keep], ends[keep]], axis=1) * HOP + WINDOW / 2


def _longest_pause(pauses: np.ndarray, lo: float, hi: float) -> np.ndarray | None:
    overlapping = pauses[(pauses[:, 1] > lo) & (pauses[:, 0] < hi)]
    if overlapping.size == 0:
        return None
    return overlapping[np.argmax(overlapping[:, 1] - overlapping[:, 0])]


def snap_edges(edges: np.ndarray, pauses: np.ndarray, reach: float) -> np.ndarray:
    """Snap span edges to the pauses that bound them.

    :param edges: one row per span: start and end of its first timed token, then
        start and end of its last timed token (seconds).
    :returns: (n × 2) start and end of each span. A start moves to the end of the
        longest pause that overlaps its first token or the `reach` before it; an
        end to the start of the longest pause over its last token or the `reach`
        after it. Pauses inside a sentence (commas) are shorter than the ones
        around it, and Whisper tends to put a word's start in the pause before it.
    """
    out = edges[:, [0, 3]].copy()
    if pauses.size == 0:
        return out
    for k, (first_start, first_end, last_start, last_end) in enumerate(edges):
        before = _longest_pause(pauses, first_start - reach, first_end)
        if before is not None and before[1] < last_end:
            out[k, 0] = before[1]
        after = _longest_pause(pauses, last_start, last_end + reach)
        if after is not None and after[0] > out[k, 0]:
            out[k, 1] = after[0]
    return out


UNCOVERED_MIN = 0.3  # seconds: voice left uncovered by shorter bits is the slack around word times


LOCAL_BLOCK = 10.0  # seconds: voice is also judged against the levels of the 30 s around it (3 blocks)...
MIN_CONTRAST = 6.0  # ...where loud and quiet differ by this many dB at least (else that stretch holds no voice)


def _threshold(levels: np.ndarray, contrast: float) -> float:
    """The silence threshold of some frames, digital zeros left out; +inf where nothing stands out."""
    sound = levels[levels > DIGITAL_SILENCE]
    if sound.size == 0:
        return np.inf
    quiet, loud = np.percentile(sound, 10), np.percentile(sound, 90)
    return quiet + contrast * (loud - quiet) if loud - quiet >= MIN_CONTRAST else np.inf


def voiced_spans(levels: np.ndarray, options: PauseOptions | None = None, *, min_voiced: float = 0.25) -> np.ndarray:
    """Stretches of voice at least `min_voiced` seconds long: (n × 2) [start, end). A frame is voice when it
    is above the silence threshold of the whole recording or of the 30 s around it (a quiet second
    speaker after a loud first one), digital zeros left out of both (hours of padding)."""
    opts = options or PauseOptions()
    block = int(LOCAL_BLOCK / HOP)
    voice = levels >= _threshold(levels, opts.contrast)
    for first in range(0, len(levels), block):
        around = _threshold(levels[max(0, first - block):first + 2 * block], opts.contrast)
        voice[first:first + block] |= levels[first:first + block] >= around
    voice &= levels > DIGITAL_SILENCE
    # dips shorter than a pause are inside words
    edges = np.diff(np.concatenate([[1], voice.astype(np.int8), [1]]))
    for start, end in zip(np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)):
        if (end - start) * HOP < opts.min_pause:
            voice[start:end] = True
    edges = np.diff(np.concatenate([[0], voice.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    spans = np.stack([starts, ends], axis=1) * HOP + WINDOW / 2 if len(starts) else np.zeros((0, 2))
    return spans[spans[:, 1] - spans[:, 0] >= min_voiced]


def merge_spans(spans: np.ndarray) -> np.ndarray:
    """(n × 2) spans as their union: sorted, overlapping ones joined."""
    spans = spans[np.argsort(spans[:, 0])] if len(spans) else spans.reshape(0, 2)
    out: list[list[float]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return np.array(out, dtype=float).reshape(-1, 2)


def subtract_spans(spans: np.ndarray, cut: np.ndarray, *, min_length: float = 0.0) -> np.ndarray:
    """`spans` minus the union of `cut`, both (n × 2) [start, end) in seconds; pieces shorter than
    `min_length` are left out."""
    out, cut = [], merge_spans(np.asarray(cut, dtype=float).reshape(-1, 2))
    for start, end in np.asarray(spans, dtype=float).reshape(-1, 2):
        for c_start, c_end in cut[(cut[:, 1] > start) & (cut[:, 0] < end)]:
            if c_start > start:
                out.append([start, c_start])
            start = max(start, c_end)
        if end > start:
            out.append([start, end])
    out = [piece for piece in out if piece[1] - piece[0] >= min_length]
    return np.array(out, dtype=float).reshape(-1, 2)


def time_within(spans: np.ndarray, start: float, end: float) -> float:
    """Seconds of (n × 2) `spans` that lie within [start, end)."""
    if end <= start or not len(spans):
        return 0.0
    return float(np.clip(np.minimum(spans[:, 1], end) - np.maximum(spans[:, 0], start), 0, None).sum())


def covered_share(voiced: np.ndarray, covered: np.ndarray) -> float:
    """Share of the voiced time that lies under `covered` (e.g. the transcript's words); 1.0 with no voice."""
    total = float(np.sum(voiced[:, 1] - voiced[:, 0])) if len(voiced) else 0.0
    if total == 0:
        return 1.0
    left = subtract_spans(voiced, covered, min_length=UNCOVERED_MIN)
    return 1.0 - float(np.sum(left[:, 1] - left[:, 0])) / total


AGREE = 0.15  # seconds: a level-based edge this close to the voice model's is kept: it is finer (10 ms frames, not
# 32), and Silero calls a soft onset (a fricative, a breathy vowel) speech a few of its windows late


def snap_to_voice(edges: np.ndarray, voice: np.ndarray, reach: float, agree: float = AGREE) -> np.ndarray:
    """Move span edges to where a voice-activity model hears speech begin and end.

    :param edges: one row per span, as for `snap_edges` (start and end of its first unit, then of its last).
    :param voice: (n × 2) [start, end) of speech as the voice model hears it, sorted (room noise, breaths and
        clicks are not speech to it, as they are to a level threshold).
    :returns: (n × 2) start and end. The span's speech begins with the stretch of speech its first unit
        lies in (by the unit's middle), or, when that middle is in silence (a word stretched over a pause),
        with the next stretch: a start before that stretch's onset moves on to it (no sentence starts in
        silence or in the speech before it), and one just after it, within `reach`, moves back. Ends
        likewise, mirrored. An edge already within `agree` of the voice model's stays: both hear the same
        boundary, and the levels' is finer.
    """
    out = edges[:, [0, 3]].copy()
    if voice.size == 0:
        return out
    onsets, offsets = voice[:, 0], voice[:, 1]
    for k, (start, first_end, last_start, end) in enumerate(edges):
        middle = (start + first_end) / 2
        i = int(np.searchsorted(onsets, middle, side="right")) - 1  # the last stretch beginning before it
        if i < 0 or offsets[i] <= middle:  # the middle is in silence: the next stretch
            i += 1
        if i < len(onsets) and onsets[i] < end:
            onset = onsets[i]
            if (start < onset or start - onset <= reach) and abs(start - onset) > agree:
                out[k, 0] = onset
        middle = (last_start + end) / 2
        j = int(np.searchsorted(offsets, middle, side="left"))  # the first stretch ending after it
        if j >= len(offsets) or onsets[j] >= middle:  # the middle is in silence: the stretch before
            j -= 1
        if j >= 0 and offsets[j] > out[k, 0]:
            offset = offsets[j]
            if (end > offset or offset - end <= reach) and abs(end - offset) > agree:
                out[k, 1] = offset
    return out
