"""Benchmark: the same speech through harder rooms, what the default engine loses. Prints a table; not a test.

    .venv/bin/python scripts/benchmark_rooms.py [--recording seed_deviating] [--seed 0] [--smoke]

Each version keeps the timing truth (the direct path stays at t = 0): steady pink noise at 10 dB SNR;
a hall (an exponentially decaying noise impulse response, RT60 0.9 s) plus noise at 15 dB; a public-address
band (300-3400 Hz) with soft clipping; applause (3 s bursts of sparse clicks, 0 dB, every 40 s) over speech.
Each is ingested by `podium eval` in its own process with an empty transcript cache. `--smoke`: the seed
speech's first two paragraphs (7.4 s), every version made but only the clean one and the noisy one ingested.
"""

from __future__ import annotations

import argparse
import tempfile
import wave
from pathlib import Path

import numpy as np
from benchmark_common import SEED, SMOKE_HELP, cpu_model, eval_in_own_process, seed_excerpt

RATE = 16000


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)) + 1e-12)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))  # 1/f power
    return np.fft.irfft(spectrum, n)


def at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    return noise * rms(speech) / rms(noise) / 10 ** (snr_db / 20)


def convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:len(x)]


def band(x: np.ndarray, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x))


def versions(speech: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    hall_ir = rng.standard_normal(int(0.9 * RATE)) * np.exp(-6.91 * np.arange(int(0.9 * RATE)) / (0.9 * RATE))
    hall_ir[0] = 1.0 / 0.05  # the direct path dominates and stays at t = 0
    hall = convolve(speech, hall_ir * 0.05)
    clicks = np.zeros(len(speech))
    for start in range(min(10 * RATE, len(speech) // 4), len(speech) - 3 * RATE, 40 * RATE):  # 10 s in, if long enough
        at = start + rng.integers(0, 3 * RATE, 3000)
        clicks[at] = rng.standard_normal(3000)
    applause = band(convolve(clicks, np.exp(-np.arange(80) / 10.0)), 500, 6000)
    busy = np.abs(applause) > 0
    return {
        "clean": speech,
        "noise 10 dB": speech + at_snr(speech, pink(len(speech), rng), 10),
        "hall RT60 0.9 s + noise 15 dB": hall + at_snr(hall, pink(len(speech), rng), 15),
        "PA band + soft clipping": np.tanh(3 * band(speech, 300, 3400) / (4 * rms(speech))) * 4 * rms(speech) / 3,
        "applause 0 dB": speech + applause * rms(speech[busy]) / rms(applause[busy]),
    }


def write_wav(path: Path, x: np.ndarray) -> None:
    x = x / max(1.0, float(np.max(np.abs(x))) / 0.99)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((x * 32767).astype("<i2").tobytes())


def main() -> None:
    from podium.ingest.audio import decode

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", default="seed_deviating", choices=["seed_plain", "seed_deviating"])
    parser.add_argument("--seed", type=int, default=0, help="The draw of the noise.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if args.smoke:
            name = "seed_plain, first 2 paragraphs"
            audio, official, truth = seed_excerpt(Path(work))
        else:
            name = args.recording
            audio, official, truth = (SEED / f"{args.recording}.mp3", SEED / "official.txt",
                                      SEED / f"{args.recording}_truth.json")
        speech = decode(audio).astype(np.float64) / 32768
        print(f"{name}, noise draw {args.seed}, default engine, each row its own process, empty cache; "
              f"CPU: {cpu_model()}")
        print("| version | lost | skips found | start med / p95 / max | end med / p95 | off-script precision "
              "| wall s | CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        for version, x in versions(speech, np.random.default_rng(args.seed)).items():
            if args.smoke and version not in ("clean", "noise 10 dB"):
                continue
            path = Path(work) / "room.wav"
            write_wav(path, x)
            run = eval_in_own_process(path, official, truth)
            report, wall, cpu = run["report"], run["wall"], run["user"] + run["sys"]
            s, e, ns, lost = report["sentence_start"], report["sentence_end"], report["not_spoken"], report["lost"]
            u = report["unscripted"]  # the share of unscripted time that is truly off-script (host, ad-libs, stumbles)
            precision = "–" if u["share_in_offscript"] is None else f"{u['share_in_offscript']:.0%} of {u['seconds']} s"
            print(f"| {version} | {lost['lost']} of {lost['spoken']} | {round(ns['recall'] * ns['truth'])} of {ns['truth']} "
                  f"| {s['median']:.3f} / {s['p95']:.3f} / {s['max']:.3f} | {e['median']:.3f} / {e['p95']:.3f} "
                  f"| {precision} | {wall:.0f} | {cpu:.0f} |", flush=True)


if __name__ == "__main__":
    main()
