"""Audio in and out: decode any format ffmpeg reads, hash it, write MP3s.

ffmpeg comes from the PATH (Debian's package) or, on a machine without it,
from the imageio-ffmpeg wheel, so no root is needed. Decoding asks ffmpeg for
raw 16 kHz mono samples directly: pydub's own `from_file` needs ffprobe (the
wheel has none) and holds the whole file as bytes and as a segment. pydub
drives ffmpeg for the MP3s.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

with warnings.catch_warnings():  # pydub warns at import when ffmpeg is not on the PATH; we find it ourselves
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

SAMPLE_RATE = 16000  # Hz, what Whisper expects
SILENCE_DBFS = -60.0  # quieter than this throughout is a silent recording
WEB_BITRATE = "48k"  # constant-bitrate mono MP3: small, seekable in every browser


class AudioError(ValueError):
    """The audio file is missing, unreadable, empty or silent."""


@lru_cache(maxsize=1)
def ffmpeg_binary() -> str:
    """The ffmpeg executable: on the PATH, else the one shipped by imageio-ffmpeg."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: str | Path) -> np.ndarray:
    """Decode to 16 kHz mono 16-bit samples (int16: 115 MB per hour, half of float32).

    ffmpeg resamples and mixes down; its raw output is used in place, without a copy.

    :raises AudioError: missing, undecodable, empty or silent audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the audio file is empty")
    command = [ffmpeg_binary(), "-nostdin", "-v", "error", "-i", str(path), "-vn",
               "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "s16le", "-"]
    proc = subprocess.run(command, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no audio stream"])[-1]
        raise AudioError(f"{path}: cannot decode audio ({last})")
    samples = np.frombuffer(proc.stdout, dtype=np.int16)
    if len(samples) < SAMPLE_RATE // 10:
        raise AudioError(f"{path}: the recording holds no audio")
    peak = max(int(samples.max()), -int(samples.min()))  # no abs(): it would copy, and overflow at -32768
    if peak == 0 or 20 * np.log10(peak / 32768) < SILENCE_DBFS:
        raise AudioError(f"{path}: the recording is silent")
    return samples


def to_float(samples: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in [-1, 1], what Whisper takes."""
    return samples.astype(np.float32) / 32768.0


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_mp3(samples: np.ndarray, target: Path) -> None:
    """16 kHz mono samples as a constant-bitrate MP3 (pydub + ffmpeg): the web copy browsers seek in,
    and exported clips."""
    AudioSegment.converter = ffmpeg_binary()
    target.parent.mkdir(parents=True, exist_ok=True)
    segment = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)
    segment.export(str(target), format="mp3", bitrate=WEB_BITRATE)
