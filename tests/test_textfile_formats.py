"""Official texts kept as .docx, .pdf and .html read as their .txt reads.

The fixtures in fixtures/formats/ are the seed speech's official.txt as Word, PDF and
web page, written by fixtures/formats/make_formats.py with page furniture around the
text; the strings below are those it writes and that must not be read.
"""

import re
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from podium.alignment import split_text
from podium.ingest.textfile import TextFileError, decode_html, read_official_text

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "formats"
SEED_TXT = FIXTURES / "seed" / "official.txt"

# page furniture written by make_formats.py: headers, footers, web page chrome, a
# tracked deletion and a comment
FURNITURE = [
    "XX县人民政府办公室", "XX县人民政府", "以上意见会后另行印发", "此处数字请核实", "分享到", "微信", "相关链接",
    "浏览次数", "发布时间", "来源：", "字号", "打印本页", "关闭窗口", "版权所有", "ICP备", "联系我们", "网站地图",
    "当前位置", "首页", "政务公开", "领导讲话", "在全县经济工作会议上的讲话",
]
PAGE_NUMBER = re.compile(r"[—-]\s*\d+\s*[—-]|第\s*\d+\s*页")


def sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_text(text)[1]]


def shared(text: str, reference: str) -> float:
    """Share of the reference's sentences found, identical, in text."""
    found = set(sentences(text))
    wanted = sentences(reference)
    return sum(s in found for s in wanted) / len(wanted)


def first_line(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("name, least", [("seed.docx", 0.95), ("seed.pdf", 0.90), ("seed.html", 0.95)])
def test_document_reads_as_its_txt(name, least):
    reference = read_official_text(SEED_TXT)
    text = read_official_text(FORMATS / name)
    assert first_line(text) == first_line(reference)
    assert shared(text, reference) >= least
    for sentence in sentences(text):
        assert not any(f in sentence for f in FURNITURE), sentence
        assert not PAGE_NUMBER.search(sentence), sentence


@pytest.mark.parametrize("name", ["seed.docx", "seed.pdf", "seed.html"])
def test_document_has_one_paragraph_per_line(name):
    """Title first, then the paragraphs, no empty line: the .txt's non-empty lines, here exactly."""
    reference = [line.strip() for line in read_official_text(SEED_TXT).splitlines() if line.strip()]
    assert read_official_text(FORMATS / name).splitlines() == reference


def test_docx_keeps_tracked_insertions_and_drops_deletions():
    last = read_official_text(FORMATS / "seed.docx").splitlines()[-1]
    assert last == "我就讲这么多，谢谢大家。"  # "谢谢大家。" is a tracked insertion


def test_docx_tables_are_read_cell_by_cell(tmp_path):
    document = docx.Document()
    document.add_heading("会议议程", level=1)
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "时间"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "议程"  # one cell over two columns: read once
    table.cell(1, 0).text = "上午九时"
    table.cell(1, 1).text = "县长讲话"
    table.cell(1, 2).paragraphs[0].add_run("书记讲话")
    table.cell(1, 2).add_paragraph("（传达文件）")
    document.add_paragraph("散会。")
    path = tmp_path / "agenda.docx"
    document.save(path)
    assert read_official_text(path) == "会议议程\n时间\n议程\n上午九时\n县长讲话\n书记讲话\n（传达文件）\n散会。\n"


# the passage en.pdf sets (make_formats.py): its text only; the recording is another project's, in ../shared
JFK = "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def test_english_pdf_lines_join_with_spaces_and_hyphenated_word_rejoined():
    assert read_official_text(FORMATS / "en.pdf") == f"Inaugural Address\n{JFK}\nJohn F. Kennedy, 1961.\n"


TABLE_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_领导讲话_XX县人民政府</title></head><body>
<table width="1000"><tr><td class="dh"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></td></tr>
<tr><td class="wz">您现在的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 领导讲话</td></tr>
<tr><td>
<div class="bt">{title}</div>
<p class="sj">发布日期：2022-01-25　信息来源：县政府办公室　阅读次数：1234</p>
<div class="nr">{body}</div>
<p>分享到：<a href="#">微信</a> <a href="#">微博</a></p>
<p><a href="javascript:window.print()">【打印本页】</a>　<a href="javascript:window.close()">【关闭窗口】</a></p>
<p>相关链接：</p>
<ul><li><a href="/a.html">在全县经济工作会议上的讲话</a></li><li><a href="/b.html">在全县安全生产工作会议上的讲话</a></li></ul>
</td></tr>
<tr><td class="db"><p>版权所有：XX县人民政府　鲁ICP备12345678号</p><p><a href="/lx/">联系我们</a> | <a href="/dt/">网站地图</a></p></td></tr>
</table></body></html>"""


def test_html_page_set_in_tables_without_heading(tmp_path):
    """Older sites: the page laid out in a table, the heading a <div>, the encoding GBK declared as GB2312."""
    lines = [line.strip() for line in read_official_text(SEED_TXT).splitlines() if line.strip()]
    lines.append("朱镕基同志讲过，这是一件大事。")  # 镕 is GBK, not GB2312: such pages hold it all the same
    body = "\n".join(f"<p>　　{line}</p>" for line in lines[1:])
    path = tmp_path / "t20220125_1.htm"
    path.write_bytes(TABLE_PAGE.format(title=lines[0], body=body).encode("gbk"))
    assert read_official_text(path).splitlines() == lines


def test_html_logo_in_the_only_h1_is_not_the_title(tmp_path):
    lines = [line.strip() for line in read_official_text(SEED_TXT).splitlines() if line.strip()]
    body = "".join(f"<p>{line}</p>" for line in lines[1:])
    page = f'<html><head><meta charset="utf-8"><title>{lines[0]} - XX县人民政府</title></head><body>' \
           f'<div class="header"><h1><a href="/">XX县人民政府</a></h1></div>' \
           f'<div class="article"><h2 class="title">{lines[0]}</h2><div class="content">{body}</div></div></body></html>'
    path = tmp_path / "logo.html"
    path.write_text(page, encoding="utf-8")
    assert read_official_text(path).splitlines() == lines


def test_html_is_decoded_by_its_declared_charset(tmp_path):
    """Big5 bytes are refused as a .txt (they also decode as GB18030); the page says what they are.

    Declared twice, as XHTML pages do: lxml refuses decoded text with an XML declaration.
    """
    text = "這是一個測試文件，我們討論經濟發展與社會穩定的問題。各位同志，今天的會議非常重要。"
    page = f'<?xml version="1.0" encoding="big5"?><html><head><meta charset="big5"><title>講話_某縣政府</title></head><body><h1>講話</h1>' \
           f'<div class="content"><p>{text}</p><p>{text}</p></div></body></html>'
    path = tmp_path / "big5.html"
    path.write_bytes(page.encode("big5"))
    assert read_official_text(path) == f"講話\n{text}\n{text}\n"


def test_html_declared_gb2312_is_read_as_gb18030():
    """GB2312 pages hold GBK characters (镕, not in GB2312); read as a .txt these few would be refused."""
    page = '<meta charset="gb2312"><p>朱镕基同志</p>'
    assert decode_html(page.encode("gbk"), "page.html") == page


@pytest.mark.parametrize("name", ["official", "official.text", "official.TXT"])
def test_plain_text_suffixes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes("标题\n第一段。\n".encode("utf-8"))
    assert read_official_text(path) == "标题\n第一段。\n"


def refusal(path: Path) -> str:
    with pytest.raises(TextFileError) as err:
        read_official_text(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def test_scanned_pdf_is_refused_asking_for_ocr():
    message = refusal(FORMATS / "seed_scan.pdf")
    assert "no text layer" in message and "OCR" in message and ".txt" in message and ".docx" in message


@pytest.mark.parametrize("name, data", [
    ("random.docx", bytes(range(256)) * 8),
    ("not_word.docx", b"PK\x03\x04" + bytes(100)),  # a zip signature, then nothing
    ("random.pdf", bytes(range(256)) * 8),
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"),
])
def test_damaged_document_is_refused(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    message = refusal(path)
    assert "cannot be read as a" in message and ".txt" in message


def test_empty_docx_is_refused(tmp_path):
    path = tmp_path / "empty.docx"
    docx.Document().save(path)
    assert "holds no text" in refusal(path)


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".rtf", ".odt"])
def test_word_processor_formats_are_refused_suggesting_docx(tmp_path, suffix):
    path = tmp_path / f"speech{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))  # an OLE header, as a .doc begins
    message = refusal(path)
    assert f"{suffix} files are not read" in message and "save it as .docx" in message
    assert all(f in message for f in (".txt", ".docx", ".pdf", ".html"))


def test_other_suffix_is_refused_naming_the_formats_read(tmp_path):
    path = tmp_path / "speech.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    message = refusal(path)
    assert ".xlsx files are not read" in message and all(f in message for f in (".txt", ".docx", ".pdf", ".html"))


def test_docx_moved_text_is_read_at_its_new_place(tmp_path):
    """A tracked move: the text stands in w:moveFrom (old place) and w:moveTo (new place)."""
    document = docx.Document()
    document.add_paragraph("标题")
    mark = 'w:id="{}" w:author="审核人" w:date="2022-01-20T09:00:00Z"'
    for tag, rev in (("w:moveFrom", 1), ("w:moveTo", 2)):
        paragraph = document.add_paragraph("第一句。" if tag == "w:moveFrom" else "第二句。")
        paragraph._p.append(parse_xml(f'<{tag} {nsdecls("w")} {mark.format(rev)}><w:r><w:t>移动的句子。</w:t></w:r></{tag}>'))
    path = tmp_path / "moved.docx"
    document.save(path)
    assert read_official_text(path) == "标题\n第一句。\n第二句。移动的句子。\n"


# --- how PDF lines become paragraphs, on PDFs whose lines are set by hand (x grows rightwards, y upwards)


def pdf_line(text: str, x0: float, y: float, *, size: float = 10.0, right: float | None = None) -> tuple:
    """A line of `text` from x0 on the baseline y: each Chinese character `size` wide, each Latin one half
    that; justified up to `right` when given (the extra room between characters in a Chinese line, between
    words in another), else as long as its characters."""
    return text, x0, y, size, right


def write_pdf(path: Path, pages: list[list[tuple]]) -> None:
    """A PDF of the given pages of `pdf_line`s, set as a printer sets a Chinese document: Adobe's STSong-Light
    (not embedded; the reader knows its characters by the Adobe-GB1 collection), full-width characters and
    half-width Latin ones, every character placed where the line's justification puts it."""
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        3: "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        4: "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
           "/Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
        5: "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -120 1000 880] /ItalicAngle 0 "
           "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    }
    kids = []
    for n, lines in enumerate(pages):
        ops = []
        for text, x0, y, size, right in lines:
            widths = [size if ord(c) > 0x7E else size / 2 for c in text]
            spaces = [k for k, c in enumerate(text) if c == " "]
            gaps = spaces if spaces and ord(text[0]) <= 0x7E else list(range(len(text) - 1))
            extra = (right - x0 - sum(widths)) / len(gaps) if right is not None and gaps else 0.0
            x = x0
            for k, (c, width) in enumerate(zip(text, widths)):
                ops.append(f"BT /F1 {size} Tf 1 0 0 1 {x:.3f} {y} Tm <{ord(c):04X}> Tj ET")
                x += width + (extra if k in gaps else 0.0)
        stream = "\n".join(ops)
        page, content = 6 + 2 * n, 7 + 2 * n
        objects[content] = f"<< /Length {len(stream.encode())} >>\nstream\n{stream}\nendstream"
        objects[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 842] /Resources << /Font << /F1 3 0 R >> >> "
                         f"/Contents {content} 0 R >>")
        kids.append(f"{page} 0 R")
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offsets[k]:010d} 00000 n \n" for k in sorted(objects)).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def test_pdf_chinese_lines_join_into_paragraphs(tmp_path):
    write_pdf(tmp_path / "zh.pdf", [[  # a text block from x 0 to 240: 24 characters
        pdf_line("一、第一段开头缩进两个字符，这一行排满了。", 20, 700, right=240),
        pdf_line("第二行也排满，行末是数字和字母被拆开的创5", 0, 685, right=240),  # a number and letters broken over lines
        pdf_line("A攻坚行动，段末这一行恰好排满到右边。", 0, 670, right=240),  # full, yet the paragraph ends
        pdf_line("二、下一段缩进：只有缩进说明这里另起一段。", 20, 655, right=240),
        pdf_line("这一行短一个字，因为下一行不能以逗号开头", 0, 640, right=230),
        pdf_line("是，所以把“是”也挪了下来。", 0, 625),  # ends short: the paragraph ends
        pdf_line("不缩进的新段落。", 0, 610),
    ]])
    assert read_official_text(tmp_path / "zh.pdf").splitlines() == [
        "一、第一段开头缩进两个字符，这一行排满了。第二行也排满，行末是数字和字母被拆开的创5A攻坚行动，段末这一行恰好排满到右边。",
        "二、下一段缩进：只有缩进说明这里另起一段。这一行短一个字，因为下一行不能以逗号开头是，所以把“是”也挪了下来。",
        "不缩进的新段落。",
    ]


def test_pdf_english_lines_join_with_spaces_and_hyphens_sensibly(tmp_path):
    write_pdf(tmp_path / "en.pdf", [[  # a text block from x 0 to 200
        pdf_line("A Very Long Title Set", 26.5, 760, size=14),  # centred over two lines
        pdf_line("Over Two Lines", 51, 742, size=14),
        pdf_line("The well-known rule is that a well-", 0, 715, right=200),
        pdf_line("known hyphen stays, but a hyphen-", 0, 702, right=200),
        pdf_line("ated word goes back together and", 0, 689, right=200),
        pdf_line("After a blank line, the cases of COVID-", 0, 663, right=200),  # space above: a new paragraph
        pdf_line("19 rose.", 0, 650),
    ]])
    assert read_official_text(tmp_path / "en.pdf").splitlines() == [
        "A Very Long Title Set Over Two Lines",
        "The well-known rule is that a well-known hyphen stays, but a hyphenated word goes back together and",
        "After a blank line, the cases of COVID-19 rose.",
    ]


def test_pdf_running_headers_footers_and_page_numbers_are_dropped(tmp_path):
    body = [("同志们：", "今天召开全县大会，部署全年工作。"), ("一是抓落实。", "二是强作风。"), ("三是保稳定。", "谢谢大家。")]
    pages = [
        [
            pdf_line("XX县人民政府办公室 2022年第1期", 0, 800),  # header, with a number in it
            pdf_line(first, 20, 700),
            pdf_line("3", 0, 685),  # a number alone, but not at a page's edge: kept
            pdf_line(last, 20, 670),
            pdf_line(f"第 {n + 1} 页 共 3 页", 80, 40),
        ]
        for n, (first, last) in enumerate(body)
    ]
    pages[2][-1] = pdf_line("— 3 —", 90, 40)
    write_pdf(tmp_path / "pages.pdf", pages)
    assert read_official_text(tmp_path / "pages.pdf").splitlines() == [
        line for first, last in body for line in (first, "3", last)]


def test_a_folder_batch_finds_the_text_beside_a_recording_in_any_format(tmp_path):
    from podium.ingest.batch import items_from_folder

    for name in ("a.mp3", "a.docx", "b.wav", "b.pdf", "b.html", "c.flac", "c.txt", "c.pdf", "d.ogg"):
        (tmp_path / name).write_bytes(b"")
    found = {item.audio.name: item.texts and item.texts[0].name for item in items_from_folder(tmp_path)}
    assert found == {"a.mp3": "a.docx", "b.wav": "b.pdf", "c.flac": "c.txt", "d.ogg": []}
