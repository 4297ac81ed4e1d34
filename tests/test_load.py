"""A bounded load test on loopback: 50 concurrent clients against a real `podium serve`, zero errors."""

import asyncio
import importlib.util
from pathlib import Path

import pytest

from conftest import running_server

pytestmark = pytest.mark.slow  # ten seconds of load
ROOT = Path(__file__).resolve().parent.parent


def test_fifty_clients_no_errors(site_archive):
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)

    with running_server(site_archive, "--immutable") as base:
        report = asyncio.run(load_test.run_load(base, "aishell", clients=50, seconds=10))
    assert report["errors"] == 0
    assert report["requests"] > 200
    assert set(report["by_kind"]) == {"search 3 chars", "search 2 chars", "meeting page", "audio range"}
