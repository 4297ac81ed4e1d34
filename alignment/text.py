"""Text normalisation that keeps offsets back to the original text.

Both sides of an alignment -- the official text and the Whisper transcript --
are turned into a list of `Token`s: one comparable unit each (a Chinese
character, a Latin letter or digit, a spoken number syllable, a redaction
wildcard), carrying the offset of the original character it came from.
Tokens are compared by `key`: toneless pinyin for Chinese characters, so that
homophones (the most common Chinese ASR error) still match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import cn2an
import opencc
from pypinyin import Style, pinyin

# A run of these in the official text marks a redacted name or number.
REDACTION_CHARS = "*＊"
WILDCARD = "\x00*"  # key of a redaction token: equal to no other key

_OPEN_BRACKETS = "（(［[【〔"
_CLOSE_BRACKETS = "）)］]】〕"

# A number as written: digits with optional thousands commas / decimal part,
# with an optional percent sign before or after.
_NUMBER = re.compile(r"%?\d+(?:,\d{3})*(?:\.\d+)?%?")  # matched after NFKC: ％ is %


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable unit of normalised text."""

    key: str  # what is compared: pinyin syllable, lower-case letter, digit or WILDCARD
    offset: int  # index of the source character in the original text
    optional: bool = False  # inside brackets: a stage note or gloss that may go unspoken

    @property
    def wildcard(self) -> bool:
        return self.key == WILDCARD

    @property
    def required(self) -> bool:
        """Whether the text counts as not said without it: not a gloss, not a redaction."""
        return not self.optional and not self.wildcard


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ffff"


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, same length where OpenCC allows it."""
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Simplified -> traditional Chinese."""
    return _converter("s2t").convert(text)


def detect_language(text: str) -> str:
    """'zh' when the text is mostly Chinese characters, else 'en'."""
    cjk = sum(1 for c in text if is_cjk(c))
    letters = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk >= letters / 4 and cjk > 0 else "en"


@lru_cache(maxsize=None)
def char_key(char: str) -> str:
    """Toneless pinyin of one (simplified) Chinese character; the character itself otherwise.

    Each character gets its default reading, without phrase context, so that the
    same character always has the same key on both sides of an alignment.
    """
    if is_cjk(char):
        return pinyin(char, style=Style.NORMAL, heteronym=False, errors="default")[0][0]
    return char


def spoken_number(written: str, next_char: str = "") -> str:
    """How a Chinese speaker reads a number written with digits.

    '2022' before 年 is read digit by digit, '3.2%' as 百分之三点二,
    '52.6' as 五十二点六, '18650' as 一万八千六百五十.
    """
    percent = "%" in written
    digits = written.strip("%").replace(",", "")
    integer, _, fraction = digits.partition(".")
    if (next_char == "年" and len(integer) == 4 and not fraction) or len(integer) > 12:
        reading = "".join(cn2an.an2cn(d) for d in integer)
    else:
        reading = cn2an.an2cn(integer, "low")
    if fraction:
        reading += "点" + "".join(cn2an.an2cn(d) for d in fraction)
    return ("百分之" + reading) if percent else reading


def tokenize(text: str, *, language: str = "zh", redactions: bool = True) -> list[Token]:
    """Normalise `text` into comparable tokens with offsets into `text`.

    :param language: 'zh' reads digits as Chinese numbers, so that '52.6万' in one
        text meets 五十二点六万 in the other; other languages keep digits.
    :param redactions: treat runs of '*' as one wildcard token (official texts);
        a transcript has no redactions.
    """
    nfkc_chars: list[tuple[str, int]] = []
    for offset, char in enumerate(text):
        for c in unicodedata.normalize("NFKC", char):
            nfkc_chars.append((c, offset))
    plain = "".join(c for c, _ in nfkc_chars)
    simplified = to_simplified(plain)
    if len(simplified) != len(plain):  # rare phrase conversions change length: go char by char
        simplified = "".join(to_simplified(c) if len(to_simplified(c)) == 1 else c for c in plain)
    chars = [(s, offset) for s, (_, offset) in zip(simplified, nfkc_chars)]

    tokens: list[Token] = []
    depth = 0
    i = 0
    while i < len(chars):
        char, offset = chars[i]
        if char in _OPEN_BRACKETS:
            depth += 1
        elif char in _CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        optional = depth > 0
        if redactions and char in REDACTION_CHARS:
            while i + 1 < len(chars) and chars[i + 1][0] in REDACTION_CHARS:
                i += 1
            tokens.append(Token(WILDCARD, offset, optional))
        elif language == "zh" and char.isascii() and (char.isdigit() or char == "%"):
            match = _NUMBER.match(plain, i)
            if match and any(c.isdigit() for c in match.group()):
                end = match.end()
                next_char = chars[end][0] if end < len(chars) else ""
                for c in spoken_number(match.group(), next_char):
                    tokens.append(Token(char_key(c), offset, optional))
                i = end
                continue
        elif is_cjk(char):
            tokens.append(Token(char_key(char), offset, optional))
        elif char.isalnum():
            tokens.append(Token(char.lower(), offset, optional))
        i += 1
    return tokens
