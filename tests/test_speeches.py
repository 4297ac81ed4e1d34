"""Several speeches in one recording, end to end with the real base model.

The recording is built from the fixtures: the host opens (the seed meeting's opening), the seed speech's
first four paragraphs (a skipped sentence and an unspoken gloss among them), a pause, a second speech by
another speaker, then the host closes (the seed meeting's closing). The second speech is the AISHELL clip
(real voices) where ../shared is there, else the seed clip (three sentences of a later paragraph, under a
text and title of its own). Truth comes from the fixtures' truths.
"""

import json
import sqlite3
import wave

import numpy as np
import pytest

from conftest import FIXTURES, SEED_TITLE, SHARED, aishell_clip
from podium.ingest.audio import SAMPLE_RATE, decode
from podium.ingest.pipeline import IngestError, IngestOptions, ingest
from podium.publish import make_datasette

pytestmark = pytest.mark.slow

CUT_A = 74.3  # the seed speech's paragraph 3 ends at 73.855, paragraph 4 starts at 74.755
PAUSE = 1.5
CLOSING = 674.6  # the host's closing starts at 675.115 in the seed meeting


@pytest.fixture(scope="module")
def second_speech(seed):
    """(the clip, its title, a term said only in it)"""
    if (SHARED / "zh_aishell").is_dir():
        return aishell_clip(), "AISHELL 样例", "眼中钉"
    return seed, SEED_TITLE, "树威"


@pytest.fixture(scope="module")
def recording(tmp_path_factory, second_speech):
    work = tmp_path_factory.mktemp("speeches")
    clip, title, term = second_speech
    meeting = decode(FIXTURES / "seed" / "seed_meeting.mp3")
    second = decode(clip.audio)
    offset_b = CUT_A + PAUSE
    offset_c = offset_b + len(second) / SAMPLE_RATE - CLOSING
    pieces = [meeting[:int(CUT_A * SAMPLE_RATE)], np.zeros(int(PAUSE * SAMPLE_RATE), dtype=np.int16), second,
              meeting[int(CLOSING * SAMPLE_RATE):]]
    with wave.open(str(work / "meeting.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(np.concatenate(pieces).astype("<i2").tobytes())
    lines = (FIXTURES / "seed" / "official.txt").read_text(encoding="utf-8").splitlines()
    (work / "first.txt").write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")  # title and paragraphs 1-3

    truth = json.loads((FIXTURES / "seed" / "seed_meeting_truth.json").read_text(encoding="utf-8"))
    return {
        "work": work,
        "second_text": clip.text,
        "second_title": title,
        "second_term": term,
        "first": [s for s in truth["sentences"] if s["paragraph"] <= 3],
        "second": [{"official": clip.paragraph(k), "start": start + offset_b, "end": end + offset_b}
                   for k, (start, end) in clip.spans.items()],
        "host": [(h["start"], h["end"]) if h["part"] == "intro" else (h["start"] + offset_c, h["end"] + offset_c)
                 for h in truth["host"]],
        "second_span": (offset_b, offset_b + len(second) / SAMPLE_RATE),
    }


def rows(db, sql):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def archive(recording):
    work = recording["work"]
    db = work / "archive.db"
    ingest(work / "meeting.wav", [work / "first.txt", recording["second_text"]], db,
           IngestOptions(meeting_id="county", speakers=("县委书记", "县长")), progress=False)
    return db


def covered(span, intervals):
    start, end = span
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in intervals) / (end - start)


def test_each_speech_is_timed_where_it_was_said(archive, recording):
    speeches = rows(archive, "select * from speeches order by seq")
    assert [(s["seq"], s["speaker"], s["title"]) for s in speeches] == [
        (0, "县委书记", "在2022年全县乡镇（街道）党（工）委书记座谈会上的发言"), (1, "县长", recording["second_title"])]
    sentences = {(s["paragraph_seq"], s["seq"]): s for s in rows(archive, "select * from sentences")}
    first_ids = {s["speech_id"] for (p, _), s in sentences.items() if p <= 3}
    assert first_ids == {"county_s00"}

    errors = []
    for t in recording["first"]:
        ours = sentences[(t["paragraph"], t["sentence"])]
        if t["status"] == "not_spoken":
            assert ours["status"] == "not_spoken", ours
            continue
        assert ours["start"] is not None, (t, ours)  # every spoken sentence timed
        errors.append(abs(ours["start"] - t["start"]))
    assert np.median(errors) <= 0.08 and np.percentile(errors, 95) <= 0.3, errors

    second = rows(archive, "select * from paragraphs where speech_id = 'county_s01' order by seq")
    assert [p["text"] for p in second][1:] == [t["official"] for t in recording["second"]]
    for p, t in zip(second[1:], recording["second"]):
        assert p["status"] == "spoken" and t["start"] - 0.3 <= p["start"] < p["end"] <= t["end"] + 0.3, (p, t)


def test_no_sentence_of_one_speech_inside_the_other(archive, recording):
    lo, hi = recording["second_span"]
    for s in rows(archive, "select * from sentences where start is not null"):
        inside = lo - 0.2 <= s["start"] <= hi + 0.2
        assert inside == (s["speech_id"] == "county_s01"), s


def test_the_host_is_kept_once_as_unscripted_outside_the_speeches(archive, recording):
    passages = rows(archive, "select * from unscripted")
    outside = [(u["start"], u["end"]) for u in passages if u["speech_id"] is None]
    host = recording["host"]
    share = sum(covered(h, outside) * (h[1] - h[0]) for h in host) / sum(h[1] - h[0] for h in host)
    assert share >= 0.8, (share, outside, host)


async def test_search_rows_and_the_meeting_page_name_both_speakers(archive, recording):
    ds = make_datasette(archive)
    hits = (await ds.client.get("/search.json", params={"q": recording["second_term"]})).json()["rows"]
    assert [(h["speaker"], h["speech_title"]) for h in hits] == [("县长", recording["second_title"])]
    hits = (await ds.client.get("/search.json", params={"q": "同志们"})).json()["rows"]
    assert hits and hits[0]["speaker"] == "县委书记"
    page = (await ds.client.get("/meeting/county")).text
    assert "县委书记" in page and "县长" in page


def test_texts_given_out_of_order_are_placed_as_spoken_without_transcribing_again(recording, tmp_path):
    work = recording["work"]
    result = ingest(work / "meeting.wav", [recording["second_text"], work / "first.txt"],
                    tmp_path / "other.db", IngestOptions(meeting_id="county", speakers=("县长", "县委书记")),
                    progress=False)
    assert result.transcript_cached
    assert [s["speaker"] for s in rows(tmp_path / "other.db", "select * from speeches order by seq")] == \
        ["县委书记", "县长"]


def test_a_text_of_another_recording_among_the_speeches_is_refused_by_name(recording, english, tmp_path):
    work = recording["work"]
    with pytest.raises(IngestError, match=english.text.name):
        ingest(work / "meeting.wav", [work / "first.txt", english.text],
               tmp_path / "wrong.db", IngestOptions(meeting_id="county"), progress=False)
    assert not (tmp_path / "wrong.db").exists()
    assert not (tmp_path / "media").exists()  # the web copy, begun while Whisper ran, is stopped and removed
