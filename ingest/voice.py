"""Where people speak in a recording, as a voice-activity model hears it.

A level threshold counts room noise, a breath or a click as speech; Silero VAD (shipped with faster-whisper,
run on onnxruntime) was trained to tell voice from them. Its onsets and offsets are where the aligner puts
sentence edges when the levels disagree (`podium.alignment.pauses.snap_to_voice`).
"""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE, to_float

MIN_SILENCE_MS = 100  # a pause this long ends a stretch of speech: shorter ones are inside words


def speech_spans(samples: np.ndarray) -> np.ndarray:
    """(n × 2) [start, end) seconds of speech in 16 kHz mono int16 samples, unpadded."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if not len(samples):
        return np.zeros((0, 2))
    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=0)
    found = get_speech_timestamps(to_float(samples), options, sampling_rate=SAMPLE_RATE)
    return np.array([[s["start"], s["end"]] for s in found], dtype=float).reshape(-1, 2) / SAMPLE_RATE
