"""Batch ingest of a folder or a manifest: bad files reported and skipped, re-runs resume."""

import shutil
import sqlite3

import pytest

from conftest import podium

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def folder(tmp_path_factory, fixtures):
    work = tmp_path_factory.mktemp("batch")
    recordings = work / "recordings 录音"  # spaces and Chinese characters in the path
    recordings.mkdir()
    shutil.copy(fixtures / "zh_aishell" / "audio.wav", recordings / "aishell.wav")
    shutil.copy(fixtures / "zh_aishell" / "official.txt", recordings / "aishell.txt")
    shutil.copy(fixtures / "en_jfk" / "jfk.flac", recordings / "jfk.flac")
    shutil.copy(fixtures / "en_jfk" / "official.txt", recordings / "jfk.txt")
    (recordings / "broken.mp3").write_bytes(b"not audio at all")
    shutil.copy(fixtures / "zh_aishell" / "official.txt", recordings / "broken.txt")
    shutil.copy(fixtures / "zh_aishell" / "audio.wav", recordings / "orphan.wav")  # no text beside it
    return work, recordings


def meetings(db):
    return sorted(r[0] for r in sqlite3.connect(db).execute("select id from meetings"))


def test_folder_batch_reports_bad_files_and_goes_on(folder):
    work, recordings = folder
    first = podium("ingest", str(recordings), "--db", "archive.db", "--date", "2024-05-01", cwd=work)
    assert first.returncode == 1
    assert "FAILED" in first.stderr + first.stdout
    out = first.stdout + first.stderr
    assert "broken.mp3" in out and "orphan.wav" in out
    assert "2 of 4 recordings in the archive, 2 failed" in first.stdout
    assert meetings(work / "archive.db") == ["aishell", "jfk"]
    dates = {r[0] for r in sqlite3.connect(work / "archive.db").execute("select date from meetings")}
    assert dates == {"2024-05-01"}

    again = podium("ingest", str(recordings), "--db", "archive.db", "--date", "2024-05-01", cwd=work)
    assert again.stdout.count("already ingested with the same inputs") == 2  # resumes: nothing done twice


def test_manifest_batch(folder, tmp_path):
    _, recordings = folder
    (tmp_path / "manifest.csv").write_text(
        "audio,text,id,title,date,speaker,language\n"
        f"{recordings / 'aishell.wav'},{recordings / 'aishell.txt'},ai-1,样例,2024-01-02,某人,zh\n", encoding="utf-8")
    (tmp_path / "manifest.jsonl").write_text(
        '{"audio": "%s", "id": "jfk-61", "date": "1961-01-20"}\n' % (recordings / "jfk.flac"), encoding="utf-8")
    for manifest in ("manifest.csv", "manifest.jsonl"):
        done = podium("ingest", manifest, "--db", "archive.db", "--quiet", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    rows = sqlite3.connect(tmp_path / "archive.db").execute(
        "select id, title, date, speaker, language from meetings order by id").fetchall()
    assert rows[0] == ("ai-1", "样例", "2024-01-02", "某人", "zh")
    assert rows[1][0] == "jfk-61" and rows[1][2] == "1961-01-20" and rows[1][4] == "en"
    (tmp_path / "bad.csv").write_text("audio,colour\nx.wav,red\n", encoding="utf-8")
    bad = podium("ingest", "bad.csv", "--db", "archive.db", cwd=tmp_path)
    assert bad.returncode != 0 and "colour" in bad.stderr
