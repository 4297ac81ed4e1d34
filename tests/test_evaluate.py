"""`podium eval`'s statistics on a clip-span truth (recordings of real people joined into one), no model."""

import pytest

from podium.alignment.evaluate import evaluate, format_report

TRUTH = {"clips": [
    # a clip of two sentences whose voice onset is known; then one whose onset estimate is not reliable
    {"file": "a.wav", "paragraph": 1, "sentence": 0, "sentence_count": 2, "start": 0.5, "end": 6.0,
     "speech_start": 0.9, "speech_end": 5.8, "speech_estimate_reliable": True},
    {"file": "b.wav", "paragraph": 2, "sentence": 0, "start": 6.5, "end": 9.0,
     "speech_start": 7.5, "speech_end": 8.8, "speech_estimate_reliable": False},
]}


def sentence(paragraph, seq, start, end, status="spoken", confidence=1.0):
    return {"paragraph_seq": paragraph, "seq": seq, "start": start, "end": end, "status": status,
            "confidence": confidence}


def test_every_sentence_of_a_clip_counts_for_losses_and_only_reliable_onsets_for_times():
    rows = [sentence(0, 0, None, None, "not_spoken", 0.0), sentence(1, 0, 1.0, 3.0), sentence(1, 1, None, None,
            "not_spoken", 0.9), sentence(2, 0, 7.0, 8.8, "estimated", 0.3)]
    report = evaluate([], rows, [], TRUTH)
    assert report["lost"] == {"spoken": 3, "lost": 1, "sentences": ["p1s1"]}
    assert report["sentence_start"]["n"] == 1 and report["sentence_start"]["median"] == pytest.approx(0.1)
    assert report["worst_starts"][0]["clip"] == "a.wav" and report["worst_starts"][0]["error"] == pytest.approx(0.1)
    assert [c["sentence"] for c in report["to_check"]] == ["p2s0"]  # estimated; not the sentence not spoken
    assert "worst start p1s0: +0.10 s" in format_report(report)
