"""End to end with the real base model: recordings in, archive.db out."""

import sqlite3

import pytest

from conftest import SEED_TITLE, SITE_SPEAKER, archive_checksum, copy_archive, fresh_cache
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


def same_ingest(seed, db, **options):
    """The seed clip ingested again into `db` as the session's archive first took it, or with `options`."""
    return ingest(seed.audio, seed.text, db, IngestOptions(**{
        "meeting_id": "seed", "date": "2024-05-01", "speakers": (SITE_SPEAKER,), **options}), progress=False)


def test_seed_paragraphs_fall_where_they_were_said(archive, seed):
    db, first, _ = archive
    assert first.action == "ingested" and not first.transcript_cached
    paragraphs = rows(db, "select * from paragraphs where meeting_id = 'seed' order by seq")
    assert [p["seq"] for p in paragraphs] == [0, 1, 2, 3]
    assert paragraphs[0]["text"] == SEED_TITLE and paragraphs[0]["status"] == "not_spoken"
    for seq, (start, end) in seed.spans.items():
        p = paragraphs[seq]
        assert p["status"] == "spoken"
        assert start - 0.3 <= p["start"] < p["end"] <= end + 0.3, (p, start, end)
        assert p["confidence"] > 0.5


def test_real_human_mandarin_falls_inside_its_clips(aishell, tmp_path):
    """Three AISHELL utterances, real voices (from ../shared; skipped where absent)."""
    db = tmp_path / "archive.db"
    result = ingest(aishell.audio, aishell.text, db, IngestOptions(meeting_id="aishell"), progress=False)
    assert result.action == "ingested"
    paragraphs = rows(db, "select * from paragraphs order by seq")
    assert [p["seq"] for p in paragraphs] == [0, 1, 2, 3] and paragraphs[0]["text"] == "AISHELL 样例"
    for seq, (start, end) in aishell.spans.items():
        p = paragraphs[seq]
        assert p["status"] == "spoken"
        assert start - 0.3 <= p["start"] < p["end"] <= end + 0.3, (p, start, end)
        assert p["confidence"] > 0.5


def test_meeting_row_records_inputs(archive, seed):
    db, _, _ = archive
    (meeting,) = rows(db, "select * from meetings where id = 'seed'")
    assert meeting["title"] == SEED_TITLE
    assert meeting["language"] == "zh" and meeting["engine"] == "faster-whisper" and meeting["model"] == "base"
    assert meeting["date"] == "2024-05-01" and meeting["speaker"] == SITE_SPEAKER
    assert meeting["duration"] == pytest.approx(seed.spans[3][1] + 0.5, abs=0.05)  # the clip ends 0.5 s after it
    assert not meeting["media_path"].startswith("/")
    media = db.parent / meeting["media_path"]
    assert media.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_jfk_sentences_cover_the_speech(archive):
    db, _, jfk = archive
    if jfk is None:
        pytest.skip("needs ../shared/fixtures/en_jfk (another project's recording, kept beside the repository)")
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
                    "where paragraphs_fts match ? ", ["打硬仗"])
    assert hits == [{"seq": 3}]
    hits = rows(db, "select s.id from sentences s join sentences_fts f on f.rowid = s.rowid "
                    "where sentences_fts match ?", ["用人的"])
    assert hits == [{"id": "seed_p0002_s000"}]


def test_same_inputs_again_do_nothing(archive, seed):
    db, _, _ = archive
    before = archive_checksum(db)
    again = same_ingest(seed, db)
    assert again.action == "unchanged"
    assert archive_checksum(db) == before


def test_same_inputs_again_restore_a_missing_web_copy(archive, seed):
    """A web copy lost (by hand, or by a crash of a Podium that committed before renaming it) is written
    again by the same ingest, and nothing else changes."""
    db, _, _ = archive
    media = db.parent / rows(db, "select media_path from meetings where id = 'seed'")[0]["media_path"]
    media.unlink()
    before = archive_checksum(db)
    again = same_ingest(seed, db)
    assert again.action == "media restored" and media.stat().st_size > 10_000
    assert archive_checksum(db) == before


def test_other_inputs_need_replace_and_replace_reuses_the_transcript(archive, seed, tmp_path):
    db, _, _ = archive
    before = archive_checksum(db)
    with pytest.raises(IngestError, match="--replace"):
        same_ingest(seed, db, date="2024-05-02", speakers=())
    assert archive_checksum(db) == before
    # into another archive: the transcript comes from the cache
    other = same_ingest(seed, tmp_path / "other.db", date=None, speakers=())
    assert other.action == "ingested" and other.transcript_cached


def test_realign_after_a_corrected_text_uses_the_cache(archive, seed, tmp_path):
    db, _, _ = archive
    corrected = tmp_path / "corrected.txt"
    text = seed.text.read_text(encoding="utf-8")
    corrected.write_text(text.replace("不是树威的。", "不是树威的！"), encoding="utf-8")
    result = realign(db, "seed", corrected, progress=False)
    assert result.action == "realigned" and result.transcript_cached
    (meeting,) = rows(db, "select official_text from meetings where id = 'seed'")
    assert "不是树威的！" in meeting["official_text"]
    (p,) = rows(db, "select text, status from paragraphs where id = 'seed_p0002'")
    assert p == {"text": "对于乡镇干部来讲，党委书记是用人的，不是树威的！", "status": "spoken"}


def test_openai_whisper_engine_gives_the_same_spans(archive, seed, tmp_path):
    db, _, _ = archive
    other = tmp_path / "openai.db"
    result = same_ingest(seed, other, engine="openai-whisper", date=None, speakers=())
    assert not result.transcript_cached  # the engine is part of the cache key
    (meeting,) = rows(other, "select engine from meetings")
    assert meeting["engine"] == "openai-whisper"
    ours = rows(other, "select seq, start, [end], status from paragraphs order by seq")
    fast = rows(db, "select seq, start, [end], status from paragraphs where meeting_id = 'seed' order by seq")
    assert [p["status"] for p in ours] == [p["status"] for p in fast]
    for a, b in zip(ours, fast):
        if a["start"] is not None:
            assert abs(a["start"] - b["start"]) < 0.3 and abs(a["end"] - b["end"]) < 0.5


# the official text of another recording: a weather report, nothing of which the seed clip says
OTHER_TEXT = "天气预报\n\n今天夜间到明天白天，全市多云转阴，局部有小雨。偏东风三到四级，最低气温十八度，最高气温二十六度。\n"


def test_wrong_text_is_refused(archive, seed, tmp_path):
    db, _, _ = archive
    (tmp_path / "weather.txt").write_text(OTHER_TEXT, encoding="utf-8")
    before = archive_checksum(db)
    with pytest.raises(IngestError, match="official text was found"):
        ingest(seed.audio, tmp_path / "weather.txt", db, IngestOptions(meeting_id="wrong"), progress=False)
    assert archive_checksum(db) == before
