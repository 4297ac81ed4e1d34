"""The same input gives the same archive: two ingests of the hardest room (applause over the deviating
speech, where the recovery pass works most), each with an empty transcript cache, into two archives."""

import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, fresh_cache

pytestmark = pytest.mark.slow
sys.path.insert(0, str(ROOT / "scripts"))  # the rooms are the benchmark's own, so the test and it agree


def rows(db: Path) -> dict[str, list]:
    """Every row of every table, in key order; wall-clock times left out (they say when, not what)."""
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' and name not like "
                                         "'%_fts%' and name not like '%_chars%' order by name")]
    out = {}
    for table in tables:
        cursor = conn.execute(f"select * from [{table}] order by rowid")
        names = [d[0] for d in cursor.description]
        out[table] = [{k: v for k, v in zip(names, row) if k not in ("ingested_at", "at")} for row in cursor]
    conn.close()
    return out


def test_two_ingests_of_the_applause_room_give_identical_rows(tmp_path):
    from benchmark_common import seed_excerpt
    from benchmark_rooms import versions, write_wav

    from podium.ingest.audio import decode
    from podium.ingest.pipeline import IngestOptions, ingest

    # the first four paragraphs of the deviating speech (about 80 s): the skipped sentence is among them
    audio, official, _ = seed_excerpt(tmp_path, "seed_deviating", paragraphs=4)
    speech = decode(audio).astype(np.float64) / 32768
    room = tmp_path / "applause.wav"
    write_wav(room, versions(speech, np.random.default_rng(0))["applause 0 dB"])
    archives = []
    for k in range(2):
        db = tmp_path / f"archive{k}" / "archive.db"
        cache = tmp_path / f"cache{k}"
        cache.mkdir()
        with fresh_cache(cache):
            result = ingest(room, official, db, IngestOptions(meeting_id="applause"), progress=False)
        assert not result.transcript_cached  # each ingest transcribed for itself
        archives.append(rows(db))
    assert archives[0]["sentences"] and archives[0] == archives[1]
    statuses = [s["status"] for s in archives[0]["sentences"]]
    assert "not_spoken" in statuses  # the skip is there to be reproduced
