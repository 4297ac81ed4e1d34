"""A bounded load test on loopback: 50 concurrent clients against a real `podium serve`, zero errors.

A fixed number of requests, not a time: the test counts errors, never speed, so a slow machine passes it as a
fast one does, only later."""

import asyncio
import importlib.util
import sqlite3
from pathlib import Path

import pytest

from conftest import running_server

pytestmark = pytest.mark.slow  # a server in another process and a few hundred requests
ROOT = Path(__file__).resolve().parent.parent
KINDS = {"search 3 chars", "search 2 chars", "meeting page", "audio range"}


def test_fifty_clients_no_errors(site_archive):
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)

    with sqlite3.connect(site_archive) as db:  # the meeting with the most sentences
        (meeting_id,) = db.execute("select meeting_id from sentences group by meeting_id order by count(*) desc, "
                                   "meeting_id limit 1").fetchone()
    with running_server(site_archive, "--immutable") as base:
        report = asyncio.run(load_test.run_load(base, meeting_id, clients=50, requests=400))
    assert report["errors"] == 0, report["failures"]
    assert report["requests"] == 400
    assert {kind: r["n"] for kind, r in report["by_kind"].items()} == {kind: 100 for kind in KINDS}
