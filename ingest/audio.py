"""Audio in and out: decode any format ffmpeg reads, hash it, write the web copy.

pydub drives ffmpeg. ffmpeg comes from the PATH (Debian's package) or, on a
machine without it, from the imageio-ffmpeg wheel, so no root is needed.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import warnings

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


def _segment_from_ffmpeg(path: Path) -> AudioSegment:
    # pydub's own from_file() needs ffprobe, which the imageio-ffmpeg wheel lacks;
    # letting ffmpeg write 16 kHz mono WAV and pydub parse it works with either ffmpeg.
    command = [ffmpeg_binary(), "-nostdin", "-v", "error", "-i", str(path), "-vn",
               "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", "-"]
    proc = subprocess.run(command, capture_output=True)
    if proc.returncode != 0 or len(proc.stdout) <= 44:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no audio stream"])[-1]
        raise AudioError(f"{path}: cannot decode audio ({last})")
    return AudioSegment.from_file(io.BytesIO(proc.stdout), format="wav")


def decode(path: str | Path) -> tuple[np.ndarray, AudioSegment]:
    """Decode to 16 kHz mono: float32 samples in [-1, 1] and the pydub segment.

    :raises AudioError: missing, undecodable, empty or silent audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the audio file is empty")
    segment = _segment_from_ffmpeg(path)
    if len(segment) < 100:  # ms
        raise AudioError(f"{path}: the recording holds no audio")
    if segment.max_dBFS < SILENCE_DBFS:
        raise AudioError(f"{path}: the recording is silent")
    samples = np.array(segment.get_array_of_samples(), dtype=np.float32) / 32768.0
    return samples, segment


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_mp3(segment: AudioSegment, target: Path) -> None:
    """A constant-bitrate mono MP3: the web copy browsers seek in, and exported clips."""
    AudioSegment.converter = ffmpeg_binary()
    target.parent.mkdir(parents=True, exist_ok=True)
    segment.export(str(target), format="mp3", bitrate=WEB_BITRATE, parameters=["-ac", "1"])
