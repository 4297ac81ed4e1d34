"""Crash safety: SIGKILL an ingest batch at random points; the archive stays whole and a re-run completes it.
And a reader keeps reading while the writer writes (WAL)."""

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.slow
FILES = 8


@pytest.fixture(scope="module")
def batch(tmp_path_factory, fixtures):
    from podium.ingest.audio import ffmpeg_binary

    folder = tmp_path_factory.mktemp("crash") / "batch"
    folder.mkdir()
    sources = [(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt"),
               (fixtures / "en_jfk" / "jfk.flac", fixtures / "en_jfk" / "official.txt")]
    for k in range(FILES):  # each copy padded differently: every file is new to the transcript cache
        audio, text = sources[k % 2]
        subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(audio), "-af", f"apad=pad_dur={0.2 * (k + 1)}",
                        str(folder / f"rec{k}.wav")], check=True)
        shutil.copy(text, folder / f"rec{k}.txt")
    return folder


def start_batch(folder, db):
    return subprocess.Popen([sys.executable, "-m", "podium", "ingest", str(folder), "--db", str(db), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def check_whole(db, folder=None):
    """integrity_check passes and every meeting in the archive is complete."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        if "meetings" not in {r[0] for r in conn.execute("select name from sqlite_master")}:
            return 0
        meetings = conn.execute("select id, media_path, official_text from meetings").fetchall()
        for meeting_id, media, text in meetings:
            lines = [line for line in text.splitlines() if line.strip()]
            paragraphs = conn.execute("select count(*) from paragraphs where meeting_id = ?", [meeting_id]).fetchone()[0]
            assert paragraphs == len(lines), meeting_id
            assert conn.execute("select count(*) from sentences where meeting_id = ?", [meeting_id]).fetchone()[0] > 0
            assert (db.parent / media).is_file(), media
        return len(meetings)
    finally:
        conn.close()


def test_sigkill_at_random_points_loses_nothing(batch, tmp_path):
    db = tmp_path / "archive.db"
    rng = random.Random(7)
    kills = 0
    for _ in range(12):
        proc = start_batch(batch, db)
        time.sleep(rng.uniform(0.5, 3.0))
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        check_whole(db, batch)
    print(f"{kills} SIGKILLs survived")
    assert kills >= 5
    final = start_batch(batch, db)
    assert final.wait(timeout=600) == 0
    assert check_whole(db, batch) == FILES


def test_a_reader_reads_while_the_writer_writes(batch, tmp_path, fixtures):
    db = tmp_path / "archive.db"
    # a first meeting, so there is something to read from the start
    subprocess.run([sys.executable, "-m", "podium", "ingest", str(fixtures / "zh_aishell" / "audio.wav"), "--text",
                    str(fixtures / "zh_aishell" / "official.txt"), "--db", str(db), "--id", "first", "--quiet"],
                   check=True)
    errors, reads = [], 0
    writer = start_batch(batch, db)

    def read():
        nonlocal reads
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        while writer.poll() is None:
            try:
                conn.execute("select count(*) from sentences s join sentences_fts f on f.rowid = s.rowid "
                             "where sentences_fts match '眼中钉'").fetchone()
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
    assert check_whole(db, batch) == FILES + 1  # the batch and the first meeting
