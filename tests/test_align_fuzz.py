"""Property test: any text and transcript give ordered spans inside the audio, or a WrongTextError; and the
cases reach every status a sentence can have."""

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from podium.alignment import ESTIMATED, NOT_SPOKEN, PARTIAL, SPOKEN, ForcedWord, Word, WrongTextError, align
from podium.alignment.pauses import HOP

ALPHABET = "今天我们召开全县经济工作会议的主要任务是总结过去一年**（）。，；！？ \nabc123%."
CHARACTERS = "今天我们召开全县经济工作会议的主要任务是总结过去一年"


@st.composite
def cases(draw):
    """Any text, and a transcript of random pieces, mostly of the text itself."""
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
    return text, words, t, levels, None, None


@st.composite
def read_aloud(draw):
    """A text of sentences read at a steady pace, each heard by the recogniser, heard in part, lost by it
    (its voice is there, no word covers it) or skipped by the speaker (no voice): the frame levels and the
    voice-activity spans say where the voice is. With a drawn probability, the text of the regions the
    first alignment asks about is force-aligned evenly over each region, every character at that probability."""
    sentences = draw(st.lists(st.text(alphabet=CHARACTERS, min_size=4, max_size=14), min_size=2, max_size=6))
    fates = [draw(st.sampled_from(["heard", "heard", "half", "lost", "skipped"])) for _ in sentences]
    char, pause = draw(st.floats(0.15, 0.35)), draw(st.floats(0.2, 1.2))
    t = draw(st.floats(0.0, 1.0))
    words, voice = [], []
    for sentence, fate in zip(sentences, fates):
        if fate == "skipped":
            continue
        start = t
        for k, c in enumerate(sentence):
            if fate == "heard" or (fate == "half" and k < len(sentence) // 2):
                words.append(Word(c, t, t + char))
            t += char
        voice.append((start, t))
        t += pause
    duration = t + draw(st.floats(0.0, 1.0))
    levels = np.full(max(1, int(duration / HOP)), -70.0)
    for a, b in voice:
        levels[int(a / HOP):int(b / HOP)] = -20.0
    text = "\n".join(["标题"] + [s + "。" for s in sentences])
    probability = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
    return text, words, duration, levels, np.array(voice, dtype=float).reshape(-1, 2), probability


def forced_alignment(text: str, regions, probability: float) -> list[ForcedWord]:
    """What a forced alignment of each region's text would say: its characters spread evenly over the region."""
    words = []
    for region in regions:
        chars = [k for k in range(region.start_char, region.end_char) if text[k].isalnum()]
        step = (region.end - region.start) / max(1, len(chars))
        words += [ForcedWord(k, k + 1, region.start + n * step, region.start + (n + 1) * step, probability)
                  for n, k in enumerate(chars)]
    return words


def test_spans_are_ordered_and_inside_the_audio():
    reached = set()

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(cases(), read_aloud()))
    def check(case):
        text, words, duration, levels, voice, probability = case
        try:
            result = align(text, words, levels=levels, voice=voice)
            if probability is not None and result.regions:
                event("force-aligned")
                result = align(text, words, levels=levels, voice=voice,
                               forced=forced_alignment(text, result.regions, probability))
        except WrongTextError:
            return
        event("aligned")
        for span in result.sentences + result.paragraphs:
            assert span.status in (SPOKEN, PARTIAL, NOT_SPOKEN, ESTIMATED)
            assert 0.0 <= span.confidence <= 1.0
            if span.status == NOT_SPOKEN:
                assert span.start is None and span.end is None
            else:
                assert 0.0 <= span.start <= span.end <= duration + 1e-6
        starts = [s.start for s in result.sentences if s.start is not None]
        assert starts == sorted(starts)
        for passage in result.unscripted:
            assert 0.0 <= passage.start <= passage.end <= duration + 1e-6
        for status in {s.status for s in result.sentences}:
            event(status)
        reached.update(s.status for s in result.sentences)

    check()
    assert reached == {SPOKEN, PARTIAL, NOT_SPOKEN, ESTIMATED}
