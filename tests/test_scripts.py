"""Scripts that cannot rot: every script in scripts/ runs in its smoke mode (`--smoke`: tiny inputs, seconds) in a
process of its own, as a person runs it, and prints its table. Each writes only under the temporary directory
it is given (TMPDIR) and reads other projects' recordings only from ../shared/fixtures, saying so when they are
absent. And no script or test reaches into package code by a private name."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
HELPERS = {"benchmark_common.py"}  # imported by the others, not run
# every script in scripts/ (but HELPERS), and a piece of the table its smoke run prints
SMOKES = {
    "benchmark_alignment.py": "+ edges snapped to pauses",
    "benchmark_batch.py": "dask local:1 + ingest",
    "benchmark_engines.py": "| faster-whisper (default: lanes, batched 8, recovery) |",
    "benchmark_export.py": "| term | hits (search page) | CSV rows | same |",
    "benchmark_lanes.py": "| lanes, huge pages (Podium) |",
    "benchmark_long.py": "peak RSS MB",
    "benchmark_meeting_page.py": "budget 300 ms (median wall): OK",
    "benchmark_rooms.py": "| noise 10 dB |",
    "benchmark_search.py": "/search 5 char",
    "benchmark_skips.py": "| draw | cut | room | skips found |",
    "benchmark_voices.py": "| zh_aishell (17.4 s) | Podium default |",
    "load_test.py": "audio range",
    "make_metadata.py": "metadata.json in the repository is",
}
THIRD_PARTY = {"benchmark_voices.py": "zh_aishell"}  # the recording a smoke run reads from ../shared/fixtures


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py") if p.name not in HELPERS))
def test_smoke_run(script, tmp_path):
    assert script in SMOKES, f"scripts/{script}: give it a --smoke mode and its table's header in SMOKES here"
    scratch, work = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    work.mkdir()
    done = subprocess.run([sys.executable, str(SCRIPTS / script), "--smoke"], cwd=work,
                          env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    if script in THIRD_PARTY and not (SHARED_FIXTURES / THIRD_PARTY[script]).is_dir():
        assert "skipped: " in done.stdout and str(SHARED_FIXTURES) in done.stdout
    else:
        assert SMOKES[script] in done.stdout, done.stdout[-3000:]
    assert not list(work.iterdir()), "a smoke run wrote into its working directory"


def private_imports(path: Path) -> list[str]:
    """`from podium… import _name` and `import podium._module` in a file (dunder names such as __main__ aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "podium":
            parts = node.module.split(".") + [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            parts = [p for a in node.names if a.name.split(".")[0] == "podium" for p in a.name.split(".")]
        else:
            continue
        private = [p for p in parts if p.startswith("_") and not p.endswith("__")]
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {p}" for p in private]
    return found


def test_no_script_or_test_imports_a_private_name():
    files = sorted([*SCRIPTS.glob("*.py"), *(ROOT / "tests").glob("*.py")])
    assert [f for path in files for f in private_imports(path)] == []
