"""What the benchmark scripts share: the machine's description and `podium eval` in a process of its own."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name and its vector extensions (what int8 and float kernels can use), and its cores."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", info, re.M)
    simd = sorted(f for f in (flags.group(1).split() if flags else []) if re.match(r"avx|sse4_2|fma|amx", f))
    return f"{model.group(1) if model else platform.processor()} ({' '.join(simd)}), {os.cpu_count()} cores"


def models_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"


@contextmanager
def empty_cache():
    """A transcript cache of its own, converted weights shared (as tests/conftest.py fresh_cache)."""
    with tempfile.TemporaryDirectory() as cache:
        models_dir().mkdir(parents=True, exist_ok=True)
        (Path(cache) / "models").symlink_to(models_dir(), target_is_directory=True)
        yield Path(cache)


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
