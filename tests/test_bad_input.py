"""Bad input: a one-line error naming the file, a non-zero exit, and the archive exactly as it was."""

import wave

import numpy as np
import pytest

from conftest import archive_checksum, copy_archive, podium


def write_wav(path, samples, rate=16000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.asarray(samples) * 32767).astype("<i2").tobytes())


@pytest.fixture(scope="module")
def archive(tmp_path_factory, site_archive):
    """A copy of an archive with two meetings, to check that refused ingests leave it unchanged."""
    work = tmp_path_factory.mktemp("bad-input")
    copy_archive(site_archive, work)
    return work


def bad_cases(work, fixtures, seed, english):
    text, audio = seed.text, seed.audio
    (work / "not-audio.mp3").write_text("this is not audio at all\n")
    (work / "zero.wav").write_bytes(b"")
    truncated = (fixtures / "seed" / "seed_plain.mp3").read_bytes()[:2000]
    (work / "truncated.mp3").write_bytes(truncated)
    write_wav(work / "silence.wav", np.zeros(16000 * 600))  # ten minutes
    (work / "big5.txt").write_bytes("這是一個測試文件，我們討論經濟發展與社會穩定的問題。\n".encode("big5") * 3)
    (work / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (work / "empty.txt").write_bytes(b"")
    return {
        "missing-audio": ([str(work / "nope.wav"), "--text", str(text)], "nope.wav"),
        "not-audio": ([str(work / "not-audio.mp3"), "--text", str(text)], "not-audio.mp3"),
        "zero-length-audio": ([str(work / "zero.wav"), "--text", str(text)], "zero.wav"),
        "truncated-mp3": ([str(work / "truncated.mp3"), "--text", str(text)], "truncated.mp3"),
        "silent-audio": ([str(work / "silence.wav"), "--text", str(text)], "silence.wav"),
        "big5-text": ([str(audio), "--text", str(work / "big5.txt")], "big5.txt"),
        "binary-text": ([str(audio), "--text", str(work / "binary.txt")], "binary.txt"),
        "empty-text": ([str(audio), "--text", str(work / "empty.txt")], "empty.txt"),
        "missing-text": ([str(audio), "--text", str(work / "nope.txt")], "nope.txt"),
        "bad-id": ([str(audio), "--text", str(text), "--id", "a/b"], "a/b"),
        "bad-date": ([str(audio), "--text", str(text), "--date", "21.1.2022"], "21.1.2022"),
        "id-taken": ([str(audio), "--text", str(english.text), "--id", "seed"], "seed"),
    }


CASES = ["missing-audio", "not-audio", "zero-length-audio", "truncated-mp3", "silent-audio", "big5-text",
         "binary-text", "empty-text", "missing-text", "bad-id", "bad-date", "id-taken"]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_and_the_archive_unchanged(archive, fixtures, seed, english, case):
    args, name = bad_cases(archive, fixtures, seed, english)[case]
    before = archive_checksum(archive / "archive.db")
    media_before = sorted(p.name for p in (archive / "media").iterdir())
    done = podium("ingest", *args, "--db", "archive.db", "--quiet", cwd=archive)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and name in lines[0], done.stderr
    assert archive_checksum(archive / "archive.db") == before
    assert sorted(p.name for p in (archive / "media").iterdir()) == media_before


@pytest.mark.slow
def test_bad_input_creates_no_archive(tmp_path, seed):
    (tmp_path / "silence.wav").write_bytes(b"")
    done = podium("ingest", "silence.wav", "--text", str(seed.text),
                  "--db", "new.db", cwd=tmp_path)
    assert done.returncode != 0
    assert not (tmp_path / "new.db").exists()
