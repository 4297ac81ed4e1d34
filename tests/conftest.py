import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"  # copied from ../shared/fixtures: a clone tests itself


@contextmanager
def fresh_cache(directory: Path):
    """PODIUM_CACHE_DIR pointed at an empty transcript cache in `directory` for the duration.

    Converted model weights are shared with the user's cache: converting is not what is tested
    here (tests/test_weights.py converts into a directory of its own).
    """
    models = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium" / "models"
    models.mkdir(parents=True, exist_ok=True)
    (directory / "models").symlink_to(models, target_is_directory=True)
    old = os.environ.get("PODIUM_CACHE_DIR")
    os.environ["PODIUM_CACHE_DIR"] = str(directory)
    try:
        yield directory
    finally:
        if old is None:
            os.environ.pop("PODIUM_CACHE_DIR", None)
        else:
            os.environ["PODIUM_CACHE_DIR"] = old


@pytest.fixture(scope="session", autouse=True)
def podium_cache(tmp_path_factory):
    """A fresh transcript cache for the test session, so every test run transcribes for real."""
    with fresh_cache(tmp_path_factory.mktemp("podium-cache")) as cache:
        yield cache


def podium(*args, cwd):
    """Run the `podium` command line in a new process, as a user would."""
    return subprocess.run([sys.executable, "-m", "podium.cli", *args], cwd=cwd, capture_output=True, text=True)


@contextmanager
def running_server(db_path: Path, *options: str):
    """`podium serve` on a free loopback port, for as long as the block runs; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "podium.cli", "serve", "--db", str(db_path), "--port", str(port),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


def archive_checksum(db_path: Path) -> str:
    """A checksum of every row of every table (and of the file's absence)."""
    if not db_path.exists():
        return "absent"
    digest = hashlib.sha256()
    conn = sqlite3.connect(db_path)
    for (table,) in conn.execute("select name from sqlite_master where type = 'table' order by name"):
        digest.update(table.encode())
        for row in sorted(repr(r) for r in conn.execute(f"select * from [{table}]")):
            digest.update(row.encode())
    conn.close()
    return digest.hexdigest()
