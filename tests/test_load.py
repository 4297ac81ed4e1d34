"""A bounded load test on loopback: 50 concurrent clients against a real `podium serve`, zero errors."""

import asyncio
import importlib.util
from pathlib import Path

import pytest

from conftest import running_server
from podium.ingest.pipeline import ingest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def test_fifty_clients_no_errors(tmp_path, fixtures):
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)

    ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", tmp_path / "archive.db",
           meeting_id="aishell", progress=False)
    with running_server(tmp_path / "archive.db", "--immutable") as base:
        report = asyncio.run(load_test.run_load(base, "aishell", clients=50, seconds=10))
    assert report["errors"] == 0
    assert report["requests"] > 200
    assert set(report["by_kind"]) == {"search 3 chars", "search 2 chars", "meeting page", "audio range"}
