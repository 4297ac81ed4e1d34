"""Editing on the editing server (issue 19, items 3, 4 and 6): publish/edit.py's endpoints, in process through
Datasette's client with a signed-in editor's cookies. Who may write (403), what is refused (400, 409), and that
an acknowledged edit is on the page, in search and in the exports at once, with its history."""

import csv
import io
import re
import sqlite3

import pytest

from conftest import copy_archive, db_row, fresh_cache
from podium import schema
from podium.ingest import store
from podium.publish import auth, make_datasette

PASSWORD = "一二三 four five"
ID = "seed_p0002_s000"  # the site archive's sentence 2-0 (5.185–9.48 s)
NEXT = "seed_p0003_s000"  # 3-0 (9.83–17.63 s)
PASSAGE = "seed_u0000"


@pytest.fixture
def editors(tmp_path):
    path = tmp_path / "config" / "podium" / "editors.json"
    auth.add_editor("alice", PASSWORD, path)
    auth.add_editor("bob", PASSWORD, path)
    return path


@pytest.fixture
def archive(site_archive, tmp_path):
    """The site archive with an off-script passage, as an ingest stores one."""
    db = copy_archive(site_archive, tmp_path / "site")
    conn = store.open_for_writing(db)
    with schema.transaction(conn):
        conn.execute("insert into unscripted (id, meeting_id, start, [end], text, version, struck) "
                     "values (?, 'seed', 0.05, 0.45, '掌声雷动', 0, 0)", [PASSAGE])
        schema.index_rows(conn, "unscripted", "id = ?", [PASSAGE])
    conn.close()
    return db


@pytest.fixture
def ds(archive, editors):
    return make_datasette(archive, edit=True, auth_path=editors)


async def sign_in(ds, name="alice") -> dict:
    """Sign in through the form: the cookies a browser then holds, and the page's token to send."""
    page = await ds.client.get("/-/podium/sign-in")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    csrf = page.cookies["ds_csrftoken"]
    signed = await ds.client.post("/-/podium/sign-in", data={"csrftoken": token, "name": name, "password": PASSWORD},
                                  cookies={"ds_csrftoken": csrf})
    assert signed.status_code == 303
    return {"cookies": {"ds_csrftoken": csrf, "ds_actor": signed.cookies["ds_actor"]},
            "headers": {"x-csrftoken": token}}


async def post(ds, session, path, body):
    return await ds.client.post(path, json=body, **session)


def edit(row_id, field, value, version=0, table="sentences"):
    return {"table": table, "row_id": row_id, "field": field, "value": value, "version": version}


def changes(db):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from changes where machine = 0 order by id")]
    finally:
        conn.close()


def attributes(page: str, element_id: str) -> dict:
    from html.parser import HTMLParser

    found = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id") == element_id:
                found.update(attrs)

    Parser().feed(page)
    return found


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


# --- who may write ------------------------------------------------------------------------------------------

async def test_anonymous_writes_are_refused(ds, archive):
    before = changes(archive)
    for path, body in (("/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)]}),
                       ("/-/podium/undo", {"meeting_id": "seed"})):
        anonymous = await ds.client.post(path, json=body)  # no cookies: asgi-csrf lets it through, we do not
        assert anonymous.status_code == 403 and "sign in" in anonymous.json()["error"]
        page = await ds.client.get("/-/podium/sign-in")  # a token and its cookie, but nobody signed in
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
        with_token = await ds.client.post(path, json=body, cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
                                          headers={"x-csrftoken": token})
        assert with_token.status_code == 403
        assert (await ds.client.get(path)).status_code == 405
    assert changes(archive) == before and db_row(archive, "sentences", ID)["version"] == 0


async def test_cross_site_writes_are_refused(ds, archive):
    session = await sign_in(ds)
    body = {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)]}
    # what another site can send: the editor's cookies, without the page's token (or with a wrong one)
    for headers in ({}, {"x-csrftoken": "x" + session["headers"]["x-csrftoken"]}):
        refused = await ds.client.post("/-/podium/edit", json=body, cookies=session["cookies"],
                                       headers={"Origin": "https://evil.example", **headers})
        assert refused.status_code == 403
    assert changes(archive) == []


async def test_a_public_server_refuses_even_a_signed_in_editor(ds, archive, editors):
    session = await sign_in(ds)
    actor = ds.unsign(session["cookies"]["ds_actor"], "actor")  # the same editor's sign-in ...
    for public in (make_datasette(archive), make_datasette(archive, immutable=True)):
        token = "0123456789abcdef"
        cookies = {"ds_actor": public.sign(actor, "actor"), "ds_csrftoken": public.sign(token, "csrftoken")}
        assert (await public.client.get("/-/actor.json", cookies=cookies)).json()["actor"]["id"] == "alice"
        for path, body in (("/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)]}),
                           ("/-/podium/undo", {"meeting_id": "seed"})):
            refused = await public.client.post(path, json=body, cookies=cookies, headers={"x-csrftoken": public.sign(
                token, "csrftoken")})
            assert refused.status_code == 403 and "does not edit" in refused.json()["error"]
        page = (await public.client.get("/meeting/seed", cookies=cookies)).text
        assert "podium-editor" not in page and "data-version" not in page and "podium-history" not in page
    assert changes(archive) == []


async def test_edit_controls_only_for_a_signed_in_editor(ds):
    anonymous = (await ds.client.get("/meeting/seed")).text
    assert "podium-editor" not in anonymous and "data-version" not in anonymous
    assert "podium-history" not in anonymous and "podium-edit-message" not in anonymous
    session = await sign_in(ds)
    page = await ds.client.get("/meeting/seed", cookies=session["cookies"])
    assert 'id="podium-editor"' in page.text and 'id="podium-history"' in page.text
    assert attributes(page.text, "s-2-0")["data-id"] == ID and attributes(page.text, "s-2-0")["data-version"] == "0"
    editor = attributes(page.text, "podium-editor")
    assert editor["data-meeting"] == "seed" and editor["data-csrftoken"] == session["headers"]["x-csrftoken"]
    assert f'data-id="{PASSAGE}"' in page.text
    for key in ("[", "]", "e", "x", "n", "u"):  # the keys are listed, in the reader's language
        assert f"<kbd>{key}</kbd>" in page.text
    assert "开始时间设为播放位置" in page.text
    english = await ds.client.get("/meeting/seed", cookies=session["cookies"], headers={"Accept-Language": "en"})
    assert "set the start to the playhead" in english.text


# --- an edit, everywhere at once ----------------------------------------------------------------------------

async def test_an_edit_shows_at_once_on_the_page_in_search_and_exports(ds, archive):
    session = await sign_in(ds)
    answer = await post(ds, session, "/-/podium/edit",
                        {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)], "reason": "heard earlier"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    row = data["rows"][ID]
    assert row["start"] == 5.0 and row["version"] == 1 and row["corrected"] == "start" and data["action"] >= 1
    assert [(p["id"], p["start"]) for p in data["paragraphs"]] == [("seed_p0002", 5.0)]
    # the page (a reader's too: the corrected mark is for everyone), search and the sentences' CSV
    for cookies in (session["cookies"], {}):
        page = (await ds.client.get("/meeting/seed", cookies=cookies)).text
        shown = attributes(page, "s-2-0")
        assert shown["data-start"] == "5.0" and attributes(page, "p2")["data-start"] == "5.0"
        assert page.count('class="podium-corrected-mark"') == 1
    hits = (await ds.client.get("/search.json", params={"q": "不是树威"})).json()["rows"]
    assert [(h["sentence_seq"], h["start"]) for h in hits if h["kind"] == "official"][0][1] == 5.0
    exported = csv_rows((await ds.client.get("/search.csv", params={"q": "不是树威", "kind": "official"})).text)
    assert {r["start"] for r in exported} == {"5.0"}
    table = csv_rows((await ds.client.get("/archive/sentences.csv",
                                          params={"meeting_id": "seed", "_stream": "on", "_size": "max"})).text)
    assert [(r["start"], r["start_hms"], r["version"]) for r in table if r["id"] == ID] == [("5.0", "00:00:05.000", "1")]
    # the history: who, which row and field, old and new, why
    (change,) = changes(archive)
    assert (change["editor"], change["row_id"], change["field"], change["old"], change["new"], change["reason"]) == (
        "alice", ID, "start", "5.185", "5.0", "heard earlier")
    history = (await ds.client.get("/-/podium/history/seed.json")).json()["changes"]
    assert [(c["editor"], c["row"], c["field"], c["old"], c["new"]) for c in history if not c["machine"]] == [
        ("alice", "2-0", "start", 5.185, 5.0)]


async def test_a_coupled_boundary_is_one_action_of_two_edits(ds, archive):
    session = await sign_in(ds)
    first = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
        edit(ID, "end", 9.6), edit(NEXT, "start", 9.6)]})
    assert first.status_code == 200, first.text
    assert set(first.json()["rows"]) == {ID, NEXT} and len({c["action"] for c in changes(archive)}) == 1
    assert {(c["row_id"], c["field"]) for c in changes(archive)} == {(ID, "end"), (NEXT, "start")}


async def test_a_stale_edit_answers_409_with_the_row_as_it_now_is(ds, archive):
    alice, bob = await sign_in(ds), await sign_in(ds, "bob")
    assert (await post(ds, alice, "/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)]})
            ).status_code == 200
    stale = await post(ds, bob, "/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.3, version=0)]})
    assert stale.status_code == 409
    assert stale.json()["row"]["start"] == 5.0 and stale.json()["row"]["version"] == 1 and stale.json()["error"]
    assert db_row(archive, "sentences", ID)["start"] == 5.0 and [c["editor"] for c in changes(archive)] == ["alice"]
    # with the version now read, bob's edit is made
    again = await post(ds, bob, "/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.3, version=1)]})
    assert again.status_code == 200 and again.json()["rows"][ID]["version"] == 2


@pytest.mark.parametrize("body, says", [
    ({"meeting_id": "seed", "edits": [edit(ID, "end", 5.0)]}, "before the end"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", 99.0)]}, "outside the recording"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", -1)]}, "outside the recording"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", "soon")]}, "number of seconds"),
    ({"meeting_id": "seed", "edits": [edit(ID, "status", "estimated")]}, "status must be one of"),
    ({"meeting_id": "seed", "edits": [edit(ID, "status", "said")]}, "status must be one of"),
    ({"meeting_id": "seed", "edits": [edit(ID, "text", "   ")]}, "may not be empty"),
    ({"meeting_id": "seed", "edits": [edit(ID, "confidence", 1.0)]}, "field: one of"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", 1.0, table="meetings")]}, "table: one of"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", 1.0, table="sentences] where 1; --")]}, "table: one of"),
    ({"meeting_id": "seed", "edits": [edit("en_p0000_s000", "start", 1.0)]}, "a row of meeting seed"),
    ({"meeting_id": "en", "edits": [edit("en_p0009_s000", "start", 1.0)]}, "no such row"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", 5.0, version="0")]}, "version"),
    ({"meeting_id": "seed", "edits": []}, "at least one edit"),
    ({"meeting_id": "../seed", "edits": [edit(ID, "start", 5.0)]}, "meeting_id"),
    ({"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)], "reason": "x" * 501}, "at most 500"),
    ([1, 2], "JSON object"),
])
async def test_a_bad_edit_answers_400_with_its_reason_and_changes_nothing(ds, archive, body, says):
    session = await sign_in(ds)
    refused = await post(ds, session, "/-/podium/edit", body)
    assert refused.status_code == 400 and says in refused.json()["error"], refused.text
    assert changes(archive) == [] and db_row(archive, "sentences", ID)["version"] == 0


async def test_malformed_json_answers_400(ds):
    session = await sign_in(ds)
    refused = await ds.client.post("/-/podium/edit", content=b"{not json", cookies=session["cookies"],
                                   headers={**session["headers"], "content-type": "application/json"})
    assert refused.status_code == 400 and "not JSON" in refused.json()["error"]


async def test_a_corrected_text_is_escaped_on_the_page_and_searched(ds, archive):
    session = await sign_in(ds)
    text = '对于乡镇干部来讲，<b onmouseover="x()">党委书记</b>是用人的，不是树威的。'
    answer = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "text", text)]})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["rows"][ID]["text"] == text and data["rows"][ID]["corrected"] == "text"
    # the site archive was written without a transcript: no re-alignment; the text stands, and the page is told why
    assert data["realigned"] is False and data["realign_error"].startswith("seed: ") and data["conflicts"] == []
    for cookies in (session["cookies"], {}):
        page = (await ds.client.get("/meeting/seed", cookies=cookies)).text
        assert '<b onmouseover' not in page and "&lt;b onmouseover=&#34;x()&#34;&gt;党委书记&lt;/b&gt;" in page
    hits = (await ds.client.get("/search.json", params={"q": "onmouseover"})).json()["rows"]
    assert {h["meeting_id"] for h in hits} == {"seed"}
    assert db_row(archive, "paragraphs", "seed_p0002")["text"] == text  # the official text follows


async def test_a_struck_passage_leaves_the_page_and_search(ds, archive):
    session = await sign_in(ds)
    assert "掌声雷动" in (await ds.client.get("/meeting/seed")).text
    assert (await ds.client.get("/search.json", params={"q": "掌声", "kind": "unscripted"})).json()["rows"]
    answer = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "reason": "applause misheard",
                                                        "edits": [edit(PASSAGE, "struck", 1, table="unscripted")]})
    assert answer.status_code == 200 and answer.json()["rows"][PASSAGE]["struck"] == 1
    for cookies in (session["cookies"], {}):
        assert "掌声雷动" not in (await ds.client.get("/meeting/seed", cookies=cookies)).text
    assert not (await ds.client.get("/search.json", params={"q": "掌声", "kind": "unscripted"})).json()["rows"]
    assert not csv_rows((await ds.client.get("/search.csv", params={"q": "掌声"})).text)
    history = (await ds.client.get("/-/podium/history/seed.json")).json()["changes"]
    assert [(c["row"], c["field"], c["old"], c["new"], c["reason"]) for c in history if not c["machine"]] == [
        ("u0", "struck", 0, 1, "applause misheard")]


async def test_a_passage_text_is_corrected(ds, archive):
    session = await sign_in(ds)
    answer = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
        edit(PASSAGE, "text", "掌声热烈", table="unscripted")]})
    assert answer.status_code == 200 and answer.json()["realigned"] is False  # only official text re-aligns
    assert "掌声热烈" in (await ds.client.get("/meeting/seed")).text
    assert (await ds.client.get("/search.json", params={"q": "热烈", "kind": "unscripted"})).json()["rows"]


async def test_undo_sets_the_value_back_as_a_new_action(ds, archive):
    session = await sign_in(ds)
    assert (await post(ds, session, "/-/podium/undo", {"meeting_id": "seed"})).json()["action"] is None  # nothing yet
    made = (await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
        edit(ID, "status", "not_spoken")]})).json()
    assert made["rows"][ID]["start"] is None
    assert "data-start" not in attributes((await ds.client.get("/meeting/seed")).text, "s-2-0")
    undone = await post(ds, session, "/-/podium/undo", {"meeting_id": "seed"})
    assert undone.status_code == 200, undone.text
    data = undone.json()
    assert data["action"] > made["action"] and data["rows"][ID]["status"] == "spoken"
    assert (data["rows"][ID]["start"], data["rows"][ID]["end"]) == (5.185, 9.48) and data["rows"][ID]["version"] == 2
    assert attributes((await ds.client.get("/meeting/seed")).text, "s-2-0")["data-start"] == "5.185"
    history = (await ds.client.get("/-/podium/history/seed.json")).json()["changes"]
    mine = [c for c in history if not c["machine"]]
    assert {c["action"] for c in mine} == {made["action"], data["action"]}
    assert all(c["undoes"] == made["action"] and c["editor"] == "alice" for c in mine if c["action"] == data["action"])


async def test_undo_of_a_strike_brings_the_passage_back(ds, archive):
    session = await sign_in(ds)
    assert (await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
        edit(PASSAGE, "struck", 1, table="unscripted")]})).status_code == 200
    undone = await post(ds, session, "/-/podium/undo", {"meeting_id": "seed"})
    assert undone.status_code == 200, undone.text[:200]
    assert undone.json()["rows"][PASSAGE]["struck"] == 0
    assert "掌声雷动" in (await ds.client.get("/meeting/seed")).text
    assert (await ds.client.get("/search.json", params={"q": "掌声", "kind": "unscripted"})).json()["rows"]


async def test_history_of_an_unknown_meeting_is_404(ds):
    assert (await ds.client.get("/-/podium/history/nope.json")).status_code == 404
    assert (await ds.client.get("/-/podium/history/seed.json")).json()["meeting_id"] == "seed"


async def test_the_review_page_lists_meetings_with_sentences_to_check(ds, archive):
    conn = sqlite3.connect(archive)
    conn.execute("update sentences set status = 'estimated' where id in (?, ?)", [ID, NEXT])
    conn.execute("update sentences set confidence = 0.2 where id = 'en_p0000_s000'")
    conn.commit()
    conn.close()
    page = await ds.client.get("/-/podium/review", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Meetings to check" in page.text
    counts = re.findall(r'class="podium-review-count">(\d+)<', page.text)
    assert counts == ["2", "1"]  # seed first: two to check
    assert 'href="/meeting/seed?s=2-0"' in page.text and 'href="/meeting/en?s=0-0"' in page.text
    assert "<script>alert(1)" not in page.text  # the hostile title, escaped
    # a sentence whose times an editor set has been checked: it leaves the queue and loses its mark
    session = await sign_in(ds)
    assert (await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [edit(ID, "start", 5.0)]})
            ).status_code == 200
    page = (await ds.client.get("/-/podium/review")).text
    assert re.findall(r'class="podium-review-count">(\d+)<', page) == ["1", "1"]
    assert 'href="/meeting/seed?s=3-0"' in page
    meeting = (await ds.client.get("/meeting/seed")).text
    assert "podium-to-check" not in attributes(meeting, "s-2-0")["class"]
    assert "podium-to-check" in attributes(meeting, "s-3-0")["class"]


@pytest.mark.slow
async def test_a_corrected_text_aligns_the_meeting_again_keeping_every_manual_time(tmp_path, ingested, editors):
    """The seed clip ingested for real: its transcript is in the cache, so a corrected text is aligned again,
    the manual start kept exactly and its disagreement with the machine reported."""
    db, _, _, cache = ingested
    db = copy_archive(db, tmp_path / "copy")
    ds = make_datasette(db, edit=True, auth_path=editors)
    session = await sign_in(ds)
    first, second = db_row(db, "sentences", "seed_p0001_s000"), db_row(db, "sentences", ID)
    far = round(second["start"] + 1.0, 3)
    text = first["text"].replace("善摆布", "善于摆布")
    assert text != first["text"]
    with fresh_cache(cache):
        moved = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
            edit(ID, "start", far, version=second["version"])]})
        assert moved.status_code == 200, moved.text
        fixed = await post(ds, session, "/-/podium/edit", {"meeting_id": "seed", "edits": [
            edit("seed_p0001_s000", "text", text, version=first["version"])]})
    assert fixed.status_code == 200, fixed.text
    data = fixed.json()
    assert data["realigned"] is True and "realign_error" not in data
    assert [c for c in data["conflicts"] if c.startswith(f"{ID}: start")], data["conflicts"]
    assert db_row(db, "sentences", ID)["start"] == far and db_row(db, "sentences", "seed_p0001_s000")["text"] == text
    page = (await ds.client.get("/meeting/seed")).text
    assert attributes(page, "s-2-0")["data-start"] == str(far) and "善于摆布" in page
    history = (await ds.client.get("/-/podium/history/seed.json")).json()["changes"]
    assert history[0]["machine"] == 1 and history[0]["field"] == "realigned"  # the machine's run, told apart
    assert [(c["editor"], c["field"]) for c in history if not c["machine"]] == [("alice", "text"), ("alice", "start")]
