"""What the first pass of the recogniser renders unreliably is dropped, for the recovery pass to decode again."""

import numpy as np
import pytest

from podium.ingest.transcribe import is_unreliable


@pytest.mark.parametrize("text, start, end, unreliable", [
    ("在2022年全縣鄉鎮街道黨工委書記做彈劇上的發言。同志們剛才,幾位領導就如何做好生病者生病者生病者生病者生病者生病者", 0.7, 30.0, True),
    ("但任相當為書記就必須檢查清楚這件事並且被捕捉。", 128.2, 153.3, True),  # 23 characters over 25 s
    ("《機制》", 211.8, 235.6, True),
    ("一代人有一代人的使命,一代人有一代人的擔當。大家都非常清楚。", 294.5, 301.0, False),
    ("And so, my fellow Americans, ask not what your country can do for you.", 0.3, 6.0, False),
    ("谢谢。", 10.0, 11.0, False),  # short, and said in a second
])
def test_loops_and_stretched_segments_are_unreliable(text, start, end, unreliable):
    assert is_unreliable({"text": text, "start": start, "end": end}) is unreliable


@pytest.mark.slow
def test_decoding_on_one_lane_per_core_gives_the_same_words_as_one_batch(fixtures):
    """Cutting each batch into one part per core changes how fast, not what is decoded: the same words; a
    word's times may move by a frame or two of 20 ms, since int8 arithmetic rounds differently with batch size
    (by how much depends on the CPU's int8 kernels: AVX2 or AVX-512 VNNI)."""
    from podium.ingest.audio import decode, to_float
    from podium.ingest.engines import lanes_pipeline, faster_whisper_options, load_model, settings_for

    settings = settings_for("faster-whisper", "zh")
    samples = to_float(decode(fixtures / "seed" / "seed_plain.mp3"))[: 16000 * 75]  # three VAD windows
    whisper = load_model("faster-whisper", "base", settings.compute_type)

    def words(lanes: int) -> list[tuple]:
        pieces, _ = lanes_pipeline(whisper, lanes).transcribe(samples, batch_size=settings.batch_size * lanes,
                                                               **faster_whisper_options(settings))
        return [(w.word, w.start, w.end) for s in pieces for w in s.words]

    one, two = words(1), words(2)
    assert len(one) > 100
    assert [w[0] for w in two] == [w[0] for w in one]
    moved = np.array([abs(a - b) for x, y in zip(one, two) for a, b in zip(x[1:], y[1:])])
    assert (moved <= 0.021).mean() >= 0.95 and moved.max() <= 0.1


def test_the_command_restarts_once_with_malloc_on_huge_pages(tmp_path):
    import os
    import subprocess
    import sys

    code = "import os, podium.__main__ as m; m._restart_on_huge_pages(); print(os.environ['GLIBC_TUNABLES'])"
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "glibc.malloc.hugetlb=1"
    # the user's own setting is kept, and nothing is restarted
    done = subprocess.run([sys.executable, "-c", code], env={**env, "GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"},
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "glibc.malloc.hugetlb=0"
    done = subprocess.run([sys.executable, "-m", "podium", "--version"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "podium" in done.stdout
