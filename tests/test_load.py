"""A bounded load test on loopback: 50 concurrent clients against a real `podium serve`, zero errors."""

import asyncio
import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def test_fifty_clients_no_errors(tmp_path, fixtures):
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)

    ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", tmp_path / "archive.db",
           meeting_id="aishell", progress=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "ingest", "serve", "--db", "archive.db", "--port", str(port),
                               "--immutable"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        report = asyncio.run(load_test.run_load(f"http://127.0.0.1:{port}", "aishell", clients=50, seconds=10))
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert report["errors"] == 0
    assert report["requests"] > 200
    assert set(report["by_kind"]) == {"search 3 chars", "search 2 chars", "meeting page", "audio range"}
