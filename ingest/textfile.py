"""Read an official text as Podium takes it: the title on the first line, then one paragraph per line.

The file's suffix says how it is read:
- .txt, .text or none: plain text, whatever its encoding (below), as it is.
- .docx, .pdf (with a text layer), .html/.htm: by podium.ingest.documents, one library
  made for each format. A web page is first decoded here, by the charset it declares.
Anything else (.doc, .wps, .rtf, .odt...) is refused with a message that says what to
save it as. Every refusal is a TextFileError: one line, starting with the file's name.

Text encodings accepted: UTF-8 with or without BOM, UTF-16 with BOM, GB18030 (and so GBK and
GB2312), common for Chinese documents. Big5 and Shift-JIS bytes also decode as
GB18030 without error, into characters no Chinese document uses together, so a
GB18030 reading is accepted only when its Chinese characters are nearly all
common ones (in GB2312) and charset-normalizer does not name another encoding.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from podium.alignment.text import is_cjk

from . import documents

GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "cp936"}
MIN_COMMON_SHARE = 0.9  # GBK texts are mostly GB2312 characters; Big5/Shift-JIS read as GBK are not

TEXT_SUFFIXES = {"", ".txt", ".text"}
READ_FORMATS = ".txt, .docx, .pdf (with a text layer) and .html"
# formats a word processor can save as .docx: say so when refusing them
WORD_PROCESSOR_SUFFIXES = {".doc", ".wps", ".rtf", ".odt", ".docm", ".dotx", ".dot", ".pages"}
# where a web page declares its encoding: <meta charset=...>, <meta http-equiv... charset=...>, <?xml encoding=...?>
_DECLARED_CHARSET = re.compile(rb"""(?:<meta[^>]*?charset|<\?xml[^>]*?encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class TextFileError(ValueError):
    """The official text is missing, empty, binary, damaged, in an unsupported encoding or format."""


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


def decode_html(data: bytes, name: str) -> str:
    """Decode a web page by the charset it declares, else as a text file is decoded.

    A byte-order mark overrides the declaration, as in browsers; a declared charset that
    is unknown or does not decode the bytes is ignored.
    """
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        charset = declared.group(1).decode("ascii").lower()
        # pages declared GB2312 or GBK hold characters beyond those sets; GB18030 reads them all
        if charset in {"gb2312", "gbk", "x-gbk", "cp936"}:
            charset = "gb18030"
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


def read_official_text(path: str | Path) -> str:
    """The official text of a meeting: the title on line 0, then one paragraph per line.

    A .txt comes back as it is (with normalised line ends); a .docx, .pdf or .html as
    podium.ingest.documents reads it.

    :raises TextFileError: missing, unreadable, damaged, binary, wrongly encoded, empty,
        a PDF without a text layer, or a format that is not read.
    """
    path = Path(path)
    if not path.is_file():
        raise TextFileError(f"{path}: no such text file")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        text = decode_text(path.read_bytes(), str(path))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        empty = "the text file is empty"
    else:
        text = _read_document(path, suffix)
        empty = "the document holds no text"
    if not text.strip():
        raise TextFileError(f"{path}: {empty}")
    return text


def _read_document(path: Path, suffix: str) -> str:
    try:
        if suffix == ".docx":
            return documents.read_docx(path)
        if suffix == ".pdf":
            return documents.read_pdf(path)
        if suffix in (".html", ".htm"):
            return documents.read_html(decode_html(path.read_bytes(), str(path)))
    except documents.DocumentError as e:
        raise TextFileError(f"{path}: {e}") from e
    if suffix in WORD_PROCESSOR_SUFFIXES:
        raise TextFileError(
            f"{path}: {suffix} files are not read; open it in Word or WPS and save it as .docx "
            f"(Podium reads {READ_FORMATS})"
        )
    raise TextFileError(f"{path}: {suffix} files are not read; Podium reads {READ_FORMATS}")
