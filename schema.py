"""The archive's schema, in one place: tables, columns and what they mean (in Chinese and English),
row IDs, time formatting, the rows of one meeting, the search indexes, and the versions an archive
goes through.

Ingest writes through it, the site and the exports read through it, `metadata.json` is generated
from it (`scripts/make_metadata.py`), and the benchmarks build their archives with it.

Versions: an archive records its schema version in `PRAGMA user_version`. The first release wrote
none (0). `upgrade()` brings an older archive to `SCHEMA_VERSION` in one transaction when Podium
opens it for writing; serving never writes, so `podium serve` asks for `podium upgrade` instead.
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podium.alignment import Alignment

SCHEMA_VERSION = 5
STATUSES = ("spoken", "partial", "estimated", "not_spoken")
LANGUAGES = ("zh", "en")  # of the official texts and recordings Podium aligns
MEETING_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # a meeting's ID: safe in a URL, a file name and every row ID


@dataclass(frozen=True)
class Column:
    name: str
    type: type
    zh: str
    en: str


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other table, other column)
    indexes: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (columns, unique)
    searchable: bool = False  # a full-text index over `text`, kept in sync by triggers
    facets: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _times(what: str, zh: str) -> tuple[Column, ...]:
    return (
        Column("start", float, f"{zh}在录音中的开始时间（秒），未讲则为空", f"Start of the {what} in the recording (seconds); empty if not spoken"),
        Column("end", float, f"{zh}在录音中的结束时间（秒），未讲则为空", f"End of the {what} in the recording (seconds); empty if not spoken"),
        Column("start_hms", str, "开始时间（时:分:秒.毫秒）", "Start as hh:mm:ss.mmm, for spreadsheets"),
        Column("end_hms", str, "结束时间（时:分:秒.毫秒）", "End as hh:mm:ss.mmm, for spreadsheets"),
    )


_STATUS = (
    Column("status", str, "spoken 已讲、partial 部分讲述、estimated 可能已讲（转写与强制对齐都无把握，时间为估计）或 not_spoken 未讲",
           "spoken, partial, estimated (probably said, but placed with confidence neither by the transcript nor "
           "by the forced alignment: times estimated) or not_spoken"),
    Column("confidence", float, "对状态与时间的把握（0–1）：转写与原文的吻合度及强制对齐的概率；低于 0.5 待核对",
           "How sure the alignment is of the status and times (0-1): the transcript's agreement with the text and "
           "the forced alignment's probability; below 0.5: to check"),
)
_EDITED = (
    Column("version", int, "行版本：每次修改加一（两位编辑同时修改时据此发现冲突）",
           "Row version: one more with every change (two editors' edits of the same row are told apart by it)"),
    Column("corrected", str, "经人工修改的字段，以逗号分隔（如 start,end）；重新对齐时保留；空为未修改",
           "Fields a person corrected, comma-separated (e.g. start,end); kept by every re-alignment; empty if none"),
)
_MEETING_FK = (("meeting_id", "meetings", "id"),)
_SPEECH = Column("speech_id", str, "所属讲话", "The speech it belongs to")

TABLES: tuple[Table, ...] = (
    Table(
        "meetings", "每个录音及其讲话稿一行。", "One row per ingested recording and its official text.",
        (
            Column("id", str, "会议编号（默认取自音频文件名）", "Meeting ID (from the audio file name unless given)"),
            Column("title", str, "标题（默认为讲话稿第一行）", "Title (the first line of the official text unless given)"),
            Column("date", str, "会议日期（YYYY-MM-DD）", "Date of the meeting (YYYY-MM-DD)"),
            Column("speaker", str, "讲话人（多篇讲话时按给出顺序以、分隔）",
                   "The speakers (with several speeches, in the order given, separated by 、)"),
            Column("language", str, "语言：zh 或 en", "zh or en"),
            Column("duration", float, "录音时长（秒）", "Length of the recording in seconds"),
            Column("audio_sha256", str, "原始录音的 SHA-256", "SHA-256 of the original recording"),
            Column("text_sha256", str, "讲话稿（UTF-8）的 SHA-256；多篇讲话时为按给出顺序以 NUL 连接的各篇",
                   "SHA-256 of the official text as read (UTF-8); with several speeches, of their texts in the "
                   "order given, joined by NUL"),
            Column("source_path", str, "导入时录音的文件名", "File name of the recording as ingested"),
            Column("media_path", str, "网页用音频副本（相对于数据库），在 /media/<id> 提供",
                   "Web copy of the audio, relative to the database; served at /media/<id>"),
            Column("official_text", str, "公开发布的讲话稿全文", "The official text as published"),
            Column("engine", str, "语音识别引擎", "Speech recognition engine"),
            Column("model", str, "Whisper 模型", "Whisper model"),
            Column("settings", str, "解码设置（JSON）", "Decoding settings (JSON)"),
            Column("matched_share", float, "讲话稿在录音中找到的比例（0–1）", "Share of the official text found in the recording (0-1)"),
            Column("ingested_at", str, "导入时间（UTC）", "When the meeting was ingested (UTC)"),
            Column("voiced_coverage", float, "录音中有声部分被转写覆盖的比例（0–1）",
                   "Share of the recording's voiced time that the transcript covers (0-1)"),
        ),
        indexes=((("date",), False),),  # the home page lists meetings newest first, a page at a time
        facets=("speaker", "date", "language"),
    ),
    Table(
        "speeches", "会议中的每篇讲话：讲话人、讲话稿及其在录音中的位置。",
        "Each speech of a meeting: its speaker, its official text and where it lies in the recording.",
        (
            Column("id", str, "稳定编号：<会议>_s<序号>", "Stable ID: <meeting>_s<seq>"),
            Column("meeting_id", str, "会议", "Meeting"),
            Column("seq", int, "讲话在录音中的顺序，从 0 开始", "Order of the speech in the recording, from 0"),
            Column("title", str, "讲话标题（讲话稿第一行）", "Title of the speech (its text's first line)"),
            Column("speaker", str, "讲话人", "Speaker"),
            Column("official_text", str, "公开发布的讲话稿", "The speech's official text as published"),
            *_times("speech", "讲话"),
            Column("matched_share", float, "讲话稿在录音中找到的比例（0–1）", "Share of the speech's text found in the recording (0-1)"),
            Column("spoken", int, "已讲的句数", "Sentences spoken"),
            Column("partial", int, "部分讲述的句数", "Sentences partly spoken"),
            Column("estimated", int, "可能已讲但无把握的句数（时间为估计）", "Sentences probably said but not placed with confidence (times estimated)"),
            Column("not_spoken", int, "未讲的句数", "Sentences not spoken"),
        ),
        foreign_keys=_MEETING_FK,
        indexes=((("meeting_id", "seq"), True), (("speaker",), False)),  # speaker pages and filters
        facets=("meeting_id", "speaker"),
    ),
    Table(
        "paragraphs", "讲话稿的段落，每个非空行一行，带录音中的时间。",
        "The official text, one row per non-empty line, with its time span in the recording.",
        (
            Column("id", str, "稳定编号：<会议>_p<段>", "Stable ID: <meeting>_p<seq>"),
            Column("meeting_id", str, "会议", "Meeting"),
            Column("seq", int, "段落序号，从 0 开始（0 为标题行）", "Paragraph number from 0 (0 is the title line)"),
            Column("text", str, "公开发布的段落文字（保留隐去标记）", "Paragraph text as published (redaction marks kept)"),
            *_times("paragraph", "段落"),
            *_STATUS,
            _SPEECH,
        ),
        foreign_keys=_MEETING_FK + (("speech_id", "speeches", "id"),),
        indexes=((("meeting_id", "seq"), True),),
        searchable=True,
        facets=("meeting_id", "status"),
    ),
    Table(
        "sentences", "讲话稿的句子，每句一行，带录音中的时间。",
        "The official text, one row per sentence, with its time span in the recording.",
        (
            Column("id", str, "稳定编号：<会议>_p<段>_s<句>", "Stable ID: <meeting>_p<paragraph>_s<seq>"),
            Column("meeting_id", str, "会议", "Meeting"),
            Column("paragraph_id", str, "所属段落", "Paragraph"),
            Column("paragraph_seq", int, "段落序号", "Paragraph number"),
            Column("seq", int, "段内句子序号，从 0 开始", "Sentence number within its paragraph, from 0"),
            Column("text", str, "公开发布的句子文字（保留隐去标记）", "Sentence text as published (redaction marks kept)"),
            *_times("sentence", "句子"),
            *_STATUS,
            _SPEECH,
            *_EDITED,
        ),
        foreign_keys=_MEETING_FK + (("paragraph_id", "paragraphs", "id"), ("speech_id", "speeches", "id")),
        # by speech: a search of one speaker's words reads their sentences from the index
        indexes=((("meeting_id", "paragraph_seq", "seq"), True), (("meeting_id", "start"), False),
                 (("speech_id",), False)),
        searchable=True,
        facets=("meeting_id", "status"),
    ),
    Table(
        "unscripted", "讲话稿以外所说的内容：即兴发挥、主持人、其他发言人。",
        "What was said that is not in the official text: ad-libs, the host, other speakers.",
        (
            Column("id", str, "稳定编号：<会议>_u<序号>", "Stable ID: <meeting>_u<seq>"),
            Column("meeting_id", str, "会议", "Meeting"),
            Column("start", float, "在录音中的开始时间（秒）", "Start in the recording (seconds)"),
            Column("end", float, "在录音中的结束时间（秒）", "End in the recording (seconds)"),
            Column("start_hms", str, "开始时间（时:分:秒.毫秒）", "Start as hh:mm:ss.mmm, for spreadsheets"),
            Column("end_hms", str, "结束时间（时:分:秒.毫秒）", "End as hh:mm:ss.mmm, for spreadsheets"),
            Column("text", str, "该段话的自动转写（中文为简体）", "Automatic transcript of the passage (simplified script for Chinese)"),
            Column("speech_id", str, "所在讲话（在讲话之外的主持、掌声等为空）",
                   "The speech it was said in; empty outside every speech (the host, applause, others)"),
            *_EDITED,
            Column("struck", int, "1：编辑判定为误识（页面、搜索与导出中不再显示，历史中保留）",
                   "1: struck by an editor as misheard (gone from the pages, search and exports; kept in the history)"),
        ),
        foreign_keys=_MEETING_FK + (("speech_id", "speeches", "id"),),
        indexes=((("meeting_id", "start"), False), (("speech_id",), False)),  # a speech's off-script share
        searchable=True,
        facets=("meeting_id",),
    ),
)
TABLES += (
    Table(
        "changes", "每一处修改：谁、何时、哪一行哪一字段、旧值、新值及理由；同一操作的修改同属一个 action。",
        "Every change: who, when, which row and field, the old and the new value, and why; the changes of one "
        "action share its number.",
        (
            Column("id", int, "修改编号", "Change number"),
            Column("action", int, "所属操作（一次编辑、撤销或一次机器运行）", "The action it belongs to (one edit, an undo, or one machine run)"),
            Column("meeting_id", str, "会议", "Meeting"),
            Column("table_name", str, "所改的表", "Table changed"),
            Column("row_id", str, "所改的行", "Row changed"),
            Column("field", str, "所改的字段", "Field changed"),
            Column("old", str, "旧值（JSON）", "Old value (JSON)"),
            Column("new", str, "新值（JSON）", "New value (JSON)"),
            Column("editor", str, "编辑人；机器运行为空", "The editor; empty for a machine run"),
            Column("machine", int, "1：机器运行（导入、重新对齐）；0：人工修改", "1: a machine run (ingest, re-alignment); 0: a person's change"),
            Column("reason", str, "理由（可选）", "Reason (optional)"),
            Column("at", str, "时间（UTC）", "When (UTC)"),
            Column("undoes", int, "此操作撤销的操作编号", "The action this one undoes"),
        ),
        foreign_keys=_MEETING_FK,
        indexes=((("meeting_id", "action"), False), (("table_name", "row_id"), False)),
        facets=("meeting_id", "editor", "machine", "field"),
    ),
)
TABLE = {t.name: t for t in TABLES}

# The columns of a timed segment in exports (CSV, JSON) and of one search result.
SEGMENT_COLUMNS = ("meeting_id", "speaker", "paragraph_seq", "seq", "start", "end", "start_hms", "end_hms",
                   "status", "confidence", "text")
SEARCH_COLUMNS = ("kind", "meeting_id", "meeting_title", "meeting_date", "speaker", "speech_title", "paragraph_seq",
                  "sentence_seq",
                  "start", "end", "start_hms", "end_hms", "status", "text", "url")


def hms(seconds: float | None, decimals: int = 3) -> str | None:
    """hh:mm:ss.mmm (with `decimals` digits after the seconds' point); None for None."""
    if seconds is None:
        return None
    scale = 10**decimals
    units = int(round(seconds * scale))
    h, rest = divmod(units, 3600 * scale)
    m, rest = divmod(rest, 60 * scale)
    width = 3 + decimals if decimals else 2
    return f"{h:02d}:{m:02d}:{rest / scale:0{width}.{decimals}f}"


def paragraph_id(meeting_id: str, seq: int) -> str:
    return f"{meeting_id}_p{seq:04d}"


def sentence_id(meeting_id: str, paragraph_seq: int, seq: int) -> str:
    return f"{meeting_id}_p{paragraph_seq:04d}_s{seq:03d}"


def unscripted_id(meeting_id: str, seq: int) -> str:
    return f"{meeting_id}_u{seq:04d}"


def speech_id(meeting_id: str, seq: int) -> str:
    return f"{meeting_id}_s{seq:02d}"


@dataclass
class MeetingRows:
    """Everything stored for one meeting, one list of rows per table."""

    meeting: dict
    speeches: list[dict] = field(default_factory=list)
    paragraphs: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    unscripted: list[dict] = field(default_factory=list)


SPEECH_SEPARATOR = "\n\n"  # between two speeches' texts in a meeting's official text


@dataclass(frozen=True)
class Speech:
    """One speech of a meeting: its stretch [start_char, end_char) of the meeting's official text."""

    title: str
    speaker: str | None
    start_char: int
    end_char: int


def timed(start: float | None, end: float | None) -> dict:
    """A row's times, to the millisecond, and the same as hh:mm:ss.mmm."""
    start, end = (None if t is None else round(t, 3) for t in (start, end))
    return {"start": start, "end": end, "start_hms": hms(start), "end_hms": hms(end)}


def meeting_rows(meeting: dict, speeches: list[Speech], alignment: Alignment) -> MeetingRows:
    """The rows of one meeting from its official text (`meeting["official_text"]`, the speeches' texts in
    the order spoken), its speeches and the alignment of that text: the one builder of a meeting's rows.
    The meetings row takes `meeting`'s columns, and from the alignment what it says of the whole meeting.

    Official rows carry the official text, redaction marks included; unscripted passages are the
    transcript's text, in simplified script for Chinese like the official texts, and belong to the speech
    during which they were said (none: before, between or after the speeches).
    """
    from podium.alignment.spans import mean_confidence
    from podium.alignment.text import to_simplified

    meeting_id, text = meeting["id"], meeting["official_text"]

    def speech_of(char: int) -> int:
        return next(k for k, sp in enumerate(speeches) if char < sp.end_char or k == len(speeches) - 1)

    def official(span) -> dict:
        return {"text": text[span.start_char:span.end_char], **timed(span.start, span.end), "status": span.status,
                "confidence": span.confidence, "speech_id": speech_id(meeting_id, speech_of(span.start_char))}

    meeting = {**meeting, "matched_share": round(alignment.matched_share, 4),
               "voiced_coverage": None if alignment.voiced_coverage is None else round(alignment.voiced_coverage, 4)}
    rows = MeetingRows(meeting={c: meeting.get(c) for c in TABLE["meetings"].column_names})
    rows.paragraphs = [{"id": paragraph_id(meeting_id, p.seq), "meeting_id": meeting_id, "seq": p.seq, **official(p)}
                       for p in alignment.paragraphs]
    rows.sentences = [
        {"id": sentence_id(meeting_id, s.paragraph_seq, s.seq), "meeting_id": meeting_id,
         "paragraph_id": paragraph_id(meeting_id, s.paragraph_seq), "paragraph_seq": s.paragraph_seq,
         "seq": s.seq, **official(s), "version": 0, "corrected": None}
        for s in alignment.sentences
    ]
    for k, speech in enumerate(speeches):
        own = [s for s in alignment.sentences if speech_of(s.start_char) == k]
        starts = [s.start for s in own if s.start is not None]
        ends = [s.end for s in own if s.end is not None]
        rows.speeches.append({
            "id": speech_id(meeting_id, k), "meeting_id": meeting_id, "seq": k, "title": speech.title,
            "speaker": speech.speaker, "official_text": text[speech.start_char:speech.end_char],
            **timed(min(starts, default=None), max(ends, default=None)),
            "matched_share": round(mean_confidence(own, found_only=True), 4),
            **{status: sum(s.status == status for s in own) for status in STATUSES},
        })

    def speech_during(start: float) -> str | None:
        for sp in rows.speeches:
            if sp["start"] is not None and sp["start"] <= start <= sp["end"]:
                return sp["id"]
        return None

    rows.unscripted = [
        {"id": unscripted_id(meeting_id, k), "meeting_id": meeting_id, **timed(u.start, u.end),
         "text": to_simplified(u.text) if alignment.language == "zh" else u.text,
         "speech_id": speech_during(u.start), "version": 0, "corrected": None, "struck": 0}
        for k, u in enumerate(alignment.unscripted)
    ]
    return rows


def one_speech(meeting: dict) -> list[Speech]:
    """The single speech of a meeting ingested with one text: all of it, titled by its first line."""
    text = meeting["official_text"]
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return [Speech(title, meeting.get("speaker"), 0, len(text))]


# --- search indexes ------------------------------------------------------------------------------
# Each searchable table has two FTS5 indexes over `text`:
# - `<table>_fts`, trigram, external content, kept in sync by triggers: terms of 3+ characters;
# - `<table>_chars`, contentless, over `search_tokens(text)`: every Chinese character a token, so a
#   term of any length is a phrase query ("乡 镇"). SQLite cannot call Python from a trigger on other
#   connections, so Podium writes this one itself (`index_rows`, `unindex_rows`); `podium reindex`
#   rebuilds both from the tables after a hand edit.

_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])")


def search_tokens(text: str | None) -> str:
    """Text as the character index sees it: NFKC, simplified script, a space around every Chinese character."""
    from podium.alignment.text import to_simplified

    return _CJK.sub(r" \1 ", to_simplified(unicodedata.normalize("NFKC", text or "")))


def char_phrase(term: str) -> str | None:
    """The FTS5 query of the character index for one search term (None if it holds no word character)."""
    tokens = re.findall(r"\w+", search_tokens(term))
    return '"' + " ".join(tokens) + '"' if tokens else None


def _char_table_sql(table: str) -> str:
    return f"create virtual table [{table}_chars] using fts5(text, content='', tokenize='unicode61')"


def add_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the index maintenance below needs on a writing connection (register once)."""
    conn.create_function("podium_search_tokens", 1, search_tokens, deterministic=True)


# rows never in a character index: an off-script passage an editor struck (taking out of a contentless
# index a row that is not in it damages the index, so both directions must agree on this)
_NOT_INDEXED = {"unscripted": "coalesce(struck, 0) = 1"}


def _indexed(table: str, where: str) -> str:
    return f"({where}) and not ({_NOT_INDEXED[table]})" if table in _NOT_INDEXED else where


def index_rows(conn: sqlite3.Connection, table: str, where: str, params=()) -> None:
    """Add the rows of `table` matching `where` to its character index (after they are inserted)."""
    conn.execute(f"insert into [{table}_chars] (rowid, text) select rowid, podium_search_tokens(text) "
                 f"from [{table}] where {_indexed(table, where)}", params)


def unindex_rows(conn: sqlite3.Connection, table: str, where: str, params=()) -> None:
    """Take the rows of `table` matching `where` out of its character index (before they are deleted)."""
    conn.execute(f"insert into [{table}_chars] ([{table}_chars], rowid, text) "
                 f"select 'delete', rowid, podium_search_tokens(text) from [{table}] where {_indexed(table, where)}",
                 params)


def rebuild_indexes(conn: sqlite3.Connection) -> None:
    """Rebuild every full-text index from the tables (inside the caller's transaction)."""
    for table in TABLES:
        if table.searchable:
            conn.execute(f"insert into [{table.name}_fts] ([{table.name}_fts]) values ('rebuild')")
            conn.execute(f"insert into [{table.name}_chars] ([{table.name}_chars]) values ('delete-all')")
            index_rows(conn, table.name, "1")


# --- opening and creating an archive --------------------------------------------------------------

@contextmanager
def transaction(conn: sqlite3.Connection):
    """One write transaction, taken at once (no other writer can slip in), rolled back on any error.
    Plain statements: sqlite-utils' helpers commit on their own."""
    conn.execute("begin immediate")
    try:
        yield conn
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def version(conn: sqlite3.Connection) -> int:
    """The archive's schema version: PRAGMA user_version, the only thing Podium reads an archive's age from."""
    return conn.execute("pragma user_version").fetchone()[0]


class ArchiveVersionError(RuntimeError):
    """The archive was written by a newer Podium, or needs `podium upgrade` before it is served."""


class ArchiveUnreadableError(ArchiveVersionError):
    """The archive cannot be read: locked by another writer, damaged, or not a Podium archive at all.

    A kind of ArchiveVersionError so that every command that reports one (in one line, with a non-zero
    exit) reports this too.
    """


# SQLite's primary result codes for a file that another connection holds, and for one that is damaged.
_LOCKED = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def _file_problem(error: sqlite3.DatabaseError) -> str | None:
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+; before that, SQLite's message says it
    primary = code & 0xFF if code is not None else None
    message = str(error)
    if primary in _LOCKED or (primary is None and "is locked" in message):
        return "locked: another program is writing to it (another podium ingest?); try again when it has finished"
    if primary in _DAMAGED or (primary is None and message in ("file is not a database",
                                                               "database disk image is malformed")):
        return f"damaged ({message}): not a readable SQLite archive; restore it from a backup"
    return None


@contextmanager
def file_errors(path: str | Path):
    """SQLite's errors about the archive file itself, as one line naming it: locked or damaged.

    Every other error passes as it is: none of them means "no table yet" or "an older schema", which only
    `PRAGMA user_version` says (`archive_version`).

    :raises ArchiveUnreadableError:
    """
    try:
        yield
    except sqlite3.DatabaseError as e:
        problem = _file_problem(e)
        if problem is None:
            raise
        raise ArchiveUnreadableError(f"{path}: {problem}") from e


def archive_version(conn: sqlite3.Connection, path: str | Path = "archive") -> int:
    """The schema version of the archive on `conn` (PRAGMA user_version), once it is known to be one.

    :raises ArchiveUnreadableError: locked, damaged, or not a Podium archive (no meetings table: every
        version has had one).
    """
    with file_errors(path):
        found = version(conn)
        if conn.execute("select 1 from sqlite_master where type = 'table' and name = 'meetings'").fetchone() is None:
            raise ArchiveUnreadableError(f"{path}: not a Podium archive (it has no meetings table)")
    return found


def create_archive(path: Path) -> None:
    """A new archive with every table, index and full-text index of the current schema.

    Built beside `path` and moved into place: sqlite-utils commits as it creates, so a crash
    half-way leaves a scratch file, never a half-made archive.
    """
    import sqlite_utils

    scratch = path.with_name(path.name + ".new")
    scratch.unlink(missing_ok=True)
    db = sqlite_utils.Database(scratch)
    for table in TABLES:
        db[table.name].create({c.name: c.type for c in table.columns}, pk="id",
                              foreign_keys=list(table.foreign_keys))
        for columns, unique in table.indexes:
            db[table.name].create_index(list(columns), unique=unique)
        if table.searchable:
            # trigram: FTS5's only built-in tokenizer that finds Chinese words (3+ characters)
            db[table.name].enable_fts(["text"], tokenize="trigram", create_triggers=True)
            db.execute(_char_table_sql(table.name))
    db.execute(f"pragma user_version = {SCHEMA_VERSION}")
    db.enable_wal()  # readers (the site) keep reading while an ingest writes
    db.close()
    os.replace(scratch, path)


# --- upgrading: every step frozen at its own version ----------------------------------------------
# Each step below is written out as the SQL of the version it makes, never derived from TABLES, TABLE or a
# helper that follows today's schema: an archive of version 1 must become version 2 exactly as it did the
# day version 2 was made, whatever today's tables have become since (a column added to a table today would
# otherwise be half-created by an old step and then again by its own). NEVER EDIT these steps or their
# SQL; a change of schema adds a step of its own (tests/fixtures/schemas holds an archive of every version).

def _v0_to_v1(conn: sqlite3.Connection) -> None:
    """The first release published the ingest machine's absolute path of each recording: keep the name."""
    rows = conn.execute("select id, source_path from meetings where source_path is not null").fetchall()
    for meeting_id, path in rows:
        conn.execute("update meetings set source_path = ? where id = ?",
                     [path.replace("\\", "/").rsplit("/", 1)[-1], meeting_id])


# Version 2's character indexes, as version 2 created them.
_V2_CHAR_INDEXES = {
    "paragraphs": "create virtual table [paragraphs_chars] using fts5(text, content='', tokenize='unicode61')",
    "sentences": "create virtual table [sentences_chars] using fts5(text, content='', tokenize='unicode61')",
    "unscripted": "create virtual table [unscripted_chars] using fts5(text, content='', tokenize='unicode61')",
}


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """A character index beside each trigram index, so that 1- and 2-character terms are found by an index."""
    for table, create in _V2_CHAR_INDEXES.items():
        conn.execute(create)
        # filled with today's podium_search_tokens, on purpose: the index must match the queries of the
        # Podium that reads it (a change of tokens is a reindex, `podium reindex`, not a schema step)
        conn.execute(f"insert into [{table}_chars] (rowid, text) select rowid, podium_search_tokens(text) "
                     f"from [{table}]")


# Version 3's speeches table and its index, as version 3 has them.
_V3_SPEECHES = """
CREATE TABLE [speeches] (
   [id] TEXT PRIMARY KEY,
   [meeting_id] TEXT REFERENCES [meetings]([id]),
   [seq] INTEGER,
   [title] TEXT,
   [speaker] TEXT,
   [official_text] TEXT,
   [start] REAL,
   [end] REAL,
   [start_hms] TEXT,
   [end_hms] TEXT,
   [matched_share] REAL,
   [spoken] INTEGER,
   [partial] INTEGER,
   [estimated] INTEGER,
   [not_spoken] INTEGER
)"""
_V3_SPEECHES_INDEX = "create unique index [idx_speeches_meeting_id_seq] on [speeches] ([meeting_id], [seq])"


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Speeches: every meeting so far is one speech, by its speaker, over its whole official text; its
    unscripted passages between the first and the last sentence belong to it."""
    conn.execute(_V3_SPEECHES)
    conn.execute(_V3_SPEECHES_INDEX)
    conn.execute(
        "insert into speeches (id, meeting_id, seq, title, speaker, official_text, start, [end], matched_share, "
        "spoken, partial, estimated, not_spoken) "
        "select m.id || '_s00', m.id, 0, "
        "(select p.text from paragraphs p where p.meeting_id = m.id order by p.seq limit 1), m.speaker, "
        "m.official_text, min(s.start), max(s.[end]), m.matched_share, "
        "sum(s.status = 'spoken'), sum(s.status = 'partial'), 0, sum(s.status = 'not_spoken') "
        "from meetings m left join sentences s on s.meeting_id = m.id group by m.id")
    conn.create_function("podium_hms", 1, hms, deterministic=True)
    conn.execute("update speeches set start_hms = podium_hms(start), end_hms = podium_hms([end])")
    for table in ("paragraphs", "sentences", "unscripted"):
        conn.execute(f"alter table [{table}] add column [speech_id] TEXT REFERENCES [speeches]([id])")
    conn.execute("alter table [meetings] add column [voiced_coverage] REAL")
    conn.execute("update paragraphs set speech_id = meeting_id || '_s00'")
    conn.execute("update sentences set speech_id = meeting_id || '_s00'")
    conn.execute("update unscripted set speech_id = (select sp.id from speeches sp where sp.meeting_id = "
                 "unscripted.meeting_id and unscripted.start between sp.start and sp.[end])")


_V4_CHANGES = """CREATE TABLE [changes] (
   [id] INTEGER PRIMARY KEY,
   [action] INTEGER,
   [meeting_id] TEXT REFERENCES [meetings]([id]),
   [table_name] TEXT,
   [row_id] TEXT,
   [field] TEXT,
   [old] TEXT,
   [new] TEXT,
   [editor] TEXT,
   [machine] INTEGER,
   [reason] TEXT,
   [at] TEXT,
   [undoes] INTEGER
)"""


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """Corrections: rows carry a version and the fields a person corrected, passages can be struck, and every
    change is kept in `changes`. Rows so far are version 0 and uncorrected. Frozen: never edit."""
    for table in ("sentences", "unscripted"):
        conn.execute(f"alter table [{table}] add column [version] INTEGER")
        conn.execute(f"alter table [{table}] add column [corrected] TEXT")
        conn.execute(f"update [{table}] set version = 0")
    conn.execute("alter table [unscripted] add column [struck] INTEGER")
    conn.execute("update unscripted set struck = 0")
    conn.execute(_V4_CHANGES)
    conn.execute("create index [idx_changes_meeting_id_action] on [changes] ([meeting_id], [action])")
    conn.execute("create index [idx_changes_table_name_row_id] on [changes] ([table_name], [row_id])")


def _v4_to_v5(conn: sqlite3.Connection) -> None:
    """Indexes for an archive of thousands of meetings: meetings by date, speeches by speaker, sentences and
    off-script passages by speech. No row changes. Frozen: never edit."""
    conn.execute("create index [idx_meetings_date] on [meetings] ([date])")
    conn.execute("create index [idx_speeches_speaker] on [speeches] ([speaker])")
    conn.execute("create index [idx_sentences_speech_id] on [sentences] ([speech_id])")
    conn.execute("create index [idx_unscripted_speech_id] on [unscripted] ([speech_id])")


# MIGRATIONS[n] takes an archive from version n to n + 1; each runs inside upgrade()'s transaction.
MIGRATIONS = {0: _v0_to_v1, 1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5}


# --- bringing an archive to this version, or refusing it ------------------------------------------

def upgrade(conn: sqlite3.Connection, path: str = "archive") -> int:
    """Bring an archive written by an older Podium to SCHEMA_VERSION, in one transaction; every row is kept.
    The connection needs `add_functions`.

    Returns the version the archive had.

    :raises ArchiveVersionError: the archive is newer than this Podium.
    :raises ArchiveUnreadableError: the archive is locked, damaged or not a Podium archive.
    """
    found = archive_version(conn, path)
    if found > SCHEMA_VERSION:
        raise ArchiveVersionError(f"{path}: written by a newer Podium (schema {found}, this one knows "
                                  f"{SCHEMA_VERSION}); upgrade Podium")
    if found == SCHEMA_VERSION:
        return found
    with file_errors(path), transaction(conn):
        for step in range(found, SCHEMA_VERSION):
            MIGRATIONS[step](conn)
        conn.execute(f"pragma user_version = {SCHEMA_VERSION}")
    return found


def check_servable(conn: sqlite3.Connection, path: str = "archive") -> None:
    """Serving never writes: an archive of another version is refused with what to do.

    :raises ArchiveVersionError: (ArchiveUnreadableError: locked, damaged or not a Podium archive)
    """
    found = archive_version(conn, path)
    if found < SCHEMA_VERSION:
        raise ArchiveVersionError(f"{path}: an archive of schema {found}; run `podium upgrade --db {path}` "
                                  f"once (every row is kept), then serve it")
    if found > SCHEMA_VERSION:
        raise ArchiveVersionError(f"{path}: written by a newer Podium (schema {found}); upgrade Podium")
