"""Benchmark: openai-whisper vs faster-whisper on the seed recording, whole process, side by side in one
run. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_engines.py [AUDIO OFFICIAL TRUTH]

Each engine runs `podium eval` in its own process with an empty transcript cache (converted weights are
kept), so the time is the whole job: start-up, model load, decode, transcription, alignment, writing.
Both use the same model (base) and decoding settings (greedy, temperature 0); faster-whisper adds VAD.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"


def run(engine: str, audio: Path, official: Path, truth: Path) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        models = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"
        (Path(cache) / "models").symlink_to(models, target_is_directory=True)
        env = {**os.environ, "PODIUM_CACHE_DIR": cache}
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen([sys.executable, "-m", "podium.cli", "eval", str(audio), str(official), str(truth),
                                     "--json", "--engine", engine], stdout=out, stderr=subprocess.DEVNULL, env=env)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak memory
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode:
                raise SystemExit(f"{engine}: podium eval failed ({proc.returncode})")
            out.seek(0)
            report = json.loads(out.read())
    return {"engine": engine, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "report": report}


def main() -> None:
    args = [Path(a) for a in sys.argv[1:4]] or [SEED / "seed_plain.mp3", SEED / "official.txt",
                                                 SEED / "seed_plain_truth.json"]
    results = [run(engine, *args) for engine in ("openai-whisper", "faster-whisper")]
    duration = results[0]["report"]["timing"]["audio_seconds"]
    print(f"{args[0].name}: {duration:.1f} s of audio, base model, greedy, temperature 0, 2 CPU cores")
    print(f"{'engine':<16}{'wall s':>8}{'x real time':>13}{'CPU s':>8}{'peak RSS MB':>13}"
          f"{'start med/p95/max':>22}{'end med/p95':>14}")
    for r in results:
        s, e = r["report"]["sentence_start"], r["report"]["sentence_end"]
        print(f"{r['engine']:<16}{r['wall']:>8.1f}{duration / r['wall']:>13.1f}{r['cpu']:>8.0f}{r['peak_mb']:>13.0f}"
              f"{s['median']:>8.3f}/{s['p95']:.3f}/{s['max']:.3f}{e['median']:>8.3f}/{e['p95']:.3f}")
    print(f"speed-up of faster-whisper, whole process: {results[0]['wall'] / results[1]['wall']:.2f}x")


if __name__ == "__main__":
    main()
