"""Benchmark: sentences the speaker skipped, in rooms the suite has not seen. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_skips.py [--recording zh_voices|seed_plain] [--draws 3] [--skips 2]

A recording whose every sentence was said, with `--skips` sentences cut out of its audio (the sentence
and the pause after it, drawn at random, seeded by the draw), is a speech whose speaker skipped them:
the truth marks them not spoken and shifts every later time. Each draw goes through the clean room and
the applause room of `benchmark_rooms.py`, each ingested by `podium eval` in its own process with an
empty cache. A skip found is a cut sentence published `not_spoken`; a cut sentence published as said
is the error this measures. zh_voices (real voices, ../shared/fixtures) cuts whole clips.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

import numpy as np
from benchmark_common import SEED, SHARED_FIXTURES, SMOKE_HELP, cpu_model, eval_in_own_process, seed_excerpt, skip
from benchmark_rooms import RATE, versions, write_wav

from podium.alignment.evaluate import from_clips


def units(truth: dict) -> list[dict]:
    """What can be cut, in time order: {start, end, sentences: [(paragraph, sentence)]}. A zh_voices clip is
    one unit (its sentences go together); a seed sentence is one unit (the title, paragraph 0, is kept)."""
    if "clips" in truth:
        return [{"start": c["start"], "end": c["end"],
                 "sentences": [(c["paragraph"], c["sentence"] + k) for k in range(c.get("sentence_count", 1))]}
                for c in truth["clips"]]
    said = sorted((t for t in truth["sentences"] if t.get("start") is not None and t["paragraph"] > 0),
                  key=lambda t: t["start"])
    return [{"start": t["start"], "end": t["end"], "sentences": [(t["paragraph"], t["sentence"])]} for t in said]


def cut(samples: np.ndarray, truth: dict, chosen: list[dict]) -> tuple[np.ndarray, dict]:
    """The audio without the chosen units (each from its start to the next unit's start), and its truth."""
    every = units(truth)
    spans = []
    for unit in chosen:
        following = [u["start"] for u in every if u["start"] > unit["start"]]
        spans.append((unit["start"], following[0] if following else len(samples) / RATE))

    def shifted(t: float | None) -> float | None:
        return None if t is None else t - sum(b - a for a, b in spans if b <= t + 1e-9)

    keep = np.ones(len(samples), dtype=bool)
    for a, b in spans:
        keep[int(a * RATE):int(b * RATE)] = False
    gone = {key for unit in chosen for key in unit["sentences"]}
    sentences = from_clips(truth)["sentences"] if "clips" in truth else truth["sentences"]
    out = []
    for t in sentences:
        if (t["paragraph"], t["sentence"]) in gone:
            out.append({**t, "status": "not_spoken", "said": False, "start": None, "end": None})
        else:
            out.append({**t, "start": shifted(t.get("start")), "end": shifted(t.get("end"))})
    return samples[keep], {"sentences": out}


def main() -> None:
    from podium.ingest.audio import decode

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", default="zh_voices", choices=["zh_voices", "seed_plain"])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--skips", type=int, default=2, help="Sentences (zh_voices: clips) cut per draw.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if args.smoke:  # three paragraphs of the seed speech, one sentence cut, the clean room
            audio, official, truth_path = seed_excerpt(work, "seed_plain", paragraphs=3)
            args.draws, args.skips, rooms = 1, 1, ["clean"]
        elif args.recording == "zh_voices":
            folder = SHARED_FIXTURES / "zh_voices"
            if not folder.is_dir():
                skip(f"{folder} is not here (zh_voices is read from ../shared/fixtures)")
            audio, official, truth_path = folder / "meeting.flac", folder / "official.txt", folder / "truth.json"
            rooms = ["clean", "applause 0 dB"]
        else:
            audio, official, truth_path = SEED / "seed_plain.mp3", SEED / "official.txt", SEED / "seed_plain_truth.json"
            rooms = ["clean", "applause 0 dB"]
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        samples = decode(audio).astype(np.float64) / 32768
        print(f"{args.recording if not args.smoke else 'seed_plain (3 paragraphs)'}, {args.skips} cut per draw, "
              f"default engine, each row its own process, empty cache; CPU: {cpu_model()}")
        print("| draw | cut | room | skips found | published as said | lost | start med / p95 / max | "
              "off-script rows, s | wall s | CPU s |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for draw in range(args.draws):
            chosen = sorted(random.Random(draw).sample(units(truth), args.skips), key=lambda u: u["start"])
            speech, cut_truth = cut(samples, truth, chosen)
            (work / "truth.json").write_text(json.dumps(cut_truth, ensure_ascii=False), encoding="utf-8")
            names = ", ".join(f"p{p}s{s}" for u in chosen for p, s in u["sentences"])
            for room, x in versions(speech, np.random.default_rng(draw)).items():
                if room not in rooms:
                    continue
                write_wav(work / "room.wav", x)
                run = eval_in_own_process(work / "room.wav", official, work / "truth.json")
                r, wall, cpu = run["report"], run["wall"], run["user"] + run["sys"]
                ns, lost, s, u = r["not_spoken"], r["lost"], r["sentence_start"], r["unscripted"]
                said = [k for k, v in r["deviating_sentences"].items() if v["ours"] != "not_spoken"]
                start = f"{s['median']:.3f} / {s['p95']:.3f} / {s['max']:.3f}" if s["n"] else "–"
                print(f"| {draw} | {names} | {room} | {round(ns['recall'] * ns['truth'])} of {ns['truth']} "
                      f"| {', '.join(said) or 'none'} | {lost['lost']} of {lost['spoken']} | {start} "
                      f"| {u['rows']}, {u['seconds']} | {wall:.0f} | {cpu:.0f} |", flush=True)


if __name__ == "__main__":
    main()
