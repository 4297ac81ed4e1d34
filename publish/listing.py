"""The archive's meetings and speakers as a reader browses them: a page of meetings at a time, newest first,
filtered by year, speaker or words of the title; meetings per year; every speaker with their speeches.

Plain functions over a SQLite connection, shared by the pages (`browse.py`), the API (`api.py`) and the feeds.
Each query reads only what one page shows (schema 5's indexes: meetings by date, speeches by speaker,
off-script passages by speech), so a page costs the same in an archive of ten meetings or ten thousand.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import quote

PAGE_SIZE = 50  # meetings a page: a screenful or two
MAX_SIZE = 500
NOT_STRUCK = "coalesce(u.struck, 0) = 0"  # a passage an editor struck as misheard is never public


def speaker_url(name: str) -> str:
    """A speaker's page: /speaker/<name>, the name percent-encoded whole (a name may hold any character)."""
    return "/speaker/" + quote(name, safe="")


class FilterError(ValueError):
    """A parameter out of range or malformed; the message names it and says what is accepted."""


@dataclass(frozen=True)
class MeetingFilter:
    year: int | None = None
    speaker: str | None = None
    q: str | None = None  # words that must all be in the title
    page: int = 1
    size: int = PAGE_SIZE

    @property
    def words(self) -> list[str]:
        return [w for w in re.split(r"\s+", self.q or "") if w]


def _number(args, name: str, default: int | None, lowest: int, highest: int) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or not lowest <= int(value) <= highest:
        raise FilterError(f"{name}={value}: give a whole number from {lowest} to {highest}")
    return int(value)


def parse_filter(args) -> MeetingFilter:
    """A MeetingFilter from request arguments (`year`, `speaker`, `q`, `page`, `size`).

    :raises FilterError: a year, page or size that is not a whole number in range.
    """
    return MeetingFilter(year=_number(args, "year", None, 1000, 9999),
                         speaker=(args.get("speaker") or "").strip() or None,
                         q=(args.get("q") or "").strip() or None,
                         page=_number(args, "page", 1, 1, 1_000_000), size=_number(args, "size", PAGE_SIZE, 1, MAX_SIZE))


def _where(f: MeetingFilter, *, year: bool = True) -> tuple[str, list]:
    where, params = [], []
    if year and f.year is not None:
        # a range on the indexed date, not substr(date, 1, 4): the index then finds the year's meetings
        where.append("m.date >= ? and m.date < ?")
        params += [f"{f.year:04d}", f"{f.year + 1:04d}"]
    if f.speaker:
        where.append("m.id in (select meeting_id from speeches where speaker = ?)")
        params.append(f.speaker)
    for word in f.words:
        where.append("instr(m.title, ?) > 0")
        params.append(word)
    return " and ".join(where) or "1", params


def meetings(conn: sqlite3.Connection, f: MeetingFilter) -> tuple[list[dict], int]:
    """One page of meetings matching `f`, newest first, and how many match in all. Each row: id, title, date,
    speaker, duration, matched_share, `unscripted` (its off-script passages not struck) and `speakers` (its
    speeches' named speakers, in order, each once)."""
    where, params = _where(f)
    total = conn.execute(f"select count(*) from meetings m where {where}", params).fetchone()[0]
    # the page's meetings first, then their counts: an outer query would count the passages of every meeting
    # that OFFSET skips too (200 ms at page 100 of 5,000 meetings, 20 ms this way)
    cursor = conn.execute(
        f"select m.id, m.title, m.date, m.speaker, m.duration, m.matched_share, "
        f"(select count(*) from unscripted u where u.meeting_id = m.id and {NOT_STRUCK}) as unscripted "
        f"from (select m.id from meetings m where {where} order by m.date desc, m.id limit ? offset ?) page "
        f"join meetings m on m.id = page.id order by m.date desc, m.id",
        [*params, f.size, (f.page - 1) * f.size])
    rows = _dicts(cursor)
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["speakers"] = []
    for meeting_id, name in conn.execute(
            f"select meeting_id, speaker from speeches where meeting_id in ({','.join('?' * len(rows))}) "
            f"and coalesce(speaker, '') != '' order by meeting_id, seq", list(by_id)):
        if name not in by_id[meeting_id]["speakers"]:
            by_id[meeting_id]["speakers"].append(name)
    return rows, total


def meetings_per_year(conn: sqlite3.Connection, f: MeetingFilter) -> list[tuple[str, int]]:
    """(year, meetings) for every year with a dated meeting that matches `f` (its year aside), oldest first."""
    where, params = _where(f, year=False)
    return conn.execute(f"select substr(m.date, 1, 4) as y, count(*) from meetings m where {where} "
                        f"and m.date is not null group by y order by y", params).fetchall()


def years(conn: sqlite3.Connection) -> list[str]:
    """Every year that has a meeting, newest first (for a year filter)."""
    return [y for y, _ in reversed(meetings_per_year(conn, MeetingFilter()))]


def speakers(conn: sqlite3.Connection) -> list[dict]:
    """Every named speaker: name, speeches, meetings, and the dates of their first and last."""
    return _dicts(conn.execute(
        "select sp.speaker as name, count(*) as speeches, count(distinct sp.meeting_id) as meetings, "
        "min(m.date) as first, max(m.date) as last from speeches sp join meetings m on m.id = sp.meeting_id "
        "where coalesce(sp.speaker, '') != '' group by sp.speaker order by speeches desc, name"))


def speaker_options(conn: sqlite3.Connection) -> list[dict]:
    """Every named speaker and their number of speeches, most first: for the filters of the home and search
    pages, read from the speaker index alone (`speakers` also dates them, which reads every speech)."""
    return _dicts(conn.execute(
        "select speaker as name, count(*) as speeches from speeches where coalesce(speaker, '') != '' "
        "group by speaker order by speeches desc, name"))


def speaker(conn: sqlite3.Connection, name: str) -> dict | None:
    """A speaker's speeches, newest first, each with the share of its official text found and its off-script
    passages (count, seconds and share of its speaking time), and their totals; None for no such speaker."""
    rows = _dicts(conn.execute(
        f"select sp.id, sp.meeting_id, m.title as meeting_title, m.date, sp.title, sp.start, sp.[end], "
        f"sp.[end] - sp.start as duration, sp.matched_share, "
        f"(select count(*) from unscripted u where u.speech_id = sp.id and {NOT_STRUCK}) as unscripted, "
        f"(select coalesce(sum(u.[end] - u.start), 0) from unscripted u where u.speech_id = sp.id "
        f"and {NOT_STRUCK}) as unscripted_seconds "
        f"from speeches sp join meetings m on m.id = sp.meeting_id where sp.speaker = ? "
        f"order by m.date desc, m.id, sp.seq", [name]))
    if not rows:
        return None
    for r in rows:
        r["unscripted_share"] = r["unscripted_seconds"] / r["duration"] if r["duration"] else None
    spoken = sum(r["duration"] or 0 for r in rows)
    off = sum(r["unscripted_seconds"] for r in rows)
    return {"name": name, "speeches": rows, "meetings": len({r["meeting_id"] for r in rows}),
            "first": min((r["date"] for r in rows if r["date"]), default=None),
            "last": max((r["date"] for r in rows if r["date"]), default=None),
            "seconds": spoken, "unscripted": sum(r["unscripted"] for r in rows), "unscripted_seconds": off,
            "unscripted_share": off / spoken if spoken else None}


def speaker_passages(conn: sqlite3.Connection, name: str, limit: int = 50) -> list[dict]:
    """A speaker's off-script passages, newest meeting first, at most `limit`."""
    return _dicts(conn.execute(
        f"select u.id, u.meeting_id, m.title as meeting_title, m.date, u.start, u.[end], u.text "
        f"from speeches sp join unscripted u on u.speech_id = sp.id join meetings m on m.id = sp.meeting_id "
        f"where sp.speaker = ? and {NOT_STRUCK} order by m.date desc, m.id, u.start limit ?", [name, limit]))


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
