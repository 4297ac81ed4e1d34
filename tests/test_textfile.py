import codecs

import pytest

from podium.ingest.textfile import TextFileError, read_official_text

TEXT = "在2022年全县乡镇党委书记座谈会上的发言\n同志们：\n刚才，几位领导就如何做好乡镇工作向大家传授了很多经验和方法。\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "gb18030", "gbk", "crlf"],
)
def test_supported_encodings_read_the_same_text(tmp_path, data):
    path = tmp_path / "official.txt"
    path.write_bytes(data)
    assert read_official_text(path) == TEXT


TRADITIONAL = "這是一個測試文件，我們討論經濟發展與社會穩定的問題。各位同志，今天的會議非常重要。\n" * 3


@pytest.mark.parametrize(
    "data, problem",
    [
        (TRADITIONAL.encode("big5"), "big5"),
        ("日本語のテキストです。これはテストです。会議の資料。\n".encode("shift_jis") * 3, "cp932"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "binary"),
        (b"", "empty"),
        ("  \n\n ".encode(), "empty"),
    ],
    ids=["big5", "shift-jis", "random-bytes", "elf", "zero-length", "blank"],
)
def test_unsupported_or_non_text_is_refused_naming_the_file(tmp_path, data, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(TextFileError) as err:
        read_official_text(path)
    message = str(err.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_missing_text_file(tmp_path):
    with pytest.raises(TextFileError, match="no such text file"):
        read_official_text(tmp_path / "nope.txt")
