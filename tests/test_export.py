"""`podium export`: CSV, JSON, SRT and WebVTT that validate, and audio clips."""

import csv
import io
import json
import re

import pytest

from conftest import SITE_SPEAKER, copy_archive, podium

from podium.ingest.export import to_srt, to_vtt

SRT_CUE = re.compile(r"^(\d+)\n(\d{2}:\d{2}:\d{2},\d{3}) --> (\d{2}:\d{2}:\d{2},\d{3})\n(.+)$", re.S)
VTT_CUE = re.compile(r"^(\d{2}:\d{2}:\d{2}\.\d{3}) --> (\d{2}:\d{2}:\d{2}\.\d{3})\n(.+)$")


def row(seq, start, end, text, status="spoken"):
    return {"meeting_id": "m", "speaker": None, "paragraph_seq": 0, "seq": seq, "start": start, "end": end, "start_hms": None,
            "end_hms": None, "status": status, "confidence": 1.0, "text": text}


ROWS = [row(0, 1.5, 3.25, "第一句 <b>&amp; “引号”"), row(1, None, None, "没有讲的句子。", "not_spoken"),
        row(2, 3661.0, 3662.004, "two\n\nlines --> arrow")]


def test_srt_cues_are_numbered_timed_and_never_broken():
    cues = to_srt(ROWS).strip("\n").split("\n\n")
    assert len(cues) == 2  # the sentence that was not spoken has no cue
    parsed = [SRT_CUE.match(c).groups() for c in cues]
    assert [p[0] for p in parsed] == ["1", "2"]
    assert parsed[0][1:3] == ("00:00:01,500", "00:00:03,250")
    assert parsed[1][1:3] == ("01:01:01,000", "01:01:02,004")
    assert parsed[1][3] == "two lines → arrow"


def test_vtt_has_a_header_escapes_text_and_skips_unspoken():
    text = to_vtt(ROWS)
    assert text.startswith("WEBVTT\n\n")
    cues = text[len("WEBVTT\n\n"):].strip("\n").split("\n\n")
    parsed = [VTT_CUE.match(c).groups() for c in cues]
    assert parsed[0] == ("00:00:01.500", "00:00:03.250", "第一句 &lt;b&gt;&amp;amp; “引号”")
    assert "-->" not in parsed[1][2]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, site_archive):
    return copy_archive(site_archive, tmp_path_factory.mktemp("export"))



def test_export_formats_from_the_archive(archive, seed):
    work = archive.parent
    srt = podium("export", "seed", "--format", "srt", cwd=work)
    assert srt.returncode == 0
    # the speaker named, then every spoken sentence in cues within the subtitle norm (the long third takes two);
    # the title was not read
    cues = [SRT_CUE.match(c).group(4) for c in srt.stdout.strip().split("\n\n")]
    assert len(cues) == 4
    assert "".join(cues).replace("\n", "") == f"{SITE_SPEAKER}：" + "".join(seed.paragraph(k) for k in (1, 2, 3))
    out = podium("export", "--all", "--format", "csv", "--bom", "-o", "all.csv", cwd=work)
    assert out.returncode == 0
    data = (work / "all.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 5 and {r["meeting_id"] for r in rows} == {"seed", "en"}
    paragraphs = json.loads(podium("export", "seed", "--format", "json", "--level", "paragraph", cwd=work).stdout)
    assert [p["seq"] for p in paragraphs] == [0, 1, 2, 3]
    refused = podium("export", "--all", "--format", "vtt", cwd=work)
    assert refused.returncode != 0 and "one meeting" in refused.stderr
    missing = podium("export", "nope", cwd=work)
    assert missing.returncode != 0 and "nope" in missing.stderr


def test_clips_cut_each_spoken_segment_in_time_order(archive):
    from podium.ingest.audio import decode

    work = archive.parent
    done = podium("export", "seed", "--format", "csv", "--clips", "clips", cwd=work)
    assert done.returncode == 0
    rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["start"]]
    clips = sorted((work / "clips").iterdir())
    assert len(clips) == len(rows) == 3
    for clip, r in zip(clips, sorted(rows, key=lambda r: float(r["start"]))):
        samples = decode(clip)
        assert len(samples) / 16000 == pytest.approx(float(r["end"]) - float(r["start"]), abs=0.1)


def test_long_sentences_become_cues_within_the_subtitle_norm():
    """Simplified Chinese: at most 16 characters a line (punctuation not counted), 2 lines, 7 s a cue."""
    sentence = ("要坚持以人民为中心的发展思想，把群众满意不满意作为检验工作的根本标准，"
                "在就业、教育、医疗、养老等方面持续用力，一件一件抓落实，一年一年见成效，"
                "让改革发展成果更多更公平惠及全体人民。")
    rows = [row(0, 10.0, 31.0, sentence), row(1, 40.0, 41.0, "短句。")]
    cues = [SRT_CUE.match(c).groups() for c in to_srt(rows).strip("\n").split("\n\n")]
    lines = [c[3].split("\n") for c in cues]
    assert "".join("".join(ls) for ls in lines[:-1]) == sentence and lines[-1] == ["短句。"]  # nothing lost or added
    assert all(len(ls) <= 2 for ls in lines)
    assert all(len(re.sub(r"[，、。；：“”（）]", "", line)) <= 16 for ls in lines for line in ls)
    seconds = [seconds_of(c[2]) - seconds_of(c[1]) for c in cues]
    assert len(cues) >= 4 and all(s <= 7.0 + 1e-3 for s in seconds)
    starts = [c[1] for c in cues]
    assert starts == sorted(starts) and cues[0][1] == "00:00:10,000" and cues[-2][2] == "00:00:31,000"


def test_english_cues_keep_words_whole_within_42_characters_a_line():
    text = ("Printing, in the only sense with which we are at present concerned, differs from most if not from all "
            "the arts and crafts represented in the Exhibition")
    cues = [SRT_CUE.match(c).groups() for c in to_srt([row(0, 0.0, 9.6, text)]).strip("\n").split("\n\n")]
    lines = [line for c in cues for line in c[3].split("\n")]
    assert " ".join(lines) == text and all(len(line) <= 42 for line in lines)


def seconds_of(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return 3600 * int(h) + 60 * int(m) + float(s)