"""Datasette metadata of the published archive, generated from the schema module.

The repository's `metadata.json` is this module's output (a test checks it); after a schema change:
    .venv/bin/python scripts/make_metadata.py
"""

from __future__ import annotations

import copy
import json

from podium.schema import TABLES

DB_NAME = "archive"  # the archive is always published under this name, whatever its file is called

SITE = {
    "title": "Podium 会议录音档案 · Meeting archive",
    "description_html": "<p>会议的官方文本与录音逐句对齐：搜索讲话内容，点击段落从那一秒开始播放，导出片段。<br>Official texts of spoken meetings aligned to their recordings, sentence by sentence: search what was said, play the exact moment, export segments.</p>",
    "license": "文本与录音以发布者公开的为准 · Texts and recordings: as published by their owners"
}

ARCHIVE_DESCRIPTION = ("会议、讲话稿的段落与句子及其在录音中的时间，以及脱稿内容。 · "
                       "Meetings, their official text split into paragraphs and sentences with times in the recording, and what was said off-script.")

QUERIES = {
    "search_with_context": {
        "title": "Search with context · 带上下文搜索",
        "description": "Official sentences matching a term of 3 or more characters (FTS5 trigram), best first, with the match in 【】. For 1–2 character terms, traditional script and off-script passages use /search.",
        "sql": "select s.meeting_id, m.title, m.date, s.paragraph_seq, s.seq, s.start, s.start_hms, s.status, snippet(sentences_fts, 0, '【', '】', '…', 24) as snippet from sentences_fts f join sentences s on s.rowid = f.rowid join meetings m on m.id = s.meeting_id where sentences_fts match '\"' || replace(:q, '\"', '') || '\"' order by f.rank limit 100"
    },
    "off_script": {
        "title": "What was said off-script · 脱稿内容",
        "description": "Passages of a meeting that are not in its official text.",
        "sql": "select meeting_id, start, [end], text from unscripted where meeting_id = :meeting_id and coalesce(struck, 0) = 0 order by start"
    },
    "segments_between": {
        "title": "Sentences of a meeting between two times · 时间段内的句子",
        "description": "Times in seconds.",
        "sql": "select meeting_id, paragraph_seq, seq, start, [end], status, text from sentences where meeting_id = :meeting_id and start >= cast(:from_seconds as real) and start < cast(:to_seconds as real) order by start"
    }
}


def _bilingual(zh: str, en: str) -> str:
    return f"{zh} · {en}"


def build_metadata() -> dict:
    tables = {}
    for table in TABLES:
        tables[table.name] = {
            "description": _bilingual(table.zh, table.en),
            # meetings newest first, the history's latest change first, timed rows in recording order
            **({"sort_desc": "date"} if table.name == "meetings" else {"sort_desc": "id"} if table.name == "changes"
               else {"sort": "start"}),
            **({"label_column": "title"} if "title" in table.column_names else {}),
            "facets": list(table.facets),
            # table pages search the character index: terms of any length (see plugin.prepare_connection)
            **({"fts_table": f"{table.name}_chars", "fts_pk": "rowid"} if table.searchable else {}),
            "columns": {c.name: _bilingual(c.zh, c.en) for c in table.columns},
        }
    for table in TABLES:
        if table.searchable:
            tables[f"{table.name}_fts"] = {"hidden": True}
            tables[f"{table.name}_chars"] = {"hidden": True}
    return {
        **SITE,
        "databases": {DB_NAME: {
            "description": ARCHIVE_DESCRIPTION,
            "tables": tables,
            "queries": copy.deepcopy(QUERIES),  # Datasette adds keys to what it is given
        }},
    }


def metadata_json() -> str:
    return json.dumps(build_metadata(), ensure_ascii=False, indent=2) + "\n"
