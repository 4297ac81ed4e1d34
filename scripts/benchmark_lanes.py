"""Benchmark: where faster-whisper's time goes on CPU, and what the lanes and huge pages change. Prints a
table; not a test.

    .venv/bin/python scripts/benchmark_lanes.py [--recording PATH] [--seconds N] [--smoke]

Each row transcribes the same samples with faster-whisper's batched pipeline (the default settings:
batches of 8 per lane, VAD, word timestamps; no recovery pass, no alignment), in a process of its own:
- one lane: one batch on all cores (CTranslate2's intra-op threads), as before lanes;
- lanes: each batch cut into one part per core, each decoded on one core at the same time (Podium's way);
each with glibc's malloc on 4 KB pages (glibc's default) or on transparent huge pages
(GLIBC_TUNABLES=glibc.malloc.hugetlb=1, what `podium` sets: see __main__.py), to see what the page faults
of the encoder's large buffers cost.
The encode / generate / align columns sum the time spent in those CTranslate2 calls over all lanes
(thread-seconds): with 2 lanes they add up to about twice the wall time.
`--smoke`: the seed speech's first two paragraphs (7.4 s), the two rows on huge pages.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark_common import SEED, SMOKE_HELP, cpu_model, seed_excerpt

ROOT = Path(__file__).resolve().parent.parent
ROWS = [("one lane, 4 KB pages", 1, False), ("one lane, huge pages", 1, True),
        ("lanes, 4 KB pages", 0, False), ("lanes, huge pages (Podium)", 0, True)]


def transcribe_once(recording: Path, seconds: float | None, lanes: int) -> dict:
    """In this process: decode, then transcribe with the batched pipeline, timing each CTranslate2 call."""
    from faster_whisper import WhisperModel

    from podium.ingest.audio import decode, to_float
    from podium.ingest.engines import lanes_pipeline, faster_whisper_options, settings_for
    from podium.ingest.weights import packaged_ct2_model

    samples = to_float(decode(recording))
    samples = samples[: int(seconds * 16000)] if seconds else samples
    settings = settings_for("faster-whisper", "zh")
    lanes = lanes or len(os.sched_getaffinity(0))
    threads = dict(cpu_threads=1, num_workers=lanes) if lanes > 1 else {}
    whisper = WhisperModel(str(packaged_ct2_model("base") or "base"), device="cpu",
                           compute_type=settings.compute_type, **threads)
    spent = {"encode": 0.0, "generate": 0.0, "align": 0.0}

    class Timed:  # CTranslate2's model with each call timed (a lane's calls run in its own thread)
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            call = getattr(self.inner, name)
            if name not in spent:
                return call

            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return call(*args, **kwargs)
                finally:
                    spent[name] += time.perf_counter() - started
            return timed

    whisper.model = Timed(whisper.model)
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    pieces, _ = lanes_pipeline(whisper, lanes).transcribe(samples, batch_size=settings.batch_size * lanes,
                                                           **faster_whisper_options(settings))
    text = "".join(s.text for s in pieces)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall": time.perf_counter() - started, "user": after.ru_utime - before.ru_utime,
            "sys": after.ru_stime - before.ru_stime, "faults": after.ru_minflt - before.ru_minflt,
            "chars": len(text), "text": text, **spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=Path, default=SEED / "seed_plain.mp3")
    parser.add_argument("--seconds", type=float, help="Only the first N seconds.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    parser.add_argument("--row", type=int, help=argparse.SUPPRESS)  # one row, in the child process
    args = parser.parse_args()
    if args.row is not None:
        print(json.dumps(transcribe_once(args.recording, args.seconds, ROWS[args.row][1])))
        return
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.recording = seed_excerpt(Path(scratch))[0]
        # smoke: the two huge-page rows, one lane against lanes (each row is a process loading the model)
        table(args, [1, 3] if args.smoke else range(len(ROWS)))


def table(args, rows) -> None:
    print(f"CPU: {cpu_model()}; base model, int8; {args.recording.name}"
          f"{f', first {args.seconds:.0f} s' if args.seconds else ''}; each row its own process")
    print("| configuration | wall s | CPU s (user+sys) | minor page faults | encode | generate | align | same text |")
    print("|---|---|---|---|---|---|---|---|")
    first = None
    for i in rows:
        label, _, huge = ROWS[i]
        env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
        env["GLIBC_TUNABLES"] = f"glibc.malloc.hugetlb={1 if huge else 0}"
        command = [sys.executable, __file__, "--recording", str(args.recording), "--row", str(i)]
        command += ["--seconds", str(args.seconds)] if args.seconds else []
        r = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
        first = first or r["text"]
        print(f"| {label} | {r['wall']:.1f} | {r['user'] + r['sys']:.0f} ({r['user']:.0f}+{r['sys']:.0f}) "
              f"| {r['faults'] / 1e6:.2f} M | {r['encode']:.1f} | {r['generate']:.1f} | {r['align']:.1f} "
              f"| {'yes' if r['text'] == first else 'no'} |", flush=True)


if __name__ == "__main__":
    main()
