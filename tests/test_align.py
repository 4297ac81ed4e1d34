"""The aligner on constructed cases whose answers are known by construction."""

import numpy as np
import pytest

from podium.alignment import NOT_SPOKEN, PARTIAL, SPOKEN, Word, WrongTextError, align
from podium.alignment.pauses import HOP, find_pauses, snap_edges

CHAR = 0.2  # seconds per spoken character
PAUSE = 0.5  # seconds between spoken pieces


def speak(*pieces: str, start: float = 1.0):
    """Words of one character each, CHAR seconds long, PAUSE between pieces; and each piece's span."""
    words, spans, t = [], [], start
    for piece in pieces:
        piece = "".join(ch for ch in piece if ch.isalnum())  # punctuation is not spoken
        spans.append((t, t + CHAR * len(piece)))
        for ch in piece:
            words.append(Word(ch, t, t + CHAR))
            t += CHAR
        t += PAUSE
    return words, spans


S1 = "今天我们召开全县经济工作会议。"
S2 = "会议的主要任务是总结过去一年的工作。"
S3 = "同时部署明年的重点任务和具体措施。"
TEXT = f"{S1}{S2}{S3}"


def test_exact_reading_gets_exact_times():
    words, spans = speak(S1, S2, S3)
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN] * 3
    for s, (start, end) in zip(result.sentences, spans):
        assert s.start == pytest.approx(start)
        assert s.end == pytest.approx(end)
    assert result.unscripted == []


def test_skipped_sentence_is_not_spoken_with_no_times():
    words, spans = speak(S1, S3)
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN, NOT_SPOKEN, SPOKEN]
    assert result.sentences[1].start is None and result.sentences[1].end is None
    assert result.sentences[2].start == pytest.approx(spans[1][0])
    assert result.paragraphs[0].status == PARTIAL


def test_confidence_ranks_spoken_above_unspoken():
    words, _ = speak(S1, S3)
    result = align(TEXT, words)
    spoken = [s.confidence for s in result.sentences if s.status == SPOKEN]
    unspoken = [s.confidence for s in result.sentences if s.status == NOT_SPOKEN]
    assert min(spoken) > max(unspoken)
    assert all(0.0 <= c <= 1.0 for c in spoken + unspoken)


def test_inserted_passage_is_unscripted_with_its_times():
    adlib = "这里我再多说两句大家回去一定要传达"
    words, spans = speak(S1, adlib, S2, S3)
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN] * 3
    assert len(result.unscripted) == 1
    passage = result.unscripted[0]
    assert passage.text == adlib
    assert (passage.start, passage.end) == pytest.approx(spans[1])
    assert result.sentences[1].start == pytest.approx(spans[2][0])


def test_host_before_and_after_is_kept_apart():
    intro, closing = "同志们现在开会下面请张书记讲话", "刚才张书记作了很好的讲话散会"
    words, spans = speak(intro, S1, S2, S3, closing)
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN] * 3
    assert result.sentences[0].start == pytest.approx(spans[1][0])
    assert result.sentences[2].end == pytest.approx(spans[3][1])
    assert [u.start for u in result.unscripted] == pytest.approx([spans[0][0], spans[4][0]])
    assert [u.end for u in result.unscripted] == pytest.approx([spans[0][1], spans[4][1]])


def test_repeated_phrase_is_one_sentence_plus_an_unscripted_stumble():
    words, spans = speak(S1, "会议的主要任务", S2, S3)
    result = align(TEXT, words)
    assert [s.status for s in result.sentences] == [SPOKEN] * 3
    assert len(result.unscripted) == 1 and result.unscripted[0].text == "会议的主要任务"


def test_unscripted_passages_are_where_the_voice_is():
    adlib, ghost = "这里我再多说两句请大家务必传达", "谢谢观看"
    words, spans = speak(S1, adlib, S2, S3, ghost)
    voice = np.array(spans[:4])  # the voice model hears the four pieces said, nothing under the last words
    # a decoder's words may run over the pause before the speech: the passage starts where the voice does
    words = [Word(w.text, w.start - 0.3, w.end) if w.start == spans[1][0] else w for w in words]
    result = align(TEXT, words, voice=voice)
    assert [u.text for u in result.unscripted] == [adlib]
    assert (result.unscripted[0].start, result.unscripted[0].end) == pytest.approx(spans[1])


def test_a_phrase_garbled_twice_is_the_text_misheard_and_an_inserted_one_is_off_script():
    # what Whisper base heard of this sentence under applause (benchmark_rooms, applause 0 dB): 各项会议活动
    # garbled as 亚国的一回合 and given twice; 回 and 一 sound like 会 and 议, single chance matches
    text = "工作节奏越来越快、工作要求越来越实，各项会议活动、检查调研，马不停蹄，接踵而至。"
    heard = ["工作", "节", "奏", "越", "来", "越", "快,", "工作", "要", "求", "越", "来", "越", "新,",
             "亚", "国", "的", "一", "回", "合,", "亚", "国", "的", "一", "回", "合。", "马", "不", "停", "提,",
             "接", "种", "而", "至。"]
    words = [Word(w, 0.2 * k, 0.2 * (k + 1)) for k, w in enumerate(heard)]
    result = align(text, words, language="zh")
    assert result.sentences[0].status == SPOKEN and result.unscripted == []
    # a remark of its own in the same place, the text heard on both sides of it: off-script
    said = heard[:13] + ["实,", "各", "项", "会", "议", "活", "动,", "检", "查", "调", "研,", "这", "一", "点", "我",
                         "要", "强", "调"] + heard[26:]
    words = [Word(w, 0.2 * k, 0.2 * (k + 1)) for k, w in enumerate(said)]
    assert [u.text for u in align(text, words, language="zh").unscripted] == ["这一点我要强调"]


def test_redaction_absorbs_the_spoken_name_and_never_publishes_it():
    text = "今天上午**县长向大会作了政府工作报告。"
    words, spans = speak("今天上午欧阳县长向大会作了政府工作报告")
    result = align(text, words)
    assert result.sentences[0].status == SPOKEN
    assert result.sentences[0].start == pytest.approx(spans[0][0])
    assert all("欧" not in u.text and "阳" not in u.text for u in result.unscripted)


def test_homophone_errors_still_align():
    words, spans = speak(S1.replace("全县", "权限"), S2, S3)
    result = align(TEXT, words)
    assert result.sentences[0].status == SPOKEN
    assert result.sentences[0].start == pytest.approx(spans[0][0])


def test_digits_in_the_transcript_meet_words_in_the_text():
    words, spans = speak("全县八十多万人只有十六个乡镇")
    result = align("全县80多万人，只有16个乡镇。", words)
    assert result.sentences[0].status == SPOKEN and result.sentences[0].confidence == 1.0


def test_unspoken_gloss_leaves_the_sentence_spoken_with_its_times():
    words, spans = speak("身不先则不信", S1)
    result = align("身不先，则不信（自身不作表率，人就不会服从）。" + S1, words)
    assert result.sentences[0].status in (SPOKEN, PARTIAL)
    assert (result.sentences[0].start, result.sentences[0].end) == pytest.approx(spans[0])


def test_words_the_asr_dropped_at_an_edge_still_count_in_the_span():
    words, spans = speak(S1, S2, S3)
    dropped = [w for w in words if not (spans[1][1] - 3 * CHAR - 1e-9 <= w.start < spans[1][1])]
    result = align(TEXT, dropped)
    assert result.sentences[1].status == SPOKEN
    assert result.sentences[1].end == pytest.approx(spans[1][1])


def test_half_spoken_sentence_is_partial():
    words, _ = speak("会议的主要任务是", S3)
    result = align(S2 + S3, words)
    assert result.sentences[0].status == PARTIAL


def test_wrong_text_is_refused():
    words, _ = speak("而对楼市成交抑制作用最大的限购", "也成为地方政府的眼中钉")
    with pytest.raises(WrongTextError):
        align(TEXT, words)


def test_english_alignment():
    text = "Ask not what your country can do for you. Ask what you can do for your country."
    words = [Word(" " + w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(text.replace(".", "").split())]
    result = align(text, words)
    assert [s.status for s in result.sentences] == [SPOKEN, SPOKEN]
    assert result.sentences[1].start == pytest.approx(9 * 0.4)


def test_edges_snap_to_the_pauses_around_them():
    levels = np.full(600, -20.0)  # 6 s of speech
    levels[100:150] = -80  # pause 1.0-1.5 s
    levels[300:320] = -80  # comma pause 3.0-3.2 s
    levels[450:500] = -80  # pause 4.5-5.0 s
    pauses = find_pauses(levels)
    assert len(pauses) == 3
    # Whisper put the first token's start in the pause and the last token's end early
    edges = np.array([[1.1, 1.7, 4.1, 4.4]])
    (start, end), = snap_edges(edges, pauses, reach=0.4)
    assert start == pytest.approx(1.5, abs=HOP * 2)
    assert end == pytest.approx(4.5, abs=HOP * 2)


def test_voiced_spans_and_what_the_words_leave_uncovered():
    from podium.alignment.pauses import covered_share, subtract_spans, voiced_spans

    levels = np.full(1000, -60.0)  # 10 s of silence ...
    levels[100:300] = -20.0  # ... voice from 1 to 3 s
    levels[500:800] = -20.0  # ... and from 5 to 8 s
    voiced = voiced_spans(levels)
    assert np.allclose(voiced, [[1.0, 3.0], [5.0, 8.0]], atol=0.05)
    words = np.array([[1.0, 2.0], [2.0, 3.0], [5.0, 6.0]])
    assert np.allclose(subtract_spans(voiced, words, min_length=0.1), [[6.0, 8.0]], atol=0.05)
    assert covered_share(voiced, words) == pytest.approx(3 / 5, abs=0.02)
    assert covered_share(np.zeros((0, 2)), words) == 1.0


def levels_voiced(spans, duration):
    """Frame levels of a recording that is loud exactly within `spans` (seconds)."""
    levels = np.full(int(duration / HOP), -70.0)
    for start, end in spans:
        levels[int(start / HOP):int(end / HOP)] = -20.0
    return levels


def test_a_sentence_said_but_not_heard_is_estimated_where_its_voice_is():
    from podium.alignment import ESTIMATED

    said, spans = speak(S1, S2, S3)
    heard = [w for w in said if not spans[1][0] <= w.start < spans[1][1]]  # the recogniser lost S2
    result = align(TEXT, heard, levels=levels_voiced(spans, spans[-1][1] + 1.0))
    assert [s.status for s in result.sentences] == [SPOKEN, ESTIMATED, SPOKEN]
    middle = result.sentences[1]
    assert middle.start == pytest.approx(spans[1][0], abs=0.1) and middle.end == pytest.approx(spans[1][1], abs=0.1)
    assert result.paragraphs[0].status == SPOKEN
    assert result.voiced_coverage == pytest.approx(1 - (spans[1][1] - spans[1][0]) / sum(b - a for a, b in spans),
                                                   abs=0.03)


def test_a_sentence_skipped_by_the_speaker_stays_not_spoken_with_levels():
    said, spans = speak(S1, S3)  # S3 follows S1 after an ordinary pause: no room for S2
    result = align(TEXT, said, levels=levels_voiced(spans, spans[-1][1] + 1.0))
    assert [s.status for s in result.sentences] == [SPOKEN, NOT_SPOKEN, SPOKEN]
    assert result.sentences[1].start is None and result.voiced_coverage == pytest.approx(1.0, abs=0.02)


def test_a_recording_mostly_of_digital_silence_has_its_speech_found():
    from podium.alignment.pauses import voiced_spans

    levels = np.full(100_000, -100.0)  # 1000 s of digital zeros (padding) ...
    levels[1000:1500] = -55.0  # ... around 5 s of a room: its noise ...
    levels[1050:1200] = -25.0  # ... and two utterances
    levels[1260:1450] = -25.0
    assert np.allclose(voiced_spans(levels), [[10.5, 12.0], [12.6, 14.5]], atol=0.05)


def test_a_quiet_second_speaker_after_a_loud_one_is_voice():
    from podium.alignment.pauses import voiced_spans

    levels = np.full(12_000, -70.0)  # 120 s of room noise ...
    for start in range(0, 6000, 500):  # ... a loud speaker for a minute, 4 s on and 1 s off ...
        levels[start:start + 400] = -15.0
    for start in range(7000, 12_000, 500):  # ... then a speaker 30 dB quieter
        levels[start:start + 400] = -45.0
    voiced = voiced_spans(levels)
    quiet = voiced[voiced[:, 0] > 65]
    assert len(quiet) == 10 and np.allclose(quiet[0], [70.0, 74.0], atol=0.05)
    assert len(voiced[voiced[:, 0] < 60]) == 12
