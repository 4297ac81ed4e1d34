"""Read an official text kept as a Word file, a PDF or a web page, as plain text.

Every reader returns what the rest of Podium reads from a .txt: the title on the first
line, then one paragraph per line, no empty lines.

- .docx (python-docx): the body's paragraphs and its tables' cells, in order. Headers,
  footers, comments, footnotes and text boxes are other parts of the file or other
  elements, so they are left out; of tracked changes, insertions are kept and deletions
  (and the old place of moved text) dropped: the text reads as it would once accepted.
- .pdf (pdfminer.six): the text layer's lines, joined back into paragraphs (see
  `_continues`), without running headers/footers and page numbers. One column only.
- .html (trafilatura): the article of the page, titled by its heading rather than by the
  <title>, which on Chinese government sites carries the site's name too.

A reader raises DocumentError saying what is wrong and what to do; the caller
(podium.ingest.textfile) puts the file's name in front. The format libraries are
imported when a file of theirs is read: together they take a third of a second, which
every `podium` command would otherwise pay.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from podium.alignment.text import is_cjk


class DocumentError(ValueError):
    """The document cannot be read; the message says why and what to do."""


def _as_text(lines: list[str]) -> str:
    """Lines with their whitespace collapsed, empty ones left out, one per line."""
    kept = [" ".join(line.split()) for line in lines]
    return "".join(line + "\n" for line in kept if line)


# --- .docx -----------------------------------------------------------------------------

# the runs of a paragraph that a reader sees once the tracked changes are accepted: not
# those deleted (w:del) or moved away (w:moveFrom), and not those of a text box drawn in
# the paragraph (w:txbxContent), whose paragraphs are not part of the running text
_VISIBLE_RUNS = ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"


def read_docx(path: Path) -> str:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx lets zipfile, KeyError and lxml errors through for a damaged file
        raise DocumentError(
            "cannot be read as a Word .docx file (damaged, or not a .docx); open it in Word or WPS and save it "
            "again as .docx, or supply the text as .txt"
        ) from e
    return _as_text([line for block in document.iter_inner_content() for line in _block_lines(block)])


def _block_lines(block) -> list[str]:
    """The lines of a paragraph, or of a table's cells row by row (nested tables too)."""
    from docx.table import Table

    if not isinstance(block, Table):
        # a line break inside a paragraph (Shift+Enter, w:br) separates lines as a paragraph end does
        return "".join(run.text for run in block._p.xpath(_VISIBLE_RUNS)).split("\n")
    lines: list[str] = []
    seen = set()
    for row in block.rows:
        for cell in row.cells:
            if cell._tc in seen:  # a merged cell is listed once per grid column or row it spans
                continue
            seen.add(cell._tc)
            for inner in cell.iter_inner_content():
                lines += _block_lines(inner)
    return lines


# --- .pdf ------------------------------------------------------------------------------

# characters that may not start a line in Chinese typesetting (禁则): a printer pulls the
# character before them down to the next line, so they belong to its first "word"
_NO_LINE_START = "，。、；：！？）」』”’》〉】〕…—,.;:!?)"
_QUOTES = "“”‘’\"'"
_PAGE_NUMBER = re.compile(
    r"[\s\-—–－―~·•]*(?:page\s*|第\s*)?\d+\s*页?(?:\s*(?:/|／|of)\s*\d+|\s*共\s*\d+\s*页)?[\s\-—–－―~·•]*",
    re.IGNORECASE,
)


def _wide(char: str) -> bool:
    """A Chinese character, CJK punctuation or a full-width form: text set without spaces."""
    return is_cjk(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef" or char == "—"


@dataclass
class _Line:
    """A line of a PDF page, in PDF points (y grows upwards)."""

    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float  # font size: the median of its characters'
    first_word: float  # width of its first word: would it have fitted at the end of the line above?
    page: int
    chinese: bool  # mostly Chinese characters: Chinese lines break anywhere, so they join without a space


@dataclass
class _Margins:
    left: float
    right: float


def read_pdf(path: Path) -> str:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError

    try:
        # all_texts: text drawn inside figures (form XObjects) is laid out in lines too
        layouts = list(extract_pages(str(path), laparams=LAParams(all_texts=True)))
    except PDFEncryptionError as e:
        raise DocumentError("the PDF is password-protected; save an unprotected copy, or supply a .txt or .docx") from e
    except Exception as e:  # pdfminer raises many kinds of errors for a damaged or truncated file
        raise DocumentError(
            "cannot be read as a PDF (damaged, truncated or not a PDF); get a fresh copy, or supply a .txt or .docx"
        ) from e
    pages = [_page_lines(layout, number) for number, layout in enumerate(layouts)]
    text = "".join(line.text for page in pages for line in page)
    if not text.strip():
        raise DocumentError(
            "the PDF has no text layer (a scan?); run OCR on it (e.g. ocrmypdf -l chi_sim), or supply a .txt or .docx"
        )
    # pdfminer writes (cid:N) for a glyph whose font does not say which character it draws
    glyphs = re.sub(r"\(cid:\d+\)", "\0", re.sub(r"\s", "", text))
    if glyphs.count("\0") > len(glyphs) / 2:
        raise DocumentError(
            "the PDF's fonts do not say which characters they draw, so its text cannot be read; run OCR on it, "
            "or supply a .txt or .docx"
        )
    return _as_text(_paragraphs(_drop_furniture(pages)))


def _page_lines(layout, page: int) -> list[_Line]:
    """The page's text lines from top to bottom, pieces on one baseline joined."""
    from pdfminer.layout import LTChar, LTTextLineHorizontal

    def text_lines(item):
        if isinstance(item, LTTextLineHorizontal):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from text_lines(child)

    lines = []
    for line in text_lines(layout):
        items = list(line)  # LTChar, and LTAnno for the spaces pdfminer infers from gaps
        chars = [c for c in items if isinstance(c, LTChar) and c.get_text().strip()]
        if not chars:
            continue
        # in a Chinese line a gap is letter-spacing (justified lines, narrow digits), not a word break
        chinese = sum(_wide(c.get_text()) for c in chars) > len(chars) / 2
        text = "".join(item.get_text() for item in items if isinstance(item, LTChar) or not chinese)
        lines.append(_Line(
            text=_clean_line(text), x0=min(c.x0 for c in chars), x1=max(c.x1 for c in chars),
            y0=line.y0, y1=line.y1, size=statistics.median(c.size for c in chars),
            first_word=_first_word_width(items), page=page, chinese=chinese,
        ))
    return _merge_baselines(sorted(lines, key=lambda line: -line.y1))


def _clean_line(text: str) -> str:
    """Spaces collapsed; none next to a Chinese character, where pdfminer infers them from letter-spacing."""
    text = " ".join(text.split())
    return "".join(c for i, c in enumerate(text) if not (c == " " and (_wide(text[i - 1]) or _wide(text[i + 1]))))


def _first_word_width(items) -> float:
    """Width of the line's first word; a Chinese "word" is one character and the punctuation after it."""
    word = []
    for item in items:
        char = item.get_text()
        if char.isspace():  # a space character, or an LTAnno: a space pdfminer infers from a gap
            if word:
                break
            continue
        if word:
            first = word[0].get_text()
            if _wide(char) != _wide(first) or (_wide(first) and char not in _NO_LINE_START):
                break
        word.append(item)
    return word[-1].x1 - word[0].x0 if word else 0.0


def _merge_baselines(lines: list[_Line]) -> list[_Line]:
    """Join the pieces pdfminer splits one printed line into (a header's left and right parts, say)."""
    merged: list[_Line] = []
    for line in lines:
        last = merged[-1] if merged else None
        if last and abs((last.y0 + last.y1) - (line.y0 + line.y1)) / 2 < min(last.size, line.size) / 2:
            left, right = sorted((last, line), key=lambda piece: piece.x0)
            merged[-1] = _Line(
                text=_clean_line(f"{left.text} {right.text}"), x0=left.x0, x1=max(left.x1, right.x1),
                y0=min(left.y0, right.y0), y1=max(left.y1, right.y1), size=max(left.size, right.size),
                first_word=left.first_word, page=line.page, chinese=left.chinese,
            )
        else:
            merged.append(line)
    return merged


def _drop_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Pages without their running headers/footers and page numbers.

    Only the two lines at the top and at the bottom of a page are candidates. One is a
    running header/footer when the same text, numbers aside, stands there on half of
    the pages or more, and on two at least; it is a page number when it reads like one.
    """
    def edges(lines: list[_Line]) -> list[_Line]:
        return lines[:2] + lines[2:][-2:]

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s", "", line.text))

    def furniture(line: _Line) -> bool:
        return key(line) in running or bool(_PAGE_NUMBER.fullmatch(line.text))

    seen_on = Counter(k for lines in pages for k in {key(line) for line in edges(lines)})
    running = {k for k, n in seen_on.items() if n >= max(2, len(pages) / 2)}
    kept = []
    for lines in pages:
        dropped = {id(line) for line in edges(lines) if furniture(line)}
        kept.append([line for line in lines if id(line) not in dropped])
    return kept


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """The pages' lines joined into paragraphs, by the rules of `_continues`."""
    lines = [line for page in pages for line in page]
    if not lines:
        return []
    size = statistics.median(line.size for line in lines)
    document_margins = _margins(lines, size)
    # a page with few lines (the last one, say) shows too little of the text block: use the whole document's
    margins = [_margins(page, size) if len(page) >= 8 else document_margins for page in pages]
    # the usual distance from one line of the body to the next
    steps = [a.y0 - b.y0 for a, b in zip(lines, lines[1:]) if a.page == b.page and _body(a, size) and _body(b, size)]
    pitch = statistics.median(steps) if steps else 1.5 * size

    paragraphs: list[list[_Line]] = [[lines[0]]]
    for a, b in zip(lines, lines[1:]):
        if _continues(a, b, margins[a.page], margins[b.page], pitch * b.size / size):
            paragraphs[-1].append(b)
        else:
            paragraphs.append([b])
    document = " ".join(line.text for line in lines)
    return [_join(paragraph, document) for paragraph in paragraphs]


def _body(line: _Line, size: float) -> bool:
    """Whether the line is set in the body's font size (not a heading's or a footnote's)."""
    return abs(line.size - size) <= 0.15 * size


def _margins(lines: list[_Line], size: float) -> _Margins:
    """Left and right edges of the text block, from the lines at the body's font size."""
    body = [line for line in lines if _body(line, size)] or lines
    return _Margins(min(line.x0 for line in body), max(line.x1 for line in body))


def _continues(a: _Line, b: _Line, a_margins: _Margins, b_margins: _Margins, pitch: float) -> bool:
    """Whether line b goes on with the paragraph of line a (the line before it)."""
    if a.page == b.page and a.y0 - b.y0 > 1.5 * pitch:  # a blank line's worth of space between them
        return False
    if abs(a.size - b.size) > 0.15 * max(a.size, b.size):  # a heading set in another size
        return False
    if _centred(a, a_margins) and _centred(b, b_margins) and b.x0 - b_margins.left > b.size:
        return True  # a title set over two centred lines
    if b.x0 - b_margins.left > 0.8 * b.size:  # b is indented: it starts a paragraph
        return False
    if re.search(r"[A-Za-z]-$", a.text):  # a word broken at a hyphen goes on
        return True
    # a ends a paragraph where it stops short of the right edge by more than b's first
    # word (and a space) needs: the printer would have set that word on line a
    return a_margins.right - a.x1 <= b.first_word + 0.3 * b.size


def _centred(line: _Line, margins: _Margins) -> bool:
    return abs((line.x0 - margins.left) - (margins.right - line.x1)) <= line.size


def _join(lines: list[_Line], document: str) -> str:
    """One paragraph from its lines: Chinese joined without a space, other text with one."""
    joined = lines[0].text
    for before, line in zip(lines, lines[1:]):
        text = line.text
        hyphenated = re.search(r"([A-Za-z]+)-$", joined)
        if hyphenated:
            # a printer's hyphen splits a word ("Ameri-/cans") and goes; a compound's hyphen
            # ("well-/known", "COVID-/19") stays: it does where the document writes the
            # compound so elsewhere, or the next line does not go on in lower case
            tail = re.match(r"[A-Za-z]*", text).group()
            split_word = text[:1].islower() and f"{hyphenated.group(1)}-{tail}" not in document
            joined = (joined[:-1] if split_word else joined) + text
        elif before.chinese or _wide(joined.rstrip(_QUOTES)[-1:] or " ") or _wide(text.lstrip(_QUOTES)[:1] or " "):
            joined += text
        else:
            joined += " " + text
    return joined


# --- .html -----------------------------------------------------------------------------

# lines of Chinese government pages' furniture that trafilatura, knowing English class
# names (nav, share, footer...) but not these labels, may leave in: the metadata line,
# share bar, print/close buttons, the related-links heading and the footer's lines
_WEB_FURNITURE = re.compile(
    r"(^|\s)(发布时间|发布日期|信息来源|来源|作者|浏览次数|阅读次数|点击次数|访问次数|字号|相关链接|相关文章|"
    r"当前位置|您的位置|所在位置|现在的位置)\s*[:：]"
    r"|分享到|打印本页|关闭窗口|版权所有|ICP备|公网安备|网站标识码|^相关链接$|^相关文章$|^(联系我们|网站地图|[\s|｜丨])+$"
)
_MAX_FURNITURE_LINE = 100  # furniture lines are short; the speech's paragraphs mostly are not
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s)\s*")


def read_html(html: str) -> str:
    """The article of a web page (already decoded), its heading on the first line."""
    import lxml.html
    import trafilatura

    # lxml refuses a decoded string that still declares its encoding, as XHTML pages do
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    try:
        tree = lxml.html.fromstring(html)
    except Exception as e:  # lxml: an empty document or one that is not markup
        raise DocumentError("cannot be read as a web page; save the article's text as .txt") from e
    _unwrap_layout_tables(tree)
    title_tag = " ".join(tree.findtext(".//title", default="").split())
    extracted = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False)
    lines = [line.strip() for line in (extracted.text if extracted else "").splitlines()]
    lines = [line for line in lines if line and not _is_web_furniture(line)]
    if not lines:
        raise DocumentError("no article text found in the web page; save the article's text as .txt")
    title = " ".join((extracted.title or "").split())
    # sites title a page "标题_栏目_站点": trafilatura takes that whole <title> when it finds
    # no heading, and the site's name when the logo is the page's only <h1>
    parts = _TITLE_SEPARATORS.split(title_tag)
    if title == title_tag or title in parts[1:]:
        title = parts[0]
    if not title or title == lines[0]:
        title, lines = lines[0], lines[1:]
    return _as_text([title, *lines])


def _unwrap_layout_tables(tree) -> None:
    """Make tables that lay out a page (cells holding paragraphs or blocks) plain blocks.

    Older government sites set the whole page in tables; trafilatura reads a table as
    data and flattens each row into one line, the article with its furniture.
    """
    for table in list(tree.iter("table")):
        if table.xpath(".//p | .//div | .//table | .//h1 | .//h2"):
            for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
                element.tag = "div"


def _is_web_furniture(line: str) -> bool:
    """A short line with a furniture label and no full stop: a sentence of the speech has one."""
    return len(line) <= _MAX_FURNITURE_LINE and not re.search("[。！？]", line) and bool(_WEB_FURNITURE.search(line))
