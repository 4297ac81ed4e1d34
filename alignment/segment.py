"""Split an official text into paragraphs and sentences, keeping character offsets.

Paragraphs are the non-empty lines, numbered from 0 in file order (the title
line is paragraph 0). Sentences end at 。！？； (and their ASCII forms when a
space or the line end follows), never inside brackets; a closing quote or
bracket right after the end mark stays with its sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

_CJK_ENDS = "。！？；"
_ASCII_ENDS = ".!?;"
_OPEN = "（(「『“‘《〈【［["
_CLOSE = "）)」』”’》〉】］]"


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the official text: [start, end) in characters."""

    seq: int
    start: int
    end: int
    paragraph_seq: int = 0  # for sentences: the paragraph they belong to


def split_paragraphs(text: str) -> list[Span]:
    """One span per non-empty line, surrounding whitespace excluded."""
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            spans.append(Span(len(spans), start, start + len(stripped)))
        pos += len(line)
    return spans


def split_sentences(text: str, paragraph: Span) -> list[Span]:
    """Sentences of one paragraph, numbered from 0 within it."""
    spans: list[Span] = []
    depth = 0
    start = paragraph.start
    i = paragraph.start
    while i < paragraph.end:
        char = text[i]
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        end_here = False
        if depth == 0 and char in _CJK_ENDS:
            end_here = True
        elif depth == 0 and char in _ASCII_ENDS:
            end_here = i + 1 >= paragraph.end or text[i + 1].isspace()
        if end_here:
            # keep repeated end marks and closing quotes/brackets with the sentence
            while i + 1 < paragraph.end and (text[i + 1] in _CLOSE or text[i + 1] in _CJK_ENDS + "!?"):
                i += 1
            _add(text, spans, start, i + 1, paragraph.seq)
            start = i + 1
        i += 1
    _add(text, spans, start, paragraph.end, paragraph.seq)
    return spans


def _add(text: str, spans: list[Span], start: int, end: int, paragraph_seq: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    start += piece.index(stripped[0])
    spans.append(Span(len(spans), start, start + len(stripped), paragraph_seq))


def split_text(text: str) -> tuple[list[Span], list[Span]]:
    """All paragraphs and all sentences of an official text, in order."""
    paragraphs = split_paragraphs(text)
    sentences = [s for p in paragraphs for s in split_sentences(text, p)]
    return paragraphs, sentences
