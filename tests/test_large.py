"""A 3-hour recording of about 2 GB as WAV streams through ingest in bounded memory."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_three_hour_wav_ingests_in_bounded_memory(tmp_path, seed):
    from podium.ingest.audio import ffmpeg_binary

    big = tmp_path / "三小时 会议.wav"  # a space and Chinese characters in the name, too
    subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(seed.audio),
                    "-af", "apad=whole_dur=10800", "-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", str(big)],
                   check=True)
    assert big.stat().st_size > 1.8e9
    proc = subprocess.Popen([sys.executable, "-m", "podium", "ingest", str(big), "--text",
                             str(seed.text), "--db", "archive.db", "--id", "big",
                             "--quiet"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode()
    big.unlink()
    assert os.waitstatus_to_exitcode(status) == 0, err
    assert usage.ru_maxrss / 1024 < 2000, f"peak RSS {usage.ru_maxrss / 1024:.0f} MB"
    import sqlite3

    conn = sqlite3.connect(tmp_path / "archive.db")
    assert conn.execute("select duration from meetings").fetchone()[0] == pytest.approx(10800, abs=1)
    statuses = [r[0] for r in conn.execute("select status from paragraphs where seq > 0 order by seq")]
    assert statuses == ["spoken"] * 3
