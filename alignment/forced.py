"""Where the transcript cannot carry the alignment, the official text itself is placed in the audio.

The transcript-to-text alignment finds skips, ad-libs and the host, which no forced aligner can, and it is
trusted where it is confident. The sentences it is not sure of lie between confidently placed ones, so
the audio between those holds them, if they were said at all: a `Region`. The ingest force-aligns each
region's official text to its audio (`podium.ingest.forced`) and hands the words back as `ForcedWord`s;
`decide` weighs them against the transcript.
"""

from __future__ import annotations

import numpy as np

from .pauses import time_within
from .spans import ESTIMATED, NOT_SPOKEN, PARTIAL, SPOKEN, AlignOptions, ForcedWord, Region, TimedSpan


FOUND, DOUBTED, REJECTED = "found", "doubted", "rejected"  # the forced alignment's verdicts on a sentence


def placed(sentence: TimedSpan, required: int, token_seconds: float, hole: float, opts: AlignOptions) -> bool:
    """Whether the transcript places a sentence with confidence: fully heard, most of it matched exactly,
    said at a plausible pace, and with no `hole` (the longest time no heard token fills, or one token fills
    alone) of over `opts.hole`: a misheard word at its edge, or chance matches in other speech, would
    stretch it over that speech."""
    if sentence.status != SPOKEN or sentence.confidence < opts.spoken_from:
        return False
    expected = required * token_seconds
    return sentence.end - sentence.start <= opts.stretch * expected + opts.split_pause and hole <= opts.hole


def find_regions(sentences: list[TimedSpan], is_placed: list[bool], voice: np.ndarray | None, audio_end: float,
                 needed: list[int], token_seconds: float, opts: AlignOptions) -> list[Region]:
    """Runs of sentences not placed with confidence, each with the audio between the placed sentences
    around it. A run whose audio holds too little voice is left out: nothing there to align, it was
    skipped (too little: `region_min_voice`, or when none of the run was heard, less than `unheard_share`
    of the time its tokens take at the typical pace, as for `estimated`)."""
    regions, k = [], 0
    while k < len(sentences):
        if is_placed[k]:
            k += 1
            continue
        run = k
        while run < len(sentences) and not is_placed[run]:
            run += 1
        start = sentences[k - 1].end if k else 0.0  # placed sentences, so timed
        end = sentences[run].start if run < len(sentences) else audio_end
        least = opts.region_min_voice
        if all(s.status == NOT_SPOKEN for s in sentences[k:run]):
            least = max(least, opts.unheard_share * sum(needed[k:run]) * token_seconds)
        voice_there = end - start if voice is None else time_within(voice, start, end)  # None: nothing says none
        if end > start and voice_there >= least:
            regions.append(Region(sentences[k].start_char, sentences[run - 1].end_char, float(start), float(end)))
        k = run
    return regions


def decide(sentences: list[TimedSpan], edges: list[np.ndarray | None], reach: list[tuple[float, float]],
           regions: list[Region], forced: list[ForcedWord], longest: float, opts: AlignOptions) -> list[str | None]:
    """Weigh the forced alignment of each region's sentences against the transcript, in place.

    A sentence whose text the forced alignment finds likely there (`forced_accept`) takes its times, and
    is spoken (partial when the transcript heard only part of it). One it rejects (`forced_reject`) is
    not spoken when the transcript heard none of it, else keeps the transcript's reading. In between,
    the times are the forced alignment's and the sentence is `estimated` when the transcript heard none
    of it. Confidence is the larger of the transcript's agreement and the forced alignment's probability
    where they are not in conflict. Returns the verdict on each sentence: FOUND, DOUBTED, REJECTED, or None
    where the forced alignment said nothing.

    The alignment's path gives whatever else the window holds (a pause, the host, applause) to the
    unit next to it: a first or last unit lasting over `longest` seconds keeps only that much, at the
    side where the sentence is. Nor may the sentence reach further than `reach` allows: the earliest
    start and latest end that the words the transcript matched exactly leave it.
    """
    verdicts: list[str | None] = [None] * len(sentences)
    for region in regions:
        words = [w for w in forced if region.start_char <= w.start_char < region.end_char
                 and region.start - opts.forced_slack <= w.start <= region.end + opts.forced_slack]
        for k, s in enumerate(sentences):
            if not (region.start_char <= s.start_char < region.end_char):
                continue
            own = [w for w in words if s.start_char <= w.start_char < s.end_char]
            if not own:
                continue
            weights = np.array([w.end_char - w.start_char for w in own], dtype=float)
            probability = float(np.average([w.probability for w in own], weights=weights))
            heard_any = s.status != NOT_SPOKEN
            first, last = own[0], own[-1]
            earliest, latest = reach[k]
            start = max(first.start, first.end - longest, earliest)
            end = max(min(last.end, last.start + longest, latest), start)
            fa_edges = np.array([start, min(max(first.end, start), end), max(min(last.start, end), start), end])
            if probability >= opts.forced_accept:
                verdicts[k] = FOUND
                s.status = PARTIAL if s.status == PARTIAL else SPOKEN
                s.confidence = round(max(probability, s.confidence if heard_any else 0.0), 3)
            elif probability < opts.forced_reject:
                verdicts[k] = REJECTED
                if heard_any:
                    s.confidence = round(min(s.confidence, probability), 3)  # the two disagree
                else:
                    s.confidence = round(1.0 - probability, 3)  # how sure it is that the text is not there
                continue
            else:
                verdicts[k] = DOUBTED
                s.status = s.status if heard_any else ESTIMATED
                s.confidence = round(probability, 3)
            s.start, s.end = float(fa_edges[0]), float(fa_edges[3])
            edges[k] = fa_edges
    return verdicts
