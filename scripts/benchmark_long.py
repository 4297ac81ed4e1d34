"""Benchmark: ingest of a 3-hour recording end to end, peak memory included. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_long.py [--copies 16] [--engine faster-whisper] [--smoke]

Builds the recording by joining copies of the seed meeting (683.6 s each) into one 44.1 kHz stereo
16-bit WAV (about 2 GB for 3 hours, the worst case an archivist hands over), and its official text by
joining copies of the seed text; then runs `podium ingest` in its own process with an empty transcript
cache and reports wall time and that process's peak RSS. `--smoke`: 2 copies of the seed speech's first two
paragraphs (15 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark_common import SEED, SMOKE_HELP, empty_cache, seed_excerpt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=16)
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()

    from podium.ingest.audio import SAMPLE_RATE, decode, ffmpeg_binary

    with tempfile.TemporaryDirectory() as tmp, empty_cache() as cache:
        tmp = Path(tmp)
        if args.smoke:
            args.copies = 2
            source, official = seed_excerpt(tmp)[:2]
        else:
            source, official = SEED / "seed_meeting.mp3", SEED / "official.txt"
        (tmp / "list.txt").write_text("".join(f"file '{source}'\n" for _ in range(args.copies)))
        wav = tmp / "long meeting 长会议.wav"
        subprocess.run([ffmpeg_binary(), "-v", "error", "-f", "concat", "-safe", "0", "-i", str(tmp / "list.txt"),
                        "-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", str(wav)], check=True)
        text = official.read_text(encoding="utf-8").strip()
        (tmp / "official.txt").write_text("\n".join([text] * args.copies) + "\n", encoding="utf-8")
        duration = len(decode(source)) / SAMPLE_RATE * args.copies
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "podium", "ingest", str(wav), "--text", str(tmp / "official.txt"),
                                 "--db", str(tmp / "archive.db"), "--id", "long", "--engine", args.engine, "--quiet"],
                                env={**os.environ, "PODIUM_CACHE_DIR": str(cache)}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out = proc.stdout.read() + proc.stderr.read()
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"ingest failed: {out}")
        print(f"{wav.name}: {duration / 3600:.2f} h ({duration:.0f} s), {wav.stat().st_size / 1e6:,.0f} MB WAV "
              f"(44.1 kHz stereo), {args.engine}, one run")
        print(f"{'wall s':>8}{'x real time':>13}{'CPU s':>8}{'peak RSS MB':>13}")
        print(f"{wall:>8.0f}{duration / wall:>13.1f}{usage.ru_utime + usage.ru_stime:>8.0f}{usage.ru_maxrss / 1024:>13.0f}")
        print(out.strip())


if __name__ == "__main__":
    main()
