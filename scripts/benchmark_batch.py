"""Benchmark: a batch of 20 recordings, one process vs a local Dask cluster of 1 and 2 workers.
Prints a table; not a test.

    .venv/bin/python scripts/benchmark_batch.py [--files 20]

The recordings are the AISHELL and JFK fixtures, each copy padded with a different length of silence so
that every file is new to the transcript cache. Every row starts from an empty cache and archive.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def podium(*args, cwd, env):
    return subprocess.run([sys.executable, "-m", "podium", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    from podium.ingest.audio import ffmpeg_binary

    sources = [(FIXTURES / "zh_aishell" / "audio.wav", FIXTURES / "zh_aishell" / "official.txt"),
               (FIXTURES / "en_jfk" / "jfk.flac", FIXTURES / "en_jfk" / "official.txt")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        batch = tmp / "batch"
        batch.mkdir()
        seconds = 0.0
        for k in range(args.files):
            audio, text = sources[k % 2]
            pad = 0.1 * (k + 1)
            subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(audio), "-af", f"apad=pad_dur={pad}",
                            str(batch / f"rec{k:02d}.wav")], check=True)
            shutil.copy(text, batch / f"rec{k:02d}.txt")
            seconds += (17.4 if k % 2 == 0 else 11.0) + pad
        models = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"
        rows = []
        for label, cluster in (("podium ingest (1 process)", None), ("dask local:1 + ingest", "local:1"),
                               ("dask local:2 + ingest", "local:2")):
            work = tmp / label.split()[0] / (cluster or "none").replace(":", "")
            (work / "cache").mkdir(parents=True)
            (work / "cache" / "models").symlink_to(models, target_is_directory=True)
            env = {**os.environ, "PODIUM_CACHE_DIR": str(work / "cache")}
            started = time.perf_counter()
            if cluster:
                podium("transcribe", str(batch), "--dask", cluster, cwd=work, env=env)
            podium("ingest", str(batch), "--db", "archive.db", "--quiet", cwd=work, env=env)
            rows.append((label, time.perf_counter() - started))
    print(f"batch of {args.files} recordings, {seconds:.0f} s of audio, faster-whisper base, 2 CPU cores, one run")
    print(f"{'how':<28}{'wall s':>8}{'x real time':>13}{'vs 1 process':>14}")
    for label, wall in rows:
        print(f"{label:<28}{wall:>8.1f}{seconds / wall:>13.1f}{rows[0][1] / wall:>13.2f}x")


if __name__ == "__main__":
    main()
