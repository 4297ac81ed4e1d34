"""Batch ingest of a folder or a manifest: bad files reported and skipped, re-runs resume."""

import shutil
import sqlite3

import pytest

from conftest import SEED_TITLE, podium, seed_clip

pytestmark = pytest.mark.slow

LATER = ((4, 5), (4, 6), (4, 7))  # three later sentences of the seed speech: a second recording of our own


@pytest.fixture(scope="module")
def folder(tmp_path_factory, seed):
    work = tmp_path_factory.mktemp("batch")
    recordings = work / "recordings 录音"  # spaces and Chinese characters in the path
    recordings.mkdir()
    shutil.copy(seed.audio, recordings / "seed.wav")
    shutil.copy(seed.text, recordings / "seed.txt")
    seed_clip(recordings, name="later", sentences=LATER)
    (recordings / "broken.mp3").write_bytes(b"not audio at all")
    shutil.copy(seed.text, recordings / "broken.txt")
    shutil.copy(seed.audio, recordings / "orphan.wav")  # no text beside it
    return work, recordings


def meetings(db):
    return sorted(r[0] for r in sqlite3.connect(db).execute("select id from meetings"))


def test_folder_batch_reports_bad_files_and_goes_on(folder):
    work, recordings = folder
    good = ["later", "seed"]
    first = podium("ingest", str(recordings), "--db", "archive.db", "--date", "2024-05-01", cwd=work)
    assert first.returncode == 1
    assert "FAILED" in first.stderr + first.stdout
    out = first.stdout + first.stderr
    assert "broken.mp3" in out and "orphan.wav" in out
    assert f"{len(good)} of {len(good) + 2} recordings in the archive, 2 failed" in first.stdout
    assert meetings(work / "archive.db") == good
    dates = {r[0] for r in sqlite3.connect(work / "archive.db").execute("select date from meetings")}
    assert dates == {"2024-05-01"}

    again = podium("ingest", str(recordings), "--db", "archive.db", "--date", "2024-05-01", cwd=work)
    assert again.stdout.count("already ingested with the same inputs") == len(good)  # resumes: nothing done twice


def test_manifest_batch(folder, tmp_path):
    _, recordings = folder
    (tmp_path / "manifest.csv").write_text(
        "audio,text,id,title,date,speaker,language\n"
        f"{recordings / 'seed.wav'},{recordings / 'seed.txt'},zh-1,样例,2024-01-02,某人,zh\n", encoding="utf-8")
    (tmp_path / "manifest.jsonl").write_text(  # the text beside the audio, the title and language read off it
        '{"audio": "%s", "id": "zh-2", "date": "2022-01-20"}\n' % (recordings / "seed.wav"), encoding="utf-8")
    for manifest in ("manifest.csv", "manifest.jsonl"):
        done = podium("ingest", manifest, "--db", "archive.db", "--quiet", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    rows = sqlite3.connect(tmp_path / "archive.db").execute(
        "select id, title, date, speaker, language from meetings order by id").fetchall()
    assert rows == [("zh-1", "样例", "2024-01-02", "某人", "zh"), ("zh-2", SEED_TITLE, "2022-01-20", None, "zh")]
    (tmp_path / "bad.csv").write_text("audio,colour\nx.wav,red\n", encoding="utf-8")
    bad = podium("ingest", "bad.csv", "--db", "archive.db", cwd=tmp_path)
    assert bad.returncode != 0 and "colour" in bad.stderr


def test_manifest_row_of_an_english_recording_reads_its_language_off_the_text(jfk, tmp_path):
    shutil.copy(jfk.audio, tmp_path / "jfk.flac")
    shutil.copy(jfk.text, tmp_path / "jfk.txt")
    (tmp_path / "manifest.jsonl").write_text('{"audio": "jfk.flac", "id": "jfk-61", "date": "1961-01-20"}\n',
                                             encoding="utf-8")
    done = podium("ingest", "manifest.jsonl", "--db", "archive.db", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = sqlite3.connect(tmp_path / "archive.db").execute("select id, date, language from meetings").fetchall()
    assert rows == [("jfk-61", "1961-01-20", "en")]
