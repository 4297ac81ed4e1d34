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
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name and its vector extensions (what int8 and float kernels can use), and its cores."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", info, re.M)
    simd = sorted(f for f in (flags.group(1).split() if flags else []) if re.match(r"avx|sse4_2|fma|amx", f))
    return f"{model.group(1) if model else platform.processor()} ({' '.join(simd)}), {os.cpu_count()} cores"


def eval_in_own_process(audio: Path, official: Path, truth: Path, *, engine: str | None = None,
                        settings: dict | None = None) -> dict:
    """`podium eval` in its own process with an empty transcript cache (converted weights are kept): the
    whole job. Returns its report with that process's wall time, user and system CPU-seconds and peak RSS."""
    with tempfile.TemporaryDirectory() as cache:
        models = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"
        (Path(cache) / "models").symlink_to(models, target_is_directory=True)
        command = [sys.executable, "-m", "podium", "eval", str(audio), str(official), str(truth), "--json"]
        command += ["--engine", engine] if engine else []
        command += [f"--setting={k}={json.dumps(v)}" for k, v in (settings or {}).items()]
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL,
                                    env={**os.environ, "PODIUM_CACHE_DIR": cache})
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak memory
            wall = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status):
                raise SystemExit(f"{' '.join(command)}: failed")
            out.seek(0)
            report = json.loads(out.read())
    return {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "report": report}
