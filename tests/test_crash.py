"""Crash safety: an ingest batch SIGKILLed at chosen moments leaves the archive whole, and a re-run completes
it with every meeting's audio. And a reader keeps reading while the writer writes (WAL).

The moments are chosen from the batch's own progress, never from the clock, so every run kills the same
number of times on any machine: while a recording is transcribed, just after a meeting is stored, and
in the window between its web copy taking its place in media/ and its commit (a process that wraps the
store's write so that it kills itself on entering it, or inside the meeting's transaction just before
the commit)."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from conftest import seed_clip

pytestmark = pytest.mark.slow
# three short recordings (9-10 s each) of sentences of the seed speech said one after the other
CLIPS = [((7, 1), (7, 2)), ((4, 5), (4, 6), (4, 7)), ((8, 0), (8, 1))]
FILES = len(CLIPS)

# `python -c DIE_AT WHERE ARGS...`: the podium command line with ARGS, its store's write_meeting wrapped so
# that the process SIGKILLs itself on the first meeting it is about to store: on entering write_meeting
# (WHERE = "before-write": the web copy is already in media/ under its name) or once every row of the meeting
# is written inside its transaction, just before the commit (WHERE = "before-commit").
DIE_AT = r"""
import os, signal, sys
from contextlib import contextmanager

from podium import schema
from podium.ingest import store
from podium.cli import main

where, write_meeting = sys.argv[1], store.write_meeting


def die():
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def transaction_that_dies_before_its_commit(conn):
    conn.execute("begin immediate")
    yield conn
    die()


def write_and_die(db_path, rows, *args, **kwargs):
    if where == "before-write":
        die()
    schema.transaction = transaction_that_dies_before_its_commit
    write_meeting(db_path, rows, *args, **kwargs)


store.write_meeting = write_and_die
main(sys.argv[2:], prog_name="podium")
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash") / "batch"
    for k, sentences in enumerate(CLIPS):  # each is new to the transcript cache
        seed_clip(folder, f"rec{k}", sentences)
    return folder


def run(command: list[str], kill_at=None, timeout: float = 300) -> tuple[int, list[str]]:
    """Run a command in a process group of its own, reading its output line by line; when `kill_at(lines)`
    holds for the lines so far, SIGKILL the group (the process and the ffmpeg it runs). Returns the exit
    status (-9: killed) and the lines, then those of its standard error (the progress bar, any traceback)."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        watchdog = threading.Timer(timeout, os.killpg, [proc.pid, signal.SIGKILL])  # a hung run fails, not hangs
        watchdog.start()
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line.strip())
                if kill_at and kill_at(lines):
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
            proc.stdout.close()
            status = proc.wait()
        finally:
            watchdog.cancel()
        err.seek(0)
        return status, lines + ["--- stderr:"] + err.read().splitlines()[-20:]


def ingest_batch(folder, db) -> list[str]:
    return [sys.executable, "-m", "podium", "ingest", str(folder), "--db", str(db)]


def dying_ingest_batch(where, folder, db) -> list[str]:
    return [sys.executable, "-c", DIE_AT, where, "ingest", str(folder), "--db", str(db)]


def transcribing(after: str | None = None):
    """At the first line saying a recording is being transcribed (after the line starting `after`)."""
    def at(lines):
        start = next((k for k, line in enumerate(lines) if line.startswith(after)), None) if after else -1
        return start is not None and any("[podium] transcribing" in line for line in lines[start + 1:])
    return at


def stored(meeting_id: str):
    """At the line saying the meeting was ingested (committed)."""
    return lambda lines: lines[-1].startswith(f"{meeting_id}: ingested")


def check_whole(db) -> list[str]:
    """integrity_check passes and every meeting in the archive is complete, its web copy included. Returns the
    IDs of its meetings."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        if "meetings" not in {r[0] for r in conn.execute("select name from sqlite_master")}:
            return []
        meetings = conn.execute("select id, media_path, official_text from meetings order by id").fetchall()
        for meeting_id, media, text in meetings:
            lines = [line for line in text.splitlines() if line.strip()]
            paragraphs = conn.execute("select count(*) from paragraphs where meeting_id = ?", [meeting_id]).fetchone()[0]
            assert paragraphs == len(lines), meeting_id
            assert conn.execute("select count(*) from sentences where meeting_id = ?", [meeting_id]).fetchone()[0] > 0
            assert (db.parent / media).is_file(), media
        return [m[0] for m in meetings]
    finally:
        conn.close()


def test_sigkill_at_chosen_points_loses_nothing(batch, tmp_path):
    db = tmp_path / "archive.db"
    media = tmp_path / "media"
    # (the command, when to kill it, the meetings the archive holds after it: those stored before, and at
    # most the one in progress where the kill comes from outside)
    schedule = [
        (ingest_batch(batch, db), transcribing(), [[]]),  # while rec0 is transcribed
        (ingest_batch(batch, db), stored("rec0"), [["rec0"], ["rec0", "rec1"]]),  # rec0 just stored
        (ingest_batch(batch, db), transcribing(after="rec0: "), [["rec0"], ["rec0", "rec1"]]),  # rec1 transcribed
        (dying_ingest_batch("before-write", batch, db), None, [["rec0"]]),  # rec1's web copy placed, not stored
        (dying_ingest_batch("before-commit", batch, db), None, [["rec0"]]),  # rec1's rows written, not committed
        (ingest_batch(batch, db), stored("rec1"), [["rec0", "rec1"], ["rec0", "rec1", "rec2"]]),  # rec1 stored
    ]
    for k, (command, kill_at, expected) in enumerate(schedule):
        status, lines = run(command, kill_at)
        assert status == -signal.SIGKILL, (k, status, lines)
        assert check_whole(db) in expected, (k, lines)
        if command[1] == "-c":  # it died in the window: rec1's web copy is in place, no meeting names it yet
            assert "[podium] writing the web copy and the archive" in lines and list(media.glob("rec1-*.mp3")), \
                (k, lines)

    status, lines = run(ingest_batch(batch, db))
    assert status == 0, lines
    assert check_whole(db) == [f"rec{k}" for k in range(FILES)]  # every meeting, with its audio
    assert f"{FILES} of {FILES} recordings in the archive, 0 failed" in lines


def test_a_reader_reads_while_the_writer_writes(batch, seed, tmp_path):
    db = tmp_path / "archive.db"
    # a first meeting, so there is something to read from the start
    subprocess.run([sys.executable, "-m", "podium", "ingest", str(seed.audio), "--text", str(seed.text), "--db",
                    str(db), "--id", "first", "--quiet"], check=True)
    errors, reads = [], 0
    writer = subprocess.Popen(ingest_batch(batch, db) + ["--quiet"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)

    def read():
        nonlocal reads
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        while writer.poll() is None:
            try:
                conn.execute("select count(*) from sentences s join sentences_fts f on f.rowid = s.rowid "
                             "where sentences_fts match '用人的'").fetchone()
                reads += 1
            except sqlite3.Error as e:
                errors.append(str(e))
            time.sleep(0.01)
        conn.close()

    reader = threading.Thread(target=read)
    reader.start()
    assert writer.wait(timeout=600) == 0
    reader.join()
    assert errors == [] and reads > 50
    assert len(check_whole(db)) == FILES + 1  # the batch and the first meeting
