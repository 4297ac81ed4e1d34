"""The known-text evidence in the aligner: regions the transcript cannot place, forced-alignment words
weighed against the transcript, and edges moved to where a voice-activity model hears speech. Constructed
cases whose answers are known by construction (no model); the real forced alignment is tested at the end."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from podium.alignment import ESTIMATED, NOT_SPOKEN, SPOKEN, ForcedWord, Word, align, to_check
from podium.alignment.pauses import snap_to_voice

from conftest import shared
from test_align import S1, S2, S3, TEXT, speak


def forced_words(text: str, sentence: str, start: float, probability: float, char: float = 0.2) -> list[ForcedWord]:
    """What a forced alignment would say of `sentence` (a part of `text`) said from `start`, a character
    every `char` seconds, each with `probability`."""
    offset = text.index(sentence)
    spoken = [(k, c) for k, c in enumerate(sentence, offset) if c.isalnum()]
    return [ForcedWord(k, k + 1, start + n * char, start + (n + 1) * char, probability)
            for n, (k, _) in enumerate(spoken)]


def test_a_sentence_the_transcript_missed_is_a_region_and_takes_the_forced_times():
    said, spans = speak(S1, S2, S3)
    heard = [w for w in said if not spans[1][0] <= w.start < spans[1][1]]
    voice = np.array(spans)
    first = align(TEXT, heard, voice=voice)
    assert len(first.regions) == 1
    region = first.regions[0]
    assert TEXT[region.start_char:region.end_char] == S2
    assert region.start == pytest.approx(spans[0][1]) and region.end == pytest.approx(spans[2][0])

    result = align(TEXT, heard, voice=voice, forced=forced_words(TEXT, S2, spans[1][0], 0.8))
    middle = result.sentences[1]
    assert middle.status == SPOKEN and middle.confidence == pytest.approx(0.8)
    assert middle.start == pytest.approx(spans[1][0], abs=0.01) and middle.end == pytest.approx(spans[1][1], abs=0.01)
    assert not to_check(middle.status, middle.confidence)


@pytest.mark.parametrize("probability, status", [(0.05, NOT_SPOKEN), (0.3, ESTIMATED)])
def test_the_forced_alignment_rejects_or_doubts_text_that_is_not_there(probability, status):
    said, spans = speak(S1, "这是一段完全不同的即兴讲话内容", S3)  # voice where S2 would be, but other words
    heard = [w for w in said if not spans[1][0] <= w.start < spans[1][1]]
    result = align(TEXT, heard, voice=np.array(spans), forced=forced_words(TEXT, S2, spans[1][0], probability))
    middle = result.sentences[1]
    assert middle.status == status
    assert to_check(middle.status, middle.confidence) == (status == ESTIMATED)
    if status == NOT_SPOKEN:
        assert middle.start is None and middle.confidence == pytest.approx(1 - probability)
    else:
        assert middle.start == pytest.approx(spans[1][0], abs=0.01)


def test_a_skip_with_no_voice_between_its_neighbours_needs_no_forced_alignment():
    said, spans = speak(S1, S3)
    result = align(TEXT, said, voice=np.array(spans))
    assert result.regions == []
    assert [s.status for s in result.sentences] == [SPOKEN, NOT_SPOKEN, SPOKEN]


def test_a_word_stretched_over_skipped_speech_does_not_place_its_sentence():
    """Whisper skipped S2 and stretched the first word of S3 back over it: S3 would start at S2's start."""
    said, spans = speak(S1, S2, S3)
    heard = [w for w in said if not spans[1][0] <= w.start < spans[1][1]]
    k = next(i for i, w in enumerate(heard) if w.start >= spans[2][0])
    heard[k] = Word(heard[k].text, spans[1][0], heard[k].end)  # 3.8 s for one character
    first = align(TEXT, heard, voice=np.array(spans))
    assert [TEXT[r.start_char:r.end_char] for r in first.regions] == [S2]  # S3 no longer covers S2's time
    assert first.sentences[2].start == pytest.approx(spans[2][0], abs=0.01)


def test_what_the_transcript_misheard_inside_a_forced_sentence_is_not_off_script():
    said, spans = speak(S1, "会议" + "忽然听见窗外有人大声喊叫" * 3, S3)  # S2's time: its first word, then garble
    result = align(TEXT, said, voice=np.array(spans))
    assert [p.text for p in result.unscripted]  # without the forced alignment: an off-script passage
    forced = forced_words(TEXT, S2, spans[1][0], 0.7, char=(spans[1][1] - spans[1][0]) / 17)  # S2 is there
    result = align(TEXT, said, voice=np.array(spans), forced=forced)
    assert result.sentences[1].status == SPOKEN and result.unscripted == []


def test_edges_move_to_the_voice_out_of_room_noise_and_stay_where_levels_agree():
    # one row: start, end of its first unit, start of its last unit, end
    edges = np.array([[10.0, 10.9, 13.5, 14.0],  # starts in room noise 0.6 s before the voice
                      [20.05, 20.3, 22.0, 22.4]])  # starts 0.05 s before the voice model hears it: agree
    voice = np.array([[10.6, 13.8], [20.1, 22.35]])
    snapped = snap_to_voice(edges, voice, reach=0.4)
    assert snapped[0] == pytest.approx([10.6, 13.8])
    assert snapped[1] == pytest.approx([20.05, 22.4])


def test_a_first_word_stretched_over_a_pause_starts_at_the_next_speech():
    edges = np.array([[5.0, 7.0, 9.0, 9.5]])  # its first unit spans 5-7 s, mostly the silence before 6.8 s
    voice = np.array([[2.0, 5.2], [6.8, 9.5]])
    assert snap_to_voice(edges, voice, reach=0.4)[0] == pytest.approx([6.8, 9.5])


# --- the real forced alignment, on the bundled seed speech -------------------------------------------------

@pytest.mark.slow
def test_forced_alignment_finds_known_text_and_rejects_other_text(fixtures):
    from podium.alignment import Region, split_text
    from podium.ingest import audio
    from podium.ingest.engines import settings_for
    from podium.ingest.forced import force_align
    from podium.ingest.textfile import read_official_text

    seed = fixtures / "seed"
    text = read_official_text(seed / "official.txt")
    truth = {(s["paragraph"], s["sentence"]): s for s in
             json.loads((seed / "seed_plain_truth.json").read_text(encoding="utf-8"))["sentences"]}
    samples = audio.decode(seed / "seed_plain.mp3")
    _, sentences = split_text(text)
    one = next(s for s in sentences if s.paragraph_seq >= 1 and s.seq == 1)  # a sentence inside a paragraph
    far = next(s for s in sentences if s.paragraph_seq == one.paragraph_seq + 3)
    t = truth[(one.paragraph_seq, one.seq)]
    here = Region(one.start, one.end, t["start"] - 1.0, t["end"] + 1.0)
    elsewhere = Region(far.start, far.end, t["start"] - 1.0, t["end"] + 1.0)  # another sentence's text
    for engine in ("faster-whisper", "openai-whisper"):
        words = force_align(samples, text, [here, elsewhere], engine=engine, model="base",
                            settings=settings_for(engine, "zh"), language="zh", audio_sha256="test-" + engine)
        found = [w for w in words if w.start_char < one.end]
        other = [w for w in words if w.start_char >= far.start]
        assert np.mean([w.probability for w in found]) >= 0.4 > 0.2 > np.mean([w.probability for w in other])
        assert abs(found[-1].end - t["end"]) < 0.3  # the start is snapped to the voice later; the end holds


@pytest.mark.slow
def test_real_voices_lose_nothing_and_start_where_the_voice_starts(tmp_path):
    zh_voices = shared("zh_voices")  # 34 real voices, third-party: skipped, saying why, where absent
    done = subprocess.run([sys.executable, "-m", "podium", "eval", str(zh_voices / "meeting.flac"),
                           str(zh_voices / "official.txt"), str(zh_voices / "truth.json"), "--json"],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["lost"]["lost"] == 0, report["lost"]
    start = report["sentence_start"]
    assert start["n"] >= 25 and start["missing"] == 0
    assert start["median"] <= 0.10 and start["within_0.25"] >= 0.9 and start["max"] <= 1.0
    assert report["unscripted"]["seconds"] <= 10  # no off-script speech in it: what is left is misheard text


def test_official_text_decoded_twice_is_not_published_as_off_script():
    """A recovery window decoded again over a sentence already heard gives a second, garbled reading of the
    same audio: it repeats the official text over the same time, so it is not an off-script passage."""
    said, spans = speak(S1, S2, S3)
    (s2_start, s2_end) = spans[1]
    again = "会以的主要任务是总节过去一年的公作"  # S2 misheard, as a second decode over its second half
    step = (s2_end - s2_start) / 2 / len(again)
    twice = [Word(c, s2_start + (s2_end - s2_start) / 2 + k * step, s2_start + (s2_end - s2_start) / 2 + (k + 1) * step)
             for k, c in enumerate(again)]
    words = [w for w in said if w.start < s2_end] + twice + [w for w in said if w.start >= s2_end]
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN] * 3
    assert result.unscripted == []
