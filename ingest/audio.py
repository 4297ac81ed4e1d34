"""Audio in and out: decode any format ffmpeg reads, hash it, write MP3s.

ffmpeg comes from the PATH (Debian's package) or, on a machine without it,
from the imageio-ffmpeg wheel, so no root is needed. Decoding asks ffmpeg for
raw 16 kHz mono samples directly: pydub's own `from_file` needs ffprobe (the
wheel has none) and holds the whole file as bytes and as a segment. pydub
drives ffmpeg for the MP3s.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from .paths import cache_dir

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


def _ffmpeg_command(source: Path, *output: str) -> list[str]:
    """ffmpeg reading `source` as 16 kHz mono into `output`."""
    return [ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-i", str(source), "-vn",
            "-ac", "1", "-ar", str(SAMPLE_RATE), *output]


def _audio_error(source: Path, problem: str, stderr: bytes) -> AudioError:
    last = (stderr.decode(errors="replace").strip().splitlines() or ["ffmpeg failed"])[-1]
    return AudioError(f"{source}: {problem} ({last})")


def _ffmpeg(source: Path, problem: str, *output: str) -> None:
    """Run ffmpeg on `source` into `output`; its last error line goes into the AudioError."""
    proc = subprocess.run(_ffmpeg_command(source, *output), capture_output=True)
    if proc.returncode != 0:
        raise _audio_error(source, problem, proc.stderr)


def decode(path: str | Path) -> np.ndarray:
    """Decode to 16 kHz mono 16-bit samples (int16: 115 MB per hour).

    ffmpeg writes the raw samples to a scratch file in the cache directory, which is mapped into memory
    and unlinked at once: the samples are file-backed pages the system can drop and read again, so even
    a recording of many hours never has to fit in memory, and nothing is left behind.

    :raises AudioError: missing, undecodable, empty or silent audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the audio file is empty")
    scratch_dir = cache_dir() / "decoded"
    scratch_dir.mkdir(exist_ok=True)
    for stale in scratch_dir.glob("*.s16le"):  # left by a process killed while decoding
        if time.time() - stale.stat().st_mtime > 6 * 3600:
            stale.unlink(missing_ok=True)
    fd, scratch = tempfile.mkstemp(suffix=".s16le", dir=scratch_dir)
    os.close(fd)
    try:
        _ffmpeg(path, "cannot decode audio", "-c:a", "pcm_s16le", "-f", "s16le", scratch)
        size = os.path.getsize(scratch)
        if size == 0:
            raise AudioError(f"{path}: cannot decode audio (no audio stream)")
        samples = np.memmap(scratch, dtype=np.int16, mode="r", shape=(size // 2,))
    finally:
        os.unlink(scratch)  # the mapping keeps the data until it is dropped
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


class WebCopy:
    """The recording as a constant-bitrate mono MP3 that browsers seek in, encoded by ffmpeg straight from
    the source file (nothing of it passes through memory here), in a process of its own: it runs while
    Whisper transcribes."""

    def __init__(self, source: Path, target: Path):
        self.source, self.target = source, target
        self._new_folder = not target.parent.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        command = _ffmpeg_command(source, "-c:a", "libmp3lame", "-b:a", WEB_BITRATE, "-f", "mp3", str(target))
        self._proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self) -> None:
        """Wait for the copy. :raises AudioError: ffmpeg failed."""
        _, stderr = self._proc.communicate()
        if self._proc.returncode != 0:
            raise _audio_error(self.source, "cannot write the web copy", stderr)

    def abandon(self) -> None:
        """Stop the copy and remove what it wrote."""
        self._proc.kill()
        self._proc.communicate()
        self.target.unlink(missing_ok=True)
        if self._new_folder and not any(self.target.parent.iterdir()):
            self.target.parent.rmdir()


def write_web_copy(source: Path, target: Path) -> None:
    WebCopy(source, target).finish()


def export_mp3(samples: np.ndarray, target: Path) -> None:
    """16 kHz mono samples as a constant-bitrate MP3 (pydub drives ffmpeg): exported clips."""
    AudioSegment.converter = ffmpeg_binary()
    target.parent.mkdir(parents=True, exist_ok=True)
    segment = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)
    segment.export(str(target), format="mp3", bitrate=WEB_BITRATE)
