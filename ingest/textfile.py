"""Read an official text file whatever its encoding, refusing what is not text.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM, GB18030 (and so GBK and
GB2312), common for Chinese documents. Big5 and Shift-JIS bytes also decode as
GB18030 without error, into characters no Chinese document uses together, so a
GB18030 reading is accepted only when its Chinese characters are nearly all
common ones (in GB2312) and charset-normalizer does not name another encoding.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from podium.alignment.text import is_cjk

GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "cp936"}
MIN_COMMON_SHARE = 0.9  # GBK texts are mostly GB2312 characters; Big5/Shift-JIS read as GBK are not


class TextFileError(ValueError):
    """The official text is missing, empty, binary or in an unsupported encoding."""


def _control_share(text: str) -> float:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return controls / max(1, len(text))


def _common_share(text: str) -> float:
    cjk = [c for c in text if is_cjk(c)]
    if not cjk:
        return 1.0
    common = 0
    for c in cjk:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(cjk)


def decode_text(data: bytes, name: str) -> str:
    """Decode the bytes of a text file named `name` (for messages)."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise TextFileError(f"{name}: not valid UTF-16 ({e.reason})") from e
    elif b"\x00" in data:
        raise TextFileError(f"{name}: a binary file, not a text")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_gb18030(data, name)
    if _control_share(text) > 0.01:
        raise TextFileError(f"{name}: a binary file, not a text")
    return text


def _decode_gb18030(data: bytes, name: str) -> str:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise TextFileError(f"{name}: not UTF-8, UTF-16 or GB18030 text") from e
    guess = from_bytes(data).best()
    guessed = guess.encoding.lower() if guess else ""
    if guessed and guessed not in GB_FAMILY and guessed not in {"ascii", "utf_8"}:
        raise TextFileError(f"{name}: looks like {guessed} text; save it as UTF-8 or GB18030")
    if _common_share(text) < MIN_COMMON_SHARE:
        raise TextFileError(f"{name}: not UTF-8, UTF-16 or GB18030 text (the bytes do not read as Chinese)")
    return text


def read_official_text(path: str | Path) -> str:
    """The official text of a meeting, with normalised line ends.

    :raises TextFileError: missing, unreadable, binary, wrongly encoded or empty.
    """
    path = Path(path)
    if not path.is_file():
        raise TextFileError(f"{path}: no such text file")
    text = decode_text(path.read_bytes(), str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TextFileError(f"{path}: the text file is empty")
    return text
