"""Podium's aligner: official text and timed transcript in, timed spans out.

Pure: no database, no audio, no model. `align()` is the entry point.
"""

from .align import align
from .spans import (CHECK_BELOW, ESTIMATED, NOT_SPOKEN, PARTIAL, SPOKEN, AlignOptions, Alignment, ForcedWord, Passage,
                    Region, TimedSpan, Word, WrongTextError, to_check)
from .segment import Span, split_paragraphs, split_sentences, split_text
from .text import Token, detect_language, tokenize

__all__ = [
    "CHECK_BELOW", "ESTIMATED", "NOT_SPOKEN", "PARTIAL", "SPOKEN", "AlignOptions", "Alignment", "ForcedWord", "Passage", "Region", "Span", "TimedSpan",
    "Token", "Word", "WrongTextError", "align", "detect_language", "split_paragraphs",
    "split_sentences", "split_text", "to_check", "tokenize",
]
