"""The JSON API, its OpenAPI description and its page, and each meeting's WebVTT captions: on the site archive
and on a county's archive of 40 meetings. The description is checked against what is served: every path is
requested with its examples and every JSON answer validated against the schema it documents."""

import re
import shutil
import sqlite3
from urllib.parse import quote

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from conftest import SITE_SPEAKER
from podium.publish import make_datasette
from test_site import elements


@pytest.fixture(scope="module")
def site(site_archive):
    return make_datasette(site_archive)


@pytest.fixture(scope="module")
def county(county_archive):
    return make_datasette(county_archive)


@pytest.fixture(scope="module")
def struck(site_archive, tmp_path_factory):
    """A copy of the site archive with two off-script passages in the seed meeting: one an editor struck as
    misheard, one kept (each with a word of its own, found by the trigram index its triggers fill)."""
    db = tmp_path_factory.mktemp("struck") / "archive.db"
    shutil.copy(site_archive, db)
    conn = sqlite3.connect(db)
    passages = [(4.86, 5.16, "误识别的机密话语", 1), (17.7, 18.0, "即兴发挥的内容", 0)]
    for k, (start, end, text, struck) in enumerate(passages):
        conn.execute("insert into unscripted (id, meeting_id, start, [end], start_hms, end_hms, text, speech_id, "
                     "version, struck) values (?, 'seed', ?, ?, '', '', ?, 'seed_s00', 0, ?)",
                     [f"seed_u9{k:03d}", start, end, text, struck])
    conn.commit()
    conn.close()
    return make_datasette(db)


async def get_json(ds, path, status=200, **params):
    response = await ds.client.get(path, params=params or None)  # empty params would drop the path's query
    assert response.status_code == status, (path, params, response.text)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()


# --- the OpenAPI description, against what is served ----------------------------------------------

def check_schema(spec: dict, schema: dict, instance) -> None:
    """`instance` is valid against `schema`, which may refer to the description's components."""
    OAS31Validator({**schema, "components": spec["components"]}).validate(instance)


def example_request(path: str, operation: dict) -> tuple[str, dict]:
    """The path with its path parameters' examples, and every query parameter that has an example."""
    params = {}
    for p in operation.get("parameters", []):
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", quote(str(p["example"]), safe=""))
        elif "example" in p:
            params[p["name"]] = p["example"]
    return path, params


@pytest.mark.parametrize("archive", ["site", "county"])
async def test_openapi_description_is_valid_and_true(request, archive):
    ds = request.getfixturevalue(archive)
    spec = await get_json(ds, "/api/openapi.json")
    validate_spec(spec)  # OpenAPI 3.1, by openapi-spec-validator
    assert spec["openapi"].startswith("3.1") and spec["servers"] == [{"url": "http://localhost"}]
    served = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert method == "get" and operation["summary"] and operation["responses"]
            for p in operation.get("parameters", []):
                assert p["description"] and p["schema"]
            url, params = example_request(path, operation)
            response = await ds.client.get(url, params=params)
            if path == "/media/{id}" and archive == "county":  # the made-up archive has no recordings
                assert response.status_code == 404 and "404" in operation["responses"]
                continue
            assert response.status_code == 200, (url, params, response.text[:300])
            content = operation["responses"]["200"]["content"]
            [documented] = content
            assert response.headers["content-type"].split(";")[0] == documented, url
            if documented == "application/json":
                check_schema(spec, content[documented]["schema"], response.json())
            served += 1
    assert served >= 10


@pytest.mark.parametrize("path, params, status, named", [
    ("/api/meetings", {"year": "twenty"}, 400, "year"),
    ("/api/meetings", {"page": "0"}, 400, "page"),
    ("/api/meetings", {"size": "501"}, 400, "size"),
    ("/search.json", {"q": "会议", "kind": "speech"}, 400, "kind"),
    ("/api/meetings/nope", {}, 404, "no meeting nope"),
    ("/api/meetings/..%2Fnope", {}, 404, "no meeting"),
    ("/api/speakers/%E6%97%A0%E5%90%8D%E6%B0%8F", {}, 404, "no speaker 无名氏"),  # nobody here
])
async def test_errors_are_the_documented_json(site, path, params, status, named):
    spec = await get_json(site, "/api/openapi.json")
    body = await get_json(site, path, status=status, **params)
    check_schema(spec, {"$ref": "#/components/schemas/Error"}, body)
    assert body["error"].startswith(named)  # a 400 names the parameter at fault


@pytest.mark.parametrize("language, own, other", [
    ("zh", ["API 与数据接口", "会议列表，最新的在前", "订阅新会议"], "New meetings, as an Atom feed"),
    ("en", ["Meetings, newest first", "New meetings, as an Atom feed", "Example"], "订阅新会议"),
])
@pytest.mark.parametrize("archive", ["site", "county"])
async def test_api_page_lists_endpoints_with_working_examples(request, archive, language, own, other):
    ds = request.getfixturevalue(archive)
    page = await ds.client.get("/api", params={"lang": language})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for label in own:
        assert label in page.text, label
    assert other not in page.text
    links = [a["href"] for a in elements(page.text, "podium-example")]
    assert len(links) >= 12
    spec = await get_json(ds, "/api/openapi.json")
    for link in links:
        response = await ds.client.get(link)
        assert response.status_code == 200, link
    # each endpoint the page lists is one the description documents
    listed = re.findall(r"<code>GET ([^<]+)</code>", page.text)
    assert set(listed) == set(spec["paths"]) - {"/media/{id}"}


# --- meetings ---------------------------------------------------------------------------------------

async def test_meetings_a_page_at_a_time(county, county_archive):
    conn = sqlite3.connect(county_archive)
    every = [m for (m,) in conn.execute("select id from meetings order by date desc, id")]
    first = await get_json(county, "/api/meetings", size=7)
    assert first["total"] == len(every) == 40 and first["page"] == 1 and first["size"] == 7
    assert first["prev"] is None and first["next"] == "/api/meetings?size=7&page=2"
    seen, page = [], first
    while True:
        seen += [r["id"] for r in page["rows"]]
        assert all(r["url"] == f"/meeting/{r['id']}" and r["api_url"] == f"/api/meetings/{r['id']}"
                   for r in page["rows"])
        if page["next"] is None:
            break
        following = await get_json(county, page["next"])
        assert following["prev"] and (await get_json(county, following["prev"]))["rows"] == page["rows"]
        page = following
    assert seen == every and page["page"] == 6


@pytest.mark.parametrize("name, where", [
    ("year", "date >= '2019' and date < '2020'"),
    ("speaker", "id in (select meeting_id from speeches where speaker = :value)"),
    ("q", "instr(title, '安全生产') > 0"),
])
async def test_meetings_filtered(county, county_archive, name, where):
    conn = sqlite3.connect(county_archive)
    busiest = conn.execute("select speaker from speeches group by speaker order by count(*) desc").fetchone()[0]
    value = {"year": "2019", "q": "安全生产", "speaker": busiest}[name]
    expected = [m for (m,) in conn.execute(f"select id from meetings where {where} order by date desc, id",
                                           {"value": value})]
    data = await get_json(county, "/api/meetings", size=500, **{name: value})
    assert expected and len(expected) < 40, "a filter that keeps all or nothing tests nothing"
    assert [r["id"] for r in data["rows"]] == expected and data["total"] == len(expected)


async def test_meeting_with_everything_said(county, county_archive):
    conn = sqlite3.connect(county_archive)
    (meeting_id,) = conn.execute("select meeting_id from speeches group by meeting_id having count(*) = 3 "
                                 "limit 1").fetchone()
    data = await get_json(county, f"/api/meetings/{meeting_id}")
    assert data["id"] == meeting_id and data["captions_url"] == f"/meeting/{meeting_id}.vtt"
    assert [s["seq"] for s in data["speeches"]] == [0, 1, 2]
    sentences = conn.execute("select paragraph_seq, seq, id, start from sentences where meeting_id = ? "
                             "order by paragraph_seq, seq", [meeting_id]).fetchall()
    given = [(p["seq"], s["seq"], s["id"], s["start"]) for p in data["paragraphs"] for s in p["sentences"]]
    assert given == sentences
    assert [p["seq"] for p in data["paragraphs"]] == list(range(len(data["paragraphs"])))
    passages = conn.execute("select id from unscripted where meeting_id = ? order by start, id", [meeting_id])
    assert [u["id"] for u in data["unscripted"]] == [u for (u,) in passages] and data["unscripted"]
    assert "official_text" not in data and "media_path" not in data


async def test_meeting_on_the_site(site, site_archive):
    data = await get_json(site, "/api/meetings/seed")
    assert data["speaker"] == SITE_SPEAKER and data["audio_url"] == "/media/seed"
    rows = sqlite3.connect(site_archive).execute("select paragraph_seq, seq, start from sentences "
                                                 "where meeting_id = 'seed' order by paragraph_seq, seq")
    # each sentence links to itself on the meeting page, at its moment where it was spoken
    assert [s["url"] for p in data["paragraphs"] for s in p["sentences"]] == [
        f"/meeting/seed?s={p}-{k}" + (f"#t={start:g}" if start is not None else "") for p, k, start in rows]
    assert (await site.client.get(data["audio_url"])).status_code == 200


# --- speakers -----------------------------------------------------------------------------------------

async def test_speakers_and_each_speaker(county, county_archive):
    conn = sqlite3.connect(county_archive)
    data = await get_json(county, "/api/speakers")
    counts = dict(conn.execute("select speaker, count(*) from speeches where coalesce(speaker, '') != '' "
                               "group by speaker"))
    assert {r["name"]: r["speeches"] for r in data["rows"]} == counts and data["total"] == len(counts)
    assert [r["speeches"] for r in data["rows"]] == sorted(counts.values(), reverse=True)
    for row in data["rows"]:
        assert row["api_url"] == "/api/speakers/" + quote(row["name"], safe="")
        one = await get_json(county, row["api_url"])  # a Chinese name, percent-encoded, found
        assert one["name"] == row["name"] and len(one["speeches"]) == row["speeches"]
        assert one["meetings"] == row["meetings"] and (one["first"], one["last"]) == (row["first"], row["last"])
        assert all(s["url"].startswith(f"/meeting/{s['meeting_id']}") for s in one["speeches"])


# --- off-script passages an editor struck ------------------------------------------------------------

async def test_struck_passages_are_never_served(struck):
    meeting = await get_json(struck, "/api/meetings/seed")
    texts = [u["text"] for u in meeting["unscripted"]]
    assert "即兴发挥的内容" in texts and "误识别的机密话语" not in texts
    assert all("struck" not in u for u in meeting["unscripted"])
    vtt = (await struck.client.get("/meeting/seed.vtt")).text
    assert "即兴发挥的内容" in vtt and "误识别的机密话语" not in vtt
    listed = (await get_json(struck, "/api/meetings"))["rows"]
    assert {r["id"]: r["unscripted"] for r in listed}["seed"] == 1
    for word, found in (("误识别的机密", False), ("即兴发挥的", True)):
        feed = (await struck.client.get("/search.atom", params={"q": word})).text
        assert ("<entry>" in feed) is found, word
        assert bool((await get_json(struck, "/search.json", q=word))["rows"]) is found, word


# --- WebVTT -------------------------------------------------------------------------------------------

TIMING = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$")


def read_vtt(text: str) -> list[dict]:
    """The cues of a WebVTT file, checked against the format's syntax (W3C WebVTT: a 'WEBVTT' header line,
    cues separated by blank lines, each an optional ID line without '-->', a timing line, payload lines that
    hold neither '-->' nor a blank line)."""
    assert not text.startswith("\ufeff")
    assert text.endswith("\n")
    blocks = text[:-1].split("\n\n")
    assert blocks[0] == "WEBVTT", "header"
    cues = []
    for block in [b for b in blocks[1:] if b.strip()]:
        lines = block.split("\n")
        cue_id, timing, *payload = lines
        assert "-->" not in cue_id and cue_id.strip() == cue_id and cue_id
        times = TIMING.match(timing)
        assert times, timing
        h, m, s, ms, h2, m2, s2, ms2 = map(int, times.groups())
        start, end = h * 3600 + m * 60 + s + ms / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert payload and all(line.strip() and "-->" not in line for line in payload)
        cues.append({"id": cue_id, "start": round(start, 3), "end": round(end, 3), "text": "\n".join(payload)})
    return cues


async def get_vtt(ds, meeting_id):
    response = await ds.client.get(f"/meeting/{meeting_id}.vtt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vtt; charset=utf-8"
    return read_vtt(response.text)


async def test_captions_on_the_site(struck):
    cues = await get_vtt(struck, "seed")
    assert [c["id"] for c in cues] == ["seed_p0001_s000", "seed_p0002_s000", "seed_p0003_s000", "seed_u9001"]
    assert cues[1]["text"] == f"<v {SITE_SPEAKER}>对于乡镇干部来讲，党委书记是用人的，不是树威的。"
    assert cues[-1]["text"] == f"<v {SITE_SPEAKER}>［脱稿］即兴发挥的内容" and cues[-1]["start"] == 17.7
    english = await get_vtt(struck, "en")
    assert len(english) == 1 and english[0]["text"].startswith("Welcome to the archive")
    assert (await struck.client.get("/meeting/nope.vtt")).status_code == 404
    # the meeting page is still the meeting page
    assert (await struck.client.get("/meeting/seed")).headers["content-type"].startswith("text/html")


async def test_captions_hold_every_timed_row_in_time_order(county, county_archive):
    conn = sqlite3.connect(county_archive)
    for (meeting_id,) in conn.execute("select id from meetings order by id limit 5"):
        cues = await get_vtt(county, meeting_id)
        rows = conn.execute(
            "select id, start, [end] from sentences where meeting_id = :m and start is not null "
            "union all select id, start, [end] from unscripted where meeting_id = :m and coalesce(struck, 0) = 0",
            {"m": meeting_id}).fetchall()
        assert {(c["id"], c["start"], c["end"]) for c in cues} == {(i, round(s, 3), round(e, 3)) for i, s, e in rows}
        assert [(c["start"], c["end"]) for c in cues] == sorted((c["start"], c["end"]) for c in cues)
        assert all(c["end"] > c["start"] for c in cues)
        off = [c for c in cues if "_u" in c["id"]]
        assert off and all("［脱稿］" in c["text"] for c in off)
        assert not any("［脱稿］" in c["text"] for c in cues if "_u" not in c["id"])


async def test_captions_escape_the_text(site_archive, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(site_archive, db)
    conn = sqlite3.connect(db)
    conn.execute("update sentences set text = 'a <b>&</b> --> b\n\nc' where id = 'seed_p0002_s000'")
    conn.commit()
    conn.close()
    cues = await get_vtt(make_datasette(db), "seed")
    assert cues[1]["text"] == f"<v {SITE_SPEAKER}>a &lt;b&gt;&amp;&lt;/b&gt; --&gt; b c"
