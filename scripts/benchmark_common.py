"""What the benchmark scripts share: the machine's description, `podium eval` in a process of its own, and
what their `--smoke` modes run on (tests/test_scripts.py runs every script that way).

A smoke run is the script's own code on tiny inputs, in seconds, printing its normal table. It writes only
under the temporary directory (tempfile's: the test sets TMPDIR and the working directory to a scratch
folder of its own), and only our own recordings (the seed speech): third-party recordings are read from
../shared/fixtures, and a smoke run without them says so and exits 0.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"  # our own recordings (the seed speech)
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"  # other projects' recordings: read there, never copied
SMOKE_HELP = "A tiny run in seconds, on the seed speech's first paragraphs, writing only under the temporary directory."


def cpu_info() -> tuple[str | None, set[str]]:
    """The CPU's model name (None where /proc/cpuinfo names none) and its flags."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", info, re.M)
    return (model.group(1) if model else None), set(flags.group(1).split() if flags else [])


def cpu_model() -> str:
    """The CPU's model name and its vector extensions (what int8 and float kernels can use), and its cores."""
    model, flags = cpu_info()
    simd = sorted(f for f in flags if re.match(r"avx|sse4_2|fma|amx", f))
    return f"{model or platform.processor()} ({' '.join(simd)}), {os.cpu_count()} cores"


def cpu_and_int8() -> tuple[str, str]:
    """The CPU's model name, and the int8 instruction sets it has (AVX512-VNNI, AVX2; AMX where there is)."""
    model, flags = cpu_info()
    int8 = [f for f in ("amx_int8", "avx512_vnni", "avx_vnni", "avx2") if f in flags]
    return (model or "unknown"), (", ".join(int8) or "none of amx_int8, avx512_vnni, avx2")


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU-seconds of a process and of every live process under it (/proc/<pid>/stat); None
    when the process is gone."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()  # after the command name, which may hold spaces
        except OSError:  # it ended while we looked
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    if pid not in times:
        return None
    tree, grew = {pid}, True
    while grew:  # until no process's parent is in the tree without it
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(times.get(member, 0.0) for member in tree)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else float("nan")


def models_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"


@contextmanager
def empty_cache():
    """A transcript cache of its own, converted weights shared (as tests/conftest.py fresh_cache)."""
    with tempfile.TemporaryDirectory() as cache:
        models_dir().mkdir(parents=True, exist_ok=True)
        (Path(cache) / "models").symlink_to(models_dir(), target_is_directory=True)
        yield Path(cache)


@contextmanager
def cache_in_this_process(cache: Path):
    """PODIUM_CACHE_DIR set to `cache` in this process for the block."""
    with mock.patch.dict(os.environ, {"PODIUM_CACHE_DIR": str(cache)}):
        yield cache


def run_measured(command: list[str], env: dict | None = None) -> dict:
    """`command` in its own process: its stdout, wall time, user and system CPU-seconds and peak RSS."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak memory
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{' '.join(command)}: failed\n{err.read().decode(errors='replace')[-3000:]}")
        out.seek(0)
        stdout = out.read().decode()
    return {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "stdout": stdout}


def eval_in_own_process(audio: Path, official: Path, truth: Path, *, engine: str | None = None,
                        settings: dict | None = None) -> dict:
    """`podium eval` in its own process with an empty transcript cache (converted weights are kept): the
    whole job. Returns its report with that process's wall time, user and system CPU-seconds and peak RSS."""
    command = [sys.executable, "-m", "podium", "eval", str(audio), str(official), str(truth), "--json"]
    command += ["--engine", engine] if engine else []
    command += [f"--setting={k}={json.dumps(v)}" for k, v in (settings or {}).items()]
    with empty_cache() as cache:
        run = run_measured(command, {**os.environ, "PODIUM_CACHE_DIR": str(cache)})
    run["report"] = json.loads(run.pop("stdout"))
    return run


def seed_excerpt(folder: Path, recording: str = "seed_plain", paragraphs: int = 2) -> tuple[Path, Path, Path]:
    """The first `paragraphs` paragraphs of a seed recording, for smoke runs: the audio cut in the pause after
    the last of them (16 kHz mono WAV), the official text's lines up to it, and the truth of those paragraphs
    (the times are unchanged: the excerpt starts where the recording does). Written into `folder`; returns
    (audio, official, truth). Two paragraphs of seed_plain are its title and 同志们 (7.4 s of audio), three
    add the first paragraph of the speech (24.5 s)."""
    from podium.ingest.audio import ffmpeg_binary

    truth = json.loads((SEED / f"{recording}_truth.json").read_text(encoding="utf-8"))
    last, following = truth["paragraphs"][paragraphs - 1], truth["paragraphs"][paragraphs]
    cut = round((last["end"] + following["start"]) / 2, 3)
    audio = folder / f"{recording}_{paragraphs}p.wav"
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", "-i", str(SEED / f"{recording}.mp3"), "-t", str(cut),
                    "-ac", "1", "-ar", "16000", str(audio)], check=True)
    lines, seen = [], 0
    for line in (SEED / "official.txt").read_text(encoding="utf-8").splitlines():
        if seen == paragraphs:
            break
        lines.append(line)
        seen += bool(line.strip())
    official = folder / f"{recording}_{paragraphs}p.txt"
    official.write_text("\n".join(lines) + "\n", encoding="utf-8")
    within = {"paragraphs": [p for p in truth["paragraphs"] if p["index"] < paragraphs],
              "sentences": [t for t in truth["sentences"] if t["paragraph"] < paragraphs],
              **{k: [a for a in truth.get(k, []) if a["end"] <= cut] for k in ("adlibs", "host")},
              "duration": cut}
    truth_path = folder / f"{recording}_{paragraphs}p_truth.json"
    truth_path.write_text(json.dumps(within, ensure_ascii=False), encoding="utf-8")
    return audio, official, truth_path


def skip(reason: str) -> NoReturn:
    """End a smoke run that cannot run here, saying why (exit status 0)."""
    print(f"skipped: {reason}", flush=True)
    raise SystemExit(0)


@contextmanager
def serving(db_path: Path, *options: str):
    """`podium serve --db DB_PATH OPTIONS` on a free loopback port for the block; yields (process, base URL).
    Its output goes to a file in the temporary directory, shown if it exits before it listens."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "podium", "serve", "--db", str(db_path), "--port", str(port),
                                 *options], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 300  # --immutable counts every table's rows at start: a minute at a million
            while True:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    raise SystemExit(f"podium serve --db {db_path} did not start:\n"
                                     f"{log.read().decode(errors='replace')[-3000:]}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            yield proc, f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=30)
