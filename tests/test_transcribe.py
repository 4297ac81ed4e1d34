"""What the first pass of the recogniser renders unreliably is dropped, for the recovery pass to decode again."""

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
