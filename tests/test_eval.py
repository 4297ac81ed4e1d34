"""One real end-to-end case for the aligner: the deviating seed speech through `podium eval`."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(fixtures, tmp_path_factory):
    seed = fixtures / "seed"
    done = subprocess.run(
        [sys.executable, "-m", "podium", "eval", str(seed / "seed_deviating.mp3"), str(seed / "official.txt"),
         str(seed / "seed_deviating_truth.json"), "--json"],
        capture_output=True, text=True, cwd=tmp_path_factory.mktemp("eval"),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sentence_times(report):
    start, end = report["sentence_start"], report["sentence_end"]
    assert start["missing"] == 0 and end["missing"] == 0
    assert start["median"] <= 0.08 and start["p95"] <= 0.25 and start["max"] <= 1.0
    assert end["median"] <= 0.08 and end["p95"] <= 0.3


def test_skipped_sentence_is_flagged_and_nothing_else(report):
    assert report["not_spoken"]["recall"] == 1.0
    assert report["not_spoken"]["precision"] >= 0.9


def test_adlib_is_unscripted(report):
    adlibs = [c for c in report["offscript_coverage"] if c["kind"] == "adlib"]
    assert adlibs and all(c["covered"] >= 0.8 for c in adlibs)
    assert report["unscripted"]["share_in_offscript"] >= 0.8


def test_unspoken_gloss_sentence_keeps_its_times(report):
    gloss = report["deviating_sentences"]["p3s4"]
    assert gloss["ours"] in ("spoken", "partial")


def test_no_published_row_reveals_a_redacted_name(fixtures, tmp_path):
    """The speaker says 微山 (and other names) where the official text has **: none of it may be published."""
    import sqlite3

    from podium.ingest.pipeline import IngestOptions, ingest
    from podium.publish import make_datasette

    seed = fixtures / "seed"
    truth = json.loads((seed / "seed_deviating_truth.json").read_text(encoding="utf-8"))
    official = (seed / "official.txt").read_text(encoding="utf-8")
    said_openly = official + "".join(a["text"] for a in truth.get("adlibs", []))
    secrets = {r["replacement"] for r in truth["replacements"] if r["spoken_in_this_version"]}
    secrets = {s for s in secrets if len(s) >= 2 and s not in said_openly}  # one character is no evidence
    assert "微山" in secrets
    db = tmp_path / "archive.db"
    ingest(seed / "seed_deviating.mp3", seed / "official.txt", db, IngestOptions(meeting_id="seed"), progress=False)
    conn = sqlite3.connect(db)
    for table in ("meetings", "paragraphs", "sentences", "unscripted"):
        for row in conn.execute(f"select * from [{table}]"):
            text = " ".join(str(v) for v in row)
            assert not any(s in text for s in secrets), (table, row)

    import asyncio

    async def pages():
        ds = make_datasette(db)
        for secret in secrets:
            found = (await ds.client.get("/search.json", params={"q": secret})).json()["rows"]
            assert found == [], secret
        page = (await ds.client.get("/meeting/seed")).text
        assert not any(s in page for s in secrets)

    asyncio.run(pages())
