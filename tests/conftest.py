import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = ROOT / "tests" / "fixtures"  # in the repository, so that a clone tests itself


# --- the test session writes under its temporary directory only ---------------------------------------------

MODELS: Path | None = None  # the converted model weights every transcript cache of the session uses


@pytest.fixture(scope="session", autouse=True)
def podium_cache(request, tmp_path_factory):
    """HOME, the XDG folders and Podium's cache point into the session's temporary directory, for this
    process and every process it starts (podium ingest, podium serve, Dask workers, Chromium): the tests
    write nothing into the user's home. The transcript cache is new, so every run transcribes for real.

    Converted model weights: the fast tier converts none, and gets an empty models folder of its own. A
    session that runs slow tests (real Whisper) shares the user's converted models instead (models/ here
    links to them): converting the packaged weights takes a minute and a few hundred MB, and is not what
    those tests test (tests/test_weights.py converts into a folder of its own). Only there may a slow
    session write into the user's cache: the first conversion, when the user has none yet."""
    global MODELS
    from hypothesis.configuration import set_hypothesis_home_dir

    from podium.ingest.paths import cache_dir

    slow = any(item.get_closest_marker("slow") for item in request.session.items)
    user_models = cache_dir() / "models" if slow else None  # read before HOME moves
    session = tmp_path_factory.mktemp("session")
    home = session / "home"
    cache = session / "podium-cache"
    with pytest.MonkeyPatch.context() as env:
        for name, path in (("HOME", home), ("XDG_CACHE_HOME", home / ".cache"), ("XDG_CONFIG_HOME", home / ".config"),
                           ("XDG_DATA_HOME", home / ".local" / "share"), ("XDG_STATE_HOME", home / ".local" / "state"),
                           ("PODIUM_CACHE_DIR", cache)):
            path.mkdir(parents=True, exist_ok=True)
            env.setenv(name, str(path))
        MODELS = cache / "models"
        if user_models is not None:
            user_models.mkdir(parents=True, exist_ok=True)
            MODELS.symlink_to(user_models, target_is_directory=True)
        else:
            MODELS.mkdir()
        set_hypothesis_home_dir(session / "hypothesis")  # its example database, not .hypothesis/ in the checkout
        try:
            yield cache
        finally:
            set_hypothesis_home_dir(None)
            MODELS = None


@contextmanager
def fresh_cache(directory: Path):
    """PODIUM_CACHE_DIR pointed at the transcript cache in `directory` (empty when new) for the duration,
    with the session's converted models (see `podium_cache`)."""
    if not (directory / "models").exists():
        (directory / "models").symlink_to(MODELS, target_is_directory=True)
    old = os.environ.get("PODIUM_CACHE_DIR")
    os.environ["PODIUM_CACHE_DIR"] = str(directory)
    try:
        yield directory
    finally:
        if old is None:
            os.environ.pop("PODIUM_CACHE_DIR", None)
        else:
            os.environ["PODIUM_CACHE_DIR"] = old


def podium(*args, cwd):
    """Run the `podium` command line in a new process, as a user would."""
    return subprocess.run([sys.executable, "-m", "podium", *args], cwd=cwd, capture_output=True, text=True)


@contextmanager
def running_server(db_path: Path, *options: str):
    """`podium serve` on a free loopback port, for as long as the block runs; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "podium", "serve", "--db", str(db_path), "--port", str(port),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            if proc.poll() is not None:  # it died: say so now, not after the deadline
                raise RuntimeError(f"podium serve --db {db_path} exited with {proc.returncode} before it listened")
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


def write_meeting_from_spans(db_path: Path, meeting: dict, audio: Path, text: Path,
                             spans: dict[int, tuple[float, float]]) -> None:
    """Write a meeting without Whisper: each paragraph's words spread evenly over its known span, aligned
    and stored through the same code as a real ingest (aligner, schema rows, store, web copy)."""
    from podium import schema
    from podium.alignment import Word, align, detect_language
    from podium.ingest import audio as audio_io
    from podium.ingest import store

    official = text.read_text(encoding="utf-8")
    language = detect_language(official)
    lines = [line.strip() for line in official.splitlines() if line.strip()]
    words = []
    for seq, (start, end) in sorted(spans.items()):
        pieces = lines[seq].split() if language == "en" else [c for c in lines[seq] if c.isalnum()]
        step = (end - start) / len(pieces)
        words += [Word(w, start + k * step, start + (k + 1) * step) for k, w in enumerate(pieces)]
    alignment = align(official, words, language=language)
    media_path = f"media/{meeting['id']}-{audio_io.sha256_file(audio)[:12]}.mp3"  # named as ingest names it
    (db_path.parent / "media").mkdir(exist_ok=True)
    audio_io.write_web_copy(audio, db_path.parent / media_path)
    meeting = {"title": lines[0], "language": language, "official_text": official, "engine": "none",
               "media_path": media_path, "source_path": audio.name, "matched_share": alignment.matched_share,
               "duration": len(audio_io.decode(audio)) / audio_io.SAMPLE_RATE, **meeting}
    store.write_meeting(db_path, schema.meeting_rows(meeting, schema.one_speech(meeting), alignment))


HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)> & co'


@pytest.fixture(scope="session")
def site_archive(tmp_path_factory) -> Path:
    """A small archive written through the schema module without Whisper: the AISHELL clip (its paragraphs
    at their true spans, a hostile title) and the JFK passage. For the site, export and browser tests."""
    db = tmp_path_factory.mktemp("site") / "my-archive.db"
    truth = json.loads((FIXTURES / "zh_aishell" / "truth.json").read_text(encoding="utf-8"))
    write_meeting_from_spans(
        db, {"id": "aishell", "date": "2024-05-01", "speaker": "AISHELL", "title": HOSTILE_TITLE},
        FIXTURES / "zh_aishell" / "audio.wav", FIXTURES / "zh_aishell" / "official.txt",
        {p["index"]: (p["start"] + 0.1, p["end"] - 0.2) for p in truth["paragraphs"]})
    write_meeting_from_spans(db, {"id": "jfk", "date": "1961-01-20"}, FIXTURES / "en_jfk" / "jfk.flac",
                             FIXTURES / "en_jfk" / "official.txt", {0: (0.3, 10.5)})
    return db


@pytest.fixture(scope="session")
def ingested(tmp_path_factory) -> tuple:
    """The AISHELL clip and the JFK passage ingested for real (base model), with a transcript cache of
    its own so that its first ingest transcribes. Returns (db, aishell result, jfk result, that cache's folder).
    Tests that change the archive work on a copy (`copy_archive`)."""
    from podium.ingest.pipeline import IngestOptions, ingest

    db = tmp_path_factory.mktemp("ingested") / "archive.db"
    cache = tmp_path_factory.mktemp("ingested-cache")
    with fresh_cache(cache):
        first = ingest(FIXTURES / "zh_aishell" / "audio.wav", FIXTURES / "zh_aishell" / "official.txt", db,
                       IngestOptions(meeting_id="aishell", date="2024-05-01", speakers=("AISHELL",)), progress=False)
        jfk = ingest(FIXTURES / "en_jfk" / "jfk.flac", FIXTURES / "en_jfk" / "official.txt", db, progress=False)
    return db, first, jfk, cache


def copy_archive(db: Path, to: Path, name: str = "archive.db") -> Path:
    """A copy of an archive, as `name`, and its media folder in the folder `to`."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to / name)
    if (db.parent / "media").exists():
        shutil.copytree(db.parent / "media", to / "media", dirs_exist_ok=True)
    return to / name


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
