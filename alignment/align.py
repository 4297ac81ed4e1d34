"""Align a timed transcript to the official text and derive timed spans.

The method, in three steps:

1. Both texts become token sequences (`alignment.text.tokenize`) compared by
   pronunciation. A longest-common-subsequence alignment (rapidfuzz, C, bit-
   parallel) pairs identical tokens; pairs in runs shorter than `min_anchor`
   that float far from other matches are dropped as chance matches.
2. Between consecutive matched pairs lies a gap: official tokens the ASR did
   not reproduce and transcript tokens with no official counterpart. A balanced
   gap is a misrecognition: its official tokens take the times of its
   transcript tokens, linearly. An unbalanced gap also holds an insertion
   (ad-lib, host, stumble) or a deletion (skipped text): only the best-matching
   window of the longer side is paired, the rest is left over.
3. Sentences take the times of their timed tokens and a status from how much
   of them was heard; transcript runs left over become `unscripted` passages.
"""

from __future__ import annotations

import bisect
import math
import time

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .forced import FOUND, decide, find_regions, placed
from .pauses import (HOP, UNCOVERED_MIN, PauseOptions, covered_share, find_pauses, snap_edges, snap_to_voice,
                     subtract_spans, time_within, voiced_spans)
from .segment import Span, split_text
from .spans import (ESTIMATED, NOT_SPOKEN, PARTIAL, SPOKEN, AlignOptions, Alignment, ForcedWord, Passage, TimedSpan,
                    Word, WrongTextError, mean_confidence, paragraph_status)
from .text import Token, detect_language, tokenize

def transcript_tokens(words: list[Word], language: str) -> tuple[list[Token], np.ndarray, np.ndarray]:
    """Tokens of the transcript, their (start, end) times, and the word each came from.

    A word's duration is shared evenly among its tokens.
    """
    tokens: list[Token] = []
    times: list[tuple[float, float]] = []
    word_index: list[int] = []
    for w, word in enumerate(words):
        toks = tokenize(word.text, language=language, redactions=False)
        n = len(toks)
        step = (word.end - word.start) / n if n else 0.0
        for k, tok in enumerate(toks):
            tokens.append(tok)
            times.append((word.start + k * step, word.start + (k + 1) * step))
            word_index.append(w)
    return tokens, np.array(times, dtype=float).reshape(-1, 2), np.array(word_index, dtype=int)


def _unique_kgrams(keys: list[str], k: int) -> dict[tuple, int]:
    seen: dict[tuple, int] = {}
    for i in range(len(keys) - k + 1):
        gram = tuple(keys[i:i + k])
        seen[gram] = -1 if gram in seen else i
    return {g: i for g, i in seen.items() if i >= 0}


def _anchor_chain(a: list[str], b: list[str], k: int) -> list[tuple[int, int]]:
    """Positions (i, j) of k-grams found once in each sequence, longest chain increasing in both."""
    in_b = _unique_kgrams(b, k)
    pairs = sorted((i, in_b[g]) for g, i in _unique_kgrams(a, k).items() if g in in_b)
    # longest increasing subsequence of j, O(n log n)
    tails: list[int] = []  # tails[m]: the pair ending the lowest chain of length m + 1
    tail_js: list[int] = []
    parent = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        m = bisect.bisect_left(tail_js, j)
        if m > 0:
            parent[n] = tails[m - 1]
        if m == len(tails):
            tails.append(n)
            tail_js.append(j)
        else:
            tails[m], tail_js[m] = n, j
    chain, n = [], tails[-1] if tails else -1
    while n >= 0:
        chain.append(pairs[n])
        n = parent[n]
    return chain[::-1]


def lcs_blocks(a: list[str], b: list[str], *, max_cells: int = 50_000_000, k: int = 8) -> list[tuple[int, int, int]]:
    """Equal blocks (i1, i2, j1) of a longest common subsequence of `a` and `b`.

    Small problems go to rapidfuzz in one piece. Large ones are cut at anchors -- k-grams found once
    in each sequence, chained in order -- into pieces of at most about `max_cells` cells (a bit each),
    so memory stays linear in the text length rather than growing with the product.
    """
    if len(a) * len(b) <= max_cells:
        return [(op.src_start, op.src_end, op.dest_start) for op in Indel.opcodes(a, b) if op.tag == "equal"]
    step = max(k, int(math.sqrt(max_cells)) // 2)  # tokens between cuts, on the official side
    cuts, last = [], -step
    for i, j in _anchor_chain(a, b, k):
        if i - last >= step and (not cuts or (i >= cuts[-1][0] + k and j >= cuts[-1][1] + k)):
            cuts.append((i, j))
            last = i
    blocks: list[tuple[int, int, int]] = []
    start_i = start_j = 0
    for i, j in cuts + [(len(a), len(b))]:
        piece = Indel.opcodes(a[start_i:i], b[start_j:j]) if i > start_i and j > start_j else []
        blocks += [(start_i + op.src_start, start_i + op.src_end, start_j + op.dest_start)
                   for op in piece if op.tag == "equal"]
        if i < len(a):  # the anchor k-gram itself is a match
            blocks.append((i, i + k, j))
        start_i, start_j = i + k, j + k
    return blocks


def match_tokens(official: list[Token], transcript: list[Token], opts: AlignOptions) -> np.ndarray:
    """For each official token, the index of its identical transcript token, or -1."""
    match = np.full(len(official), -1, dtype=int)
    blocks = lcs_blocks([t.key for t in official], [t.key for t in transcript])
    for k, (i1, i2, j1) in enumerate(blocks):
        length = i2 - i1
        if length < opts.min_anchor:
            prev_i, prev_j = _block_end(blocks[k - 1]) if k else (0, 0)
            next_i, next_j = _block_start(blocks[k + 1]) if k + 1 < len(blocks) else (len(official), len(transcript))
            gaps = (i1 - prev_i, j1 - prev_j, next_i - i2, next_j - (j1 + length))
            if max(gaps) > opts.near:
                continue
        match[i1:i2] = np.arange(j1, j1 + length)
    return match


def _block_start(block: tuple[int, int, int]) -> tuple[int, int]:
    """(official, transcript) index of a matched block's first pair; a block is (i1, i2, j1)."""
    i1, _, j1 = block
    return i1, j1


def _block_end(block: tuple[int, int, int]) -> tuple[int, int]:
    """(official, transcript) index just past a matched block's last pair."""
    i1, i2, j1 = block
    return i2, j1 + (i2 - i1)


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True in a boolean array."""
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def _best_window(short: list[str], long: list[str]) -> tuple[int, int]:
    """The stretch of `long` (token indices) that best matches `short`, by spelling."""
    short_s = "".join(short)
    ends = np.cumsum([len(k) for k in long])
    res = fuzz.partial_ratio_alignment(short_s, "".join(long))
    if res is None or res.score == 0:
        return 0, min(len(short), len(long))
    start = int(np.searchsorted(ends, res.dest_start, side="right"))
    end = int(np.searchsorted(ends, max(res.dest_end - 1, 0), side="right")) + 1
    return start, max(end, start + 1)


def fill_gaps(
    official: list[Token],
    transcript: list[Token],
    tr_times: np.ndarray,
    match: np.ndarray,
    opts: AlignOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Times for official tokens, and which transcript tokens they used.

    Returns `times` (n_official × 2, NaN where not heard) and `used`
    (bool per transcript token).
    """
    times = np.full((len(official), 2), np.nan)
    used = np.zeros(len(transcript), dtype=bool)
    matched = np.flatnonzero(match >= 0)
    times[matched] = tr_times[match[matched]]
    used[match[matched]] = True

    anchors = [(-1, -1)] + [(int(i), int(match[i])) for i in matched] + [(len(official), len(transcript))]
    for (i0, j0), (i1, j1) in zip(anchors, anchors[1:]):
        o_lo, o_hi, t_lo, t_hi = i0 + 1, i1, j0 + 1, j1
        if o_hi <= o_lo or t_hi <= t_lo:
            continue
        gap = official[o_lo:o_hi]
        n_wild = sum(t.wildcard for t in gap)
        a, b = len(gap) - n_wild, t_hi - t_lo
        capacity = a + opts.wildcard_span * n_wild  # transcript tokens this gap can explain
        if b <= 2 * capacity + 2 and a <= 2 * b + 2:
            _spread(times, used, o_lo, o_hi, t_lo, t_hi, tr_times)
        elif b > 2 * capacity + 2:  # insertion: pair the official tokens with their best window
            keys = [t.key for t in gap if not t.wildcard]
            w_lo, w_hi = _best_window(keys, [t.key for t in transcript[t_lo:t_hi]]) if keys else (0, 0)
            if n_wild:  # a redaction absorbs the words spoken in its place, next to the window
                if gap[0].wildcard or not keys:
                    w_lo = max(0, w_lo - opts.wildcard_span * n_wild)
                if gap[-1].wildcard or not keys:
                    w_hi = min(b, w_hi + opts.wildcard_span * n_wild)
            if w_hi > w_lo:
                _spread(times, used, o_lo, o_hi, t_lo + w_lo, t_lo + w_hi, tr_times)
        else:  # deletion: pair the transcript tokens with their best window of official text
            w_lo, w_hi = _best_window([t.key for t in transcript[t_lo:t_hi]], [t.key for t in gap])
            _spread(times, used, o_lo + w_lo, o_lo + w_hi, t_lo, t_hi, tr_times)
    return times, used


def _spread(times, used, o_lo, o_hi, t_lo, t_hi, tr_times) -> None:
    """Share the time of transcript tokens [t_lo, t_hi) evenly over official tokens [o_lo, o_hi)."""
    t0, t1 = tr_times[t_lo, 0], tr_times[t_hi - 1, 1]
    n = o_hi - o_lo
    edges = t0 + (t1 - t0) * np.arange(n + 1) / n
    times[o_lo:o_hi, 0] = edges[:-1]
    times[o_lo:o_hi, 1] = edges[1:]
    used[t_lo:t_hi] = True


def _judge(tokens: list[Token], times: np.ndarray, exact: np.ndarray, opts: AlignOptions) -> tuple[str, float]:
    """Status and confidence of one sentence from its tokens' alignment."""
    required = np.array([t.required for t in tokens], dtype=bool)
    if not required.any():
        required = np.array([not t.wildcard for t in tokens], dtype=bool)
    if not required.any():
        return (SPOKEN if not np.isnan(times[:, 0]).all() else NOT_SPOKEN), 0.0
    heard = ~np.isnan(times[required, 0])
    heard_share = float(heard.mean())
    confidence = float(exact[required].mean())
    if confidence == 0 or heard_share < opts.not_spoken_below:
        return NOT_SPOKEN, confidence
    longest_gap = _longest_run(~heard)
    if heard_share < opts.spoken_from or longest_gap >= max(opts.partial_gap_tokens, opts.partial_gap_share * heard.size):
        return PARTIAL, confidence
    return SPOKEN, confidence


def unscripted_passages(
    words: list[Word], tr_times: np.ndarray, word_index: np.ndarray, used: np.ndarray, match: np.ndarray,
    required: np.ndarray, opts: AlignOptions
) -> list[Passage]:
    """Runs of transcript tokens that no official text accounts for."""
    passages: list[Passage] = []
    run: list[int] = []
    anchors = _anchors(match, opts.min_anchor)

    def flush() -> None:
        if len(run) >= opts.min_unscripted_tokens and not _misheard(run, anchors, match[anchors], required, opts):
            ws = sorted(set(word_index[run].tolist()))
            text = "".join(words[w].text for w in ws).strip()
            # words of a window decoded again may overlap their neighbours: the passage spans all of its own
            passages.append(Passage(float(tr_times[run, 0].min()), float(tr_times[run, 1].max()), text))
        run.clear()

    for j in np.flatnonzero(~used):
        if run and (j != run[-1] + 1 or tr_times[j, 0] - tr_times[run[-1], 1] > opts.split_pause):
            flush()
        run.append(int(j))
    flush()
    return passages


def _anchors(match: np.ndarray, length: int) -> np.ndarray:
    """The official tokens heard exactly in runs of at least `length` (consecutive in both texts), in order."""
    heard = np.flatnonzero(match >= 0)
    # a run breaks where either text skips a token
    breaks = np.flatnonzero((np.diff(heard) != 1) | (np.diff(match[heard]) != 1)) + 1
    runs = [r for r in np.split(heard, breaks) if len(r) >= length]
    return np.concatenate(runs) if runs else heard[:0]


def _misheard(run: list[int], anchors: np.ndarray, anchored_at: np.ndarray, required: np.ndarray,
              opts: AlignOptions) -> bool:
    """Whether a run of transcript tokens stands where official text is, and is not much longer: that text
    misheard (applause or noise garbles a phrase, and the decoder may give it twice), not speech of its own.
    Speech of its own lies where the text runs on, heard on both sides of it (an ad-lib, a stumble), or
    makes the stretch between the words heard on either side far longer than the text there
    (`misheard_stretch` times). Those words are `anchors` (official tokens in runs of `min_anchor` heard
    exactly; `anchored_at`: their transcript tokens): single chance matches inside garbled speech are not."""
    k = int(np.searchsorted(anchored_at, run[0]))
    if k == 0 or k == len(anchored_at):  # before the first word of the text heard, or after the last: the host
        return False
    text_there = int(required[anchors[k - 1] + 1:anchors[k]].sum())
    said_there = int(anchored_at[k] - anchored_at[k - 1] - 1)
    return text_there > 0 and said_there <= opts.misheard_stretch * text_there


def align(
    official_text: str,
    words: list[Word],
    *,
    language: str | None = None,
    levels: np.ndarray | None = None,
    voice: np.ndarray | None = None,
    forced: list[ForcedWord] | None = None,
    options: AlignOptions | None = None,
    pause_options: PauseOptions | None = None,
) -> Alignment:
    """Align timed transcript words to an official text.

    :param official_text: the text as published, one paragraph per line.
    :param words: the transcript's words in time order.
    :param language: 'zh' or 'en'; guessed from the official text when None.
    :param levels: the recording's frame levels (`pauses.frame_levels`); when given,
        sentence edges are snapped to the pauses they find.
    :param voice: (n × 2) stretches of speech as a voice-activity model hears them; when given, sentence
        edges are moved to its onsets and offsets where the levels count room noise as speech.
    :param forced: the forced alignment of the returned `regions`' text (a first call without it says
        which regions those are); the sentences the transcript could not place take their times from it.
    :raises WrongTextError: when almost none of the official text was heard.
    """
    started = time.perf_counter()
    opts = options or AlignOptions()
    pause_opts = pause_options or PauseOptions()
    language = language or detect_language(official_text)
    official = tokenize(official_text, language=language)
    transcript, tr_times, word_index = transcript_tokens(words, language)
    durations = tr_times[:, 1] - tr_times[:, 0]
    token_seconds = float(np.median(durations[durations > 0])) if (durations > 0).any() else 0.0
    longest = opts.longest_token * token_seconds
    if token_seconds:  # a word stretched over speech the decoder skipped was said at its end, not its start
        tr_times[:, 0] = np.maximum(tr_times[:, 0], tr_times[:, 1] - longest)
    match = match_tokens(official, transcript, opts)
    times, used = fill_gaps(official, transcript, tr_times, match, opts)
    exact = match >= 0

    required = np.array([t.required for t in official], dtype=bool)
    matched_share = float(exact[required].mean()) if required.any() else 0.0
    if official and matched_share < opts.min_matched_share:
        raise WrongTextError(
            f"only {matched_share:.0%} of the official text was found in the recording: "
            "is this the text of another recording?"
        )

    offsets = np.array([t.offset for t in official], dtype=int)
    paragraphs, sentences = split_text(official_text)
    heard_all = np.flatnonzero(~np.isnan(times[:, 0]))
    audio_end = float(tr_times[:, 1].max()) if len(tr_times) else 0.0
    if levels is not None:
        audio_end = max(audio_end, len(levels) * HOP)
    timed_sentences = [_time_span(s, official, offsets, times, exact, opts, token_seconds, heard_all, audio_end)
                       for s in sentences]
    bounds = [(np.searchsorted(offsets, s.start_char), np.searchsorted(offsets, s.end_char)) for s in timed_sentences]
    needed = [int(required[lo:hi].sum()) for lo, hi in bounds]
    edges = [_heard_edges(s, times[lo:hi]) for s, (lo, hi) in zip(timed_sentences, bounds)]

    voiced = voiced_spans(levels, pause_opts) if levels is not None else None
    is_placed = [placed(s, n, token_seconds, max(_longest_hole(times[lo:hi]), _longest_silence(voice, s)), opts)
                 for s, n, (lo, hi) in zip(timed_sentences, needed, bounds)]
    regions = find_regions(timed_sentences, is_placed, voice if voice is not None else voiced, audio_end, needed,
                           token_seconds, opts)
    if forced:
        reach = [_exact_reach(exact[lo:hi], times[lo:hi], required[lo:hi], longest) for lo, hi in bounds]
        verdicts = decide(timed_sentences, edges, reach, regions, forced, longest, opts)
    else:
        verdicts = [None] * len(timed_sentences)

    voiced_coverage = None
    if levels is not None:
        _snap(timed_sentences, edges, find_pauses(levels, pause_opts), pause_opts.reach, snap_edges)
        spoken_spans = np.array([[w.start, w.end] for w in words], dtype=float).reshape(-1, 2)
        voiced_coverage = covered_share(voiced, spoken_spans)
        unrendered = subtract_spans(voiced, spoken_spans, min_length=UNCOVERED_MIN)
        _estimate_unheard(timed_sentences, needed, unrendered, token_seconds, audio_end, opts, verdicts)
    if voice is not None:
        _snap(timed_sentences, edges, voice, pause_opts.reach, snap_to_voice)
    _in_text_order(timed_sentences)
    timed_paragraphs = [_paragraph(p, [s for s in timed_sentences if s.paragraph_seq == p.seq]) for p in paragraphs]
    # what the transcript heard where the forced alignment found the official text is that text, misheard
    found = np.array([[s.start, s.end] for s, v in zip(timed_sentences, verdicts) if v == FOUND],
                     dtype=float).reshape(-1, 2)
    speech = voice if voice is not None else voiced
    unscripted = []
    for passage in unscripted_passages(words, tr_times, word_index, used, match, required, opts):
        parts = _speech_within(passage, speech)
        if not len(parts):  # no voice under it: words decoded from silence or noise (hallucinated)
            continue
        if (_within_share(parts, found) < 0.5
                and not _repeats_official(passage, parts, tr_times[used], timed_sentences, official, offsets,
                                          language, opts)):
            unscripted.append(Passage(float(parts[0, 0]), float(parts[-1, 1]), passage.text))
    return Alignment(
        paragraphs=timed_paragraphs,
        sentences=timed_sentences,
        unscripted=unscripted,
        matched_share=matched_share,
        language=language,
        seconds=time.perf_counter() - started,
        voiced_coverage=voiced_coverage,
        regions=regions,
    )


def _heard_edges(sentence: TimedSpan, times: np.ndarray) -> np.ndarray | None:
    """[start, end of its first heard token, start of its last heard token, end] of a timed sentence."""
    heard = times[~np.isnan(times[:, 0])]
    if sentence.start is None or not len(heard):
        return None
    return np.array([sentence.start, heard[0, 1], heard[-1, 0], sentence.end])


def _longest_hole(times: np.ndarray) -> float:
    """The longest time inside a sentence that no heard token fills, or that one token fills alone."""
    heard = times[~np.isnan(times[:, 0])]
    if not len(heard):
        return 0.0
    return float(max(np.max(heard[:, 1] - heard[:, 0]), np.max(heard[1:, 0] - heard[:-1, 1], initial=0.0)))


def _exact_reach(exact: np.ndarray, times: np.ndarray, required: np.ndarray, longest: float) -> tuple[float, float]:
    """The earliest start and the latest end a sentence can have, given the tokens of it the transcript
    matched exactly: at most `longest` seconds for each token before the first of them or after the last."""
    matched = np.flatnonzero(exact)
    if not len(matched):
        return -np.inf, np.inf
    before, after = required[:matched[0]].sum(), required[matched[-1] + 1:].sum()
    return float(times[matched[0], 0] - before * longest), float(times[matched[-1], 1] + after * longest)


def _longest_silence(voice: np.ndarray | None, sentence: TimedSpan) -> float:
    """The longest silence between the stretches of speech a timed sentence spans, as the voice-activity
    model hears them (silence at its edges is what snapping moves them out of)."""
    if voice is None or sentence.start is None:
        return 0.0
    inside = voice[(voice[:, 1] > sentence.start) & (voice[:, 0] < sentence.end)]
    return float(np.max(inside[1:, 0] - inside[:-1, 1])) if len(inside) > 1 else 0.0


def _repeats_official(passage: Passage, parts: np.ndarray, aligned: np.ndarray, sentences: list[TimedSpan],
                      official: list[Token], offsets: np.ndarray, language: str, opts: AlignOptions) -> bool:
    """Whether a passage is official text heard twice (the same audio decoded again): its speech (`parts`)
    lies mostly under transcript words that the official text already accounts for (`aligned`), and most of
    its tokens, compared as the aligner compares them (pronunciation, numbers read out), are found in order in the
    sentences it overlaps. (A stumble, a phrase said once more before its sentence, has audio of its own.)"""
    keys = [t.key for t in tokenize(passage.text, language=language, redactions=False)]
    near = [s for s in sentences if s.start is not None and s.start < passage.end and s.end > passage.start]
    if not keys or not near or _within_share(parts, aligned) < 0.5:
        return False
    lo, hi = np.searchsorted(offsets, near[0].start_char), np.searchsorted(offsets, near[-1].end_char)
    found = sum(i2 - i1 for i1, i2, _ in lcs_blocks(keys, [t.key for t in official[lo:hi]]))
    return found >= opts.repeat_share * len(keys)


def _speech_within(passage: Passage, speech: np.ndarray | None) -> np.ndarray:
    """The stretches of speech (n × 2) that lie within a passage; the whole passage when nothing says
    where the speech is."""
    if speech is None:
        return np.array([[passage.start, passage.end]])
    parts = np.column_stack([np.maximum(speech[:, 0], passage.start), np.minimum(speech[:, 1], passage.end)])
    return parts[parts[:, 1] > parts[:, 0]]


def _within_share(parts: np.ndarray, spans: np.ndarray) -> float:
    """Share of the time of `parts` that lies inside `spans` (pauses between the parts left out: the
    silence between two sentences says nothing of what was said)."""
    total = float(np.sum(parts[:, 1] - parts[:, 0]))
    return sum(time_within(spans, a, b) for a, b in parts) / total if total > 0 else 0.0


def _estimate_unheard(sentences: list[TimedSpan], required: list[int], unrendered: np.ndarray,
                      token_seconds: float, audio_end: float, opts: AlignOptions, verdicts: list[str | None]) -> None:
    """Tell sentences skipped by the speaker from sentences said but not heard by the recogniser.

    A run of sentences with no heard words is `not_spoken` when its neighbours were heard back to back.
    When the time between them holds voice that no transcript word covers, enough to have said the run
    (`unheard_share` of its tokens at the typical token duration), the run was said: it is `estimated`,
    and that voice is shared out among its sentences by their lengths.
    """
    floor, k = 0.0, 0
    while k < len(sentences):
        if sentences[k].status != NOT_SPOKEN or verdicts[k]:  # the forced alignment rejected it
            floor = sentences[k].end if sentences[k].end is not None else floor
            k += 1
            continue
        run = k
        while run < len(sentences) and sentences[run].status == NOT_SPOKEN and not verdicts[run]:
            run += 1
        ceiling = next((s.start for s in sentences[run:] if s.start is not None), audio_end)
        room = unrendered[(unrendered[:, 1] > floor) & (unrendered[:, 0] < ceiling)]
        room = np.clip(room, floor, ceiling)
        voice = float(np.sum(room[:, 1] - room[:, 0])) if len(room) else 0.0
        expected = sum(required[k:run]) * token_seconds
        if len(room) and voice >= max(opts.unheard_min_voice, opts.unheard_share * expected):
            start, end = float(room[0, 0]), float(room[-1, 1])
            lengths = np.array([max(1, s.end_char - s.start_char) for s in sentences[k:run]], dtype=float)
            edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(lengths) / lengths.sum()])
            for s, a, b in zip(sentences[k:run], edges[:-1], edges[1:]):
                s.start, s.end, s.status = float(a), float(b), ESTIMATED
        k = run


def _time_span(span: Span, official, offsets, times, exact, opts, token_seconds: float,
               heard_all: np.ndarray, audio_end: float) -> TimedSpan:
    """A sentence's status and times. When its first or last words were not heard (the ASR dropped
    them), the edge is moved out by their number times the typical token duration, but never past
    the neighbouring heard words or the ends of the audio."""
    lo, hi = np.searchsorted(offsets, span.start), np.searchsorted(offsets, span.end)
    status, confidence = _judge(official[lo:hi], times[lo:hi], exact[lo:hi], opts)
    start = end = None
    if status != NOT_SPOKEN:
        heard = np.flatnonzero(~np.isnan(times[lo:hi, 0]))
        required = [t.required for t in official[lo:hi]]
        missing_before = sum(required[: heard[0]])
        missing_after = sum(required[heard[-1] + 1:])
        k = np.searchsorted(heard_all, lo)  # heard_all[k - 1]: the last heard token before the sentence
        floor = float(times[heard_all[k - 1], 1]) if k > 0 else 0.0
        k = np.searchsorted(heard_all, hi)  # heard_all[k]: the first heard token after it
        ceiling = float(times[heard_all[k], 0]) if k < len(heard_all) else audio_end
        start = max(floor, float(times[lo + heard[0], 0]) - missing_before * token_seconds)
        end = min(max(ceiling, float(times[lo + heard[-1], 1])),
                  float(times[lo + heard[-1], 1]) + missing_after * token_seconds)
    return TimedSpan(span.seq, span.start, span.end, span.paragraph_seq, start, end, status, round(confidence, 3))


def _snap(sentences: list[TimedSpan], edges: list[np.ndarray | None], bounds: np.ndarray, reach: float,
          how) -> None:
    """Move sentence edges to the pauses (`pauses.snap_edges`) or the voice (`pauses.snap_to_voice`) around them."""
    timed = [(s, e) for s, e in zip(sentences, edges) if s.start is not None and e is not None]
    if not timed:
        return
    rows = np.array([[s.start, e[1], e[2], s.end] for s, e in timed])
    snapped = how(rows, bounds, reach)
    # an edge moves within its own sentence's side: never across where its neighbour was before (a stretch of
    # voice or a pause may hold two sentences)
    before, after = np.roll(rows[:, 3], 1), np.roll(rows[:, 0], -1)
    before[0], after[-1] = -np.inf, np.inf
    starts = np.maximum(snapped[:, 0], np.minimum(rows[:, 0], before))
    ends = np.maximum(np.minimum(snapped[:, 1], np.maximum(rows[:, 3], after)), starts)
    for (s, _), start, end in zip(timed, starts, ends):
        s.start, s.end = float(start), float(end)


def _in_text_order(sentences: list[TimedSpan]) -> None:
    """No sentence starts before one earlier in the text: where evidence of several kinds placed a text of
    repeated words ambiguously, a later sentence starts where the earlier one does, at the earliest."""
    latest = -np.inf
    for s in sentences:
        if s.start is not None:
            latest = max(latest, s.start)
            s.start, s.end = latest, max(s.end, latest)


def _paragraph(span: Span, sentences: list[TimedSpan]) -> TimedSpan:
    status = paragraph_status({s.status for s in sentences})
    starts = [s.start for s in sentences if s.start is not None]
    ends = [s.end for s in sentences if s.end is not None]
    confidence = mean_confidence(sentences)
    return TimedSpan(
        span.seq,
        span.start,
        span.end,
        span.seq,
        min(starts) if starts else None,
        max(ends) if ends else None,
        status,
        round(confidence, 3),
    )
