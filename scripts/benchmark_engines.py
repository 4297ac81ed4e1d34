"""Benchmark: engines and decoding settings, whole process, side by side in one run. Prints a table per
recording; not a test.

    .venv/bin/python scripts/benchmark_engines.py [--recording seed_plain] [--recording seed_meeting] ... [--smoke]

Each configuration runs `podium eval` in its own process with an empty transcript cache (converted weights
are kept), so the time is the whole job: start-up, model load, decode, transcription, alignment, writing the
archive and the web copy. Beside the times, what each configuration loses: spoken sentences published as
not spoken or untimed, skipped sentences found, and the start and end errors of the sentences it timed.
`--smoke`: the seed speech's first two paragraphs, faster-whisper's configurations only (openai-whisper takes
tens of seconds even there: it decodes a whole 30 s window).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmark_common import SEED, SMOKE_HELP, cpu_model, eval_in_own_process, seed_excerpt
RECORDINGS = {
    "seed_plain": (SEED / "seed_plain.mp3", SEED / "official.txt", SEED / "seed_plain_truth.json"),
    "seed_deviating": (SEED / "seed_deviating.mp3", SEED / "official.txt", SEED / "seed_deviating_truth.json"),
    "seed_meeting": (SEED / "seed_meeting.mp3", SEED / "official.txt", SEED / "seed_meeting_truth.json"),
}
# (label, engine, decoding settings changed from that engine's defaults)
CONFIGURATIONS = [
    ("openai-whisper", "openai-whisper", {}),
    ("faster-whisper (default: lanes, batched 8, recovery)", "faster-whisper", {}),
    ("faster-whisper, no recovery", "faster-whisper", {"recover_rounds": 0}),
]
# The sequential decoder (batch_size None, the first release's way) is left out: on CPU it now runs on one
# core, since each core is a CTranslate2 worker of one thread (engines.cpu_lanes); only the recovery pass
# uses it, a window per lane. scripts/benchmark_lanes.py compares the threading side by side.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", action="append", choices=sorted(RECORDINGS),
                        help="Default: seed_plain and seed_meeting.")
    parser.add_argument("--only", action="append", help="Run only configurations whose label contains this.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    only = ["faster-whisper"] if args.smoke else args.only
    configurations = [c for c in CONFIGURATIONS if not only or any(o in c[0] for o in only)]
    print(f"CPU: {cpu_model()}; base model; each row its own process, empty transcript cache")
    with tempfile.TemporaryDirectory() as scratch:
        recordings = ({"seed_plain, first 2 paragraphs": seed_excerpt(Path(scratch))} if args.smoke else
                      {name: RECORDINGS[name] for name in args.recording or ["seed_plain", "seed_meeting"]})
        for name, recording in recordings.items():
            table(name, [(label, eval_in_own_process(*recording, engine=engine, settings=settings))
                         for label, engine, settings in configurations])


def table(name: str, results: list[tuple[str, dict]]) -> None:
    duration = results[0][1]["report"]["timing"]["audio_seconds"]
    print(f"\n{name}: {duration:.1f} s of audio")
    print("| configuration | wall s | × real time | CPU s (user+sys) | peak RSS MB | lost | skips found "
          "| start med / p95 / max | end med / p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in results:
        rep = r["report"]
        s, e, ns = rep["sentence_start"], rep["sentence_end"], rep["not_spoken"]
        lost = rep["lost"]
        print(f"| {label} | {r['wall']:.1f} | {duration / r['wall']:.1f} | {r['user'] + r['sys']:.0f} "
              f"({r['user']:.0f}+{r['sys']:.0f}) | {r['peak_mb']:.0f} | {lost['lost']} of {lost['spoken']} "
              f"| {round(ns['recall'] * ns['truth'])} of {ns['truth']} "
              f"| {s['median']:.3f} / {s['p95']:.3f} / {s['max']:.3f} | {e['median']:.3f} / {e['p95']:.3f} |")
    baseline = dict(results).get("openai-whisper")
    if baseline:
        for label, r in results[1:]:
            print(f"{label}: {baseline['wall'] / r['wall']:.2f}x openai-whisper, whole process")


if __name__ == "__main__":
    main()
