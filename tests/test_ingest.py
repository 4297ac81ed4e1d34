"""End to end with the real base model: fixtures in, archive.db out."""

import json
import sqlite3

import pytest

from conftest import archive_checksum, copy_archive, fresh_cache
from podium.ingest.pipeline import IngestError, IngestOptions, ingest, realign

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive(ingested, tmp_path_factory):
    """A copy of the session's real archive, with the transcript cache its ingest filled."""
    db, first, jfk, cache = ingested
    with fresh_cache(cache):
        yield copy_archive(db, tmp_path_factory.mktemp("archive")), first, jfk


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_aishell_paragraphs_fall_inside_their_clips(archive, fixtures):
    db, first, _ = archive
    assert first.action == "ingested" and not first.transcript_cached
    truth = json.loads((fixtures / "zh_aishell" / "truth.json").read_text())
    paragraphs = rows(db, "select * from paragraphs where meeting_id = 'aishell' order by seq")
    assert [p["seq"] for p in paragraphs] == [0, 1, 2, 3]
    assert paragraphs[0]["text"] == "AISHELL 样例"
    for t in truth["paragraphs"]:
        p = paragraphs[t["index"]]
        assert p["status"] == "spoken"
        assert t["start"] - 0.3 <= p["start"] < p["end"] <= t["end"] + 0.3, (p, t)
        assert p["confidence"] > 0.5


def test_meeting_row_records_inputs(archive, fixtures):
    db, _, _ = archive
    (meeting,) = rows(db, "select * from meetings where id = 'aishell'")
    assert meeting["title"] == "AISHELL 样例"
    assert meeting["language"] == "zh" and meeting["engine"] == "faster-whisper" and meeting["model"] == "base"
    assert meeting["date"] == "2024-05-01" and meeting["speaker"] == "AISHELL"
    assert meeting["duration"] == pytest.approx(17.4, abs=0.05)
    assert not meeting["media_path"].startswith("/")
    media = db.parent / meeting["media_path"]
    assert media.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_jfk_sentences_cover_the_speech(archive):
    db, _, jfk = archive
    assert jfk.meeting_id == "jfk"
    (meeting,) = rows(db, "select * from meetings where id = 'jfk'")
    assert meeting["language"] == "en"
    sentences = rows(db, "select * from sentences where meeting_id = 'jfk' order by paragraph_seq, seq")
    assert len(sentences) == 1 and sentences[0]["status"] == "spoken"
    # "Americans" is spoken around 1.8 s; the passage ends before 11 s
    assert sentences[0]["start"] < 1.5 and 8.5 < sentences[0]["end"] <= 11.0


def test_full_text_search_finds_chinese(archive):
    db, _, _ = archive
    hits = rows(db, "select p.seq from paragraphs p join paragraphs_fts f on f.rowid = p.rowid "
                    "where paragraphs_fts match ? ", ["社会热点"])
    assert hits == [{"seq": 3}]
    hits = rows(db, "select s.id from sentences s join sentences_fts f on f.rowid = s.rowid "
                    "where sentences_fts match ?", ["眼中钉"])
    assert hits == [{"id": "aishell_p0002_s000"}]


def test_same_inputs_again_do_nothing(archive, fixtures):
    db, _, _ = archive
    before = archive_checksum(db)
    again = ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", db,
                   IngestOptions(meeting_id="aishell", date="2024-05-01", speakers=("AISHELL",)), progress=False)
    assert again.action == "unchanged"
    assert archive_checksum(db) == before


def test_same_inputs_again_restore_a_missing_web_copy(archive, fixtures):
    """A web copy lost (by hand, or by a crash of a Podium that committed before renaming it) is written
    again by the same ingest, and nothing else changes."""
    db, _, _ = archive
    media = db.parent / rows(db, "select media_path from meetings where id = 'aishell'")[0]["media_path"]
    media.unlink()
    before = archive_checksum(db)
    again = ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", db,
                   IngestOptions(meeting_id="aishell", date="2024-05-01", speakers=("AISHELL",)), progress=False)
    assert again.action == "media restored" and media.stat().st_size > 10_000
    assert archive_checksum(db) == before


def test_other_inputs_need_replace_and_replace_reuses_the_transcript(archive, fixtures, tmp_path):
    db, _, _ = archive
    before = archive_checksum(db)
    with pytest.raises(IngestError, match="--replace"):
        ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", db,
               IngestOptions(meeting_id="aishell", date="2024-05-02"), progress=False)
    assert archive_checksum(db) == before
    # into another archive: the transcript comes from the cache
    other = ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt",
                   tmp_path / "other.db", IngestOptions(meeting_id="aishell"), progress=False)
    assert other.action == "ingested" and other.transcript_cached


def test_realign_after_a_corrected_text_uses_the_cache(archive, fixtures, tmp_path):
    db, _, _ = archive
    corrected = tmp_path / "corrected.txt"
    text = (fixtures / "zh_aishell" / "official.txt").read_text(encoding="utf-8")
    corrected.write_text(text.replace("眼中钉", "眼中钉。"), encoding="utf-8")
    result = realign(db, "aishell", corrected, progress=False)
    assert result.action == "realigned" and result.transcript_cached
    (meeting,) = rows(db, "select official_text from meetings where id = 'aishell'")
    assert "眼中钉。" in meeting["official_text"]
    (p,) = rows(db, "select text, status from paragraphs where id = 'aishell_p0002'")
    assert p == {"text": "也成为地方政府的眼中钉。", "status": "spoken"}


def test_openai_whisper_engine_gives_the_same_spans(archive, fixtures, tmp_path):
    db, _, _ = archive
    other = tmp_path / "openai.db"
    result = ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", other,
                    IngestOptions(meeting_id="aishell", engine="openai-whisper"), progress=False)
    assert not result.transcript_cached  # the engine is part of the cache key
    (meeting,) = rows(other, "select engine from meetings")
    assert meeting["engine"] == "openai-whisper"
    ours = rows(other, "select seq, start, [end], status from paragraphs order by seq")
    fast = rows(db, "select seq, start, [end], status from paragraphs where meeting_id = 'aishell' order by seq")
    assert [p["status"] for p in ours] == [p["status"] for p in fast]
    for a, b in zip(ours, fast):
        if a["start"] is not None:
            assert abs(a["start"] - b["start"]) < 0.3 and abs(a["end"] - b["end"]) < 0.5


def test_wrong_text_is_refused(archive, fixtures):
    db, _, _ = archive
    before = archive_checksum(db)
    with pytest.raises(IngestError, match="official text was found"):
        ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "seed" / "official.txt", db,
               IngestOptions(meeting_id="wrong"), progress=False)
    assert archive_checksum(db) == before
