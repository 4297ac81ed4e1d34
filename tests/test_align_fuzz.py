"""Property test: any text and transcript give ordered spans inside the audio, or a WrongTextError."""

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from podium.alignment import Word, WrongTextError, align

ALPHABET = "今天我们召开全县经济工作会议的主要任务是总结过去一年**（）。，；！？ \nabc123%."


@st.composite
def cases(draw):
    text = draw(st.text(alphabet=ALPHABET, max_size=200))
    pieces = draw(st.lists(st.text(alphabet=ALPHABET.replace("*", ""), min_size=0, max_size=4), max_size=80))
    if text and draw(st.booleans()):  # mostly the text itself, cut into words, with the random pieces mixed in
        cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=60)))
        read = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
        pieces = [p for pair in zip(read, pieces + [""] * len(read)) for p in pair]
    durations = draw(st.lists(st.floats(0.0, 1.0), min_size=len(pieces), max_size=len(pieces)))
    words, t = [], 0.0
    for piece, d in zip(pieces, durations):
        words.append(Word(piece, t, t + d))
        t += d
    levels = None
    if draw(st.booleans()):  # a level for each 10 ms frame: pauses wherever the draw puts them
        frames = max(1, int(t / 0.01))
        levels = np.array(draw(st.lists(st.sampled_from([-80.0, -20.0]), min_size=frames, max_size=frames)))
    return text, words, t, levels


@settings(max_examples=300, deadline=None)
@given(cases())
def test_spans_are_ordered_and_inside_the_audio(case):
    text, words, duration, levels = case
    try:
        result = align(text, words, levels=levels)
    except WrongTextError:
        return
    event("aligned")
    for span in result.sentences + result.paragraphs:
        assert span.status in ("spoken", "partial", "not_spoken")
        assert 0.0 <= span.confidence <= 1.0
        if span.status == "not_spoken":
            assert span.start is None and span.end is None
        else:
            assert 0.0 <= span.start <= span.end <= duration + 1e-6
    starts = [s.start for s in result.sentences if s.start is not None]
    assert starts == sorted(starts)
    for passage in result.unscripted:
        assert 0.0 <= passage.start <= passage.end <= duration + 1e-6
