"""One search across the archive: official sentences and unscripted passages.

A query is split on spaces into terms that must all match. Terms of three or
more characters are found by FTS5's trigram index, as written and in
simplified and traditional script; shorter ones (most Chinese words are two
characters) by the character index, as phrases in simplified script (see
`podium.schema`). Either script finds the same text. Results are ranked by bm25.
"""

from __future__ import annotations

import datetime
import html
import re
import sqlite3
from dataclasses import dataclass, field

from podium.alignment.text import to_simplified, to_traditional
from podium.schema import MEETING_ID, char_phrase

from .meeting import meeting_url

KINDS = ("official", "unscripted")
KIND_TABLES = {"official": "sentences", "unscripted": "unscripted"}  # the table each kind of hit comes from
MAX_SIZE = 200  # results per page at most
MAX_PAGE = 1000  # pages beyond this are refused: past 200,000 results a reader narrows the search instead
OPERATORS = re.compile(r'["*^()]|\b(AND|OR|NOT|NEAR)\b')  # FTS5 syntax a reader may type; searched as text
RANK_WINDOW = 5_000  # matches ranked for an unfiltered query: the newest, when a term is very common


@dataclass
class SearchQuery:
    q: str
    meeting_id: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    kind: str | None = None  # 'official', 'unscripted' or None for both
    speaker: str | None = None  # hits in this speaker's speeches only
    page: int = 1
    size: int = 20
    terms: list[str] = field(init=False)

    def __post_init__(self) -> None:
        # each term is phrase-quoted below, so FTS5 operators and quotes are searched as plain text
        self.terms = [t for t in re.split(r"\s+", self.q.replace('"', " ").strip()) if t]

    @property
    def kinds(self) -> list[str]:
        """The kinds of hit searched: the one asked for, or all."""
        return [self.kind] if self.kind in KINDS else list(KINDS)

    @property
    def has_operators(self) -> bool:
        return bool(OPERATORS.search(self.q))


class QueryError(ValueError):
    """A search parameter out of range or malformed; the message says which and what is accepted."""


def parse_query(args) -> SearchQuery:
    """A SearchQuery from request arguments (a mapping of str to str).

    :raises QueryError: a page, size, date, kind or meeting that is not valid.
    """
    def arg(name: str) -> str | None:
        return (args.get(name) or "").strip() or None

    def number(name: str, default: int, highest: int) -> int:
        value = arg(name)
        if value is None:
            return default
        if not value.isdigit() or not 1 <= int(value) <= highest:
            raise QueryError(f"{name}={value}: give a whole number from 1 to {highest}")
        return int(value)

    def date(name: str) -> str | None:
        value = arg(name)
        try:
            return datetime.date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            raise QueryError(f"{name}={value}: give a date as YYYY-MM-DD") from None

    kind, meeting_id, year = arg("kind"), arg("meeting"), arg("year")
    if kind not in (None, *KINDS):
        raise QueryError(f"kind={kind}: give official or unscripted")
    if meeting_id is not None and not MEETING_ID.match(meeting_id):
        raise QueryError(f"meeting={meeting_id}: not a meeting ID")
    if year is not None and not (year.isdigit() and len(year) == 4):
        raise QueryError(f"year={year}: give a year as YYYY")
    # a year is the dates it spans (the chart's bars link to date ranges; the form offers years)
    date_from = date("date_from") or (f"{year}-01-01" if year else None)
    date_to = date("date_to") or (f"{year}-12-31" if year else None)
    return SearchQuery(q=args.get("q") or "", meeting_id=meeting_id, date_from=date_from, date_to=date_to,
                       kind=kind, speaker=arg("speaker"), page=number("page", 1, MAX_PAGE),
                       size=number("size", 20, MAX_SIZE))


def variants(term: str) -> list[str]:
    """The term as written, in simplified and in traditional script."""
    return list(dict.fromkeys([term, to_simplified(term), to_traditional(term)]))


def _matches(kind: str, query: SearchQuery, params: dict) -> list[tuple[str, str]]:
    """The full-text indexes a query needs in one table, as (index, parameter), with the parameters set.
    Terms of 3+ characters go to the trigram index (as written, simplified and traditional), shorter ones
    to the character index (simplified) as phrases; all terms must match."""
    table = KIND_TABLES[kind]
    long_terms = [t for t in query.terms if len(t) >= 3]
    phrases = [char_phrase(t) for t in query.terms if len(t) < 3]
    matches = []
    if long_terms:
        # phrase-quote each variant; all terms must match, any variant of a term may
        params[f"{kind}_trigram"] = " AND ".join(
            "(" + " OR ".join('"' + v.replace('"', '""') + '"' for v in variants(term)) + ")" for term in long_terms
        )
        matches.append((f"{table}_fts", f"{kind}_trigram"))
    if phrases:
        params[f"{kind}_chars"] = " AND ".join(p or '""' for p in phrases)
        matches.append((f"{table}_chars", f"{kind}_chars"))
    return matches


def _filters(query: SearchQuery, params: dict, kind: str) -> list[str]:
    """The conditions on a hit's row `t` (and its meeting `m`): the reader's filters, and never a struck passage."""
    # a passage an editor struck as misheard is in the history, not in search
    return (["coalesce(t.struck, 0) = 0"] if kind == "unscripted" else []) + _reader_filters(query, params)


def _reader_filters(query: SearchQuery, params: dict) -> list[str]:
    where = []
    if query.meeting_id:
        where.append("t.meeting_id = :meeting_id")
        params["meeting_id"] = query.meeting_id
    if query.date_from:
        where.append("m.date >= :date_from")
        params["date_from"] = query.date_from
    if query.date_to:
        where.append("m.date <= :date_to")
        params["date_to"] = query.date_to
    if query.speaker:
        where.append("t.speech_id in (select id from speeches where speaker = :speaker)")
        params["speaker"] = query.speaker
    return where


def _window(kind: str, query: SearchQuery, params: dict, index: str, param: str, columns: str = "rowid",
            limit: int = RANK_WINDOW) -> str:
    """The newest RANK_WINDOW matches of one index that pass the reader's filters, newest first.

    The filters are read as a set of rowids from the table's own indexes (a meeting's rows, a speaker's, the
    rows of the meetings in a date range) and each match is tested against it as the index reads it, newest
    first, until the window is full. `+rowid` keeps it a test: handed to the full-text index as a constraint,
    it would look up every row of the set one at a time, each a phrase match of its own (minutes, not ms)."""
    where = [f"[{index}] match :{param}"]
    filters = _reader_filters(query, params)
    if filters:
        dates = " join meetings m on m.id = t.meeting_id" if query.date_from or query.date_to else ""
        where.append(f"+rowid in (select t.rowid from [{KIND_TABLES[kind]}] t{dates} where {' and '.join(filters)})")
    return f"select {columns} from [{index}] where {' and '.join(where)} order by rowid desc limit {limit}"


def _window_full(conn: sqlite3.Connection, kind: str, query: SearchQuery, params: dict) -> bool:
    """Whether a query's terms go to one index of this kind and match more rows there than RANK_WINDOW (counted
    no further), so that only the newest RANK_WINDOW are ranked."""
    matches = _matches(kind, query, params)
    if len(matches) != 1:
        return False
    (index, param), = matches
    return conn.execute(f"select count(*) from (select 1 from [{index}] where [{index}] match :{param} "
                        f"limit {RANK_WINDOW + 1})", params).fetchone()[0] > RANK_WINDOW


def _occurrences(query: SearchQuery, params: dict, column: str) -> str:
    """SQL: how many times the terms occur in `column`, in either script, whatever the letter case."""
    counts = []
    for k, v in enumerate(dict.fromkeys(v.lower() for t in query.terms for v in variants(t))):
        params[f"occ{k}"] = v
        counts.append(f"(length(lower({column})) - length(replace(lower({column}), :occ{k}, ''))) / length(:occ{k})")
    return " + ".join(counts)


def _table_sql(kind: str, query: SearchQuery, params: dict, full: bool, by_frequency: bool) -> str:
    """The hits of one table, each with its score (lower is better) and how many its window held.

    Few matches (or terms needing two indexes): every match is ranked, and filtered after. Many matches: only
    the best `limit` can make the page, so the newest RANK_WINDOW that pass the filters are ranked (a term
    found in a third of three million sentences would otherwise be ranked a million times).

    The score is bm25, or, `by_frequency`, how often the terms occur in the row (more first; search then puts
    shorter rows first). A window is always ranked by frequency, and then every kind of hit is, so that scores
    compare: bm25's idf needs the number of rows that hold each term, which FTS5 counts by a pass over every
    match, even for a window (240 ms for a 2-character term in a million sentences). Within one term's matches
    bm25 too ranks by frequency and shortness; only the weight of rarer terms among several is lost."""
    table = KIND_TABLES[kind]
    (index, param), *others = _matches(kind, query, params)
    if full:
        source = _window(kind, query, params, index, param, columns="rowid" if by_frequency else "rowid, rank")
        where = ["coalesce(t.struck, 0) = 0"] if kind == "unscripted" else []
        held = "count(*) over ()"  # counted before the limit: the page says when the window was full
    else:
        source = f"select {'rowid' if by_frequency else 'rowid, rank'} from [{index}] where [{index}] match :{param}"
        where = [f"t.rowid in (select rowid from [{o}] where [{o}] match :{p})" for o, p in others]
        where += _filters(query, params, kind)
        held = "0"
    if by_frequency:
        fts = (f"select w.rowid, -({_occurrences(query, params, 'x.text')}) as rank, {held} as window_n "
               f"from ({source}) w join [{table}] x on x.rowid = w.rowid")
        if full:
            fts += " order by rank, length(x.text) limit :limit"
    else:
        fts = f"select rowid, rank, {held} as window_n from ({source})"
    return (
        f"select {_columns(kind)}, f.rank as score, f.window_n from ({fts}) f join [{table}] t on t.rowid = f.rowid "
        f"join meetings m on m.id = t.meeting_id left join speeches sp on sp.id = t.speech_id "
        f"where {' and '.join(where) or '1'}"
    )


def _columns(kind: str) -> str:
    """What a hit of one kind says, from its table `t`, its meeting `m` and its speech `sp`."""
    own = ("t.paragraph_seq as paragraph_seq, t.seq as seq, t.status as status" if kind == "official"
           else "null as paragraph_seq, null as seq, null as status")
    return (f"'{kind}' as kind, t.meeting_id, {own}, t.start, t.[end], t.start_hms, t.end_hms, t.text, "
            f"m.title as meeting_title, m.date as meeting_date, sp.speaker as speaker, sp.title as speech_title")


def _result(row: dict, terms: list[str]) -> dict:
    row["sentence_seq"] = row.pop("seq")
    row.pop("score", None)
    row["snippet"] = snippet(row["text"], terms)
    row["url"] = meeting_url(row["meeting_id"], row["start"], row["paragraph_seq"], row["sentence_seq"])
    return row


@dataclass
class Page:
    rows: list[dict]
    more: bool  # there is a next page
    ranked_window: bool  # the ranking looked at the newest RANK_WINDOW matches of a kind only: the page says so


def search(conn: sqlite3.Connection, query: SearchQuery) -> Page:
    """One page of results."""
    if not query.terms:
        return Page([], False, False)
    params: dict = {"limit": query.page * query.size + 1}
    full = {kind: _window_full(conn, kind, query, params) for kind in query.kinds}
    union = " union all ".join(_table_sql(kind, query, params, full[kind], any(full.values())) for kind in query.kinds)
    params["size"], params["offset"] = query.size + 1, (query.page - 1) * query.size
    sql = (f"select *, max(window_n) over () as fullest from ({union}) "
           f"order by score, length(text), meeting_date desc, meeting_id, start limit :size offset :offset")
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
    windowed = bool(rows) and rows[0]["fullest"] >= RANK_WINDOW
    for r in rows:
        del r["window_n"], r["fullest"]
    return Page([_result(r, query.terms) for r in rows[: query.size]], len(rows) > query.size, windowed)


EXPORT_BATCH = 1_000  # hits read at a time by an export: memory stays bounded however many there are


def export_batch(conn: sqlite3.Connection, query: SearchQuery, kind: str, after: int) -> tuple[list[dict], int | None]:
    """The next hits of one kind for an export, in archive order (meeting by meeting, in text order), after
    the row `after` of its table: every match that `count` counts, a batch at a time by keyset (no OFFSET,
    which would read every earlier row again). Returns the hits (perhaps none, where filters left out the
    whole batch) and where the next batch starts (None: done).

    The keyset is applied inside the first full-text index, which reads its matches in rowid order: each
    batch costs its own rows, however many came before (a filter outside it would find every match again)."""
    params: dict = {"after": after, "batch": EXPORT_BATCH}
    table = KIND_TABLES[kind]
    matches = _matches(kind, query, params)
    first, p = matches[0]
    candidates = [r[0] for r in conn.execute(
        f"select rowid from [{first}] where [{first}] match :{p} and rowid > :after order by rowid limit :batch",
        params)]
    if not candidates:
        return [], None
    params["lo"], params["hi"] = candidates[0], candidates[-1]
    where = [f"t.rowid in (select rowid from [{i}] where [{i}] match :{p} and rowid between :lo and :hi)"
             for i, p in matches]
    where += _filters(query, params, kind) + ["t.rowid between :lo and :hi"]
    cursor = conn.execute(
        f"select {_columns(kind)} from [{table}] t join meetings m on m.id = t.meeting_id "
        f"left join speeches sp on sp.id = t.speech_id where {' and '.join(where)} order by t.rowid", params)
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
    return [_result(r, query.terms) for r in rows], candidates[-1] if len(candidates) == EXPORT_BATCH else None


@dataclass
class Facets:
    """Where the hits of a query are: how many in all, per period (years, or months when they span less than
    two years), per speaker and per meeting, most first."""
    total: int = 0
    periods: list[tuple[str, int]] = field(default_factory=list)  # ('2019', n) or ('2019-03', n), in time order
    speakers: list[tuple[str, int]] = field(default_factory=list)
    meetings: list[tuple[str, int]] = field(default_factory=list)

    @property
    def by_month(self) -> bool:
        return bool(self.periods) and len(self.periods[0][0]) == 7


def facets(conn: sqlite3.Connection, query: SearchQuery) -> Facets:
    """Every hit of the query (all pages) counted by period, speaker and meeting, in one pass over the matches:
    no ranking; the hits are grouped by meeting and speech first, and only those groups meet their meeting's
    date and their speech's speaker."""
    if not query.terms:
        return Facets()
    params: dict = {}
    selects = []
    for kind in query.kinds:
        table = KIND_TABLES[kind]
        where = [f"t.rowid in (select rowid from [{i}] where [{i}] match :{p})" for i, p in _matches(kind, query, params)]
        where += _filters(query, params, kind)
        dates = " join meetings m on m.id = t.meeting_id" if query.date_from or query.date_to else ""
        selects.append(f"select t.meeting_id, t.speech_id from [{table}] t{dates} where {' and '.join(where)}")
    groups = conn.execute(
        f"select g.meeting_id, m.date, sp.speaker, g.n from (select meeting_id, speech_id, count(*) as n "
        f"from ({' union all '.join(selects)}) group by meeting_id, speech_id) g "
        f"join meetings m on m.id = g.meeting_id left join speeches sp on sp.id = g.speech_id", params).fetchall()
    dates = sorted(d for _, d, _, _ in groups if d)
    monthly = bool(dates) and int(dates[-1][:4]) * 12 + int(dates[-1][5:7]) - int(dates[0][:4]) * 12 - int(dates[0][5:7]) < 24
    periods: dict[str, int] = {}
    speakers: dict[str, int] = {}
    meetings: dict[str, int] = {}
    for meeting_id, date, speaker, n in groups:
        if date:
            key = date[:7] if monthly else date[:4]
            periods[key] = periods.get(key, 0) + n
        if speaker:
            speakers[speaker] = speakers.get(speaker, 0) + n
        meetings[meeting_id] = meetings.get(meeting_id, 0) + n

    def most_first(counts: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    return Facets(total=sum(meetings.values()), periods=sorted(periods.items()), speakers=most_first(speakers),
                  meetings=most_first(meetings))


def snippet(text: str, terms: list[str], width: int = 40) -> str:
    """HTML: the text around the first match, escaped, with every match in <mark>."""
    needles = sorted({v for t in terms for v in variants(t)}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width) if match else 0
    end = min(len(text), (match.end() if match else 0) + width * 2)
    piece = text[start:end]
    out, pos = [], 0
    for m in pattern.finditer(piece) if pattern else []:
        out.append(html.escape(piece[pos:m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        pos = m.end()
    out.append(html.escape(piece[pos:]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
