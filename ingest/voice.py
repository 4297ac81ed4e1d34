"""Where people speak in a recording, as a voice-activity model hears it.

A level threshold counts room noise, a breath or a click as speech; Silero VAD (shipped with faster-whisper,
run on onnxruntime) was trained to tell voice from them. Its onsets and offsets are where the aligner puts
sentence edges when the levels disagree (`podium.alignment.pauses.snap_to_voice`).
"""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE, to_float
from .transcribe import chunk_bounds

MIN_SILENCE_MS = 100  # a pause this long ends a stretch of speech: shorter ones are inside words
BLOCK_SECONDS = 600  # the model reads float copies of the samples: ten minutes at a time keeps hours bounded


def speech_spans(samples: np.ndarray, pauses: np.ndarray | None = None) -> np.ndarray:
    """(n × 2) [start, end) seconds of speech in 16 kHz mono int16 samples, unpadded. Long recordings are
    read in blocks of about ten minutes cut in the middle of `pauses` (as `pauses.find_pauses` gives them),
    so that no stretch of speech is cut in two."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=0)
    spans = []
    for lo, hi in chunk_bounds(len(samples), np.zeros((0, 2)) if pauses is None else pauses, BLOCK_SECONDS):
        spans += [[(lo + found["start"]) / SAMPLE_RATE, (lo + found["end"]) / SAMPLE_RATE]
                  for found in get_speech_timestamps(to_float(samples[lo:hi]), options, sampling_rate=SAMPLE_RATE)]
    return np.array(spans, dtype=float).reshape(-1, 2)
