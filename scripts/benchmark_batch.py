"""Benchmark: a batch of 20 recordings, one process vs a local Dask cluster of 1 and 2 workers.
Prints a table; not a test.

    .venv/bin/python scripts/benchmark_batch.py [--files 20] [--smoke]

The recordings are the AISHELL and JFK clips (other projects' recordings, read from ../shared/fixtures), each
copy padded with a different length of silence so that every file is new to the transcript cache. Every row starts from an empty cache and archive.
`--smoke`: 1 file, the seed speech's first two paragraphs (7.4 s), one process and a cluster of 1.
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

from benchmark_common import SHARED_FIXTURES, SMOKE_HELP, cpu_model, models_dir, seed_excerpt


def podium(*args, cwd, env):
    return subprocess.run([sys.executable, "-m", "podium", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    from podium.ingest.audio import SAMPLE_RATE, decode, ffmpeg_binary

    clusters = [("podium ingest (1 process)", None), ("dask local:1 + ingest", "local:1"),
                ("dask local:2 + ingest", "local:2")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.smoke:
            args.files, clusters = 1, clusters[:2]
            sources = [seed_excerpt(tmp)[:2]]
        else:
            sources = [(SHARED_FIXTURES / "zh_aishell" / "audio.wav", SHARED_FIXTURES / "zh_aishell" / "official.txt"),
                       (SHARED_FIXTURES / "en_jfk" / "jfk.flac", SHARED_FIXTURES / "en_jfk" / "official.txt")]
            missing = [str(audio) for audio, _ in sources if not audio.is_file()]
            if missing:
                raise SystemExit(f"not here: {', '.join(missing)} (other projects' recordings, read from "
                                 f"{SHARED_FIXTURES}); --smoke runs on the seed speech alone")
        lengths = [len(decode(audio)) / SAMPLE_RATE for audio, _ in sources]
        batch = tmp / "batch"
        batch.mkdir()
        seconds = 0.0
        for k in range(args.files):
            audio, text = sources[k % len(sources)]
            pad = 0.1 * (k + 1)
            subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(audio), "-af", f"apad=pad_dur={pad}",
                            str(batch / f"rec{k:02d}.wav")], check=True)
            shutil.copy(text, batch / f"rec{k:02d}.txt")
            seconds += lengths[k % len(sources)] + pad
        rows = []
        for label, cluster in clusters:
            work = tmp / label.split()[0] / (cluster or "none").replace(":", "")
            (work / "cache").mkdir(parents=True)
            (work / "cache" / "models").symlink_to(models_dir(), target_is_directory=True)
            env = {**os.environ, "PODIUM_CACHE_DIR": str(work / "cache")}
            started = time.perf_counter()
            if cluster:
                podium("transcribe", str(batch), "--dask", cluster, cwd=work, env=env)
            podium("ingest", str(batch), "--db", "archive.db", "--quiet", cwd=work, env=env)
            rows.append((label, time.perf_counter() - started))
    print(f"batch of {args.files} recording{'s' if args.files > 1 else ''}, {seconds:.0f} s of audio, default engine, base model, one run; "
          f"CPU: {cpu_model()}")
    print(f"{'how':<28}{'wall s':>8}{'x real time':>13}{'vs 1 process':>14}")
    for label, wall in rows:
        print(f"{label:<28}{wall:>8.1f}{seconds / wall:>13.1f}{rows[0][1] / wall:>13.2f}x")


if __name__ == "__main__":
    main()
