"""Corrections: checked edits in one transaction with their history, stale edits refused, undo as a new
action, and re-alignment that keeps every correction (`podium correct`, `podium align`, `--replace`)."""

import json
import sqlite3
import subprocess
import sys

import pytest

from conftest import copy_archive, db_row as row, fresh_cache, podium
from podium import corrections
from podium.corrections import Edit, EditError, StaleEdit
from podium.ingest import store

ID = "seed_p0002_s000"  # the site archive's second sentence (paragraph 2)


@pytest.fixture
def archive(tmp_path, site_archive):
    return copy_archive(site_archive, tmp_path / "site")


def history(db):
    conn = sqlite3.connect(db)
    try:
        return corrections.history(conn, "seed")
    finally:
        conn.close()


def test_an_edit_is_checked_made_at_once_and_kept_in_the_history(archive):
    before = row(archive, "sentences", ID)
    conn = store.open_for_writing(archive)
    action = corrections.apply(conn, [Edit("sentences", ID, "start", before["start"] - 0.25, before["version"])],
                               editor="李编辑", reason="heard earlier")
    after = row(archive, "sentences", ID)
    assert after["start"] == round(before["start"] - 0.25, 3) and after["version"] == before["version"] + 1
    assert after["corrected"] == "start" and after["start_hms"].endswith(f"{after['start'] % 60:06.3f}")
    paragraph = row(archive, "paragraphs", after["paragraph_id"])
    assert paragraph["start"] == after["start"]  # the paragraph follows its sentence
    change = [c for c in history(archive) if c["action"] == action]
    assert [(c["row_id"], c["field"], json.loads(c["old"]), json.loads(c["new"]), c["editor"], c["machine"],
             c["reason"]) for c in change] == [(ID, "start", before["start"], after["start"], "李编辑", 0, "heard earlier")]

    with pytest.raises(StaleEdit) as stale:  # made on the version the editor saw before: refused, row returned
        corrections.apply(conn, [Edit("sentences", ID, "start", 1.0, before["version"])], editor="王编辑")
    assert stale.value.row["start"] == after["start"]
    conn.close()


@pytest.mark.parametrize("edit, says", [
    (Edit("sentences", ID, "end", 0.1), "before the end"),
    (Edit("sentences", ID, "start", 1e6), "outside the recording"),
    (Edit("sentences", ID, "status", "estimated"), "status must be one of"),
    (Edit("sentences", ID, "text", "  "), "may not be empty"),
    (Edit("sentences", ID, "confidence", 1.0), "not a field"),
    (Edit("sentences", "seed_p0099_s000", "start", 1.0), "no such row"),
])
def test_a_bad_edit_is_refused_with_its_reason_and_changes_nothing(archive, edit, says):
    before = [row(archive, "sentences", ID), history(archive)]
    conn = store.open_for_writing(archive)
    with pytest.raises(EditError, match=says):
        corrections.apply(conn, [edit], editor="李编辑")
    conn.close()
    assert [row(archive, "sentences", ID), history(archive)] == before


def test_undo_is_a_new_action_and_struck_passages_leave_search(archive):
    conn = store.open_for_writing(archive)
    before = row(archive, "sentences", ID)
    first = corrections.apply(conn, [Edit("sentences", ID, "status", "not_spoken")], editor="李编辑")
    assert row(archive, "sentences", ID)["start"] is None  # not spoken: no time
    undone = corrections.undo(conn, "seed", editor="李编辑")
    again = row(archive, "sentences", ID)
    assert (again["status"], again["start"], again["end"]) == (before["status"], before["start"], before["end"])
    actions = {c["action"]: c for c in history(archive) if not c["machine"]}
    assert set(actions) == {first, undone} and actions[undone]["undoes"] == first
    assert corrections.undo(conn, "seed", editor="李编辑") is None  # an undo is not undone by the next undo
    conn.close()


def test_a_struck_passage_leaves_search_and_stays_in_the_history(archive):
    from podium import schema
    from podium.publish.search import SearchQuery, facets

    def count(conn, query):  # hits per meeting, as the search page's facets count them
        return dict(facets(conn, query).meetings)

    conn = store.open_for_writing(archive)
    with schema.transaction(conn):  # an off-script passage, as an ingest stores one
        conn.execute("insert into unscripted (id, meeting_id, start, [end], text, version, struck) "
                     "values ('seed_u0000', 'seed', 0.1, 0.4, '掌声雷动', 0, 0)")
        schema.index_rows(conn, "unscripted", "id = 'seed_u0000'")
    for term in ("掌声雷动", "雷"):  # the trigram index and the character index
        assert count(conn, SearchQuery(q=term, kind="unscripted")) == {"seed": 1}
    corrections.apply(conn, [Edit("unscripted", "seed_u0000", "struck", 1, 0)], editor="李编辑", reason="applause")
    for term in ("掌声雷动", "雷"):
        assert count(conn, SearchQuery(q=term, kind="unscripted")) == {}
    def in_index() -> int:  # the character index itself, not what search shows of it
        return conn.execute("select count(*) from unscripted_chars where unscripted_chars match ?",
                            [schema.char_phrase("雷")]).fetchone()[0]

    assert in_index() == 0
    with schema.transaction(conn):  # `podium reindex` leaves a struck passage out too
        schema.rebuild_indexes(conn)
    assert in_index() == 0
    corrections.undo(conn, "seed", editor="李编辑")  # back in the index once, the index whole
    assert in_index() == 1 and count(conn, SearchQuery(q="雷", kind="unscripted")) == {"seed": 1}
    conn.execute("insert into unscripted_chars (unscripted_chars, rank) values ('integrity-check', 0)")
    conn.commit()
    corrections.apply(conn, [Edit("unscripted", "seed_u0000", "struck", 1)], editor="李编辑", reason="applause")
    conn.close()
    assert row(archive, "unscripted", "seed_u0000")["struck"] == 1
    mine = [(c["field"], c["new"], c["reason"]) for c in history(archive) if c["row_id"] == "seed_u0000"]
    assert mine[0] == mine[2] == ("struck", "1", "applause")  # newest first: struck, undone, struck again
    assert mine[1][:2] == ("struck", "0") and mine[1][2].startswith("undo of action")


@pytest.mark.slow
def test_align_and_replace_keep_every_correction_and_report_conflicts(tmp_path, ingested, seed):
    db, _, _, cache = ingested
    db = copy_archive(db, tmp_path / "copy")
    work = db.parent
    first, second = row(db, "sentences", "seed_p0001_s000"), row(db, "sentences", "seed_p0002_s000")
    with fresh_cache(cache):
        done = subprocess.run([sys.executable, "-m", "podium", "editors", "add", "李编辑", "--auth",
                               str(tmp_path / "editors.json")], cwd=work, input="secret-words\n", text=True,
                              capture_output=True)
        assert done.returncode == 0, done.stderr
        # a start moved by 0.04 s (a person's fine correction) and one moved by 1 s (a disagreement)
        fine, far = round(first["start"] + 0.04, 3), round(second["start"] + 1.0, 3)
        for sentence, start in (("1-0", fine), ("2-0", far)):
            done = podium("correct", "seed", "--sentence", sentence, "--start", str(start), "--editor", "李编辑",
                          "--auth", str(tmp_path / "editors.json"), cwd=work)
            assert done.returncode == 0, done.stderr
        for command in (["align", "seed"],
                        ["ingest", str(seed.audio), "--text", str(seed.text), "--id", "seed", "--replace",
                         "--date", "2024-05-02", "--speaker", "县委书记", "--quiet"]):  # other inputs, same audio
            done = podium(*command, cwd=work)
            assert done.returncode == 0, done.stderr
            assert row(db, "sentences", "seed_p0001_s000")["start"] == fine
            assert row(db, "sentences", "seed_p0002_s000")["start"] == far
            assert "conflict kept as corrected: seed_p0002_s000: start" in done.stdout
            assert "seed_p0001_s000" not in done.stdout  # within the tolerance: no conflict
            assert row(db, "sentences", "seed_p0002_s000")["end"] > far  # the machine's end follows
        machine = [c for c in history(db) if c["machine"]]
        assert {c["field"] for c in machine} >= {"realigned", "replaced"}
        done = podium("align", "seed", "--discard-corrections", cwd=work)
        assert done.returncode == 0, done.stderr
        assert row(db, "sentences", "seed_p0002_s000")["start"] != far  # on purpose only
