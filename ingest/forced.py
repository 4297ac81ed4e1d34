"""Forced alignment: where in the audio the known official text was said, with the Whisper model already
loaded.

The official text's tokens go through the decoder over the audio of a window; the cross-attention of the
model's alignment heads, smoothed and read by dynamic time warping, gives each character its time, and the
decoder's probability of each token given the audio says how well the text fits what was said. This is the
mechanism of Whisper's own word timestamps (CTranslate2 `Whisper.align`, openai-whisper
`timing.find_alignment`), fed the text instead of a transcript. It runs only on the stretches the
transcript could not place (`podium.alignment.Region`); the aligner weighs what it finds as more evidence.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from podium.alignment import ForcedWord, Region

from .audio import SAMPLE_RATE, to_float
from .cache import cached_forced, forced_key, store_forced
from .engines import DecodingSettings, cpu_lanes, load_model

WINDOW = 30.0  # seconds: Whisper's encoder reads at most this much audio at once
MAX_TOKENS = 200  # text tokens one window is given: the decoder holds 448, and 30 s of fast speech is ~330 characters
MARGIN = 0.3  # seconds of audio either side of a region, for a first or last word said a little out of bounds
KEEP_BEFORE_END = 2.0  # a window that does not reach the region's end keeps only the words this far from its end


def force_align(samples: np.ndarray | None, official_text: str, regions: list[Region], *, engine: str, model: str,
                settings: DecodingSettings, language: str, audio_sha256: str) -> list[ForcedWord]:
    """Times and probabilities of the official text of each region, found in the audio of that region.

    Each region's result is kept in the transcript cache; without `samples` (`podium align` has no audio)
    only the regions found there are given.
    """
    keys = [forced_key(audio_sha256, engine, model, language, official_text[r.start_char:r.end_char], r.start, r.end)
            for r in regions]
    found = {key: cached_forced(key) for key in keys}
    todo = [(r, key) for r, key in zip(regions, keys) if found[key] is None]
    if todo and samples is not None:
        aligner = _ALIGNERS[engine](model, settings, language)

        def run(region: Region) -> list[list[float]]:
            return [[w.start_char - region.start_char, w.end_char - region.start_char, w.start, w.end,
                     w.probability] for w in _align_region(samples, official_text, region, aligner)]

        with ThreadPoolExecutor(cpu_lanes(engine, settings.compute_type)) as pool:  # a region per core
            for (_, key), words in zip(todo, pool.map(run, [r for r, _ in todo])):
                store_forced(key, words)
                found[key] = words
    return [ForcedWord(r.start_char + int(a), r.start_char + int(b), start, end, probability)
            for r, key in zip(regions, keys) for a, b, start, end, probability in found[key] or []]


def _align_region(samples: np.ndarray, official_text: str, region: Region, aligner) -> list[ForcedWord]:
    """A region's text aligned window by window: a region longer than a window is worked through from its
    start, each window keeping the words well before its end and handing the rest to the next."""
    chars = _characters(official_text, region.start_char, region.end_char)
    start, end = max(0.0, region.start - MARGIN), min(len(samples) / SAMPLE_RATE, region.end + MARGIN)
    out: list[ForcedWord] = []
    while chars and end - start > 0.2:
        stop = min(end, start + WINDOW)
        last = stop >= end
        take = aligner.fit(chars)
        if not last:  # give the window about its share of the text, and some more
            take = min(take, max(1, int(len(chars) * 1.5 * (stop - start) / (end - start))))
        found = aligner.align(samples, start, stop, chars[:take])
        if not found:
            break
        if not last or take < len(chars):
            kept = [w for w in found if w.end <= stop - KEEP_BEFORE_END] or found[:1]
        else:
            kept = found
        out += kept
        done = sum(1 for k, _ in chars if k < kept[-1].end_char)
        chars = chars[done:]
        start = max(start + 0.5, kept[-1].end)
    return out


def _characters(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """The characters of text[start:end] to align, with their offsets: a run of white space becomes one space
    (English words stay apart; it belongs to the word after it), redaction marks are left out."""
    out: list[tuple[int, str]] = []
    space = start < end and text[start].isascii() and text[start].isalpha()  # Whisper's English words begin so
    for k in range(start, end):
        c = text[k]
        if c.isspace():
            space = bool(out)
        elif c != "*":
            out.append((k, " " + c if space else c))
            space = False
    return out


def _text(chars: list[tuple[int, str]]) -> str:
    return "".join(c for _, c in chars)


class _Aligner:
    """One engine's forced alignment of a few characters of text to one window of audio."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def fit(self, chars: list[tuple[int, str]]) -> int:
        """How many of `chars` one window's decoder can take."""
        tokens = self.tokenizer.encode(_text(chars))
        if len(tokens) <= MAX_TOKENS:
            return len(chars)
        return max(1, int(len(chars) * MAX_TOKENS / len(tokens)))

    def align(self, samples: np.ndarray, start: float, stop: float, chars: list[tuple[int, str]]) -> list[ForcedWord]:
        tokens = self.tokenizer.encode(_text(chars))
        piece = to_float(samples[int(start * SAMPLE_RATE):int(stop * SAMPLE_RATE)])
        words = self.run(piece, tokens)
        # words are the text cut where its tokens make whole characters: walk them back to the characters
        out, k = [], 0
        for word, w_start, w_end, probability in words:
            n = len(word.replace(" ", ""))
            if n == 0 or k + n > len(chars):
                continue
            out.append(ForcedWord(chars[k][0], chars[k + n - 1][0] + 1, start + float(w_start), start + float(w_end),
                                  float(probability)))
            k += n
        return out if k == len(chars) else []


class _CT2Aligner(_Aligner):
    """faster-whisper's model: CTranslate2 `Whisper.align` over the encoder output of the window."""

    def __init__(self, model: str, settings: DecodingSettings, language: str):
        from faster_whisper.tokenizer import Tokenizer

        self.whisper = load_model("faster-whisper", model, settings.compute_type)
        super().__init__(Tokenizer(self.whisper.hf_tokenizer, True, task="transcribe", language=language))

    def run(self, piece: np.ndarray, tokens: list[int]) -> list[tuple[str, float, float, float]]:
        from faster_whisper.audio import pad_or_trim

        features = self.whisper.feature_extractor(piece)
        frames = min(features.shape[-1], self.whisper.feature_extractor.nb_max_frames)
        encoded = self.whisper.encode(pad_or_trim(features[:, :frames]))
        found = self.whisper.find_alignment(self.tokenizer, [tokens], encoded, frames)[0]
        return [(w["word"], w["start"], w["end"], w["probability"]) for w in found]


class _OpenAIAligner(_Aligner):
    """openai-whisper's model: `whisper.timing.find_alignment` over the window's log-Mel spectrogram."""

    def __init__(self, model: str, settings: DecodingSettings, language: str):
        from whisper.tokenizer import get_tokenizer

        self.whisper = load_model("openai-whisper", model)
        super().__init__(get_tokenizer(self.whisper.is_multilingual, num_languages=self.whisper.num_languages,
                                       language=language, task="transcribe"))

    def run(self, piece: np.ndarray, tokens: list[int]) -> list[tuple[str, float, float, float]]:
        import torch
        from whisper.audio import N_FRAMES, log_mel_spectrogram, pad_or_trim
        from whisper.timing import find_alignment

        mel = log_mel_spectrogram(torch.from_numpy(piece), self.whisper.dims.n_mels)
        frames = min(mel.shape[-1], N_FRAMES)
        found = find_alignment(self.whisper, self.tokenizer, tokens, pad_or_trim(mel, N_FRAMES), frames)
        return [(w.word, w.start, w.end, w.probability) for w in found]


_ALIGNERS = {"faster-whisper": _CT2Aligner, "openai-whisper": _OpenAIAligner}
